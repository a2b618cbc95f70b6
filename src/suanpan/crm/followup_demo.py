"""The demo organization's follow-ups (跟进记录), pool and CRM rules.

- about 120 follow-ups over the last 60 days on the customers that have a rep (by that rep), and on the reps' leads
  and opportunities when they exist; the latest of each customer sets the next step, and for the rep "sales" some
  are due today and some overdue, so "my day" has something to show;
- 4 customers without sales orders go back to the pool (公海), each with its reason;
- CRM rules: back to the pool after 30 days without follow-up, at most 50 customers per rep.

All through the services (as the system, naming the rep who logged each follow-up). Deterministic (a fixed
seed); idempotent: an organization that has follow-ups already is left alone.
"""

from __future__ import annotations

import datetime
import random
from typing import Any

from django.utils import timezone

from suanpan.core.models import Organization
from suanpan.crm import crm_settings_services, followups, pool
from suanpan.crm.choices import FollowUpKind, LeadStatus
from suanpan.crm.models import FollowUp, Lead, Opportunity
from suanpan.partners.models import Partner
from suanpan.sales.models import SalesOrder

TARGET = 120
DAYS_BACK = 60
POOL_SIZE = 4
PRODUCTS = ("A4复印纸", "中性笔", "文件夹", "计算器", "笔记本", "订书机", "打印机硒鼓", "白板")
PEOPLE = ("王经理", "李主任", "张总", "陈采购", "刘会计", "赵主管")
CONTENT: dict[str, tuple[str, ...]] = {
    FollowUpKind.CALL: (
        "电话沟通了{p}的报价，客户觉得价格偏高，希望批量再给些折扣。",
        "打电话确认上批货的签收情况，{who}反馈有两箱包装破损，答应补发。",
        "电话回访使用情况，{who}说{p}质量稳定，下月可能加量。",
        "打电话催上月货款，财务说月底前安排付款。",
    ),
    FollowUpKind.VISIT: (
        "上门拜访{who}，参观了仓库，了解到他们每月用{p}大约三百箱。",
        "带样品上门，{who}当场试用了{p}，比较满意。",
        "拜访新任采购{who}，介绍了我们的配送服务和账期政策。",
    ),
    FollowUpKind.WECHAT: (
        "微信发了新品目录和{p}的价格表，{who}说先内部比价。",
        "微信上{who}问{p}的交期，回复现货三天可到。",
        "微信发了上季度对账单，{who}已确认无误。",
    ),
    FollowUpKind.EMAIL: (
        "邮件发送正式报价单和营业执照、资质文件。",
        "邮件确认年度框架协议的条款修改意见。",
    ),
    FollowUpKind.MEETING: (
        "和{who}开会讨论年度采购计划，初步同意按季度下单。",
        "参加客户的供应商评审会，我们排在前两名。",
    ),
    FollowUpKind.NOTE: (
        "听说客户下季度预算收紧，{p}的采购可能推迟。",
        "客户换了新的采购负责人{who}，需要重新建立关系。",
    ),
}
KIND_WEIGHTS = (
    (FollowUpKind.CALL, 5),
    (FollowUpKind.WECHAT, 4),
    (FollowUpKind.VISIT, 3),
    (FollowUpKind.EMAIL, 1),
    (FollowUpKind.MEETING, 1),
    (FollowUpKind.NOTE, 1),
)
ACTIONS = ("发报价单", "寄样品", "跟进付款", "约上门拜访", "确认合同条款", "回访使用情况", "催回款", "确认交期")
POOL_REASONS = ("长期未成交，释放给其他同事跟进", "客户暂停采购", "联系人离职，暂无对接人", "区域调整")


def _kind(rng: random.Random) -> str:
    kinds = [k for k, _w in KIND_WEIGHTS]
    return rng.choices(kinds, weights=[w for _k, w in KIND_WEIGHTS])[0]


def _content(rng: random.Random, kind: str) -> str:
    return rng.choice(CONTENT[kind]).format(p=rng.choice(PRODUCTS), who=rng.choice(PEOPLE))


def _moment(day: datetime.date, rng: random.Random, now: datetime.datetime) -> datetime.datetime:
    moment = timezone.make_aware(
        datetime.datetime.combine(day, datetime.time(rng.randint(9, 17), rng.choice((0, 15, 30, 45))))
    )
    return min(moment, now - datetime.timedelta(minutes=5))


def _log(org: Organization, subject_key: str, subject: Any, data: dict[str, Any]) -> None:
    followups.followup_log(
        organization=org, actor=None, data={f"{subject_key}_id": subject.pk, "user_id": subject.owner_id, **data}
    )


def _chain(
    org: Organization,
    rng: random.Random,
    key: str,
    subject: Any,
    count: int,
    today: datetime.date,
    last_next: datetime.date | None,
) -> int:
    """`count` follow-ups on one subject on distinct days of the last 60, oldest first; each sets a next step a few
    days on, the last one `last_next` (or a random one)."""
    now = timezone.now()
    offsets = sorted(rng.sample(range(1, DAYS_BACK), k=min(count, DAYS_BACK - 1)), reverse=True)
    for i, back in enumerate(offsets):
        day = today - datetime.timedelta(days=back)
        last = i == len(offsets) - 1
        kind = _kind(rng)
        if last and last_next is not None:
            next_on: datetime.date | None = max(last_next, day)
        elif kind == FollowUpKind.NOTE and not last:
            next_on = None
        else:
            next_on = day + datetime.timedelta(days=rng.randint(2, 10))
        _log(
            org,
            key,
            subject,
            {
                "kind": kind,
                "content": _content(rng, kind),
                "happened_at": _moment(day, rng, now),
                "next_on": next_on,
                "next_action": rng.choice(ACTIONS) if next_on else "",
            },
        )
    return len(offsets)


def load_followups(org: Organization, users: dict[str, Any], today: datetime.date) -> None:
    if FollowUp.objects.filter(organization=org).exists():
        return
    rng = random.Random(f"followups:{org.name}")  # noqa: S311  # demo data, not security
    crm_settings_services.crm_settings_update(
        organization=org, actor=None, data={"pool_return_days": 30, "claim_limit": 50}
    )
    customers = list(
        Partner.objects.filter(organization=org, is_customer=True, is_active=True, owner__isnull=False).order_by("code")
    )
    sales = users.get("sales")
    # due dates for the rep "sales": two overdue, three today, the rest to come
    due_for_sales = [today - datetime.timedelta(days=3), today - datetime.timedelta(days=1), today, today, today]
    leads = list(Lead.objects.filter(organization=org, owner__isnull=False).order_by("pk"))
    deals = list(Opportunity.objects.filter(organization=org, owner__isnull=False).order_by("pk"))
    budget = TARGET - 2 * len(deals) - len(leads) // 2
    per_customer = max(1, budget // max(len(customers), 1))
    to_pool = _pool_candidates(org)
    for customer in customers:
        count = max(1, per_customer + rng.randint(-1, 1))
        last_next = None
        if customer in to_pool:
            last_next = today - datetime.timedelta(days=rng.randint(20, 40))
        elif sales is not None and customer.owner_id == sales.pk and due_for_sales:
            last_next = due_for_sales.pop(0)
        else:
            last_next = today + datetime.timedelta(days=rng.randint(1, 12))
        _chain(org, rng, "customer", customer, count, today, last_next)
    for deal in deals:
        _chain(org, rng, "opportunity", deal, 2, today, today + datetime.timedelta(days=rng.randint(0, 7)))
    for lead in leads[::2]:  # half of the leads were contacted, the others are still NEW
        if lead.status in (LeadStatus.NEW, LeadStatus.CONTACTING, LeadStatus.QUALIFIED):
            _chain(org, rng, "lead", lead, 1, today, today + datetime.timedelta(days=rng.randint(1, 5)))
    for customer, reason in zip(to_pool, POOL_REASONS, strict=False):
        pool.pool_release(organization=org, actor=None, customer_id=customer.pk, reason=reason)


def _pool_candidates(org: Organization) -> list[Partner]:
    """A few customers nobody sold to, which go back to the pool."""
    sold = set(SalesOrder.objects.filter(organization=org).values_list("customer_id", flat=True))
    return list(
        Partner.objects.filter(organization=org, is_customer=True, is_active=True, owner__isnull=False)
        .exclude(pk__in=sold)
        .order_by("-code")[:POOL_SIZE]
    )
