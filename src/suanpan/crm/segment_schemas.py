"""API schemas of segments, tag rules and the customer 360° summary."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from ninja import Schema
from pydantic import BaseModel, Field, StrictBool, StrictInt, StrictStr

from suanpan.inventory.stock_schemas import IsoDate

ID_MAX = 2**53
MAX_DAYS = 36500


class FiltersIn(BaseModel):
    """Segment filters (all optional; several narrow together). See `crm.segments.customer_filter`. A plain pydantic
    model: a ninja Schema would take any value (a list, a number) as an object without attributes."""

    province: StrictStr | None = Field(None, max_length=60)
    city: StrictStr | None = Field(None, max_length=60)
    industry: StrictStr | None = Field(None, max_length=60)
    tag_ids: list[StrictInt] | None = Field(None, max_length=50, description="The customer has all these tags")
    owner_id: StrictInt | None = None
    in_pool: StrictBool | None = Field(None, description="true: without an owner (公海); false: owned")
    rfm_class: StrictStr | None = Field(None, max_length=20, description="high_value, potential, churn_risk, general")
    last_purchase_within_days: StrictInt | None = Field(None, ge=0, le=MAX_DAYS)
    no_purchase_for_days: StrictInt | None = Field(None, ge=0, le=MAX_DAYS, description="Bought before, not since")
    min_lifetime_value: Decimal | None = Field(None, max_digits=18, decimal_places=2, ge=0)


class SegmentIn(Schema):
    name: StrictStr = Field(min_length=1, max_length=100)
    filters: FiltersIn | None = None


class SegmentOut(Schema):
    id: int
    name: str
    filters: dict[str, Any]
    created_by_id: int | None
    created_at: datetime.datetime
    updated_at: datetime.datetime


class SegmentCustomerOut(Schema):
    id: int
    code: str
    name: str
    contact: str
    mobile: str
    province: str
    city: str
    industry: str
    owner_id: int | None
    tags: list[str]
    rfm_class: str | None
    last_purchase: IsoDate | None
    lifetime_value: Decimal


class SegmentCustomersOut(Schema):
    count: int
    items: list[SegmentCustomerOut]


class PageQuery(Schema):
    limit: int = Field(100, ge=1, le=1000)
    offset: int = Field(0, ge=0, le=10_000_000)


class TagRuleIn(Schema):
    tag_id: StrictInt | None = Field(None, description="An existing tag; or give tag_name")
    tag_name: StrictStr | None = Field(None, max_length=40, description="A tag found or made by name")
    filters: FiltersIn
    is_active: StrictBool = True


class TagRuleOut(Schema):
    id: int
    tag_id: int
    tag_name: str
    filters: dict[str, Any]
    is_active: bool
    last_run_at: datetime.datetime | None

    @staticmethod
    def resolve_tag_name(obj: object) -> str:
        return str(obj.tag.name)  # type: ignore[attr-defined]


class ApplyOut(Schema):
    changes: int = Field(description="Customers whose rule tags changed (added + removed)")


# Customer 360° -------------------------------------------------------------------------------------------------


class ContactOut(Schema):
    id: int
    name: str
    title: str
    mobile: str
    phone: str
    email: str
    wechat: str
    is_primary: bool


class FiguresOut(Schema):
    receivable: Decimal | None = Field(description="Open receivables; null without the receivables permission")
    overdue: Decimal | None
    credit_limit: Decimal
    lifetime_value: Decimal = Field(description="Invoiced excl. VAT, net of credit notes")
    orders: int
    last_purchase: IsoDate | None
    rfm_class: str | None
    r: int | None
    f: int | None
    m: int | None


class TimelineEntryOut(Schema):
    date: IsoDate
    kind: str
    number: str
    summary: str
    amount: Decimal | None
    link: str


class TopProductOut(Schema):
    product_id: int
    code: str
    name: str
    quantity: Decimal
    amount: Decimal
    available: Decimal | None = Field(description="On hand − reserved in every warehouse; null for services")


class Customer360Out(Schema):
    id: int
    code: str
    name: str
    owner_id: int | None
    province: str
    city: str
    industry: str
    payment_terms_days: int
    tags: list[str]
    contacts: list[ContactOut]
    figures: FiguresOut
    timeline: list[TimelineEntryOut]
    timeline_more: bool
    top_products: list[TopProductOut]
