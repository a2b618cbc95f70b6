from __future__ import annotations

from ninja import Schema


class OrganizationOut(Schema):
    id: int
    name: str
    credit_code: str
    taxpayer_type: str
    base_currency: str
    allow_negative_stock: bool


class MeOut(Schema):
    username: str
    full_name: str
    organization: OrganizationOut
    roles: list[str]
    permissions: list[str]
