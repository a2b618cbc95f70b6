"""Pages of the financial statements: 资产负债表, 利润表 and 现金流量表 of a month, their Excel and PDF exports, and
the drill-down from a line to the accounts (or vouchers) behind it. Thin: parse, call `statements`, render."""

from __future__ import annotations

from itertools import zip_longest
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.translation import gettext as _

from suanpan.accounting import selectors, services
from suanpan.accounting.models import Period
from suanpan.accounting.statements import (
    BALANCE_SHEET,
    CASH_FLOW,
    FORMS,
    KINDS,
    UNASSIGNED,
    Statement,
    StatementLine,
    statement_get,
)
from suanpan.core.excel import workbook_bytes, xlsx_response
from suanpan.core.exceptions import InvalidInput
from suanpan.core.models import Organization
from suanpan.core.pdf import pdf_response
from suanpan.core.permissions import P
from suanpan.core.ui import OrgView


def _titles() -> list[tuple[str, str]]:
    return [
        (BALANCE_SHEET, _("Balance sheet")),
        ("income", _("Income statement")),
        (CASH_FLOW, _("Cash-flow statement")),
    ]


def _period(request: HttpRequest, organization: Organization) -> Period:
    """The month asked for (?period=YYYY-MM), or this month when it is missing or makes no sense."""
    year, _sep, month = request.GET.get("period", "").partition("-")
    if year.isdigit() and month.isdigit() and len(year) == 4 and len(month) <= 2:
        found = Period.objects.filter(organization=organization, year=int(year), month=int(month)).first()
        if found is not None:
            return found
    today = timezone.localdate()
    return selectors.period_for(organization=organization, on=today) or services.period_for_date(
        organization=organization, on=today
    )


def _key(period: Period) -> str:
    return f"{period.year}-{period.month:02d}"


def _month(month: tuple[int, int]) -> str:
    return f"{month[0]}-{month[1]:02d}"


def _pairs(statement: Statement) -> list[tuple[StatementLine | None, StatementLine | None]]:
    """The balance sheet's two sides next to each other, as the form prints them."""
    left = [line for line in statement.lines if line.definition.part == "assets"]
    right = [line for line in statement.lines if line.definition.part != "assets"]
    return list(zip_longest(left, right))


def _sides(statement: Statement) -> list[tuple[str, list[StatementLine]]]:
    """The balance sheet's two sides, each a table on screen."""
    return [
        ("assets", [line for line in statement.lines if line.definition.part == "assets"]),
        ("liabilities", [line for line in statement.lines if line.definition.part != "assets"]),
    ]


def _print_date(statement: Statement) -> str:
    period = statement.period
    if statement.kind == BALANCE_SHEET:
        return f"{period.end.year}年{period.end.month}月{period.end.day}日"
    return f"{period.year}年{period.month}月"


def _excel(statement: Statement) -> HttpResponse:
    form = statement.form
    columns = list(form.columns)
    rows: list[list[Any]] = []
    if statement.kind == BALANCE_SHEET:
        headers = ["资产", "行次", *columns, "负债和所有者权益", "行次", *columns]
        for left, right in _pairs(statement):
            row: list[Any] = []
            for line in (left, right):
                if line is None:
                    row += ["", "", "", ""]
                elif line.no is None:
                    row += [line.label, "", "", ""]
                else:
                    row += [line.label, line.no, *line.amounts]
            rows.append(row)
    else:
        headers = ["项目", "行次", *columns]
        for line in statement.lines:
            amounts: list[Any] = list(line.amounts) if line.no else ["", ""]
            rows.append([line.label, line.no or "", *amounts])
        if statement.unassigned is not None:
            rows.append([_("Not assigned to a cash-flow item"), "", *statement.unassigned])
    rows.append([])
    rows.append(["编制单位", statement.organization.name])
    rows.append(["会计期间", _print_date(statement)])
    rows.append(["单位", "元"])
    rows.append(["表号", form.code])
    for check in statement.checks:
        rows.append([f"{'✓' if check.ok else '✗'} {check.label}", "", check.left, check.right])
    name = f"{statement.kind}-{_key(statement.period)}"
    return xlsx_response(name, workbook_bytes(form.title, headers, rows))


class StatementView(OrgView):
    """One statement of a month (?period=YYYY-MM), with ?export=xlsx or pdf."""

    permission = P.VIEW_LEDGER

    def get(self, request: HttpRequest, kind: str = BALANCE_SHEET) -> HttpResponse:
        if kind not in KINDS:
            raise Http404
        period = _period(request, self.organization)
        try:
            statement = statement_get(organization=self.organization, kind=kind, period=period)
        except InvalidInput as exc:
            statement, error = None, exc.message
        else:
            error = ""
        export = request.GET.get("export")
        if statement is not None and export == "xlsx":
            return _excel(statement)
        if statement is not None and export == "pdf":
            context = {"statement": statement, "pairs": _pairs(statement), "date": _print_date(statement)}
            return pdf_response("accounting/pdf/statement.html", context, f"{kind}-{_key(period)}.pdf", request=request)
        return render(
            request,
            "accounting/statement.html",
            {
                "kind": kind,
                "statement": statement,
                "error": error,
                "period": period,
                "period_key": _key(period),
                "periods": selectors.period_list(organization=self.organization).order_by("-year", "-month"),
                "tabs": _titles(),
                "title": dict(_titles())[kind],
                "form": FORMS[kind],
                "sides": _sides(statement) if statement is not None and kind == BALANCE_SHEET else [],
            },
        )


class StatementLineView(OrgView):
    """What one line (?line=N, or ?line=unassigned on the cash-flow statement) is made of: accounts with their
    amounts, each opening its detail ledger; vouchers for the cash-flow lines. HTMX gets the partial."""

    permission = P.VIEW_LEDGER

    def get(self, request: HttpRequest, kind: str) -> HttpResponse:
        if kind not in KINDS:
            raise Http404
        period = _period(request, self.organization)
        raw = request.GET.get("line", "")
        if raw == UNASSIGNED and kind == CASH_FLOW:
            no: int | str = UNASSIGNED
        elif raw.isdigit() and len(raw) < 4:
            no = int(raw)
        else:
            raise Http404
        try:
            statement = statement_get(organization=self.organization, kind=kind, period=period)
        except InvalidInput as exc:
            failed = {"kind": kind, "error": exc.message, "period_key": _key(period), "title": dict(_titles())[kind]}
            return render(request, "accounting/statement_line.html", failed)
        label = _("Not assigned to a cash-flow item") if no == UNASSIGNED else statement.line(int(no)).label
        first, last = statement.spans[0]
        context: dict[str, Any] = {
            "kind": kind,
            "statement": statement,
            "line_no": "" if no == UNASSIGNED else no,
            "label": label,
            "sources": statement.sources(no),
            "ledger_start": _month(first),
            "ledger_end": _month(last),
            "period_key": _key(period),
            "title": dict(_titles())[kind],
        }
        template = "accounting/partials/statement_sources.html" if request.htmx else "accounting/statement_line.html"  # type: ignore[attr-defined]
        return render(request, template, context)


def statement_urls() -> list[URLPattern]:
    """statements/ (the balance sheet), and for each statement its page and the drill-down of its lines."""
    urls = [path("statements/", StatementView.as_view(), name="statements")]
    for kind in KINDS:
        urls.append(path(f"statements/{kind}/", StatementView.as_view(), {"kind": kind}, name="statement"))
        line = StatementLineView.as_view()
        urls.append(path(f"statements/{kind}/line/", line, {"kind": kind}, name="statement_line"))
    return urls
