"""API schemas of invoices and credit notes (separate In/Out)."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Literal

from ninja import Schema
from pydantic import Field, StrictInt, StrictStr

from suanpan.inventory.stock_schemas import IsoDate

ID_MAX = 2**53


class InvoiceLineIn(Schema):
    """One line: a delivery line (goods), or an order line of a service — exactly one of the two."""

    delivery_line_id: StrictInt | None = Field(None, ge=1, le=ID_MAX)
    order_line_id: StrictInt | None = Field(None, ge=1, le=ID_MAX, description="Services only")
    quantity: Decimal = Field(max_digits=18, decimal_places=4, gt=0)


class InvoiceIn(Schema):
    date: IsoDate
    invoice_type: Literal["normal", "special"] = Field("normal", description="数电普票 or 数电专票")
    remarks: StrictStr = Field("", max_length=450, description="备注")
    lines: list[InvoiceLineIn] = Field(min_length=1, max_length=500)


class EInvoiceIn(Schema):
    einvoice_number: StrictStr = Field(max_length=30, description="The 20-digit 数电发票 number")
    red_confirmation_number: StrictStr = Field("", max_length=30, description="Credit notes: 红字确认单 number")


class CreditNoteIn(Schema):
    date: IsoDate


class InvoiceLineOut(Schema):
    id: int
    delivery_line_id: int | None
    order_line_id: int | None
    product_id: int
    description: str
    specification: str
    unit: str
    tax_code: str
    quantity: Decimal
    unit_price: Decimal
    vat_rate: Decimal
    amount: Decimal
    tax: Decimal
    total: Decimal


class InvoiceOut(Schema):
    id: int
    number: str
    kind: str
    invoice_type: str
    customer_id: int
    date: datetime.date
    due_date: datetime.date
    amount: Decimal
    tax: Decimal
    total: Decimal
    original_id: int | None
    sales_return_id: int | None
    buyer_name: str
    buyer_tax_id: str
    buyer_address_phone: str
    buyer_bank_account: str
    buyer_is_person: bool
    remarks: str
    einvoice_number: str
    einvoice_status: str
    red_confirmation_number: str
    voucher_id: int | None
    lines: list[InvoiceLineOut]

    @staticmethod
    def resolve_lines(obj: object) -> list[object]:
        return list(obj.lines.order_by("id"))  # type: ignore[attr-defined]


class InvoiceQuery(Schema):
    q: str | None = Field(None, max_length=100)
    customer: int | None = Field(None, ge=1, le=2**62)
    kind: Literal["invoice", "credit_note"] | None = None
    invoice_type: Literal["normal", "special"] | None = None
    einvoice_status: Literal["not_issued", "issued", "red_confirmed"] | None = None
    date_from: IsoDate | None = None
    date_to: IsoDate | None = None
    sort: Literal["date", "-date", "number", "-number", "total", "-total", "due_date", "-due_date"] | None = None
