"""Contract API: entry, actions, multipart attachments, linked orders, progress; data scope and roles."""

import pytest
from tests import crm_cases_customers as cc

from suanpan.core import scopes
from suanpan.core.choices import Role
from suanpan.core.permissions import ROLE_PERMISSIONS, P
from suanpan.core.services import api_token_create
from suanpan.crm import contracts
from suanpan.crm.models import Contract, ContractAttachment

pytestmark = pytest.mark.django_db
ROLES = list(Role.values)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def grants(role, perm):
    return perm in ROLE_PERMISSIONS[role]


def upload(client, path, name="合同.pdf", content=b"%PDF-1.7"):
    return client.client.post(f"/api/v1{path}", {"file": cc.upload(name, content)}, headers=client.headers)


def test_a_contract_through_the_api(org, owner_api):
    r = owner_api.post("/contracts", cc.api_contract(org))
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["number"].startswith("HT-")
    assert body["status"] == "draft"
    assert [m["amount"] for m in body["milestones"]] == ["339.00", "791.00"]
    pk = body["id"]
    changed = owner_api._call("put", f"/contracts/{pk}", {**cc.api_contract(org), "title": "新标题"})
    assert changed.status_code == 200
    assert changed.json()["title"] == "新标题"
    order = cc.make_order(org, Contract.objects.get(pk=pk).customer)
    linked = owner_api.post(f"/contracts/{pk}/orders", {"order_id": order.pk})
    assert [o["id"] for o in linked.json()["orders"]] == [order.pk]
    again = owner_api.post(f"/contracts/{pk}/orders", {"order_id": order.pk})
    assert again.status_code == 200  # linking the same order twice changes nothing
    r = upload(owner_api, f"/contracts/{pk}/attachments")
    assert r.status_code == 201, r.content
    aid = r.json()["id"]
    download = owner_api.get(f"/contracts/{pk}/attachments/{aid}")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"%PDF-1.7"
    assert upload(owner_api, f"/contracts/{pk}/attachments", "a.bat", b"x").json()["errors"][0]["field"] == "file"
    assert owner_api.delete(f"/contracts/{pk}/attachments/{aid}").status_code == 204
    assert owner_api.post(f"/contracts/{pk}/activate", {}).json()["status"] == "active"
    progress = owner_api.get(f"/contracts/{pk}/progress").json()
    assert (progress["amount"], progress["invoiced"], progress["received"]) == ("1130.00", "0", "0")
    assert [m["name"] for m in progress["milestones"]] == ["预付款", "尾款"]
    unlinked = owner_api.delete(f"/contracts/{pk}/orders/{order.pk}")
    assert unlinked.json()["orders"] == []
    assert owner_api.post(f"/contracts/{pk}/complete", {}).json()["status"] == "completed"
    refused = owner_api.post(f"/contracts/{pk}/terminate", {"reason": "x"})
    assert refused.status_code == 409
    listed = owner_api.get("/contracts", {"status": "completed"}).json()
    assert [c["id"] for c in listed["items"]] == [pk]


def test_refusals_name_their_fields(org, owner_api):
    r = owner_api.post("/contracts", {**cc.api_contract(org), "customer_id": 10**9})
    assert r.status_code == 422
    assert [e["field"] for e in r.json()["errors"]] == ["customer_id"]
    pk = owner_api.post("/contracts", {**cc.api_contract(org), "milestones": []}).json()["id"]
    r = owner_api.post(f"/contracts/{pk}/activate", {})
    assert r.status_code == 409
    assert r.json()["errors"][0]["field"] == "milestones"
    r = owner_api.post(f"/contracts/{pk}/orders", {"order_id": cc.make_order(org, cc.customer(org, "别家")).pk})
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "order_id"
    r = upload(owner_api, f"/contracts/{pk}/attachments", "x.pdf", b"")
    assert (r.status_code, r.json()["errors"][0]["field"]) == (422, "file")
    r = owner_api.post(f"/contracts/{pk}/attachments", {})
    assert (r.status_code, r.json()["errors"][0]["field"]) == (422, "file")


def test_another_reps_contract_is_404(org, member):
    rep, other = member("sales"), member("sales")
    theirs = cc.make_contract(org, cc.customer(org, "他的客户", owner=other))
    attachment = cc.make_attachment(org, theirs)
    client = _api(org, rep)
    for method, path in (
        ("get", f"/contracts/{theirs.pk}"),
        ("get", f"/contracts/{theirs.pk}/progress"),
        ("get", f"/contracts/{theirs.pk}/attachments/{attachment.pk}"),
        ("post", f"/contracts/{theirs.pk}/activate"),
        ("delete", f"/contracts/{theirs.pk}/attachments/{attachment.pk}"),
    ):
        r = client._call(method, path, {} if method == "post" else None)
        assert r.status_code == 404, path
    assert client.get("/contracts").json()["count"] == 0
    assert ContractAttachment.objects.filter(pk=attachment.pk).exists()


def _api(org, user):
    from conftest import ApiClient

    return ApiClient(api_token_create(organization=org, actor=user, name="t")[1])


@pytest.mark.parametrize("role", ROLES)
def test_api_follows_the_roles(role, org, api_as, monkeypatch):
    monkeypatch.setattr(scopes, "OWN_SCOPE_ROLES", frozenset())
    view, change = grants(role, P.VIEW_CRM), grants(role, P.CHANGE_CRM)
    draft, to_terminate = cc.make_contract(org), cc.make_contract(org)
    attachment = cc.make_attachment(org, draft)
    order, linked = cc.make_order(org, draft.customer), cc.make_order(org, draft.customer)
    contracts.contract_order_link(organization=org, actor=None, contract_id=draft.pk, order_id=linked.pk)
    client = api_as(role)

    def status(allowed, ok=200):
        return ok if allowed else 403

    for path in (
        "/contracts",
        f"/contracts/{draft.pk}",
        f"/contracts/{draft.pk}/progress",
        f"/contracts/{draft.pk}/attachments/{attachment.pk}",
    ):
        assert client.get(path).status_code == status(view), path
    assert client.post("/contracts", cc.api_contract(org)).status_code == status(change, 201)
    assert client._call("put", f"/contracts/{draft.pk}", cc.api_contract(org)).status_code == status(change)
    assert upload(client, f"/contracts/{draft.pk}/attachments").status_code == status(change, 201)
    delete = client.delete(f"/contracts/{draft.pk}/attachments/{attachment.pk}")
    assert delete.status_code == status(change, 204)
    assert client.post(f"/contracts/{draft.pk}/orders", {"order_id": order.pk}).status_code == status(change)
    assert client.delete(f"/contracts/{draft.pk}/orders/{linked.pk}").status_code == status(change)
    assert client.post(f"/contracts/{draft.pk}/activate", {}).status_code == status(change)
    assert client.post(f"/contracts/{draft.pk}/complete", {}).status_code == status(change)
    assert client.post(f"/contracts/{to_terminate.pk}/terminate", {}).status_code == status(change)
    states = dict(Contract.objects.values_list("pk", "status"))
    assert states[draft.pk] == ("completed" if change else "draft")
    assert states[to_terminate.pk] == ("terminated" if change else "draft")
    assert set(draft.orders.values_list("pk", flat=True)) == ({order.pk} if change else {linked.pk})
