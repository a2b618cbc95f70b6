"""The demo leads: about 40 over 90 days, across channels, provinces and reps, in every state; deterministic and
made once."""

import datetime
from collections import Counter

import pytest
from django.utils import timezone

from suanpan.crm.lead_demo import load_leads
from suanpan.crm.models import AssignmentRule, Lead
from suanpan.onboarding import organization_open

pytestmark = pytest.mark.django_db


def test_the_demo_leads(org, owner, member, make_user):
    today = timezone.localdate()
    users = {"owner": owner, "sales": member("sales"), "sales2": member("sales")}
    made = load_leads(org, users, today)
    assert 35 <= len(made) <= 45
    states = Counter(lead.status for lead in made)
    assert set(states) == {"new", "contacting", "qualified", "invalid", "converted"}
    assert all(lead.invalid_reason for lead in made if lead.status == "invalid")
    converted = [lead for lead in made if lead.status == "converted"]
    assert all(lead.customer_id and lead.converted_at for lead in converted)
    assert any(lead.opportunity_id for lead in converted)
    assert {lead.owner for lead in made} == {users["sales"], users["sales2"], None}
    assert len({lead.channel_id for lead in made}) >= 5
    assert len({lead.province for lead in made}) >= 15
    oldest = min(lead.created_at for lead in made)
    assert timezone.localdate(oldest) >= today - datetime.timedelta(days=90)
    assert (timezone.localdate(max(lead.created_at for lead in made)) - timezone.localdate(oldest)).days > 30
    numbers = [lead.number for lead in sorted(made, key=lambda lead: lead.created_at)]
    assert numbers == sorted(numbers)
    assert AssignmentRule.objects.filter(organization=org).count() == 2
    assert load_leads(org, users, today) == made  # made once

    again = organization_open(owner=make_user("boss2"), data={"name": "第二家"})
    from suanpan.core.services import membership_add

    solo = make_user("solo")
    membership_add(organization=again, actor=None, user=solo, roles=["owner"])
    second = load_leads(again, {"owner": solo}, today)
    assert [(x.company, x.status) for x in second] == [(x.company, x.status) for x in made]
    assert {lead.owner for lead in second} <= {solo, None}
    assert Lead.objects.filter(organization=again).count() == len(made)
