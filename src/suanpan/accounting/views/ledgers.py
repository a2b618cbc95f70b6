"""Pages of the ledgers and printing: 总账 (general ledger) and its summary, 辅助账 by customer/supplier, the
voucher print (one or a batch, PDF), and the Excel/PDF exports of the detail ledger and the trial balance.
Thin: parse, call one selector, render (page, Excel or PDF)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from suanpan.accounting import ledgers, printing, selectors, services
from suanpan.accounting.choices import VoucherStatus
from suanpan.accounting.models import Account, Period
from suanpan.accounting.reports import LedgerEntry, TrialBalance, balance_side_label
from suanpan.core.excel import workbook_bytes, xlsx_response
from suanpan.core.exceptions import InvalidInput
from suanpan.core.models import Organization
from suanpan.core.pdf import pdf_response
from suanpan.core.permissions import P
from suanpan.core.ui import OrgView, redirect


def _month(value: str) -> tuple[int, int] | None:
    year, _sep, month = value.partition("-")
    if year.isdigit() and month.isdigit() and len(year) == 4 and len(month) <= 2:
        return int(year), int(month)
    return None


def _period(organization: Organization, value: str) -> Period | None:
    found = _month(value)
    if found is None:
        return None
    return Period.objects.filter(organization=organization, year=found[0], month=found[1]).first()


def period_range(request: HttpRequest, organization: Organization) -> tuple[Period, Period]:
    """?start=YYYY-MM&end=YYYY-MM (as the trial balance and detail ledger take them); this month by default."""
    today = timezone.localdate()
    default = selectors.period_for(organization=organization, on=today) or services.period_for_date(
        organization=organization, on=today
    )
    start = _period(organization, request.GET.get("start", "")) or default
    end = _period(organization, request.GET.get("end", "")) or default
    if (end.year, end.month) < (start.year, start.month):
        start, end = end, start
    return start, end


def _range_query(start: Period, end: Period) -> str:
    return f"start={start.year}-{start.month:02d}&end={end.year}-{end.month:02d}"


def _side_amount(amount: Decimal) -> tuple[str, Decimal]:
    return balance_side_label(amount), abs(amount)


def _stamp(start: Period, end: Period) -> str:
    return f"{start}" if start.pk == end.pk else f"{start}_{end}"


# --- Voucher print ----------------------------------------------------------------------------------------


class VoucherPrintView(OrgView):
    """GET vouchers/<pk>/print/: the voucher as a 记账凭证 PDF."""

    permission = P.VIEW_LEDGER

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        printed = printing.voucher_print(organization=self.organization, pk=pk)
        name = f"{printed.voucher.display_number}.pdf"
        return pdf_response("accounting/pdf/vouchers.html", {"prints": [printed]}, name, request)


class VoucherBatchPrintView(OrgView):
    """GET vouchers/print/?period=YYYY-MM[&status=posted] or ?ids=3,5,8: several vouchers, two to an A4 page."""

    permission = P.VIEW_LEDGER

    def get(self, request: HttpRequest) -> HttpResponse:
        raw_ids, raw_period = request.GET.get("ids", ""), request.GET.get("period", "")
        status = request.GET.get("status", "")
        try:
            if raw_ids:
                prints = printing.voucher_batch(organization=self.organization, ids=printing.parse_ids(raw_ids))
                name = "vouchers"
            else:
                period = _period(self.organization, raw_period)
                if period is None:
                    raise InvalidInput.single("period", _("Choose a period or vouchers to print."))
                prints = printing.voucher_batch(
                    organization=self.organization,
                    period=period,
                    status=status if status in VoucherStatus.values else "",
                )
                name = f"vouchers-{period}"
        except InvalidInput as exc:
            messages.error(request, exc.message)
            return redirect(request, reverse("accounting:voucher_list"))
        return pdf_response("accounting/pdf/vouchers.html", {"prints": prints}, f"{name}.pdf", request)


# --- 总账 --------------------------------------------------------------------------------------------------


def _account_options(organization: Organization) -> list[Account]:
    return list(selectors.account_list(organization=organization).order_by("code"))


def general_ledger_rows(ledger: ledgers.GeneralLedger) -> list[list[Any]]:
    return [
        [str(line.period), line.label, line.debit, line.credit, line.side, line.amount]
        if line.kind != ledgers.LineKind.OPENING
        else [str(line.period), line.label, "", "", line.side, line.amount]
        for line in ledger.lines
    ]


def general_summary_rows(summary: ledgers.GeneralSummary) -> list[list[Any]]:
    return [
        [
            r.account.code,
            r.account.name,
            *_side_amount(r.opening),
            r.debit,
            r.credit,
            r.ytd_debit,
            r.ytd_credit,
            *_side_amount(r.closing),
        ]
        for r in summary.rows
    ]


class GeneralLedgerView(OrgView):
    """总账: ?account=CODE for one account's per-period rows, else the summary of every first-level account;
    ?export=xlsx or pdf downloads what the page shows."""

    permission = P.VIEW_LEDGER

    def get(self, request: HttpRequest) -> HttpResponse:
        start, end = period_range(request, self.organization)
        code = request.GET.get("account", "").strip()
        export = request.GET.get("export", "")
        ledger, summary, error = None, None, ""
        if code:
            try:
                account = ledgers.account_by_code(organization=self.organization, code=code)
                ledger = ledgers.general_ledger(organization=self.organization, account=account, start=start, end=end)
            except InvalidInput as exc:
                error = exc.message
        if ledger is None:
            summary = ledgers.general_summary(organization=self.organization, start=start, end=end)
        context: dict[str, Any] = {"ledger": ledger, "summary": summary, "start": start, "end": end}
        stamp = _stamp(start, end)
        if export == "xlsx" and ledger is not None:
            headers = [_("Period"), _("Summary"), _("Debit"), _("Credit"), _("Dr/Cr"), _("Balance")]
            title = f"{ledger.account.code} {ledger.account.name}"
            return xlsx_response(
                f"general-ledger-{ledger.account.code}-{stamp}",
                workbook_bytes(title, headers, general_ledger_rows(ledger)),
            )
        if export == "xlsx" and summary is not None:
            headers = [
                _("Code"),
                _("Account"),
                _("Opening Dr/Cr"),
                _("Opening balance"),
                _("Debit"),
                _("Credit"),
                _("Debit year to date"),
                _("Credit year to date"),
                _("Closing Dr/Cr"),
                _("Closing balance"),
            ]
            return xlsx_response(
                f"general-ledger-{stamp}", workbook_bytes(_("General ledger"), headers, general_summary_rows(summary))
            )
        if export == "pdf":
            name = f"general-ledger-{ledger.account.code if ledger else 'all'}-{stamp}.pdf"
            context["organization"] = self.organization
            return pdf_response("accounting/pdf/general_ledger.html", context, name, request)
        if error:
            messages.error(request, error)
        return render(
            request,
            "accounting/general_ledger.html",
            {
                **context,
                "accounts": _account_options(self.organization),
                "code": ledger.account.code if ledger else "",
                "periods": selectors.period_list(organization=self.organization).order_by("year", "month"),
                "ranges": [("start", _("From"), start), ("end", _("To"), end)],
                "range_query": _range_query(start, end),
            },
        )


# --- 辅助账 ------------------------------------------------------------------------------------------------


def auxiliary_rows(aux: ledgers.AuxiliaryLedger) -> list[list[Any]]:
    return [
        [r.partner_code, r.partner_name, *_side_amount(r.opening), r.debit, r.credit, *_side_amount(r.closing)]
        for r in [*aux.rows, aux.total]
    ]


class AuxiliaryLedgerView(OrgView):
    """辅助账 of a receivable/payable account by customer or supplier: ?account=CODE (default: the first such
    account, 1122 in the standard chart), ?export=xlsx."""

    permission = P.VIEW_LEDGER

    def get(self, request: HttpRequest) -> HttpResponse:
        start, end = period_range(request, self.organization)
        choices = list(ledgers.partner_accounts(organization=self.organization))
        code = request.GET.get("account", "").strip()
        aux, error = None, ""
        try:
            if code:
                account = ledgers.account_by_code(organization=self.organization, code=code)
            elif choices:
                account = choices[0]
            else:
                raise InvalidInput.single("account", _("No account is kept by customer or supplier."))
            aux = ledgers.auxiliary_ledger(organization=self.organization, account=account, start=start, end=end)
        except InvalidInput as exc:
            error = exc.message
        if aux is not None and request.GET.get("export") == "xlsx":
            headers = [
                _("Code"),
                _("Customer/supplier"),
                _("Opening Dr/Cr"),
                _("Opening balance"),
                _("Debit"),
                _("Credit"),
                _("Closing Dr/Cr"),
                _("Closing balance"),
            ]
            title = f"{aux.account.code} {aux.account.name}"
            name = f"auxiliary-ledger-{aux.account.code}-{_stamp(start, end)}"
            return xlsx_response(name, workbook_bytes(title, headers, auxiliary_rows(aux)))
        if error:
            messages.error(request, error)
        return render(
            request,
            "accounting/aux_ledger.html",
            {
                "aux": aux,
                "accounts": choices,
                "code": aux.account.code if aux else code,
                "start": start,
                "end": end,
                "periods": selectors.period_list(organization=self.organization).order_by("year", "month"),
                "ranges": [("start", _("From"), start), ("end", _("To"), end)],
                "range_query": _range_query(start, end),
            },
        )


# --- Exports of the detail ledger and the trial balance (called by their pages) -------------------------


def detail_ledger_export(
    request: HttpRequest,
    export: str,
    *,
    organization: Organization,
    account: Account,
    start: Period,
    end: Period,
    partner: Any,
    opening: Decimal,
    entries: list[LedgerEntry],
) -> HttpResponse:
    """明细账 as Excel (?export=xlsx) or PDF (?export=pdf)."""
    closing = entries[-1].balance if entries else opening
    suffix = f"{account.code}-{_stamp(start, end)}"
    if export == "pdf":
        context = {
            "organization": organization,
            "account": account,
            "start": start,
            "end": end,
            "partner": partner,
            "opening": opening,
            "entries": entries,
            "closing": closing,
        }
        return pdf_response("accounting/pdf/detail_ledger.html", context, f"detail-ledger-{suffix}.pdf", request)
    headers = [
        _("Date"),
        _("Voucher"),
        _("Summary"),
        _("Customer/supplier"),
        _("Debit"),
        _("Credit"),
        _("Dr/Cr"),
        _("Balance"),
    ]
    rows: list[list[Any]] = [[start.start, "", _("Opening balance"), "", "", "", *_side_amount(opening)]]
    rows += [
        [e.date, e.voucher, e.summary, e.partner, e.debit or "", e.credit or "", *_side_amount(e.balance)]
        for e in entries
    ]
    rows.append([end.end, "", _("Closing balance"), "", "", "", *_side_amount(closing)])
    title = f"{account.code} {account.name}" + (f" {partner.name}" if partner else "")
    return xlsx_response(f"detail-ledger-{suffix}", workbook_bytes(title, headers, rows))


def trial_balance_pdf(request: HttpRequest, *, organization: Organization, tb: TrialBalance) -> HttpResponse:
    """科目余额表 as PDF (?export=pdf on the trial balance page)."""
    name = f"trial-balance-{_stamp(tb.start, tb.end)}.pdf"
    context = {"organization": organization, "tb": tb}
    return pdf_response("accounting/pdf/trial_balance.html", context, name, request)
