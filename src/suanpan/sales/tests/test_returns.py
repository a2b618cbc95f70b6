"""Sales returns: goods back at the cost they left with (to the cent over partial returns), the red cost-of-goods
voucher, lots, returned quantities, refusals that write nothing, a return after the month's costing run."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from suanpan.accounting.models import Voucher
from suanpan.core.choices import CostingMethod
from suanpan.core.exceptions import InvalidInput, PermissionRefused
from suanpan.inventory import costing
from suanpan.inventory.choices import MoveKind
from suanpan.inventory.models import Lot, LotStock, StockMove
from suanpan.sales import returns
from suanpan.sales.choices import OrderStatus
from suanpan.sales.models import SalesReturn

from .conftest import DAY
from .test_deliveries import assert_clean, confirmed, deliver, level, voucher_lines

pytestmark = pytest.mark.django_db
D = Decimal


def give_back(org, delivery, *rows, actor=None, day=DAY, reason="包装破损"):
    """rows: (delivery line, quantity)."""
    data = {
        "delivery_id": delivery.pk,
        "date": day,
        "reason": reason,
        "lines": [{"delivery_line_id": ln.pk, "quantity": q} for ln, q in rows],
    }
    return returns.sales_return_post(organization=org, actor=actor, data=data)


def test_goods_come_back_at_the_cost_they_left_with(org, member, customer, warehouse, make_product, stock):
    """Pens 10 @ 8.00 + 5 @ 9.50 (average 8.50); 7 delivered at 20.00: 140.00 + 18.20, cost 59.50.
    Return 3: 140.00 × 3/7 = 60.00, VAT 7.80, cost 59.50 × 3/7 = 25.50 → Dr 5401 −25.50 / Cr 1405 −25.50 (red).
    Return the other 4: what is left, 80.00, 10.40, 34.00."""
    keeper = member("warehouse")
    pen = make_product("PEN")
    stock(pen, warehouse, "10", "8.00")
    stock(pen, warehouse, "5", "9.50")
    order = confirmed(org, customer, warehouse, (pen, "12"))
    delivery = deliver(org, warehouse, (order.lines.get(), "7"))
    line = delivery.lines.get()
    back = give_back(org, delivery, (line, "3"), actor=keeper)
    assert back.number == "XT202611-0001"
    assert (back.amount, back.tax, back.total, back.cost) == (D("60.00"), D("7.80"), D("67.80"), D("25.50"))
    assert (back.customer, back.warehouse, back.reason) == (customer, warehouse, "包装破损")
    made = back.lines.get()
    assert (made.move.kind, made.move.quantity, made.move.value, made.move.unit_cost) == (
        MoveKind.SALES_RETURN,
        D("3"),
        D("25.50"),
        D("8.500000"),
    )
    assert (made.move.source_type, made.move.source_id) == ("sales.return", back.pk)
    assert level(pen, warehouse) == (D("11"), D("5"), D("93.50"))
    assert voucher_lines(back.voucher) == [("1405", pen.pk, D("0"), D("-25.50")), ("5401", pen.pk, D("-25.50"), D("0"))]
    assert back.voucher.source_type == "sales.return"
    line.refresh_from_db()
    order_line = order.lines.get()
    assert (line.returned_quantity, order_line.returned_quantity, order_line.delivered_quantity) == (
        D("3"),
        D("3"),
        D("7"),
    )
    order.refresh_from_db()
    assert order.status == OrderStatus.PARTIALLY_DELIVERED
    assert_clean(org)

    rest = give_back(org, delivery, (line, "4"))
    assert (rest.amount, rest.tax, rest.cost) == (D("80.00"), D("10.40"), D("34.00"))
    assert back.cost + rest.cost == delivery.cost
    assert level(pen, warehouse) == (D("15"), D("5"), D("127.50"))
    assert_clean(org)


def test_partial_returns_add_up_to_the_delivery_to_the_cent(org, customer, warehouse, make_product, stock):
    """3 in stock worth 10.00 (3.333333 each); all 3 delivered, cost 10.00; returned one by one: 3.33, 3.33, 3.34."""
    pen = make_product("PEN")
    stock(pen, warehouse, "3", "3.333333")
    delivery = deliver(org, warehouse, (confirmed(org, customer, warehouse, (pen, "3")).lines.get(), "3"))
    assert delivery.cost == D("10.00")
    line = delivery.lines.get()
    costs = [give_back(org, delivery, (line, "1")).cost for _ in range(3)]
    assert costs == [D("3.33"), D("3.33"), D("3.34")]
    assert level(pen, warehouse) == (D("3"), D("0"), D("10.00"))
    assert_clean(org)


def test_a_return_goes_back_into_the_lot_it_left(org, customer, warehouse, make_product, stock):
    milk = make_product("MILK", batch=True)
    early = Lot.objects.create(organization=org, product=milk, number="E", expiry_date=datetime.date(2027, 1, 1))
    late = Lot.objects.create(organization=org, product=milk, number="L", expiry_date=datetime.date(2027, 6, 1))
    stock(milk, warehouse, "2", "10.00", lot_id=early.pk)
    stock(milk, warehouse, "5", "12.00", lot_id=late.pk)
    delivery = deliver(org, warehouse, (confirmed(org, customer, warehouse, (milk, "4")).lines.get(), "4"))
    from_early, from_late = delivery.lines.order_by("id")
    assert (from_early.lot, from_late.lot) == (early, late)
    back = give_back(org, delivery, (from_late, "1"), (from_early, "2"))
    assert sorted((ln.lot.number, ln.quantity) for ln in back.lines.all()) == [("E", D("2")), ("L", D("1"))]
    on_hand = dict(LotStock.objects.filter(product=milk).values_list("lot__number", "on_hand"))
    assert on_hand == {"E": D("2"), "L": D("4")}
    assert_clean(org)


def test_refusals_name_the_field_and_write_nothing(org, other_org, customer, warehouse, make_product, stock):
    pen = make_product("PEN")
    stock(pen, warehouse, "10", "8.00")
    order = confirmed(org, customer, warehouse, (pen, "10"))
    delivery = deliver(org, warehouse, (order.lines.get(), "4"))
    other = deliver(org, warehouse, (order.lines.get(), "2"))
    line = delivery.lines.get()
    give_back(org, delivery, (line, "1"))
    before = (StockMove.objects.count(), Voucher.objects.count(), SalesReturn.objects.count(), level(pen, warehouse))

    def refused(*rows, day=DAY, of=delivery):
        with pytest.raises(InvalidInput) as bad:
            give_back(org, of, *rows, day=day)
        return [e.field for e in bad.value.errors]

    assert refused((line, "4")) == ["lines.0.quantity"]  # 4 delivered, 1 already back
    assert refused((line, "0")) == ["lines.0.quantity"]
    assert refused((line, "-1")) == ["lines.0.quantity"]
    assert refused((line, "0.00001")) == ["lines.0.quantity"]
    assert refused((other.lines.get(), "1")) == ["lines.0.delivery_line_id"]  # a line of another delivery
    assert refused((line, "1"), (line, "1")) == ["lines.1.delivery_line_id"]
    assert refused((line, "1"), day=DAY - datetime.timedelta(days=1)) == ["date"]
    assert refused((line, "1"), day=timezone.localdate() + datetime.timedelta(days=1)) == ["date"]
    assert refused() == ["lines"]
    with pytest.raises(InvalidInput) as bad:
        returns.sales_return_post(
            organization=other_org,
            actor=None,
            data={"delivery_id": delivery.pk, "date": DAY, "lines": [{"delivery_line_id": line.pk, "quantity": "1"}]},
        )
    assert [e.field for e in bad.value.errors] == ["delivery_id"]
    assert (
        StockMove.objects.count(),
        Voucher.objects.count(),
        SalesReturn.objects.count(),
        level(pen, warehouse),
    ) == before
    line.refresh_from_db()
    assert line.returned_quantity == D("1")
    assert_clean(org)


def test_a_sales_rep_may_not_take_goods_back(org, member, customer, warehouse, make_product, stock):
    pen = make_product("PEN")
    stock(pen, warehouse, "2", "8.00")
    delivery = deliver(org, warehouse, (confirmed(org, customer, warehouse, (pen, "2")).lines.get(), "2"))
    with pytest.raises(PermissionRefused):
        give_back(org, delivery, (delivery.lines.get(), "1"), actor=member("sales"))
    assert not SalesReturn.objects.exists()


def test_after_the_costing_run_a_return_takes_the_revalued_cost(org, member, customer, warehouse, make_product, stock):
    """Monthly average: 10 @ 8.00, 5 delivered (provisional 40.00), 10 @ 11.00; the run values the delivery at
    9.50 each (47.50). Two come back on the 20th at 47.50 × 2/5 = 19.00: Dr 5401 −19.00 / Cr 1405 −19.00."""
    org.costing_method = CostingMethod.MONTHLY_AVERAGE
    org.save()
    pen = make_product("PEN")
    stock(pen, warehouse, "10", "8.00", date=datetime.date(2026, 11, 2))
    delivery = deliver(org, warehouse, (confirmed(org, customer, warehouse, (pen, "5")).lines.get(), "5"))
    stock(pen, warehouse, "10", "11.00", date=datetime.date(2026, 11, 10))
    costing.costing_run(organization=org, actor=member("finance"), year=2026, month=11)
    back = give_back(org, delivery, (delivery.lines.get(), "2"), day=datetime.date(2026, 11, 20))
    assert back.cost == D("19.00")
    assert voucher_lines(back.voucher) == [("1405", pen.pk, D("0"), D("-19.00")), ("5401", pen.pk, D("-19.00"), D("0"))]
    assert level(pen, warehouse) == (D("17"), D("0"), D("161.50"))
    assert_clean(org)
