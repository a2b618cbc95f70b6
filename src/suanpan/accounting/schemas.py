from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Literal

from ninja import Schema
from pydantic import Field, StrictInt, StrictStr

WordT = Literal["记", "收", "付", "转"]


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
    closing_debit: Decimal
    closing_credit: Decimal


class TrialBalanceOut(Schema):
    start: str
    end: str
    balanced: bool
    rows: list[TrialRowOut]
    total_debit: Decimal
    total_credit: Decimal


class PeriodQuery(Schema):
    start: str = Field(pattern=r"^\d{4}-\d{2}$", description="first period, YYYY-MM")
    end: str = Field(pattern=r"^\d{4}-\d{2}$", description="last period, YYYY-MM")
