"""REST endpoints of the books: accounts, vouchers (with their workflow actions) and the trial balance."""

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router
from ninja.pagination import paginate
from ninja.responses import Status

from suanpan.accounting import reports, selectors, services
from suanpan.accounting.models import Account, Period, Voucher
from suanpan.accounting.schemas import (
    AccountOut,
    AccountQuery,
    PeriodQuery,
    ReverseIn,
    TrialBalanceOut,
    VoucherIn,
    VoucherOut,
    VoucherQuery,
)
from suanpan.core.api import ERRORS, Paging, org_of
from suanpan.core.exceptions import InvalidInput
from suanpan.core.models import Organization
from suanpan.core.permissions import P

router = Router(tags=["accounting"])


@router.get("/accounts", response={200: list[AccountOut], **ERRORS}, operation_id="accounts_list")
@paginate(Paging)
def list_accounts(request: HttpRequest, filters: Query[AccountQuery]) -> QuerySet[Account]:
    organization = org_of(request, P.VIEW_LEDGER)
    qs = selectors.account_list(organization=organization).order_by("code")
    if filters.q:
        qs = qs.filter(search_text__icontains=filters.q.lower()) | qs.filter(code__startswith=filters.q)
    if filters.category:
        qs = qs.filter(category=filters.category)
    return qs


def _lines(payload: VoucherIn) -> list[dict[str, Any]]:
    return [
        {
            **line.dict(exclude={"account_id", "partner_id", "product_id"}),
            "account": line.account_id,
            "partner": line.partner_id,
            "product": line.product_id,
        }
        for line in payload.lines
    ]


@router.get("/vouchers", response={200: list[VoucherOut], **ERRORS}, operation_id="vouchers_list")
@paginate(Paging)
def list_vouchers(request: HttpRequest, filters: Query[VoucherQuery]) -> QuerySet[Voucher]:
    organization = org_of(request, P.VIEW_LEDGER)
    qs = selectors.voucher_list(organization=organization).order_by("-date", "-id")
    if filters.year:
        qs = qs.filter(period__year=filters.year)
    if filters.month:
        qs = qs.filter(period__month=filters.month)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.word:
        qs = qs.filter(word=filters.word)
    return qs


@router.post("/vouchers", response={201: VoucherOut, **ERRORS}, operation_id="vouchers_create")
def create_voucher(request: HttpRequest, payload: VoucherIn) -> Any:
    organization = org_of(request, P.ENTER_VOUCHER)
    voucher = services.voucher_create(
        organization=organization,
        actor=request.user,
        date=payload.date,
        lines=_lines(payload),
        word=payload.word,
        attachments=payload.attachments,
        notes=payload.notes,
    )
    return Status(201, voucher)


@router.get("/vouchers/{int:voucher_id}", response={200: VoucherOut, **ERRORS}, operation_id="vouchers_get")
def get_voucher(request: HttpRequest, voucher_id: int) -> Voucher:
    return selectors.voucher_get(organization=org_of(request, P.VIEW_LEDGER), pk=voucher_id)


@router.put("/vouchers/{int:voucher_id}", response={200: VoucherOut, **ERRORS}, operation_id="vouchers_update")
def update_voucher(request: HttpRequest, voucher_id: int, payload: VoucherIn) -> Voucher:
    organization = org_of(request, P.ENTER_VOUCHER)
    return services.voucher_update(
        organization=organization,
        actor=request.user,
        voucher_id=voucher_id,
        date=payload.date,
        lines=_lines(payload),
        word=payload.word,
        attachments=payload.attachments,
        notes=payload.notes,
    )


@router.delete("/vouchers/{int:voucher_id}", response={204: None, **ERRORS}, operation_id="vouchers_delete")
def delete_voucher(request: HttpRequest, voucher_id: int) -> Any:
    services.voucher_delete(organization=org_of(request, P.ENTER_VOUCHER), actor=request.user, voucher_id=voucher_id)
    return Status(204, None)


@router.post("/vouchers/{int:voucher_id}/review", response={200: VoucherOut, **ERRORS}, operation_id="vouchers_review")
def review_voucher(request: HttpRequest, voucher_id: int) -> Voucher:
    organization = org_of(request, P.REVIEW_VOUCHER)
    return services.voucher_review(organization=organization, actor=request.user, voucher_id=voucher_id)


@router.post(
    "/vouchers/{int:voucher_id}/unreview", response={200: VoucherOut, **ERRORS}, operation_id="vouchers_unreview"
)
def unreview_voucher(request: HttpRequest, voucher_id: int) -> Voucher:
    organization = org_of(request, P.REVIEW_VOUCHER)
    return services.voucher_unreview(organization=organization, actor=request.user, voucher_id=voucher_id)


@router.post("/vouchers/{int:voucher_id}/post", response={200: VoucherOut, **ERRORS}, operation_id="vouchers_post")
def post_voucher(request: HttpRequest, voucher_id: int) -> Voucher:
    organization = org_of(request, P.POST_VOUCHER)
    return services.voucher_post(organization=organization, actor=request.user, voucher_id=voucher_id)


@router.post(
    "/vouchers/{int:voucher_id}/reverse", response={201: VoucherOut, **ERRORS}, operation_id="vouchers_reverse"
)
def reverse_voucher(request: HttpRequest, voucher_id: int, payload: ReverseIn) -> Any:
    organization = org_of(request, P.ENTER_VOUCHER)
    red = services.voucher_reverse(
        organization=organization, actor=request.user, voucher_id=voucher_id, date=payload.date
    )
    return Status(201, red)


def parse_period(organization: Organization, value: str, field: str) -> Period:
    year, month = (int(part) for part in value.split("-"))
    period = Period.objects.filter(organization=organization, year=year, month=month).first()
    if period is None:
        raise InvalidInput.single(field, _("No period %(p)s.") % {"p": value})
    return period


@router.get("/trial-balance", response={200: TrialBalanceOut, **ERRORS}, operation_id="trial_balance")
def get_trial_balance(request: HttpRequest, params: Query[PeriodQuery]) -> dict[str, Any]:
    organization = org_of(request, P.VIEW_LEDGER)
    start = parse_period(organization, params.start, "start")
    end = parse_period(organization, params.end, "end")
    if (end.year, end.month) < (start.year, start.month):
        raise InvalidInput.single("end", _("The last period comes before the first."))
    tb = reports.trial_balance(organization=organization, start=start, end=end)
    return {
        "start": str(start),
        "end": str(end),
        "balanced": tb.balanced,
        "total_debit": tb.total_debit,
        "total_credit": tb.total_credit,
        "rows": [
            {
                "code": r.account.code,
                "name": r.account.name,
                "level": r.account.level,
                "opening_debit": r.opening_sides[0],
                "opening_credit": r.opening_sides[1],
                "debit": r.debit,
                "credit": r.credit,
                "closing_debit": r.closing_sides[0],
                "closing_credit": r.closing_sides[1],
            }
            for r in tb.rows
        ],
    }
