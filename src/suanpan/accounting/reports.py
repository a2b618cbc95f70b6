"""Reads of the books: trial balance (科目余额表) and the detail ledger (明细账) of one account.

They read balance rows (O(accounts × periods)), not the journal, except the detail ledger which lists the
lines of one account. Amounts are debit-positive internally and shown on their side.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q, Sum
from django.utils.translation import pgettext

from suanpan.accounting.choices import VoucherStatus
from suanpan.accounting.models import Account, AccountBalance, Books, OpeningBalance, Period, VoucherLine
from suanpan.core.models import Organization

ZERO = Decimal("0.00")


def sides(net: Decimal) -> tuple[Decimal, Decimal]:
    """A net amount (debit positive) as (debit, credit) columns."""
    return (net, ZERO) if net >= 0 else (ZERO, -net)


@dataclass
class TrialRow:
    account: Account
    opening: Decimal = ZERO
    debit: Decimal = ZERO
    credit: Decimal = ZERO
    children: list[TrialRow] = field(default_factory=list)
    ytd_debit: Decimal = ZERO  # 本年累计: January of the last period's year up to it, with the opening's ytd
    ytd_credit: Decimal = ZERO

    @property
    def closing(self) -> Decimal:
        return self.opening + self.debit - self.credit

    @property
    def opening_sides(self) -> tuple[Decimal, Decimal]:
        return sides(self.opening)

    @property
    def closing_sides(self) -> tuple[Decimal, Decimal]:
        return sides(self.closing)

    @property
    def is_empty(self) -> bool:
        return not any((self.opening, self.debit, self.credit, self.ytd_debit, self.ytd_credit))


@dataclass
class TrialBalance:
    start: Period
    end: Period
    rows: list[TrialRow]
    total_opening_debit: Decimal
    total_opening_credit: Decimal
    total_debit: Decimal
    total_credit: Decimal
    total_closing_debit: Decimal
    total_closing_credit: Decimal
    total_ytd_debit: Decimal = ZERO
    total_ytd_credit: Decimal = ZERO

    @property
    def balanced(self) -> bool:
        return (
            self.total_opening_debit == self.total_opening_credit
            and self.total_debit == self.total_credit
            and self.total_closing_debit == self.total_closing_credit
        )


def _before(period: Period) -> Q:
    return Q(period__year__lt=period.year) | Q(period__year=period.year, period__month__lt=period.month)


def _within(start: Period, end: Period) -> Q:
    after_start = Q(period__year__gt=start.year) | Q(period__year=start.year, period__month__gte=start.month)
    before_end = Q(period__year__lt=end.year) | Q(period__year=end.year, period__month__lte=end.month)
    return after_start & before_end


def trial_balance(
    *, organization: Organization, start: Period, end: Period, include_empty: bool = False
) -> TrialBalance:
    """Opening, movements and closing of every account over [start, end], rolled up to parent accounts."""
    accounts = list(Account.objects.filter(organization=organization).order_by("code"))
    rows = {a.pk: TrialRow(account=a) for a in accounts}
    totals = AccountBalance.objects.filter(organization=organization, partner__isnull=True)
    for item in totals.filter(_before(start)).values("account_id").annotate(d=Sum("debit"), c=Sum("credit")):
        rows[item["account_id"]].opening += item["d"] - item["c"]
    books = Books.objects.filter(organization=organization).select_related("start").first()
    first = books.start if books is not None else None
    # The year-to-date amounts before the books started count in the year they started (mid-year books).
    ytd_openings = first is not None and first.year == end.year and first.month <= end.month
    for opening in OpeningBalance.objects.filter(organization=organization, partner__isnull=True):
        rows[opening.account_id].opening += opening.balance
        if ytd_openings:
            rows[opening.account_id].ytd_debit += opening.ytd_debit
            rows[opening.account_id].ytd_credit += opening.ytd_credit
    for item in totals.filter(_within(start, end)).values("account_id").annotate(d=Sum("debit"), c=Sum("credit")):
        rows[item["account_id"]].debit += item["d"]
        rows[item["account_id"]].credit += item["c"]
    this_year = Q(period__year=end.year, period__month__lte=end.month)
    for item in totals.filter(this_year).values("account_id").annotate(d=Sum("debit"), c=Sum("credit")):
        rows[item["account_id"]].ytd_debit += item["d"]
        rows[item["account_id"]].ytd_credit += item["c"]
    # Roll leaf amounts up the tree (deepest first), then keep first-level rows with their children.
    for account in sorted(accounts, key=lambda a: -a.level):
        if account.parent_id:
            parent, child = rows[account.parent_id], rows[account.pk]
            parent.opening += child.opening
            parent.debit += child.debit
            parent.credit += child.credit
            parent.ytd_debit += child.ytd_debit
            parent.ytd_credit += child.ytd_credit
            parent.children.insert(0, child)
    top = [rows[a.pk] for a in accounts if a.parent_id is None]
    flat = _flatten(top, include_empty)
    od = sum((r.opening_sides[0] for r in top), ZERO)
    oc = sum((r.opening_sides[1] for r in top), ZERO)
    cd = sum((r.closing_sides[0] for r in top), ZERO)
    cc = sum((r.closing_sides[1] for r in top), ZERO)
    return TrialBalance(
        start=start,
        end=end,
        rows=flat,
        total_opening_debit=od,
        total_opening_credit=oc,
        total_debit=sum((r.debit for r in top), ZERO),
        total_credit=sum((r.credit for r in top), ZERO),
        total_closing_debit=cd,
        total_closing_credit=cc,
        total_ytd_debit=sum((r.ytd_debit for r in top), ZERO),
        total_ytd_credit=sum((r.ytd_credit for r in top), ZERO),
    )


def _flatten(rows: list[TrialRow], include_empty: bool) -> list[TrialRow]:
    out: list[TrialRow] = []
    for row in rows:
        if include_empty or not row.is_empty:
            out.append(row)
            out.extend(_flatten(row.children, include_empty))
    return out


@dataclass(frozen=True)
class LedgerEntry:
    date: object
    voucher_id: int
    voucher: str
    summary: str
    debit: Decimal
    credit: Decimal
    balance: Decimal
    partner: str


def detail_ledger(
    *, organization: Organization, account: Account, start: Period, end: Period, partner_id: int | None = None
) -> tuple[Decimal, list[LedgerEntry]]:
    """明细账: the opening balance and the posted lines of an account (and its sub-accounts) with a running balance."""
    codes = Q(account__code__startswith=account.code)
    balances = AccountBalance.objects.filter(organization=organization, account__code__startswith=account.code)
    balances = balances.filter(partner_id=partner_id) if partner_id else balances.filter(partner__isnull=True)
    before = balances.filter(_before(start)).aggregate(d=Sum("debit"), c=Sum("credit"))
    opening = (before["d"] or ZERO) - (before["c"] or ZERO)
    openings = OpeningBalance.objects.filter(organization=organization, account__code__startswith=account.code)
    openings = openings.filter(partner_id=partner_id) if partner_id else openings.filter(partner__isnull=True)
    opening += openings.aggregate(b=Sum("balance"))["b"] or ZERO
    lines = (
        VoucherLine.objects.filter(organization=organization, voucher__status=VoucherStatus.POSTED)
        .filter(codes)
        .filter(
            Q(voucher__period__year__gt=start.year)
            | Q(voucher__period__year=start.year, voucher__period__month__gte=start.month)
        )
        .filter(
            Q(voucher__period__year__lt=end.year)
            | Q(voucher__period__year=end.year, voucher__period__month__lte=end.month)
        )
        .select_related("voucher", "partner")
        .order_by("voucher__date", "voucher__word", "voucher__number", "seq")
    )
    if partner_id:
        lines = lines.filter(partner_id=partner_id)
    running = opening
    entries = []
    for line in lines:
        running += line.debit - line.credit
        entries.append(
            LedgerEntry(
                date=line.voucher.date,
                voucher_id=line.voucher_id,
                voucher=line.voucher.display_number,
                summary=line.summary,
                debit=line.debit,
                credit=line.credit,
                balance=running,
                partner=str(line.partner.name) if line.partner else "",
            )
        )
    return opening, entries


def balance_side_label(amount: Decimal) -> str:
    """The side of a balance as ledgers print it: 借 / 贷 / 平 in Chinese (Dr / Cr / Nil in English)."""
    if amount == 0:
        return pgettext("balance side", "Nil")
    return pgettext("balance side", "Dr") if amount > 0 else pgettext("balance side", "Cr")
