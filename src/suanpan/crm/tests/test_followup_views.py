"""Pages of follow-ups, 'my day', the pool and the CRM settings: role by role, the HTMX panel and claim, the data
scope (another rep's customer is 404 and nothing is written). Pages speak Chinese by default: the assertions read
ids, numbers and data, not UI words."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.utils import timezone
from tests.crm_cases_followups import log, make_customer_of, make_lead_row

from suanpan.core.choices import Role
from suanpan.core.permissions import ROLE_PERMISSIONS, P
from suanpan.crm import followups, pool
from suanpan.crm.models import FollowUp, PoolEvent
from suanpan.crm.setup import crm_settings
from suanpan.partners.models import Partner

pytestmark = pytest.mark.django_db

ROLES = list(Role.values)
TODAY = timezone.localdate()
HTMX = {"HTTP_HX_REQUEST": "true"}


def days(n: int) -> datetime.date:
    return TODAY + datetime.timedelta(days=n)


def grants(role: str, perm: str) -> bool:
    return perm in ROLE_PERMISSIONS[role]


def client_of(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def rep(member):
    return member("sales")


@pytest.mark.parametrize("role", ROLES)
def test_pages_follow_the_roles(role, org, member):
    user = member(role)
    customer = make_customer_of(org, user, "本人客户")
    waiting = make_customer_of(org, name="公海客户")
    step = log(org, None, customer, "系统记的", next_on=days(0))
    view, change, manage = (grants(role, p) for p in (P.VIEW_CRM, P.CHANGE_CRM, P.MANAGE_CRM))
    client = client_of(user)

    def status(allowed: bool, ok: int = 200) -> int:
        return ok if allowed else 403

    for page in (
        "/crm/my-day/",
        "/crm/follow-ups/",
        f"/crm/follow-ups/panel/?customer={customer.pk}",
        "/crm/pool/",
        f"/crm/pool/{customer.pk}/history/",
    ):
        assert client.get(page).status_code == status(view), page
    assert client.get(f"/crm/follow-ups/new/?customer={customer.pk}").status_code == status(change)
    assert client.get(f"/crm/pool/{customer.pk}/release/").status_code == status(change)
    assert client.get("/crm/pool/assign/").status_code == status(manage)
    assert client.get("/crm/settings/").status_code == status(manage)
    posted = client.post("/crm/follow-ups/log/", {"customer": customer.pk, "kind": "call", "content": "打过电话"})
    assert posted.status_code == status(change, 302)
    assert client.post(f"/crm/follow-ups/{step.pk}/delete/").status_code == status(change, 302)
    assert client.post(f"/crm/pool/{waiting.pk}/claim/").status_code == status(change, 302)
    released = client.post(f"/crm/pool/{customer.pk}/release/", {"reason": "测试"})
    assert released.status_code == status(change, 302)
    assigned = client.post("/crm/pool/assign/", {"customer_ids": [waiting.pk], "owner_id": user.pk})
    assert assigned.status_code == status(manage, 302)
    saved = client.post(
        "/crm/settings/",
        {"pool_return_days": "45", "claim_limit": "9", "churn_multiple": "2.00", "contract_expiry_days": "30"},
    )
    assert saved.status_code == status(manage, 302)

    assert FollowUp.objects.filter(content="打过电话").exists() == change
    assert FollowUp.objects.filter(pk=step.pk).exists() != change
    assert (Partner.objects.get(pk=waiting.pk).owner_id == user.pk) == (change or manage)
    assert (Partner.objects.get(pk=customer.pk).owner_id is None) == change
    assert (crm_settings(org).claim_limit == 9) == manage


def test_a_rep_cannot_open_or_log_on_another_reps_customer(org, rep, member):
    other = member("sales")
    theirs = make_customer_of(org, other)
    their_lead = make_lead_row(org, other)
    their_row = log(org, other, theirs, "别人的跟进")
    client = client_of(rep)
    assert client.get(f"/crm/follow-ups/panel/?customer={theirs.pk}").status_code == 404
    assert client.get(f"/crm/follow-ups/panel/?lead={their_lead.pk}").status_code == 404
    assert client.get(f"/crm/follow-ups/new/?customer={theirs.pk}").status_code == 404
    assert client.post("/crm/follow-ups/log/", {"customer": theirs.pk, "content": "x"}).status_code == 404
    assert client.post(f"/crm/follow-ups/{their_row.pk}/delete/").status_code == 404
    assert client.get(f"/crm/pool/{theirs.pk}/history/").status_code == 404
    assert client.get(f"/crm/pool/{theirs.pk}/release/").status_code == 404
    assert client.get("/crm/follow-ups/panel/").status_code == 404  # no subject
    assert client.get("/crm/follow-ups/panel/?customer=abc").status_code == 404
    assert "别人的跟进" not in client.get("/crm/follow-ups/").content.decode()
    assert list(FollowUp.objects.values_list("pk", flat=True)) == [their_row.pk]


def test_the_panel_logs_a_follow_up_and_answers_itself(org, rep):
    customer = make_customer_of(org, rep, "面板客户")
    client = client_of(rep)
    panel = client.get(f"/crm/follow-ups/panel/?customer={customer.pk}", **HTMX)
    html = panel.content.decode()
    assert f'id="followup-panel-customer-{customer.pk}"' in html
    assert 'name="kind" value="visit"' in html
    assert 'enterkeyhint="enter"' in html
    assert f'data-date="{days(7).isoformat()}"' in html  # "next week"
    data = {
        "customer": customer.pk,
        "kind": "visit",
        "content": "上门看了样品",
        "next_on": days(3).isoformat(),
        "next_action": "报价",
    }
    answer = client.post("/crm/follow-ups/log/", data, **HTMX)
    assert answer.status_code == 200
    html = answer.content.decode()
    assert 'id="followup-saved"' in html
    assert "上门看了样品" in html
    assert 'id="followup-count">1<' in html
    row = FollowUp.objects.get()
    assert (row.kind, row.next_on, row.next_action, row.user_id) == ("visit", days(3), "报价", rep.pk)
    refused = client.post("/crm/follow-ups/log/", {**data, "next_on": days(-1).isoformat()}, **HTMX)
    assert refused.status_code == 200  # HTMX swaps 200s only: the errors show in the panel
    assert 'data-field="next_on"' in refused.content.decode()
    assert FollowUp.objects.count() == 1
    plain = client.post("/crm/follow-ups/log/", {**data, "content": ""})
    assert plain.status_code == 422
    assert 'data-field="content"' in plain.content.decode()
    deleted = client.post(f"/crm/follow-ups/{row.pk}/delete/", {"customer": customer.pk}, **HTMX)
    assert deleted.status_code == 200
    assert not FollowUp.objects.exists()


def test_the_phone_page_without_a_subject_offers_only_the_reps_customers(org, rep, member):
    mine = make_customer_of(org, rep, "我的甲")
    make_customer_of(org, member("sales"), "别人的乙")
    client = client_of(rep)
    html = client.get("/crm/follow-ups/new/").content.decode()
    assert "我的甲" in html
    assert "别人的乙" not in html
    assert client.post("/crm/follow-ups/new/", {"content": "x"}).status_code == 422
    done = client.post(
        "/crm/follow-ups/new/", {"customer": mine.pk, "content": "打过", "next": "https://evil.example/"}
    )
    assert done.status_code == 302
    assert done["Location"] == followups.subject_url("customer", mine.pk)  # a foreign `next` is ignored


def test_the_list_filters_open_steps(org, rep):
    customer = make_customer_of(org, rep)
    late = log(org, rep, customer, "逾期那条", happened_at=days(-3), next_on=days(-1))
    other = log(org, rep, make_customer_of(org, rep), "今天那条", next_on=days(0))
    client = client_of(rep)
    overdue = client.get("/crm/follow-ups/", {"due": "overdue"})
    assert [r["obj"] for r in overdue.context["rows"]] == [late]
    assert [r["obj"] for r in client.get("/crm/follow-ups/", {"due": "today"}).context["rows"]] == [other]
    assert client.get("/crm/follow-ups/", {"q": "逾期"}).context["page"].paginator.count == 1


def test_claiming_from_the_pool_page(org, rep, member):
    customer = make_customer_of(org, name="公海里的")
    first, second = client_of(rep), client_of(member("sales"))
    page = first.get("/crm/pool/").content.decode()
    assert f'id="pool-customer-{customer.pk}"' in page
    assert first.get("/crm/pool/", {"q": "没有这个"}, **HTMX).context["page"].paginator.count == 0
    won = first.post(f"/crm/pool/{customer.pk}/claim/", **HTMX)
    assert won.status_code == 200
    assert "data-claimed" in won.content.decode()
    lost = second.post(f"/crm/pool/{customer.pk}/claim/", **HTMX)
    assert "data-refusal" in lost.content.decode()
    assert Partner.objects.get(pk=customer.pk).owner_id == rep.pk
    assert PoolEvent.objects.count() == 1
    history = first.get(f"/crm/pool/{customer.pk}/history/").content.decode()
    assert 'data-action="claimed"' in history
    assert 'id="release-link"' in history


def test_release_and_reassign_pages(org, rep, owner, owner_client):
    customer = make_customer_of(org, rep, "要放回的")
    client = client_of(rep)
    assert client.post(f"/crm/pool/{customer.pk}/release/", {"reason": ""}).status_code == 422
    assert client.post(f"/crm/pool/{customer.pk}/release/", {"reason": "联系不上"}).status_code == 302
    assert Partner.objects.get(pk=customer.pk).owner_id is None
    page = owner_client.get("/crm/pool/assign/", {"owner": "pool"}).content.decode()
    assert f'value="{customer.pk}"' in page
    refused = owner_client.post("/crm/pool/assign/", {"customer_ids": [customer.pk]})
    assert refused.status_code == 422
    done = owner_client.post("/crm/pool/assign/", {"customer_ids": [customer.pk], "owner_id": rep.pk, "owner": "pool"})
    assert done.status_code == 302
    assert done["Location"] == "/crm/pool/assign/?owner=pool"
    assert Partner.objects.get(pk=customer.pk).owner_id == rep.pk
    assert [e.action for e in pool.pool_history(organization=org, actor=owner, customer_id=customer.pk)] == [
        "assigned",
        "released",
    ]


def test_the_settings_page_refuses_bad_values(org, owner_client):
    bad = owner_client.post(
        "/crm/settings/",
        {"pool_return_days": "9999", "claim_limit": "1", "churn_multiple": "2", "contract_expiry_days": "30"},
    )
    assert bad.status_code == 422
    assert 'data-field="pool_return_days"' in bad.content.decode()
    assert crm_settings(org).pool_return_days == 30
