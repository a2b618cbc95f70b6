"""The delivery and sales-return API: role by role, create/get/list with filters, logistics PATCH, mark-signed,
costs hidden from those who may not see stock values, errors naming the field."""

from decimal import Decimal

import pytest
from django.utils import timezone
from tests import delivery_resources as dr

from suanpan.core.choices import Role
from suanpan.core.permissions import ROLE_PERMISSIONS, P
from suanpan.sales.models import Delivery, SalesReturn

from .test_deliveries import assert_clean, confirmed

pytestmark = pytest.mark.django_db
D = Decimal
ROLES = list(Role.values)


def grants(role, perm):
    return perm in ROLE_PERMISSIONS[role]


def status(allowed, ok):
    return ok if allowed else 403


@pytest.mark.parametrize("role", ROLES)
def test_api_follows_the_roles(role, org, api_as):
    client = api_as(role)
    delivery, document = dr.make_delivery(org), dr.make_return(org)
    view, deliver_goods = grants(role, P.VIEW_SALES), grants(role, P.DELIVER_GOODS)
    today = timezone.localdate().isoformat()
    assert client.get("/deliveries").status_code == status(view, 200)
    assert client.get(f"/deliveries/{delivery.pk}").status_code == status(view, 200)
    assert client.get("/sales-returns").status_code == status(view, 200)
    assert client.get(f"/sales-returns/{document.pk}").status_code == status(view, 200)
    assert client.post("/deliveries", dr.delivery_payload(org)).status_code == status(deliver_goods, 201)
    assert client.patch(f"/deliveries/{delivery.pk}", {"carrier": "顺丰"}).status_code == status(deliver_goods, 200)
    r = client.post(f"/deliveries/{delivery.pk}/mark-signed", {"date": today})
    assert r.status_code == status(deliver_goods, 200)
    assert client.post("/sales-returns", dr.return_payload(org)).status_code == status(deliver_goods, 201)
    assert Delivery.objects.count() == 3 + deliver_goods  # one, one under each return, one posted here
    assert SalesReturn.objects.count() == 1 + deliver_goods
    delivery.refresh_from_db()
    assert (delivery.carrier == "顺丰") == deliver_goods


def test_create_get_and_list(org, owner_api, api_as, customer, warehouse, make_product, stock):
    pen = make_product("PEN")
    stock(pen, warehouse, "10", "8.00")
    line = confirmed(org, customer, warehouse, (pen, "6")).lines.get()
    payload = {
        "date": "2026-11-05",
        "warehouse_id": warehouse.pk,
        "carrier": "顺丰速运",
        "tracking_number": "SF42",
        "lines": [{"order_line_id": line.pk, "quantity": "4"}],
    }
    r = owner_api.post("/deliveries", payload)
    assert r.status_code == 201, r.content
    body = r.json()
    assert (body["number"], body["total"], body["cost"], body["customer_id"]) == (
        "CK202611-0001",
        "90.40",
        "32.00",
        customer.pk,
    )
    assert body["voucher_id"]
    assert [(ln["order_line_id"], ln["quantity"], ln["cost"], ln["lot_number"]) for ln in body["lines"]] == [
        (line.pk, "4.0000", "32.00", "")
    ]
    delivery_id = body["id"]
    assert owner_api.get(f"/deliveries/{delivery_id}").json()["tracking_number"] == "SF42"
    rep_view = api_as("sales").get(f"/deliveries/{delivery_id}").json()
    assert rep_view["cost"] is None
    assert rep_view["lines"][0]["cost"] is None
    assert rep_view["total"] == "90.40"
    listed = owner_api.get("/deliveries", {"customer": customer.pk, "signed": "false"}).json()
    assert [d["id"] for d in listed["items"]] == [delivery_id]
    assert owner_api.get("/deliveries", {"signed": "true"}).json()["count"] == 0
    assert owner_api.get("/deliveries", {"q": "SF42"}).json()["count"] == 1

    patched = owner_api.patch(f"/deliveries/{delivery_id}", {"tracking_number": "SF43", "shipped_date": "2026-11-06"})
    assert patched.status_code == 200, patched.content
    assert (patched.json()["tracking_number"], patched.json()["carrier"], patched.json()["shipped_date"]) == (
        "SF43",
        "顺丰速运",  # not sent, not changed
        "2026-11-06",
    )
    cleared = owner_api.patch(f"/deliveries/{delivery_id}", {"shipped_date": None}).json()
    assert cleared["shipped_date"] is None
    signed = owner_api.post(f"/deliveries/{delivery_id}/mark-signed", {"date": "2026-11-07"})
    assert signed.status_code == 200
    assert signed.json()["signed_date"] == "2026-11-07"
    assert owner_api.get("/deliveries", {"signed": "true"}).json()["count"] == 1

    back = owner_api.post(
        "/sales-returns",
        {
            "delivery_id": delivery_id,
            "date": "2026-11-08",
            "reason": "退货",
            "lines": [{"delivery_line_id": body["lines"][0]["id"], "quantity": "1"}],
        },
    )
    assert back.status_code == 201, back.content
    assert (back.json()["number"], back.json()["cost"], back.json()["total"]) == ("XT202611-0001", "8.00", "22.60")
    assert owner_api.get("/sales-returns", {"customer": customer.pk}).json()["count"] == 1
    assert owner_api.get(f"/sales-returns/{back.json()['id']}").json()["lines"][0]["quantity"] == "1.0000"
    assert_clean(org)


def test_errors_name_the_field(org, other_org, owner_api, customer, warehouse, make_product, stock):
    pen = make_product("PEN")
    stock(pen, warehouse, "10", "8.00")
    line = confirmed(org, customer, warehouse, (pen, "6")).lines.get()
    base = {"date": "2026-11-05", "warehouse_id": warehouse.pk, "lines": [{"order_line_id": line.pk, "quantity": "7"}]}
    r = owner_api.post("/deliveries", base)
    assert r.status_code == 422
    assert [e["field"] for e in r.json()["errors"]] == ["lines.0.quantity"]
    r = owner_api.post("/deliveries", {**base, "lines": [{"order_line_id": line.pk, "quantity": "1.00001"}]})
    assert r.status_code == 422
    from suanpan.inventory.services import warehouse_create

    theirs = warehouse_create(organization=other_org, actor=None, data={"code": "X", "name": "别家仓"})
    r = owner_api.post(
        "/deliveries", {**base, "warehouse_id": theirs.pk, "lines": [{"order_line_id": line.pk, "quantity": "1"}]}
    )
    assert [e["field"] for e in r.json()["errors"]] == ["warehouse_id"]
    assert owner_api.get("/deliveries/999999").status_code == 404
    assert owner_api.patch("/deliveries/999999", {"carrier": "x"}).status_code == 404
    r = owner_api.post(
        "/sales-returns",
        {"delivery_id": 999999, "date": "2026-11-05", "lines": [{"delivery_line_id": 1, "quantity": "1"}]},
    )
    assert r.status_code == 422
    assert [e["field"] for e in r.json()["errors"]] == ["delivery_id"]
    assert not Delivery.objects.exists()
