"""The opportunity area's API: stages, opportunities (with the move), quotes (workflow, order, PDF), the refusals
as 4xx naming the field, data scope (another rep's records are 404) and the roles."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone
from tests.crm_cases_opportunities import make_opportunity, make_quote, opp_customer, quote_payload, stage
from tests.sales_order_resources import _product

from suanpan.core.choices import Role
from suanpan.core.permissions import ROLE_PERMISSIONS, P
from suanpan.core.services import api_token_create
from suanpan.crm import opportunities as opps
from suanpan.crm.models import Opportunity, Quote, Stage
from suanpan.sales.models import SalesOrder

TODAY = timezone.localdate()


def api_for(org: Any, user: Any) -> Any:
    from conftest import ApiClient

    _token, secret = api_token_create(organization=org, actor=user, name="test")
    return ApiClient(secret)


@pytest.fixture
def rep(member: Any) -> Any:
    return member("sales")


@pytest.fixture
def rep_api(org: Any, rep: Any) -> Any:
    return api_for(org, rep)


@pytest.fixture
def customer(org: Any, rep: Any) -> Any:
    return opp_customer(org, rep, "北京星河科技有限公司")


def error_fields(r: Any) -> list[str | None]:
    return [e["field"] for e in r.json()["errors"]]


def test_stages_through_the_api(org, owner_api):
    listed = owner_api.get("/stages").json()
    assert [s["name"] for s in listed] == ["初步接洽", "需求确认", "方案报价", "谈判", "赢单", "输单"]
    r = owner_api.post("/stages", {"name": "样品", "probability": "40"})
    assert r.status_code == 201
    sample = r.json()
    assert (sample["kind"], Decimal(sample["probability"])) == ("open", Decimal("40"))
    assert owner_api.patch(f"/stages/{sample['id']}", {"probability": "45"}).json()["probability"] == "45.00"
    won = stage(org, "赢单")
    r = owner_api.patch(f"/stages/{won.pk}", {"is_active": False})
    assert r.status_code == 409
    assert error_fields(r) == ["is_active"]
    ids = [s["id"] for s in owner_api.get("/stages").json()]
    r = owner_api.post("/stages/reorder", {"stage_ids": list(reversed(ids))})
    assert [s["id"] for s in r.json()] == list(reversed(ids))
    assert owner_api.post("/stages/reorder", {"stage_ids": ids[:2]}).status_code == 422
    assert owner_api.delete(f"/stages/{sample['id']}").status_code == 204
    assert owner_api.post("/stages", {"name": "坏", "kind": "maybe"}).status_code == 422
    assert not Stage.objects.filter(pk=sample["id"]).exists()


def test_opportunities_through_the_api(org, rep, rep_api, customer):
    product = _product(org)
    r = rep_api.post(
        "/opportunities",
        {
            "name": "复印纸年框",
            "customer_id": customer.pk,
            "amount": "88000",
            "expected_close_on": "2026-12-31",
            "product_ids": [product.pk],
        },
    )
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["number"] == f"SJ-{TODAY:%Y%m}-0001"
    assert (body["owner_id"], body["stage_name"], body["product_ids"]) == (rep.pk, "初步接洽", [product.pk])
    assert len(body["stage_changes"]) == 1
    pk = body["id"]
    assert rep_api.patch(f"/opportunities/{pk}", {"probability": "35"}).json()["probability"] == "35.00"
    r = rep_api.post(f"/opportunities/{pk}/move", {"stage_id": stage(org, "输单").pk})
    assert r.status_code == 422
    assert error_fields(r) == ["loss_reason"]
    r = rep_api.post(f"/opportunities/{pk}/move", {"stage_id": stage(org, "输单").pk, "loss_reason": "预算取消"})
    body = r.json()
    assert (body["stage_kind"], body["loss_reason"], body["closed_on"]) == ("lost", "预算取消", TODAY.isoformat())
    assert len(body["stage_changes"]) == 2
    assert [o["id"] for o in rep_api.get("/opportunities", {"status": "lost"}).json()["items"]] == [pk]
    assert rep_api.get("/opportunities", {"status": "open"}).json()["count"] == 0
    assert rep_api.get("/opportunities", {"close_month": "2026-12"}).json()["count"] == 1
    assert rep_api.get("/opportunities", {"close_month": "bad"}).status_code == 422


def test_api_refusals_name_the_field(org, other_org, rep_api, customer, member):
    theirs = opp_customer(org, member("sales"), "别人的客户")
    foreign = opp_customer(other_org, None, "别家客户")
    for customer_id in (theirs.pk, foreign.pk):
        r = rep_api.post("/opportunities", {"name": "越权", "customer_id": customer_id})
        assert r.status_code == 422
        assert error_fields(r) == ["customer_id"]
    r = rep_api.post("/opportunities", {"name": "商机", "customer_id": customer.pk, "amount": "-1"})
    assert r.status_code == 422
    assert not Opportunity.objects.filter(organization=org).exists()


def test_another_reps_records_are_404_through_the_api(org, rep_api, member):
    other = member("sales")
    opp = make_opportunity(org, other)
    quote = make_quote(org, "accepted", other)
    assert rep_api.get(f"/opportunities/{opp.pk}").status_code == 404
    assert rep_api.patch(f"/opportunities/{opp.pk}", {"name": "抢"}).status_code == 404
    assert rep_api.post(f"/opportunities/{opp.pk}/move", {"stage_id": stage(org, "谈判").pk}).status_code == 404
    assert rep_api.get(f"/quotes/{quote.pk}").status_code == 404
    assert rep_api.get(f"/quotes/{quote.pk}/pdf").status_code == 404
    assert rep_api.post(f"/quotes/{quote.pk}/order", {}).status_code == 404
    assert rep_api.get("/opportunities").json()["count"] == 0
    assert rep_api.get("/quotes").json()["count"] == 0
    assert Opportunity.objects.get(pk=opp.pk).name == "年度办公用品采购"
    assert not SalesOrder.objects.filter(organization=org).exists()


def test_quotes_through_the_api_to_the_order(org, rep, rep_api, customer):
    opp = make_opportunity(org, rep, customer_id=customer.pk)
    payload = {**quote_payload(org, rep), "customer_id": customer.pk, "opportunity_id": opp.pk}
    r = rep_api.post("/quotes", payload)
    assert r.status_code == 201, r.content
    body = r.json()
    pk = body["id"]
    assert (body["number"], body["version"], body["status"]) == (f"BJ-{TODAY:%Y%m}-0001", 1, "draft")
    assert (body["total"], body["lines"][0]["discount"]) == ("214.70", "5.00")
    changed = {**payload, "lines": [{**payload["lines"][0], "quantity": "20"}]}
    assert rep_api._call("put", f"/quotes/{pk}", changed).json()["total"] == "429.40"
    assert rep_api.post(f"/quotes/{pk}/order", {}).status_code == 409
    assert rep_api.post(f"/quotes/{pk}/send", {}).json()["status"] == "sent"
    assert rep_api._call("put", f"/quotes/{pk}", changed).status_code == 409
    r = rep_api.post(f"/quotes/{pk}/revise", {})
    assert r.status_code == 201
    v2 = r.json()
    assert (v2["number"], v2["version"], v2["previous_id"]) == (body["number"], 2, pk)
    assert rep_api.post(f"/quotes/{pk}/accept", {}).status_code == 409  # superseded
    assert rep_api.post(f"/quotes/{v2['id']}/accept", {}).json()["status"] == "accepted"
    r = rep_api.post(f"/quotes/{v2['id']}/order", {})
    assert r.status_code == 201
    made = r.json()
    order = SalesOrder.objects.get(pk=made["sales_order_id"])
    assert made["total"] == "429.40"
    assert order.total == Decimal("429.40")
    assert rep_api.get(f"/quotes/{v2['id']}").json()["sales_order_id"] == order.pk
    assert rep_api.post(f"/quotes/{v2['id']}/order", {}).status_code == 409
    assert rep_api.get(f"/opportunities/{opp.pk}").json()["stage_kind"] == "won"
    assert [q["version"] for q in rep_api.get("/quotes", {"opportunity": opp.pk}).json()["items"]] == [2, 1]
    pdf = rep_api.get(f"/quotes/{v2['id']}/pdf")
    assert (pdf.status_code, pdf["Content-Type"]) == (200, "application/pdf")


def test_reject_takes_a_reason(org, rep, rep_api, customer):
    quote = make_quote(org, "sent", rep, customer_id=customer.pk)
    r = rep_api.post(f"/quotes/{quote.pk}/reject", {"reason": "选了别家"})
    assert r.json()["status"] == "rejected"
    assert rep_api.post(f"/quotes/{quote.pk}/reject", {}).status_code == 409


def grants(role: str, perm: str) -> bool:
    return perm in ROLE_PERMISSIONS[role]


@pytest.mark.parametrize("role", list(Role.values))
def test_api_follows_the_roles(role, org, member):
    user = member(role)
    customer = opp_customer(org, user, f"{role}的客户")
    opp = make_opportunity(org, user, customer_id=customer.pk)
    draft = make_quote(org, "draft", user, customer_id=customer.pk)
    sent = make_quote(org, "sent", user, customer_id=customer.pk)
    accepted = make_quote(org, "accepted", user, customer_id=customer.pk)
    extra = opps.stage_create(organization=org, actor=None, data={"name": "待删"})
    view, change, manage = (grants(role, p) for p in (P.VIEW_CRM, P.CHANGE_CRM, P.MANAGE_CRM))
    sells = change and grants(role, P.CHANGE_SALES)
    client = api_for(org, user)

    def status(allowed: bool, ok: int = 200) -> int:
        return ok if allowed else 403

    for path in ("/stages", "/opportunities", f"/opportunities/{opp.pk}", "/quotes", f"/quotes/{draft.pk}"):
        assert client.get(path).status_code == status(view), path
    assert client.get(f"/quotes/{draft.pk}/pdf").status_code == status(view)
    body = {"name": "新商机", "customer_id": customer.pk}
    assert client.post("/opportunities", body).status_code == status(change, 201)
    assert client.patch(f"/opportunities/{opp.pk}", {"amount": "1"}).status_code == status(change)
    assert client.post(f"/opportunities/{opp.pk}/move", {"stage_id": stage(org, "谈判").pk}).status_code == status(
        change
    )
    payload = {**quote_payload(org, user), "customer_id": customer.pk}
    assert client.post("/quotes", payload).status_code == status(change, 201)
    assert client._call("put", f"/quotes/{draft.pk}", payload).status_code == status(change)
    assert client.post(f"/quotes/{draft.pk}/send", {}).status_code == status(change)
    assert client.post(f"/quotes/{sent.pk}/accept", {}).status_code == status(change)
    assert client.post(f"/quotes/{sent.pk}/reject", {}).status_code == (409 if change else 403)
    assert client.post(f"/quotes/{draft.pk}/revise", {}).status_code == status(change, 201)
    assert client.post(f"/quotes/{accepted.pk}/order", {}).status_code == status(sells, 201)
    assert client.post("/stages", {"name": "新阶段"}).status_code == status(manage, 201)
    assert client.patch(f"/stages/{extra.pk}", {"probability": "5"}).status_code == status(manage)
    ids = [s.pk for s in opps.stage_list(organization=org)]
    assert client.post("/stages/reorder", {"stage_ids": ids}).status_code == status(manage)
    assert client.delete(f"/stages/{extra.pk}").status_code == status(manage, 204)

    states = dict(Quote.objects.filter(pk__in=[draft.pk, sent.pk, accepted.pk]).values_list("pk", "status"))
    assert states[draft.pk] == ("superseded" if change else "draft")
    assert states[sent.pk] == ("accepted" if change else "sent")
    assert states[accepted.pk] == ("ordered" if sells else "accepted")
    assert Opportunity.objects.get(pk=opp.pk).stage.name == ("谈判" if change else "初步接洽")
    assert Stage.objects.filter(pk=extra.pk).exists() != manage
