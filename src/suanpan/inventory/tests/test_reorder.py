"""Reorder levels, suggestions by hand, draft purchase orders per supplier, and the below-minimum alerts."""

import datetime
from decimal import Decimal

import pytest
from django.core import mail

from suanpan.catalog.services import product_update
from suanpan.core.exceptions import InvalidInput, PermissionRefused
from suanpan.core.models import Notification
from suanpan.inventory import reorder, tasks
from suanpan.inventory.choices import MoveKind
from suanpan.inventory.models import StockRule
from suanpan.inventory.posting import MoveSpec
from suanpan.inventory.services import stock_post, warehouse_create

pytestmark = pytest.mark.django_db
D = Decimal
DAY = datetime.date(2026, 11, 5)


def post(org, product, warehouse, quantity, kind=MoveKind.RECEIPT, unit_cost="5.00", day=DAY):
    spec = MoveSpec(product.pk, warehouse.pk, D(quantity), kind, unit_cost=D(unit_cost) if D(quantity) > 0 else None)
    return stock_post(organization=org, actor=None, date=day, moves=[spec])[0]


def set_rule(org, product, warehouse, low, high, actor=None):
    return reorder.stock_rule_set(
        organization=org, actor=actor, product_id=product.pk, warehouse_id=warehouse.pk, min_stock=low, max_stock=high
    )


@pytest.fixture
def stock(org, warehouse, store, make_product):
    """pen: 4 in WH01, rule min 5 / max 20 → 20 − 4 = 16.
    ink: 12 at the store, product default min 10 (max 0 → up to the minimum): 12 ≥ 10 → nothing.
    glue: never stocked, product default min 3 / max 8 → applies in WH01 (first non-store warehouse): 8."""
    pen, ink, glue = make_product("P01"), make_product("P02"), make_product("P03")
    post(org, pen, warehouse, "4")
    post(org, ink, store, "12")
    product_update(organization=org, actor=None, pk=ink.pk, data={"min_stock": D("10")})
    product_update(organization=org, actor=None, pk=glue.pk, data={"min_stock": D("3"), "max_stock": D("8")})
    set_rule(org, pen, warehouse, "5", "20")
    return pen, ink, glue


def keyed(suggestions):
    return {(s.product.code, s.warehouse.code): (s.quantity, s.on_order) for s in suggestions}


def test_suggestions_by_hand(org, stock):
    assert keyed(reorder.reorder_suggestions(organization=org)) == {
        ("P01", "WH01"): (D("16"), D("0")),
        ("P03", "WH01"): (D("8"), D("0")),
    }


def test_ink_below_its_default_minimum(org, stock, store):
    _pen, ink, _glue = stock
    post(org, ink, store, "-3", MoveKind.DELIVERY)  # 9 < 10 → up to the minimum: 10 − 9 = 1
    assert keyed(reorder.reorder_suggestions(organization=org))[("P02", "ST01")] == (D("1"), D("0"))


def test_rule_set_and_refusals(org, other_org, stock, warehouse, member):
    pen, _ink, _glue = stock
    rule = set_rule(org, pen, warehouse, "6", "30", actor=member("warehouse"))
    assert (rule.min_stock, rule.max_stock) == (D("6"), D("30"))
    assert StockRule.objects.filter(organization=org).count() == 1  # changed, not added
    for low, high, field in (("5", "4", "max_stock"), ("-1", "4", "min_stock"), ("1.00001", "4", "min_stock")):
        with pytest.raises(InvalidInput) as exc:
            set_rule(org, pen, warehouse, low, high)
        assert exc.value.errors[0].field == field
    theirs = warehouse_create(organization=other_org, actor=None, data={"code": "X", "name": "别家"})
    with pytest.raises(InvalidInput) as exc:
        set_rule(org, pen, theirs, "1", "2")
    assert exc.value.errors[0].field == "warehouse"
    with pytest.raises(PermissionRefused):
        set_rule(org, pen, warehouse, "1", "2", actor=member("sales"))
    assert StockRule.objects.get(pk=rule.pk).min_stock == D("6")


def test_alerts_once_until_recovered(org, owner, stock, warehouse, member, django_capture_on_commit_callbacks):
    pen, _ink, _glue = stock
    buyer, keeper, seller = member("purchasing"), member("warehouse"), member("sales")
    buyer.email = "buyer@example.com"
    buyer.save()
    with django_capture_on_commit_callbacks(execute=True):
        tasks.reorder_alerts_task()
    alerts = Notification.objects.filter(organization=org, kind=reorder.ALERT_KIND)
    # pen and glue are below their minimum; owner, buyer and keeper may reorder, the seller may not
    assert sorted((n.user.username, n.key) for n in alerts.all()) == sorted(
        (u.username, f"{p.pk}:{warehouse.pk}") for u in (owner, buyer, keeper) for p in (pen, stock[2])
    )
    assert not alerts.filter(user=seller).exists()
    assert len(mail.outbox) == 2
    assert mail.outbox[0].to == ["buyer@example.com"]
    tasks.reorder_alerts_task()
    assert alerts.count() == 6  # once per item
    post(org, pen, warehouse, "10")  # 14 ≥ 5: recovered
    tasks.reorder_alerts_task()
    assert alerts.filter(key=f"{pen.pk}:{warehouse.pk}", resolved_at__isnull=False).count() == 3
    assert reorder.reorder_alerts(organization=org) == 0
    post(org, pen, warehouse, "-12", MoveKind.DELIVERY)  # 2 < 5 again
    tasks.reorder_alerts_task()
    assert alerts.filter(key=f"{pen.pk}:{warehouse.pk}").count() == 6
    assert alerts.count() == 9


# Pages and API ---------------------------------------------------------------------------------------------------


def test_rules_page(org, stock, warehouse, client_as):
    _pen, _ink, glue = stock
    client = client_as("warehouse")
    r = client.get("/inventory/reorder/")
    assert r.status_code == 200
    assert "商品P03" in r.content.decode()
    assert client.get("/inventory/reorder/levels/").status_code == 200
    r = client.post(
        "/inventory/reorder/levels/",
        {"product": glue.pk, "warehouse": warehouse.pk, "min_stock": "2", "max_stock": "9"},
    )
    assert r.status_code == 302
    assert StockRule.objects.get(product=glue).max_stock == D("9")
    r = client.post(
        "/inventory/reorder/levels/",
        {"product": glue.pk, "warehouse": warehouse.pk, "min_stock": "5", "max_stock": "1"},
    )
    assert r.status_code == 422
    assert StockRule.objects.get(product=glue).max_stock == D("9")
    rule = StockRule.objects.get(product=glue)
    assert client.post("/inventory/reorder/levels/", {"delete": rule.pk}).status_code == 302
    assert not StockRule.objects.filter(pk=rule.pk).exists()


def test_api_levels(org, stock, warehouse, owner_api):
    pen, _ink, glue = stock
    r = owner_api.get("/reorder/suggestions")
    assert [(s["product_id"], D(s["quantity"])) for s in r.json()] == [(pen.pk, D("16")), (glue.pk, D("8"))]
    body = {"product_id": glue.pk, "warehouse_id": warehouse.pk, "min_stock": "1", "max_stock": "2"}
    r = owner_api._call("put", "/reorder/levels", body)
    assert r.status_code == 200
    r = owner_api._call("put", "/reorder/levels", {**body, "min_stock": "3"})
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "max_stock"
    levels = {
        (lv["product_id"], D(lv["min_stock"]), D(lv["max_stock"])) for lv in owner_api.get("/reorder/levels").json()
    }
    assert (glue.pk, D("1"), D("2")) in levels


@pytest.mark.parametrize(("role", "ok"), [("purchasing", True), ("warehouse", True), ("sales", False)])
def test_pages_follow_the_roles(role, ok, client_as, api_as):
    expected = 200 if ok else 403
    client = client_as(role)
    assert client.get("/inventory/reorder/").status_code == expected
    assert client.get("/inventory/reorder/levels/").status_code == expected
    api = api_as(role)
    assert api.get("/reorder/suggestions").status_code == expected
    assert api.get("/reorder/levels").status_code == expected


def test_another_organizations_rule_is_404(org, other_org, stock, owner_client, owner_api, make_product):
    theirs_wh = warehouse_create(organization=other_org, actor=None, data={"code": "X", "name": "别家"})
    from suanpan.catalog.models import Unit, VatRate
    from suanpan.catalog.services import product_create

    product = product_create(
        organization=other_org,
        actor=None,
        data={
            "code": "T1",
            "name": "别家商品",
            "unit": Unit.objects.filter(organization=other_org).first(),
            "vat_rate": VatRate.objects.filter(organization=other_org).first(),
        },
    )
    theirs = set_rule(other_org, product, theirs_wh, "1", "2")
    assert owner_client.post("/inventory/reorder/levels/", {"delete": theirs.pk}).status_code == 404
    assert owner_api.delete(f"/reorder/levels/{theirs.pk}").status_code == 404
    assert StockRule.objects.filter(pk=theirs.pk).exists()


# The inbox -------------------------------------------------------------------------------------------------------


def test_inbox_pages_and_api(org, other_org, owner, stock, owner_client, owner_api, client_as):
    other = client_as("warehouse")
    tasks.reorder_alerts_task()
    mine = Notification.objects.filter(organization=org, user=owner)
    assert mine.count() == 2
    assert owner_client.get("/notifications/").status_code == 200
    assert "1" in owner_client.get("/notifications/count/").content.decode()
    first = mine.first()
    r = owner_client.post(f"/notifications/{first.pk}/")
    assert r.status_code == 302
    assert r["Location"] == "/inventory/reorder/"
    assert Notification.objects.get(pk=first.pk).read_at is not None
    api_rows = owner_api.get("/notifications").json()
    assert len(api_rows) == 2
    second = mine.exclude(pk=first.pk).get()
    assert owner_api.post(f"/notifications/{second.pk}/read", {}).status_code == 200
    assert owner_api.post("/notifications/read-all", {}).json() == {"unread": 0}
    # someone else's notification (same organization) and another organization's are not found
    keeper_row = Notification.objects.filter(organization=org).exclude(user=owner).first()
    assert owner_client.post(f"/notifications/{keeper_row.pk}/").status_code == 404
    assert owner_api.post(f"/notifications/{keeper_row.pk}/read", {}).status_code == 404
    assert other.get("/notifications/").status_code == 200
    assert Notification.objects.get(pk=keeper_row.pk).read_at is None
