"""Sales orders: prices and rounding, confirmation reserves the stock all or nothing, credit limit, release by
unconfirm / cancel / close, and bad input refused field by field with nothing written."""

import datetime
from decimal import Decimal

import pytest

from suanpan.core.exceptions import DomainError, InvalidInput, NotFound, PermissionRefused
from suanpan.core.models import AuditEvent
from suanpan.inventory.models import StockLevel
from suanpan.partners.choices import PartnerRole
from suanpan.partners.services import partner_create
from suanpan.sales import orders
from suanpan.sales.choices import OrderStatus
from suanpan.sales.models import SalesOrder, SalesOrderLine
from suanpan.verify import verify_organization

from .conftest import DAY

pytestmark = pytest.mark.django_db
D = Decimal


def order(org, customer, warehouse, *lines, actor=None, **header):
    data = {"customer_id": customer.pk, "warehouse_id": warehouse.pk, "date": DAY, **header}
    data["lines"] = [{"product_id": p.pk, "quantity": q, **extra} for p, q, extra in lines]
    return orders.order_create(organization=org, actor=actor, data=data)


def level(product, warehouse):
    return StockLevel.objects.get(product=product, warehouse=warehouse)


def test_prices_discounts_and_rounding(org, customer, warehouse, make_product):
    """Pens list 20.00 (product price), 3 at 10 % off with 5 % off the order: 20 × 0.9 × 0.95 = 17.10 → 51.30,
    VAT 13 % 6.669 → 6.67; ink typed at 7.333333, 3 → 21.999999 → 22.00 ... × 0.95 = 6.966666 → 20.90, VAT 2.72."""
    pen, ink = make_product("PEN"), make_product("INK")
    so = order(
        org,
        customer,
        warehouse,
        (pen, "3", {"discount": "10"}),
        (ink, "3", {"unit_price": "7.333333"}),
        discount="5",
    )
    pen_line, ink_line = so.lines.order_by("seq")
    assert (pen_line.list_price, pen_line.unit_price, pen_line.amount, pen_line.tax) == (
        D("20.00"),
        D("17.100000"),
        D("51.30"),
        D("6.67"),
    )
    assert (ink_line.unit_price, ink_line.amount, ink_line.tax) == (D("6.966666"), D("20.90"), D("2.72"))
    assert (so.amount, so.tax, so.total) == (D("72.20"), D("9.39"), D("81.59"))
    assert so.status == OrderStatus.DRAFT
    assert so.number == ""


def test_confirm_reserves_and_cancel_releases(org, owner, customer, warehouse, make_product, stock):
    pen = make_product("PEN")
    stock(pen, warehouse, "10", "8.00")
    so = order(org, customer, warehouse, (pen, "6", {}))
    so = orders.order_confirm(organization=org, actor=owner, order_id=so.pk)
    assert so.status == OrderStatus.CONFIRMED
    assert so.number == "SO202611-0001"
    assert (level(pen, warehouse).reserved, level(pen, warehouse).available) == (D("6"), D("4"))
    second = order(org, customer, warehouse, (pen, "5", {}))
    with pytest.raises(DomainError) as refused:
        orders.order_confirm(organization=org, actor=owner, order_id=second.pk)
    assert "PEN" in str(refused.value)
    assert "5" in str(refused.value)
    assert "4" in str(refused.value)
    second.refresh_from_db()
    assert second.status == OrderStatus.DRAFT
    assert level(pen, warehouse).reserved == D("6")
    orders.order_cancel(organization=org, actor=owner, order_id=so.pk)
    assert level(pen, warehouse).reserved == D("0")
    orders.order_confirm(organization=org, actor=owner, order_id=second.pk)
    assert level(pen, warehouse).reserved == D("5")


def test_bad_lines_name_their_fields(org, customer, warehouse, make_product, other_org):
    pen = make_product("PEN")
    with pytest.raises(InvalidInput) as bad:
        order(org, customer, warehouse, (pen, "0", {}), (pen, "1.00001", {}), (pen, "1", {"unit_price": "1.1234567"}))
    assert {e.field for e in bad.value.errors} == {"lines.0.quantity", "lines.1.quantity", "lines.2.unit_price"}
    from suanpan.inventory.services import warehouse_create

    theirs = warehouse_create(organization=other_org, actor=None, data={"code": "X1", "name": "别家仓"})
    with pytest.raises(InvalidInput) as bad:
        order(org, customer, theirs, (pen, "1", {}))
    assert [e.field for e in bad.value.errors] == ["warehouse_id"]
    assert not SalesOrder.objects.exists()


def test_credit_limit_refuses_unless_approved(org, owner, member, customer, warehouse, make_product, stock):
    pen = make_product("PEN")
    stock(pen, warehouse, "100", "8.00")
    customer.credit_limit = D("100.00")
    customer.save()
    rep = member("sales")
    so = order(org, customer, warehouse, (pen, "5", {}), actor=rep)  # 5 × 20 × 1.13 = 113.00
    with pytest.raises(DomainError) as refused:
        orders.order_confirm(organization=org, actor=rep, order_id=so.pk, approve_credit=True)
    assert "100" in str(refused.value)
    assert "113" in str(refused.value)
    so = orders.order_confirm(organization=org, actor=owner, order_id=so.pk, approve_credit=True)
    assert so.credit_approved_by == owner


def clean(org):
    assert [r.differences for r in verify_organization(org) if r.differences] == []


def nothing_written(org):
    return (
        SalesOrder.objects.count(),
        SalesOrderLine.objects.count(),
        AuditEvent.objects.filter(organization=org, object_type="sales.salesorder").count(),
    )


def test_unconfirm_releases_and_allows_a_change(org, owner, customer, warehouse, make_product, stock):
    pen = make_product("PEN")
    stock(pen, warehouse, "10", "8.00")
    so = order(org, customer, warehouse, (pen, "6", {}))
    so = orders.order_confirm(organization=org, actor=owner, order_id=so.pk)
    assert so.confirmed_at is not None
    with pytest.raises(DomainError):
        orders.order_update(
            organization=org,
            actor=owner,
            order_id=so.pk,
            data={"customer_id": customer.pk, "warehouse_id": warehouse.pk, "date": DAY, "lines": []},
        )
    so = orders.order_unconfirm(organization=org, actor=owner, order_id=so.pk)
    assert (so.status, so.number) == (OrderStatus.DRAFT, "SO202611-0001")  # the number stays with the order
    assert so.lines.get().reserved_quantity == D("0")
    assert level(pen, warehouse).reserved == D("0")
    data = {
        "customer_id": customer.pk,
        "warehouse_id": warehouse.pk,
        "date": DAY,
        "lines": [{"product_id": pen.pk, "quantity": "10"}],
    }
    orders.order_update(organization=org, actor=owner, order_id=so.pk, data=data)
    so = orders.order_confirm(organization=org, actor=owner, order_id=so.pk)
    assert so.number == "SO202611-0001"
    assert (level(pen, warehouse).reserved, level(pen, warehouse).available) == (D("10"), D("0"))
    draft = order(org, customer, warehouse, (pen, "1", {}))
    with pytest.raises(DomainError):
        orders.order_unconfirm(organization=org, actor=owner, order_id=draft.pk)  # a draft has nothing to release
    clean(org)


def test_close_releases_what_will_not_be_delivered(org, owner, customer, warehouse, make_product, stock):
    from suanpan.sales.deliveries import delivery_post

    pen, ink = make_product("PEN"), make_product("INK")
    stock(pen, warehouse, "10", "8.00")
    stock(ink, warehouse, "10", "5.00")
    so = order(org, customer, warehouse, (pen, "6", {}), (ink, "4", {}))
    so = orders.order_confirm(organization=org, actor=owner, order_id=so.pk)
    with pytest.raises(DomainError) as refused:
        orders.order_close(organization=org, actor=owner, order_id=so.pk)
    assert refused.value.field == "status"  # nothing delivered yet: that is a cancel
    pen_line = so.lines.get(product=pen)
    delivery_post(
        organization=org,
        actor=owner,
        data={"date": DAY, "warehouse_id": warehouse.pk, "lines": [{"order_line_id": pen_line.pk, "quantity": "2"}]},
    )
    so.refresh_from_db()
    assert so.status == OrderStatus.PARTIALLY_DELIVERED
    assert (level(pen, warehouse).reserved, level(ink, warehouse).reserved) == (D("4"), D("4"))
    with pytest.raises(DomainError):
        orders.order_cancel(organization=org, actor=owner, order_id=so.pk)  # goods left: close instead
    with pytest.raises(DomainError):
        orders.order_unconfirm(organization=org, actor=owner, order_id=so.pk)
    so = orders.order_close(organization=org, actor=owner, order_id=so.pk)
    assert so.status == OrderStatus.CLOSED
    assert (level(pen, warehouse).reserved, level(ink, warehouse).reserved) == (D("0"), D("0"))
    assert (level(pen, warehouse).on_hand, level(ink, warehouse).on_hand) == (D("8"), D("10"))
    assert [ln.reserved_quantity for ln in so.lines.order_by("seq")] == [D("0"), D("0")]
    event = AuditEvent.objects.filter(object_type="sales.salesorder", object_id=str(so.pk)).order_by("-pk").first()
    assert event.changes == {"status": ["partially_delivered", "closed"], "not_delivered": {"1": "4", "2": "4"}}
    for service in (orders.order_close, orders.order_cancel, orders.order_confirm):
        with pytest.raises(DomainError):
            service(organization=org, actor=owner, order_id=so.pk)
    clean(org)


BAD_LINES = [
    ({"quantity": "0"}, "lines.0.quantity"),
    ({"quantity": "-3"}, "lines.0.quantity"),
    ({"quantity": "abc"}, "lines.0.quantity"),
    ({"quantity": "1.00001"}, "lines.0.quantity"),
    ({"unit_price": "1.1234567"}, "lines.0.unit_price"),
    ({"unit_price": "-1"}, "lines.0.unit_price"),
    ({"discount": "100"}, "lines.0.discount"),
    ({"discount": "12.345"}, "lines.0.discount"),
    ({"product_id": 999_999}, "lines.0.product_id"),
    ({"warehouse_id": 999_999}, "lines.0.warehouse_id"),
    ({"quantity": "999999999999"}, "lines.0.quantity"),  # the line's amount would not fit
]


@pytest.mark.parametrize(("change", "field"), BAD_LINES, ids=[f"{f}={next(iter(c.values()))}" for c, f in BAD_LINES])
def test_a_bad_line_is_refused_naming_it_and_nothing_is_written(org, customer, warehouse, make_product, change, field):
    pen = make_product("PEN")
    before = nothing_written(org)
    line = {"product_id": pen.pk, "quantity": "1", **change}
    data = {"customer_id": customer.pk, "warehouse_id": warehouse.pk, "date": DAY, "lines": [line]}
    with pytest.raises(InvalidInput) as bad:
        orders.order_create(organization=org, actor=None, data=data)
    assert [e.field for e in bad.value.errors] == [field]
    assert nothing_written(org) == before


def test_inactive_products_customers_and_another_organizations_rows(
    org, other_org, owner, customer, warehouse, make_product, stock
):
    from suanpan.catalog.services import product_update
    from suanpan.inventory.services import warehouse_create

    pen, old = make_product("PEN"), make_product("OLD")
    product_update(organization=org, actor=owner, pk=old.pk, data={"is_active": False})
    theirs_wh = warehouse_create(organization=other_org, actor=None, data={"code": "X1", "name": "别家仓"})
    theirs_customer = partner_create(
        organization=other_org, actor=None, role=PartnerRole.CUSTOMER, data={"name": "别家客户"}
    )
    before = nothing_written(org)

    def refused(header=None, line=None):
        data = {"customer_id": customer.pk, "warehouse_id": warehouse.pk, "date": DAY, **(header or {})}
        data["lines"] = [{"product_id": pen.pk, "quantity": "1", **(line or {})}]
        with pytest.raises(InvalidInput) as bad:
            orders.order_create(organization=org, actor=None, data=data)
        return [e.field for e in bad.value.errors]

    assert refused(line={"product_id": old.pk}) == ["lines.0.product_id"]
    assert refused(line={"warehouse_id": theirs_wh.pk}) == ["lines.0.warehouse_id"]
    assert refused(header={"warehouse_id": theirs_wh.pk}) == ["warehouse_id"]
    assert refused(header={"customer_id": theirs_customer.pk}) == ["customer_id"]
    assert refused(header={"salesperson_id": owner.pk + 1000}) == ["salesperson_id"]
    assert refused(header={"expected_date": datetime.date(2026, 11, 1)}) == ["expected_date"]
    assert refused(header={"discount": "-5"}) == ["discount"]
    assert refused(header={"date": None}) == ["date"]
    with pytest.raises(InvalidInput) as bad:
        orders.order_create(
            organization=org,
            actor=None,
            data={"customer_id": customer.pk, "warehouse_id": warehouse.pk, "date": DAY, "lines": []},
        )
    assert [e.field for e in bad.value.errors] == ["lines"]
    assert nothing_written(org) == before

    # a product deactivated after the order was entered cannot be confirmed
    stock(pen, warehouse, "5", "8.00")
    so = order(org, customer, warehouse, (pen, "1", {}))
    product_update(organization=org, actor=owner, pk=pen.pk, data={"is_active": False})
    with pytest.raises(DomainError) as refused_confirm:
        orders.order_confirm(organization=org, actor=owner, order_id=so.pk)
    assert "PEN" in str(refused_confirm.value)
    so.refresh_from_db()
    assert (so.status, so.number) == (OrderStatus.DRAFT, "")
    assert level(pen, warehouse).reserved == D("0")


def test_another_organization_cannot_touch_an_order(org, other_org, customer, warehouse, make_product):
    pen = make_product("PEN")
    so = order(org, customer, warehouse, (pen, "1", {}))
    for service in (orders.order_confirm, orders.order_unconfirm, orders.order_cancel, orders.order_close):
        with pytest.raises(NotFound):
            service(organization=other_org, actor=None, order_id=so.pk)
    so.refresh_from_db()
    assert so.status == OrderStatus.DRAFT


def test_services_are_not_stocked_and_reserve_nothing(org, owner, customer, warehouse, make_product):
    install = make_product("INSTALL", stocked=False, sale_price="300.00")
    so = order(org, customer, warehouse, (install, "2", {}))
    so = orders.order_confirm(organization=org, actor=owner, order_id=so.pk)
    assert so.status == OrderStatus.CONFIRMED
    assert so.lines.get().reserved_quantity == D("0")
    assert not StockLevel.objects.filter(product=install).exists()
    clean(org)


def test_a_sales_rep_enters_and_confirms_but_service_only_looks(org, member, customer, warehouse, make_product, stock):
    pen = make_product("PEN")
    stock(pen, warehouse, "5", "8.00")
    rep, service = member("sales"), member("service")
    with pytest.raises(PermissionRefused):
        order(org, customer, warehouse, (pen, "1", {}), actor=service)
    so = order(org, customer, warehouse, (pen, "1", {}), actor=rep)
    assert (so.created_by, so.salesperson) == (rep, rep)
    with pytest.raises(PermissionRefused):
        orders.order_confirm(organization=org, actor=service, order_id=so.pk)
    assert orders.order_confirm(organization=org, actor=rep, order_id=so.pk).status == OrderStatus.CONFIRMED


def test_allowing_negative_stock_confirms_beyond_what_is_there(org, owner, customer, warehouse, make_product, stock):
    pen = make_product("PEN")
    stock(pen, warehouse, "2", "8.00")
    org.allow_negative_stock = True
    org.save()
    so = order(org, customer, warehouse, (pen, "5", {}))
    orders.order_confirm(organization=org, actor=owner, order_id=so.pk)
    assert (level(pen, warehouse).reserved, level(pen, warehouse).available) == (D("5"), D("-3"))


def test_closing_a_delivered_order_keeps_its_uninvoiced_value_in_the_exposure(
    org, owner, customer, warehouse, make_product, stock
):
    """Closing says the rest will not be delivered; what was delivered is still to invoice and to pay. (Closing
    used to drop the whole order from the exposure, so a second order could pass the credit limit.)"""
    from suanpan.sales.deliveries import delivery_post

    pen = make_product("PEN")
    stock(pen, warehouse, "100", "8.00")
    customer.credit_limit = D("150.00")
    customer.save()
    so = orders.order_confirm(
        organization=org, actor=owner, order_id=order(org, customer, warehouse, (pen, "5", {})).pk
    )
    line = so.lines.get()
    delivery_post(
        organization=org,
        actor=owner,
        data={"date": DAY, "warehouse_id": warehouse.pk, "lines": [{"order_line_id": line.pk, "quantity": "3"}]},
    )
    orders.order_close(organization=org, actor=owner, order_id=so.pk)
    assert orders.customer_exposure(org, customer).on_order == D("67.80")  # 3 of 5 × 22.60, not invoiced
    second = order(org, customer, warehouse, (pen, "4", {}))  # 90.40: 67.80 + 90.40 > 150
    with pytest.raises(DomainError) as refused:
        orders.order_confirm(organization=org, actor=owner, order_id=second.pk)
    assert refused.value.field == "credit"


def test_a_sales_rep_id_out_of_any_range_is_an_input_error(org, customer, warehouse, make_product):
    pen = make_product("PEN")
    data = {
        "customer_id": customer.pk,
        "warehouse_id": warehouse.pk,
        "date": DAY,
        "salesperson_id": 10**30,
        "lines": [{"product_id": pen.pk, "quantity": "1"}],
    }
    with pytest.raises(InvalidInput) as bad:
        orders.order_create(organization=org, actor=None, data=data)
    assert [e.field for e in bad.value.errors] == ["salesperson_id"]
