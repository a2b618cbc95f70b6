"""The sales order and price list API: the order's life through its actions, refusals as JSON naming the field
(nothing written), availability and the customer's exposure, price lists, and who may call what."""

from decimal import Decimal

import pytest

from suanpan.core.choices import Role
from suanpan.core.models import AuditEvent
from suanpan.core.permissions import ROLE_PERMISSIONS, P
from suanpan.inventory.models import StockLevel
from suanpan.inventory.services import warehouse_create
from suanpan.partners.choices import PartnerRole
from suanpan.partners.services import partner_create, tag_create
from suanpan.sales import orders, pricing
from suanpan.sales.models import PriceList, PriceListItem, SalesOrder, SalesOrderLine
from suanpan.verify import verify_organization

from .conftest import DAY

pytestmark = pytest.mark.django_db
D = Decimal
ROLES = list(Role.values)


def payload(customer, warehouse, *lines, **header):
    body = {"customer_id": customer.pk, "warehouse_id": warehouse.pk, "date": DAY.isoformat(), **header}
    body["lines"] = [{"product_id": p.pk, "quantity": q, **extra} for p, q, extra in lines]
    return body


def level(product, warehouse):
    return StockLevel.objects.get(product=product, warehouse=warehouse)


def written():
    return SalesOrder.objects.count(), SalesOrderLine.objects.count(), AuditEvent.objects.count()


def test_an_orders_life_through_the_api(org, owner_api, customer, warehouse, make_product, stock):
    pen, ink = make_product("PEN"), make_product("INK")
    stock(pen, warehouse, "10", "8.00")
    stock(ink, warehouse, "10", "5.00")
    body = payload(customer, warehouse, (pen, "3", {"discount": "10"}), (ink, "3", {"unit_price": "7.333333"}))
    r = owner_api.post("/sales-orders", {**body, "discount": "5", "contact": "张经理", "ship_to": "北京市海淀区"})
    assert r.status_code == 201, r.content
    created = r.json()
    assert (created["status"], created["number"], created["discount"]) == ("draft", "", "5.00")
    assert (created["amount"], created["tax"], created["total"]) == ("72.20", "9.39", "81.59")
    assert [ln["unit_price"] for ln in created["lines"]] == ["17.100000", "6.966666"]
    assert created["lines"][0]["discount"] == "10.00"
    assert created["customer_name"] == customer.name
    order_id = created["id"]

    r = owner_api._call("put", f"/sales-orders/{order_id}", payload(customer, warehouse, (pen, "6", {})))
    assert r.status_code == 200, r.content
    assert [ln["quantity"] for ln in r.json()["lines"]] == ["6.0000"]
    assert owner_api.get(f"/sales-orders/{order_id}").json()["total"] == "135.60"

    r = owner_api.post(f"/sales-orders/{order_id}/confirm", {})
    assert r.status_code == 200, r.content
    confirmed = r.json()
    assert (confirmed["status"], confirmed["number"]) == ("confirmed", "SO202611-0001")
    assert confirmed["lines"][0]["reserved_quantity"] == "6.0000"
    assert confirmed["confirmed_at"]
    availability = owner_api.get("/availability", {"product_id": pen.pk, "warehouse_id": warehouse.pk}).json()
    assert availability == {
        "product_id": pen.pk,
        "warehouse_id": warehouse.pk,
        "on_hand": "10.0000",
        "reserved": "6.0000",
        "available": "4.0000",
    }
    r = owner_api._call("put", f"/sales-orders/{order_id}", payload(customer, warehouse, (pen, "1", {})))
    assert r.status_code == 409
    assert r.json()["errors"][0]["field"] == "status"

    assert owner_api.post(f"/sales-orders/{order_id}/close", {}).status_code == 409  # nothing delivered
    r = owner_api.post(f"/sales-orders/{order_id}/unconfirm", {})
    assert r.json()["status"] == "draft"
    assert level(pen, warehouse).reserved == D("0")
    r = owner_api.post(f"/sales-orders/{order_id}/cancel", {})
    assert r.json()["status"] == "cancelled"
    assert owner_api.post(f"/sales-orders/{order_id}/confirm", {}).status_code == 409

    listed = owner_api.get("/sales-orders", {"q": "bjxh"}).json()
    assert [o["id"] for o in listed["items"]] == [order_id]
    assert owner_api.get("/sales-orders", {"status": "draft"}).json()["count"] == 0
    assert owner_api.get("/sales-orders", {"customer": customer.pk, "sort": "-total"}).json()["count"] == 1
    assert owner_api.get("/sales-orders", {"date_from": "2026-11-06"}).json()["count"] == 0
    assert [r.differences for r in verify_organization(org) if r.differences] == []


def test_confirm_is_refused_cleanly_when_stock_is_short(org, owner_api, customer, warehouse, make_product, stock):
    pen = make_product("PEN")
    stock(pen, warehouse, "5", "8.00")
    first = owner_api.post("/sales-orders", payload(customer, warehouse, (pen, "4", {}))).json()
    second = owner_api.post("/sales-orders", payload(customer, warehouse, (pen, "2", {}))).json()
    assert owner_api.post(f"/sales-orders/{first['id']}/confirm", {}).status_code == 200
    r = owner_api.post(f"/sales-orders/{second['id']}/confirm", {})  # approve_credit is false unless sent
    assert r.status_code == 409, r.content
    body = r.json()
    assert "PEN" in body["detail"]
    assert body["errors"] == [{"field": "lines", "message": body["detail"]}]
    assert SalesOrder.objects.get(pk=second["id"]).status == "draft"
    assert level(pen, warehouse).reserved == D("4")


def test_credit_approval_needs_the_permission(org, api_as, customer, warehouse, make_product, stock):
    pen = make_product("PEN")
    stock(pen, warehouse, "100", "8.00")
    customer.credit_limit = D("100.00")
    customer.save()
    rep, boss = api_as("sales"), api_as("owner")
    order_id = rep.post("/sales-orders", payload(customer, warehouse, (pen, "5", {}))).json()["id"]
    r = rep.post(f"/sales-orders/{order_id}/confirm", {"approve_credit": True})
    assert r.status_code == 409
    assert r.json()["errors"][0]["field"] == "credit"
    exposure = rep.get(f"/customers/{customer.pk}/exposure").json()
    assert exposure == {
        "customer_id": customer.pk,
        "credit_limit": "100.00",
        "receivable": "0.00",
        "overdue": "0",
        "on_order": "0",
        "exposure": "0.00",
        "available_credit": "100.00",
    }
    assert boss.post(f"/sales-orders/{order_id}/confirm", {"approve_credit": "yes"}).status_code == 422
    r = boss.post(f"/sales-orders/{order_id}/confirm", {"approve_credit": True})
    assert r.status_code == 200
    assert r.json()["credit_approved_by_id"] is not None
    exposure = rep.get(f"/customers/{customer.pk}/exposure").json()
    assert (exposure["on_order"], exposure["available_credit"]) == ("113.00", "-13.00")


BAD = [
    ({"lines": [{"quantity": "0"}]}, "lines.0.quantity"),
    ({"lines": [{"quantity": "-1"}]}, "lines.0.quantity"),
    ({"lines": [{"quantity": "1.00001"}]}, "lines.0.quantity"),
    ({"lines": [{"unit_price": "1.1234567"}]}, "lines.0.unit_price"),
    ({"lines": [{"discount": "100"}]}, "lines.0.discount"),
    ({"lines": [{"product_id": "1"}]}, "lines.0.product_id"),
    ({"lines": []}, "lines"),
    ({"date": "05/11/2026"}, "date"),
    ({"discount": "-1"}, "discount"),
    ({"salesperson_id": 10**30}, "salesperson_id"),
    ({"ship_to": "长" * 301}, "ship_to"),
]


@pytest.mark.parametrize(("change", "field"), BAD, ids=[f for _c, f in BAD])
def test_bad_input_is_refused_naming_the_field(org, owner_api, customer, warehouse, make_product, change, field):
    pen = make_product("PEN")
    body = payload(customer, warehouse, (pen, "1", {}))
    if "lines" in change:
        body["lines"] = [{**body["lines"][0], **row} for row in change["lines"]]
    else:
        body.update(change)
    before = written()
    r = owner_api.post("/sales-orders", body)
    assert r.status_code == 422, r.content
    assert field in {e["field"] for e in r.json()["errors"]}
    assert written() == before


def test_references_to_another_organization_are_refused(org, other_org, owner_api, customer, warehouse, make_product):
    pen = make_product("PEN")
    theirs_wh = warehouse_create(organization=other_org, actor=None, data={"code": "X1", "name": "别家仓"})
    theirs_customer = partner_create(
        organization=other_org, actor=None, role=PartnerRole.CUSTOMER, data={"name": "别家客户"}
    )
    before = written()
    for body, field in (
        (payload(customer, theirs_wh, (pen, "1", {})), "warehouse_id"),
        (payload(theirs_customer, warehouse, (pen, "1", {})), "customer_id"),
        (payload(customer, warehouse, (pen, "1", {"warehouse_id": theirs_wh.pk})), "lines.0.warehouse_id"),
    ):
        r = owner_api.post("/sales-orders", body)
        assert r.status_code == 422, r.content
        assert [e["field"] for e in r.json()["errors"]] == [field]
    assert written() == before
    r = owner_api.get("/availability", {"product_id": pen.pk, "warehouse_id": theirs_wh.pk})
    assert (r.status_code, r.json()["errors"][0]["field"]) == (422, "warehouse_id")
    assert owner_api.get(f"/customers/{theirs_customer.pk}/exposure").status_code == 404


def test_price_lists_through_the_api(org, owner_api, make_product, customer):
    pen = make_product("PEN")
    vip = tag_create(organization=org, actor=None, data={"name": "VIP"})
    body = {
        "name": "VIP价",
        "tag_id": vip.pk,
        "valid_from": "2026-11-01",
        "priority": 2,
        "items": [
            {"product_id": pen.pk, "unit_price": "19"},
            {"product_id": pen.pk, "min_quantity": "10", "unit_price": "18.5"},
        ],
    }
    r = owner_api.post("/price-lists", body)
    assert r.status_code == 201, r.content
    created = r.json()
    assert (created["tag_name"], created["valid_to"], created["is_active"]) == ("VIP", None, True)
    assert [(i["min_quantity"], i["unit_price"]) for i in created["items"]] == [
        ("0.0000", "19.000000"),
        ("10.0000", "18.500000"),
    ]
    list_id = created["id"]
    assert owner_api.get("/price-lists", {"q": "VIP"}).json()["count"] == 1
    assert owner_api.get("/price-lists", {"tag": vip.pk, "is_active": True}).json()["count"] == 1
    assert owner_api.get(f"/price-lists/{list_id}").json()["name"] == "VIP价"

    r = owner_api._call("put", f"/price-lists/{list_id}", {**body, "valid_to": "2026-10-01"})
    assert r.status_code == 422
    assert [e["field"] for e in r.json()["errors"]] == ["valid_to"]
    duplicate = {
        **body,
        "items": [{"product_id": pen.pk, "unit_price": "1"}, {"product_id": pen.pk, "unit_price": "2"}],
    }
    r = owner_api._call("put", f"/price-lists/{list_id}", duplicate)
    assert [e["field"] for e in r.json()["errors"]] == ["items.1.min_quantity"]
    r = owner_api._call(
        "put", f"/price-lists/{list_id}", {**body, "items": [{"product_id": pen.pk, "unit_price": "-1"}]}
    )
    assert r.status_code == 422
    assert PriceListItem.objects.filter(price_list_id=list_id).count() == 2

    r = owner_api._call("put", f"/price-lists/{list_id}", {**body, "tag_id": None, "is_active": False, "items": []})
    assert r.status_code == 200
    assert (r.json()["tag_id"], r.json()["is_active"], r.json()["items"]) == (None, False, [])
    assert owner_api.post("/price-lists", {**body, "name": "VIP价"}).status_code == 422  # the name is taken
    assert owner_api.delete(f"/price-lists/{list_id}").status_code == 204
    assert not PriceList.objects.exists()


def grants(role, perm):
    return perm in ROLE_PERMISSIONS[role]


@pytest.mark.parametrize("role", ROLES)
def test_api_follows_the_roles(role, org, api_as, customer, warehouse, make_product, stock):
    pen = make_product("PEN")
    stock(pen, warehouse, "100", "8.00")

    def make(quantity, confirm=False):
        data = {"customer_id": customer.pk, "warehouse_id": warehouse.pk, "date": DAY}
        data["lines"] = [{"product_id": pen.pk, "quantity": quantity}]
        so = orders.order_create(organization=org, actor=None, data=data)
        return orders.order_confirm(organization=org, actor=None, order_id=so.pk) if confirm else so

    draft, to_cancel, confirmed = make("1"), make("1"), make("2", confirm=True)
    price_list = pricing.price_list_create(organization=org, actor=None, data={"name": "零售价"})
    view, change, prices, receivable = (
        grants(role, p) for p in (P.VIEW_SALES, P.CHANGE_SALES, P.MANAGE_PRICES, P.VIEW_RECEIVABLE)
    )
    client = api_as(role)

    def status(allowed, ok=200):
        return ok if allowed else 403

    body = payload(customer, warehouse, (pen, "1", {}))
    assert client.get("/sales-orders").status_code == status(view)
    assert client.get(f"/sales-orders/{draft.pk}").status_code == status(view)
    assert client.get("/availability", {"product_id": pen.pk, "warehouse_id": warehouse.pk}).status_code == status(view)
    assert client.get("/price-lists").status_code == status(view)
    assert client.get(f"/price-lists/{price_list.pk}").status_code == status(view)
    assert client.get(f"/customers/{customer.pk}/exposure").status_code == status(receivable)
    assert client.post("/sales-orders", body).status_code == status(change, 201)
    assert client._call("put", f"/sales-orders/{draft.pk}", body).status_code == status(change)
    assert client.post(f"/sales-orders/{draft.pk}/confirm", {}).status_code == status(change)
    assert client.post(f"/sales-orders/{confirmed.pk}/unconfirm", {}).status_code == status(change)
    assert client.post(f"/sales-orders/{to_cancel.pk}/cancel", {}).status_code == status(change)
    assert client.post(f"/sales-orders/{draft.pk}/close", {}).status_code == (409 if change else 403)
    assert client.post("/price-lists", {"name": "新价"}).status_code == status(prices, 201)
    assert client._call("put", f"/price-lists/{price_list.pk}", {"name": "改名"}).status_code == status(prices)
    assert client.delete(f"/price-lists/{price_list.pk}").status_code == status(prices, 204)

    states = dict(SalesOrder.objects.values_list("pk", "status"))
    assert states[draft.pk] == ("confirmed" if change else "draft")
    assert states[confirmed.pk] == ("draft" if change else "confirmed")
    assert states[to_cancel.pk] == ("cancelled" if change else "draft")
    assert PriceList.objects.filter(pk=price_list.pk).exists() != prices
