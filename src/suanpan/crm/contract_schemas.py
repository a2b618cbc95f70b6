"""API schemas of contracts: entry (separate In/Out), attachments, linked orders and the receivable progress."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Literal

from ninja import Schema
from pydantic import Field, StrictInt, StrictStr

from suanpan.inventory.stock_schemas import IsoDate

ID_MAX = 2**53


class MilestoneIn(Schema):
    name: StrictStr = Field(min_length=1, max_length=100)
    due_on: IsoDate
    amount: Decimal = Field(max_digits=18, decimal_places=2, gt=0)


class ContractIn(Schema):
    title: StrictStr = Field(min_length=1, max_length=200)
    customer_id: StrictInt
    amount: Decimal = Field(max_digits=18, decimal_places=2, gt=0)
    start_on: IsoDate
    end_on: IsoDate
    signed_on: IsoDate | None = None
    owner_id: StrictInt | None = Field(None, description="Omitted: the acting member (on create); unchanged on update")
    opportunity_id: StrictInt | None = None
    quote_id: StrictInt | None = None
    notes: StrictStr = Field("", max_length=5000)
    milestones: list[MilestoneIn] = Field(
        default_factory=list, max_length=100, description="The payment plan; must add up to the amount to activate"
    )


class TerminateIn(Schema):
    reason: StrictStr = Field("", max_length=200)


class OrderLinkIn(Schema):
    order_id: StrictInt


class MilestoneOut(Schema):
    id: int
    seq: int
    name: str
    due_on: IsoDate
    amount: Decimal


class AttachmentOut(Schema):
    id: int
    name: str
    size: int
    uploaded_by_id: int | None
    created_at: datetime.datetime


class LinkedOrderOut(Schema):
    id: int
    number: str
    date: IsoDate
    status: str
    total: Decimal
    invoice_progress: str
    payment_progress: str


class ContractOut(Schema):
    id: int
    number: str
    title: str
    status: str
    customer_id: int
    customer_name: str
    owner_id: int | None
    opportunity_id: int | None
    quote_id: int | None
    amount: Decimal
    signed_on: IsoDate | None
    start_on: IsoDate
    end_on: IsoDate
    notes: str
    created_at: datetime.datetime
    milestones: list[MilestoneOut]
    attachments: list[AttachmentOut]
    orders: list[LinkedOrderOut]

    @staticmethod
    def resolve_customer_name(obj: object) -> str:
        return str(obj.customer.name)  # type: ignore[attr-defined]

    @staticmethod
    def resolve_milestones(obj: object) -> list[object]:
        return list(obj.milestones.order_by("seq"))  # type: ignore[attr-defined]

    @staticmethod
    def resolve_attachments(obj: object) -> list[object]:
        return list(obj.attachments.order_by("pk"))  # type: ignore[attr-defined]

    @staticmethod
    def resolve_orders(obj: object) -> list[object]:
        return list(obj.orders.order_by("date", "pk"))  # type: ignore[attr-defined]


class ContractQuery(Schema):
    q: str | None = Field(None, max_length=100)
    status: str | None = Field(None, max_length=20)
    customer: int | None = Field(None, ge=1, le=ID_MAX)
    owner: int | None = Field(None, ge=1, le=ID_MAX)
    ending_within: int | None = Field(None, ge=0, le=3650, description="In force and ending within N days")
    sort: Literal["number", "-number", "amount", "-amount", "start_on", "-start_on", "end_on", "-end_on"] | None = None


class MilestoneProgressOut(Schema):
    milestone_id: int
    seq: int
    name: str
    due_on: IsoDate
    amount: Decimal
    due: Decimal = Field(description="The plan due up to this milestone's date (cumulative)")
    invoiced: Decimal = Field(description="Invoiced on the linked orders up to its date (cumulative)")
    received: Decimal = Field(description="Received of those invoices up to its date (cumulative)")
    paid: bool
    overdue: bool


class ProgressOut(Schema):
    contract_id: int
    today: IsoDate
    amount: Decimal
    planned: Decimal = Field(description="Σ milestones")
    due: Decimal = Field(description="Of the plan, due by today")
    invoiced: Decimal
    received: Decimal
    overdue: Decimal
    received_percent: int
    milestones: list[MilestoneProgressOut]
