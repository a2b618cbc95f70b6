"""Order to cash, read top to bottom: a rep takes an order (no quote), the warehouse delivers part of it, finance
invoices what left, the customer pays part, sends two cartridges back, gets a credit note, the rest is delivered
and invoiced, and the customer pays the balance. After every step the ledgers are checked by hand — stock
(on hand, reserved, value), the books (1405 / 5401 / 1122 / 5001 / 22210107 / 1002) and the open receivables —
and `verify` is clean after each.

Numbers (general taxpayer, 13 % VAT, moving average; rounding per line, half up):
  stock    pens 100 @ 8.00 = 800.00; ink 20 @ 30.00 = 600.00
  order    30 pens × 20.00 (the product's price) = 600.00 + VAT 78.00 = 678.00
           10 ink × 50.00 (typed)                = 500.00 + VAT 65.00 = 565.00      → 1,100.00 + 143.00 = 1,243.00
  delivery 1: 20 pens (cost 160.00) + 10 ink (cost 300.00)       → Dr 5401 460.00 / Cr 1405 460.00
  invoice 1: 400.00 + 52.00 and 500.00 + 65.00 = 900.00 + 117.00 → Dr 1122 1,017.00 / Cr 5001 900.00 / Cr 22210107
             117.00; receivable 1,017.00 due in 30 days
  receipt 1: 500.00 into the bank, written off against invoice 1 → 517.00 open
  return:    2 ink of delivery 1 back at 30.00 = 60.00           → Dr 1405 60.00 / Cr 5401 60.00 (red ink)
  credit note: −2 × 50.00 = −100.00, VAT −13.00 → −113.00        → 404.00 open
  delivery 2: the last 10 pens (cost 80.00); invoice 2: 200.00 + 26.00 = 226.00 → 630.00 open
  receipt 2: 630.00, everything settled.
"""

import datetime
from decimal import Decimal

import pytest

from suanpan.accounting.models import Account, AccountBalance
from suanpan.finance import receipts
from suanpan.finance import selectors as open_items
from suanpan.finance.choices import OpenItemKind
from suanpan.inventory.models import StockLevel
from suanpan.sales import deliveries, invoicing, orders, returns
from suanpan.sales.choices import OrderStatus, Progress
from suanpan.sales.tests.conftest import customer, make_product, stock, warehouse  # noqa: F401 - fixtures
from suanpan.verify import verify_organization

pytestmark = pytest.mark.django_db
D = Decimal
DAY = datetime.date(2026, 11, 5)


def gl(org, code, partner=None):
    """Debit − credit of an account over all periods (by customer when given)."""
    rows = AccountBalance.objects.filter(organization=org, account__code=code, partner=partner)
    return sum((r.debit - r.credit for r in rows), D("0"))


def books(org):
    return {code: gl(org, code) for code in ("1405", "5401", "1122", "5001", "22210107", "1002")}


def level(product, place):
    row = StockLevel.objects.get(product=product, warehouse=place)
    return row.on_hand, row.reserved, row.value


def owed(org, who):
    return open_items.open_total(organization=org, kind=OpenItemKind.RECEIVABLE, partner_id=who.pk)


def assert_clean(org):
    assert {r.check: r.differences for r in verify_organization(org) if r.differences} == {}


def test_order_to_cash(org, member, customer, warehouse, make_product, stock):  # noqa: F811 - fixtures
    rep, keeper, accountant = member("sales"), member("warehouse"), member("finance")
    pen, ink = make_product("PEN", sale_price="20.00"), make_product("INK", sale_price="60.00")
    stock(pen, warehouse, "100", "8.00")
    stock(ink, warehouse, "20", "30.00")
    bank = Account.objects.get(organization=org, code="1002")
    opening_books = books(org)

    # 1. The rep enters the order and confirms it: the stock is reserved, nothing else moves.
    order = orders.order_create(
        organization=org,
        actor=rep,
        data={
            "customer_id": customer.pk,
            "warehouse_id": warehouse.pk,
            "date": DAY,
            "lines": [
                {"product_id": pen.pk, "quantity": "30"},
                {"product_id": ink.pk, "quantity": "10", "unit_price": "50.00"},
            ],
        },
    )
    assert (order.amount, order.tax, order.total) == (D("1100.00"), D("143.00"), D("1243.00"))
    order = orders.order_confirm(organization=org, actor=rep, order_id=order.pk)
    assert order.status == OrderStatus.CONFIRMED
    assert level(pen, warehouse) == (D("100"), D("30"), D("800.00"))
    assert level(ink, warehouse) == (D("20"), D("10"), D("600.00"))
    assert books(org) == opening_books
    assert_clean(org)
    pen_line, ink_line = order.lines.order_by("seq")

    # 2. The warehouse delivers 20 pens and all the ink: stock out at cost, reservation released, COGS booked.
    first = deliveries.delivery_post(
        organization=org,
        actor=keeper,
        data={
            "date": DAY,
            "warehouse_id": warehouse.pk,
            "lines": [
                {"order_line_id": pen_line.pk, "quantity": "20"},
                {"order_line_id": ink_line.pk, "quantity": "10"},
            ],
            "carrier": "顺丰速运",
            "tracking_number": "SF1234567890",
        },
    )
    assert first.cost == D("460.00")
    assert level(pen, warehouse) == (D("80"), D("10"), D("640.00"))
    assert level(ink, warehouse) == (D("10"), D("0"), D("300.00"))
    order.refresh_from_db()
    assert order.status == OrderStatus.PARTIALLY_DELIVERED
    assert (gl(org, "5401"), gl(org, "1405") - opening_books["1405"]) == (D("460.00"), D("-460.00"))
    assert_clean(org)

    # 3. Finance invoices what left: revenue, output VAT and a receivable due in 30 days.
    invoice = invoicing.invoice_post(
        organization=org,
        actor=accountant,
        data={
            "date": DAY,
            "invoice_type": "normal",
            "lines": [{"delivery_line_id": dl.pk, "quantity": str(dl.quantity)} for dl in first.lines.all()],
        },
    )
    assert (invoice.amount, invoice.tax, invoice.total) == (D("900.00"), D("117.00"), D("1017.00"))
    assert invoice.due_date == DAY + datetime.timedelta(days=30)
    assert (gl(org, "1122"), gl(org, "5001"), gl(org, "22210107")) == (D("1017.00"), D("-900.00"), D("-117.00"))
    assert owed(org, customer) == D("1017.00")
    assert_clean(org)

    # 4. The customer pays 500.00; it is written off against the invoice.
    receipts.receipt_post(
        organization=org,
        actor=accountant,
        data={"customer_id": customer.pk, "date": DAY, "account_id": bank.pk, "amount": "500.00"},
    )
    assert (gl(org, "1002"), gl(org, "1122")) == (D("500.00"), D("517.00"))
    assert owed(org, customer) == D("517.00")
    order.refresh_from_db()
    assert (order.invoice_progress, order.payment_progress) == (Progress.PARTIAL, Progress.PARTIAL)
    assert_clean(org)

    # 5. Two cartridges come back: into stock at the 30.00 they left with, cost of goods reversed.
    ink_delivered = first.lines.get(product=ink)
    back = returns.sales_return_post(
        organization=org,
        actor=keeper,
        data={
            "delivery_id": first.pk,
            "date": DAY,
            "reason": "包装破损",
            "lines": [{"delivery_line_id": ink_delivered.pk, "quantity": "2"}],
        },
    )
    assert back.cost == D("60.00")
    assert level(ink, warehouse) == (D("12"), D("0"), D("360.00"))
    assert gl(org, "5401") == D("400.00")
    assert_clean(org)

    # 6. The credit note (red invoice) takes 113.00 off what is owed.
    credit = invoicing.credit_note_for_return(organization=org, actor=accountant, return_id=back.pk, date=DAY)
    assert (credit.amount, credit.tax, credit.total) == (D("-100.00"), D("-13.00"), D("-113.00"))
    assert credit.original == invoice
    assert (gl(org, "1122"), gl(org, "5001"), gl(org, "22210107")) == (D("404.00"), D("-800.00"), D("-104.00"))
    assert owed(org, customer) == D("404.00")
    assert_clean(org)

    # 7. The last 10 pens go out and are invoiced.
    second = deliveries.delivery_post(
        organization=org,
        actor=keeper,
        data={"date": DAY, "warehouse_id": warehouse.pk, "lines": [{"order_line_id": pen_line.pk, "quantity": "10"}]},
    )
    assert second.cost == D("80.00")
    assert level(pen, warehouse) == (D("70"), D("0"), D("560.00"))
    order.refresh_from_db()
    assert order.status == OrderStatus.DELIVERED
    invoicing.invoice_post(
        organization=org,
        actor=accountant,
        data={
            "date": DAY,
            "invoice_type": "normal",
            "lines": [{"delivery_line_id": second.lines.get().pk, "quantity": "10"}],
        },
    )
    assert owed(org, customer) == D("630.00")
    assert_clean(org)

    # 8. The customer pays the balance: nothing is owed, the books hold the margin.
    receipts.receipt_post(
        organization=org,
        actor=accountant,
        data={"customer_id": customer.pk, "date": DAY, "account_id": bank.pk, "amount": "630.00"},
    )
    assert owed(org, customer) == D("0")
    order.refresh_from_db()
    assert (order.status, order.invoice_progress, order.payment_progress) == (
        OrderStatus.DELIVERED,
        Progress.FULL,
        Progress.FULL,
    )
    assert books(org) == {
        "1405": opening_books["1405"] - D("480.00"),  # 460 + 80 out, 60 back
        "5401": D("480.00"),
        "1122": D("0"),
        "5001": D("-1000.00"),  # 900 + 200 − 100
        "22210107": D("-130.00"),  # 117 + 26 − 13
        "1002": D("1130.00"),
    }
    assert_clean(org)
