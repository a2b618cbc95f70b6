"""Pages of the sales reports: sales analysis, gross profit, order fulfilment (thin: parse, call, render; each
also as an Excel file with `?export=xlsx`). The parameter parsing and the tables are shared with the API."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from suanpan.catalog.models import Product
from suanpan.core.excel import workbook_bytes, xlsx_response
from suanpan.core.exceptions import FieldError, InvalidInput
from suanpan.core.forms import members_of
from suanpan.core.models import Organization
from suanpan.core.permissions import P
from suanpan.core.records import get_scoped
from suanpan.core.ui import OrgView
from suanpan.partners.models import Partner
from suanpan.sales import reports

MAX_DAYS = 3660

# Parameters (shared with the API) --------------------------------------------------------------------------


def _date(value: object, name: str, default: datetime.date | None, errors: list[FieldError]) -> datetime.date | None:
    if value in (None, ""):
        return default
    try:
        return datetime.date.fromisoformat(str(value))
    except ValueError:
        errors.append(FieldError(name, _("Enter a date like 2026-11-30.")))
        return default


def _ref(model: type[Any], organization: Organization, value: object, name: str, errors: list[FieldError]) -> Any:
    if value in (None, ""):
        return None
    try:
        return get_scoped(model, organization=organization, pk=value, field=name)
    except InvalidInput as exc:
        errors += exc.errors
        return None


def _rep(organization: Organization, value: object, errors: list[FieldError]) -> Any:
    if value in (None, ""):
        return None
    try:
        return members_of(organization).get(pk=int(str(value)))
    except (ValueError, ObjectDoesNotExist):
        errors.append(FieldError("rep", _("No such sales rep: %(pk)s.") % {"pk": value}))
        return None


def report_params(organization: Organization, data: Mapping[str, Any], *, this_month: bool = True) -> reports.Filters:
    """date_from, date_to (default: this month up to today, or no limit), customer, product, rep from a query."""
    today = timezone.localdate()
    errors: list[FieldError] = []
    date_from = _date(data.get("date_from"), "date_from", today.replace(day=1) if this_month else None, errors)
    date_to = _date(data.get("date_to"), "date_to", today if this_month else None, errors)
    customer = _ref(Partner, organization, data.get("customer"), "customer", errors)
    product = _ref(Product, organization, data.get("product"), "product", errors)
    rep = _rep(organization, data.get("rep"), errors)
    if not errors and date_from and date_to:
        if date_to < date_from:
            errors.append(FieldError("date_to", _("The end of the range comes before its start.")))
        elif (date_to - date_from).days > MAX_DAYS:
            errors.append(FieldError("date_from", _("At most ten years at a time.")))
    if errors:
        raise InvalidInput(errors)
    return reports.Filters(date_from, date_to, customer, product, rep)


# Tables: one description each, for the page and the Excel file ---------------------------------------------


def sales_table(analysis: reports.SalesAnalysis) -> tuple[list[str], list[list[Any]]]:
    label = {"customer": _("Customer"), "product": _("Product"), "rep": _("Sales rep"), "month": _("Month")}
    headers = [
        label[analysis.by],
        _("Quantity"),
        _("Amount excl. VAT"),
        _("VAT amount"),
        _("Total"),
        _("Delivered, not invoiced"),
    ]
    quantity = analysis.by == "product"

    def cells(r: reports.SalesRow) -> list[Any]:
        return [r.quantity if quantity else "", r.amount, r.tax, r.total, r.uninvoiced]

    rows = [[r.label or _("(none)"), *cells(r)] for r in analysis.rows]
    rows.append([_("Total"), *cells(analysis.total)])
    return headers, rows


def profit_table(report: reports.GrossProfit, *, with_cost: bool) -> tuple[list[str], list[list[Any]]]:
    label = {"order": _("Sales order"), "product": _("Product"), "customer": _("Customer")}
    headers = [label[report.by], _("Quantity"), _("Revenue excl. VAT")]
    if with_cost:
        headers += [_("Cost of goods"), _("Gross margin"), _("Margin %")]
    quantity = report.by == "product"

    def cells(r: reports.ProfitRow) -> list[Any]:
        row: list[Any] = [r.quantity if quantity else "", r.revenue]
        if with_cost:
            row += [r.cost, r.margin, r.margin_percent if r.margin_percent is not None else ""]
        return row

    rows = [[r.label or _("(no order)"), *cells(r)] for r in report.rows]
    rows.append([_("Total"), *cells(report.total)])
    return headers, rows


def fulfilment_table(found: list[reports.FulfilmentRow]) -> tuple[list[str], list[list[Any]]]:
    headers = [
        _("Sales order"),
        _("Customer"),
        _("Order date"),
        _("Delivery date"),
        _("Days since order"),
        _("Ordered excl. VAT"),
        _("Delivered %"),
        _("Invoiced %"),
        _("Paid %"),
        _("Paid"),
        _("Late"),
    ]

    def pct(value: Decimal | None) -> Any:
        return value if value is not None else ""

    rows = [
        [
            str(r.order),
            r.order.customer.name,
            r.order.date,
            r.order.expected_date or "",
            r.days,
            r.ordered,
            pct(r.delivered_percent),
            pct(r.invoiced_percent),
            pct(r.paid_percent),
            r.paid,
            r.late,
        ]
        for r in found
    ]
    return headers, rows


def _display(value: Any) -> Any:
    if isinstance(value, bool):
        return _("Late") if value else ""
    if isinstance(value, Decimal):
        exponent = value.as_tuple().exponent
        if exponent in (-1, -2):  # money to the cent, percentages to one place
            return f"{value:,.{-int(exponent)}f}"
        return f"{value.normalize():,f}"
    return value


def _numeric_columns(rows: list[list[Any]]) -> set[int]:
    return {i for row in rows for i, v in enumerate(row) if isinstance(v, Decimal | int) and not isinstance(v, bool)}


# Pages -------------------------------------------------------------------------------------------------------

TABS = (
    ("sales:report_sales", gettext_lazy("Sales analysis")),
    ("sales:report_profit", gettext_lazy("Gross profit")),
    ("sales:report_fulfilment", gettext_lazy("Order fulfilment")),
)


class SalesReportView(OrgView):
    """One sales report page with its filters; `?export=xlsx` for the Excel file."""

    permission = P.VIEW_SALES
    kind = "sales"
    groupings: tuple[str, ...] = reports.GROUPINGS
    this_month = True
    phone_hidden: frozenset[int] = frozenset({1, 3})  # quantity, VAT: columns a phone leaves out

    def title(self) -> str:
        return _("Sales analysis")

    def table(self, params: reports.Filters, by: str) -> tuple[list[str], list[list[Any]], list[dict[str, Any]]]:
        analysis = reports.sales_analysis(organization=self.organization, filters=params, by=by)
        headers, rows = sales_table(analysis)
        return headers, rows, [{"total": i == len(rows) - 1} for i in range(len(rows))]

    def get(self, request: HttpRequest) -> HttpResponse:
        errors: list[FieldError] = []
        try:
            params = report_params(self.organization, request.GET, this_month=self.this_month)
        except InvalidInput as exc:
            errors = exc.errors
            params = report_params(self.organization, {}, this_month=self.this_month)
        by = request.GET.get("by", "")
        if self.groupings and by not in self.groupings:
            by = self.groupings[0]
        headers, rows, marks = self.table(params, by)
        title = self.title()
        if request.GET.get("export") == "xlsx" and not errors:
            return xlsx_response(f"sales-{self.kind}", workbook_bytes(title, headers, rows))
        numeric = _numeric_columns(rows)
        return render(
            request,
            "sales/report.html",
            {
                "title": title,
                "kind": self.kind,
                "params": params,
                "by": by,
                "groupings": [(g, _grouping_label(g)) for g in self.groupings],
                "errors": errors,
                "headers": [(h, i in numeric, i in self.phone_hidden) for i, h in enumerate(headers)],
                "rows": [
                    ([(_display(v), i in numeric, i in self.phone_hidden) for i, v in enumerate(row)], mark)
                    for row, mark in zip(rows, marks, strict=True)
                ],
                "customers": Partner.objects.filter(organization=self.organization, is_customer=True).order_by("name")[
                    :1000
                ],
                "products": Product.objects.filter(organization=self.organization).order_by("code")[:2000],
                "reps": members_of(self.organization),
                "tabs": [(reverse(name), label, name.endswith(self.kind)) for name, label in TABS],
                "query": request.GET.urlencode(),
                "note": self.note(),
                "with_cost": self.can(P.VIEW_STOCK_REPORTS),
            },
            status=422 if errors else 200,
        )

    def note(self) -> str:
        return _("Invoiced sales by invoice date; credit notes count negative.")


def _grouping_label(key: str) -> str:
    return {
        "customer": _("Customer"),
        "product": _("Product"),
        "rep": _("Sales rep"),
        "month": _("Month"),
        "order": _("Sales order"),
    }[key]


class GrossProfitView(SalesReportView):
    kind = "profit"
    groupings = reports.PROFIT_GROUPINGS
    phone_hidden = frozenset({1})

    def title(self) -> str:
        return _("Gross profit")

    def table(self, params: reports.Filters, by: str) -> tuple[list[str], list[list[Any]], list[dict[str, Any]]]:
        report = reports.gross_profit(organization=self.organization, filters=params, by=by)
        headers, rows = profit_table(report, with_cost=self.can(P.VIEW_STOCK_REPORTS))
        marks: list[dict[str, Any]] = [
            {"url": reverse("sales:order_detail", args=[r.order_id]) if r.order_id else None} for r in report.rows
        ]
        marks.append({"total": True})
        return headers, rows, marks

    def note(self) -> str:
        if not self.can(P.VIEW_STOCK_REPORTS):
            return _(
                "Revenue: invoiced amounts excl. VAT, net of credit notes. Costs are shown to those who may see "
                "stock reports."
            )
        return _(
            "Revenue: invoiced amounts excl. VAT, net of credit notes. Cost: the cost of goods of the delivery lines "
            "invoiced, net of returns, in the invoiced share."
        )


class FulfilmentView(SalesReportView):
    kind = "fulfilment"
    groupings = ()
    this_month = False
    phone_hidden = frozenset({2, 3, 5, 9})  # order date, delivery date, ordered, paid amount

    def title(self) -> str:
        return _("Order fulfilment")

    def table(self, params: reports.Filters, by: str) -> tuple[list[str], list[list[Any]], list[dict[str, Any]]]:
        found = reports.order_fulfilment(
            organization=self.organization,
            filters=params,
            today=timezone.localdate(),
            late_only=self.request.GET.get("late") == "1",
        )
        headers, rows = fulfilment_table(found)
        marks = [{"url": reverse("sales:order_detail", args=[r.order.pk]), "late": r.late} for r in found]
        return headers, rows, marks

    def note(self) -> str:
        return _("Open orders; late = the delivery date has passed and goods are still to deliver.")


urlpatterns = [
    path("reports/sales/", SalesReportView.as_view(), name="report_sales"),
    path("reports/gross-profit/", GrossProfitView.as_view(), name="report_profit"),
    path("reports/fulfilment/", FulfilmentView.as_view(), name="report_fulfilment"),
]
