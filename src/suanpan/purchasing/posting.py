"""Pure arithmetic and voucher lines of purchase documents.

Rounding (STYLE.md §18, stated and tested): a line's amount = quantity × unit price (excl. VAT) and its tax =
amount × VAT rate are each rounded to 0.01 half-up; the total is amount + tax; a document's amount, tax and total
are the sums of its lines. Inventory value of a receipt line = its amount for a general taxpayer, amount + tax for a
small-scale taxpayer (VAT not creditable is part of the cost, reference §5.1).

A return line takes the same share of the receipt line's amount, tax and value as its quantity is of the
line's quantity, rounded; the return that brings the returned quantity to the whole line takes exactly what is left,
so a fully returned line cancels its receipt to the cent.

Receipt voucher (reference §5.1): Dr 1405 库存商品 (value, one line per product) + Dr 22210101 进项税额 (VAT,
general taxpayers) / Cr 2202 应付账款 (supplier, total). A return posts the same lines in red (negative amounts).
"""

from __future__ import annotations

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
    total: Decimal
    cost: Decimal


def line_amounts(quantity: Decimal, unit_price: Decimal, vat_rate: Decimal, *, vat_in_cost: bool) -> Amounts:
    amount = money(quantity * unit_price)
    tax = money(amount * vat_rate)
    total = amount + tax
    return Amounts(amount, tax, total, total if vat_in_cost else amount)


def share(whole: Decimal, already: Decimal, quantity: Decimal, of: Decimal, *, last: bool) -> Decimal:
    """The part of `whole` that `quantity` of `of` takes; the last part takes what `already` left."""
    return whole - already if last else money(whole * quantity / of)


@dataclass(frozen=True)
class PostLine:
    product_id: int
    cost: Decimal
    summary: str


def purchase_voucher_lines(
    *,
    summary: str,
    partner: Partner,
    inventory: Account,
    input_vat: Account,
    payable: Account,
    lines: list[PostLine],
    tax: Decimal,
    total: Decimal,
    sign: int = 1,
) -> list[dict[str, Any]]:
    """Dr 1405 per line / Dr 22210101 VAT / Cr 2202 total; `sign` −1 for the red lines of a return."""
    rows: list[dict[str, Any]] = [
        {"summary": ln.summary, "account": inventory, "product": ln.product_id, "debit": sign * ln.cost}
        for ln in lines
        if ln.cost
    ]
    if tax != ZERO:
        rows.append({"summary": summary, "account": input_vat, "debit": sign * tax})
    rows.append({"summary": summary, "account": payable, "partner": partner.pk, "credit": sign * total})
    return rows
