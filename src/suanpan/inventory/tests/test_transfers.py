"""Transfers (调拨): draft → shipped (in transit) → received; shortages written off through 190101."""

import datetime
from decimal import Decimal

import pytest

from suanpan.accounting.models import AccountBalance, Voucher
from suanpan.core.exceptions import DomainError, InvalidInput, PermissionRefused
from suanpan.core.models import NumberSequence
from suanpan.inventory import selectors
from suanpan.inventory.choices import MoveKind, TransferStatus
from suanpan.inventory.models import Lot, LotStock, StockLevel, StockMove, Transfer, TransferLine
from suanpan.inventory.posting import MoveSpec
from suanpan.inventory.services import stock_post
from suanpan.inventory.transfers import transfer_cancel, transfer_create, transfer_receive, transfer_ship
from suanpan.verify import verify_organization

from .conftest import DAY

pytestmark = pytest.mark.django_db
D = Decimal
NEXT = DAY + datetime.timedelta(days=2)


def receive(org, product, warehouse, quantity, unit_cost, *, lot=None, date=DAY):
    spec = MoveSpec(product.pk, warehouse.pk, D(quantity), MoveKind.RECEIPT, lot_id=lot, unit_cost=D(unit_cost))
    return stock_post(organization=org, actor=None, date=date, moves=[spec])[0]


def level(product, warehouse):
    return StockLevel.objects.filter(product=product, warehouse=warehouse).first()


def gl_1405(org):
    """Net debit of 1405 over posted vouchers."""
    rows = AccountBalance.objects.filter(account__organization=org, account__code="1405")
    return sum((r.debit - r.credit for r in rows), D("0"))


def clean(org):
    problems = {r.check: r.differences for r in verify_organization(org) if r.differences}
    assert problems == {}


def make(org, warehouse, store, lines, actor=None):
    return transfer_create(
        organization=org, actor=actor, date=DAY, from_warehouse=warehouse.pk, to_warehouse=store.pk, lines=lines
    )


def test_ship_and_receive_moves_exactly_the_value_that_left(org, owner, warehouse, store, make_product):
    """10 @ 3.333333 (value 33.33) and 5 more @ 4.00 (20.00): 15 worth 53.33. Ship 7: 53.33 × 7/15 = 24.887 →
    24.89 leaves; the store receives 7 worth exactly 24.89 (unit 3.555714); 8 worth 28.44 stay behind."""
    pen = make_product()
    receive(org, pen, warehouse, "10", "3.333333")
    receive(org, pen, warehouse, "5", "4.00")
    transfer = make(org, warehouse, store, [{"product": pen.pk, "quantity": "7"}], actor=owner)
    assert transfer.status == TransferStatus.DRAFT
    assert transfer.number == ""
    assert not StockMove.objects.filter(source_type="inventory.transfer").exists()

    transfer = transfer_ship(organization=org, actor=owner, transfer_id=transfer.pk, date=DAY)
    assert transfer.number == "TR202611-0001"
    assert transfer.status == TransferStatus.SHIPPED
    out = StockMove.objects.get(source_type="inventory.transfer", kind=MoveKind.TRANSFER_OUT)
    assert (out.quantity, out.value, out.warehouse_id, out.source_label) == (
        D("-7"),
        D("-24.89"),
        warehouse.pk,
        "TR202611-0001",
    )
    line = TransferLine.objects.get(transfer=transfer)
    assert line.shipped_value == D("24.89")
    assert (level(pen, warehouse).on_hand, level(pen, warehouse).value) == (D("8"), D("28.44"))
    assert level(pen, store) is None or level(pen, store).on_hand == 0
    assert [(t.product_id, t.quantity, t.shipped_value) for t in selectors.in_transit_lines(organization=org)] == [
        (pen.pk, D("7"), D("24.89"))
    ]
    assert selectors.in_transit_value(organization=org) == D("24.89")
    clean(org)

    transfer = transfer_receive(organization=org, actor=owner, transfer_id=transfer.pk, date=NEXT)
    assert transfer.status == TransferStatus.RECEIVED
    inn = StockMove.objects.get(source_type="inventory.transfer", kind=MoveKind.TRANSFER_IN)
    assert (inn.quantity, inn.value, inn.unit_cost, inn.warehouse_id) == (D("7"), D("24.89"), D("3.555714"), store.pk)
    assert (level(pen, store).on_hand, level(pen, store).value) == (D("7"), D("24.89"))
    assert selectors.in_transit_value(organization=org) == D("0")
    assert transfer.loss_voucher is None
    assert not Voucher.objects.filter(source_type="inventory.transfer").exists()  # no GL effect
    clean(org)


def test_shortage_on_receipt_is_written_off_through_190101(org, owner, warehouse, store, make_product):
    """Ship 10 worth 120.00 (12.00 each); 7 arrive: 120.00 × 7/10 = 84.00 comes in, 36.00 is written off:
    Dr 190101 36.00 / Cr 1405 36.00."""
    ink = make_product()
    receive(org, ink, warehouse, "10", "12.00")
    transfer = make(org, warehouse, store, [{"product": ink.pk, "quantity": "10"}])
    transfer_ship(organization=org, actor=owner, transfer_id=transfer.pk, date=DAY)
    line = transfer.lines.get()
    before = gl_1405(org)
    transfer = transfer_receive(
        organization=org, actor=owner, transfer_id=transfer.pk, date=NEXT, received={line.pk: "7"}
    )
    line.refresh_from_db()
    assert (line.received_quantity, line.received_value, line.loss_value, line.short_quantity) == (
        D("7"),
        D("84.00"),
        D("36.00"),
        D("3"),
    )
    assert (level(ink, store).on_hand, level(ink, store).value) == (D("7"), D("84.00"))
    voucher = transfer.loss_voucher
    assert voucher.status == "posted"
    assert (voucher.source_type, voucher.source_id, voucher.source_label) == (
        "inventory.transfer",
        transfer.pk,
        transfer.number,
    )
    lines = [(ln.account.code, ln.debit, ln.credit) for ln in voucher.lines.order_by("seq")]
    assert lines == [("190101", D("36.00"), D("0")), ("1405", D("0"), D("36.00"))]
    assert gl_1405(org) - before == D("-36.00")
    clean(org)


def test_batch_tracked_transfer_moves_the_lot(org, owner, warehouse, store, make_product):
    milk = make_product("M01", batch=True)
    lot = Lot.objects.create(organization=org, product=milk, number="L1", expiry_date=datetime.date(2027, 1, 1))
    receive(org, milk, warehouse, "5", "6.00", lot=lot.pk)
    transfer = make(org, warehouse, store, [{"product": milk.pk, "lot": lot.pk, "quantity": "2"}])
    transfer_ship(organization=org, actor=owner, transfer_id=transfer.pk, date=DAY)
    transfer_receive(organization=org, actor=owner, transfer_id=transfer.pk, date=DAY)
    stocks = {s.warehouse_id: s.on_hand for s in LotStock.objects.filter(lot=lot)}
    assert stocks == {warehouse.pk: D("3"), store.pk: D("2")}
    clean(org)


@pytest.mark.parametrize(
    ("lines", "field"),
    [
        ([], "lines"),
        ([{"product": "p", "quantity": "1.00001"}], "lines.1.quantity"),
        ([{"product": "p", "quantity": "0"}], "lines.1.quantity"),
        ([{"product": "p", "quantity": "-2"}], "lines.1.quantity"),
        ([{"product": "p", "quantity": 1.5}], "lines.1.quantity"),
        ([{"product": "p", "quantity": "abc"}], "lines.1.quantity"),
        ([{"product": 999999, "quantity": "1"}], "lines.1.product"),
        ([{"product": "p", "quantity": "1"}, {"product": "p", "quantity": "2"}], "lines.2.product"),
        ([{"product": "b", "quantity": "1"}], "lines.1.lot"),
        ([{"product": "p", "lot": "other", "quantity": "1"}], "lines.1.lot"),
        ([{"product": "b", "lot": "other", "quantity": "1"}], "lines.1.lot"),
    ],
)
def test_bad_lines_are_refused_naming_the_field(lines, field, org, warehouse, store, make_product):
    pen, batch, other = make_product("P1"), make_product("B1", batch=True), make_product("B2", batch=True)
    other_lot = Lot.objects.create(organization=org, product=other, number="X")
    ids = {"p": pen.pk, "b": batch.pk, "other": other_lot.pk}
    rows = [{k: ids.get(v, v) if k in ("product", "lot") else v for k, v in row.items()} for row in lines]
    with pytest.raises(InvalidInput) as exc:
        make(org, warehouse, store, rows)
    assert field in [e.field for e in exc.value.errors]
    assert not Transfer.objects.exists()
    assert not TransferLine.objects.exists()


def test_transfer_to_the_same_warehouse_is_refused(org, warehouse, make_product):
    pen = make_product()
    with pytest.raises(InvalidInput) as exc:
        make(org, warehouse, warehouse, [{"product": pen.pk, "quantity": "1"}])
    assert exc.value.errors[0].field == "to_warehouse"
    assert "another warehouse" in exc.value.message
    assert not Transfer.objects.exists()


def test_another_organizations_warehouse_is_refused(org, other_org, warehouse, make_product):
    from suanpan.inventory.services import warehouse_create

    theirs = warehouse_create(organization=other_org, actor=None, data={"code": "T1", "name": "别家仓"})
    pen = make_product()
    with pytest.raises(InvalidInput) as exc:
        make(org, warehouse, theirs, [{"product": pen.pk, "quantity": "1"}])
    assert exc.value.errors[0].field == "to_warehouse"


def test_shipping_more_than_on_hand_is_refused_and_writes_nothing(org, owner, warehouse, store, make_product):
    pen = make_product()
    receive(org, pen, warehouse, "3", "5.00")
    transfer = make(org, warehouse, store, [{"product": pen.pk, "quantity": "4"}])
    with pytest.raises(DomainError) as exc:
        transfer_ship(organization=org, actor=owner, transfer_id=transfer.pk, date=DAY)
    assert "3 on hand, 4 wanted" in exc.value.message
    transfer.refresh_from_db()
    assert (transfer.status, transfer.number) == (TransferStatus.DRAFT, "")
    assert StockMove.objects.count() == 1
    assert not NumberSequence.objects.filter(series="inventory.transfer", last_number__gt=0).exists()


def test_receiving_more_than_shipped_is_refused(org, owner, warehouse, store, make_product):
    pen = make_product()
    receive(org, pen, warehouse, "3", "5.00")
    transfer = make(org, warehouse, store, [{"product": pen.pk, "quantity": "2"}])
    transfer_ship(organization=org, actor=owner, transfer_id=transfer.pk, date=DAY)
    line = transfer.lines.get()
    with pytest.raises(InvalidInput) as exc:
        transfer_receive(organization=org, actor=owner, transfer_id=transfer.pk, date=DAY, received={line.pk: "2.5"})
    assert exc.value.errors[0].field == "lines.1.received_quantity"
    with pytest.raises(InvalidInput):
        transfer_receive(
            organization=org, actor=owner, transfer_id=transfer.pk, date=DAY, received={line.pk: "1.00001"}
        )
    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.SHIPPED
    assert StockMove.objects.filter(kind=MoveKind.TRANSFER_IN).count() == 0


def test_state_rules(org, owner, warehouse, store, make_product):
    pen = make_product()
    receive(org, pen, warehouse, "3", "5.00")
    draft = make(org, warehouse, store, [{"product": pen.pk, "quantity": "1"}])
    with pytest.raises(DomainError):
        transfer_receive(organization=org, actor=owner, transfer_id=draft.pk, date=DAY)
    shipped = make(org, warehouse, store, [{"product": pen.pk, "quantity": "1"}])
    transfer_ship(organization=org, actor=owner, transfer_id=shipped.pk, date=DAY)
    with pytest.raises(DomainError) as exc:
        transfer_cancel(organization=org, actor=owner, transfer_id=shipped.pk)
    assert "receive them" in exc.value.message
    with pytest.raises(DomainError):
        transfer_ship(organization=org, actor=owner, transfer_id=shipped.pk, date=DAY)
    assert transfer_cancel(organization=org, actor=owner, transfer_id=draft.pk).status == TransferStatus.CANCELLED
    with pytest.raises(DomainError):
        transfer_ship(organization=org, actor=owner, transfer_id=draft.pk, date=DAY)
    assert StockMove.objects.filter(kind=MoveKind.TRANSFER_OUT).count() == 1


def test_permissions(org, member, warehouse, store, make_product):
    pen = make_product()
    receive(org, pen, warehouse, "3", "5.00")
    with pytest.raises(PermissionRefused):
        make(org, warehouse, store, [{"product": pen.pk, "quantity": "1"}], actor=member("sales"))
    keeper = member("warehouse")
    transfer = make(org, warehouse, store, [{"product": pen.pk, "quantity": "1"}], actor=keeper)
    with pytest.raises(PermissionRefused):
        transfer_ship(organization=org, actor=member("finance"), transfer_id=transfer.pk, date=DAY)
    transfer_ship(organization=org, actor=keeper, transfer_id=transfer.pk, date=DAY)
    transfer_receive(organization=org, actor=keeper, transfer_id=transfer.pk, date=DAY, received={})
    assert level(pen, store).on_hand == D("1")


def test_a_shortage_voucher_needs_no_bookkeeping_role(org, member, warehouse, store, make_product):
    """The warehouse keeper receiving short triggers the write-off voucher without holding voucher permissions."""
    pen = make_product()
    receive(org, pen, warehouse, "2", "5.00")
    keeper = member("warehouse")
    transfer = make(org, warehouse, store, [{"product": pen.pk, "quantity": "2"}], actor=keeper)
    transfer_ship(organization=org, actor=keeper, transfer_id=transfer.pk, date=DAY)
    line = transfer.lines.get()
    transfer = transfer_receive(
        organization=org, actor=keeper, transfer_id=transfer.pk, date=DAY, received={line.pk: "0"}
    )
    assert transfer.loss_voucher.total_debit == D("10.00")
    assert transfer.loss_voucher.reviewer_id is None
    assert not StockMove.objects.filter(kind=MoveKind.TRANSFER_IN).exists()
    clean(org)


def test_another_organizations_transfer_is_not_found(org, other_org, owner, warehouse, store, make_product):
    pen = make_product()
    receive(org, pen, warehouse, "3", "5.00")
    transfer = make(org, warehouse, store, [{"product": pen.pk, "quantity": "1"}])
    from suanpan.core.exceptions import NotFound

    with pytest.raises(NotFound):
        transfer_ship(organization=other_org, actor=None, transfer_id=transfer.pk, date=DAY)
