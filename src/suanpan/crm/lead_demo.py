"""The demo organization's leads (线索): about 40 over the last 90 days, across the channels, provinces and reps.

- most belong to a rep (the demo's "sales…" users, else the owner); a few new ones have no owner yet, waiting for a
  manager to hand them out;
- states: new, contacting, qualified; a few invalid with their reason; some converted through `lead_convert`
  (customer + contact, some with an opportunity);
- one lead repeats another's mobile (saved knowingly), so the duplicate panel has something to show;
- two assignment rules: 广东 leads to the second rep, the rest round-robin among all reps.

All through the services as the system; the creation dates are then spread over the 90 days (demo history).
Deterministic (a fixed seed); an organization that has leads already is left alone.
"""

from __future__ import annotations

import datetime
import random
from typing import Any

from django.utils import timezone

from suanpan.core.models import Organization
from suanpan.core.validators import credit_code_check_char
from suanpan.crm import leads
from suanpan.crm.models import Lead
from suanpan.crm.setup import DEFAULT_CHANNELS, channels_ensure

SEED = 20261105
DAYS_BACK = 90
UNOWNED = 3  # new leads nobody has yet
COMPANIES = (
    ("上海", "上海", "浦江精密机械有限公司", "制造"),
    ("上海", "上海", "静安云帆广告有限公司", "广告传媒"),
    ("江苏", "苏州", "苏州工业园区晨光电子有限公司", "电子"),
    ("江苏", "南京", "南京紫金教育咨询有限公司", "教育"),
    ("江苏", "无锡", "无锡太湖纺织有限公司", "纺织"),
    ("浙江", "杭州", "杭州西溪网络科技有限公司", "互联网"),
    ("浙江", "宁波", "宁波北仑港口物流有限公司", "物流"),
    ("浙江", "温州", "温州瓯江鞋业有限公司", "制造"),
    ("广东", "广州", "广州天河会计师事务所", "专业服务"),
    ("广东", "深圳", "深圳南山智能硬件有限公司", "电子"),
    ("广东", "东莞", "东莞松山湖模具有限公司", "制造"),
    ("广东", "佛山", "佛山顺德家电配件厂", "制造"),
    ("北京", "北京", "北京中关村软件园服务有限公司", "互联网"),
    ("北京", "北京", "北京朝阳国际学校", "教育"),
    ("天津", "天津", "天津滨海新区医药有限公司", "医药"),
    ("山东", "济南", "济南泉城律师事务所", "专业服务"),
    ("山东", "青岛", "青岛海湾食品有限公司", "食品"),
    ("福建", "厦门", "厦门鹭江酒店管理有限公司", "酒店"),
    ("福建", "福州", "福州闽江建筑设计院", "设计"),
    ("湖北", "武汉", "武汉光谷生物科技有限公司", "医药"),
    ("湖南", "长沙", "长沙岳麓出版印刷有限公司", "印刷"),
    ("四川", "成都", "成都高新区游戏工作室", "互联网"),
    ("重庆", "重庆", "重庆两江汽车配件有限公司", "制造"),
    ("河南", "郑州", "郑州中原连锁超市有限公司", "零售"),
    ("安徽", "合肥", "合肥滨湖新能源有限公司", "能源"),
    ("陕西", "西安", "西安曲江文化旅游有限公司", "文旅"),
    ("辽宁", "大连", "大连星海船舶服务有限公司", "物流"),
    ("河北", "石家庄", "石家庄正定物业管理有限公司", "物业"),
    ("江西", "南昌", "南昌红谷滩医院", "医疗"),
    ("广西", "南宁", "南宁青秀区政务服务中心", "政府机构"),
    ("云南", "昆明", "昆明滇池茶业有限公司", "食品"),
    ("上海", "上海", "上海陆家嘴金融信息服务有限公司", "金融"),
    ("浙江", "杭州", "杭州滨江直播电商有限公司", "零售"),
    ("广东", "深圳", "深圳福田跨境贸易有限公司", "贸易"),
    ("江苏", "常州", "常州武进机电有限公司", "制造"),
)
PEOPLE = (
    "王磊",
    "李静",
    "张伟",
    "刘洋",
    "陈晨",
    "杨帆",
    "赵敏",
    "黄勇",
    "周婷",
    "吴昊",
    "徐丽",
    "孙斌",
    "马超",
    "朱琳",
    "胡军",
    "郭燕",
)
TITLES = ("行政经理", "采购主管", "办公室主任", "总经理", "财务经理", "后勤主管")
INVALID_REASONS = ("空号，联系不上", "同行询价", "只要个人少量购买", "已和其他供应商签约", "预算取消")
NOTES = (
    "官网留言：需要办公用品年度供应报价。",
    "展会上留的名片，对打印耗材感兴趣。",
    "老客户介绍，新办公室下月启用。",
    "抖音私信咨询批量采购复印纸。",
    "",
    "",
)
# How the 35 companies end up (in order after shuffling): the rest stay new.
PLAN = ["converted"] * 8 + ["invalid"] * 5 + ["qualified"] * 7 + ["contacting"] * 9


def _mobile(rng: random.Random) -> str:
    return f"1{rng.choice('35789')}{rng.randrange(10**9):09d}"


def _credit_code(rng: random.Random) -> str:
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    first = "91" + f"{rng.randrange(110000, 659999):06d}" + "".join(rng.choice(alphabet) for _ in range(9))
    return first + credit_code_check_char(first)


def _reps(users: dict[str, Any]) -> list[Any]:
    reps = [u for k, u in sorted(users.items()) if k.startswith("sales")]
    return reps or [users["owner"]]


def load_leads(org: Organization, users: dict[str, Any], today: datetime.date) -> list[Lead]:
    """Create the demo leads (see the module docstring); returns them oldest first."""
    existing = list(Lead.objects.filter(organization=org).order_by("pk"))
    if existing:
        return existing
    rng = random.Random(SEED)  # noqa: S311  # demo data, not security
    channels_ensure(org)
    reps = _reps(users)
    companies = list(COMPANIES)
    rng.shuffle(companies)
    outcomes = PLAN + ["new"] * (len(companies) - len(PLAN))
    rng.shuffle(outcomes)
    days = sorted(rng.randrange(0, DAYS_BACK) for _ in companies)
    days.reverse()  # oldest first, so the numbers run with the dates
    unowned = [n for n, outcome in enumerate(outcomes) if outcome == "new"][:UNOWNED]
    made: list[tuple[Lead, datetime.date, str]] = []
    plan = zip(companies, outcomes, days, strict=True)
    for n, ((province, city, company, industry), outcome, back) in enumerate(plan):
        day = today - datetime.timedelta(days=back)
        owner = None if n in unowned else reps[n % len(reps)]
        person = PEOPLE[n % len(PEOPLE)]
        data = {
            "company": company,
            "contact_name": person,
            "title": rng.choice(TITLES),
            "mobile": _mobile(rng),
            "email": f"contact{n + 1}@example.cn" if n % 4 == 0 else "",
            "wechat": f"wx_{n + 1:03d}" if n % 3 == 1 else "",
            "credit_code": _credit_code(rng) if n % 2 == 0 else "",
            "province": province,
            "city": city,
            "industry": industry,
            "channel": DEFAULT_CHANNELS[rng.randrange(len(DEFAULT_CHANNELS))],
            "notes": rng.choice(NOTES),
            "owner_id": owner.pk if owner is not None else None,
            "allow_duplicate": True,
        }
        lead = leads.lead_create(organization=org, actor=None, data=data, today=day)
        made.append((lead, day, outcome))
    # one person asks twice through another channel: a possible duplicate to look at
    first = made[-1][0]
    twin = leads.lead_create(
        organization=org,
        actor=None,
        data={
            "contact_name": first.contact_name,
            "mobile": first.mobile,
            "province": first.province,
            "city": first.city,
            "channel": "电话",
            "notes": "电话咨询，疑似与已有线索同一人。",
            "owner_id": first.owner_id,
            "allow_duplicate": True,
        },
        today=today,
    )
    made.append((twin, today, "new"))
    for n, (lead, day, outcome) in enumerate(made):
        _advance(org, lead, outcome, n, day, rng)
        now = timezone.now()
        start = timezone.make_aware(datetime.datetime.combine(day, datetime.time(8)))
        at = min(start + datetime.timedelta(minutes=10 * n), now)
        changes: dict[str, Any] = {"created_at": at}
        if outcome == "converted":
            changes["converted_at"] = min(at + datetime.timedelta(days=rng.randrange(1, 6)), now)
        Lead.objects.filter(pk=lead.pk).update(**changes)
    south = reps[1:2] or reps[:1]
    leads.assignment_rule_create(
        organization=org,
        actor=None,
        data={"name": "华南线索", "seq": 10, "province": "广东", "assignee_ids": [u.pk for u in south]},
    )
    leads.assignment_rule_create(
        organization=org,
        actor=None,
        data={"name": "全国轮流", "seq": 20, "province": "", "assignee_ids": [u.pk for u in reps]},
    )
    return list(Lead.objects.filter(organization=org).order_by("pk"))


def _advance(org: Organization, lead: Lead, outcome: str, n: int, day: datetime.date, rng: random.Random) -> None:
    args: dict[str, Any] = {"organization": org, "actor": None, "lead_id": lead.pk}
    if outcome == "contacting" or (outcome in ("qualified", "invalid", "converted") and n % 2 == 0):
        leads.lead_contact(**args)
    if outcome == "qualified" or (outcome == "converted" and n % 3 != 2):
        leads.lead_qualify(**args)
    if outcome == "invalid":
        leads.lead_invalidate(**args, reason=rng.choice(INVALID_REASONS))
    if outcome == "converted":
        data: dict[str, Any] = {"allow_duplicate": True}
        if n % 2 == 0:
            amount = rng.randrange(8, 120) * 1000
            data["opportunity"] = {
                "name": f"{lead.company[:12]}办公用品年度采购",
                "amount": f"{amount}.00",
                "expected_close_on": day + datetime.timedelta(days=rng.randrange(30, 90)),
            }
        # the rep who owns the lead converts it: the customer is created by them, as a rep's customers are
        leads.lead_convert(**{**args, "actor": lead.owner}, data=data)
