"""Deliveries: amounts and costs worked by hand, partial deliveries over two orders, lots first-expiry-first-out,
refusals that write nothing, reservations released, the cost-of-goods voucher, logistics, the signed-for event,
monthly average with its costing run — and `verify` clean after each."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone
from huey.contrib.djhuey import HUEY

from suanpan.accounting.models import Voucher
from suanpan.core.choices import CostingMethod
from suanpan.core.exceptions import InvalidInput, PermissionRefused
from suanpan.core.models import AuditEvent, Notification
from suanpan.inventory import costing
from suanpan.inventory.choices import MoveKind
from suanpan.inventory.models import Lot, LotStock, StockLevel, StockMove
from suanpan.inventory.services import warehouse_create
from suanpan.partners.choices import PartnerRole
from suanpan.partners.services import partner_create
from suanpan.sales import deliveries, orders, tasks
from suanpan.sales.choices import OrderStatus
from suanpan.sales.models import Delivery, DeliveryLine
from suanpan.verify import verify_organization

from .conftest import DAY

pytestmark = pytest.mark.django_db
D = Decimal


def confirmed(org, customer, warehouse, *lines, day=DAY, actor=None):
    """A confirmed order: lines (product, quantity[, unit price])."""
    data = {"customer_id": customer.pk, "warehouse_id": warehouse.pk, "date": day, "lines": []}
    for product, quantity, *price in lines:
        data["lines"].append(
            {"product_id": product.pk, "quantity": quantity, **({"unit_price": price[0]} if price else {})}
        )
    order = orders.order_create(organization=org, actor=actor, data=data)
    return orders.order_confirm(organization=org, actor=None, order_id=order.pk)


def deliver(org, warehouse, *rows, actor=None, day=DAY, **extra):
    """rows: (order line, quantity[, lot])."""
    lines = [{"order_line_id": ln.pk, "quantity": q, "lot_id": lot[0].pk if lot else None} for ln, q, *lot in rows]
    data = {"date": day, "warehouse_id": warehouse.pk, "lines": lines, **extra}
    return deliveries.delivery_post(organization=org, actor=actor, data=data)


def level(product, warehouse):
    row = StockLevel.objects.get(product=product, warehouse=warehouse)
    return row.on_hand, row.reserved, row.value


def voucher_lines(voucher):
    return sorted(
        (ln.account.code, ln.product_id, ln.debit, ln.credit) for ln in voucher.lines.select_related("account")
    )


def assert_clean(org):
    assert {r.check: r.differences for r in verify_organization(org) if r.differences} == {}


@pytest.fixture
def keeper(member):
    return member("warehouse")


def test_happy_path_worked_by_hand(org, keeper, customer, warehouse, make_product, stock):
    """Pens: 10 @ 8.00 + 5 @ 9.50 = 127.50 for 15 (average 8.50). Order 12 × 20.00 = 240.00 + VAT 31.20.
    Delivery 1: 7 pens → cost 127.50 × 7/15 = 59.50; at the order's prices 240.00 × 7/12 = 140.00, VAT
    31.20 × 7/12 = 18.20. Delivery 2: the last 5 → cost 68.00 × 5/8 = 42.50; 240.00 − 140.00 = 100.00 and
    31.20 − 18.20 = 13.00 (the last delivery takes what is left)."""
    pen = make_product("PEN")
    stock(pen, warehouse, "10", "8.00")
    stock(pen, warehouse, "5", "9.50")
    order = confirmed(org, customer, warehouse, (pen, "12"))
    line = order.lines.get()
    assert level(pen, warehouse) == (D("15"), D("12"), D("127.50"))

    first = deliver(org, warehouse, (line, "7"), actor=keeper, carrier="顺丰速运", tracking_number="SF100")
    assert first.number == "CK202611-0001"
    assert (first.amount, first.tax, first.total, first.cost) == (D("140.00"), D("18.20"), D("158.20"), D("59.50"))
    assert (first.carrier, first.tracking_number, first.customer) == ("顺丰速运", "SF100", customer)
    dl = first.lines.get()
    assert (dl.quantity, dl.unit_price, dl.amount, dl.tax, dl.cost) == (
        D("7"),
        D("20.00"),
        D("140.00"),
        D("18.20"),
        D("59.50"),
    )
    assert (dl.move.kind, dl.move.quantity, dl.move.value) == (MoveKind.DELIVERY, D("-7"), D("-59.50"))
    assert (dl.move.source_type, dl.move.source_id, dl.move.source_label) == ("sales.delivery", first.pk, first.number)
    assert level(pen, warehouse) == (D("8"), D("5"), D("68.00"))
    line.refresh_from_db()
    assert (line.delivered_quantity, line.reserved_quantity) == (D("7"), D("5"))
    order.refresh_from_db()
    assert order.status == OrderStatus.PARTIALLY_DELIVERED
    voucher = first.voucher
    assert (voucher.source_type, voucher.source_id, voucher.status, voucher.word) == (
        "sales.delivery",
        first.pk,
        "posted",
        "转",
    )
    assert voucher_lines(voucher) == [("1405", pen.pk, D("0"), D("59.50")), ("5401", pen.pk, D("59.50"), D("0"))]
    assert AuditEvent.objects.filter(object_type="sales.delivery", object_id=str(first.pk), action="create").exists()
    assert_clean(org)

    second = deliver(org, warehouse, (line, "5"), actor=keeper)
    assert second.number == "CK202611-0002"
    assert (second.amount, second.tax, second.total, second.cost) == (D("100.00"), D("13.00"), D("113.00"), D("42.50"))
    assert first.amount + second.amount == line.amount
    assert level(pen, warehouse) == (D("3"), D("0"), D("25.50"))
    order.refresh_from_db()
    assert order.status == OrderStatus.DELIVERED
    assert second.ship_to == order.ship_to
    assert_clean(org)


def test_delivering_a_line_in_thirds_adds_up_to_the_cent(org, customer, warehouse, make_product, stock):
    """3 × 6.966666 = 20.90 + VAT 2.72; 1 + 1 + 1: 6.97 + 6.97 + 6.96 and 0.91 + 0.91 + 0.90."""
    ink = make_product("INK")
    stock(ink, warehouse, "3", "4.00")
    line = confirmed(org, customer, warehouse, (ink, "3", "6.966666")).lines.get()
    assert (line.amount, line.tax) == (D("20.90"), D("2.72"))
    parts = [deliver(org, warehouse, (line, "1")) for _ in range(3)]
    assert [(d.amount, d.tax) for d in parts] == [
        (D("6.97"), D("0.91")),
        (D("6.97"), D("0.91")),
        (D("6.96"), D("0.90")),
    ]
    assert sum(d.cost for d in parts) == D("12.00")
    assert level(ink, warehouse) == (D("0"), D("0"), D("0.00"))
    assert_clean(org)


def test_one_delivery_over_two_orders_of_one_customer(org, customer, warehouse, make_product, stock):
    pen, ink = make_product("PEN"), make_product("INK")
    stock(pen, warehouse, "20", "8.00")
    stock(ink, warehouse, "10", "30.00")
    a = confirmed(org, customer, warehouse, (pen, "5"), (ink, "4", "50.00"))
    b = confirmed(org, customer, warehouse, (pen, "6"))
    a_pen, a_ink = a.lines.order_by("seq")
    b_pen = b.lines.get()
    delivery = deliver(org, warehouse, (a_pen, "5"), (a_ink, "1"), (b_pen, "6"))
    # 5 × 20.00 + 1 × 50.00 + 6 × 20.00 = 270.00, VAT 35.10; cost 11 × 8.00 + 30.00 = 118.00
    assert (delivery.amount, delivery.tax, delivery.total, delivery.cost) == (
        D("270.00"),
        D("35.10"),
        D("305.10"),
        D("118.00"),
    )
    assert delivery.lines.count() == 3
    a.refresh_from_db()
    b.refresh_from_db()
    assert (a.status, b.status) == (OrderStatus.PARTIALLY_DELIVERED, OrderStatus.DELIVERED)
    assert level(pen, warehouse) == (D("9"), D("0"), D("72.00"))
    assert level(ink, warehouse) == (D("9"), D("3"), D("270.00"))
    assert voucher_lines(delivery.voucher) == [
        ("1405", pen.pk, D("0"), D("88.00")),
        ("1405", ink.pk, D("0"), D("30.00")),
        ("5401", pen.pk, D("88.00"), D("0")),
        ("5401", ink.pk, D("30.00"), D("0")),
    ]
    assert [(ln.pk, ln.open_quantity) for ln in deliveries.deliverable_lines(org, customer)] == [(a_ink.pk, D("3"))]
    assert_clean(org)


def test_lots_first_expiry_first_out(org, customer, warehouse, make_product, stock):
    """Lots: A expires 2027-03-01 (4), B 2027-01-15 (3), C no expiry (5). 5 without a lot → B 3 + A 2; then C is
    chosen for 2 (a chosen lot is taken as chosen)."""
    milk = make_product("MILK", batch=True)
    lots = {
        name: Lot.objects.create(organization=org, product=milk, number=name, expiry_date=expiry)
        for name, expiry in (("A", datetime.date(2027, 3, 1)), ("B", datetime.date(2027, 1, 15)), ("C", None))
    }
    stock(milk, warehouse, "4", "10.00", lot_id=lots["A"].pk)
    stock(milk, warehouse, "3", "10.00", lot_id=lots["B"].pk)
    stock(milk, warehouse, "5", "10.00", lot_id=lots["C"].pk)
    line = confirmed(org, customer, warehouse, (milk, "10")).lines.get()
    first = deliver(org, warehouse, (line, "5"))
    assert [(ln.lot.number, ln.quantity, ln.cost) for ln in first.lines.order_by("id")] == [
        ("B", D("3"), D("30.00")),
        ("A", D("2"), D("20.00")),
    ]
    assert (first.amount, first.tax) == (D("100.00"), D("13.00"))
    deliver(org, warehouse, (line, "2", lots["C"]))
    on_hand = dict(LotStock.objects.filter(product=milk).values_list("lot__number", "on_hand"))
    assert on_hand == {"A": D("2"), "B": D("0"), "C": D("3")}
    with pytest.raises(InvalidInput) as too_many:
        deliver(org, warehouse, (line, "3", lots["A"]))
    assert [e.field for e in too_many.value.errors] == ["lines.0.quantity"]
    other = make_product("OTHER", batch=True)
    foreign = Lot.objects.create(organization=org, product=other, number="X")
    with pytest.raises(InvalidInput) as wrong:
        deliver(org, warehouse, (line, "1", foreign))
    assert [e.field for e in wrong.value.errors] == ["lines.0.lot_id"]
    assert Delivery.objects.count() == 2
    assert_clean(org)


def test_fefo_refuses_more_than_the_lots_hold(org, customer, warehouse, make_product, stock):
    milk = make_product("MILK", batch=True)
    lot = Lot.objects.create(organization=org, product=milk, number="L1", expiry_date=datetime.date(2027, 1, 1))
    stock(milk, warehouse, "2", "10.00", lot_id=lot.pk)
    org.allow_negative_stock = True
    org.save()
    line = confirmed(org, customer, warehouse, (milk, "5")).lines.get()
    org.allow_negative_stock = False
    org.save()
    with pytest.raises(InvalidInput) as short:
        deliver(org, warehouse, (line, "3"))
    assert [e.field for e in short.value.errors] == ["lines.0.quantity"]
    assert "2" in short.value.errors[0].message
    assert not Delivery.objects.exists()


def test_refusals_name_the_field_and_write_nothing(org, other_org, customer, warehouse, make_product, stock):
    pen, fee = make_product("PEN"), make_product("FEE", stocked=False)
    stock(pen, warehouse, "50", "8.00")
    other_customer = partner_create(organization=org, actor=None, role=PartnerRole.CUSTOMER, data={"name": "乙公司"})
    mine = confirmed(org, customer, warehouse, (pen, "10"), (fee, "1", "100.00")).lines.order_by("seq")
    theirs = confirmed(org, other_customer, warehouse, (pen, "2")).lines.get()
    draft = orders.order_create(
        organization=org,
        actor=None,
        data={
            "customer_id": customer.pk,
            "warehouse_id": warehouse.pk,
            "date": DAY,
            "lines": [{"product_id": pen.pk, "quantity": "1"}],
        },
    ).lines.get()
    later = orders.order_confirm(
        organization=org,
        actor=None,
        order_id=orders.order_create(
            organization=org,
            actor=None,
            data={
                "customer_id": customer.pk,
                "warehouse_id": warehouse.pk,
                "date": DAY + datetime.timedelta(days=3),
                "lines": [{"product_id": pen.pk, "quantity": "1"}],
            },
        ).pk,
    ).lines.get()
    second = warehouse_create(organization=org, actor=None, data={"code": "WH02", "name": "北京仓"})
    foreign = warehouse_create(organization=other_org, actor=None, data={"code": "X1", "name": "别家仓"})
    pen_line, fee_line = mine
    before = (StockMove.objects.count(), Voucher.objects.count(), level(pen, warehouse))

    def refused(*rows, warehouse=warehouse, **extra):
        with pytest.raises(InvalidInput) as bad:
            deliver(org, warehouse, *rows, **extra)
        return [e.field for e in bad.value.errors]

    assert refused((pen_line, "11")) == ["lines.0.quantity"]  # ordered 10
    assert refused((pen_line, "6"), (pen_line, "5")) == ["lines.1.quantity"]  # 11 in two rows
    assert refused((pen_line, "0")) == ["lines.0.quantity"]
    assert refused((pen_line, "-1")) == ["lines.0.quantity"]
    assert refused((pen_line, "1.00001")) == ["lines.0.quantity"]
    assert refused((pen_line, "1"), (theirs, "1")) == ["lines.1.order_line_id"]  # another customer
    assert refused((draft, "1")) == ["lines.0.order_line_id"]  # not confirmed
    assert refused((fee_line, "1")) == ["lines.0.order_line_id"]  # a service
    assert refused((pen_line, "1"), warehouse=foreign) == ["warehouse_id"]
    assert refused((pen_line, "1"), warehouse=second) == ["lines.0.order_line_id"]  # reserved in WH01
    assert refused((pen_line, "1"), (later, "1")) == ["date"]  # before the later order's date
    assert refused((pen_line, "1"), day=timezone.localdate() + datetime.timedelta(days=1)) == ["date"]  # ahead
    assert refused((pen_line, "1", Lot.objects.create(organization=org, product=pen, number="N"))) == ["lines.0.lot_id"]
    with pytest.raises(InvalidInput) as bad:
        deliveries.delivery_post(
            organization=org,
            actor=None,
            data={"date": DAY, "warehouse_id": warehouse.pk, "lines": [{"order_line_id": 10**9, "quantity": "1"}]},
        )
    assert [e.field for e in bad.value.errors] == ["lines.0.order_line_id"]
    with pytest.raises(InvalidInput) as bad:
        deliveries.delivery_post(organization=org, actor=None, data={"date": DAY, "warehouse_id": warehouse.pk})
    assert [e.field for e in bad.value.errors] == ["lines"]
    assert not Delivery.objects.exists()
    assert (StockMove.objects.count(), Voucher.objects.count(), level(pen, warehouse)) == before
    pen_line.refresh_from_db()
    assert (pen_line.delivered_quantity, pen_line.reserved_quantity) == (D("0"), D("10"))
    assert_clean(org)


def test_another_organizations_order_line_is_not_found(org, other_org, warehouse, make_product):
    from suanpan.catalog.models import Unit, VatRate
    from suanpan.catalog.services import product_create

    their_place = warehouse_create(organization=other_org, actor=None, data={"code": "X1", "name": "别家仓"})
    their_customer = partner_create(organization=other_org, actor=None, role=PartnerRole.CUSTOMER, data={"name": "丙"})
    service = product_create(
        organization=other_org,
        actor=None,
        data={
            "code": "S",
            "name": "服务",
            "unit": Unit.objects.filter(organization=other_org).first(),
            "vat_rate": VatRate.objects.get(organization=other_org, rate="0.06"),
            "is_stocked": False,
        },
    )
    theirs = confirmed(other_org, their_customer, their_place, (service, "1", "10.00")).lines.get()
    with pytest.raises(InvalidInput) as bad:
        deliver(org, warehouse, (theirs, "1"))
    assert [e.field for e in bad.value.errors] == ["lines.0.order_line_id"]


def test_only_the_warehouse_delivers(org, member, customer, warehouse, make_product, stock):
    pen = make_product("PEN")
    stock(pen, warehouse, "5", "8.00")
    line = confirmed(org, customer, warehouse, (pen, "5")).lines.get()
    with pytest.raises(PermissionRefused):
        deliver(org, warehouse, (line, "1"), actor=member("sales"))
    assert not Delivery.objects.exists()


def test_negative_stock_allowed_a_delivery_may_exceed_on_hand(org, customer, warehouse, make_product, stock):
    """3 on hand @ 8.00, 5 delivered: the pool empties (24.00) and 2 more go out at the last cost 8.00 → 40.00."""
    pen = make_product("PEN")
    stock(pen, warehouse, "3", "8.00")
    org.allow_negative_stock = True
    org.save()
    line = confirmed(org, customer, warehouse, (pen, "5")).lines.get()
    assert level(pen, warehouse) == (D("3"), D("5"), D("24.00"))
    org.allow_negative_stock = False
    org.save()
    with pytest.raises(InvalidInput) as short:
        deliver(org, warehouse, (line, "5"))
    assert [e.field for e in short.value.errors] == ["lines.0.quantity"]
    org.allow_negative_stock = True
    org.save()
    delivery = deliver(org, warehouse, (line, "5"))
    assert delivery.cost == D("40.00")
    assert level(pen, warehouse) == (D("-2"), D("0"), D("-16.00"))
    assert_clean(org)


def test_logistics_change_after_posting_and_are_audited(org, keeper, customer, warehouse, make_product, stock):
    pen = make_product("PEN")
    stock(pen, warehouse, "5", "8.00")
    delivery = deliver(org, warehouse, (confirmed(org, customer, warehouse, (pen, "5")).lines.get(), "5"))
    changed = deliveries.delivery_update_logistics(
        organization=org,
        actor=keeper,
        delivery_id=delivery.pk,
        data={"carrier": "中通快递", "tracking_number": "ZT778899", "shipped_date": DAY + datetime.timedelta(days=1)},
    )
    assert (changed.carrier, changed.tracking_number, changed.shipped_date) == (
        "中通快递",
        "ZT778899",
        DAY + datetime.timedelta(days=1),
    )
    event = AuditEvent.objects.filter(object_type="sales.delivery", object_id=str(delivery.pk), action="update").get()
    assert event.changes["tracking_number"] == ["", "ZT778899"]
    assert event.actor == keeper
    for data, field in (
        ({"shipped_date": DAY - datetime.timedelta(days=1)}, "shipped_date"),
        ({"carrier": "x" * 101}, "carrier"),
        ({"shipped_date": "2026-11-06"}, "shipped_date"),
        ({"shipped_date": timezone.localdate() + datetime.timedelta(days=1)}, "shipped_date"),
    ):
        with pytest.raises(InvalidInput) as bad:
            deliveries.delivery_update_logistics(organization=org, actor=keeper, delivery_id=delivery.pk, data=data)
        assert [e.field for e in bad.value.errors] == [field]
    delivery.refresh_from_db()
    assert delivery.carrier == "中通快递"
    # the posted parts never change
    assert (delivery.total, delivery.cost, delivery.lines.get().quantity) == (D("113.00"), D("40.00"), D("5"))


def test_signed_for_schedules_the_receivable_reminder(
    org, keeper, member, customer, warehouse, make_product, stock, django_capture_on_commit_callbacks
):
    """Signed today, not yet invoiced: the reminder is scheduled at 09:00 on today + the customer's 30 days of
    terms. When it runs and the delivery is still not invoiced, it looks again a week later."""
    today = timezone.localdate()
    pen = make_product("PEN")
    stock(pen, warehouse, "5", "8.00", date=today)
    line = confirmed(org, customer, warehouse, (pen, "5"), day=today).lines.get()
    delivery = deliver(org, warehouse, (line, "5"), day=today)
    HUEY.storage.flush_schedule()
    with pytest.raises(InvalidInput) as future:
        deliveries.delivery_mark_signed(
            organization=org, actor=keeper, delivery_id=delivery.pk, date=today + datetime.timedelta(days=1)
        )
    assert [e.field for e in future.value.errors] == ["date"]
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        signed = deliveries.delivery_mark_signed(organization=org, actor=keeper, delivery_id=delivery.pk, date=today)
    assert signed.signed_date == today
    assert len(callbacks) == 1
    scheduled = [t for t in HUEY.scheduled() if t.name == tasks.receivable_reminder.task_class.__name__]
    assert [t.args for t in scheduled] == [(org.pk, delivery.pk)]
    due = datetime.datetime.combine(today + datetime.timedelta(days=30), datetime.time(9, 0))
    assert scheduled[0].eta == timezone.make_aware(due).astimezone(datetime.UTC).replace(tzinfo=None)
    # the task itself: nothing is invoiced, so nobody is told and it looks again in a week
    HUEY.storage.flush_schedule()
    assert tasks.receivable_reminder.call_local(org.pk, delivery.pk) == (today + datetime.timedelta(days=7)).isoformat()
    assert not Notification.objects.exists()
    assert [t.args for t in HUEY.scheduled()] == [(org.pk, delivery.pk)]
    HUEY.storage.flush_schedule()
    assert AuditEvent.objects.filter(object_type="sales.delivery", object_id=str(delivery.pk), action="update").exists()


def test_the_reminder_tells_rep_and_finance_once_when_the_invoice_is_due(
    org, keeper, member, customer, warehouse, make_product, stock
):
    from suanpan.sales import invoicing

    rep, accountant = member("sales"), member("finance")
    customer.owner = rep
    customer.save()
    pen = make_product("PEN")
    stock(pen, warehouse, "5", "8.00")
    delivery = deliver(org, warehouse, (confirmed(org, customer, warehouse, (pen, "5")).lines.get(), "5"))
    delivery = deliveries.delivery_mark_signed(organization=org, actor=keeper, delivery_id=delivery.pk, date=DAY)
    assert deliveries.reminder_date(delivery) == DAY + datetime.timedelta(days=30)
    invoice = invoicing.invoice_post(
        organization=org,
        actor=accountant,
        data={
            "date": DAY + datetime.timedelta(days=2),
            "invoice_type": "normal",
            "lines": [{"delivery_line_id": delivery.lines.get().pk, "quantity": "5"}],
        },
    )
    due = invoice.due_date
    assert due == DAY + datetime.timedelta(days=32)
    delivery.refresh_from_db()
    assert deliveries.reminder_date(delivery) == due

    def run(on):
        return deliveries.delivery_receivable_reminder(organization=org, delivery_id=delivery.pk, today=on)

    assert run(due - datetime.timedelta(days=1)) == due  # not due yet: look again on the due date
    assert not Notification.objects.exists()
    assert run(due) is None  # fully invoiced and nothing due later: done
    told = Notification.objects.filter(kind=deliveries.REMINDER_KIND)
    assert {n.user for n in told} >= {rep, accountant}
    assert keeper not in {n.user for n in told}
    assert "113.00" in told.first().title
    assert run(due + datetime.timedelta(days=3)) is None
    assert told.count() == len({n.user_id for n in told})  # raised once per person


@pytest.fixture
def monthly(org):
    org.costing_method = CostingMethod.MONTHLY_AVERAGE
    org.save()
    return org


def test_monthly_average_delivery_and_costing_run_keep_verify_clean(
    monthly, member, customer, warehouse, make_product, stock
):
    """10 @ 8.00 on the 2nd; 5 delivered on the 5th at the provisional 8.00 = 40.00; 10 @ 11.00 on the 10th.
    The run: (80.00 + 110.00) / 20 = 9.50 → the delivery's move 47.50; Dr 5401 7.50 / Cr 1405 7.50."""
    pen = make_product("PEN")
    stock(pen, warehouse, "10", "8.00", date=datetime.date(2026, 11, 2))
    line = confirmed(monthly, customer, warehouse, (pen, "5")).lines.get()
    delivery = deliver(monthly, warehouse, (line, "5"))
    move = delivery.lines.get().move
    assert (delivery.cost, move.value, move.cost_final) == (D("40.00"), D("-40.00"), False)
    assert voucher_lines(delivery.voucher) == [
        ("1405", pen.pk, D("0"), D("40.00")),
        ("5401", pen.pk, D("40.00"), D("0")),
    ]
    assert_clean(monthly)
    stock(pen, warehouse, "10", "11.00", date=datetime.date(2026, 11, 10))
    run = costing.costing_run(organization=monthly, actor=member("finance"), year=2026, month=11)
    move.refresh_from_db()
    assert (move.unit_cost, move.value) == (D("9.500000"), D("-47.50"))
    assert sorted((ln.account.code, ln.debit, ln.credit) for ln in run.voucher.lines.select_related("account")) == [
        ("1405", D("0"), D("7.50")),
        ("5401", D("7.50"), D("0")),
    ]
    assert level(pen, warehouse) == (D("15"), D("0"), D("142.50"))
    assert DeliveryLine.objects.get().cost == D("40.00")  # what the delivery posted; the run posts the rest
    assert_clean(monthly)
