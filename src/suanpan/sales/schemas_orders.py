"""API schemas of sales orders, price lists, availability and a customer's credit exposure (separate In/Out)."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Literal

from ninja import Schema
from pydantic import Field, StrictBool, StrictInt, StrictStr

from suanpan.inventory.stock_schemas import IsoDate

ID_MAX = 2**53
HUNDRED = Decimal(100)


def _percent(rate: Decimal) -> Decimal:
    return (rate * HUNDRED).quantize(Decimal("0.01"))


# Sales orders --------------------------------------------------------------------------------------------------


class OrderLineIn(Schema):
    product_id: StrictInt
    quantity: Decimal = Field(max_digits=18, decimal_places=4, gt=0)
    unit_price: Decimal | None = Field(
        None, max_digits=18, decimal_places=6, ge=0, description="Excl. VAT; omitted: from the price list or product"
    )
    discount: Decimal | None = Field(None, max_digits=4, decimal_places=2, ge=0, lt=100, description="Percent")
    warehouse_id: StrictInt | None = Field(None, description="Omitted: the order's warehouse")


class OrderIn(Schema):
    customer_id: StrictInt
    warehouse_id: StrictInt
    date: IsoDate
    expected_date: IsoDate | None = None
    discount: Decimal | None = Field(None, max_digits=4, decimal_places=2, ge=0, lt=100, description="Percent")
    salesperson_id: StrictInt | None = Field(None, description="Omitted: the customer's owner")
    ship_to: StrictStr = Field("", max_length=300)
    contact: StrictStr = Field("", max_length=100)
    notes: StrictStr = Field("", max_length=2000)
    lines: list[OrderLineIn] = Field(min_length=1, max_length=500)


class ConfirmIn(Schema):
    approve_credit: StrictBool = Field(
        default=False, description="Confirm beyond the customer's credit limit (needs the credit approval permission)"
    )


class OrderLineOut(Schema):
    id: int
    seq: int
    product_id: int
    product_code: str
    product_name: str
    warehouse_id: int
    quantity: Decimal
    list_price: Decimal
    discount: Decimal
    unit_price: Decimal
    vat_rate: Decimal
    amount: Decimal
    tax: Decimal
    total: Decimal
    reserved_quantity: Decimal
    delivered_quantity: Decimal
    returned_quantity: Decimal
    invoiced_quantity: Decimal
    open_quantity: Decimal

    @staticmethod
    def resolve_product_code(obj: object) -> str:
        return str(obj.product.code)  # type: ignore[attr-defined]

    @staticmethod
    def resolve_product_name(obj: object) -> str:
        return str(obj.product.name)  # type: ignore[attr-defined]

    @staticmethod
    def resolve_discount(obj: object) -> Decimal:
        return _percent(obj.discount_rate)  # type: ignore[attr-defined]


class OrderOut(Schema):
    id: int
    number: str
    status: str
    invoice_progress: str
    payment_progress: str
    customer_id: int
    customer_name: str
    salesperson_id: int | None
    warehouse_id: int
    date: IsoDate
    expected_date: IsoDate | None
    discount: Decimal
    amount: Decimal
    tax: Decimal
    total: Decimal
    ship_to: str
    contact: str
    notes: str
    credit_approved_by_id: int | None
    confirmed_at: datetime.datetime | None
    created_at: datetime.datetime
    lines: list[OrderLineOut]

    @staticmethod
    def resolve_customer_name(obj: object) -> str:
        return str(obj.customer.name)  # type: ignore[attr-defined]

    @staticmethod
    def resolve_discount(obj: object) -> Decimal:
        return _percent(obj.discount_rate)  # type: ignore[attr-defined]

    @staticmethod
    def resolve_lines(obj: object) -> list[object]:
        return list(obj.lines.select_related("product").order_by("seq"))  # type: ignore[attr-defined]


class OrderQuery(Schema):
    q: str | None = Field(None, max_length=100)
    status: str | None = Field(None, max_length=20)
    customer: int | None = Field(None, ge=1, le=ID_MAX)
    salesperson: int | None = Field(None, ge=1, le=ID_MAX)
    invoice_progress: str | None = Field(None, max_length=10)
    date_from: IsoDate | None = None
    date_to: IsoDate | None = None
    sort: Literal["date", "-date", "number", "-number", "total", "-total"] | None = None


# Price lists ---------------------------------------------------------------------------------------------------


class PriceListItemIn(Schema):
    product_id: StrictInt
    min_quantity: Decimal = Field(Decimal("0"), max_digits=18, decimal_places=4, ge=0)
    unit_price: Decimal = Field(max_digits=18, decimal_places=6, ge=0, description="Excl. VAT")


class PriceListIn(Schema):
    name: StrictStr = Field(min_length=1, max_length=100)
    tag_id: StrictInt | None = Field(None, description="Customer group; omitted: every customer")
    valid_from: IsoDate | None = None
    valid_to: IsoDate | None = None
    priority: StrictInt = Field(0, ge=-9999, le=9999)
    is_active: StrictBool = True
    items: list[PriceListItemIn] = Field(default_factory=list, max_length=2000)


class PriceListItemOut(Schema):
    id: int
    product_id: int
    product_code: str
    product_name: str
    min_quantity: Decimal
    unit_price: Decimal

    @staticmethod
    def resolve_product_code(obj: object) -> str:
        return str(obj.product.code)  # type: ignore[attr-defined]

    @staticmethod
    def resolve_product_name(obj: object) -> str:
        return str(obj.product.name)  # type: ignore[attr-defined]


class PriceListOut(Schema):
    id: int
    name: str
    tag_id: int | None
    tag_name: str | None
    valid_from: IsoDate | None
    valid_to: IsoDate | None
    priority: int
    is_active: bool
    created_at: datetime.datetime
    items: list[PriceListItemOut]

    @staticmethod
    def resolve_tag_name(obj: object) -> str | None:
        tag = obj.tag  # type: ignore[attr-defined]
        return str(tag.name) if tag else None

    @staticmethod
    def resolve_items(obj: object) -> list[object]:
        return list(obj.items.select_related("product").order_by("product__code", "min_quantity"))  # type: ignore[attr-defined]


class PriceListQuery(Schema):
    q: str | None = Field(None, max_length=100)
    tag: int | None = Field(None, ge=1, le=ID_MAX)
    is_active: bool | None = None
    sort: Literal["name", "-name", "priority", "-priority"] | None = None


# Availability and credit exposure ------------------------------------------------------------------------------


class AvailabilityQuery(Schema):
    product_id: int = Field(ge=1, le=ID_MAX)
    warehouse_id: int = Field(ge=1, le=ID_MAX)


class AvailabilityOut(Schema):
    product_id: int
    warehouse_id: int
    on_hand: Decimal
    reserved: Decimal
    available: Decimal


class ExposureOut(Schema):
    customer_id: int
    credit_limit: Decimal = Field(description="0: no limit")
    receivable: Decimal = Field(description="Open receivables, net of credits")
    overdue: Decimal = Field(description="Of which past due")
    on_order: Decimal = Field(description="Uninvoiced value of confirmed orders")
    exposure: Decimal = Field(description="receivable + on_order")
    available_credit: Decimal | None = Field(description="credit_limit − exposure; null when there is no limit")
