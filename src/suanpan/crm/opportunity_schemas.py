"""API schemas of opportunity stages, opportunities and quotes (separate In/Out)."""

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


# Stages --------------------------------------------------------------------------------------------------------------


class StageIn(Schema):
    name: StrictStr = Field(min_length=1, max_length=40)
    kind: Literal["open", "won", "lost"] = "open"
    probability: Decimal | None = Field(None, max_digits=5, decimal_places=2, ge=0, le=100, description="Percent")
    is_active: StrictBool = True


class StagePatch(Schema):
    name: StrictStr | None = Field(None, min_length=1, max_length=40)
    kind: Literal["open", "won", "lost"] | None = None
    probability: Decimal | None = Field(None, max_digits=5, decimal_places=2, ge=0, le=100, description="Percent")
    is_active: StrictBool | None = None


class StageOrderIn(Schema):
    stage_ids: list[StrictInt] = Field(min_length=1, max_length=200, description="Every stage, in board order")


class StageOut(Schema):
    id: int
    name: str
    seq: int
    kind: str
    probability: Decimal
    is_active: bool


# Opportunities -------------------------------------------------------------------------------------------------------


class OpportunityIn(Schema):
    name: StrictStr = Field(min_length=1, max_length=200)
    customer_id: StrictInt
    contact_id: StrictInt | None = None
    amount: Decimal | None = Field(None, max_digits=18, decimal_places=2, ge=0)
    expected_close_on: IsoDate | None = None
    stage_id: StrictInt | None = Field(None, description="Omitted: the first open stage")
    owner_id: StrictInt | None = Field(None, description="Omitted: you")
    probability: Decimal | None = Field(
        None, max_digits=5, decimal_places=2, ge=0, le=100, description="Percent; omitted: the stage's"
    )
    product_ids: list[StrictInt] = Field(default_factory=list, max_length=200, description="Products of interest")
    competitors: StrictStr = Field("", max_length=300)
    notes: StrictStr = Field("", max_length=5000)
    loss_reason: StrictStr = Field("", max_length=300, description="Needed when created in a lost stage")


class OpportunityPatch(Schema):
    """Only the fields sent change; the stage changes by `/move`."""

    name: StrictStr | None = Field(None, min_length=1, max_length=200)
    customer_id: StrictInt | None = None
    contact_id: StrictInt | None = None
    amount: Decimal | None = Field(None, max_digits=18, decimal_places=2, ge=0)
    expected_close_on: IsoDate | None = None
    owner_id: StrictInt | None = None
    probability: Decimal | None = Field(None, max_digits=5, decimal_places=2, ge=0, le=100, description="Percent")
    product_ids: list[StrictInt] | None = Field(None, max_length=200)
    competitors: StrictStr | None = Field(None, max_length=300)
    notes: StrictStr | None = Field(None, max_length=5000)


class MoveIn(Schema):
    stage_id: StrictInt
    loss_reason: StrictStr = Field("", max_length=300, description="Required when the stage is a lost one")


class StageChangeOut(Schema):
    from_stage_id: int | None
    to_stage_id: int
    entered_at: datetime.datetime
    actor_id: int | None


class OpportunityOut(Schema):
    id: int
    number: str
    name: str
    customer_id: int
    customer_name: str
    contact_id: int | None
    owner_id: int | None
    stage_id: int
    stage_name: str
    stage_kind: str
    amount: Decimal
    probability: Decimal
    expected_close_on: IsoDate | None
    closed_on: IsoDate | None
    stage_entered_at: datetime.datetime
    loss_reason: str
    competitors: str
    notes: str
    lead_id: int | None
    product_ids: list[int]
    stage_changes: list[StageChangeOut]
    created_at: datetime.datetime

    @staticmethod
    def resolve_customer_name(obj: object) -> str:
        return str(obj.customer.name)  # type: ignore[attr-defined]

    @staticmethod
    def resolve_stage_name(obj: object) -> str:
        return str(obj.stage.name)  # type: ignore[attr-defined]

    @staticmethod
    def resolve_stage_kind(obj: object) -> str:
        return str(obj.stage.kind)  # type: ignore[attr-defined]

    @staticmethod
    def resolve_product_ids(obj: object) -> list[int]:
        return sorted(obj.products.values_list("pk", flat=True))  # type: ignore[attr-defined]

    @staticmethod
    def resolve_stage_changes(obj: object) -> list[object]:
        return list(obj.stage_changes.all())  # type: ignore[attr-defined]


class OpportunityQuery(Schema):
    q: str | None = Field(None, max_length=100)
    stage: int | None = Field(None, ge=1, le=ID_MAX)
    status: Literal["open", "won", "lost"] | None = None
    owner: int | None = Field(None, ge=1, le=ID_MAX)
    customer: int | None = Field(None, ge=1, le=ID_MAX)
    close_month: str | None = Field(None, pattern=r"^\d{4}-\d{1,2}$", description="Expected close month, e.g. 2026-11")
    sort: (
        Literal["number", "-number", "amount", "-amount", "expected_close_on", "-expected_close_on", "id", "-id"] | None
    ) = None


# Quotes --------------------------------------------------------------------------------------------------------------


class QuoteLineIn(Schema):
    product_id: StrictInt
    quantity: Decimal = Field(max_digits=18, decimal_places=4, gt=0)
    unit_price: Decimal | None = Field(
        None, max_digits=18, decimal_places=6, ge=0, description="Excl. VAT; omitted: from the price list or product"
    )
    discount: Decimal | None = Field(None, max_digits=4, decimal_places=2, ge=0, lt=100, description="Percent")
    description: StrictStr = Field("", max_length=200)


class QuoteIn(Schema):
    customer_id: StrictInt | None = Field(None, description="Omitted: the opportunity's customer")
    opportunity_id: StrictInt | None = None
    contact_id: StrictInt | None = None
    owner_id: StrictInt | None = Field(None, description="Omitted: the opportunity's or the customer's owner")
    date: IsoDate | None = Field(None, description="Omitted: today")
    valid_until: IsoDate | None = Field(None, description="Omitted: 30 days after the date")
    terms: StrictStr = Field("", max_length=5000)
    notes: StrictStr = Field("", max_length=5000)
    lines: list[QuoteLineIn] = Field(min_length=1, max_length=500)


class RejectIn(Schema):
    reason: StrictStr = Field("", max_length=300)


class QuoteLineOut(Schema):
    id: int
    seq: int
    product_id: int
    product_code: str
    product_name: str
    description: str
    quantity: Decimal
    list_price: Decimal
    discount: Decimal
    unit_price: Decimal
    vat_rate: Decimal
    amount: Decimal
    tax: Decimal
    total: Decimal

    @staticmethod
    def resolve_product_code(obj: object) -> str:
        return str(obj.product.code)  # type: ignore[attr-defined]

    @staticmethod
    def resolve_product_name(obj: object) -> str:
        return str(obj.product.name)  # type: ignore[attr-defined]

    @staticmethod
    def resolve_discount(obj: object) -> Decimal:
        return _percent(obj.discount_rate)  # type: ignore[attr-defined]


class QuoteOut(Schema):
    id: int
    number: str
    version: int
    previous_id: int | None
    status: str
    customer_id: int
    customer_name: str
    contact_id: int | None
    opportunity_id: int | None
    owner_id: int | None
    date: IsoDate
    valid_until: IsoDate
    price_list_id: int | None
    amount: Decimal
    tax: Decimal
    total: Decimal
    terms: str
    notes: str
    sales_order_id: int | None
    sales_order_number: str | None
    ordered_at: datetime.datetime | None
    created_at: datetime.datetime
    lines: list[QuoteLineOut]

    @staticmethod
    def resolve_customer_name(obj: object) -> str:
        return str(obj.customer.name)  # type: ignore[attr-defined]

    @staticmethod
    def resolve_sales_order_number(obj: object) -> str | None:
        order = obj.sales_order  # type: ignore[attr-defined]
        return str(order.number) if order is not None else None

    @staticmethod
    def resolve_lines(obj: object) -> list[object]:
        return list(obj.lines.select_related("product").order_by("seq"))  # type: ignore[attr-defined]


class QuoteQuery(Schema):
    q: str | None = Field(None, max_length=100)
    status: Literal["draft", "sent", "accepted", "rejected", "superseded", "ordered"] | None = None
    customer: int | None = Field(None, ge=1, le=ID_MAX)
    owner: int | None = Field(None, ge=1, le=ID_MAX)
    opportunity: int | None = Field(None, ge=1, le=ID_MAX)
    date_from: IsoDate | None = None
    date_to: IsoDate | None = None
    sort: Literal["date", "-date", "number", "-number", "total", "-total"] | None = None


class OrderMadeOut(Schema):
    """The sales order a quote became (a draft: check and confirm it under sales orders)."""

    quote_id: int
    sales_order_id: int
    status: str
    customer_id: int
    warehouse_id: int
    amount: Decimal
    tax: Decimal
    total: Decimal
