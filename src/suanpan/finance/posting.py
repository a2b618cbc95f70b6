"""Pure builders of the payment and receipt vouchers' lines.

A supplier payment: Dr 2202 应付账款 (supplier) with the net of the payables it settles, Dr 1123 预付账款 with
the advance part, Cr 1123 with the prepayments it applies, Cr the cash/bank account with the cash paid (tagged
with a cash-flow item). A customer receipt is its mirror: Dr the cash/bank account with the cash received, Cr 1122
应收账款 (customer) with the net of the receivables it settles, Cr 2203 预收账款 with the advance part, Dr 2203
with the advance receipts it applies. Lines of zero are left out; the voucher balances because
cash = Σ allocations to the settled kind + advance − Σ allocations to advances, which the service checks first.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from suanpan.accounting.models import Account
from suanpan.partners.models import Partner


@dataclass(frozen=True)
class Settlement:
    """What one payment or receipt moves: `control` is the account of the items it settles (2202 or 1122),
    `advances` the account of the advances (1123 or 2203)."""

    summary: str
    partner: Partner
    control: Account
    advances: Account
    cash: Account | None
    settled: Decimal  # net of the allocations to the settled kind
    advance: Decimal  # the part of the cash that becomes a new advance
    applied: Decimal  # Σ allocations to advances (applied against the settled kind)
    cash_amount: Decimal
    cash_flow_item: str


def payment_lines(s: Settlement) -> list[dict[str, Any]]:
    lines: list[dict[str, Any]] = []
    partner = s.partner.pk
    if s.settled:
        lines.append({"summary": s.summary, "account": s.control, "partner": partner, "debit": s.settled})
    if s.advance:
        lines.append({"summary": s.summary, "account": s.advances, "partner": partner, "debit": s.advance})
    if s.applied:
        lines.append({"summary": s.summary, "account": s.advances, "partner": partner, "credit": s.applied})
    if s.cash_amount and s.cash is not None:
        lines.append(
            {"summary": s.summary, "account": s.cash, "credit": s.cash_amount, "cash_flow_item": s.cash_flow_item}
        )
    return lines


def _swap_sides(line: dict[str, Any]) -> dict[str, Any]:
    swapped = {key: value for key, value in line.items() if key not in ("debit", "credit")}
    if "debit" in line:
        swapped["credit"] = line["debit"]
    if "credit" in line:
        swapped["debit"] = line["credit"]
    return swapped


def receipt_lines(s: Settlement) -> list[dict[str, Any]]:
    """A customer receipt's lines: a payment's with debit and credit swapped."""
    return [_swap_sides(line) for line in payment_lines(s)]
