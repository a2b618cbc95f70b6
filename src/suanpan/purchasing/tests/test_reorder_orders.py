"""Reorder suggestions turned into draft purchase orders (inventory's hooks as purchasing registers them): open
orders subtracted, one draft per supplier × warehouse, refusals, the page and the API."""

import datetime
from decimal import Decimal

import pytest
from tests.resources import make_supplier

from suanpan.catalog.services import product_update
from suanpan.core.exceptions import InvalidInput, PermissionRefused
from suanpan.inventory import reorder
from suanpan.inventory.choices import MoveKind
from suanpan.inventory.posting import MoveSpec
from suanpan.inventory.services import stock_post, warehouse_create
from suanpan.purchasing.models import PurchaseOrder
from suanpan.purchasing.services import purchase_order_create

pytestmark = pytest.mark.django_db
D = Decimal
DAY = datetime.date(2026, 11, 5)


@pytest.fixture
def store(org):
    return warehouse_create(organization=org, actor=None, data={"code": "ST01", "name": "南京路门店", "is_store": True})


def post(org, product, warehouse, quantity, kind=MoveKind.RECEIPT, unit_cost="5.00", day=DAY):
    spec = MoveSpec(product.pk, warehouse.pk, D(quantity), kind, unit_cost=D(unit_cost) if D(quantity) > 0 else None)
    return stock_post(organization=org, actor=None, date=day, moves=[spec])[0]


@pytest.fixture
def stock(org, warehouse, store, make_product):
    """pen: 4 in WH01, rule min 5 / max 20 → 16; ink: 12 at the store, default min 10; glue: default 3/8 → 8."""
    pen, ink, glue = make_product("P01"), make_product("P02"), make_product("P03")
    post(org, pen, warehouse, "4")
    post(org, ink, store, "12")
    product_update(organization=org, actor=None, pk=ink.pk, data={"min_stock": D("10")})
    product_update(organization=org, actor=None, pk=glue.pk, data={"min_stock": D("3"), "max_stock": D("8")})
    reorder.stock_rule_set(
        organization=org, actor=None, product_id=pen.pk, warehouse_id=warehouse.pk, min_stock="5", max_stock="20"
    )
    return pen, ink, glue


def test_open_purchase_orders_are_subtracted(org, stock, warehouse):
    """pen: a draft order of 10 → 20 − 4 − 10 = 6; the supplier of that order is suggested."""
    pen, _ink, _glue = stock
    supplier = make_supplier(org)
    purchase_order_create(
        organization=org,
        actor=None,
        data={
            "supplier_id": supplier.pk,
            "warehouse_id": warehouse.pk,
            "date": DAY,
            "lines": [{"product_id": pen.pk, "quantity": "10", "unit_price": "4.00"}],
        },
    )
    found = {s.product: s for s in reorder.reorder_suggestions(organization=org)}
    assert (found[pen].quantity, found[pen].on_order, found[pen].supplier) == (D("6"), D("10"), supplier)


def test_order_makes_one_draft_per_supplier_and_warehouse(org, stock, warehouse, store, member):
    pen, ink, glue = stock
    a, b = make_supplier(org, "甲供应商"), make_supplier(org, "乙供应商")
    buyer = member("purchasing")
    lines = [
        reorder.OrderLine(pen.pk, warehouse.pk, D("16"), a.pk),
        reorder.OrderLine(glue.pk, warehouse.pk, D("8"), a.pk),
        reorder.OrderLine(ink.pk, store.pk, D("5"), b.pk),
    ]
    orders = reorder.reorder_order(organization=org, actor=buyer, lines=lines)
    assert len(orders) == 2
    first = PurchaseOrder.objects.get(pk=orders[0].pk)
    assert (first.supplier, first.warehouse, first.status) == (a, warehouse, "draft")
    assert sorted((ln.product.code, ln.quantity) for ln in first.lines.all()) == [("P01", D("16")), ("P03", D("8"))]
    second = PurchaseOrder.objects.get(pk=orders[1].pk)
    assert (second.supplier, second.warehouse) == (b, store)
    assert reorder.reorder_suggestions(organization=org) == []  # everything is on order now


def test_order_refusals_write_nothing(org, stock, warehouse, member):
    pen, _ink, _glue = stock
    with pytest.raises(InvalidInput) as exc:
        reorder.reorder_order(
            organization=org, actor=member("purchasing"), lines=[reorder.OrderLine(pen.pk, warehouse.pk, D("3"), 0)]
        )
    assert exc.value.errors[0].field == "lines[0].supplier"
    with pytest.raises(PermissionRefused):
        reorder.reorder_order(
            organization=org,
            actor=member("sales"),
            lines=[reorder.OrderLine(pen.pk, warehouse.pk, D("3"), make_supplier(org).pk)],
        )
    assert not PurchaseOrder.objects.exists()


def test_api(org, stock, warehouse, owner_api):
    pen, _ink, glue = stock
    r = owner_api.get("/reorder/suggestions")
    assert [(s["product_id"], D(s["quantity"])) for s in r.json()] == [(pen.pk, D("16")), (glue.pk, D("8"))]
    r = owner_api._call(
        "put",
        "/reorder/levels",
        {"product_id": glue.pk, "warehouse_id": warehouse.pk, "min_stock": "1", "max_stock": "2"},
    )
    assert r.status_code == 200
    rule_id = r.json()["id"]
    r = owner_api._call(
        "put",
        "/reorder/levels",
        {"product_id": glue.pk, "warehouse_id": warehouse.pk, "min_stock": "3", "max_stock": "2"},
    )
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "max_stock"
    supplier = make_supplier(org)
    r = owner_api.post(
        "/reorder/orders",
        {"lines": [{"product_id": pen.pk, "warehouse_id": warehouse.pk, "quantity": "16", "supplier_id": supplier.pk}]},
    )
    assert r.status_code == 201
    assert PurchaseOrder.objects.get(pk=r.json()[0]["id"]).total > 0
    assert owner_api.delete(f"/reorder/levels/{rule_id}").status_code == 204


def test_reorder_page_orders(org, stock, warehouse, client_as):
    pen, _ink, _glue = stock
    client = client_as("purchasing")
    r = client.get("/inventory/reorder/")
    assert r.status_code == 200
    assert "商品P01" in r.content.decode()
    supplier = make_supplier(org)
    key = f"{pen.pk}:{warehouse.pk}"
    r = client.post("/inventory/reorder/", {"line": [key], f"quantity-{key}": "16", f"supplier-{key}": supplier.pk})
    assert r.status_code == 302
    assert PurchaseOrder.objects.get().lines.get().quantity == D("16")
    r = client.post("/inventory/reorder/", {"line": [key], f"quantity-{key}": "x", f"supplier-{key}": ""})
    assert r.status_code == 422
