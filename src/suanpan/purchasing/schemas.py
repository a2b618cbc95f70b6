from __future__ import annotations

import datetime
import re
from decimal import Decimal
from typing import Annotated, Literal

from ninja import Schema
from pydantic import BeforeValidator, Field, StrictInt, StrictStr


def _iso_date(value: object) -> object:
    """Dates are written YYYY-MM-DD: a bare number (which pydantic would read as a Unix timestamp) is refused."""
    if isinstance(value, bool | int | float) or (
        isinstance(value, str) and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value)
    ):
        raise ValueError("Enter a date as YYYY-MM-DD.")
    return value


IsoDate = Annotated[datetime.date, BeforeValidator(_iso_date)]


class OrderLineIn(Schema):
    product_id: StrictInt
    quantity: Decimal = Field(max_digits=18, decimal_places=4, gt=0)
    unit_price: Decimal = Field(max_digits=18, decimal_places=6, ge=0)


class OrderIn(Schema):
    supplier_id: StrictInt
    warehouse_id: StrictInt
    date: IsoDate
    expected_date: IsoDate | None = None
    notes: StrictStr = Field("", max_length=2000)
    lines: list[OrderLineIn] = Field(min_length=1, max_length=500)


class OrderLineOut(Schema):
    id: int
    seq: int
    product_id: int
    product_code: str
    product_name: str
    quantity: Decimal
    unit_price: Decimal
    vat_rate: Decimal
    amount: Decimal
    tax: Decimal
    total: Decimal
    received_quantity: Decimal
    returned_quantity: Decimal
    open_quantity: Decimal

    @staticmethod
    def resolve_product_code(obj: object) -> str:
        return str(obj.product.code)  # type: ignore[attr-defined]

    @staticmethod
    def resolve_product_name(obj: object) -> str:
        return str(obj.product.name)  # type: ignore[attr-defined]


class OrderOut(Schema):
    id: int
    number: str
    status: str
    supplier_id: int
    warehouse_id: int
    date: IsoDate
    expected_date: IsoDate | None
    amount: Decimal
    tax: Decimal
    total: Decimal
    notes: str
    approved_by_id: int | None
    approved_at: datetime.datetime | None
    created_at: datetime.datetime
    lines: list[OrderLineOut]

    @staticmethod
    def resolve_lines(obj: object) -> list[object]:
        return list(obj.lines.select_related("product").order_by("seq"))  # type: ignore[attr-defined]


class OrderQuery(Schema):
    q: str | None = Field(None, max_length=100)
    status: str | None = Field(None, max_length=20)
    supplier: int | None = Field(None, ge=1, le=2**62)
    date_from: IsoDate | None = None
    date_to: IsoDate | None = None
    sort: Literal["date", "-date", "number", "-number", "total", "-total"] | None = None


class ReceiptLineIn(Schema):
    order_line_id: StrictInt
    quantity: Decimal = Field(max_digits=18, decimal_places=4, gt=0)
    lot_number: StrictStr = Field("", max_length=60)
    production_date: IsoDate | None = None
    expiry_date: IsoDate | None = None


class ReceiptIn(Schema):
    order_id: StrictInt
    date: IsoDate
    warehouse_id: StrictInt | None = None
    invoice_number: StrictStr = Field("", max_length=40)
    notes: StrictStr = Field("", max_length=2000)
    lines: list[ReceiptLineIn] = Field(min_length=1, max_length=500)


class ReceiptLineOut(Schema):
    id: int
    order_line_id: int
    product_id: int
    lot_id: int | None
    lot_number: str
    quantity: Decimal
    unit_price: Decimal
    vat_rate: Decimal
    amount: Decimal
    tax: Decimal
    total: Decimal
    cost: Decimal
    returned_quantity: Decimal

    @staticmethod
    def resolve_lot_number(obj: object) -> str:
        lot = obj.lot  # type: ignore[attr-defined]
        return str(lot.number) if lot else ""


class ReceiptOut(Schema):
    id: int
    number: str
    order_id: int
    supplier_id: int
    warehouse_id: int
    date: IsoDate
    due_date: datetime.date
    invoice_number: str
    amount: Decimal
    tax: Decimal
    total: Decimal
    cost: Decimal
    voucher_id: int | None
    notes: str
    lines: list[ReceiptLineOut]

    @staticmethod
    def resolve_lines(obj: object) -> list[object]:
        return list(obj.lines.select_related("lot").order_by("id"))  # type: ignore[attr-defined]


class DocumentQuery(Schema):
    q: str | None = Field(None, max_length=100)
    supplier: int | None = Field(None, ge=1, le=2**62)
    date_from: IsoDate | None = None
    date_to: IsoDate | None = None


class ReturnLineIn(Schema):
    receipt_line_id: StrictInt
    quantity: Decimal = Field(max_digits=18, decimal_places=4, gt=0)


class ReturnIn(Schema):
    receipt_id: StrictInt
    date: IsoDate
    reason: StrictStr = Field("", max_length=200)
    lines: list[ReturnLineIn] = Field(min_length=1, max_length=500)


class ReturnLineOut(Schema):
    id: int
    receipt_line_id: int
    product_id: int
    lot_id: int | None
    quantity: Decimal
    amount: Decimal
    tax: Decimal
    total: Decimal
    cost: Decimal


class ReturnOut(Schema):
    id: int
    number: str
    receipt_id: int
    supplier_id: int
    warehouse_id: int
    date: IsoDate
    reason: str
    amount: Decimal
    tax: Decimal
    total: Decimal
    cost: Decimal
    voucher_id: int | None
    lines: list[ReturnLineOut]

    @staticmethod
    def resolve_lines(obj: object) -> list[object]:
        return list(obj.lines.order_by("id"))  # type: ignore[attr-defined]


class AnalysisQuery(Schema):
    date_from: IsoDate
    date_to: IsoDate
    by: Literal["supplier", "product"] = "supplier"


class AnalysisRowOut(Schema):
    key_id: int
    code: str
    name: str
    quantity: Decimal
    amount: Decimal
    tax: Decimal
    total: Decimal
    returned_amount: Decimal
    net_amount: Decimal
    receipts: int


class AnalysisOut(Schema):
    date_from: IsoDate
    date_to: IsoDate
    by: str
    rows: list[AnalysisRowOut]
    total_amount: Decimal
    total_net_amount: Decimal
