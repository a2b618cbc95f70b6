"""API schemas of stock balances, the stock ledger, lots, transfers and stocktakes (separate In/Out)."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal
from typing import Annotated

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


class StockBalanceQuery(Schema):
    warehouse: int | None = Field(None, ge=1, le=2**53)
    product: int | None = Field(None, ge=1, le=2**53)
    q: str | None = Field(None, max_length=100)


class StockBalanceOut(Schema):
    product_id: int
    product_code: str
    product_name: str
    warehouse_id: int
    warehouse_name: str
    on_hand: Decimal
    reserved: Decimal
    available: Decimal
    value: Decimal


class LotStockOut(Schema):
    lot_id: int
    lot_number: str
    expiry_date: datetime.date | None
    product_id: int
    warehouse_id: int
    on_hand: Decimal


class StockLedgerQuery(Schema):
    product: int = Field(ge=1, le=2**53)
    warehouse: int | None = Field(None, ge=1, le=2**53)
    start: IsoDate | None = None
    end: IsoDate | None = None


class StockMoveOut(Schema):
    id: int
    date: IsoDate
    warehouse_id: int
    lot_id: int | None
    kind: str
    quantity: Decimal
    unit_cost: Decimal
    value: Decimal
    cost_final: bool
    source_type: str
    source_id: int | None
    source_label: str
    balance_quantity: Decimal
    balance_value: Decimal


class StockLedgerOut(Schema):
    product_id: int
    opening_quantity: Decimal
    opening_value: Decimal
    moves: list[StockMoveOut]


class LotQuery(Schema):
    product: int | None = Field(None, ge=1, le=2**53)
    q: str | None = Field(None, max_length=100)


class LotWarehouseOut(Schema):
    warehouse_id: int
    warehouse_name: str
    on_hand: Decimal


class LotOut(Schema):
    id: int
    number: str
    product_id: int
    production_date: datetime.date | None
    expiry_date: datetime.date | None
    on_hand: Decimal
    stock: list[LotWarehouseOut]


class LotSuggestionQuery(Schema):
    product: int = Field(ge=1, le=2**53)
    warehouse: int = Field(ge=1, le=2**53)
    quantity: Decimal = Field(gt=0, max_digits=18, decimal_places=4)


class LotSuggestionOut(Schema):
    lot_id: int
    lot_number: str
    expiry_date: datetime.date | None
    on_hand: Decimal
    quantity: Decimal


class InTransitOut(Schema):
    transfer_id: int
    transfer_number: str
    shipped_on: datetime.date | None
    from_warehouse_id: int
    to_warehouse_id: int
    product_id: int
    lot_id: int | None
    quantity: Decimal
    value: Decimal


class TransferLineIn(Schema):
    product_id: StrictInt = Field(ge=1, le=2**53)
    lot_id: StrictInt | None = Field(None, ge=1, le=2**53)
    quantity: Decimal = Field(gt=0, max_digits=18, decimal_places=4)


class TransferIn(Schema):
    date: IsoDate
    from_warehouse_id: StrictInt = Field(ge=1, le=2**53)
    to_warehouse_id: StrictInt = Field(ge=1, le=2**53)
    lines: list[TransferLineIn] = Field(min_length=1, max_length=500)
    notes: StrictStr = Field("", max_length=2000)


class TransferLineOut(Schema):
    id: int
    seq: int
    product_id: int
    lot_id: int | None
    quantity: Decimal
    shipped_value: Decimal
    received_quantity: Decimal | None
    received_value: Decimal
    loss_value: Decimal


class TransferOut(Schema):
    id: int
    number: str
    date: IsoDate
    status: str
    from_warehouse_id: int
    to_warehouse_id: int
    shipped_on: datetime.date | None
    received_on: datetime.date | None
    loss_voucher_id: int | None
    notes: str
    lines: list[TransferLineOut]


class TransferQuery(Schema):
    status: str | None = Field(None, max_length=20)
    warehouse: int | None = Field(None, ge=1, le=2**53)
    q: str | None = Field(None, max_length=100)


class DateIn(Schema):
    date: IsoDate


class ReceivedLineIn(Schema):
    line_id: StrictInt = Field(ge=1, le=2**53)
    received_quantity: Decimal = Field(ge=0, max_digits=18, decimal_places=4)


class ReceiveIn(Schema):
    date: IsoDate
    lines: list[ReceivedLineIn] = Field([], max_length=500)


class StocktakeIn(Schema):
    date: IsoDate
    warehouse_id: StrictInt = Field(ge=1, le=2**53)
    category_id: StrictInt | None = Field(None, ge=1, le=2**53)
    notes: StrictStr = Field("", max_length=2000)


class CountIn(Schema):
    line_id: StrictInt | None = Field(None, ge=1, le=2**53)
    product_id: StrictInt | None = Field(None, ge=1, le=2**53)
    lot_id: StrictInt | None = Field(None, ge=1, le=2**53)
    counted: Decimal | None = Field(None, ge=0, max_digits=18, decimal_places=4)


class CountsIn(Schema):
    counts: list[CountIn] = Field(min_length=1, max_length=5000)


class StocktakeLineOut(Schema):
    id: int
    product_id: int
    lot_id: int | None
    book_quantity: Decimal
    counted_quantity: Decimal | None
    moved_since: Decimal
    difference: Decimal
    value: Decimal


class StocktakeOut(Schema):
    id: int
    number: str
    date: IsoDate
    status: str
    warehouse_id: int
    category_id: int | None
    frozen_at: datetime.datetime
    posted_on: datetime.date | None
    voucher_id: int | None
    notes: str
    lines: list[StocktakeLineOut]


class StocktakeQuery(Schema):
    status: str | None = Field(None, max_length=20)
    warehouse: int | None = Field(None, ge=1, le=2**53)
