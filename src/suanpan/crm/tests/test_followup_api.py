"""The API of follow-ups, 'my day', the pool and the CRM settings: role by role, filters, refusals as 4xx, and the
data scope (another rep's customer is 404)."""

from __future__ import annotations

import datetime

import pytest
from conftest import ApiClient
from django.utils import timezone
from tests.crm_cases_followups import log, make_customer_of, make_lead_row, make_opportunity_row

from suanpan.core.choices import Role
from suanpan.core.permissions import ROLE_PERMISSIONS, P
from suanpan.core.services import api_token_create
from suanpan.crm.models import FollowUp
from suanpan.crm.setup import crm_settings
from suanpan.partners.models import Partner

pytestmark = pytest.mark.django_db

ROLES = list(Role.values)
TODAY = timezone.localdate()


def days(n: int) -> datetime.date:
    return TODAY + datetime.timedelta(days=n)


def grants(role: str, perm: str) -> bool:
    return perm in ROLE_PERMISSIONS[role]


def api_of(org, user) -> ApiClient:
    return ApiClient(api_token_create(organization=org, actor=user, name="test")[1])


@pytest.fixture
def rep(member):
    return member("sales")


@pytest.mark.parametrize("role", ROLES)
def test_api_follows_the_roles(role, org, member):
    user = member(role)
    customer = make_customer_of(org, user, "本人客户")
    waiting, spare = make_customer_of(org, name="公海甲"), make_customer_of(org, name="公海乙")
    step = log(org, None, customer, "系统记的", next_on=days(0))
    view, change, manage = (grants(role, p) for p in (P.VIEW_CRM, P.CHANGE_CRM, P.MANAGE_CRM))
    client = api_of(org, user)

    def status(allowed: bool, ok: int = 200) -> int:
        return ok if allowed else 403

    for path in ("/follow-ups", "/follow-ups/due", "/my-day", "/pool", f"/pool/{customer.pk}/history", "/crm-settings"):
        assert client.get(path).status_code == status(view), path
    created = client.post("/follow-ups", {"customer_id": customer.pk, "content": "接口记录"})
    assert created.status_code == status(change, 201)
    assert client.delete(f"/follow-ups/{step.pk}").status_code == status(change, 204)
    assert client.post(f"/pool/{waiting.pk}/claim", {}).status_code == status(change)
    assert client.post(f"/pool/{customer.pk}/release", {"reason": "测试"}).status_code == status(change)
    assigned = client.post("/pool/assign", {"customer_ids": [spare.pk], "owner_id": user.pk})
    assert assigned.status_code == status(manage)
    assert client._call("put", "/crm-settings", {"claim_limit": 7}).status_code == status(manage)

    assert FollowUp.objects.filter(content="接口记录").exists() == change
    assert FollowUp.objects.filter(pk=step.pk).exists() != change
    owners = dict(Partner.objects.values_list("pk", "owner_id"))
    assert (owners[waiting.pk] == user.pk) == change
    assert (owners[customer.pk] is None) == change
    assert (owners[spare.pk] == user.pk) == manage
    assert (crm_settings(org).claim_limit == 7) == manage


def test_follow_ups_through_the_api(org, rep):
    customer = make_customer_of(org, rep, "接口客户")
    lead = make_lead_row(org, rep)
    deal = make_opportunity_row(org, customer, rep)
    client = api_of(org, rep)
    body = {
        "customer_id": customer.pk,
        "kind": "meeting",
        "content": "开会确认需求",
        "next_on": days(1).isoformat(),
        "next_action": "出方案",
    }
    r = client.post("/follow-ups", body)
    assert r.status_code == 201, r.content
    out = r.json()
    assert (out["kind"], out["subject"], out["next_on"], out["user_id"]) == (
        "meeting",
        "接口客户",
        days(1).isoformat(),
        rep.pk,
    )
    assert client.post("/follow-ups", {"lead_id": lead.pk, "content": "电话"}).status_code == 201
    on_deal = client.post("/follow-ups", {"opportunity_id": deal.pk, "content": "谈", "next_on": days(0).isoformat()})
    assert on_deal.status_code == 201
    assert client.get("/follow-ups", {"customer": customer.pk}).json()["count"] == 2  # with its opportunity's
    assert client.get("/follow-ups", {"lead": lead.pk}).json()["count"] == 1
    assert client.get("/follow-ups", {"due": "today"}).json()["count"] == 1
    assert client.get("/follow-ups", {"kind": "meeting"}).json()["count"] == 1
    assert client.get("/follow-ups", {"user": rep.pk}).json()["count"] == 3
    assert [f["id"] for f in client.get("/follow-ups/due").json()["items"]] == [on_deal.json()["id"]]
    day = client.get("/my-day").json()
    assert day["today"] == TODAY.isoformat()
    assert [f["id"] for f in day["due_today"]] == [on_deal.json()["id"]]
    assert len(day["logged_today"]) == 3


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"content": "x", "next_on": "2000-01-01"}, 422, "next_on"),
        ({"content": "", "customer_id": 0}, 422, "content"),
        ({"content": "x", "kind": "fax"}, 422, "kind"),
        ({"content": "x", "lead_id": None}, 422, "subject"),
    ],
)
def test_bad_follow_ups_are_refused_naming_the_field(org, rep, body, status, field):
    customer = make_customer_of(org, rep)
    payload = {"customer_id": customer.pk, **body}
    if field == "subject":
        payload = {"content": "x"}
    r = api_of(org, rep).post("/follow-ups", payload)
    assert r.status_code == status, r.content
    assert field in {e["field"] for e in r.json()["errors"]}
    assert not FollowUp.objects.exists()


def test_a_rep_cannot_reach_another_reps_customer(org, rep, member):
    other = member("sales")
    theirs = make_customer_of(org, other)
    row = log(org, other, theirs, "别人的")
    client = api_of(org, rep)
    assert client.post("/follow-ups", {"customer_id": theirs.pk, "content": "x"}).status_code == 404
    assert client.get("/follow-ups", {"customer": theirs.pk}).json()["count"] == 0
    assert client.get("/follow-ups").json()["count"] == 0
    assert client.delete(f"/follow-ups/{row.pk}").status_code == 404
    assert client.post(f"/pool/{theirs.pk}/release", {"reason": "x"}).status_code == 404
    assert client.get(f"/pool/{theirs.pk}/history").status_code == 404
    assert client.post(f"/pool/{theirs.pk}/claim", {}).status_code == 409  # not in the pool (no name, no owner)
    assert Partner.objects.get(pk=theirs.pk).owner_id == other.pk
    assert FollowUp.objects.count() == 1


def test_the_pool_through_the_api(org, rep, owner, owner_api):
    crm_settings_put = owner_api._call("put", "/crm-settings", {"claim_limit": 1, "pool_return_days": 60})
    assert crm_settings_put.json()["claim_limit"] == 1
    first = make_customer_of(org, name="北京星河")
    second = make_customer_of(org, name="上海海纳")
    client = api_of(org, rep)
    assert {c["name"] for c in client.get("/pool").json()["items"]} == {"北京星河", "上海海纳"}
    assert [c["name"] for c in client.get("/pool", {"q": "bjxh"}).json()["items"]] == ["北京星河"]
    claimed = client.post(f"/pool/{first.pk}/claim", {})
    assert claimed.json()["owner_id"] == rep.pk
    limited = client.post(f"/pool/{second.pk}/claim", {})
    assert limited.status_code == 409
    assert limited.json()["errors"][0]["field"] == "claim_limit"
    assert client.post(f"/pool/{first.pk}/release", {"reason": ""}).status_code == 422
    assert client.post(f"/pool/{first.pk}/release", {"reason": "联系不上"}).json()["owner_id"] is None
    assigned = owner_api.post("/pool/assign", {"customer_ids": [first.pk, second.pk], "owner_id": rep.pk})
    assert assigned.json() == {"assigned": 2}
    bad = owner_api.post("/pool/assign", {"customer_ids": [first.pk], "owner_id": 99999999})
    assert bad.status_code == 422
    history = owner_api.get(f"/pool/{first.pk}/history").json()
    assert [e["action"] for e in history] == ["assigned", "released", "claimed"]
    assert owner_api._call("put", "/crm-settings", {"pool_return_days": 99999}).status_code == 422
    assert owner_api.get("/crm-settings").json()["pool_return_days"] == 60
