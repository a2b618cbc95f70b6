"""REST endpoints of payables: open items, supplier payments (with write-off), advances applied, aging."""

import datetime
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router
from ninja.pagination import paginate
from ninja.responses import Status

from suanpan.core.api import ERRORS, Paging, org_of
from suanpan.core.exceptions import InvalidInput
from suanpan.core.permissions import P
from suanpan.finance import schemas as s
from suanpan.finance import selectors, services
from suanpan.finance.models import OpenItem, Payment

router = Router(tags=["finance"])


@router.get("/payables", response={200: list[s.OpenItemOut], **ERRORS}, operation_id="payables_list")
@paginate(Paging)
def list_payables(request: HttpRequest, filters: Query[s.OpenItemQuery]) -> QuerySet[OpenItem]:
    organization = org_of(request, P.VIEW_PAYABLE)
    return selectors.open_item_list(
        organization=organization, kind=filters.kind, partner_id=filters.supplier, open_only=filters.open_only
    )


@router.get("/payments", response={200: list[s.PaymentOut], **ERRORS}, operation_id="payments_list")
@paginate(Paging)
def list_payments(request: HttpRequest, filters: Query[s.PaymentQuery]) -> QuerySet[Payment]:
    organization = org_of(request, P.VIEW_PAYABLE)
    qs = selectors.payment_list(organization=organization)
    if filters.supplier:
        qs = qs.filter(partner_id=filters.supplier)
    if filters.date_from:
        qs = qs.filter(date__gte=filters.date_from)
    if filters.date_to:
        qs = qs.filter(date__lte=filters.date_to)
    return qs


@router.post("/payments", response={201: s.PaymentOut, **ERRORS}, operation_id="payments_create")
def create_payment(request: HttpRequest, payload: s.PaymentIn) -> Any:
    organization = org_of(request, P.PAY)
    payment = services.payment_create(
        organization=organization,
        actor=request.user,
        partner_id=payload.partner_id,
        date=payload.date,
        account_id=payload.account_id,
        amount=payload.amount,
        allocations=None if payload.allocations is None else [a.dict() for a in payload.allocations],
        allow_advance=payload.allow_advance,
        cash_flow_item=payload.cash_flow_item,
        reference=payload.reference,
        notes=payload.notes,
    )
    return Status(201, payment)


@router.post("/payments/apply-advances", response={201: s.PaymentOut, **ERRORS}, operation_id="payments_apply_advances")
def apply_advances(request: HttpRequest, payload: s.ApplyAdvancesIn) -> Any:
    organization = org_of(request, P.PAY)
    payment = services.prepayment_apply(
        organization=organization, actor=request.user, partner_id=payload.partner_id, date=payload.date
    )
    return Status(201, payment)


@router.get("/payments/{int:payment_id}", response={200: s.PaymentOut, **ERRORS}, operation_id="payments_get")
def get_payment(request: HttpRequest, payment_id: int) -> Payment:
    return selectors.payment_get(organization=org_of(request, P.VIEW_PAYABLE), pk=payment_id)


def parse_buckets(text: str) -> tuple[int, ...]:
    bounds = tuple(int(part) for part in text.split(",") if part.strip())
    if not bounds or any(b <= 0 for b in bounds) or list(bounds) != sorted(set(bounds)):
        raise InvalidInput.single("buckets", _("Give increasing day counts, e.g. 30,60,90."))
    return bounds


@router.get("/reports/payables-aging", response={200: s.AgingOut, **ERRORS}, operation_id="payables_aging")
def payables_aging(request: HttpRequest, params: Query[s.AgingQuery]) -> Any:
    organization = org_of(request, P.VIEW_PAYABLE)
    on: datetime.date = params.on or timezone.localdate()
    return selectors.payables_aging(organization=organization, on=on, bounds=parse_buckets(params.buckets))
