from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Annotated, Literal

from ninja import Schema
from pydantic import Field, StrictInt, StrictStr

# 凭证字: the organization's own words (Books.voucher_words, 1–2 characters); the service checks membership.
WordT = Annotated[StrictStr, Field(min_length=1, max_length=2)]


class AccountOut(Schema):
    id: int
    code: str
    name: str
    category: str
    normal_balance: str
    level: int
    parent_id: int | None
    dimensions: list[str]
    is_cash: bool
    is_active: bool


class AccountQuery(Schema):
    q: str | None = Field(None, pattern=r"^[^\x00]*$")  # PostgreSQL cannot search text holding NUL
    category: Literal["asset", "liability", "equity", "cost", "income", "expense"] | None = None


class LineIn(Schema):
    summary: StrictStr = Field(min_length=1, max_length=200)
    account_id: StrictInt
    debit: Decimal = Field(Decimal("0"), max_digits=18, decimal_places=2)
    credit: Decimal = Field(Decimal("0"), max_digits=18, decimal_places=2)
    partner_id: StrictInt | None = None
    product_id: StrictInt | None = None
    employee: StrictStr = Field("", max_length=60)
    department: StrictStr = Field("", max_length=60)
    project: StrictStr = Field("", max_length=60)
    cash_flow_item: StrictStr = Field("", max_length=10)


class VoucherIn(Schema):
    date: datetime.date
    word: WordT = "记"
    attachments: int = Field(0, ge=0, le=999)
    notes: StrictStr = Field("", max_length=2000)
    lines: list[LineIn] = Field(min_length=2, max_length=500)


class LineOut(Schema):
    seq: int
    summary: str
    account_id: int
    account_code: str
    account_name: str
    debit: Decimal
    credit: Decimal
    partner_id: int | None
    product_id: int | None
    employee: str
    department: str
    project: str
    cash_flow_item: str

    @staticmethod
    def resolve_account_code(obj: object) -> str:
        return str(obj.account.code)  # type: ignore[attr-defined]

    @staticmethod
    def resolve_account_name(obj: object) -> str:
        return str(obj.account.name)  # type: ignore[attr-defined]


class VoucherOut(Schema):
    id: int
    word: str
    number: int | None
    display_number: str
    date: datetime.date
    period: str
    status: str
    attachments: int
    total_debit: Decimal
    total_credit: Decimal
    maker_id: int | None
    reviewer_id: int | None
    poster_id: int | None
    reverses_id: int | None
    source_type: str
    source_id: int | None
    notes: str
    lines: list[LineOut]

    @staticmethod
    def resolve_period(obj: object) -> str:
        return str(obj.period)  # type: ignore[attr-defined]

    @staticmethod
    def resolve_lines(obj: object) -> list[object]:
        return list(obj.lines.select_related("account").order_by("seq"))  # type: ignore[attr-defined]


class VoucherQuery(Schema):
    year: int | None = Field(None, ge=1990, le=2200)
    month: int | None = Field(None, ge=1, le=12)
    status: Literal["draft", "reviewed", "posted"] | None = None
    word: WordT | None = None


class ReverseIn(Schema):
    date: datetime.date | None = None


class TrialRowOut(Schema):
    code: str
    name: str
    level: int
    opening_debit: Decimal
    opening_credit: Decimal
    debit: Decimal
    credit: Decimal
    ytd_debit: Decimal = Field(description="本年累计: from January of the last period's year up to it")
    ytd_credit: Decimal
    closing_debit: Decimal
    closing_credit: Decimal


class TrialBalanceOut(Schema):
    start: str
    end: str
    balanced: bool
    rows: list[TrialRowOut]
    total_debit: Decimal
    total_credit: Decimal
    total_ytd_debit: Decimal
    total_ytd_credit: Decimal


class PeriodQuery(Schema):
    start: str = Field(pattern=r"^\d{4}-\d{2}$", description="first period, YYYY-MM")
    end: str = Field(pattern=r"^\d{4}-\d{2}$", description="last period, YYYY-MM")


class PeriodOut(Schema):
    id: int
    year: int
    month: int
    label: str
    start: datetime.date
    end: datetime.date
    status: Literal["open", "closed"]

    @staticmethod
    def resolve_label(obj: object) -> str:
        return str(obj)


class PeriodsQuery(Schema):
    year: int | None = Field(None, ge=1990, le=2200)


class CheckLinkOut(Schema):
    label: str
    url: str


class CloseCheckOut(Schema):
    code: str
    label: str
    ok: bool
    automatic: bool = Field(description="the close itself puts this right (it carries), so it blocks only after")
    message: str
    links: list[CheckLinkOut]


class ReopenIn(Schema):
    reason: StrictStr = Field(max_length=500, description="why the period is reopened (kept in the audit trail)")


class LedgerQuery(Schema):
    account: str = Field(min_length=1, max_length=20, pattern=r"^\d+$", description="account code, e.g. 1122")
    from_: str = Field(alias="from", pattern=r"^\d{4}-\d{2}$", description="first period, YYYY-MM")
    to: str = Field(pattern=r"^\d{4}-\d{2}$", description="last period, YYYY-MM")


class GeneralLedgerLineOut(Schema):
    kind: Literal["opening", "period", "year"]
    period: str
    label: str
    debit: Decimal
    credit: Decimal
    side: str
    balance: Decimal = Field(description="debit positive, credit negative")


class GeneralLedgerOut(Schema):
    account_code: str
    account_name: str
    start: str
    end: str
    opening: Decimal
    closing: Decimal
    lines: list[GeneralLedgerLineOut]


class AuxiliaryRowOut(Schema):
    partner_id: int | None
    partner_code: str
    partner_name: str
    opening: Decimal
    debit: Decimal
    credit: Decimal
    closing: Decimal


class AuxiliaryLedgerOut(Schema):
    account_code: str
    account_name: str
    start: str
    end: str
    rows: list[AuxiliaryRowOut]
    total: AuxiliaryRowOut


# Books set-up and opening balances -------------------------------------------------------------------------


class BooksOut(Schema):
    start: str
    voucher_words: list[str]
    opening_accepted: bool
    opening_accepted_at: datetime.datetime | None
    opening_accepted_by_id: int | None

    @staticmethod
    def resolve_start(obj: object) -> str:
        start = obj.start  # type: ignore[attr-defined]
        return f"{start.year}-{start.month:02d}" if start is not None else ""


class BooksIn(Schema):
    start: StrictStr = Field(pattern=r"^\d{4}-\d{2}$", description="first period of the books, YYYY-MM")
    voucher_words: list[StrictStr] = Field(min_length=1, max_length=10)


class OpeningRowIn(Schema):
    account_code: StrictStr = Field(pattern=r"^\d{4,20}$", max_length=20)
    partner_id: StrictInt | None = None
    balance: Decimal = Field(Decimal("0"), max_digits=18, decimal_places=2, description="debit +, credit -")
    ytd_debit: Decimal = Field(Decimal("0"), ge=0, max_digits=18, decimal_places=2)
    ytd_credit: Decimal = Field(Decimal("0"), ge=0, max_digits=18, decimal_places=2)


class OpeningBalancesIn(Schema):
    rows: list[OpeningRowIn] = Field(max_length=5000)


class OpeningRowOut(Schema):
    account_code: str
    account_name: str
    normal_balance: str
    partner_id: int | None
    partner_name: str
    balance: Decimal
    ytd_debit: Decimal
    ytd_credit: Decimal


class OpeningBalancesOut(Schema):
    start: str
    accepted: bool
    rows: list[OpeningRowOut]


class CategoryTotalOut(Schema):
    category: str
    debit: Decimal
    credit: Decimal


class OpeningCheckOut(Schema):
    debit: Decimal
    credit: Decimal
    difference: Decimal
    ytd_debit: Decimal
    ytd_credit: Decimal
    ytd_difference: Decimal
    balanced: bool
    categories: list[CategoryTotalOut]


class StatementQuery(Schema):
    period: str = Field(pattern=r"^\d{4}-\d{2}$", description="the month, YYYY-MM")


class StatementLineOut(Schema):
    no: int
    label: str
    amounts: list[Decimal]


class StatementCheckOut(Schema):
    label: str
    left: Decimal
    right: Decimal
    ok: bool


class StatementOut(Schema):
    kind: str
    title: str
    form_code: str
    organization: str
    period: str
    columns: list[str]
    lines: list[StatementLineOut]
    checks: list[StatementCheckOut]
    balanced: bool
    unassigned: list[Decimal] | None = Field(None, description="cash-flow statement: cash not assigned to an item")
