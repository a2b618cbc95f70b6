"""API schemas of deliveries (with their logistics) and sales returns (separate In/Out).

Costs (the value the goods left or came back with) are shown to those who may see stock values
(`inventory.view_stock_reports`); to others they are null.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from ninja import Schema
from pydantic import Field, StrictInt, StrictStr

from suanpan.core.permissions import P, has_perm
from suanpan.inventory.stock_schemas import IsoDate

ID_MAX = 2**53


def _sees_cost(context: Any) -> bool:
    request = (context or {}).get("request")
    return has_perm(getattr(request, "membership", None), P.VIEW_STOCK_REPORTS)


def _cost(obj: Any, context: Any) -> Decimal | None:
    return obj.cost if _sees_cost(context) else None


# Deliveries ---------------------------------------------------------------------------------------------------


class DeliveryLineIn(Schema):
    order_line_id: StrictInt = Field(ge=1, le=ID_MAX)
    quantity: Decimal = Field(max_digits=18, decimal_places=4, gt=0)
    lot_id: StrictInt | None = Field(
        None, ge=1, le=ID_MAX, description="Batch-tracked products; omitted: first expiry first out"
    )


class DeliveryIn(Schema):
    date: IsoDate
    warehouse_id: StrictInt = Field(ge=1, le=ID_MAX)
    lines: list[DeliveryLineIn] = Field(min_length=1, max_length=500)
    carrier: StrictStr = Field("", max_length=100)
    tracking_number: StrictStr = Field("", max_length=100)
    shipped_date: IsoDate | None = None
    ship_to: StrictStr = Field("", max_length=300, description="Omitted: the first order's address")
    notes: StrictStr = Field("", max_length=2000)


class LogisticsIn(Schema):
    """Only the fields sent change; `shipped_date: null` clears it."""

    carrier: StrictStr | None = Field(None, max_length=100)
    tracking_number: StrictStr | None = Field(None, max_length=100)
    ship_to: StrictStr | None = Field(None, max_length=300)
    shipped_date: IsoDate | None = None


class SignedIn(Schema):
    date: IsoDate


class DeliveryLineOut(Schema):
    id: int
    order_id: int
    order_number: str
    order_line_id: int
    product_id: int
    product_code: str
    product_name: str
    lot_id: int | None
    lot_number: str
    expiry_date: datetime.date | None
    quantity: Decimal
    unit_price: Decimal
    vat_rate: Decimal
    amount: Decimal
    tax: Decimal
    total: Decimal
    cost: Decimal | None
    returned_quantity: Decimal
    invoiced_quantity: Decimal
    move_id: int

    @staticmethod
    def resolve_order_id(obj: Any) -> int:
        return int(obj.order_line.order_id)

    @staticmethod
    def resolve_order_number(obj: Any) -> str:
        return str(obj.order_line.order.number)

    @staticmethod
    def resolve_product_code(obj: Any) -> str:
        return str(obj.product.code)

    @staticmethod
    def resolve_product_name(obj: Any) -> str:
        return str(obj.product.name)

    @staticmethod
    def resolve_lot_number(obj: Any) -> str:
        return str(obj.lot.number) if obj.lot else ""

    @staticmethod
    def resolve_expiry_date(obj: Any) -> datetime.date | None:
        return obj.lot.expiry_date if obj.lot else None

    @staticmethod
    def resolve_cost(obj: Any, context: Any) -> Decimal | None:
        return _cost(obj, context)


class DeliveryOut(Schema):
    id: int
    number: str
    customer_id: int
    customer_name: str
    warehouse_id: int
    date: datetime.date
    amount: Decimal
    tax: Decimal
    total: Decimal
    cost: Decimal | None
    carrier: str
    tracking_number: str
    shipped_date: datetime.date | None
    signed_date: datetime.date | None
    ship_to: str
    notes: str
    voucher_id: int | None
    created_at: datetime.datetime
    lines: list[DeliveryLineOut]

    @staticmethod
    def resolve_customer_name(obj: Any) -> str:
        return str(obj.customer.name)

    @staticmethod
    def resolve_cost(obj: Any, context: Any) -> Decimal | None:
        return _cost(obj, context)

    @staticmethod
    def resolve_lines(obj: Any) -> list[Any]:
        return list(obj.lines.select_related("order_line__order", "product", "lot").order_by("id"))


class DeliveryQuery(Schema):
    q: str | None = Field(None, max_length=100)
    customer: int | None = Field(None, ge=1, le=ID_MAX)
    signed: bool | None = None
    date_from: IsoDate | None = None
    date_to: IsoDate | None = None


# Sales returns ------------------------------------------------------------------------------------------------


class ReturnLineIn(Schema):
    delivery_line_id: StrictInt = Field(ge=1, le=ID_MAX)
    quantity: Decimal = Field(max_digits=18, decimal_places=4, gt=0)


class ReturnIn(Schema):
    delivery_id: StrictInt = Field(ge=1, le=ID_MAX)
    date: IsoDate
    reason: StrictStr = Field("", max_length=200)
    lines: list[ReturnLineIn] = Field(min_length=1, max_length=500)


class ReturnLineOut(Schema):
    id: int
    delivery_line_id: int
    product_id: int
    product_code: str
    lot_id: int | None
    quantity: Decimal
    unit_price: Decimal
    amount: Decimal
    tax: Decimal
    total: Decimal
    cost: Decimal | None

    @staticmethod
    def resolve_product_code(obj: Any) -> str:
        return str(obj.product.code)

    @staticmethod
    def resolve_cost(obj: Any, context: Any) -> Decimal | None:
        return _cost(obj, context)


class ReturnOut(Schema):
    id: int
    number: str
    delivery_id: int
    customer_id: int
    warehouse_id: int
    date: datetime.date
    reason: str
    amount: Decimal
    tax: Decimal
    total: Decimal
    cost: Decimal | None
    voucher_id: int | None
    lines: list[ReturnLineOut]

    @staticmethod
    def resolve_cost(obj: Any, context: Any) -> Decimal | None:
        return _cost(obj, context)

    @staticmethod
    def resolve_lines(obj: Any) -> list[Any]:
        return list(obj.lines.select_related("product").order_by("id"))


class ReturnQuery(Schema):
    q: str | None = Field(None, max_length=100)
    customer: int | None = Field(None, ge=1, le=ID_MAX)
    date_from: IsoDate | None = None
    date_to: IsoDate | None = None
