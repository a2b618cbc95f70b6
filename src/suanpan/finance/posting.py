"""Pure builders of the payment voucher's lines.

A supplier payment: Dr 2202 应付账款 (supplier) with the net of the payables it settles, Dr 1123 预付账款 with
the advance part, Cr 1123 with the prepayments it applies, Cr the cash/bank account with the cash paid (tagged
with a cash-flow item). Lines of zero are left out; the voucher balances because
cash = Σ payable allocations + advance − Σ prepayment allocations, which the service checks before building.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from suanpan.accounting.models import Account
from suanpan.partners.models import Partner


def payment_lines(
    *,
    summary: str,
    partner: Partner,
    payable: Account,
    prepayment: Account,
    cash: Account | None,
    settled: Decimal,
    advance: Decimal,
    applied: Decimal,
    paid: Decimal,
    cash_flow_item: str,
) -> list[dict[str, Any]]:
    lines: list[dict[str, Any]] = []
    if settled:
        lines.append({"summary": summary, "account": payable, "partner": partner.pk, "debit": settled})
    if advance:
        lines.append({"summary": summary, "account": prepayment, "partner": partner.pk, "debit": advance})
    if applied:
        lines.append({"summary": summary, "account": prepayment, "partner": partner.pk, "credit": applied})
    if paid and cash is not None:
        lines.append({"summary": summary, "account": cash, "credit": paid, "cash_flow_item": cash_flow_item})
    return lines
