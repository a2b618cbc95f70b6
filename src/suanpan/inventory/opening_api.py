"""REST endpoints of opening stock (期初库存): the entries with the 1405 tie-out, entering a batch, reversing one.
Thin: parse, call `inventory.opening`, answer. Reading needs inventory.view_stock_reports; entering and reversing
are checked by the service (a warehouse keeper or an accountant)."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from ninja import Schema
from ninja.responses import Status
from pydantic import Field, StrictInt, StrictStr

from suanpan.core.api import ERRORS, Router, org_of
from suanpan.inventory import opening
from suanpan.inventory.stock_schemas import IsoDate

router = Router(tags=["opening stock"])


class OpeningStockRowIn(Schema):
    product_id: StrictInt = Field(ge=1, le=2**53)
    warehouse_id: StrictInt = Field(ge=1, le=2**53)
    quantity: Decimal
    unit_cost: Decimal | None = None
    amount: Decimal | None = None
    lot_number: StrictStr = Field("", max_length=60)
    production_date: IsoDate | None = None
    expiry_date: IsoDate | None = None


class OpeningStockIn(Schema):
    rows: list[OpeningStockRowIn] = Field(min_length=1, max_length=opening.MAX_ROWS)


class OpeningStockLineOut(Schema):
    id: int
    product_id: int
    product_code: str
    warehouse_id: int
    lot_id: int | None
    lot_number: str
    quantity: Decimal
    unit_cost: Decimal
    value: Decimal


class OpeningStockBatchOut(Schema):
    number: int
    label: str
    date: datetime.date
    rows: int
    quantity: Decimal
    value: Decimal
    entered_at: datetime.datetime
    entered_by: str
    reversed: bool
    reversed_at: datetime.datetime | None
    lines: list[OpeningStockLineOut]


class OpeningStockOut(Schema):
    date: datetime.date | None
    accepted: bool
    entered: bool
    stock_value: Decimal
    books_value: Decimal
    difference: Decimal
    ties_out: bool
    batches: list[OpeningStockBatchOut]


def _batch_out(batch: opening.Batch) -> dict[str, Any]:
    return {
        "number": batch.number,
        "label": batch.label,
        "date": batch.date,
        "rows": batch.rows,
        "quantity": batch.quantity,
        "value": batch.value,
        "entered_at": batch.entered_at,
        "entered_by": batch.entered_by,
        "reversed": batch.reversed,
        "reversed_at": batch.reversed_on,
        "lines": [
            {
                "id": m.pk,
                "product_id": m.product_id,
                "product_code": m.product.code,
                "warehouse_id": m.warehouse_id,
                "lot_id": m.lot_id,
                "lot_number": m.lot.number if m.lot else "",
                "quantity": m.quantity,
                "unit_cost": m.unit_cost,
                "value": m.value,
            }
            for m in batch.moves
        ],
    }


@router.get("", response={200: OpeningStockOut, **ERRORS}, operation_id="opening_stock_get")
def opening_stock_get(request: HttpRequest) -> Any:
    organization = org_of(request, opening.VIEW_PERMISSION)
    tie = opening.opening_stock_tie_out(organization=organization)
    return {
        "date": tie.date,
        "accepted": tie.accepted,
        "entered": tie.entered,
        "stock_value": tie.stock_value,
        "books_value": tie.books_value,
        "difference": tie.difference,
        "ties_out": tie.ok,
        "batches": [_batch_out(b) for b in opening.opening_stock_batches(organization=organization)],
    }


@router.post("", response={201: OpeningStockBatchOut, **ERRORS}, operation_id="opening_stock_post")
def opening_stock_post(request: HttpRequest, payload: OpeningStockIn) -> Any:
    organization = org_of(request, "")
    rows = [
        {
            "product": row.product_id,
            "warehouse": row.warehouse_id,
            "quantity": row.quantity,
            "unit_cost": row.unit_cost,
            "amount": row.amount,
            "lot_number": row.lot_number,
            "production_date": row.production_date,
            "expiry_date": row.expiry_date,
        }
        for row in payload.rows
    ]
    batch = opening.opening_stock_post(organization=organization, actor=request.user, rows=rows)
    return Status(201, _batch_out(batch))


@router.post(
    "/{int:number}/reverse", response={200: OpeningStockBatchOut, **ERRORS}, operation_id="opening_stock_reverse"
)
def opening_stock_reverse(request: HttpRequest, number: int) -> Any:
    organization = org_of(request, "")
    return _batch_out(opening.opening_stock_reverse(organization=organization, actor=request.user, number=number))
