"""The stock ledger's one writer: moves, levels under lock, moving-average cost, refusals, immutability."""

import datetime
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from suanpan.accounting.choices import PeriodStatus
from suanpan.accounting.models import Period
from suanpan.core.exceptions import DomainError, InvalidInput
from suanpan.inventory.choices import MoveKind
from suanpan.inventory.models import Lot, LotStock, StockLevel, StockMove
from suanpan.inventory.posting import MoveSpec
from suanpan.inventory.services import stock_post

from .conftest import DAY

pytestmark = pytest.mark.django_db
D = Decimal


def receive(org, product, warehouse, quantity, unit_cost, *, date=DAY, lot=None):
    spec = MoveSpec(product.pk, warehouse.pk, D(quantity), MoveKind.RECEIPT, lot_id=lot, unit_cost=D(unit_cost))
    return stock_post(organization=org, actor=None, date=date, moves=[spec])[0]


def issue(org, product, warehouse, quantity, *, date=DAY, lot=None):
    spec = MoveSpec(product.pk, warehouse.pk, -D(quantity), MoveKind.DELIVERY, lot_id=lot)
    return stock_post(organization=org, actor=None, date=date, moves=[spec])[0]


def level(product, warehouse):
    return StockLevel.objects.get(product=product, warehouse=warehouse)


def test_moving_average_worked_example(org, warehouse, make_product):
    """The reference's example: 100 @ 50.00, then 200 @ 56.00 → 300 worth 16,200.00 (54.00 each)."""
    pen = make_product()
    receive(org, pen, warehouse, "100", "50.00")
    receive(org, pen, warehouse, "200", "56.00")
    out = issue(org, pen, warehouse, "150")
    assert (out.quantity, out.unit_cost, out.value) == (D("-150"), D("54"), D("-8100.00"))
    assert (level(pen, warehouse).on_hand, level(pen, warehouse).value) == (D("150"), D("8100.00"))


def test_rounding_residual_lands_on_the_last_issue(org, warehouse, make_product):
    """3 units worth 10.00 (3 × 3.333333 = 9.999999 → 10.00), issued one by one:
    10.00/3 = 3.333… → 3.33; then 6.67/2 = 3.335 → 3.34 (half up); the last takes what is left, 3.33."""
    clip = make_product()
    receive(org, clip, warehouse, "3", "3.333333")
    values = [issue(org, clip, warehouse, "1").value for _ in range(3)]
    assert values == [D("-3.33"), D("-3.34"), D("-3.33")]
    assert (level(clip, warehouse).on_hand, level(clip, warehouse).value) == (D("0"), D("0.00"))


def test_level_equals_sum_of_moves(org, warehouse, store, make_product):
    ink = make_product()
    receive(org, ink, warehouse, "10", "7.50")
    issue(org, ink, warehouse, "4")
    receive(org, ink, store, "2", "8.00")
    for wh in (warehouse, store):
        moves = StockMove.objects.filter(product=ink, warehouse=wh)
        assert level(ink, wh).on_hand == sum(m.quantity for m in moves)
        assert level(ink, wh).value == sum(m.value for m in moves)


def test_negative_stock_refused_unless_allowed(org, warehouse, make_product):
    pen = make_product()
    receive(org, pen, warehouse, "5", "10.00")
    with pytest.raises(DomainError) as exc:
        issue(org, pen, warehouse, "6")
    assert "5 on hand, 6 wanted" in exc.value.message
    assert StockMove.objects.filter(product=pen).count() == 1
    assert level(pen, warehouse).on_hand == D("5")
    org.allow_negative_stock = True
    org.save()
    out = issue(org, pen, warehouse, "6")
    assert out.value == D("-60.00")  # 50.00 for the 5 on hand and 10.00 for the one short, at the pool's average
    assert level(pen, warehouse).on_hand == D("-1")


def test_back_dated_move_refused(org, warehouse, make_product):
    pen = make_product()
    receive(org, pen, warehouse, "5", "10.00")
    with pytest.raises(InvalidInput) as exc:
        receive(org, pen, warehouse, "5", "10.00", date=DAY - datetime.timedelta(days=1))
    assert exc.value.errors[0].field == "date"
    assert StockMove.objects.filter(product=pen).count() == 1


def test_closed_period_refused(org, warehouse, make_product):
    pen = make_product()
    Period.objects.filter(organization=org, year=DAY.year, month=DAY.month).update(status=PeriodStatus.CLOSED)
    with pytest.raises(InvalidInput) as exc:
        receive(org, pen, warehouse, "5", "10.00")
    assert exc.value.errors[0].field == "date"


def test_lots_required_and_kept_per_lot(org, other_org, warehouse, make_product):
    milk = make_product("M01", batch=True)
    with pytest.raises(InvalidInput) as exc:
        receive(org, milk, warehouse, "5", "10.00")
    assert exc.value.errors[0].field == "moves[0].lot"
    lot = Lot.objects.create(organization=org, product=milk, number="B2611", expiry_date=datetime.date(2027, 5, 1))
    receive(org, milk, warehouse, "5", "10.00", lot=lot.pk)
    with pytest.raises(DomainError) as exc:
        issue(org, milk, warehouse, "6", lot=lot.pk)
    issue(org, milk, warehouse, "2", lot=lot.pk)
    assert LotStock.objects.get(lot=lot).on_hand == D("3")
    foreign = Lot.objects.create(organization=other_org, product=milk, number="X")
    with pytest.raises(InvalidInput) as exc:
        issue(org, milk, warehouse, "1", lot=foreign.pk)
    assert exc.value.errors[0].field == "moves[0].lot"
    plain = make_product("P02")
    with pytest.raises(InvalidInput):
        receive(org, plain, warehouse, "1", "1.00", lot=lot.pk)


def test_quantity_rules(org, warehouse, make_product):
    pen = make_product()
    with pytest.raises(InvalidInput) as exc:
        receive(org, pen, warehouse, "1.00001", "1.00")
    assert exc.value.errors[0].field == "moves[0].quantity"
    with pytest.raises(InvalidInput):
        receive(org, pen, warehouse, "0", "1.00")
    with pytest.raises(InvalidInput) as exc:
        stock_post(
            organization=org, actor=None, date=DAY, moves=[MoveSpec(pen.pk, warehouse.pk, D("1"), MoveKind.RECEIPT)]
        )
    assert exc.value.errors[0].field == "moves[0].unit_cost"
    assert not StockMove.objects.exists()


def test_other_organization_product_or_warehouse_refused(org, other_org, warehouse, make_product):
    pen = make_product()
    with pytest.raises(InvalidInput) as exc:
        stock_post(
            organization=other_org,
            actor=None,
            date=DAY,
            moves=[MoveSpec(pen.pk, warehouse.pk, D("1"), MoveKind.RECEIPT, unit_cost=D("1"))],
        )
    assert exc.value.errors[0].field == "moves[0].warehouse"


def test_moves_are_immutable_in_the_database(org, warehouse, make_product):
    pen = make_product()
    move = receive(org, pen, warehouse, "5", "10.00")
    with pytest.raises(IntegrityError), transaction.atomic():
        StockMove.objects.filter(pk=move.pk).update(quantity=D("6"))
    with pytest.raises(IntegrityError), transaction.atomic():
        StockMove.objects.filter(pk=move.pk).update(value=D("1"))
    with pytest.raises(IntegrityError), transaction.atomic():
        StockMove.objects.filter(pk=move.pk).delete()
    assert StockMove.objects.get(pk=move.pk).quantity == D("5")


def test_provisional_cost_can_be_rewritten_but_nothing_else(org, warehouse, make_product):
    """Monthly weighted average: an issue's cost is provisional until the costing run; only the cost may change."""
    org.costing_method = "monthly_average"
    org.save()
    pen = make_product()
    receive(org, pen, warehouse, "5", "10.00")
    out = issue(org, pen, warehouse, "2")
    assert out.cost_final is False
    StockMove.objects.filter(pk=out.pk).update(unit_cost=D("11"), value=D("-22.00"), cost_final=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        StockMove.objects.filter(pk=out.pk).update(value=D("-23.00"))
    with pytest.raises(IntegrityError), transaction.atomic():
        StockMove.objects.filter(pk=out.pk).update(date=DAY + datetime.timedelta(days=1))
