"""The demo's opportunities and quotes: every stage used, history spread over the last 120 days in order, the
lost ones with reasons, quotes in each state with one second version and two sales orders; loaded once."""

from __future__ import annotations

from collections import Counter

from django.utils import timezone
from tests.crm_cases_opportunities import opp_customer
from tests.resources import owner_of
from tests.sales_order_resources import _product, _warehouse

from suanpan.crm.models import Opportunity, Quote, StageChange
from suanpan.crm.opportunity_demo import OPPORTUNITIES, load_opportunities
from suanpan.sales.models import SalesOrder
from suanpan.verify import verify_organization


def test_the_demo_fills_every_stage_with_history_and_quotes(org, member):
    reps = (member("sales"), member("sales"))
    for i, name in enumerate(("北京星河科技有限公司", "上海东方文具贸易有限公司", "广州天宇商贸有限公司")):
        opp_customer(org, reps[i % 2], name)
    _warehouse(org)
    _product(org)
    today = timezone.localdate()
    load_opportunities(org, {"owner": owner_of(org)}, today)

    opps = list(Opportunity.objects.filter(organization=org).select_related("stage"))
    assert len(opps) == len(OPPORTUNITIES) == 25
    by_stage = Counter(o.stage.name for o in opps)
    assert by_stage == {"赢单": 6, "输单": 5, "谈判": 4, "方案报价": 4, "需求确认": 3, "初步接洽": 3}
    assert all(o.loss_reason for o in opps if o.stage.name == "输单")
    assert all(o.closed_on for o in opps if o.stage.kind != "open")
    assert {o.owner for o in opps} <= set(reps)
    now = timezone.now()
    oldest = min(o.created_at for o in opps)
    assert (today - timezone.localdate(oldest)).days == 118
    for opp in opps:
        times = [c.entered_at for c in StageChange.objects.filter(opportunity=opp)]
        assert times == sorted(times)
        assert times[-1] <= now
        assert opp.stage_entered_at == times[-1]
    statuses = Counter(Quote.objects.filter(organization=org).values_list("status", flat=True))
    assert statuses == {"sent": 4, "draft": 2, "ordered": 2, "accepted": 1, "rejected": 1, "superseded": 1}
    assert Quote.objects.filter(organization=org, version=2).count() == 1
    assert SalesOrder.objects.filter(organization=org).count() == 2
    assert {r.check: r.differences for r in verify_organization(org) if r.differences} == {}

    load_opportunities(org, {}, today)
    assert Opportunity.objects.filter(organization=org).count() == 25
