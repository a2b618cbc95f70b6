"""Pure arithmetic and voucher lines of invoices and credit notes (红字发票).

Rounding (STYLE.md §18): an invoice line's amount = quantity × unit price (excl. VAT) and its tax = amount × VAT
rate are each rounded to 0.01 half-up; its total is amount + tax; the invoice's amount, tax and total are the sums
of its lines. The invoice that brings a line (delivery line or service order line) with nothing returned to fully
invoiced takes exactly what the earlier invoices left of the line's amount and tax, so invoicing a line in parts
adds up to the line to the cent. Likewise a credit note that takes back everything still invoiced on a delivery
line takes back exactly the net invoiced amount and tax.

Invoice voucher (reference vouchers_china.md §5.2): Dr 1122 应收账款 (the customer, total) / Cr 5001 主营业务收入
(amount, one line per product) / Cr 22210107 销项税额 (tax) — a small-scale taxpayer credits 222101 应交增值税
(no 专栏). A credit note posts the same lines with negative amounts (红字) on the same sides, in the period of the
credit note. A document worth nothing posts no voucher.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from suanpan.accounting.models import Account
from suanpan.core.money import ZERO, money
from suanpan.partners.models import Partner


@dataclass(frozen=True)
class Amounts:
    amount: Decimal
    tax: Decimal

    @property
    def total(self) -> Decimal:
        return self.amount + self.tax


def line_amounts(quantity: Decimal, unit_price: Decimal, vat_rate: Decimal) -> Amounts:
    """Amount and tax of `quantity` (signed: negative on a credit note) at a unit price and VAT rate."""
    amount = money(quantity * unit_price)
    return Amounts(amount, money(amount * vat_rate))


def rest_of(whole: Amounts, already: Amounts) -> Amounts:
    """What the earlier parts left of a line: the last part takes it, so the parts add up to the line."""
    return Amounts(whole.amount - already.amount, whole.tax - already.tax)


@dataclass(frozen=True)
class RevenueLine:
    product_id: int
    amount: Decimal
    summary: str


def invoice_voucher_lines(
    *,
    summary: str,
    customer: Partner,
    receivable: Account,
    revenue: Account,
    output_vat: Account,
    lines: Sequence[RevenueLine],
    tax: Decimal,
    total: Decimal,
) -> list[dict[str, Any]]:
    """Dr 1122 total (customer) / Cr 5001 per product / Cr output VAT. Amounts are signed as on the document:
    a credit note's negative amounts give the red lines on the same sides."""
    by_product: dict[int, RevenueLine] = {}
    for line in lines:
        found = by_product.get(line.product_id)
        by_product[line.product_id] = (
            line if found is None else RevenueLine(line.product_id, found.amount + line.amount, found.summary)
        )
    rows: list[dict[str, Any]] = [
        {"summary": summary, "account": receivable, "partner": customer.pk, "debit": total},
    ]
    rows += [
        {"summary": ln.summary, "account": revenue, "product": ln.product_id, "credit": ln.amount}
        for ln in by_product.values()
        if ln.amount != ZERO
    ]
    if tax != ZERO:
        rows.append({"summary": summary, "account": output_vat, "credit": tax})
    return rows
