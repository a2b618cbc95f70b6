from __future__ import annotations

import datetime
import re
from decimal import Decimal
from typing import Annotated

from ninja import Schema
from pydantic import BeforeValidator, Field, StrictBool, StrictInt, StrictStr

from suanpan.core.money import money


def _iso_date(value: object) -> object:
    """Dates are written YYYY-MM-DD: a bare number (which pydantic would read as a Unix timestamp) is refused."""
    if isinstance(value, bool | int | float) or (
        isinstance(value, str) and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value)
    ):
        raise ValueError("Enter a date as YYYY-MM-DD.")
    return value


IsoDate = Annotated[datetime.date, BeforeValidator(_iso_date)]


class OpenItemOut(Schema):
    id: int
    partner_id: int
    partner_name: str
    kind: str
    date: IsoDate
    due_date: datetime.date
    amount: Decimal
    open_amount: Decimal
    source_type: str
    source_id: int
    source_label: str

    @staticmethod
    def resolve_partner_name(obj: object) -> str:
        return str(obj.partner.name)  # type: ignore[attr-defined]

    @staticmethod
    def resolve_open_amount(obj: object) -> Decimal:
        return money(obj.open_amount)  # type: ignore[attr-defined]


class OpenItemQuery(Schema):
    supplier: int | None = Field(None, ge=1, le=2**62)
    kind: str = Field("payable", pattern=r"^(payable|prepayment)$")
    open_only: bool = True


class AllocationIn(Schema):
    item_id: StrictInt
    amount: Decimal = Field(max_digits=18, decimal_places=2)


class PaymentIn(Schema):
    partner_id: StrictInt
    date: IsoDate
    account_id: StrictInt
    amount: Decimal = Field(max_digits=18, decimal_places=2, gt=0)
    allocations: list[AllocationIn] | None = Field(None, max_length=500)
    allow_advance: StrictBool = False
    cash_flow_item: StrictStr = Field("3", max_length=10)
    reference: StrictStr = Field("", max_length=100)
    notes: StrictStr = Field("", max_length=2000)


class ApplyAdvancesIn(Schema):
    partner_id: StrictInt
    date: IsoDate


class AllocationOut(Schema):
    id: int
    item_id: int
    item_label: str
    amount: Decimal

    @staticmethod
    def resolve_item_label(obj: object) -> str:
        return str(obj.item.source_label)  # type: ignore[attr-defined]


class PaymentOut(Schema):
    id: int
    number: str
    kind: str
    date: IsoDate
    partner_id: int
    account_id: int | None
    amount: Decimal
    advance: Decimal
    cash_flow_item: str
    reference: str
    notes: str
    voucher_id: int | None
    allocations: list[AllocationOut]

    @staticmethod
    def resolve_allocations(obj: object) -> list[object]:
        return list(obj.allocations.select_related("item").order_by("id"))  # type: ignore[attr-defined]


class PaymentQuery(Schema):
    supplier: int | None = Field(None, ge=1, le=2**62)
    date_from: IsoDate | None = None
    date_to: IsoDate | None = None


class AgingQuery(Schema):
    on: IsoDate | None = None
    buckets: str = Field("30,60,90", max_length=40, pattern=r"^\d{1,4}(,\d{1,4}){0,7}$")


class AgingRowOut(Schema):
    partner_id: int
    partner: str
    not_due: Decimal
    buckets: list[Decimal]
    total: Decimal


class AgingOut(Schema):
    on: IsoDate
    labels: list[str]
    rows: list[AgingRowOut]
    totals: AgingRowOut
