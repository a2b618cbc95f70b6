"""Funnel, lead conversion and leaderboard: numbers worked out by hand from the world of
`analytics_resources.funnel_world` (June 2026; stages S1 初步接洽 → S2 需求确认 → S3 方案报价 → S4 谈判 →
W 赢单 / L 输单).

    opp  owner amount  lead (channel)  path (June unless noted)                         now
    O1   rep1   1000   L1 (展会)        S1 1 → S2 3 → S3 8 → S4 10 → W 20                won
    O2   rep1   2000   L2 (展会)        S1 2 → S2 6 → L 9 (价格太高)                      lost
    O3   rep2   3000   —               S1 5 → S3 7 (skips S2)                            open in S3
    O4   rep2   4000   L3 (官网)        S1 10                                             open in S1
    O5   rep1    500   L4 (官网)        S1 11 → S2 12 → S1 14 → S2 15 → L 25 (价格太高)   lost
    O6   rep2    600   —               S1 20 → L 21 (no reason)                          lost
    O7   rep1   9999   —               S1 May 31: created before June, not counted
    O8   rep2    700   — (L8 points)   S1 Jul 1 → W Jul 2: created after June
    O9   rep2   5000   —               S1 May 15 → W Jun 28: not in June's funnel; won in June
"""

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model

from suanpan.core.exceptions import NotFound, PermissionRefused
from suanpan.core.models import Membership
from suanpan.crm.funnel import LossReason, funnel, funnel_opportunities, lead_conversion, leaderboard

from . import analytics_resources as res

pytestmark = pytest.mark.django_db
D = Decimal
JUNE = {"date_from": res.JUNE[0], "date_to": res.JUNE[1]}


@pytest.fixture
def reps(member):
    rep1, rep2 = member("sales"), member("sales")
    get_user_model().objects.filter(pk=rep1.pk).update(first_name="张伟")
    get_user_model().objects.filter(pk=rep2.pk).update(first_name="李娜")
    rep1.refresh_from_db()
    rep2.refresh_from_db()
    return rep1, rep2


@pytest.fixture
def world(org, reps):
    return res.funnel_world(org, *reps)


def table(rows):
    return [(r.name, r.count, r.amount, r.conversion, r.avg_days) for r in rows]


def test_funnel_worked_example(org, world):
    rows = funnel(organization=org, now=res.NOW, **JUNE)
    # Reached: S1 all six (1000+2000+3000+4000+500+600 = 11100); S2 O1 O2 O5 been there, O3 skipped it → 4, 6500;
    # S3 O1 O3 → 2, 4000; S4 O1 → 1000; W O1 → 1000; L O2 O5 O6 → 3100.
    # Conversion: 4/6 = 66.7 %, 2/4 = 50.0 %, 1/2 = 50.0 %, 1/1 = 100.0 %.
    # Days in S1: O1 2, O2 4, O3 2, O4 30 (Jun 10 → now Jul 10), O5 1 + 1, O6 1 → 41 / 6 = 6.83 → 6.8
    # Days in S2: O1 5, O2 3, O5 2 + 10 → 20 / 3 = 6.67 → 6.7; S3: O1 2, O3 33 (to now) → 35 / 2 = 17.5; S4: O1 10.
    assert table(rows) == [
        ("初步接洽", 6, D("11100"), D("66.7"), D("6.8")),
        ("需求确认", 4, D("6500"), D("50.0"), D("6.7")),
        ("方案报价", 2, D("4000"), D("50.0"), D("17.5")),
        ("谈判", 1, D("1000"), D("100.0"), D("10.0")),
        ("赢单", 1, D("1000"), None, None),
        ("输单", 3, D("3100"), None, None),
    ]
    assert rows[-1].reasons == (LossReason("价格太高", 2, D("2500")), LossReason("", 1, D("600")))
    assert [r.kind for r in rows] == ["open", "open", "open", "open", "won", "lost"]


def test_funnel_by_rep_and_by_channel(org, world, reps):
    rep1, _rep2 = reps
    mine = funnel(organization=org, now=res.NOW, owner_id=rep1.pk, **JUNE)
    # O1, O2, O5: S1 3 (3500), S2 3 (3500), S3 O1, S4 O1, W O1, L O2 O5 (2500); 3/3 = 100 %, 1/3 = 33.3 %
    # days S1: 2, 4, 2 → 8/3 = 2.7; S2: 5, 3, 12 → 20/3 = 6.7
    assert table(mine) == [
        ("初步接洽", 3, D("3500"), D("100.0"), D("2.7")),
        ("需求确认", 3, D("3500"), D("33.3"), D("6.7")),
        ("方案报价", 1, D("1000"), D("100.0"), D("2.0")),
        ("谈判", 1, D("1000"), D("100.0"), D("10.0")),
        ("赢单", 1, D("1000"), None, None),
        ("输单", 2, D("2500"), None, None),
    ]
    fair = funnel(organization=org, now=res.NOW, channel_id=world["channels"]["fair"].pk, **JUNE)
    assert [(r.count, r.amount) for r in fair] == [
        (2, D("3000")),
        (2, D("3000")),
        (1, D("1000")),
        (1, D("1000")),
        (1, D("1000")),
        (1, D("2000")),
    ]


def test_funnel_follows_the_data_scope(org, world, reps):
    rep1, _rep2 = reps
    Membership.objects.filter(organization=org, user=rep1).update(roles=["sales", "marketing"], data_scope="own")
    rows = funnel(organization=org, actor=rep1, now=res.NOW, **JUNE)
    assert [r.count for r in rows] == [3, 3, 1, 1, 1, 2]
    drill = funnel_opportunities(organization=org, actor=rep1, stage_id=world["stages"]["初步接洽"].pk, **JUNE)
    assert [o.number for o in drill] == ["O5", "O2", "O1"]


def test_drill_down_lists_the_opportunities_of_a_row(org, world, other_org):
    s = world["stages"]
    numbers = {
        name: [o.number for o in funnel_opportunities(organization=org, stage_id=s[name].pk, **JUNE)]
        for name in ("初步接洽", "需求确认", "方案报价", "谈判", "赢单", "输单")
    }
    assert numbers == {
        "初步接洽": ["O6", "O5", "O4", "O3", "O2", "O1"],
        "需求确认": ["O5", "O3", "O2", "O1"],
        "方案报价": ["O3", "O1"],
        "谈判": ["O1"],
        "赢单": ["O1"],
        "输单": ["O6", "O5", "O2"],
    }
    theirs = res.stages(other_org)["初步接洽"]
    with pytest.raises(NotFound):
        funnel_opportunities(organization=org, stage_id=theirs.pk, **JUNE)


def test_empty_period_has_zero_rows(org, world):
    rows = funnel(organization=org, date_from=datetime.date(2020, 1, 1), date_to=datetime.date(2020, 1, 31))
    assert [(r.count, r.amount, r.conversion, r.avg_days) for r in rows] == [(0, D("0"), None, None)] * 6


def test_lead_conversion_by_channel(org, world):
    rows = lead_conversion(organization=org, **JUNE)
    # 展会: L1 L2 L5 (L7 is May) → 3, converted L1 L2 → 66.7 %, won: O1 (via L1) 1000
    # 官网: L3 L4 L8 → 3, converted L4 L8 → 66.7 %, won: O8 (L8.opportunity) 700; O4 open, O5 lost
    # no channel: L6 → 1, 0, 0.0 %; the other channels: nothing
    got = [(r.name, r.leads, r.converted, r.rate, r.won_amount) for r in rows]
    assert got == [
        ("展会", 3, 2, D("66.7"), D("1000")),
        ("官网", 3, 2, D("66.7"), D("700")),
        ("客户介绍", 0, 0, None, D("0")),
        ("微信", 0, 0, None, D("0")),
        ("抖音", 0, 0, None, D("0")),
        ("电话", 0, 0, None, D("0")),
        ("其他", 0, 0, None, D("0")),
        ("", 1, 0, D("0.0"), D("0")),
    ]
    assert rows[0].channel_id == world["channels"]["fair"].pk
    assert rows[-1].channel_id is None


def test_leaderboard(org, world, reps, owner, member):
    rep1, rep2 = reps
    idle = member("sales")
    res.follow_up(org, owner, world["customers"]["W"], res.at(res.d("2026-06-03")))
    rows = leaderboard(organization=org, **JUNE)
    # follow-ups in June: rep1 3 (Jul 1 is out), rep2 1, the boss 1
    # new customers: rep1 X (created in June; also L1 and L4 converted into it) + Y (L2 converted) = 2;
    #   rep2 Z (created, L8) + W (created) = 2; V and L7 are May
    # won (closed in June): rep2 O9 5000; rep1 O1 1000; O8 closed in July
    got = [(r.user.pk, r.follow_ups, r.new_customers, r.won_count, r.won_amount) for r in rows]
    assert got == [
        (rep2.pk, 1, 2, 1, D("5000")),
        (rep1.pk, 3, 2, 1, D("1000")),
        (owner.pk, 1, 0, 0, D("0")),
        (idle.pk, 0, 0, 0, D("0")),
    ]
    assert rows[0].name == "李娜"


def test_reads_need_the_analytics_permission(org, world, member):
    rep = member("sales")
    for read in (funnel, lead_conversion, leaderboard):
        with pytest.raises(PermissionRefused):
            read(organization=org, actor=rep, **JUNE)
    marketing = member("marketing")
    assert len(leaderboard(organization=org, actor=marketing, **JUNE)) == 3  # rep1, rep2 and rep (sales role)
