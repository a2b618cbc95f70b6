"""The demo's stock and purchasing: opening stock worth the books' 1405, this month's documents in every state."""

from decimal import Decimal

import pytest
from django.utils import timezone

from suanpan.core.models import AuditEvent
from suanpan.demo import load_demo
from suanpan.demo_books import OPENING
from suanpan.finance.choices import PaymentKind
from suanpan.finance.models import Payment
from suanpan.inventory import opening, reorder
from suanpan.inventory.choices import StocktakeStatus, TransferStatus
from suanpan.inventory.models import Lot, StockMove, StockRule, Stocktake, Transfer
from suanpan.purchasing.choices import OrderStatus
from suanpan.purchasing.models import PurchaseOrder, PurchaseReturn, Receipt
from suanpan.verify import verify_organization

pytestmark = pytest.mark.django_db
D = Decimal


def test_demo_stock_and_purchasing():
    org = load_demo()
    today = timezone.localdate()

    # Opening stock: one batch entered by the warehouse keeper, worth exactly the opening balance of 1405.
    tie = opening.opening_stock_tie_out(organization=org)
    assert tie.stock_value == tie.books_value == sum(D(a) for code, a, _n in OPENING if code == "1405")
    assert (tie.entered, tie.accepted) == (True, True)
    (batch,) = opening.opening_stock_batches(organization=org)
    assert batch.entered_by == "黄磊"
    assert {m.warehouse.code for m in batch.moves} == {"WH01", "ST01"}
    batch_tracked = [m for m in batch.moves if m.product.is_batch_tracked]
    assert batch_tracked
    assert all(m.lot is not None and m.lot.production_date <= m.lot.expiry_date for m in batch_tracked)

    # This month: dated within it, never after today.
    moves = StockMove.objects.filter(organization=org).exclude(source_type=opening.SOURCE_TYPE)
    assert all(m.date.replace(day=1) == today.replace(day=1) and m.date <= today for m in moves)
    orders = {o.notes: o.status for o in PurchaseOrder.objects.filter(organization=org)}
    assert sorted(orders.values()) == sorted(
        [OrderStatus.RECEIVED, OrderStatus.PARTIALLY_RECEIVED, OrderStatus.APPROVED, OrderStatus.DRAFT]
    )
    received = PurchaseOrder.objects.get(organization=org, status=OrderStatus.RECEIVED)
    assert Receipt.objects.filter(order=received).count() == 2
    assert Lot.objects.filter(organization=org, number__endswith=f"{today:%Y%m}B").exists()
    assert PurchaseReturn.objects.filter(organization=org, receipt__order=received).count() == 1
    payments = Payment.objects.filter(organization=org, kind=PaymentKind.SUPPLIER_PAYMENT)  # not the sales demo's
    assert sorted(p.advance > 0 for p in payments) == [False, True]
    written_off = payments.get(advance=0)
    assert written_off.allocations.count() == 2  # the receipt and the return's credit, 核销 together
    assert sorted(t.status for t in Transfer.objects.filter(organization=org)) == sorted(
        [TransferStatus.RECEIVED, TransferStatus.SHIPPED]
    )
    take = Stocktake.objects.get(organization=org)
    assert take.status == StocktakeStatus.POSTED
    assert take.warehouse.is_store
    assert sorted(take.lines.exclude(difference=0).values_list("difference", flat=True)) == [D("-3"), D("2")]
    assert StockRule.objects.filter(organization=org).count() == 4
    suggestions = reorder.reorder_suggestions(organization=org)
    assert {s.product.code for s in suggestions} >= {"TS-10", "HS-500", "CF-12", "PS-76"}
    assert {r.check: r.differences for r in verify_organization(org) if r.differences} == {}

    audit = AuditEvent.objects.filter(organization=org).count()
    load_demo()
    assert AuditEvent.objects.filter(organization=org).count() == audit
    assert StockMove.objects.filter(organization=org).count() == moves.count() + len(batch.moves)
