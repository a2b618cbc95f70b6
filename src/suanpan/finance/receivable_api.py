"""REST endpoints of receivables: open receivables, customer receipts (with write-off), advance receipts applied,
receivables aging, customer statements."""

import datetime
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate
from ninja.responses import Status
from pydantic import StrictBool, StrictInt, StrictStr

from suanpan.core.api import ERRORS, Paging, filtered, org_of
from suanpan.core.permissions import P
from suanpan.finance import receipts, receivables
from suanpan.finance.api import parse_buckets
from suanpan.finance.filters import ReceiptFilter
from suanpan.finance.models import OpenItem, Payment
from suanpan.finance.schemas import AgingOut, AgingQuery, AllocationIn, AllocationOut, IsoDate, OpenItemOut

router = Router(tags=["receivables"])


class ReceivableQuery(Schema):
    customer: int | None = Field(None, ge=1, le=2**62)
    kind: str = Field("receivable", pattern=r"^(receivable|advance_receipt)$")
    open_only: bool = True
    overdue: bool = False


class ReceiptIn(Schema):
    customer_id: StrictInt
    date: IsoDate
    account_id: StrictInt
    amount: Decimal = Field(max_digits=18, decimal_places=2, gt=0)
    allocations: list[AllocationIn] | None = Field(None, max_length=500)
    advance: StrictBool = False
    cash_flow_item: StrictStr = Field("1", max_length=10)
    reference: StrictStr = Field("", max_length=100)
    notes: StrictStr = Field("", max_length=2000)


class ReceiptOut(Schema):
    id: int
    number: str
    kind: str
    date: IsoDate
    customer_id: int
    account_id: int | None
    amount: Decimal
    advance: Decimal
    cash_flow_item: str
    reference: str
    notes: str
    voucher_id: int | None
    allocations: list[AllocationOut]

    @staticmethod
    def resolve_customer_id(obj: Payment) -> int:
        return obj.partner_id

    @staticmethod
    def resolve_allocations(obj: Payment) -> list[object]:
        return list(obj.allocations.select_related("item").order_by("id"))


class ReceiptQuery(Schema):
    customer: int | None = Field(None, ge=1, le=2**62)
    date_from: IsoDate | None = None
    date_to: IsoDate | None = None


class AdvanceApplyIn(Schema):
    customer_id: StrictInt
    date: IsoDate


class StatementQuery(Schema):
    start: IsoDate | None = None
    end: IsoDate | None = None


class StatementLineOut(Schema):
    date: IsoDate
    kind: str
    document: str
    note: str
    debit: Decimal
    credit: Decimal
    balance: Decimal


class StatementOut(Schema):
    customer_id: int
    customer: str
    start: IsoDate
    end: IsoDate
    opening: Decimal
    lines: list[StatementLineOut]
    debit: Decimal
    credit: Decimal
    closing: Decimal

    @staticmethod
    def resolve_customer_id(obj: receivables.Statement) -> int:
        return obj.customer.pk

    @staticmethod
    def resolve_customer(obj: receivables.Statement) -> str:
        return obj.customer.name


@router.get("/receivables", response={200: list[OpenItemOut], **ERRORS}, operation_id="receivables_list")
@paginate(Paging)
def list_receivables(request: HttpRequest, filters: Query[ReceivableQuery]) -> QuerySet[OpenItem]:
    organization = org_of(request, P.VIEW_RECEIVABLE)
    return receivables.receivable_list(
        organization=organization,
        customer_id=filters.customer,
        open_only=filters.open_only,
        overdue_on=timezone.localdate() if filters.overdue else None,
        kind=filters.kind,
    )


@router.get("/receipts", response={200: list[ReceiptOut], **ERRORS}, operation_id="receipts_list")
@paginate(Paging)
def list_receipts(request: HttpRequest, filters: Query[ReceiptQuery]) -> QuerySet[Payment]:
    organization = org_of(request, P.VIEW_RECEIVABLE)
    qs: QuerySet[Payment] = filtered(
        ReceiptFilter, request, receivables.receipt_list(organization=organization), filters
    )
    return qs


@router.post("/receipts", response={201: ReceiptOut, **ERRORS}, operation_id="receipts_create")
def create_receipt(request: HttpRequest, payload: ReceiptIn) -> Any:
    organization = org_of(request, P.RECEIVE_PAYMENT)
    data = payload.dict()
    data["amount"] = str(payload.amount)
    receipt = receipts.receipt_post(organization=organization, actor=request.user, data=data)
    return Status(201, receipt)


@router.get("/receipts/{int:receipt_id}", response={200: ReceiptOut, **ERRORS}, operation_id="receipts_get")
def get_receipt(request: HttpRequest, receipt_id: int) -> Payment:
    return receivables.receipt_get(organization=org_of(request, P.VIEW_RECEIVABLE), pk=receipt_id)


@router.post("/advance-receipts/apply", response={201: ReceiptOut, **ERRORS}, operation_id="advance_receipts_apply")
def apply_advance_receipts(request: HttpRequest, payload: AdvanceApplyIn) -> Any:
    organization = org_of(request, P.RECEIVE_PAYMENT)
    receipt = receipts.advance_receipt_apply(
        organization=organization, actor=request.user, customer_id=payload.customer_id, date=payload.date
    )
    return Status(201, receipt)


@router.get("/receivables-aging", response={200: AgingOut, **ERRORS}, operation_id="receivables_aging")
def receivables_aging(request: HttpRequest, params: Query[AgingQuery]) -> Any:
    organization = org_of(request, P.VIEW_RECEIVABLE)
    on: datetime.date = params.on or timezone.localdate()
    return receivables.receivables_aging(organization=organization, on=on, bounds=parse_buckets(params.buckets))


@router.get(
    "/customers/{int:customer_id}/statement",
    response={200: StatementOut, **ERRORS},
    operation_id="customer_statement",
)
def customer_statement(request: HttpRequest, customer_id: int, params: Query[StatementQuery]) -> Any:
    """对账单 from `start` (default: the first of this month) to `end` (default: today)."""
    organization = org_of(request, P.VIEW_RECEIVABLE)
    today = timezone.localdate()
    return receivables.customer_statement(
        organization=organization,
        customer_id=customer_id,
        start=params.start or today.replace(day=1),
        end=params.end or today,
    )
