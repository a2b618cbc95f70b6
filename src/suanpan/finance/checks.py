"""Payables and receivables invariants for `suanpan verify` (each returns readable differences; none means clean):

1. the control accounts agree with the open items: for every supplier, Σ (credit − debit) on 2202 of the posted
   vouchers of payables documents (receipts, returns, payments) = Σ open payables, and Σ (debit − credit) on
   1123 = Σ open advances. Opening balances and hand-made vouchers on 2202/1123 have no open items (yet), so the
   comparison covers the vouchers the documents posted — the same document-driven scope as the stock check;
2. likewise for every customer: Σ (debit − credit) on 1122 of the posted vouchers of receivables documents
   (`RECEIVABLE_SOURCES`: customer receipts, and the sales invoices the sales app registers) = Σ open
   receivables, and Σ (credit − debit) on 2203 = Σ open advance receipts;
3. no item is over-settled: each open amount lies between 0 and the item's amount (same sign).
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.db.models import Sum
from django.utils.translation import gettext as _

from suanpan.accounting.choices import VoucherStatus
from suanpan.accounting.models import VoucherLine
from suanpan.core.models import Organization
from suanpan.core.money import ZERO, money
from suanpan.finance.choices import CONTROL_ACCOUNT, OpenItemKind
from suanpan.finance.models import OpenItem
from suanpan.finance.selectors import with_open_amount

# Source types of the documents whose vouchers move payables / receivables (other apps add theirs in their
# AppConfig.ready(), e.g. sales its invoices to RECEIVABLE_SOURCES).
PAYABLE_SOURCES: set[str] = {"purchasing.receipt", "purchasing.return", "finance.payment"}
RECEIVABLE_SOURCES: set[str] = {"finance.receipt"}


def control_accounts_match_open_items(org: Organization) -> list[str]:
    """Payables 2202 and prepayments 1123, per supplier."""
    return _control_mismatches(org, ((OpenItemKind.PAYABLE, -1), (OpenItemKind.PREPAYMENT, 1)), PAYABLE_SOURCES)


def receivable_accounts_match_open_items(org: Organization) -> list[str]:
    """Receivables 1122 and advance receipts 2203, per customer."""
    return _control_mismatches(
        org, ((OpenItemKind.RECEIVABLE, 1), (OpenItemKind.ADVANCE_RECEIPT, -1)), RECEIVABLE_SOURCES
    )


def _control_mismatches(org: Organization, kinds: tuple[tuple[OpenItemKind, int], ...], sources: set[str]) -> list[str]:
    """For each (kind, sign): sign × Σ (debit − credit) of its control account on the posted vouchers of
    `sources` = Σ open amounts of its items, per partner."""
    problems: list[str] = []
    for kind, sign in kinds:
        code = CONTROL_ACCOUNT[kind]
        books: dict[int | None, Decimal] = defaultdict(lambda: ZERO)
        for row in (
            VoucherLine.objects.filter(
                voucher__organization=org,
                voucher__status=VoucherStatus.POSTED,
                voucher__source_type__in=sources,
                account__code=code,
            )
            .values("partner_id")
            .annotate(d=Sum("debit"), c=Sum("credit"))
        ):
            books[row["partner_id"]] += sign * (money(row["d"] or ZERO) - money(row["c"] or ZERO))
        items: dict[int | None, Decimal] = defaultdict(lambda: ZERO)
        for item in with_open_amount(OpenItem.objects.filter(organization=org, kind=kind)):
            items[item.partner_id] += money(item.open_amount)  # type: ignore[attr-defined]
        for partner_id in sorted(set(books) | set(items), key=lambda p: p or 0):
            if money(books[partner_id]) != money(items[partner_id]):  # SQLite sums decimals as floats
                problems.append(
                    f"{code} partner #{partner_id}: documents' vouchers leave {books[partner_id]}, "
                    f"open {kind} items {items[partner_id]}"
                )
    return problems


def items_not_over_settled(org: Organization) -> list[str]:
    problems = []
    for item in with_open_amount(OpenItem.objects.filter(organization=org)):
        open_amount = money(item.open_amount)  # type: ignore[attr-defined]
        if open_amount * item.amount < 0 or abs(open_amount) > abs(item.amount):
            problems.append(f"open item {item.source_label} #{item.pk}: amount {item.amount}, open {open_amount}")
    return problems


def payables_close_check(*, organization: Organization, period: Any) -> Any:
    """Month-end close: the payables ledger must agree with 2202/1123 before a month closes (a difference means
    a payables voucher was changed behind the documents' back; the close would carry it into the statements)."""
    return _close_result(
        "payables_match",
        _("Payables agree with accounts 2202 and 1123"),
        control_accounts_match_open_items(organization),
        _("Open payables"),
        "finance:payables",
    )


def receivables_close_check(*, organization: Organization, period: Any) -> Any:
    """Month-end close: the receivables ledger must agree with 1122/2203 before a month closes."""
    return _close_result(
        "receivables_match",
        _("Receivables agree with accounts 1122 and 2203"),
        receivable_accounts_match_open_items(organization),
        _("Open receivables"),
        "finance:receivables",
    )


def _close_result(code: str, label: str, problems: list[str], link_label: str, url_name: str) -> Any:
    from suanpan.accounting.closing import CheckResult, Link

    if not problems:
        return CheckResult(code, label, ok=True)
    return CheckResult(code, label, ok=False, message="; ".join(problems[:5]), links=(Link(link_label, url_name),))
