from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Literal

from ninja import Schema
from pydantic import Field, StrictBool, StrictInt, StrictStr

Money = Decimal


class UnitIn(Schema):
    code: StrictStr = Field(min_length=1, pattern=r"\S", max_length=20)
    name: StrictStr = Field(min_length=1, pattern=r"\S", max_length=20)
    is_active: StrictBool = True


class UnitPatch(Schema):
    code: StrictStr | None = Field(None, min_length=1, pattern=r"\S", max_length=20)
    name: StrictStr | None = Field(None, min_length=1, pattern=r"\S", max_length=20)
    is_active: StrictBool | None = None


class UnitOut(Schema):
    id: int
    code: str
    name: str
    is_active: bool


class UnitQuery(Schema):
    q: str | None = None
    is_active: bool | None = None
    sort: Literal["code", "-code", "name", "-name"] | None = None


class CategoryIn(Schema):
    code: StrictStr = Field(min_length=1, pattern=r"\S", max_length=30)
    name: StrictStr = Field(min_length=1, pattern=r"\S", max_length=60)
    parent_id: StrictInt | None = None


class CategoryPatch(Schema):
    code: StrictStr | None = Field(None, min_length=1, pattern=r"\S", max_length=30)
    name: StrictStr | None = Field(None, min_length=1, pattern=r"\S", max_length=60)
    parent_id: StrictInt | None = None


class CategoryOut(Schema):
    id: int
    code: str
    name: str
    parent_id: int | None
    path: str


class CategoryQuery(Schema):
    q: str | None = None
    parent: int | None = None
    sort: Literal["code", "-code", "name", "-name"] | None = None


class VatRateIn(Schema):
    name: StrictStr = Field(min_length=1, pattern=r"\S", max_length=30)
    rate: Decimal = Field(ge=0, le=1, max_digits=5, decimal_places=4)
    is_active: StrictBool = True


class VatRatePatch(Schema):
    name: StrictStr | None = Field(None, min_length=1, pattern=r"\S", max_length=30)
    rate: Decimal | None = Field(None, ge=0, le=1, max_digits=5, decimal_places=4)
    is_active: StrictBool | None = None


class VatRateOut(Schema):
    id: int
    name: str
    rate: Decimal
    is_active: bool


class VatRateQuery(Schema):
    q: str | None = None
    is_active: bool | None = None
    sort: Literal["rate", "-rate", "name", "-name"] | None = None


class ProductIn(Schema):
    code: StrictStr = Field(min_length=1, pattern=r"\S", max_length=40)
    name: StrictStr = Field(min_length=1, pattern=r"\S", max_length=200)
    specification: StrictStr = ""
    unit_id: StrictInt
    category_id: StrictInt | None = None
    barcode: StrictStr = ""
    is_stocked: StrictBool = True
    sale_price: Decimal = Field(Decimal("0"), ge=0, max_digits=18, decimal_places=6)
    purchase_price: Decimal = Field(Decimal("0"), ge=0, max_digits=18, decimal_places=6)
    vat_rate_id: StrictInt
    is_batch_tracked: StrictBool = False
    min_stock: Decimal = Field(Decimal("0"), ge=0, max_digits=18, decimal_places=4)
    max_stock: Decimal = Field(Decimal("0"), ge=0, max_digits=18, decimal_places=4)
    is_active: StrictBool = True
    notes: StrictStr = ""


class ProductPatch(Schema):
    code: StrictStr | None = Field(None, min_length=1, pattern=r"\S", max_length=40)
    name: StrictStr | None = Field(None, min_length=1, pattern=r"\S", max_length=200)
    specification: StrictStr | None = None
    unit_id: StrictInt | None = None
    category_id: StrictInt | None = None
    barcode: StrictStr | None = None
    is_stocked: StrictBool | None = None
    sale_price: Decimal | None = Field(None, ge=0, max_digits=18, decimal_places=6)
    purchase_price: Decimal | None = Field(None, ge=0, max_digits=18, decimal_places=6)
    vat_rate_id: StrictInt | None = None
    is_batch_tracked: StrictBool | None = None
    min_stock: Decimal | None = Field(None, ge=0, max_digits=18, decimal_places=4)
    max_stock: Decimal | None = Field(None, ge=0, max_digits=18, decimal_places=4)
    is_active: StrictBool | None = None
    notes: StrictStr | None = None


class ProductOut(Schema):
    id: int
    code: str
    name: str
    specification: str
    unit_id: int
    category_id: int | None
    barcode: str
    is_stocked: bool
    sale_price: Decimal
    purchase_price: Decimal
    vat_rate_id: int
    is_batch_tracked: bool
    min_stock: Decimal
    max_stock: Decimal
    is_active: bool
    notes: str
    created_at: datetime.datetime
    updated_at: datetime.datetime


class ProductQuery(Schema):
    q: str | None = None
    category: int | None = None
    vat_rate: int | None = None
    is_stocked: bool | None = None
    is_batch_tracked: bool | None = None
    is_active: bool | None = None
    sort: (
        Literal["code", "-code", "name", "-name", "sale_price", "-sale_price", "purchase_price", "-purchase_price"]
        | None
    ) = None
