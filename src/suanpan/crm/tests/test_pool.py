"""The customer pool (公海): claiming within the limit, releasing, bulk reassignment, and the nightly return of
customers without follow-up (frozen clock: `today=`), each move recorded as a `PoolEvent`."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone
from tests.crm_cases_followups import log, make_customer_of, make_opportunity_row
from tests.resources import make_supplier

from suanpan.core.exceptions import DomainError, InvalidInput, NotFound, PermissionRefused
from suanpan.core.models import AuditEvent, Notification
from suanpan.crm import crm_settings_services, pool
from suanpan.crm.choices import PoolAction
from suanpan.crm.models import PoolEvent
from suanpan.crm.setup import crm_settings
from suanpan.partners.choices import PartnerRole
from suanpan.partners.models import Partner
from suanpan.partners.services import partner_update

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def days(n: int) -> datetime.date:
    return TODAY + datetime.timedelta(days=n)


def at(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, 0)))


@pytest.fixture
def rep(member):
    return member("sales")


@pytest.fixture
def rep2(member):
    return member("sales")


def settings(org, **data):
    return crm_settings_services.crm_settings_update(organization=org, actor=None, data=data)


def owner_id(customer):
    return Partner.objects.get(pk=customer.pk).owner_id


def events(customer):
    return list(
        PoolEvent.objects.filter(customer=customer).order_by("pk").values_list("action", "previous_owner", "new_owner")
    )


def test_every_crm_member_sees_the_pool(org, rep, member):
    waiting = make_customer_of(org, name="公海客户")
    make_customer_of(org, rep)
    make_supplier(org)
    assert list(pool.pool_list(organization=org, actor=rep)) == [waiting]
    assert list(pool.pool_list(organization=org, actor=member("service"))) == [waiting]
    with pytest.raises(PermissionRefused):
        pool.pool_list(organization=org, actor=member("warehouse"))


def test_a_rep_claims_a_customer_and_the_second_rep_is_refused(org, rep, rep2):
    customer = make_customer_of(org, name="抢手客户")
    claimed = pool.pool_claim(organization=org, actor=rep, customer_id=customer.pk)
    assert claimed.owner_id == rep.pk
    with pytest.raises(DomainError) as exc:
        pool.pool_claim(organization=org, actor=rep2, customer_id=customer.pk)
    assert exc.value.field == "owner"
    assert "another rep claimed it first" in exc.value.message
    with pytest.raises(DomainError, match="already yours"):
        pool.pool_claim(organization=org, actor=rep, customer_id=customer.pk)
    assert owner_id(customer) == rep.pk
    assert events(customer) == [(PoolAction.CLAIMED, None, rep.pk)]


def test_claiming_stops_at_the_claim_limit(org, rep):
    settings(org, claim_limit=2)
    make_customer_of(org, rep)
    make_customer_of(org, rep)
    customer = make_customer_of(org)
    with pytest.raises(DomainError) as exc:
        pool.pool_claim(organization=org, actor=rep, customer_id=customer.pk)
    assert exc.value.field == "claim_limit"
    assert exc.value.message == "You own 2 customers and the claim limit is 2 customers: release one first."
    assert owner_id(customer) is None
    assert events(customer) == []
    settings(org, claim_limit=0)  # no limit
    pool.pool_claim(organization=org, actor=rep, customer_id=customer.pk)
    assert owner_id(customer) == rep.pk


def test_claim_refusals(org, other_org, rep, member):
    customer = make_customer_of(org)
    with pytest.raises(PermissionRefused):
        pool.pool_claim(organization=org, actor=member("service"), customer_id=customer.pk)
    with pytest.raises(NotFound):
        pool.pool_claim(organization=org, actor=rep, customer_id=make_customer_of(other_org).pk)
    with pytest.raises(NotFound):
        pool.pool_claim(organization=org, actor=rep, customer_id=make_supplier(org).pk)
    with pytest.raises(NotFound):
        pool.pool_claim(organization=org, actor=rep, customer_id="x")
    Partner.objects.filter(pk=customer.pk).update(is_active=False)
    with pytest.raises(DomainError, match="inactive"):
        pool.pool_claim(organization=org, actor=rep, customer_id=customer.pk)
    assert not PoolEvent.objects.exists()


def test_a_rep_releases_their_customer_with_a_reason(org, rep, rep2, owner):
    customer = make_customer_of(org, rep)
    with pytest.raises(InvalidInput) as exc:
        pool.pool_release(organization=org, actor=rep, customer_id=customer.pk, reason=" ")
    assert exc.value.field == "reason"
    with pytest.raises(NotFound):
        pool.pool_release(organization=org, actor=rep2, customer_id=customer.pk, reason="不是我的")
    pool.pool_release(organization=org, actor=rep, customer_id=customer.pk, reason="客户倒闭")
    assert owner_id(customer) is None
    assert PoolEvent.objects.get(customer=customer).reason == "客户倒闭"
    assert not Notification.objects.filter(user=rep).exists()  # released by their own hand: no message
    with pytest.raises(DomainError, match="already in the pool"):
        pool.pool_release(organization=org, actor=rep, customer_id=customer.pk, reason="再放一次")
    with pytest.raises(DomainError, match="already in the pool"):
        pool.pool_release(organization=org, actor=owner, customer_id=customer.pk, reason="再放一次")


def test_a_manager_releases_a_reps_customer_and_the_rep_is_told(org, rep, owner, member):
    customer = make_customer_of(org, rep, "乙客户")
    marketing = member("marketing")  # changes the CRM but does not manage it, and sees every customer
    with pytest.raises(DomainError, match="Only the owner or a manager"):
        pool.pool_release(organization=org, actor=marketing, customer_id=customer.pk, reason="x")
    pool.pool_release(organization=org, actor=owner, customer_id=customer.pk, reason="长期不下单")
    note = Notification.objects.get(user=rep, kind=pool.RECLAIMED_KIND)
    assert note.title == "乙客户 was put back into the pool"
    assert note.body == "长期不下单"
    assert events(customer) == [(PoolAction.RELEASED, rep.pk, None)]


def test_a_manager_reassigns_customers_from_the_pool_and_from_another_rep(org, rep, rep2, owner):
    waiting = make_customer_of(org, name="池中客户")
    leaving = make_customer_of(org, rep, name="甲的客户")
    already = make_customer_of(org, rep2, name="乙的客户")
    count = pool.pool_assign(
        organization=org, actor=owner, customer_ids=[waiting.pk, leaving.pk, already.pk], owner_id=rep2.pk
    )
    assert count == 2
    assert {owner_id(c) for c in (waiting, leaving, already)} == {rep2.pk}
    assert events(waiting) == [(PoolAction.ASSIGNED, None, rep2.pk)]
    assert events(leaving) == [(PoolAction.ASSIGNED, rep.pk, rep2.pk)]
    assert events(already) == []
    told = Notification.objects.get(user=rep2, kind=pool.ASSIGNED_KIND)
    assert told.title == "2 customers were assigned to you"
    assert told.body == "池中客户、甲的客户"
    assert Notification.objects.get(user=rep, kind=pool.ASSIGNED_KIND).title == "1 of your customers was reassigned"


def test_reassignment_refusals(org, other_org, rep, owner):
    mine = make_customer_of(org, rep)
    with pytest.raises(PermissionRefused):
        pool.pool_assign(organization=org, actor=rep, customer_ids=[mine.pk], owner_id=rep.pk)
    with pytest.raises(InvalidInput) as exc:
        pool.pool_assign(organization=org, actor=owner, customer_ids=[mine.pk], owner_id=999999)
    assert exc.value.field == "owner_id"
    foreign = make_customer_of(other_org)
    with pytest.raises(InvalidInput) as exc:
        pool.pool_assign(organization=org, actor=owner, customer_ids=[mine.pk, foreign.pk], owner_id=owner.pk)
    assert exc.value.field == "customer_ids"
    assert str(foreign.pk) in exc.value.message
    with pytest.raises(InvalidInput) as exc:
        pool.pool_assign(organization=org, actor=owner, customer_ids=[], owner_id=owner.pk)
    assert exc.value.field == "customer_ids"
    assert owner_id(mine) == rep.pk
    assert not PoolEvent.objects.exists()


def test_pool_history_follows_the_scope(org, rep, rep2):
    customer = make_customer_of(org)
    pool.pool_claim(organization=org, actor=rep, customer_id=customer.pk)
    assert [e.action for e in pool.pool_history(organization=org, actor=rep, customer_id=customer.pk)] == ["claimed"]
    with pytest.raises(NotFound):
        pool.pool_history(organization=org, actor=rep2, customer_id=customer.pk)


# Return to the pool ----------------------------------------------------------------------------------------------


def test_a_customer_without_follow_up_returns_to_the_pool_after_n_days(org, rep, rep2):
    settings(org, pool_return_days=30)
    customer = make_customer_of(org, rep, "沉睡客户")
    Partner.objects.filter(pk=customer.pk).update(created_at=at(days(-90)))
    log(org, rep, customer, "上次联系", happened_at=days(-40))
    assert pool.pool_reclaim(organization=org, today=days(-10)) == 0  # 30 days after the follow-up: not yet
    assert owner_id(customer) == rep.pk
    assert pool.pool_reclaim(organization=org, today=days(-9)) == 1  # more than 30 days: back to the pool
    assert owner_id(customer) is None
    event = PoolEvent.objects.get(customer=customer)
    assert (event.action, event.previous_owner_id, event.actor_id) == (PoolAction.RECLAIMED, rep.pk, None)
    assert event.reason == "No follow-up for more than 30 days."
    note = Notification.objects.get(user=rep, kind=pool.RECLAIMED_KIND)
    assert note.title == "沉睡客户 returned to the pool"
    assert note.link == "/crm/pool/"
    assert pool.pool_reclaim(organization=org, today=days(-9)) == 0  # once
    assert not Notification.objects.filter(user=rep2).exists()


def test_activity_that_keeps_a_customer(org, rep):
    settings(org, pool_return_days=10)
    old = at(days(-100))
    by_deal = make_customer_of(org, rep, "有商机跟进")
    claimed = make_customer_of(org, name="刚认领")
    quiet = make_customer_of(org, rep, "无人跟进")
    inactive = make_customer_of(org, rep, "停用客户")
    Partner.objects.filter(pk__in=[by_deal.pk, claimed.pk, quiet.pk, inactive.pk]).update(created_at=old)
    Partner.objects.filter(pk=inactive.pk).update(is_active=False)
    log(org, rep, make_opportunity_row(org, by_deal, rep), "谈判", happened_at=days(-5))
    pool.pool_claim(organization=org, actor=rep, customer_id=claimed.pk)  # claimed today
    assert pool.pool_reclaim(organization=org, today=days(0)) == 1
    assert [c.name for c in Partner.objects.filter(owner__isnull=True, is_customer=True)] == ["无人跟进"]
    assert pool.pool_reclaim(organization=org, today=days(5)) == 0  # its opportunity's follow-up: 10 days before
    assert pool.pool_reclaim(organization=org, today=days(6)) == 1
    assert owner_id(by_deal) is None
    assert pool.pool_reclaim(organization=org, today=days(10)) == 0  # the claim: 10 days before
    assert pool.pool_reclaim(organization=org, today=days(11)) == 1
    assert owner_id(claimed) is None
    assert owner_id(inactive) == rep.pk


def test_a_hand_over_on_the_customer_form_counts_as_activity(org, rep, rep2, owner):
    """Changing the owner on the customer's own form (not through the pool) gives the new rep the full N days."""
    settings(org, pool_return_days=30)
    customer = make_customer_of(org, rep, "转交客户")
    Partner.objects.filter(pk=customer.pk).update(created_at=at(days(-90)))
    partner_update(
        organization=org, actor=owner, role=PartnerRole.CUSTOMER, partner_id=customer.pk, data={"owner": rep2}
    )
    AuditEvent.objects.filter(object_type="partners.partner", object_id=str(customer.pk)).update(
        created_at=at(days(-20))
    )
    assert pool.pool_reclaim(organization=org, today=days(0)) == 0
    assert owner_id(customer) == rep2.pk
    assert pool.pool_reclaim(organization=org, today=days(11)) == 1


def test_zero_days_turns_the_rule_off(org, rep):
    settings(org, pool_return_days=0)
    customer = make_customer_of(org, rep)
    Partner.objects.filter(pk=customer.pk).update(created_at=at(days(-1000)))
    assert pool.pool_reclaim(organization=org, today=days(0)) == 0
    assert owner_id(customer) == rep.pk


def test_customers_returning_soon(org, rep):
    settings(org, pool_return_days=30)
    soon = make_customer_of(org, rep, "快回公海")
    later = make_customer_of(org, rep, "还早")
    Partner.objects.filter(pk__in=[soon.pk, later.pk]).update(created_at=at(days(-60)))
    log(org, rep, soon, happened_at=days(-26))
    log(org, rep, later, happened_at=days(-20))
    rows = pool.customers_returning(organization=org, owner=rep, today=days(0), within_days=7)
    assert [(r.customer.name, r.return_on) for r in rows] == [("快回公海", days(5))]


# CRM settings ----------------------------------------------------------------------------------------------------


def test_crm_settings_are_changed_by_a_manager_within_bounds(org, rep, owner):
    with pytest.raises(PermissionRefused):
        crm_settings_services.crm_settings_update(organization=org, actor=rep, data={"claim_limit": 5})
    saved = crm_settings_services.crm_settings_update(
        organization=org, actor=owner, data={"claim_limit": 5, "pool_return_days": 45, "churn_multiple": "2.5"}
    )
    assert (saved.claim_limit, saved.pool_return_days, str(saved.churn_multiple)) == (5, 45, "2.50")
    with pytest.raises(InvalidInput) as exc:
        crm_settings_services.crm_settings_update(
            organization=org, actor=owner, data={"pool_return_days": 5000, "churn_multiple": "0.5"}
        )
    assert {e.field for e in exc.value.errors} == {"pool_return_days", "churn_multiple"}
    assert crm_settings(org).pool_return_days == 45
