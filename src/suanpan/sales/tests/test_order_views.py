"""The order and price list pages: entering an order with live availability and the customer's exposure, the
order page's actions and refusals (422 with the message on the page), lists with search and Excel, roles."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from tests.resources import xlsx_rows

from suanpan.core.audit import audit_history
from suanpan.core.choices import Role
from suanpan.core.permissions import ROLE_PERMISSIONS, P
from suanpan.inventory.models import StockLevel
from suanpan.partners.choices import PartnerRole
from suanpan.partners.services import partner_create, partner_update, tag_create
from suanpan.sales import orders, pricing
from suanpan.sales.choices import OrderStatus
from suanpan.sales.models import PriceList, SalesOrder
from suanpan.verify import verify_organization

from .conftest import DAY

pytestmark = pytest.mark.django_db
D = Decimal
ROLES = list(Role.values)


def level(product, warehouse):
    return StockLevel.objects.get(product=product, warehouse=warehouse)


def order_form(customer, warehouse, *lines, **header):
    form = {"customer_id": customer.pk, "warehouse_id": warehouse.pk, "date": DAY.isoformat(), **header}
    form["line_count"] = str(len(lines))
    for i, (product, quantity, extra) in enumerate(lines):
        form[f"lines-{i}-product"] = product.pk
        form[f"lines-{i}-quantity"] = quantity
        form.update({f"lines-{i}-{k}": v for k, v in extra.items()})
    return form


def make_order(org, customer, warehouse, *lines, actor=None):
    data = {"customer_id": customer.pk, "warehouse_id": warehouse.pk, "date": DAY}
    data["lines"] = [{"product_id": p.pk, "quantity": q} for p, q in lines]
    return orders.order_create(organization=org, actor=actor, data=data)


def set_customer(org, owner, customer, data, tags=None):
    partner_update(
        organization=org, actor=owner, role=PartnerRole.CUSTOMER, partner_id=customer.pk, data=data, tags=tags
    )


def clean(org):
    assert [r.differences for r in verify_organization(org) if r.differences] == []


def test_enter_confirm_unconfirm_and_cancel_an_order(
    org, owner, owner_client, customer, warehouse, make_product, stock
):
    pen, ink = make_product("PEN"), make_product("INK")
    stock(pen, warehouse, "10", "8.00")
    stock(ink, warehouse, "2", "5.00")
    c = owner_client
    assert c.get("/sales/orders/").status_code == 200
    page = c.get("/sales/orders/new/")
    assert page.status_code == 200
    assert customer.name in page.content.decode()

    bad = order_form(customer, warehouse, (pen, "0", {}), (ink, "2", {"unit_price": "1.1234567"}), discount="5")
    r = c.post("/sales/orders/new/", bad)
    assert r.status_code == 422
    html = r.content.decode()
    assert html.count("invalid-feedback d-block") >= 2  # beside the quantity of line 1 and the price of line 2
    assert "最多 6 位小数。" in html  # zh-Hans is the default
    assert not SalesOrder.objects.exists()

    good = order_form(
        customer, warehouse, (pen, "6", {"discount": "10"}), (ink, "2", {"unit_price": "7.5"}), discount="5"
    )
    r = c.post("/sales/orders/new/", good)
    assert r.status_code == 302, r.content.decode()[:3000]
    so = SalesOrder.objects.get()
    assert r["Location"] == f"/sales/orders/{so.pk}/"
    pen_line, ink_line = so.lines.order_by("seq")
    assert (pen_line.list_price, pen_line.unit_price, pen_line.amount) == (D("20.00"), D("17.100000"), D("102.60"))
    assert (ink_line.unit_price, ink_line.amount) == (D("7.125000"), D("14.25"))  # 7.5 × 0.95
    assert so.salesperson == owner  # the customer has no owner: the one who entered it

    detail = c.get(f"/sales/orders/{so.pk}/").content.decode()
    assert 'id="confirm"' in detail
    assert 'id="edit-order"' in detail
    assert c.get(f"/sales/orders/{so.pk}/edit/").status_code == 200

    r = c.post(f"/sales/orders/{so.pk}/confirm/")
    assert r.status_code == 302
    so.refresh_from_db()
    assert so.status == OrderStatus.CONFIRMED
    assert so.number == "SO202611-0001"
    assert level(pen, warehouse).reserved == D("6")
    detail = c.get(f"/sales/orders/{so.pk}/").content.decode()
    assert 'id="unconfirm"' in detail
    assert 'id="cancel"' in detail
    assert 'id="confirm"' not in detail
    assert 'id="edit-order"' not in detail

    r = c.post(f"/sales/orders/{so.pk}/edit/", good)
    assert r.status_code == 422  # a confirmed order is not edited: unconfirm first
    assert SalesOrder.objects.get().lines.count() == 2

    assert c.post(f"/sales/orders/{so.pk}/unconfirm/").status_code == 302
    so.refresh_from_db()
    assert (so.status, level(pen, warehouse).reserved) == (OrderStatus.DRAFT, D("0"))
    assert c.post(f"/sales/orders/{so.pk}/cancel/").status_code == 302
    so.refresh_from_db()
    assert so.status == OrderStatus.CANCELLED
    states = [e.changes.get("status") for e in audit_history(organization=org, obj=so) if "status" in e.changes]
    assert states == [["draft", "cancelled"], ["confirmed", "draft"], ["draft", "confirmed"]]  # newest first
    history = c.get(f"/sales/orders/{so.pk}/").content.decode()
    assert history.count("sp-ev-state") == 3
    assert c.post(f"/sales/orders/{so.pk}/unknown/").status_code == 404
    clean(org)


def test_a_refusal_is_shown_on_the_order_page(org, owner_client, customer, warehouse, make_product, stock):
    pen = make_product("PEN")
    stock(pen, warehouse, "5", "8.00")
    first = make_order(org, customer, warehouse, (pen, "4"))
    orders.order_confirm(organization=org, actor=None, order_id=first.pk)
    second = make_order(org, customer, warehouse, (pen, "3"))
    r = owner_client.post(f"/sales/orders/{second.pk}/confirm/")
    assert r.status_code == 422
    html = r.content.decode()
    assert 'id="action-refusal"' in html
    assert "PEN" in html
    assert 'id="confirm"' in html  # still a draft: the rep may change it and try again
    second.refresh_from_db()
    assert (second.status, second.number) == (OrderStatus.DRAFT, "")
    assert level(pen, warehouse).reserved == D("4")
    r = owner_client.post(f"/sales/orders/{first.pk}/close/")  # nothing delivered yet: cancel instead
    assert r.status_code == 422
    assert 'id="action-refusal"' in r.content.decode()
    clean(org)


def test_credit_limit_refusal_and_approval_on_the_page(org, owner, client_as, customer, warehouse, make_product, stock):
    pen = make_product("PEN")
    stock(pen, warehouse, "100", "8.00")
    set_customer(org, owner, customer, {"credit_limit": "100.00"})
    rep_client = client_as("sales")
    so = make_order(org, customer, warehouse, (pen, "5"))  # 113.00 with VAT
    page = rep_client.get(f"/sales/orders/{so.pk}/").content.decode()
    assert 'id="credit-check"' in page
    assert 'id="confirm-credit"' not in page  # a sales rep may not approve credit
    r = rep_client.post(f"/sales/orders/{so.pk}/confirm/", {"approve_credit": "1"})
    assert r.status_code == 422
    assert "113" in r.content.decode()
    assert 'id="confirm-credit"' not in r.content.decode()
    assert level(pen, warehouse).reserved == D("0")

    finance = client_as("finance")
    r = finance.post(f"/sales/orders/{so.pk}/confirm/")
    assert r.status_code == 403  # finance approves credit but does not enter orders
    boss = client_as("owner")
    r = boss.post(f"/sales/orders/{so.pk}/confirm/")
    assert r.status_code == 422
    assert 'id="confirm-credit"' in r.content.decode()
    r = boss.post(f"/sales/orders/{so.pk}/confirm/", {"approve_credit": "1"})
    assert r.status_code == 302
    so.refresh_from_db()
    assert so.status == OrderStatus.CONFIRMED
    assert so.credit_approved_by is not None
    assert 'id="credit-approved"' in boss.get(f"/sales/orders/{so.pk}/").content.decode()
    clean(org)


def test_line_info_shows_availability_and_the_list_price(
    org, owner, owner_client, customer, warehouse, make_product, stock
):
    pen, service = make_product("PEN"), make_product("SVC", stocked=False, sale_price="50.00")
    stock(pen, warehouse, "10", "8.00")
    reserved = make_order(org, customer, warehouse, (pen, "4"))
    orders.order_confirm(organization=org, actor=None, order_id=reserved.pk)
    vip = tag_create(organization=org, actor=None, data={"name": "VIP"})
    set_customer(org, owner, customer, {}, tags=[vip])
    pricing.price_list_create(
        organization=org,
        actor=None,
        data={
            "name": "VIP价",
            "tag_id": vip.pk,
            "items": [
                {"product_id": pen.pk, "min_quantity": "0", "unit_price": "19.00"},
                {"product_id": pen.pk, "min_quantity": "5", "unit_price": "18.00"},
            ],
        },
    )
    query = {
        "row": "2",
        "lines-2-product": pen.pk,
        "lines-2-warehouse": "",
        "lines-2-quantity": "7",
        "warehouse_id": warehouse.pk,
        "customer_id": customer.pk,
        "date": DAY.isoformat(),
    }
    r = owner_client.get("/sales/orders/line-info/", query, headers={"HX-Request": "true"})
    assert r.status_code == 200
    html = r.content.decode()
    assert 'data-available="6"' in html
    assert "sp-avail-short" in html  # 7 wanted, 6 available
    assert "18" in html  # the quantity break from 5
    assert "VIP价" in html
    html = owner_client.get("/sales/orders/line-info/", {**query, "lines-2-quantity": "2"}).content.decode()
    assert "sp-avail-short" not in html
    assert "19" in html
    html = owner_client.get("/sales/orders/line-info/", {**query, "lines-2-product": service.pk}).content.decode()
    assert "data-available" in html
    assert "sp-avail-short" not in html  # a service reserves nothing
    assert "50" in html
    assert "sp-avail" not in owner_client.get("/sales/orders/line-info/", {"row": "0"}).content.decode()
    nonsense = {"row": "x", "lines-x-product": "abc", "warehouse_id": "99999999999999999999", "customer_id": "-1"}
    assert owner_client.get("/sales/orders/line-info/", nonsense).status_code == 200


def test_add_a_line_and_the_exposure_partial(org, owner, owner_client, customer, warehouse, make_product):
    make_product("PEN")
    r = owner_client.get("/sales/orders/line/", {"line_count": "4"}, headers={"HX-Request": "true"})
    html = r.content.decode()
    assert 'name="lines-4-product"' in html
    assert 'id="line-count" value="5" hx-swap-oob="true"' in html
    set_customer(org, owner, customer, {"credit_limit": "5000.00"})
    html = owner_client.get("/sales/orders/exposure/", {"customer_id": customer.pk}).content.decode()
    assert 'id="exposure-limit"' in html
    assert "5,000.00" in html or "5000.00" in html
    assert 'id="exposure-available"' in html
    assert "exposure-figures" not in owner_client.get("/sales/orders/exposure/", {"customer_id": ""}).content.decode()


def test_list_search_filters_and_export(org, owner_client, customer, warehouse, make_product, stock):
    pen = make_product("PEN")
    stock(pen, warehouse, "10", "8.00")
    other = partner_create(organization=org, actor=None, role=PartnerRole.CUSTOMER, data={"name": "广州华南物流"})
    mine = make_order(org, customer, warehouse, (pen, "1"))
    orders.order_confirm(organization=org, actor=None, order_id=mine.pk)
    theirs = make_order(org, other, warehouse, (pen, "2"))

    def found(params):
        return [row["obj"].pk for row in owner_client.get("/sales/orders/", params).context["rows"]]

    assert set(found({})) == {mine.pk, theirs.pk}
    assert found({"q": "bjxh"}) == [mine.pk]  # pinyin initials of 北京星河
    assert found({"q": "SO202611"}) == [mine.pk]
    assert found({"status": "draft"}) == [theirs.pk]
    assert found({"customer": other.pk}) == [theirs.pk]
    assert found({"date_from": "2026-12-01"}) == []
    rows = xlsx_rows(owner_client.get("/sales/orders/", {"export": "xlsx"}).content)
    assert len(rows) == 3
    assert "SO202611-0001" in {str(v) for row in rows for v in row}


def test_price_list_pages(org, owner_client, make_product):
    pen = make_product("PEN")
    c = owner_client
    assert c.get("/sales/price-lists/").status_code == 200
    assert c.get("/sales/price-lists/new/").status_code == 200
    form = {
        "name": "批发价",
        "priority": "1",
        "is_active": "on",
        "valid_from": "2026-12-01",
        "valid_to": "2026-11-01",
        "line_count": "2",
        "lines-0-product": pen.pk,
        "lines-0-min_quantity": "10",
        "lines-0-unit_price": "18.5",
        "lines-1-product": pen.pk,
        "lines-1-min_quantity": "10",
        "lines-1-unit_price": "17",
    }
    r = c.post("/sales/price-lists/new/", form)
    assert r.status_code == 422
    html = r.content.decode()
    assert 'data-field="valid_to"' in html
    assert html.count("invalid-feedback d-block") >= 2  # and the second break repeats the first
    assert not PriceList.objects.exists()
    form.update({"valid_to": "", "lines-1-min_quantity": "50"})
    r = c.post("/sales/price-lists/new/", form)
    assert r.status_code == 302, r.content.decode()[:2000]
    price_list = PriceList.objects.get()
    assert [(i.min_quantity, i.unit_price) for i in price_list.items.order_by("min_quantity")] == [
        (D("10"), D("18.5")),
        (D("50"), D("17")),
    ]
    assert "18.5" in c.get(f"/sales/price-lists/{price_list.pk}/").content.decode()
    assert c.get(f"/sales/price-lists/{price_list.pk}/edit/").status_code == 200
    form.update({"name": "批发价2027", "line_count": "1"})
    assert c.post(f"/sales/price-lists/{price_list.pk}/edit/", form).status_code == 302
    price_list.refresh_from_db()
    assert (price_list.name, price_list.items.count()) == ("批发价2027", 1)
    rows = xlsx_rows(c.get("/sales/price-lists/", {"export": "xlsx"}).content)
    assert rows[1][0] == "批发价2027"
    assert c.post(f"/sales/price-lists/{price_list.pk}/delete/").status_code == 302
    assert not PriceList.objects.exists()


def grants(role, perm):
    return perm in ROLE_PERMISSIONS[role]


@pytest.mark.parametrize("role", ROLES)
def test_pages_follow_the_roles(role, org, client_as, customer, warehouse, make_product, stock):
    pen = make_product("PEN")
    stock(pen, warehouse, "100", "8.00")
    draft, confirmed = (
        make_order(org, customer, warehouse, (pen, "1")),
        make_order(org, customer, warehouse, (pen, "2")),
    )
    orders.order_confirm(organization=org, actor=None, order_id=confirmed.pk)
    price_list = pricing.price_list_create(organization=org, actor=None, data={"name": "零售价"})
    view, change, prices, receivable = (
        grants(role, p) for p in (P.VIEW_SALES, P.CHANGE_SALES, P.MANAGE_PRICES, P.VIEW_RECEIVABLE)
    )
    client = client_as(role)

    def status(allowed, ok=200):
        return ok if allowed else 403

    for page in (
        "/sales/orders/",
        f"/sales/orders/{draft.pk}/",
        "/sales/orders/line-info/",
        "/sales/price-lists/",
        f"/sales/price-lists/{price_list.pk}/",
    ):
        assert client.get(page).status_code == status(view), page
    for page in ("/sales/orders/new/", f"/sales/orders/{draft.pk}/edit/", "/sales/orders/line/"):
        assert client.get(page).status_code == status(change), page
    assert client.get("/sales/orders/exposure/").status_code == status(receivable)
    assert client.get("/sales/price-lists/new/").status_code == status(prices)
    assert client.get(f"/sales/price-lists/{price_list.pk}/edit/").status_code == status(prices)
    assert client.post(f"/sales/orders/{draft.pk}/confirm/").status_code == status(change, 302)
    assert client.post(f"/sales/orders/{confirmed.pk}/unconfirm/").status_code == status(change, 302)
    assert client.post(f"/sales/price-lists/{price_list.pk}/delete/").status_code == status(prices, 302)
    draft.refresh_from_db()
    confirmed.refresh_from_db()
    assert draft.status == ("confirmed" if change else "draft")
    assert confirmed.status == ("draft" if change else "confirmed")
    assert PriceList.objects.filter(pk=price_list.pk).exists() != prices
    html = client.get("/").content.decode()
    assert ('href="/sales/orders/"' in html) == view
    assert ('href="/sales/price-lists/"' in html) == view


def test_the_lists_read_a_fixed_number_of_queries(org, owner_client, customer, warehouse, make_product):
    pen = make_product("PEN")

    def queries(url):
        with CaptureQueriesContext(connection) as captured:
            assert owner_client.get(url).status_code == 200
        return len(captured)

    make_order(org, customer, warehouse, (pen, "1"))
    pricing.price_list_create(organization=org, actor=None, data={"name": "价1"})
    queries("/sales/orders/")  # the first request of a session reads a few things once
    few = queries("/sales/orders/"), queries("/sales/price-lists/")
    for n in range(5):
        make_order(org, customer, warehouse, (pen, "1"))
        pricing.price_list_create(organization=org, actor=None, data={"name": f"价{n + 2}"})
    assert (queries("/sales/orders/"), queries("/sales/price-lists/")) == few
