"""Purchase to pay, read top to bottom: a buyer orders, a manager approves, the warehouse receives in two parts
with lots, sends some back, finance pays part and then the rest. After every step the three ledgers are checked
by hand — stock (levels, lots, moves), the books (vouchers, 1405 / 22210101 / 2202 / 1002 balances) and the open
payables — and `verify` is clean at the end.

Numbers (general taxpayer, 13% VAT; rounding per line, half up):
  order   100 × 12.50 = 1,250.00 + VAT 162.50 = 1,412.50   (ink, batch-tracked)
           40 × 3.333333 = 133.33 + VAT 17.33 = 150.66      (pens)
  receipt 1:  60 ink (lot L1)            750.00 + 97.50 = 847.50
             40 pens                    133.33 + 17.33 = 150.66      → 998.16 payable, due +30 days
  receipt 2:  40 ink (lot L2)            500.00 + 65.00 = 565.00     → 565.00 payable
  return:     10 ink of lot L1: 10/60 of 750.00 = 125.00, VAT 10/60 of 97.50 = 16.25 → −141.25 credit
  payment 1:  600.00 from the bank: the credit −141.25 nets first, then 741.25 settles receipt 1 oldest-first
              (998.16 − 741.25 = 256.91 still open)
  payment 2:  821.91 = 256.91 + 565.00, everything settled.
"""

import datetime
from decimal import Decimal

import pytest

from suanpan.accounting.models import Account, AccountBalance, Voucher
from suanpan.finance import selectors as payables
from suanpan.finance import services as finance
from suanpan.finance.choices import OpenItemKind
from suanpan.inventory.models import LotStock, StockLevel, StockMove
from suanpan.purchasing import services as purchasing
from suanpan.purchasing.choices import OrderStatus
from suanpan.purchasing.models import PurchaseOrder
from suanpan.purchasing.tests.conftest import make_product, supplier, warehouse  # noqa: F401 - fixtures
from suanpan.verify import verify_organization

pytestmark = pytest.mark.django_db
D = Decimal
DAY = datetime.date(2026, 11, 5)


def gl(org, code, partner=None):
    """Debit − credit of an account over all periods (by supplier when given)."""
    rows = AccountBalance.objects.filter(organization=org, account__code=code, partner=partner)
    return sum((r.debit - r.credit for r in rows), D("0"))


def stock(product, place):
    level = StockLevel.objects.get(product=product, warehouse=place)
    return level.on_hand, level.value


def open_payables(org, partner):
    return payables.open_total(organization=org, kind=OpenItemKind.PAYABLE, partner_id=partner.pk)


def assert_clean(org):
    problems = {r.check: r.differences for r in verify_organization(org) if r.differences}
    assert problems == {}


def test_purchase_to_pay(org, member, supplier, warehouse, make_product):  # noqa: F811 - fixtures
    buyer, manager, keeper, cashier = member("purchasing"), member("owner"), member("warehouse"), member("finance")
    ink, pen = make_product("INK", batch=True), make_product("PEN")
    bank = Account.objects.get(organization=org, code="1002")

    # 1. The buyer drafts the order; the manager approves it and it takes its number.
    order = purchasing.purchase_order_create(
        organization=org,
        actor=buyer,
        data={
            "supplier_id": supplier.pk,
            "warehouse_id": warehouse.pk,
            "date": DAY,
            "expected_date": DAY + datetime.timedelta(days=7),
            "lines": [
                {"product_id": ink.pk, "quantity": D("100"), "unit_price": D("12.50")},
                {"product_id": pen.pk, "quantity": D("40"), "unit_price": D("3.333333")},
            ],
        },
    )
    assert (order.amount, order.tax, order.total) == (D("1383.33"), D("179.83"), D("1563.16"))
    assert order.status == OrderStatus.DRAFT
    assert order.number == ""
    order = purchasing.purchase_order_approve(organization=org, actor=manager, order_id=order.pk)
    assert (order.status, order.number) == (OrderStatus.APPROVED, "PO202611-0001")
    ink_line, pen_line = order.lines.order_by("seq")

    # 2. First delivery: 60 ink of lot L1 and all 40 pens.
    first = purchasing.receipt_post(
        organization=org,
        actor=keeper,
        order_id=order.pk,
        date=DAY + datetime.timedelta(days=2),
        invoice_number="04400000000012345678",
        lines=[
            {
                "order_line_id": ink_line.pk,
                "quantity": D("60"),
                "lot_number": "L1",
                "production_date": datetime.date(2026, 10, 1),
                "expiry_date": datetime.date(2027, 10, 1),
            },
            {"order_line_id": pen_line.pk, "quantity": D("40")},
        ],
    )
    assert (first.number, first.amount, first.tax, first.total) == (
        "GR202611-0001",
        D("883.33"),
        D("114.83"),
        D("998.16"),
    )
    assert first.due_date == datetime.date(2026, 12, 7)
    assert stock(ink, warehouse) == (D("60"), D("750.00"))
    assert stock(pen, warehouse) == (D("40"), D("133.33"))
    assert LotStock.objects.get(product=ink, lot__number="L1").on_hand == D("60")
    assert (gl(org, "1405"), gl(org, "22210101"), gl(org, "2202")) == (D("883.33"), D("114.83"), D("-998.16"))
    assert gl(org, "2202", supplier) == D("-998.16")
    assert open_payables(org, supplier) == D("998.16")
    voucher = Voucher.objects.get(pk=first.voucher_id)
    assert (voucher.status, voucher.source_type, voucher.source_label) == ("posted", "purchasing.receipt", first.number)
    order.refresh_from_db()
    assert order.status == OrderStatus.PARTIALLY_RECEIVED
    assert_clean(org)

    # 3. Second delivery: the remaining 40 ink, lot L2. The order is now received in full.
    second = purchasing.receipt_post(
        organization=org,
        actor=keeper,
        order_id=order.pk,
        date=DAY + datetime.timedelta(days=6),
        lines=[{"order_line_id": ink_line.pk, "quantity": "40", "lot_number": "L2"}],
    )
    assert second.total == D("565.00")
    assert stock(ink, warehouse) == (D("100"), D("1250.00"))
    assert (gl(org, "1405"), gl(org, "2202")) == (D("1383.33"), D("-1563.16"))
    assert open_payables(org, supplier) == D("1563.16")
    order.refresh_from_db()
    assert order.status == OrderStatus.RECEIVED
    assert [ln.received_quantity for ln in order.lines.order_by("seq")] == [D("100"), D("40")]

    # 4. Ten ink of lot L1 are faulty and go back: out at the cost they came in with, red voucher, a credit.
    first_ink = first.lines.get(product=ink)
    back = purchasing.purchase_return_post(
        organization=org,
        actor=keeper,
        receipt_id=first.pk,
        date=DAY + datetime.timedelta(days=8),
        lines=[{"receipt_line_id": first_ink.pk, "quantity": D("10")}],
        reason="破损",
    )
    assert (back.number, back.amount, back.tax, back.total, back.cost) == (
        "PR202611-0001",
        D("125.00"),
        D("16.25"),
        D("141.25"),
        D("125.00"),
    )
    move = StockMove.objects.get(source_type="purchasing.return", source_id=back.pk)
    assert (move.kind, move.quantity, move.value) == ("purchase_return", D("-10"), D("-125.00"))
    assert stock(ink, warehouse) == (D("90"), D("1125.00"))
    assert LotStock.objects.get(product=ink, lot__number="L1").on_hand == D("50")
    red = Voucher.objects.get(pk=back.voucher_id)
    assert sorted((ln.account.code, ln.debit, ln.credit) for ln in red.lines.all()) == [
        ("1405", D("-125.00"), D("0")),
        ("2202", D("0"), D("-141.25")),
        ("22210101", D("-16.25"), D("0")),
    ]
    assert (gl(org, "1405"), gl(org, "22210101"), gl(org, "2202")) == (D("1258.33"), D("163.58"), D("-1421.91"))
    assert open_payables(org, supplier) == D("1421.91")
    assert_clean(org)

    # 5. Finance pays 600.00: the credit nets first, the cash and credit settle the oldest payable.
    pay = finance.payment_create(
        organization=org,
        actor=cashier,
        partner_id=supplier.pk,
        date=DAY + datetime.timedelta(days=10),
        account_id=bank.pk,
        amount=D("600.00"),
    )
    assert [(a.item.source_label, a.amount) for a in pay.allocations.order_by("id")] == [
        ("PR202611-0001", D("-141.25")),
        ("GR202611-0001", D("741.25")),
    ]
    assert (gl(org, "1002"), gl(org, "2202")) == (D("-600.00"), D("-821.91"))
    assert open_payables(org, supplier) == D("821.91")
    items = {i.source_label: i.open_amount for i in payables.open_item_list(organization=org, partner_id=supplier.pk)}
    assert items == {"GR202611-0001": D("256.91"), "GR202611-0002": D("565.00"), "PR202611-0001": D("0.00")}
    cash_line = Voucher.objects.get(pk=pay.voucher_id).lines.get(account__code="1002")
    assert cash_line.cash_flow_item == "3"

    # 6. And the rest.
    finance.payment_create(
        organization=org,
        actor=cashier,
        partner_id=supplier.pk,
        date=DAY + datetime.timedelta(days=12),
        account_id=bank.pk,
        amount=D("821.91"),
    )
    assert (gl(org, "1002"), gl(org, "2202"), open_payables(org, supplier)) == (D("-1421.91"), D("0"), D("0"))
    assert not payables.open_item_list(organization=org, partner_id=supplier.pk, open_only=True).exists()
    assert PurchaseOrder.objects.get(pk=order.pk).status == OrderStatus.RECEIVED
    assert_clean(org)
