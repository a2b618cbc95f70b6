"""Pages of deliveries and sales returns: role by role against the matrix, the new-delivery form from an order
(FEFO by default), errors at the line, logistics and signing, the delivery note, the return form, the lists."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone
from tests import delivery_resources as dr

from suanpan.core.choices import Role
from suanpan.core.permissions import ROLE_PERMISSIONS, P
from suanpan.inventory.models import Lot, StockLevel
from suanpan.sales.models import Delivery, SalesReturn

from .test_deliveries import assert_clean, confirmed, deliver

pytestmark = pytest.mark.django_db
D = Decimal
ROLES = list(Role.values)


def grants(role, perm):
    return perm in ROLE_PERMISSIONS[role]


def status(allowed, ok):
    return ok if allowed else 403


def test_business_expectations():
    """The warehouse delivers and takes returns; reps and finance see deliveries but move no goods."""
    assert grants(Role.WAREHOUSE, P.DELIVER_GOODS)
    for role in (Role.SALES, Role.FINANCE, Role.SERVICE):
        assert grants(role, P.VIEW_SALES)
        assert not grants(role, P.DELIVER_GOODS)
    assert not grants(Role.PURCHASING, P.VIEW_SALES)


@pytest.mark.parametrize("role", ROLES)
def test_pages_follow_the_roles(role, org, client_as):
    client = client_as(role)
    delivery, document = dr.make_delivery(org), dr.make_return(org)
    order = dr.make_order(org)
    view, deliver_goods = grants(role, P.VIEW_SALES), grants(role, P.DELIVER_GOODS)
    for page in (
        "/sales/deliveries/",
        f"/sales/deliveries/{delivery.pk}/",
        f"/sales/deliveries/{delivery.pk}/print/",
        "/sales/returns/",
        f"/sales/returns/{document.pk}/",
    ):
        assert client.get(page).status_code == status(view, 200), page
    assert client.get(f"/sales/deliveries/new/?order={order.pk}").status_code == status(deliver_goods, 200)
    assert client.get(f"/sales/deliveries/{delivery.pk}/return/").status_code == status(deliver_goods, 200)
    r = client.post(f"/sales/deliveries/{delivery.pk}/logistics/", {"carrier": "顺丰", "tracking_number": "SF1"})
    assert r.status_code == status(deliver_goods, 302)
    today = timezone.localdate().isoformat()
    assert client.post(f"/sales/deliveries/{delivery.pk}/sign/", {"signed_date": today}).status_code == status(
        deliver_goods, 302
    )
    assert client.post("/sales/deliveries/new/", dr.delivery_form(org)).status_code == status(deliver_goods, 302)
    delivery.refresh_from_db()
    assert (delivery.carrier == "顺丰") == deliver_goods
    assert (delivery.signed_date is not None) == deliver_goods
    assert Delivery.objects.count() == 2 + deliver_goods


def test_new_delivery_from_an_order(org, owner_client, customer, warehouse, make_product, stock):
    pen, ink = make_product("PEN"), make_product("INK")
    stock(pen, warehouse, "20", "8.00")
    stock(ink, warehouse, "5", "30.00")
    order = confirmed(org, customer, warehouse, (pen, "6"), (ink, "2", "50.00"))
    other = confirmed(org, customer, warehouse, (pen, "3"))
    page = owner_client.get(f"/sales/deliveries/new/?order={order.pk}")
    html = page.content.decode()
    assert page.status_code == 200
    assert customer.name in html
    assert html.count('name="lines-') >= 6  # three open lines: id and quantity each
    assert 'value="6"' in html  # the order's lines are filled with their open quantity
    rows = page.context["lines"]
    assert [(r["line"].order_id, r["quantity"]) for r in rows] == [(order.pk, "6"), (order.pk, "2"), (other.pk, "")]
    form = {
        "date": "2026-11-05",
        "warehouse_id": warehouse.pk,
        "carrier": "德邦物流",
        "line_count": "3",
        **{f"lines-{r['i']}-order_line_id": r["line"].pk for r in rows},
        "lines-0-quantity": "4",
        "lines-1-quantity": "2",
        "lines-2-quantity": "",
    }
    r = owner_client.post("/sales/deliveries/new/", form)
    assert r.status_code == 302
    delivery = Delivery.objects.get()
    assert r["Location"] == f"/sales/deliveries/{delivery.pk}/"
    assert (delivery.total, delivery.cost, delivery.carrier) == (D("203.40"), D("92.00"), "德邦物流")
    detail = owner_client.get(r["Location"]).content.decode()
    assert delivery.number in detail
    assert "92.00" in detail  # the owner sees the cost
    assert delivery.voucher.display_number in detail
    assert_clean(org)


def test_errors_show_at_the_line_and_nothing_is_posted(org, owner_client, customer, warehouse, make_product, stock):
    pen = make_product("PEN")
    stock(pen, warehouse, "20", "8.00")
    line = confirmed(org, customer, warehouse, (pen, "6")).lines.get()
    form = {
        "date": "2026-11-05",
        "warehouse_id": warehouse.pk,
        "customer": customer.pk,
        "line_count": "1",
        "lines-0-order_line_id": line.pk,
        "lines-0-quantity": "7",
    }
    r = owner_client.post("/sales/deliveries/new/", form)
    assert r.status_code == 422
    assert r.context["lines"][0]["errors"]["quantity"]
    assert 'value="7"' in r.content.decode()  # what was typed stays
    r = owner_client.post("/sales/deliveries/new/", {**form, "lines-0-quantity": ""})
    assert r.status_code == 422
    assert r.context["errors"]
    assert not Delivery.objects.exists()


def test_batch_lines_default_to_first_expiry_first_out(org, owner_client, customer, warehouse, make_product, stock):
    milk = make_product("MILK", batch=True)
    late = Lot.objects.create(organization=org, product=milk, number="LATE", expiry_date=datetime.date(2027, 6, 1))
    soon = Lot.objects.create(organization=org, product=milk, number="SOON", expiry_date=datetime.date(2027, 1, 1))
    stock(milk, warehouse, "5", "10.00", lot_id=late.pk)
    stock(milk, warehouse, "2", "10.00", lot_id=soon.pk)
    line = confirmed(org, customer, warehouse, (milk, "3")).lines.get()
    page = owner_client.get(f"/sales/deliveries/new/?customer={customer.pk}")
    row = page.context["lines"][0]
    assert [(s.lot.number, s.quantity) for s in row["fefo"]] == [("SOON", D("2")), ("LATE", D("1"))]
    assert [s.lot.number for s in row["lots"]] == ["SOON", "LATE"]
    html = page.content.decode()
    assert '<option value="">' in html  # first expiry first out is the default choice
    form = {
        "date": "2026-11-05",
        "warehouse_id": warehouse.pk,
        "line_count": "1",
        "lines-0-order_line_id": line.pk,
        "lines-0-quantity": "3",
        "lines-0-lot": "",
    }
    assert owner_client.post("/sales/deliveries/new/", form).status_code == 302
    assert sorted((ln.lot.number, ln.quantity) for ln in Delivery.objects.get().lines.all()) == [
        ("LATE", D("1")),
        ("SOON", D("2")),
    ]


def test_logistics_sign_print_and_cost_visibility(
    org, owner_client, client_as, customer, warehouse, make_product, stock
):
    pen = make_product("PEN")
    stock(pen, warehouse, "5", "8.00")
    delivery = deliver(org, warehouse, (confirmed(org, customer, warehouse, (pen, "5")).lines.get(), "5"))
    url = f"/sales/deliveries/{delivery.pk}/"
    r = owner_client.post(
        f"{url}logistics/", {"carrier": "顺丰速运", "tracking_number": "SF9988", "shipped_date": "2026-11-06"}
    )
    assert r.status_code == 302
    assert owner_client.post(f"{url}sign/", {"signed_date": "2026-11-08"}).status_code == 302
    delivery.refresh_from_db()
    assert (delivery.carrier, delivery.tracking_number, delivery.shipped_date, delivery.signed_date) == (
        "顺丰速运",
        "SF9988",
        datetime.date(2026, 11, 6),
        datetime.date(2026, 11, 8),
    )
    # a bad date is a message, not a change
    owner_client.post(f"{url}sign/", {"signed_date": "2026-11-01"})
    delivery.refresh_from_db()
    assert delivery.signed_date == datetime.date(2026, 11, 8)
    printed = owner_client.get(f"{url}print/").content.decode()
    assert all(text in printed for text in (delivery.number, customer.name, "PEN", "SF9988", "113.00"))
    assert "113.00" not in owner_client.get(f"{url}print/?prices=0").content.decode()
    assert "40.00" in owner_client.get(url).content.decode()
    rep_page = client_as("sales").get(url)
    assert rep_page.status_code == 200
    assert "40.00" not in rep_page.content.decode()  # a rep does not see what the goods cost
    assert 'id="logistics-form"' not in rep_page.content.decode()
    signed = owner_client.get("/sales/deliveries/", {"signed": "true"}).content.decode()
    assert delivery.number in signed
    assert delivery.number not in owner_client.get("/sales/deliveries/", {"signed": "false"}).content.decode()


def test_return_form(org, owner_client, customer, warehouse, make_product, stock):
    pen = make_product("PEN")
    stock(pen, warehouse, "5", "8.00")
    delivery = deliver(org, warehouse, (confirmed(org, customer, warehouse, (pen, "5")).lines.get(), "5"))
    line = delivery.lines.get()
    url = f"/sales/deliveries/{delivery.pk}/return/"
    assert owner_client.get(url).status_code == 200
    form = {"date": "2026-11-06", "reason": "破损", "line_count": "1", "lines-0-delivery_line_id": line.pk}
    r = owner_client.post(url, {**form, "lines-0-quantity": "6"})
    assert r.status_code == 422
    assert r.context["lines"][0]["errors"]["quantity"]
    r = owner_client.post(url, {**form, "lines-0-quantity": "2"})
    document = SalesReturn.objects.get()
    assert r.status_code == 302
    assert r["Location"] == f"/sales/returns/{document.pk}/"
    assert (document.cost, document.reason) == (D("16.00"), "破损")
    assert StockLevel.objects.get(product=pen, warehouse=warehouse).on_hand == D("2")
    assert document.number in owner_client.get("/sales/returns/").content.decode()
    assert document.number in owner_client.get(f"/sales/deliveries/{delivery.pk}/").content.decode()
    assert_clean(org)
