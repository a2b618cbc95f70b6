"""API schemas of follow-ups, "my day", the customer pool and the CRM settings (separate In/Out)."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any, Literal

from ninja import Schema
from pydantic import Field, StrictInt, StrictStr, model_validator

from suanpan.inventory.stock_schemas import IsoDate

ID_MAX = 2**53


def _user_name(user: object) -> str | None:
    if user is None:
        return None
    return str(user.get_full_name() or user.get_username())  # type: ignore[attr-defined]


# Follow-ups -------------------------------------------------------------------------------------------------------


class FollowUpIn(Schema):
    """One follow-up on exactly one of a lead, a customer or an opportunity. `next_on` may not be before the
    follow-up's day; `happened_at` (default now) may not be in a day to come."""

    kind: Literal["call", "visit", "wechat", "email", "meeting", "note"] = "call"
    content: StrictStr = Field(min_length=1, max_length=4000)
    happened_at: datetime.datetime | None = None
    next_on: IsoDate | None = None
    next_action: StrictStr = Field("", max_length=200)
    lead_id: StrictInt | None = Field(None, ge=1, le=ID_MAX)
    customer_id: StrictInt | None = Field(None, ge=1, le=ID_MAX)
    opportunity_id: StrictInt | None = Field(None, ge=1, le=ID_MAX)


class FollowUpQuery(Schema):
    q: str | None = Field(None, max_length=100, description="Content, or the customer's, lead's or opportunity's name")
    kind: Literal["call", "visit", "wechat", "email", "meeting", "note"] | None = None
    user: int | None = Field(None, ge=1, le=ID_MAX, description="Logged by this member")
    due: Literal["open", "overdue", "today"] | None = Field(None, description="Open next steps: all, overdue, today")
    customer: int | None = Field(None, ge=1, le=ID_MAX, description="The customer's and its opportunities'")
    lead: int | None = Field(None, ge=1, le=ID_MAX)
    opportunity: int | None = Field(None, ge=1, le=ID_MAX)
    date_from: IsoDate | None = None
    date_to: IsoDate | None = None


class FollowUpOut(Schema):
    id: int
    kind: str
    content: str
    happened_at: datetime.datetime
    next_on: IsoDate | None
    next_action: str
    next_done_at: datetime.datetime | None
    lead_id: int | None
    customer_id: int | None
    opportunity_id: int | None
    subject: str
    user_id: int
    user_name: str | None

    @staticmethod
    def resolve_subject(obj: object) -> str:
        from suanpan.crm.followups import subject_of

        return subject_of(obj).label  # type: ignore[arg-type]

    @staticmethod
    def resolve_user_name(obj: object) -> str | None:
        return _user_name(obj.user)  # type: ignore[attr-defined]


# My day ----------------------------------------------------------------------------------------------------------


class LeadBrief(Schema):
    id: int
    number: str
    name: str

    @staticmethod
    def resolve_name(obj: object) -> str:
        return str(obj.display_name)  # type: ignore[attr-defined]


class OpportunityBrief(Schema):
    id: int
    number: str
    name: str
    customer_id: int
    amount: Decimal
    expected_close_on: IsoDate | None
    stage: str

    @staticmethod
    def resolve_stage(obj: object) -> str:
        return str(obj.stage.name)  # type: ignore[attr-defined]


class ContractBrief(Schema):
    id: int
    number: str
    title: str
    customer_id: int
    amount: Decimal
    end_on: IsoDate


class ReturningOut(Schema):
    customer_id: int
    customer: str
    last_activity: datetime.datetime
    return_on: IsoDate

    @staticmethod
    def resolve_customer_id(obj: object) -> int:
        return int(obj.customer.pk)  # type: ignore[attr-defined]

    @staticmethod
    def resolve_customer(obj: object) -> str:
        return str(obj.customer.name)  # type: ignore[attr-defined]


class MyDayOut(Schema):
    today: IsoDate
    overdue: list[FollowUpOut]
    due_today: list[FollowUpOut]
    logged_today: list[FollowUpOut]
    new_leads: list[LeadBrief]
    closing: list[OpportunityBrief]
    ending_contracts: list[ContractBrief]
    returning: list[ReturningOut]


# Pool ------------------------------------------------------------------------------------------------------------


class PoolQuery(Schema):
    q: str | None = Field(None, max_length=100, description="Name, code, pinyin or pinyin initials")
    province: str | None = Field(None, min_length=1, max_length=30)


class PoolCustomerOut(Schema):
    id: int
    code: str
    name: str
    province: str
    city: str
    industry: str
    phone: str


class CustomerOwnerOut(Schema):
    id: int
    code: str
    name: str
    owner_id: int | None
    owner_name: str | None

    @staticmethod
    def resolve_owner_name(obj: object) -> str | None:
        return _user_name(obj.owner)  # type: ignore[attr-defined]


class ReleaseIn(Schema):
    reason: StrictStr = Field(min_length=1, max_length=200)


class AssignIn(Schema):
    customer_ids: list[StrictInt] = Field(min_length=1, max_length=1000)
    owner_id: StrictInt = Field(ge=1, le=ID_MAX)


class AssignOut(Schema):
    assigned: int


class PoolEventOut(Schema):
    id: int
    action: str
    created_at: datetime.datetime
    previous_owner_id: int | None
    new_owner_id: int | None
    actor_id: int | None
    reason: str


# CRM settings ----------------------------------------------------------------------------------------------------


class CrmSettingsOut(Schema):
    pool_return_days: int
    claim_limit: int
    churn_multiple: Decimal
    contract_expiry_days: int


class CrmSettingsIn(Schema):
    @model_validator(mode="before")
    @classmethod
    def _an_object(cls, value: Any) -> Any:
        """Every field is optional: without this, a JSON array or number would pass as "no change"."""
        if not isinstance(getattr(value, "_obj", value), dict):  # ninja wraps the input in a DjangoGetter
            raise ValueError("Send a JSON object.")
        return value

    pool_return_days: StrictInt | None = Field(None, ge=0, le=3650, description="0: never back to the pool")
    claim_limit: StrictInt | None = Field(None, ge=0, le=10000, description="0: no limit")
    churn_multiple: Decimal | None = Field(None, max_digits=4, decimal_places=2, ge=1, le=20)
    contract_expiry_days: StrictInt | None = Field(None, ge=0, le=365)
