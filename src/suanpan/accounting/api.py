"""REST endpoints of the books: accounts, vouchers (with their workflow actions) and the trial balance."""

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Query, Router
from ninja.pagination import paginate
from ninja.responses import Status

from suanpan.accounting import closing, ledgers, opening, printing, reports, selectors, services, statements
from suanpan.accounting.models import Account, Books, Period, Voucher
from suanpan.accounting.schemas import (
    AccountOut,
    AccountQuery,
    AuxiliaryLedgerOut,
    BooksIn,
    BooksOut,
    CloseCheckOut,
    GeneralLedgerOut,
    LedgerQuery,
    OpeningBalancesIn,
    OpeningBalancesOut,
    OpeningCheckOut,
    PeriodOut,
    PeriodQuery,
    PeriodsQuery,
    ReopenIn,
    ReverseIn,
    StatementOut,
    StatementQuery,
    TrialBalanceOut,
    VoucherIn,
    VoucherOut,
    VoucherQuery,
)
from suanpan.core.api import ERRORS, Paging, org_of
from suanpan.core.exceptions import InvalidInput
from suanpan.core.models import Organization
from suanpan.core.pdf import pdf_response
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
        "total_ytd_debit": tb.total_ytd_debit,
        "total_ytd_credit": tb.total_ytd_credit,
        "rows": [
            {
                "code": r.account.code,
                "name": r.account.name,
                "level": r.account.level,
                "opening_debit": r.opening_sides[0],
                "opening_credit": r.opening_sides[1],
                "debit": r.debit,
                "credit": r.credit,
                "ytd_debit": r.ytd_debit,
                "ytd_credit": r.ytd_credit,
                "closing_debit": r.closing_sides[0],
                "closing_credit": r.closing_sides[1],
            }
            for r in tb.rows
        ],
    }


# Month-end close -------------------------------------------------------------------------------------------


@router.get("/periods", response={200: list[PeriodOut], **ERRORS}, operation_id="periods_list")
def list_periods(request: HttpRequest, params: Query[PeriodsQuery]) -> list[Period]:
    return closing.period_list(organization=org_of(request, P.VIEW_LEDGER), year=params.year)


@router.get(
    "/periods/{int:period_id}/close-checks",
    response={200: list[CloseCheckOut], **ERRORS},
    operation_id="periods_close_checks",
)
def period_close_checks(request: HttpRequest, period_id: int) -> list[closing.CheckResult]:
    return closing.period_close_checks(organization=org_of(request, P.VIEW_LEDGER), period_id=period_id)


@router.post("/periods/{int:period_id}/close", response={200: PeriodOut, **ERRORS}, operation_id="periods_close")
def close_period(request: HttpRequest, period_id: int) -> Period:
    organization = org_of(request, P.CLOSE_PERIOD)
    return closing.period_close(organization=organization, actor=request.user, period_id=period_id)


@router.post("/periods/{int:period_id}/reopen", response={200: PeriodOut, **ERRORS}, operation_id="periods_reopen")
def reopen_period(request: HttpRequest, period_id: int, payload: ReopenIn) -> Period:
    organization = org_of(request, P.REOPEN_PERIOD)
    return closing.period_reopen(
        organization=organization, actor=request.user, period_id=period_id, reason=payload.reason
    )


PDF_RESPONSE = {
    "responses": {
        200: {
            "description": "The voucher as a printable 记账凭证 (PDF).",
            "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
        }
    }
}


@router.get("/vouchers/{int:voucher_id}/pdf", response=ERRORS, operation_id="vouchers_pdf", openapi_extra=PDF_RESPONSE)
def voucher_pdf(request: HttpRequest, voucher_id: int) -> HttpResponse:
    printed = printing.voucher_print(organization=org_of(request, P.VIEW_LEDGER), pk=voucher_id)
    name = f"{printed.voucher.display_number}.pdf"
    return pdf_response("accounting/pdf/vouchers.html", {"prints": [printed]}, name, request)


def _ledger_range(organization: Organization, params: LedgerQuery) -> tuple[Account, Period, Period]:
    account = ledgers.account_by_code(organization=organization, code=params.account)
    start = parse_period(organization, params.from_, "from")
    end = parse_period(organization, params.to, "to")
    if (end.year, end.month) < (start.year, start.month):
        raise InvalidInput.single("to", _("The last period comes before the first."))
    return account, start, end


@router.get("/ledgers/general", response={200: GeneralLedgerOut, **ERRORS}, operation_id="general_ledger")
def get_general_ledger(request: HttpRequest, params: Query[LedgerQuery]) -> dict[str, Any]:
    organization = org_of(request, P.VIEW_LEDGER)
    account, start, end = _ledger_range(organization, params)
    gl = ledgers.general_ledger(organization=organization, account=account, start=start, end=end)
    return {
        "account_code": account.code,
        "account_name": account.name,
        "start": str(start),
        "end": str(end),
        "opening": gl.opening,
        "closing": gl.closing,
        "lines": [
            {
                "kind": line.kind,
                "period": str(line.period),
                "label": line.label,
                "debit": line.debit,
                "credit": line.credit,
                "side": line.side,
                "balance": line.balance,
            }
            for line in gl.lines
        ],
    }


def _aux_row(row: ledgers.AuxiliaryRow) -> dict[str, Any]:
    return {
        "partner_id": row.partner_id,
        "partner_code": row.partner_code,
        "partner_name": row.partner_name,
        "opening": row.opening,
        "debit": row.debit,
        "credit": row.credit,
        "closing": row.closing,
    }


@router.get("/ledgers/auxiliary", response={200: AuxiliaryLedgerOut, **ERRORS}, operation_id="auxiliary_ledger")
def get_auxiliary_ledger(request: HttpRequest, params: Query[LedgerQuery]) -> dict[str, Any]:
    organization = org_of(request, P.VIEW_LEDGER)
    account, start, end = _ledger_range(organization, params)
    aux = ledgers.auxiliary_ledger(organization=organization, account=account, start=start, end=end)
    return {
        "account_code": account.code,
        "account_name": account.name,
        "start": str(start),
        "end": str(end),
        "rows": [_aux_row(r) for r in aux.rows],
        "total": _aux_row(aux.total),
    }


# Books set-up and opening balances -------------------------------------------------------------------------


@router.get("/books", response={200: BooksOut, **ERRORS}, operation_id="books_get")
def get_books(request: HttpRequest) -> Books:
    return opening.books_get(organization=org_of(request, P.VIEW_LEDGER))


@router.put("/books", response={200: BooksOut, **ERRORS}, operation_id="books_update")
def update_books(request: HttpRequest, payload: BooksIn) -> Books:
    organization = org_of(request, P.MANAGE_ACCOUNTS)
    return opening.books_update(organization=organization, actor=request.user, data=payload.dict())


def _openings(organization: Organization) -> dict[str, Any]:
    books = opening.books_get(organization=organization)
    return {
        "start": f"{books.start.year}-{books.start.month:02d}" if books.start else "",
        "accepted": books.opening_accepted,
        "rows": [
            {
                "account_code": o.account.code,
                "account_name": o.account.name,
                "normal_balance": o.account.normal_balance,
                "partner_id": o.partner_id,
                "partner_name": str(o.partner) if o.partner is not None else "",
                "balance": o.balance,
                "ytd_debit": o.ytd_debit,
                "ytd_credit": o.ytd_credit,
            }
            for o in opening.opening_balance_list(organization=organization)
        ],
    }


@router.get("/opening-balances", response={200: OpeningBalancesOut, **ERRORS}, operation_id="opening_balances_get")
def get_opening_balances(request: HttpRequest) -> dict[str, Any]:
    return _openings(org_of(request, P.VIEW_LEDGER))


@router.put("/opening-balances", response={200: OpeningBalancesOut, **ERRORS}, operation_id="opening_balances_save")
def save_opening_balances(request: HttpRequest, payload: OpeningBalancesIn) -> dict[str, Any]:
    """Set the opening balance of each (account, partner) given; all-zero amounts remove one; others stay."""
    organization = org_of(request, P.MANAGE_ACCOUNTS)
    rows = [
        {
            "account": row.account_code,
            "partner": row.partner_id,
            "balance": row.balance,
            "ytd_debit": row.ytd_debit,
            "ytd_credit": row.ytd_credit,
        }
        for row in payload.rows
    ]
    opening.opening_balances_save(organization=organization, actor=request.user, rows=rows)
    return _openings(organization)


def _check(check: opening.OpeningCheck) -> dict[str, Any]:
    return {
        "debit": check.debit,
        "credit": check.credit,
        "difference": check.difference,
        "ytd_debit": check.ytd_debit,
        "ytd_credit": check.ytd_credit,
        "ytd_difference": check.ytd_difference,
        "balanced": check.balanced,
        "categories": [{"category": c.category, "debit": c.debit, "credit": c.credit} for c in check.categories],
    }


@router.get("/opening-balances/check", response={200: OpeningCheckOut, **ERRORS}, operation_id="opening_balances_check")
def check_opening_balances(request: HttpRequest) -> dict[str, Any]:
    return _check(opening.opening_trial_balance(organization=org_of(request, P.VIEW_LEDGER)))


@router.post("/opening-balances/accept", response={200: BooksOut, **ERRORS}, operation_id="opening_balances_accept")
def accept_opening_balances(request: HttpRequest) -> Books:
    organization = org_of(request, P.MANAGE_ACCOUNTS)
    return opening.opening_balances_accept(organization=organization, actor=request.user)


@router.post("/opening-balances/unaccept", response={200: BooksOut, **ERRORS}, operation_id="opening_balances_unaccept")
def unaccept_opening_balances(request: HttpRequest) -> Books:
    organization = org_of(request, P.REOPEN_PERIOD)
    return opening.opening_balances_unaccept(organization=organization, actor=request.user)


def _statement(request: HttpRequest, kind: str, params: StatementQuery) -> dict[str, Any]:
    organization = org_of(request, P.VIEW_LEDGER)
    period = parse_period(organization, params.period, "period")
    found = statements.statement_get(organization=organization, kind=kind, period=period)
    return {
        "kind": found.kind,
        "title": found.form.title,
        "form_code": found.form.code,
        "organization": organization.name,
        "period": str(period),
        "columns": list(found.form.columns),
        "lines": [{"no": ln.no, "label": ln.label, "amounts": ln.amounts} for ln in found.lines if ln.no is not None],
        "checks": [{"label": c.label, "left": c.left, "right": c.right, "ok": c.ok} for c in found.checks],
        "balanced": found.balanced,
        "unassigned": found.unassigned,
    }


@router.get(
    "/statements/balance-sheet", response={200: StatementOut, **ERRORS}, operation_id="statements_balance_sheet"
)
def get_balance_sheet(request: HttpRequest, params: Query[StatementQuery]) -> dict[str, Any]:
    """资产负债表 (会小企01表) at the end of the month: 期末余额, 年初余额."""
    return _statement(request, statements.BALANCE_SHEET, params)


@router.get("/statements/income", response={200: StatementOut, **ERRORS}, operation_id="statements_income")
def get_income_statement(request: HttpRequest, params: Query[StatementQuery]) -> dict[str, Any]:
    """利润表 (会小企02表) of the month: 本年累计金额, 本月金额."""
    return _statement(request, statements.INCOME, params)


@router.get("/statements/cash-flow", response={200: StatementOut, **ERRORS}, operation_id="statements_cash_flow")
def get_cash_flow_statement(request: HttpRequest, params: Query[StatementQuery]) -> dict[str, Any]:
    """现金流量表 (会小企03表) of the month: 本年累计金额, 本月金额, and the cash not assigned to an item."""
    return _statement(request, statements.CASH_FLOW, params)
