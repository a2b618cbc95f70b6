"""Stocktakes (盘点): freeze, count (screen and Excel), submit, approve, post gains/losses through 190101."""

import datetime
import io
from decimal import Decimal

import pytest
from openpyxl import Workbook, load_workbook

from suanpan.accounting.models import Account, Voucher
from suanpan.catalog.services import category_create
from suanpan.core.excel import workbook_bytes
from suanpan.core.exceptions import DomainError, InvalidInput, PermissionRefused
from suanpan.inventory.choices import MoveKind, StocktakeStatus
from suanpan.inventory.models import Lot, LotStock, StockLevel, StockMove, Stocktake, StocktakeLine
from suanpan.inventory.posting import MoveSpec
from suanpan.inventory.services import stock_post
from suanpan.inventory.stocktakes import (
    SHEET_HEADERS,
    count_sheet_rows,
    stocktake_approve,
    stocktake_cancel,
    stocktake_count,
    stocktake_import_counts,
    stocktake_post,
    stocktake_reopen,
    stocktake_start,
    stocktake_submit,
)
from suanpan.verify import verify_organization

from .conftest import DAY

pytestmark = pytest.mark.django_db
D = Decimal
LATER = DAY + datetime.timedelta(days=1)


def receive(org, product, warehouse, quantity, unit_cost, *, lot=None, date=DAY):
    spec = MoveSpec(product.pk, warehouse.pk, D(quantity), MoveKind.RECEIPT, lot_id=lot, unit_cost=D(unit_cost))
    return stock_post(organization=org, actor=None, date=date, moves=[spec])[0]


def issue(org, product, warehouse, quantity, *, lot=None, date=DAY):
    spec = MoveSpec(product.pk, warehouse.pk, -D(quantity), MoveKind.DELIVERY, lot_id=lot)
    return stock_post(organization=org, actor=None, date=date, moves=[spec])[0]


def level(product, warehouse):
    return StockLevel.objects.get(product=product, warehouse=warehouse)


def clean(org):
    assert {r.check: r.differences for r in verify_organization(org) if r.differences} == {}


def start(org, warehouse, actor=None, **kw):
    return stocktake_start(organization=org, actor=actor, warehouse=warehouse.pk, date=DAY, **kw)


def count(org, stocktake, values, actor=None):
    """values: {product: counted} for lines on the sheet."""
    lines = {line.product_id: line.pk for line in stocktake.lines.all()}
    rows = [{"line": lines[p.pk], "counted": c} for p, c in values.items()]
    return stocktake_count(organization=org, actor=actor, stocktake_id=stocktake.pk, counts=rows)


def approve_and_post(org, stocktake, owner, date=LATER):
    stocktake_submit(organization=org, actor=owner, stocktake_id=stocktake.pk)
    stocktake_approve(organization=org, actor=owner, stocktake_id=stocktake.pk)
    return stocktake_post(organization=org, actor=owner, stocktake_id=stocktake.pk, date=date)


def test_gain_and_loss_worked_example(org, owner, warehouse, make_product):
    """Pens: 10 worth 50.00 on the book, 12 counted → gain 2 at the average 5.00 = 10.00.
    Ink: 4 worth 30.00 (7.50 each), 1 counted → loss 3 = 22.50. Voucher: Dr 1405 10.00 / Cr 190101 10.00 and
    Dr 190101 22.50 / Cr 1405 22.50."""
    pen, ink = make_product("P1"), make_product("P2")
    receive(org, pen, warehouse, "10", "5.00")
    receive(org, ink, warehouse, "4", "7.50")
    stocktake = start(org, warehouse, actor=owner)
    assert stocktake.number == "PD202611-0001"
    assert stocktake.status == StocktakeStatus.COUNTING
    sheet = {(line.product_id, line.book_quantity) for line in stocktake.lines.all()}
    assert sheet == {(pen.pk, D("10")), (ink.pk, D("4"))}

    count(org, stocktake, {pen: "12", ink: "1"}, actor=owner)
    stocktake = approve_and_post(org, stocktake, owner)
    assert stocktake.status == StocktakeStatus.POSTED
    moves = {m.product_id: (m.kind, m.quantity, m.value) for m in StockMove.objects.filter(source_id=stocktake.pk)}
    assert moves == {
        pen.pk: (MoveKind.STOCKTAKE_GAIN, D("2"), D("10.00")),
        ink.pk: (MoveKind.STOCKTAKE_LOSS, D("-3"), D("-22.50")),
    }
    assert (level(pen, warehouse).on_hand, level(pen, warehouse).value) == (D("12"), D("60.00"))
    assert (level(ink, warehouse).on_hand, level(ink, warehouse).value) == (D("1"), D("7.50"))
    voucher = stocktake.voucher
    assert (voucher.status, voucher.source_type, voucher.source_label) == (
        "posted",
        "inventory.stocktake",
        "PD202611-0001",
    )
    lines = [(ln.account.code, ln.debit, ln.credit) for ln in voucher.lines.order_by("seq")]
    assert lines == [
        ("1405", D("10.00"), D("0")),
        ("190101", D("0"), D("10.00")),
        ("190101", D("22.50"), D("0")),
        ("1405", D("0"), D("22.50")),
    ]
    differences = {line.product_id: (line.difference, line.value) for line in stocktake.lines.all()}
    assert differences == {pen.pk: (D("2"), D("10.00")), ink.pk: (D("-3"), D("-22.50"))}
    clean(org)


def test_moves_after_the_freeze_count_in_the_book(org, owner, warehouse, make_product):
    """Book 10 frozen; 4 delivered while counting; 5 counted → difference = 5 − (10 − 4) = −1."""
    pen = make_product()
    receive(org, pen, warehouse, "10", "5.00")
    stocktake = start(org, warehouse)
    issue(org, pen, warehouse, "4")
    count(org, stocktake, {pen: "5"})
    stocktake = approve_and_post(org, stocktake, owner)
    line = stocktake.lines.get()
    assert (line.book_quantity, line.moved_since, line.difference, line.value) == (
        D("10"),
        D("-4"),
        D("-1"),
        D("-5.00"),
    )
    assert level(pen, warehouse).on_hand == D("5")
    clean(org)


def test_nothing_to_post_when_the_count_matches(org, owner, warehouse, make_product):
    pen = make_product()
    receive(org, pen, warehouse, "3", "5.00")
    stocktake = start(org, warehouse)
    count(org, stocktake, {pen: "3"})
    stocktake = approve_and_post(org, stocktake, owner)
    assert stocktake.voucher is None
    assert not StockMove.objects.filter(source_type="inventory.stocktake").exists()


def test_lots_are_counted_one_by_one_and_found_goods_added(org, owner, warehouse, make_product):
    milk = make_product("M1", batch=True)
    old = Lot.objects.create(organization=org, product=milk, number="A", expiry_date=datetime.date(2027, 1, 1))
    new = Lot.objects.create(organization=org, product=milk, number="B", expiry_date=datetime.date(2027, 6, 1))
    receive(org, milk, warehouse, "4", "3.00", lot=old.pk)
    stocktake = start(org, warehouse)
    assert [(line.lot_id, line.book_quantity) for line in stocktake.lines.all()] == [(old.pk, D("4"))]
    line = stocktake.lines.get()
    stocktake_count(
        organization=org,
        actor=None,
        stocktake_id=stocktake.pk,
        counts=[{"line": line.pk, "counted": "3"}, {"product": milk.pk, "lot": new.pk, "counted": "2"}],
    )
    assert stocktake.lines.count() == 2
    approve_and_post(org, stocktake, owner)
    assert {s.lot_id: s.on_hand for s in LotStock.objects.filter(product=milk)} == {old.pk: D("3"), new.pk: D("2")}
    # The gain comes in at the pool's average (3.00), the loss leaves at it: net 1 × 3.00.
    assert level(milk, warehouse).value == D("15.00")
    clean(org)


def test_category_limits_the_sheet(org, warehouse, make_product):
    pens = category_create(organization=org, actor=None, data={"code": "PEN", "name": "笔"})
    gel = category_create(organization=org, actor=None, data={"code": "GEL", "name": "中性笔", "parent": pens})
    pen, ink = make_product("P1"), make_product("P2")
    pen.category = gel
    pen.save()
    receive(org, pen, warehouse, "1", "1.00")
    receive(org, ink, warehouse, "1", "1.00")
    stocktake = start(org, warehouse, category=pens.pk)
    assert [line.product_id for line in stocktake.lines.all()] == [pen.pk]
    with pytest.raises(InvalidInput) as exc:
        stocktake_count(
            organization=org, actor=None, stocktake_id=stocktake.pk, counts=[{"product": ink.pk, "counted": "1"}]
        )
    assert exc.value.errors[0].field == "counts.1.product"


def test_excel_out_and_in(org, owner, warehouse, make_product):
    pen, ink = make_product("P1"), make_product("P2")
    receive(org, pen, warehouse, "10", "5.00")
    receive(org, ink, warehouse, "4", "7.50")
    stocktake = start(org, warehouse)
    rows = count_sheet_rows(stocktake)
    assert [(r[1], r[2], r[3], r[5], r[6]) for r in rows] == [
        ("P1", "商品P1", "", D("10"), ""),
        ("P2", "商品P2", "", D("4"), ""),
    ]
    book = load_workbook(io.BytesIO(workbook_bytes("count", SHEET_HEADERS, rows)))
    sheet = book.worksheets[0]
    sheet["G2"] = 9.5
    sheet["G3"] = "4"
    buffer = io.BytesIO()
    book.save(buffer)
    stocktake_import_counts(organization=org, actor=owner, stocktake_id=stocktake.pk, content=buffer.getvalue())
    assert {line.product_id: line.counted_quantity for line in stocktake.lines.all()} == {
        pen.pk: D("9.5"),
        ink.pk: D("4"),
    }


def test_excel_import_refuses_junk(org, warehouse, make_product):
    pen = make_product()
    receive(org, pen, warehouse, "1", "1.00")
    stocktake = start(org, warehouse)
    with pytest.raises(InvalidInput) as exc:
        stocktake_import_counts(organization=org, actor=None, stocktake_id=stocktake.pk, content=b"not excel")
    assert exc.value.errors[0].field == "file"
    book = Workbook()
    book.worksheets[0].append(list(SHEET_HEADERS))
    book.worksheets[0].append([stocktake.lines.get().pk, "", "", "", "", "", "1.00001"])
    buffer = io.BytesIO()
    book.save(buffer)
    with pytest.raises(InvalidInput) as exc:
        stocktake_import_counts(organization=org, actor=None, stocktake_id=stocktake.pk, content=buffer.getvalue())
    assert "4 decimal places" in exc.value.message
    assert stocktake.lines.get().counted_quantity is None


def test_a_stocktake_posts_once(org, owner, warehouse, make_product):
    pen = make_product()
    receive(org, pen, warehouse, "10", "5.00")
    stocktake = start(org, warehouse)
    count(org, stocktake, {pen: "8"})
    approve_and_post(org, stocktake, owner)
    moves, vouchers = StockMove.objects.count(), Voucher.objects.count()
    with pytest.raises(DomainError) as exc:
        stocktake_post(organization=org, actor=owner, stocktake_id=stocktake.pk, date=LATER)
    assert "already posted" in exc.value.message
    assert (StockMove.objects.count(), Voucher.objects.count()) == (moves, vouchers)
    assert level(pen, warehouse).on_hand == D("8")


def test_bad_counts_and_states(org, owner, other_org, warehouse, make_product):
    pen, milk = make_product("P1"), make_product("M1", batch=True)
    other = make_product("M2", batch=True)
    foreign_lot = Lot.objects.create(organization=org, product=other, number="Z")
    receive(org, pen, warehouse, "10", "5.00")
    stocktake = start(org, warehouse)
    line = stocktake.lines.get()
    cases = [
        ({"line": line.pk, "counted": "1.00001"}, "counts.1.counted"),
        ({"line": line.pk, "counted": "-1"}, "counts.1.counted"),
        ({"line": line.pk, "counted": 1.5}, "counts.1.counted"),
        ({"line": 999999, "counted": "1"}, "counts.1.line"),
        ({"product": milk.pk, "counted": "1"}, "counts.1.lot"),
        ({"product": milk.pk, "lot": foreign_lot.pk, "counted": "1"}, "counts.1.lot"),
    ]
    for row, field in cases:
        with pytest.raises(InvalidInput) as exc:
            stocktake_count(organization=org, actor=None, stocktake_id=stocktake.pk, counts=[row])
        assert exc.value.errors[0].field == field, row
    assert stocktake.lines.count() == 1
    assert stocktake.lines.get().counted_quantity is None
    with pytest.raises(DomainError) as exc:
        stocktake_submit(organization=org, actor=None, stocktake_id=stocktake.pk)
    assert "Not counted yet" in exc.value.message
    with pytest.raises(DomainError):
        stocktake_post(organization=org, actor=owner, stocktake_id=stocktake.pk, date=LATER)  # not approved
    count(org, stocktake, {pen: "9"})
    stocktake_submit(organization=org, actor=None, stocktake_id=stocktake.pk)
    with pytest.raises(DomainError):
        count(org, stocktake, {pen: "8"})  # submitted: counts frozen until reopened
    stocktake_reopen(organization=org, actor=None, stocktake_id=stocktake.pk)
    count(org, stocktake, {pen: "8"})
    assert stocktake_cancel(organization=org, actor=None, stocktake_id=stocktake.pk).status == StocktakeStatus.CANCELLED
    with pytest.raises(DomainError):
        stocktake_submit(organization=org, actor=None, stocktake_id=stocktake.pk)
    with pytest.raises(InvalidInput):
        stocktake_start(organization=org, actor=None, warehouse=999999, date=DAY)
    assert not StockMove.objects.filter(source_type="inventory.stocktake").exists()


def test_approval_is_not_the_warehouses(org, member, warehouse, make_product):
    pen = make_product()
    receive(org, pen, warehouse, "10", "5.00")
    keeper, accountant = member("warehouse"), member("finance")
    with pytest.raises(PermissionRefused):
        start(org, warehouse, actor=member("sales"))
    stocktake = start(org, warehouse, actor=keeper)
    count(org, stocktake, {pen: "7"}, actor=keeper)
    stocktake_submit(organization=org, actor=keeper, stocktake_id=stocktake.pk)
    with pytest.raises(PermissionRefused):
        stocktake_approve(organization=org, actor=keeper, stocktake_id=stocktake.pk)
    stocktake_approve(organization=org, actor=accountant, stocktake_id=stocktake.pk)
    with pytest.raises(PermissionRefused):
        stocktake_post(organization=org, actor=keeper, stocktake_id=stocktake.pk, date=LATER)
    stocktake = stocktake_post(organization=org, actor=accountant, stocktake_id=stocktake.pk, date=LATER)
    assert stocktake.approved_by_id == accountant.pk
    assert stocktake.voucher.total_debit == D("15.00")
    clean(org)


def test_nothing_half_saved_when_the_voucher_fails(org, owner, warehouse, make_product):
    """The voucher is refused (its account 190101 was deactivated), so no move is kept either."""
    pen = make_product()
    receive(org, pen, warehouse, "10", "5.00")
    stocktake = start(org, warehouse)
    count(org, stocktake, {pen: "7"})
    stocktake_submit(organization=org, actor=owner, stocktake_id=stocktake.pk)
    stocktake_approve(organization=org, actor=owner, stocktake_id=stocktake.pk)
    Account.objects.filter(organization=org, code="190101").update(is_active=False)
    with pytest.raises(DomainError):
        stocktake_post(organization=org, actor=owner, stocktake_id=stocktake.pk, date=LATER)
    assert Stocktake.objects.get().status == StocktakeStatus.APPROVED
    assert not StockMove.objects.filter(source_type="inventory.stocktake").exists()
    assert StocktakeLine.objects.get().difference == 0
    assert level(pen, warehouse).on_hand == D("10")


def test_an_open_stocktake_stops_the_month_end_close(org, owner, warehouse, make_product):
    from suanpan.accounting.closing import close_checks
    from suanpan.accounting.models import Period

    pen = make_product()
    receive(org, pen, warehouse, "1", "1.00")
    period = Period.objects.get(organization=org, year=DAY.year, month=DAY.month)
    assert "open_stocktakes" not in {c.code for c in close_checks(organization=org, period=period)}
    stocktake = start(org, warehouse)
    check = next(c for c in close_checks(organization=org, period=period) if c.code == "open_stocktakes")
    assert (check.ok, check.blocking) == (False, True)
    stocktake_cancel(organization=org, actor=owner, stocktake_id=stocktake.pk)
    check = next(c for c in close_checks(organization=org, period=period) if c.code == "open_stocktakes")
    assert check.ok


def test_a_loss_revalued_by_the_costing_run_keeps_verify_clean(org, owner, warehouse, make_product):
    """Monthly average: the loss posts at the provisional cost, the costing run revalues it and books the
    difference under its own voucher. Pens: 10 @ 5.00, loss 4 → provisional 20.00; receipt 10 @ 8.00 later in
    the month → average 130.00 / 20 = 6.50, the loss becomes 26.00 and the run books Dr 190101 6.00 / Cr 1405
    6.00. The stock check ties the stocktake and the run's voucher together for the month, so it stays clean."""
    from suanpan.core.choices import CostingMethod
    from suanpan.inventory import costing

    org.costing_method = CostingMethod.MONTHLY_AVERAGE
    org.save()
    pen = make_product("P1")
    receive(org, pen, warehouse, "10", "5.00")
    stocktake = start(org, warehouse, actor=owner)
    count(org, stocktake, {pen: "6"}, actor=owner)
    stocktake = approve_and_post(org, stocktake, owner)
    receive(org, pen, warehouse, "10", "8.00", date=LATER + datetime.timedelta(days=1))
    run = costing.costing_run(organization=org, actor=owner, year=2026, month=11)
    assert StockMove.objects.get(source_id=stocktake.pk).value == D("-26.00")
    assert [(ln.account.code, ln.debit, ln.credit) for ln in run.voucher.lines.order_by("account__code")] == [
        ("1405", D("0"), D("6.00")),
        ("190101", D("6.00"), D("0")),
    ]
    clean(org)
