from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Literal

from ninja import Schema
from pydantic import Field, StrictBool, StrictInt, StrictStr

KindT = Literal["company", "person"]  # PartnerKind's values; test_schemas checks they agree


ColorT = Literal["primary", "secondary", "success", "danger", "warning", "info", "dark"]


class TagIn(Schema):
    name: StrictStr = Field(min_length=1, pattern=r"\S", max_length=40)
    color: ColorT = "secondary"


class TagPatch(Schema):
    name: StrictStr | None = Field(None, min_length=1, pattern=r"\S", max_length=40)
    color: ColorT | None = None


class TagOut(Schema):
    id: int
    name: str
    color: str


class TagQuery(Schema):
    q: str | None = None
    sort: Literal["name", "-name"] | None = None


class ContactIn(Schema):
    name: StrictStr = Field(min_length=1, pattern=r"\S", max_length=60)
    title: StrictStr = ""
    mobile: StrictStr = ""
    phone: StrictStr = ""
    email: StrictStr = ""
    wechat: StrictStr = ""
    is_primary: StrictBool = False
    notes: StrictStr = ""


class ContactPatch(Schema):
    name: StrictStr | None = Field(None, min_length=1, pattern=r"\S", max_length=60)
    title: StrictStr | None = None
    mobile: StrictStr | None = None
    phone: StrictStr | None = None
    email: StrictStr | None = None
    wechat: StrictStr | None = None
    is_primary: StrictBool | None = None
    notes: StrictStr | None = None


class ContactOut(Schema):
    id: int
    name: str
    title: str
    mobile: str
    phone: str
    email: str
    wechat: str
    is_primary: bool
    notes: str


class PartnerIn(Schema):
    """A customer or supplier. `code` may be left out to number automatically. `tags` are tag names."""

    kind: KindT = "company"
    code: StrictStr = Field("", max_length=30)
    name: StrictStr = Field(min_length=1, pattern=r"\S", max_length=200)
    short_name: StrictStr = ""
    credit_code: StrictStr = ""
    phone: StrictStr = ""
    email: StrictStr = ""
    province: StrictStr = ""
    city: StrictStr = ""
    address: StrictStr = ""
    owner_id: StrictInt | None = None
    tags: list[StrictStr] = []
    credit_limit: Decimal = Field(Decimal("0"), max_digits=18, decimal_places=2)
    payment_terms_days: StrictInt = 30
    bank_name: StrictStr = ""
    bank_account: StrictStr = ""
    notes: StrictStr = ""
    is_customer: StrictBool = False
    is_supplier: StrictBool = False
    is_active: StrictBool = True


class PartnerPatch(Schema):
    kind: KindT | None = None
    code: StrictStr | None = Field(None, min_length=1, pattern=r"\S", max_length=30)
    name: StrictStr | None = Field(None, min_length=1, pattern=r"\S", max_length=200)
    short_name: StrictStr | None = None
    credit_code: StrictStr | None = None
    phone: StrictStr | None = None
    email: StrictStr | None = None
    province: StrictStr | None = None
    city: StrictStr | None = None
    address: StrictStr | None = None
    owner_id: StrictInt | None = None
    # Left out: unchanged; [] clears; null is refused (a default of None is never validated by pydantic).
    tags: list[StrictStr] = Field(None)  # type: ignore[arg-type]
    credit_limit: Decimal | None = Field(None, max_digits=18, decimal_places=2)
    payment_terms_days: StrictInt | None = None
    bank_name: StrictStr | None = None
    bank_account: StrictStr | None = None
    notes: StrictStr | None = None
    is_customer: StrictBool | None = None
    is_supplier: StrictBool | None = None
    is_active: StrictBool | None = None


class PartnerOut(Schema):
    id: int
    kind: str
    code: str
    name: str
    short_name: str
    credit_code: str
    phone: str
    email: str
    province: str
    city: str
    address: str
    owner_id: int | None
    tags: list[str]
    credit_limit: Decimal
    payment_terms_days: int
    bank_name: str
    bank_account: str
    notes: str
    is_customer: bool
    is_supplier: bool
    is_active: bool
    created_at: datetime.datetime
    updated_at: datetime.datetime

    @staticmethod
    def resolve_tags(obj: object) -> list[str]:
        return [t.name for t in obj.tags.all()]  # type: ignore[attr-defined]


class PartnerQuery(Schema):
    q: str | None = None
    kind: KindT | None = None
    tag: int | None = None
    owner: int | None = None
    province: str | None = None
    is_active: bool | None = None
    sort: (
        Literal[
            "code",
            "-code",
            "name",
            "-name",
            "province",
            "-province",
            "credit_limit",
            "-credit_limit",
            "created_at",
            "-created_at",
        ]
        | None
    ) = None
