"""The demo's opportunities and quotes: 25 opportunities on the owned customers, made over the last 120 days and
moved through the stages at realistic intervals (so the funnel's days in stage mean something) — six won, five
lost with their reasons, the rest open in every stage — and about ten quotes: drafts, sent ones, one accepted,
one revised to a second version, one rejected, and two turned into (draft) sales orders, which won their
opportunities. Made through the services as the system (actor None), each step dated with `now=`/`today=`.
Loaded once: an organization that has these opportunities already is left as it is."""

from __future__ import annotations

import datetime
import random
from decimal import Decimal

from django.contrib.auth.models import User
from django.utils import timezone

from suanpan.catalog.models import Product
from suanpan.core.models import Organization
from suanpan.crm import opportunities, quotes
from suanpan.crm.models import Opportunity, Stage
from suanpan.crm.setup import stages_ensure
from suanpan.partners.models import Partner

OPEN_PATH = ("初步接洽", "需求确认", "方案报价", "谈判")
# name, expected amount, final stage, days ago it was made, loss reason, quote (see _quote)
OPPORTUNITIES = (
    ("年度办公用品集中采购", "186000", "赢单", 118, "", ""),
    ("开学季文具团购", "68000", "赢单", 104, "", ""),
    ("打印耗材年度框架", "124000", "赢单", 96, "", ""),
    ("会议室设备升级", "45800", "赢单", 61, "", ""),
    ("员工福利礼品采购", "32600", "赢单", 34, "", "ordered"),
    ("分公司开业办公配套", "57300", "赢单", 27, "", "ordered"),
    ("新办公楼文具配套", "52000", "输单", 115, "价格高于竞争对手", "rejected"),
    ("档案室收纳改造", "28500", "输单", 99, "预算取消", ""),
    ("电商仓库耗材供应", "96000", "输单", 83, "选择了原有供应商", ""),
    ("年会物料定制", "18800", "输单", 57, "交期无法满足", ""),
    ("培训中心教具采购", "41200", "输单", 44, "需求变化，项目暂停", ""),
    ("复印纸季度供货", "73500", "谈判", 76, "", "accepted"),
    ("门店陈列用品更新", "39900", "谈判", 52, "", "revised"),
    ("办公椅批量更换", "84000", "谈判", 47, "", ""),
    ("财务部票据耗材包年", "26400", "谈判", 38, "", ""),
    ("智能办公设备试点", "128000", "方案报价", 66, "", "sent"),
    ("学校图书馆文具补充", "35600", "方案报价", 41, "", "sent"),
    ("医院办公耗材统采", "152000", "方案报价", 29, "", "sent"),
    ("物流单据打印方案", "47800", "方案报价", 22, "", "draft"),
    ("酒店客房文具用品", "21900", "需求确认", 35, "", "draft"),
    ("展会物料及礼品", "16500", "需求确认", 19, "", ""),
    ("研发中心白板改造", "12800", "需求确认", 12, "", ""),
    ("新客户试单", "8600", "初步接洽", 9, "", ""),
    ("茶水间用品长期供应", "14400", "初步接洽", 6, "", ""),
    ("数码配件渠道合作", "66000", "初步接洽", 3, "", ""),
)
COMPETITORS = ("得力", "晨光", "齐心", "史泰博", "")
TERMS = "含税含运费，送货上门；款到发货或按合同账期结算。"


def _rng(key: str) -> random.Random:
    return random.Random(f"suanpan-demo:opportunity:{key}")  # noqa: S311 - reproducible demo data, not secrets


def _at(day: datetime.date, minutes: int) -> datetime.datetime:
    """A working-hours moment of the day (local time)."""
    moment = datetime.datetime.combine(day, datetime.time(9, 0)) + datetime.timedelta(minutes=minutes)
    return timezone.make_aware(moment)


def _path(final: str, rng: random.Random) -> list[str]:
    """The stages after the first one, up to the final stage."""
    if final in OPEN_PATH:
        return list(OPEN_PATH[1 : OPEN_PATH.index(final) + 1])
    if final == "赢单":
        return [*OPEN_PATH[1:], final]
    reached = rng.randint(1, 3)
    return [*OPEN_PATH[1 : reached + 1], final]


def _days(steps: int, span: int, rng: random.Random) -> list[int]:
    """Days after creation of each move: increasing, the last within `span` days."""
    gaps = [rng.randint(4, 16) for _ in range(steps)]
    total = sum(gaps)
    if total > span:
        gaps = [max(1, g * span // total) for g in gaps]
    days, acc = [], 0
    for gap in gaps:
        acc += gap
        days.append(min(acc, span))
    return days


def load_opportunities(org: Organization, users: dict[str, User], today: datetime.date) -> None:
    names = [spec[0] for spec in OPPORTUNITIES]
    if Opportunity.objects.filter(organization=org, name__in=names).exists():
        return
    stages_ensure(org)
    stages = {s.name: s for s in Stage.objects.filter(organization=org)}
    customers = list(
        Partner.objects.filter(organization=org, is_customer=True, is_active=True, owner__isnull=False).order_by("code")
    )
    products = list(Product.objects.filter(organization=org, is_active=True).order_by("code"))
    if not customers or not products or not all(name in stages for name in (*OPEN_PATH, "赢单", "输单")):
        return
    for index, (name, amount, final, ago, reason, quote_kind) in enumerate(OPPORTUNITIES):
        rng = _rng(name)
        customer = customers[(index * 7) % len(customers)]
        interest = rng.sample(products, k=min(len(products), rng.choice((1, 2, 3))))
        made = today - datetime.timedelta(days=ago)
        path = _path(final, rng)
        # the two that become orders win by the conversion itself, a few days ago
        converted = quote_kind == "ordered"
        moves = path[:-1] if converted else path
        days = _days(len(moves), max(ago - (5 if converted else 1), 1), rng)
        close = made + datetime.timedelta(days=days[-1]) if days else made
        expected = close if final in ("赢单", "输单") else today + datetime.timedelta(days=rng.randint(10, 75))
        opportunity = opportunities.opportunity_create(
            organization=org,
            actor=None,
            data={
                "name": name,
                "customer_id": customer.pk,
                "amount": Decimal(amount),
                "expected_close_on": expected,
                "product_ids": [p.pk for p in interest],
                "competitors": rng.choice(COMPETITORS),
                "notes": "",
            },
            now=_at(made, index * 7),
        )
        Opportunity.objects.filter(pk=opportunity.pk).update(created_at=_at(made, index * 7))
        entered: dict[str, datetime.date] = {}
        for step, (stage_name, after) in enumerate(zip(moves, days, strict=True)):
            day = made + datetime.timedelta(days=after)
            entered[stage_name] = day
            opportunities.opportunity_move(
                organization=org,
                actor=None,
                opportunity_id=opportunity.pk,
                stage_id=stages[stage_name].pk,
                loss_reason=reason if stage_name == "输单" else "",
                now=_at(day, 60 + step * 13 + index),
            )
        if quote_kind:
            _quote(org, opportunity, interest, quote_kind, entered, today, rng)


def _quote(
    org: Organization,
    opportunity: Opportunity,
    interest: list[Product],
    kind: str,
    entered: dict[str, datetime.date],
    today: datetime.date,
    rng: random.Random,
) -> None:
    """A quote of the opportunity in the state `kind`: draft, sent, accepted, revised (V1 sent, V2 sent),
    rejected, or ordered (accepted and turned into a draft sales order, which wins the opportunity)."""
    day = entered.get("方案报价", today - datetime.timedelta(days=3))
    if kind in ("accepted", "ordered"):
        day = max(day, today - datetime.timedelta(days=8))
    day = min(day, today)
    lines = [
        {
            "product_id": product.pk,
            "quantity": str(rng.choice((20, 50, 100, 200, 500))),
            "discount": str(rng.choice((0, 0, 5, 8))),
        }
        for product in interest
    ]
    quote = quotes.quote_create(
        organization=org,
        actor=None,
        data={"opportunity_id": opportunity.pk, "date": day, "terms": TERMS, "lines": lines},
        today=day,
    )
    if kind == "draft":
        return
    quotes.quote_send(organization=org, actor=None, quote_id=quote.pk)
    if kind == "rejected":
        quotes.quote_reject(organization=org, actor=None, quote_id=quote.pk, reason="客户认为价格偏高")
    elif kind == "revised":
        later = min(day + datetime.timedelta(days=6), today)
        second = quotes.quote_revise(organization=org, actor=None, quote_id=quote.pk, today=later)
        data = {
            "opportunity_id": opportunity.pk,
            "date": later,
            "terms": TERMS,
            "lines": [{**line, "discount": "10"} for line in lines],
        }
        quotes.quote_update(organization=org, actor=None, quote_id=second.pk, data=data, today=later)
        quotes.quote_send(organization=org, actor=None, quote_id=second.pk)
    elif kind in ("accepted", "ordered"):
        quotes.quote_accept(
            organization=org, actor=None, quote_id=quote.pk, today=min(day + datetime.timedelta(days=2), today)
        )
        if kind == "ordered":
            when = _at(min(day + datetime.timedelta(days=4), today), 150)
            quotes.quote_to_order(organization=org, actor=None, quote_id=quote.pk, now=when)
