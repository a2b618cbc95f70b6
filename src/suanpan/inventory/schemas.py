from __future__ import annotations

import datetime
from typing import Literal

from ninja import Schema
from pydantic import Field, StrictBool, StrictInt, StrictStr


class WarehouseIn(Schema):
    code: StrictStr = Field(min_length=1, pattern=r"\S", max_length=20)
    name: StrictStr = Field(min_length=1, pattern=r"\S", max_length=100)
    is_store: StrictBool = False
    address: StrictStr = ""
    phone: StrictStr = ""
    manager_id: StrictInt | None = None
    is_active: StrictBool = True


class WarehousePatch(Schema):
    code: StrictStr | None = Field(None, min_length=1, pattern=r"\S", max_length=20)
    name: StrictStr | None = Field(None, min_length=1, pattern=r"\S", max_length=100)
    is_store: StrictBool | None = None
    address: StrictStr | None = None
    phone: StrictStr | None = None
    manager_id: StrictInt | None = None
    is_active: StrictBool | None = None


class WarehouseOut(Schema):
    id: int
    code: str
    name: str
    is_store: bool
    address: str
    phone: str
    manager_id: int | None
    is_active: bool
    created_at: datetime.datetime
    updated_at: datetime.datetime


class WarehouseQuery(Schema):
    q: str | None = None
    is_store: bool | None = None
    is_active: bool | None = None
    sort: Literal["code", "-code", "name", "-name"] | None = None
