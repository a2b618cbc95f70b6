"""The demo follow-ups: about 120 over 60 days by the customers' reps, "my day" filled for the rep "sales", four
customers in the pool, the CRM rules set; a second run changes nothing."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone
from tests.crm_cases_followups import make_customer_of, make_lead_row

from suanpan.crm import myday
from suanpan.crm.followup_demo import load_followups
from suanpan.crm.models import FollowUp, PoolEvent
from suanpan.crm.setup import crm_settings
from suanpan.partners.models import Partner

pytestmark = pytest.mark.django_db


def test_the_demo_follow_ups(org, member):
    users = {"sales": member("sales"), "sales2": member("sales")}
    for i in range(20):
        make_customer_of(org, users["sales"] if i % 2 else users["sales2"], f"演示客户{i:02d}")
    lead = make_lead_row(org, users["sales"])
    today = timezone.localdate()
    load_followups(org, users, today)
    rows = FollowUp.objects.filter(organization=org)
    assert 100 <= rows.count() <= 140
    assert rows.filter(happened_at__lt=timezone.now() - datetime.timedelta(days=50)).exists()
    assert not rows.filter(happened_at__gt=timezone.now()).exists()
    assert all(
        f.user_id == (f.customer or f.lead).owner_id or f.customer.owner_id is None  # type: ignore[union-attr]
        for f in rows.select_related("customer", "lead")
    )
    assert rows.filter(lead=lead).exists()
    day = myday.my_day(organization=org, actor=users["sales"], today=today)
    assert len(day.overdue) == 2
    assert len(day.due_today) == 3
    assert Partner.objects.filter(organization=org, is_customer=True, owner__isnull=True).count() == 4
    assert PoolEvent.objects.filter(organization=org, action="released").count() == 4
    settings = crm_settings(org)
    assert (settings.pool_return_days, settings.claim_limit) == (30, 50)
    count = rows.count()
    load_followups(org, users, today)
    assert FollowUp.objects.filter(organization=org).count() == count
