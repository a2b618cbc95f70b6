"""Financial statements of 《小企业会计准则》: 资产负债表 (会小企01表), 利润表 (会小企02表), 现金流量表 (会小企03表).

The layouts and formulas are data (`data/statement_*.csv`, transcribed from the standard's appendix; the notation is
described at the top of each file). This module parses them and evaluates them over the books:

- balances are read from the `AccountBalance` total rows (partner empty) and the `OpeningBalance` rows at the start
  of the books (`Books.start`); the per-customer/supplier rows only for the Dr()/Cr() terms;
- the income statement reads the movements of the income and expense accounts, leaving out the closing vouchers
  (`PERIOD_CLOSE_SOURCE`, `YEAR_END_SOURCE`); in the first year of books that start mid-year, its year-to-date
  column adds the opening year-to-date movements (`OpeningBalance.ytd_debit/ytd_credit`);
- the cash-flow statement sums the lines on cash accounts (`Account.is_cash`) by their cash-flow item; a voucher
  whose lines are all on cash accounts (cash to bank) moves no cash in or out and is left out.

Invariants (shown as checks with every statement):
1. 资产总计 = 负债和所有者权益总计 in both columns whenever the opening balances and every voucher balance and every
   balance-sheet account is on a line: the income and expense balances not yet carried forward (结转损益) are part
   of 未分配利润 (term `PL`), so the sheet balances at any time of the month;
2. 净利润 = the income minus the expense movements of all income and expense accounts (every one is on a line);
3. 现金净增加额 + cash not assigned to a cash-flow item = the change of the cash accounts' balances (so 期末现金余额 +
   that cash = their closing balance).
Amounts are Decimal throughout; nothing here writes.
"""

from __future__ import annotations

import csv
import functools
import io
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.db.models import Exists, OuterRef, Q, Sum
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from suanpan.accounting.choices import PERIOD_CLOSE_SOURCE, YEAR_END_SOURCE, AccountCategory, Side, VoucherStatus
from suanpan.accounting.models import Account, AccountBalance, Books, OpeningBalance, Period, Voucher, VoucherLine
from suanpan.core.exceptions import InvalidInput, NotFound
from suanpan.core.models import Organization

DATA = Path(__file__).parent / "data"
ZERO = Decimal("0.00")
CLOSING_SOURCES = (PERIOD_CLOSE_SOURCE, YEAR_END_SOURCE)
PROFIT_AND_LOSS = (AccountCategory.INCOME, AccountCategory.EXPENSE)

BALANCE_SHEET = "balance-sheet"
INCOME = "income"
CASH_FLOW = "cash-flow"
KINDS = (BALANCE_SHEET, INCOME, CASH_FLOW)
UNASSIGNED = "unassigned"  # the cash-flow statement's row of cash not assigned to an item


@dataclass(frozen=True)
class Form:
    """What the standard prints at the top of a statement and over its amount columns."""

    file: str
    title: str
    code: str
    columns: tuple[str, str]  # as printed on the form
    labels: tuple[Promise, Promise]  # the same columns on screen


FORMS: dict[str, Form] = {
    BALANCE_SHEET: Form(
        "statement_balance_sheet.csv",
        "资产负债表",
        "会小企01表",
        ("期末余额", "年初余额"),
        (gettext_lazy("Closing balance"), gettext_lazy("Beginning of year")),
    ),
    INCOME: Form(
        "statement_income.csv",
        "利润表",
        "会小企02表",
        ("本年累计金额", "本月金额"),
        (gettext_lazy("Year to date"), gettext_lazy("This month")),
    ),
    CASH_FLOW: Form(
        "statement_cash_flow.csv",
        "现金流量表",
        "会小企03表",
        ("本年累计金额", "本月金额"),
        (gettext_lazy("Year to date"), gettext_lazy("This month")),
    ),
}


# --- Layouts: the data files and their formulas ---------------------------------------------------------------


@dataclass(frozen=True)
class Term:
    sign: int
    kind: str  # account | dr | cr | line | pl | in | out | cash
    arg: str = ""


_TERM = re.compile(r"\s*([+-]?)\s*(L\d+|Dr\(\d{4,8}\)|Cr\(\d{4,8}\)|PL|IN|OUT|CASH|\d{4,8})\s*")


def parse_formula(text: str) -> tuple[Term, ...]:
    """`+1001+1002-L19+Dr(1122)` → its terms. Raises ValueError on anything else."""
    terms: list[Term] = []
    pos, text = 0, text.strip()
    while pos < len(text):
        match = _TERM.match(text, pos)
        if match is None or (terms and not match.group(1)):
            raise ValueError(f"cannot read the formula {text!r} at position {pos}")
        sign = -1 if match.group(1) == "-" else 1
        token = match.group(2)
        if token.startswith("L"):
            terms.append(Term(sign, "line", token[1:]))
        elif token.startswith(("Dr(", "Cr(")):
            terms.append(Term(sign, token[:2].lower(), token[3:-1]))
        elif token.isdigit():
            terms.append(Term(sign, "account", token))
        else:
            terms.append(Term(sign, token.lower()))
        pos = match.end()
    return tuple(terms)


@dataclass(frozen=True)
class LineDef:
    no: int | None  # None: a heading such as 流动资产：
    label: str
    indent: int
    style: str  # "" | heading | total
    formula: str
    terms: tuple[Term, ...]
    part: str = ""  # balance sheet: assets | liabilities


@dataclass(frozen=True)
class Layout:
    kind: str
    form: Form
    lines: tuple[LineDef, ...]

    @property
    def numbered(self) -> dict[int, LineDef]:
        return {line.no: line for line in self.lines if line.no is not None}


def _rows(path: Path) -> list[dict[str, str]]:
    text = path.read_text(encoding="utf-8")
    body = "\n".join(row for row in text.splitlines() if not row.startswith("#"))
    return list(csv.DictReader(io.StringIO(body)))


@functools.cache
def layout(kind: str) -> Layout:
    """The lines of a statement, read once from its data file and checked (line references, no cycles)."""
    form = FORMS[kind]
    lines = tuple(
        LineDef(
            no=int(row["no"]) if row["no"] else None,
            label=row["label"],
            indent=int(row["indent"] or 0),
            style=row["style"],
            formula=row["formula"],
            terms=parse_formula(row["formula"]),
            part=row.get("part", ""),
        )
        for row in _rows(DATA / form.file)
    )
    result = Layout(kind, form, lines)
    numbered = result.numbered
    for line in lines:
        for term in line.terms:
            if term.kind == "line" and int(term.arg) not in numbered:
                raise ValueError(f"{form.file}: line {line.no} refers to a missing line {term.arg}")
    for no in numbered:
        _dependencies(numbered, no, ())
    return result


def _dependencies(numbered: dict[int, LineDef], no: int, path: tuple[int, ...]) -> None:
    if no in path:
        raise ValueError(f"the formulas of lines {path} refer to each other in a circle")
    for term in numbered[no].terms:
        if term.kind == "line":
            _dependencies(numbered, int(term.arg), (*path, no))


@dataclass(frozen=True)
class CashFlowItem:
    code: str
    activity: str  # operating | investing | financing
    direction: str  # in | out
    name: str

    @property
    def label(self) -> str:
        return f"{self.code} {self.name}"


@functools.cache
def cash_flow_items() -> dict[str, CashFlowItem]:
    """The items a cash line may be tagged with (code = line of 会小企03表)."""
    return {
        row["code"]: CashFlowItem(row["code"], row["activity"], row["direction"], row["name"])
        for row in _rows(DATA / "cash_flow_items.csv")
    }


# --- Reading the books ------------------------------------------------------------------------------------------

Month = tuple[int, int]  # (year, month)


@dataclass(frozen=True)
class SourceKey:
    """Where part of a line's amount comes from: an account (× customer/supplier) or a voucher."""

    code: str = ""
    partner_id: int | None = None
    voucher_id: int | None = None


Contributions = dict[SourceKey, Decimal]


def _index(month: Month) -> int:
    return month[0] * 12 + month[1] - 1


def _month(index: int) -> Month:
    return index // 12, index % 12 + 1


def _before(month: Month, prefix: str = "period") -> Q:
    year, mon = month
    return Q(**{f"{prefix}__year__lt": year}) | Q(**{f"{prefix}__year": year, f"{prefix}__month__lt": mon})


def _span(first: Month, last: Month, prefix: str = "period") -> Q:
    return ~_before(first, prefix) & _before(_month(_index(last) + 1), prefix)


class _Books:
    """The organization's accounts and the start of its books, with the balances and movements read from them."""

    def __init__(self, organization: Organization) -> None:
        self.organization = organization
        self.accounts = list(Account.objects.filter(organization=organization).order_by("code"))
        self.by_code = {a.code: a for a in self.accounts}
        books = Books.objects.filter(organization=organization).select_related("start").first()
        self.start: Month | None = (books.start.year, books.start.month) if books and books.start else None

    def subtree(self, code: str) -> list[Account]:
        return [a for a in self.accounts if a.code.startswith(code)]

    def direction(self, code: str) -> int:
        """+1 when the account's normal balance is a debit, -1 for a credit."""
        account = self.by_code.get(code) or next(iter(self.subtree(code)), None)
        return -1 if account is not None and account.normal_balance == Side.CREDIT else 1

    def first_month(self, period: Period) -> Month:
        """The first month the year-to-date columns of `period` cover: January, or the start of the books."""
        if self.start is not None and self.start[0] == period.year:
            return self.start
        return (period.year, 1)

    def check(self, period: Period) -> None:
        if self.start is not None and (period.year, period.month) < self.start:
            raise InvalidInput.single(
                "period", _("The books start in %(start)s-%(m)02d.") % {"start": self.start[0], "m": self.start[1]}
            )

    def balances(
        self, moment: Month, *, with_partners: bool = False, accounts: Iterable[int] | None = None
    ) -> tuple[dict[int, Decimal], dict[tuple[int, int], Decimal]]:
        """Debit-positive balances of every account at the start of month `moment` (and by partner if asked).

        The opening balances are those at the start of the books; the start of their year is derived from
        them by taking back the year-to-date movements entered with them.
        """
        totals: dict[int, Decimal] = defaultdict(lambda: ZERO)
        partners: dict[tuple[int, int], Decimal] = defaultdict(lambda: ZERO)
        rows = AccountBalance.objects.filter(organization=self.organization).filter(_before(moment))
        openings = OpeningBalance.objects.filter(organization=self.organization)
        if accounts is not None:
            ids = list(accounts)
            rows, openings = rows.filter(account_id__in=ids), openings.filter(account_id__in=ids)
        if not with_partners:
            rows, openings = rows.filter(partner__isnull=True), openings.filter(partner__isnull=True)
        for row in rows.values("account_id", "partner_id").annotate(d=Sum("debit"), c=Sum("credit")):
            if row["partner_id"] is None:
                totals[row["account_id"]] += row["d"] - row["c"]
            else:
                partners[(row["account_id"], row["partner_id"])] += row["d"] - row["c"]
        year_start_of_first_year = self.start is not None and moment == (self.start[0], 1) and moment < self.start
        for opening in openings:
            amount = opening.balance
            if year_start_of_first_year:
                amount += opening.ytd_credit - opening.ytd_debit
            if opening.partner_id is None:
                totals[opening.account_id] += amount
            else:
                partners[(opening.account_id, opening.partner_id)] += amount
        return totals, partners

    def movements(self, first: Month, last: Month) -> dict[int, Decimal]:
        """Debit-positive movements of the income and expense accounts over [first, last], closing vouchers left
        out."""
        pl = Q(account__category__in=PROFIT_AND_LOSS)
        net: dict[int, Decimal] = defaultdict(lambda: ZERO)
        rows = AccountBalance.objects.filter(pl, organization=self.organization, partner__isnull=True)
        for row in rows.filter(_span(first, last)).values("account_id").annotate(d=Sum("debit"), c=Sum("credit")):
            net[row["account_id"]] += row["d"] - row["c"]
        closing = VoucherLine.objects.filter(
            pl,
            organization=self.organization,
            voucher__status=VoucherStatus.POSTED,
            voucher__source_type__in=CLOSING_SOURCES,
        ).filter(_span(first, last, "voucher__period"))
        for row in closing.values("account_id").annotate(d=Sum("debit"), c=Sum("credit")):
            net[row["account_id"]] -= row["d"] - row["c"]
        return net

    def opening_year_to_date(self, period: Period) -> dict[int, Decimal]:
        """The debit-positive year-to-date movements of the income and expense accounts entered with the opening
        balances, for the year-to-date column of a period in the first year of books that start after January."""
        if self.start is None or self.start[0] != period.year or self.start[1] == 1:
            return {}
        openings = OpeningBalance.objects.filter(
            organization=self.organization, partner__isnull=True, account__category__in=PROFIT_AND_LOSS
        )
        return {o.account_id: o.ytd_debit - o.ytd_credit for o in openings}

    def cash_flows(self, first: Month, last: Month) -> dict[str, dict[int, Decimal]]:
        """Debit-positive cash movements over [first, last] by cash-flow item ("" when none) and voucher."""
        lines = VoucherLine.objects.filter(
            organization=self.organization, voucher__status=VoucherStatus.POSTED, account__is_cash=True
        ).filter(_span(first, last, "voucher__period"))
        counter_lines = VoucherLine.objects.filter(voucher=OuterRef("voucher"), account__is_cash=False)
        lines = lines.filter(Exists(counter_lines))
        flows: dict[str, dict[int, Decimal]] = defaultdict(lambda: defaultdict(lambda: ZERO))
        for row in lines.values("cash_flow_item", "voucher_id").annotate(d=Sum("debit"), c=Sum("credit")):
            flows[row["cash_flow_item"]][row["voucher_id"]] += row["d"] - row["c"]
        return flows

    def cash_ids(self) -> list[int]:
        return [a.pk for a in self.accounts if a.is_cash]


# --- Evaluating a layout ----------------------------------------------------------------------------------------


class _Column:
    """The values of a statement's terms in one column."""

    def __init__(self, books: _Books) -> None:
        self.books = books

    def term(self, term: Term, line: LineDef) -> Contributions:
        raise ValueError(f"the term {term.kind} has no meaning in this statement")


class _AccountsColumn(_Column):
    """Terms over debit-positive amounts per account (balances or movements)."""

    def __init__(
        self, books: _Books, net: dict[int, Decimal], partners: dict[tuple[int, int], Decimal] | None = None
    ) -> None:
        super().__init__(books)
        self.net = net
        self.partners = partners or {}

    def _subtotal(self, code: str) -> Decimal:
        return sum((self.net.get(a.pk, ZERO) for a in self.books.subtree(code)), ZERO)

    def term(self, term: Term, line: LineDef) -> Contributions:
        if term.kind == "account":
            return {SourceKey(term.arg): self._subtotal(term.arg) * self.books.direction(term.arg)}
        if term.kind in ("dr", "cr"):
            return self._details(term.arg, debit=term.kind == "dr")
        if term.kind == "pl":
            top = [a for a in self.books.accounts if a.parent_id is None and a.category in PROFIT_AND_LOSS]
            return {SourceKey(a.code): -self._subtotal(a.code) for a in top}
        return super().term(term, line)

    def _details(self, code: str, *, debit: bool) -> Contributions:
        """The debit (or credit) balances of the account's details: by customer/supplier, the rest as one."""
        ids = {a.pk for a in self.books.subtree(code)}
        by_partner: dict[int | None, Decimal] = defaultdict(lambda: ZERO)
        for (account_id, partner_id), amount in self.partners.items():
            if account_id in ids:
                by_partner[partner_id] += amount
        by_partner[None] = self._subtotal(code) - sum(by_partner.values(), ZERO)
        sign = 1 if debit else -1
        return {SourceKey(code, partner): amount * sign for partner, amount in by_partner.items() if amount * sign > 0}


class _CashColumn(_Column):
    def __init__(self, books: _Books, flows: dict[str, dict[int, Decimal]], opening_cash: dict[int, Decimal]) -> None:
        super().__init__(books)
        self.flows = flows
        self.opening_cash = opening_cash

    def term(self, term: Term, line: LineDef) -> Contributions:
        if term.kind in ("in", "out"):
            sign = 1 if term.kind == "in" else -1
            return {SourceKey(voucher_id=v): amount * sign for v, amount in self.flows.get(str(line.no), {}).items()}
        if term.kind == "cash":
            codes = {a.pk: a.code for a in self.books.accounts}
            return {SourceKey(codes[pk]): amount for pk, amount in self.opening_cash.items()}
        return super().term(term, line)

    def unassigned(self) -> Contributions:
        known = cash_flow_items()
        found: Contributions = defaultdict(lambda: ZERO)
        for item, by_voucher in self.flows.items():
            if item not in known:
                for voucher_id, amount in by_voucher.items():
                    found[SourceKey(voucher_id=voucher_id)] += amount
        return dict(found)


def _evaluate(lay: Layout, column: _Column) -> dict[int | str, Contributions]:
    numbered = lay.numbered
    done: dict[int, Contributions] = {}

    def line_value(no: int) -> Contributions:
        if no in done:
            return done[no]
        line = numbered[no]
        result: Contributions = defaultdict(lambda: ZERO)
        for term in line.terms:
            parts = line_value(int(term.arg)) if term.kind == "line" else column.term(term, line)
            for key, amount in parts.items():
                result[key] += amount * term.sign
        done[no] = dict(result)
        return done[no]

    return {no: line_value(no) for no in numbered}


# --- Statements -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Check:
    label: str
    left: Decimal
    right: Decimal

    @property
    def ok(self) -> bool:
        return self.left == self.right


@dataclass
class StatementLine:
    definition: LineDef
    amounts: list[Decimal]

    @property
    def no(self) -> int | None:
        return self.definition.no

    @property
    def label(self) -> str:
        return self.definition.label


@dataclass
class Statement:
    kind: str
    form: Form
    organization: Organization
    period: Period
    lines: list[StatementLine]
    checks: list[Check]
    contributions: list[dict[int | str, Contributions]]  # per column: line (or UNASSIGNED) → sources
    unassigned: list[Decimal] | None = None  # cash-flow statement: cash not assigned to an item, per column
    spans: list[tuple[Month, Month]] = field(default_factory=list)  # the months each column covers
    unmapped: list[Account] = field(default_factory=list)  # balance-sheet accounts with a balance on no line

    @property
    def balanced(self) -> bool:
        return all(check.ok for check in self.checks)

    def line(self, no: int) -> StatementLine:
        for line in self.lines:
            if line.no == no:
                return line
        raise NotFound(_("No line %(no)s in this statement.") % {"no": no})

    def sources(self, no: int | str) -> list[Source]:
        """What a line (or the unassigned cash) is made of, per column, resolved to accounts and vouchers."""
        keys: dict[SourceKey, list[Decimal]] = {}
        for column, contributions in enumerate(self.contributions):
            for key, amount in contributions.get(no, {}).items():
                keys.setdefault(key, [ZERO] * len(self.contributions))[column] += amount
        return _resolve(self.organization, keys)


@dataclass(frozen=True)
class Source:
    key: SourceKey
    amounts: list[Decimal]
    account: Account | None = None
    partner: str = ""
    voucher: Voucher | None = None

    @property
    def label(self) -> str:
        if self.voucher is not None:
            return f"{self.voucher.date:%Y-%m-%d} {self.voucher.display_number}"
        name = f"{self.key.code} {self.account.name}" if self.account else self.key.code
        return f"{name} · {self.partner}" if self.partner else name


def _resolve(organization: Organization, keys: dict[SourceKey, list[Decimal]]) -> list[Source]:
    accounts = {a.code: a for a in Account.objects.filter(organization=organization, code__in={k.code for k in keys})}
    partner_model = Account._meta.apps.get_model("partners", "Partner")  # accounting imports no other domain app
    partner_ids = {k.partner_id for k in keys if k.partner_id}
    partners = {p.pk: str(p.name) for p in partner_model.objects.filter(organization=organization, pk__in=partner_ids)}
    vouchers = Voucher.objects.filter(organization=organization, pk__in={k.voucher_id for k in keys if k.voucher_id})
    by_id = {v.pk: v for v in vouchers}
    found = [
        Source(
            key,
            amounts,
            account=accounts.get(key.code),
            partner=partners.get(key.partner_id, "") if key.partner_id else "",
            voucher=by_id.get(key.voucher_id) if key.voucher_id else None,
        )
        for key, amounts in keys.items()
        if any(amounts)
    ]
    return sorted(
        found,
        key=lambda s: (s.key.code, s.partner, s.voucher.date.isoformat() if s.voucher else "", s.key.voucher_id or 0),
    )


def _period_of(organization: Organization, period: Period) -> None:
    if period.organization_id != organization.pk:
        raise NotFound(_("No such period."))


def _lines(lay: Layout, values: list[dict[int | str, Contributions]]) -> list[StatementLine]:
    return [
        StatementLine(
            line,
            [sum(column.get(line.no, {}).values(), ZERO) if line.no is not None else ZERO for column in values],
        )
        for line in lay.lines
    ]


def balance_sheet(*, organization: Organization, period: Period) -> Statement:
    """资产负债表 at the end of `period`: 期末余额 and 年初余额 (the balances at the start of the period's year)."""
    _period_of(organization, period)
    books = _Books(organization)
    books.check(period)
    lay = layout(BALANCE_SHEET)
    detail_codes = {t.arg for line in lay.lines for t in line.terms if t.kind in ("dr", "cr")}
    detail_ids = {a.pk for code in detail_codes for a in books.subtree(code)}
    end = _month(_index((period.year, period.month)) + 1)
    year_start = (period.year, 1)
    columns = []
    for moment in (end, year_start):
        totals, _none = books.balances(moment)
        _totals, partners = books.balances(moment, with_partners=True, accounts=detail_ids)
        columns.append((totals, _AccountsColumn(books, totals, partners)))
    values = [_evaluate(lay, column) for _net, column in columns]
    lines = _lines(lay, values)
    by_no = {line.no: line for line in lines}
    checks = [
        Check(
            _("Total assets = total liabilities and owners' equity (%(column)s)")
            % {"column": FORMS[BALANCE_SHEET].labels[i]},
            by_no[30].amounts[i],
            by_no[53].amounts[i],
        )
        for i in range(2)
    ]
    covered = {t.arg for line in lay.lines for t in line.terms if t.kind in ("account", "dr", "cr")}
    unmapped = [
        a
        for a in books.accounts
        if a.category not in PROFIT_AND_LOSS
        and not any(a.code.startswith(code) for code in covered)
        and not any(code.startswith(a.code) for code in covered)
        and any(net.get(a.pk, ZERO) for net, _column in columns)
    ]
    return Statement(
        BALANCE_SHEET,
        FORMS[BALANCE_SHEET],
        organization,
        period,
        lines,
        checks,
        values,
        spans=[(books.first_month(period), (period.year, period.month))] * 2,
        unmapped=unmapped,
    )


def income_statement(*, organization: Organization, period: Period) -> Statement:
    """利润表 of `period`: 本年累计金额 (from January, or the start of the books) and 本月金额."""
    _period_of(organization, period)
    books = _Books(organization)
    books.check(period)
    lay = layout(INCOME)
    this = (period.year, period.month)
    spans = [(books.first_month(period), this), (this, this)]
    nets = [books.movements(first, last) for first, last in spans]
    for account_id, amount in books.opening_year_to_date(period).items():
        nets[0][account_id] += amount
    values = [_evaluate(lay, _AccountsColumn(books, net)) for net in nets]
    lines = _lines(lay, values)
    last = lines[-1]
    income_ids = {a.pk for a in books.accounts if a.category == AccountCategory.INCOME}
    expense_ids = {a.pk for a in books.accounts if a.category == AccountCategory.EXPENSE}
    checks = [
        Check(
            _("Net profit = income minus expenses of the income and expense accounts (%(column)s)")
            % {"column": FORMS[INCOME].labels[i]},
            last.amounts[i],
            -sum((v for k, v in net.items() if k in income_ids), ZERO)
            - sum((v for k, v in net.items() if k in expense_ids), ZERO),
        )
        for i, net in enumerate(nets)
    ]
    return Statement(INCOME, FORMS[INCOME], organization, period, lines, checks, values, spans=spans)


def cash_flow_statement(*, organization: Organization, period: Period) -> Statement:
    """现金流量表 of `period` from the cash lines' cash-flow items, with the cash not assigned to any item."""
    _period_of(organization, period)
    books = _Books(organization)
    books.check(period)
    lay = layout(CASH_FLOW)
    this = (period.year, period.month)
    spans = [(books.first_month(period), this), (this, this)]
    cash = books.cash_ids()
    closing_totals, _p = books.balances(_month(_index(this) + 1), accounts=cash)
    closing_cash = sum(closing_totals.values(), ZERO)
    columns = []
    for first, last in spans:
        opening, _p = books.balances(first, accounts=cash)
        columns.append(_CashColumn(books, books.cash_flows(first, last), dict(opening)))
    values = [{**_evaluate(lay, column), UNASSIGNED: column.unassigned()} for column in columns]
    lines = _lines(lay, values)
    unassigned = [sum(v[UNASSIGNED].values(), ZERO) for v in values]
    by_no = {line.no: line for line in lines}
    checks = [
        Check(
            _("Net increase in cash + cash not assigned to an item = change of the cash balances (%(column)s)")
            % {"column": FORMS[CASH_FLOW].labels[i]},
            by_no[20].amounts[i] + unassigned[i],
            closing_cash - by_no[21].amounts[i],
        )
        for i in range(2)
    ]
    return Statement(
        CASH_FLOW, FORMS[CASH_FLOW], organization, period, lines, checks, values, unassigned=unassigned, spans=spans
    )


STATEMENTS = {BALANCE_SHEET: balance_sheet, INCOME: income_statement, CASH_FLOW: cash_flow_statement}


def statement_get(*, organization: Organization, kind: str, period: Period) -> Statement:
    if kind not in STATEMENTS:
        raise NotFound(_("No such statement."))
    return STATEMENTS[kind](organization=organization, period=period)
