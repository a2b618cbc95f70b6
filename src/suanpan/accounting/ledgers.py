"""Reads of the books for the ledgers: 总账 (general ledger) of an account, its all-accounts summary, and the
辅助账 (subsidiary ledger) of a receivable/payable account by customer or supplier.

Like `reports`, they read balance rows (`AccountBalance`, one per account × period, in total and per partner)
and the opening balances, never the journal, so they cost O(accounts × periods). An account's figures include
its sub-accounts (codes starting with its code). Amounts are debit-positive; the side printed next to a
balance (借/贷/平) comes from its sign (`reports.balance_side_label`).

本年累计 (year to date) of a period adds up the posted movements from January of its year; when the books
start in that year after January, the movements before the books (`OpeningBalance.ytd_debit/ytd_credit`)
are part of it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet, Sum
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from suanpan.accounting.choices import Dimension
from suanpan.accounting.models import Account, AccountBalance, Books, OpeningBalance, Period
from suanpan.accounting.reports import balance_side_label
from suanpan.core.exceptions import InvalidInput
from suanpan.core.models import Organization

ZERO = Decimal("0.00")
PARTNER_DIMENSIONS = frozenset({Dimension.CUSTOMER.value, Dimension.SUPPLIER.value})

Month = tuple[int, int]


def month_of(period: Period) -> Month:
    return (period.year, period.month)


def periods_between(*, organization: Organization, start: Period, end: Period) -> list[Period]:
    """The organization's periods from `start` to `end`, both included, in order."""
    after = Q(year__gt=start.year) | Q(year=start.year, month__gte=start.month)
    before = Q(year__lt=end.year) | Q(year=end.year, month__lte=end.month)
    return list(Period.objects.filter(organization=organization).filter(after & before).order_by("year", "month"))


def account_by_code(*, organization: Organization, code: str, field: str = "account") -> Account:
    """The organization's account with that code; a clear error naming `field` otherwise."""
    account = Account.objects.filter(organization=organization, code=code.strip()).first() if code else None
    if account is None:
        raise InvalidInput.single(field, _("There is no account %(code)s.") % {"code": code[:20]})
    return account


def _books_start(organization: Organization) -> Month | None:
    books = Books.objects.filter(organization=organization).select_related("start").first()
    return month_of(books.start) if books is not None and books.start is not None else None


# --- 总账 -------------------------------------------------------------------------------------------------


class LineKind:
    OPENING = "opening"
    PERIOD = "period"
    YEAR = "year"


LINE_LABELS: dict[str, Promise] = {
    LineKind.OPENING: gettext_lazy("Opening balance"),
    LineKind.PERIOD: gettext_lazy("Total for the period"),
    LineKind.YEAR: gettext_lazy("Year to date"),
}


@dataclass(frozen=True)
class GeneralLedgerLine:
    """One row of a 总账: 期初余额, 本期合计 or 本年累计, with the balance after it."""

    kind: str
    period: Period
    debit: Decimal
    credit: Decimal
    balance: Decimal

    @property
    def label(self) -> str:
        return str(LINE_LABELS[self.kind])

    @property
    def side(self) -> str:
        return balance_side_label(self.balance)

    @property
    def amount(self) -> Decimal:
        """The balance without its sign (the side says which)."""
        return abs(self.balance)


@dataclass(frozen=True)
class GeneralLedger:
    account: Account
    start: Period
    end: Period
    opening: Decimal
    lines: list[GeneralLedgerLine]
    closing: Decimal


@dataclass(frozen=True)
class _Opening:
    balance: Decimal = ZERO
    ytd_debit: Decimal = ZERO
    ytd_credit: Decimal = ZERO


class _Movements:
    """Posted debit and credit of one account (with its sub-accounts) per month, and its opening balance."""

    def __init__(self, opening: _Opening, months: dict[Month, tuple[Decimal, Decimal]], books: Month | None):
        self.opening = opening
        self.months = months
        self.books = books

    def balance_before(self, month: Month) -> Decimal:
        moved = sum((d - c for m, (d, c) in self.months.items() if m < month), ZERO)
        return self.opening.balance + moved

    def between(self, first: Month, last: Month) -> tuple[Decimal, Decimal]:
        inside = [dc for m, dc in self.months.items() if first <= m <= last]
        return sum((d for d, _c in inside), ZERO), sum((c for _d, c in inside), ZERO)

    def year_to_date(self, month: Month) -> tuple[Decimal, Decimal]:
        debit, credit = self.between((month[0], 1), month)
        if self.books is not None and self.books[0] == month[0] and self.books <= month:
            debit += self.opening.ytd_debit
            credit += self.opening.ytd_credit
        return debit, credit


def _openings(queryset: QuerySet[OpeningBalance]) -> dict[int, _Opening]:
    found = queryset.values("account_id").annotate(b=Sum("balance"), d=Sum("ytd_debit"), c=Sum("ytd_credit"))
    return {row["account_id"]: _Opening(row["b"], row["d"], row["c"]) for row in found}


def _add(a: _Opening, b: _Opening) -> _Opening:
    return _Opening(a.balance + b.balance, a.ytd_debit + b.ytd_debit, a.ytd_credit + b.ytd_credit)


def _rows_until(organization: Organization, end: Period) -> QuerySet[AccountBalance]:
    before_end = Q(period__year__lt=end.year) | Q(period__year=end.year, period__month__lte=end.month)
    return AccountBalance.objects.filter(organization=organization, partner__isnull=True).filter(before_end)


def _movements_of(organization: Organization, account: Account, end: Period) -> _Movements:
    rows = _rows_until(organization, end).filter(account__code__startswith=account.code)
    months: dict[Month, tuple[Decimal, Decimal]] = {
        (r["period__year"], r["period__month"]): (r["d"], r["c"])
        for r in rows.values("period__year", "period__month").annotate(d=Sum("debit"), c=Sum("credit"))
    }
    openings = OpeningBalance.objects.filter(
        organization=organization, partner__isnull=True, account__code__startswith=account.code
    )
    opening = _Opening()
    for found in _openings(openings).values():
        opening = _add(opening, found)
    return _Movements(opening, months, _books_start(organization))


def general_ledger(*, organization: Organization, account: Account, start: Period, end: Period) -> GeneralLedger:
    """总账 of one account (any level) over [start, end]: 期初余额, then per period 本期合计 and 本年累计."""
    if account.organization_id != organization.pk:
        raise InvalidInput.single("account", _("There is no account %(code)s.") % {"code": account.code})
    moves = _movements_of(organization, account, end)
    opening = moves.balance_before(month_of(start))
    lines = [GeneralLedgerLine(LineKind.OPENING, start, ZERO, ZERO, opening)]
    balance = opening
    for period in periods_between(organization=organization, start=start, end=end):
        month = month_of(period)
        debit, credit = moves.between(month, month)
        balance += debit - credit
        lines.append(GeneralLedgerLine(LineKind.PERIOD, period, debit, credit, balance))
        lines.append(GeneralLedgerLine(LineKind.YEAR, period, *moves.year_to_date(month), balance))
    return GeneralLedger(account=account, start=start, end=end, opening=opening, lines=lines, closing=balance)


class _Balances:
    """A ledger row's closing balance (opening + debit − credit) and both balances as printed: 借/贷 and amount."""

    opening: Decimal
    debit: Decimal
    credit: Decimal

    @property
    def closing(self) -> Decimal:
        return self.opening + self.debit - self.credit

    @property
    def opening_side(self) -> str:
        return balance_side_label(self.opening)

    @property
    def closing_side(self) -> str:
        return balance_side_label(self.closing)

    @property
    def opening_amount(self) -> Decimal:
        return abs(self.opening)

    @property
    def closing_amount(self) -> Decimal:
        return abs(self.closing)


@dataclass(frozen=True)
class GeneralSummaryRow(_Balances):
    """One first-level account in the all-accounts summary of the 总账."""

    account: Account
    opening: Decimal
    debit: Decimal
    credit: Decimal
    ytd_debit: Decimal
    ytd_credit: Decimal

    @property
    def is_empty(self) -> bool:
        return not (self.opening or self.debit or self.credit or self.ytd_debit or self.ytd_credit)


@dataclass(frozen=True)
class GeneralSummary:
    start: Period
    end: Period
    rows: list[GeneralSummaryRow]

    @property
    def total_debit(self) -> Decimal:
        return sum((r.debit for r in self.rows), ZERO)

    @property
    def total_credit(self) -> Decimal:
        return sum((r.credit for r in self.rows), ZERO)


def general_summary(
    *, organization: Organization, start: Period, end: Period, include_empty: bool = False
) -> GeneralSummary:
    """Every first-level account's 期初余额, movements over [start, end], 本年累计 at `end` and 期末余额."""
    accounts = list(Account.objects.filter(organization=organization).order_by("code"))
    parents = {a.pk: a.parent_id for a in accounts}

    def root(pk: int) -> int:
        while parents.get(pk):
            pk = parents[pk]  # type: ignore[assignment]  # the loop runs only while the parent is set
        return pk

    months: dict[int, dict[Month, tuple[Decimal, Decimal]]] = defaultdict(dict)
    grouped = (
        _rows_until(organization, end)
        .values("account_id", "period__year", "period__month")
        .annotate(d=Sum("debit"), c=Sum("credit"))
    )
    for r in grouped:
        top, month = root(r["account_id"]), (r["period__year"], r["period__month"])
        d, c = months[top].get(month, (ZERO, ZERO))
        months[top][month] = (d + r["d"], c + r["c"])
    openings: dict[int, _Opening] = defaultdict(_Opening)
    for pk, found in _openings(OpeningBalance.objects.filter(organization=organization, partner__isnull=True)).items():
        openings[root(pk)] = _add(openings[root(pk)], found)
    books = _books_start(organization)
    first, last = month_of(start), month_of(end)
    rows = []
    for account in accounts:
        if account.parent_id is not None:
            continue
        moves = _Movements(openings[account.pk], months[account.pk], books)
        row = GeneralSummaryRow(
            account, moves.balance_before(first), *moves.between(first, last), *moves.year_to_date(last)
        )
        if include_empty or not row.is_empty:
            rows.append(row)
    return GeneralSummary(start=start, end=end, rows=rows)


# --- 辅助账 by customer / supplier ---------------------------------------------------------------------------


@dataclass(frozen=True)
class AuxiliaryRow(_Balances):
    """One partner's balance on the account; `partner_id` None is what lines without a partner left."""

    partner_id: int | None
    partner_code: str
    partner_name: str
    opening: Decimal
    debit: Decimal
    credit: Decimal


@dataclass(frozen=True)
class AuxiliaryLedger:
    account: Account
    start: Period
    end: Period
    rows: list[AuxiliaryRow]

    @property
    def total(self) -> AuxiliaryRow:
        return AuxiliaryRow(
            None,
            "",
            _("Total"),
            sum((r.opening for r in self.rows), ZERO),
            sum((r.debit for r in self.rows), ZERO),
            sum((r.credit for r in self.rows), ZERO),
        )


def partner_accounts(*, organization: Organization) -> QuerySet[Account]:
    """Accounts kept by customer or supplier (their `dimensions` name one), for the 辅助账's account picker."""
    accounts = Account.objects.filter(organization=organization).order_by("code")
    ids = [a.pk for a in accounts if PARTNER_DIMENSIONS & set(a.dimensions or [])]
    return accounts.filter(pk__in=ids)


def _partner_amounts(rows: Iterable[dict[str, Any]], key: str) -> dict[int | None, Decimal]:
    return {r["partner_id"]: r[key] for r in rows}


def auxiliary_ledger(*, organization: Organization, account: Account, start: Period, end: Period) -> AuxiliaryLedger:
    """辅助账: each customer's or supplier's 期初余额, debit, credit and 期末余额 on the account over [start, end].

    A last row without a partner holds what the account's totals have beyond the partners' (lines or opening
    balances entered without one), so the rows always add up to the account's figures in the trial balance.
    """
    if account.organization_id != organization.pk:
        raise InvalidInput.single("account", _("There is no account %(code)s.") % {"code": account.code})
    if not PARTNER_DIMENSIONS & set(account.dimensions or []):
        raise InvalidInput.single(
            "account", _("Account %(code)s is not kept by customer or supplier.") % {"code": account.code}
        )
    prefix = Q(account__code__startswith=account.code)
    balances = AccountBalance.objects.filter(organization=organization).filter(prefix)
    before = Q(period__year__lt=start.year) | Q(period__year=start.year, period__month__lt=start.month)
    after_start = Q(period__year__gt=start.year) | Q(period__year=start.year, period__month__gte=start.month)
    before_end = Q(period__year__lt=end.year) | Q(period__year=end.year, period__month__lte=end.month)
    earlier = balances.filter(before).values("partner_id").annotate(n=Sum("debit") - Sum("credit"))
    inside = balances.filter(after_start & before_end).values("partner_id").annotate(d=Sum("debit"), c=Sum("credit"))
    openings = (
        OpeningBalance.objects.filter(organization=organization)
        .filter(prefix)
        .values("partner_id")
        .annotate(b=Sum("balance"))
    )
    opening: dict[int | None, Decimal] = defaultdict(lambda: ZERO)
    for key, amount in _partner_amounts(earlier, "n").items():
        opening[key] += amount
    for key, amount in _partner_amounts(openings, "b").items():
        opening[key] += amount
    moved = {r["partner_id"]: (r["d"], r["c"]) for r in inside}
    partner_ids = sorted({k for k in (*opening, *moved) if k is not None})
    names = {
        p["partner_id"]: (p["partner__code"], p["partner__name"])
        for p in AccountBalance.objects.filter(organization=organization, partner_id__in=partner_ids)
        .values("partner_id", "partner__code", "partner__name")
        .distinct()
    }
    names.update(
        {
            p["partner_id"]: (p["partner__code"], p["partner__name"])
            for p in OpeningBalance.objects.filter(organization=organization, partner_id__in=partner_ids)
            .exclude(partner_id__in=list(names))
            .values("partner_id", "partner__code", "partner__name")
        }
    )
    rows = []
    for pk in partner_ids:
        code, name = names.get(pk, ("", ""))
        debit, credit = moved.get(pk, (ZERO, ZERO))
        row = AuxiliaryRow(pk, code or "", name or "", opening[pk], debit, credit)
        if row.opening or row.debit or row.credit:
            rows.append(row)
    rows.sort(key=lambda r: (r.partner_code, r.partner_name, r.partner_id or 0))
    total_debit, total_credit = moved.get(None, (ZERO, ZERO))
    rest = AuxiliaryRow(
        None,
        "",
        _("(no customer or supplier)"),
        opening[None] - sum((r.opening for r in rows), ZERO),
        total_debit - sum((r.debit for r in rows), ZERO),
        total_credit - sum((r.credit for r in rows), ZERO),
    )
    if rest.opening or rest.debit or rest.credit:
        rows.append(rest)
    return AuxiliaryLedger(account=account, start=start, end=end, rows=rows)
