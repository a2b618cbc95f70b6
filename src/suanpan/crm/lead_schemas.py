"""API schemas of leads, lead channels and assignment rules (separate In/Out)."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Literal

from ninja import Schema
from pydantic import Field, StrictBool, StrictInt, StrictStr

from suanpan.inventory.stock_schemas import IsoDate

ID_MAX = 2**53


def _user_name(user: object) -> str | None:
    if user is None:
        return None
    return str(user.get_full_name() or user.get_username())  # type: ignore[attr-defined]


# Leads ----------------------------------------------------------------------------------------------------------


class LeadIn(Schema):
    """A lead, e.g. pushed from a web form. Either `company` or `contact_name` is needed. The channel is given by id
    (`channel_id`) or by name (`channel`, e.g. "官网"). Without `owner_id` the lead goes by the assignment rules
    (a rep's own lead when the token belongs to a rep who sees only their own)."""

    company: StrictStr = Field("", max_length=200)
    contact_name: StrictStr = Field("", max_length=60)
    title: StrictStr = Field("", max_length=60)
    mobile: StrictStr = Field("", max_length=40)
    phone: StrictStr = Field("", max_length=40)
    email: StrictStr = Field("", max_length=254)
    wechat: StrictStr = Field("", max_length=60)
    credit_code: StrictStr = Field("", max_length=18)
    province: StrictStr = Field("", max_length=30)
    city: StrictStr = Field("", max_length=30)
    address: StrictStr = Field("", max_length=300)
    industry: StrictStr = Field("", max_length=60)
    notes: StrictStr = Field("", max_length=5000)
    channel_id: StrictInt | None = Field(None, ge=1, le=ID_MAX)
    channel: StrictStr | None = Field(None, max_length=40, description="A channel's name, instead of channel_id")
    owner_id: StrictInt | None = Field(None, ge=1, le=ID_MAX)
    allow_duplicate: StrictBool = Field(default=False, description="Save although the lead repeats a lead or customer")


class LeadPatch(Schema):
    company: StrictStr | None = Field(None, max_length=200)
    contact_name: StrictStr | None = Field(None, max_length=60)
    title: StrictStr | None = Field(None, max_length=60)
    mobile: StrictStr | None = Field(None, max_length=40)
    phone: StrictStr | None = Field(None, max_length=40)
    email: StrictStr | None = Field(None, max_length=254)
    wechat: StrictStr | None = Field(None, max_length=60)
    credit_code: StrictStr | None = Field(None, max_length=18)
    province: StrictStr | None = Field(None, max_length=30)
    city: StrictStr | None = Field(None, max_length=30)
    address: StrictStr | None = Field(None, max_length=300)
    industry: StrictStr | None = Field(None, max_length=60)
    notes: StrictStr | None = Field(None, max_length=5000)
    channel_id: StrictInt | None = Field(None, ge=1, le=ID_MAX)
    channel: StrictStr | None = Field(None, max_length=40)
    allow_duplicate: StrictBool = False


class LeadOut(Schema):
    id: int
    number: str
    status: str
    company: str
    contact_name: str
    title: str
    mobile: str
    phone: str
    email: str
    wechat: str
    credit_code: str
    province: str
    city: str
    address: str
    industry: str
    notes: str
    channel_id: int | None
    channel_name: str | None
    owner_id: int | None
    owner_name: str | None
    invalid_reason: str
    customer_id: int | None
    opportunity_id: int | None
    converted_at: datetime.datetime | None
    created_at: datetime.datetime

    @staticmethod
    def resolve_channel_name(obj: object) -> str | None:
        channel = obj.channel  # type: ignore[attr-defined]
        return str(channel.name) if channel else None

    @staticmethod
    def resolve_owner_name(obj: object) -> str | None:
        return _user_name(obj.owner)  # type: ignore[attr-defined]


LeadSort = Literal["number", "-number", "created_at", "-created_at", "company", "-company"]


class LeadQuery(Schema):
    q: str | None = Field(None, max_length=100)
    status: str | None = Field(None, max_length=20)
    channel: int | None = Field(None, ge=1, le=ID_MAX)
    owner: int | None = Field(None, ge=1, le=ID_MAX)
    unowned: bool | None = None
    province: str | None = Field(None, max_length=30)
    sort: LeadSort | None = None


class InvalidateIn(Schema):
    reason: StrictStr = Field("", max_length=200)


class OpportunityPart(Schema):
    name: StrictStr = Field("", max_length=200, description="Omitted: the lead's company or contact")
    amount: Decimal | None = Field(None, max_digits=15, decimal_places=2, ge=0)
    expected_close_on: IsoDate | None = None


class ConvertIn(Schema):
    customer_id: StrictInt | None = Field(None, ge=1, le=ID_MAX, description="Link to this customer; omitted: new")
    allow_duplicate: StrictBool = Field(default=False, description="Create the customer although a similar one exists")
    opportunity: OpportunityPart | None = Field(None, description="Also open an opportunity")


class ConvertOut(Schema):
    lead: LeadOut
    customer_id: int
    contact_id: int | None
    opportunity_id: int | None


class DuplicateOut(Schema):
    field: str
    kind: str = Field(description="lead, customer or contact")
    id: int
    label: str


class ReassignIn(Schema):
    lead_ids: list[StrictInt] = Field(min_length=1, max_length=1000)
    owner_id: StrictInt = Field(ge=1, le=ID_MAX)


class ReassignOut(Schema):
    count: int


# Channels -------------------------------------------------------------------------------------------------------


class ChannelIn(Schema):
    name: StrictStr = Field(min_length=1, pattern=r"\S", max_length=40)
    seq: StrictInt = Field(0, ge=0, le=32767)
    is_active: StrictBool = True


class ChannelPatch(Schema):
    name: StrictStr | None = Field(None, min_length=1, pattern=r"\S", max_length=40)
    seq: StrictInt | None = Field(None, ge=0, le=32767)
    is_active: StrictBool | None = None


class ChannelOut(Schema):
    id: int
    name: str
    seq: int
    is_active: bool


class ChannelQuery(Schema):
    q: str | None = Field(None, max_length=100)
    is_active: bool | None = None


# Assignment rules -----------------------------------------------------------------------------------------------


class RuleIn(Schema):
    name: StrictStr = Field(min_length=1, pattern=r"\S", max_length=60)
    seq: StrictInt = Field(0, ge=0, le=32767)
    province: StrictStr = Field("", max_length=30, description="Empty: any region")
    assignee_ids: list[StrictInt] = Field(min_length=1, max_length=200)
    is_active: StrictBool = True


class RulePatch(Schema):
    name: StrictStr | None = Field(None, min_length=1, pattern=r"\S", max_length=60)
    seq: StrictInt | None = Field(None, ge=0, le=32767)
    province: StrictStr | None = Field(None, max_length=30)
    assignee_ids: list[StrictInt] | None = Field(None, min_length=1, max_length=200)
    is_active: StrictBool | None = None


class RuleOut(Schema):
    id: int
    name: str
    seq: int
    province: str
    assignee_ids: list[int]
    last_assigned_id: int | None
    is_active: bool

    @staticmethod
    def resolve_assignee_ids(obj: object) -> list[int]:
        return sorted(u.pk for u in obj.assignees.all())  # type: ignore[attr-defined]


class RuleQuery(Schema):
    q: str | None = Field(None, max_length=100)
    is_active: bool | None = None
