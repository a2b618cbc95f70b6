"""Sales orders: prices and rounding, confirmation reserves the stock all or nothing, credit limit, release."""

from decimal import Decimal

import pytest

from suanpan.core.exceptions import DomainError, InvalidInput
from suanpan.inventory.models import StockLevel
from suanpan.sales import orders
from suanpan.sales.choices import OrderStatus
from suanpan.sales.models import SalesOrder

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
