"""Pages of the stock reports, the month-end costing run and reordering (thin: parse, call, render)."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from suanpan.catalog.models import Product
from suanpan.core.choices import CostingMethod
from suanpan.core.excel import workbook_bytes, xlsx_response
from suanpan.core.exceptions import DomainError, FieldError, InvalidInput
from suanpan.core.models import Organization
from suanpan.core.money import to_decimal
from suanpan.core.permissions import P
from suanpan.core.records import get_scoped
from suanpan.core.ui import OrgView
from suanpan.inventory import costing, reorder, reports
from suanpan.inventory.models import Warehouse
from suanpan.partners.models import Partner

# Parameters (shared with the API) --------------------------------------------------------------------------


def _date(value: object, name: str, default: datetime.date, errors: list[FieldError]) -> datetime.date:
    if value in (None, ""):
        return default
    try:
        return datetime.date.fromisoformat(str(value))
    except ValueError:
        errors.append(FieldError(name, _("Enter a date like 2026-11-30.")))
        return default


def _int(value: object, name: str, default: int, errors: list[FieldError], low: int = 0, high: int = 3660) -> int:
    if value in (None, ""):
        return default
    try:
        number = int(str(value))
        if not low <= number <= high:
            raise ValueError
    except ValueError:
        errors.append(FieldError(name, _("Give a whole number from %(a)d to %(b)d.") % {"a": low, "b": high}))
        return default
    return number


def _ref(model: type[Any], organization: Organization, value: object, name: str, errors: list[FieldError]) -> Any:
    if value in (None, ""):
        return None
    try:
        return get_scoped(model, organization=organization, pk=value, field=name)
    except InvalidInput as exc:
        errors += exc.errors
        return None


def report_params(organization: Organization, data: Mapping[str, Any]) -> dict[str, Any]:
    """start, end (default: this month up to today), warehouse, product, days (default 90) from a query."""
    today = timezone.localdate()
    errors: list[FieldError] = []
    params = {
        "start": _date(data.get("start"), "start", today.replace(day=1), errors),
        "end": _date(data.get("end"), "end", today, errors),
        "warehouse": _ref(Warehouse, organization, data.get("warehouse"), "warehouse", errors),
        "product": _ref(Product, organization, data.get("product"), "product", errors),
        "days": _int(data.get("days"), "days", 90, errors),
        "today": today,
    }
    if not errors and params["end"] < params["start"]:
        errors.append(FieldError("end", _("The end date cannot be before the start date.")))
    if not errors and (params["end"] - params["start"]).days > reports.MAX_DAYS:
        errors.append(FieldError("start", _("At most ten years at a time.")))
    if errors:
        raise InvalidInput(errors)
    return params


# Reports: one description each, for the page, the Excel file and the API ------------------------------------


def run_in_out_balance(organization: Organization, p: dict[str, Any]) -> reports.BalanceReport:
    return reports.in_out_balance(
        organization=organization, start=p["start"], end=p["end"], warehouse=p["warehouse"], product=p["product"]
    )


def in_out_table(report: reports.BalanceReport) -> tuple[list[str], list[list[Any]]]:
    headers = [
        _("Code"),
        _("Product"),
        _("Opening quantity"),
        _("Opening value"),
        _("In quantity"),
        _("In value"),
        _("Out quantity"),
        _("Out value"),
        _("Closing quantity"),
        _("Closing value"),
    ]

    def cells(r: reports.BalanceRow) -> list[Any]:
        return [
            r.opening_quantity,
            r.opening_value,
            r.in_quantity,
            r.in_value,
            r.out_quantity,
            r.out_value,
            r.closing_quantity,
            r.closing_value,
        ]

    rows = [[r.product.code, r.product.name, *cells(r)] for r in report.rows]
    rows.append(["", _("Total"), *cells(report.total)])
    return headers, rows


def turnover_table(rows: list[reports.TurnoverRow]) -> tuple[list[str], list[list[Any]]]:
    headers = [
        _("Code"),
        _("Product"),
        _("Opening value"),
        _("Closing value"),
        _("Average stock value"),
        _("Cost of goods sold"),
        _("Turnover days"),
    ]
    return headers, [
        [
            r.product.code,
            r.product.name,
            r.opening_value,
            r.closing_value,
            r.average_value,
            r.cost_of_sales,
            r.turnover_days if r.turnover_days is not None else "",
        ]
        for r in rows
    ]


def slow_table(rows: list[reports.SlowRow]) -> tuple[list[str], list[list[Any]]]:
    headers = [_("Code"), _("Product"), _("Warehouse"), _("On hand"), _("Value"), _("Last issue"), _("Idle days")]
    return headers, [
        [
            r.product.code,
            r.product.name,
            r.warehouse.name,
            r.on_hand,
            r.value,
            r.last_out or "",
            r.idle_days if r.idle_days is not None else "",
        ]
        for r in rows
    ]


def lots_table(rows: list[reports.LotRow]) -> tuple[list[str], list[list[Any]]]:
    headers = [_("Lot"), _("Code"), _("Product"), _("Warehouse"), _("Quantity"), _("Expiry date"), _("Days left")]
    return headers, [
        [r.lot_number, r.product.code, r.product.name, r.warehouse.name, r.quantity, r.expiry_date, r.days_left]
        for r in rows
    ]


REPORTS: dict[str, dict[str, Any]] = {
    "in-out-balance": {
        "run": run_in_out_balance,
        "table": in_out_table,
        "fields": ("start", "end", "warehouse", "product"),
    },
    "turnover": {
        "run": lambda org, p: reports.turnover(
            organization=org, start=p["start"], end=p["end"], warehouse=p["warehouse"]
        ),
        "table": turnover_table,
        "fields": ("start", "end", "warehouse"),
    },
    "slow-movers": {
        "run": lambda org, p: reports.slow_movers(
            organization=org, days=p["days"], today=p["today"], warehouse=p["warehouse"]
        ),
        "table": slow_table,
        "fields": ("days", "warehouse"),
    },
    "expiring-lots": {
        "run": lambda org, p: reports.expiring_lots(
            organization=org, days=p["days"], today=p["today"], warehouse=p["warehouse"]
        ),
        "table": lots_table,
        "fields": ("days", "warehouse"),
    },
}
TITLES = {
    "in-out-balance": lambda: _("In-out-balance summary"),
    "turnover": lambda: _("Turnover days"),
    "slow-movers": lambda: _("Slow movers"),
    "expiring-lots": lambda: _("Expiring lots"),
}


class StockReportView(OrgView):
    """One stock report: the page, or its Excel file with `?export=xlsx`."""

    permission = P.VIEW_STOCK_REPORTS
    kind: str = "in-out-balance"

    def get(self, request: HttpRequest) -> HttpResponse:
        spec = REPORTS[self.kind]
        title = TITLES[self.kind]()
        errors: list[FieldError] = []
        try:
            params = report_params(self.organization, request.GET)
        except InvalidInput as exc:
            errors = exc.errors
            params = report_params(self.organization, {})
        result = spec["run"](self.organization, params)
        headers, rows = spec["table"](result)
        if request.GET.get("export") == "xlsx" and not errors:
            return xlsx_response(self.kind, workbook_bytes(title, headers, rows))
        return render(
            request,
            "inventory/report_stock.html",
            {
                "title": title,
                "kind": self.kind,
                "fields": spec["fields"],
                "params": params,
                "errors": errors,
                "headers": headers,
                "rows": [[_display(v) for v in row] for row in rows],
                "numeric": _numeric_columns(rows),
                "has_total": self.kind == "in-out-balance",
                "warehouses": Warehouse.objects.filter(organization=self.organization).order_by("code"),
                "products": Product.objects.filter(organization=self.organization, is_stocked=True).order_by("code"),
                "reports": [(k, TITLES[k]()) for k in REPORTS],
            },
            status=422 if errors else 200,
        )


def _display(value: Any) -> Any:
    """Money as 1,234.50; quantities and day counts as people write them (12, 0.5)."""
    if isinstance(value, Decimal):
        exponent = value.as_tuple().exponent
        if exponent == -2:
            return f"{value:,.2f}"
        return f"{value.normalize():,f}"
    return value


def _numeric_columns(rows: list[list[Any]]) -> set[int]:
    return {i for row in rows for i, v in enumerate(row) if isinstance(v, Decimal | int) and not isinstance(v, bool)}


def report_view(kind: str) -> Callable[..., Any]:
    view: type[StockReportView] = type(f"StockReport_{kind}", (StockReportView,), {"kind": kind})
    return view.as_view()


# The costing run ---------------------------------------------------------------------------------------------


class CostingView(OrgView):
    """月末成本计算: preview the month's averages, run it (again), see the past runs."""

    permission = P.RUN_COSTING

    def _month(self, data: Mapping[str, Any]) -> tuple[int, int]:
        today = timezone.localdate()
        errors: list[FieldError] = []
        year = _int(data.get("year"), "year", today.year, errors, 1990, 2200)
        month = _int(data.get("month"), "month", today.month, errors, 1, 12)
        return year, month

    def get(self, request: HttpRequest) -> HttpResponse:
        year, month = self._month(request.GET)
        return self._render(year, month)

    def _render(self, year: int, month: int, status: int = 200) -> HttpResponse:
        monthly = self.organization.costing_method == CostingMethod.MONTHLY_AVERAGE
        items = costing.costing_preview(organization=self.organization, year=year, month=month) if monthly else []
        products = Product.objects.in_bulk({i.product_id for i in items})
        warehouses = Warehouse.objects.in_bulk({i.warehouse_id for i in items})
        return render(
            self.request,
            "inventory/costing_run.html",
            {
                "year": year,
                "month": month,
                "monthly": monthly,
                "months": range(1, 13),
                "items": [(i, products.get(i.product_id), warehouses.get(i.warehouse_id)) for i in items],
                "runs": costing.costing_run_list(organization=self.organization),
                "last": costing.last_run(self.organization, year, month),
            },
            status=status,
        )

    def post(self, request: HttpRequest) -> HttpResponse:
        year, month = self._month(request.POST)
        try:
            run = costing.costing_run(
                organization=self.organization,
                actor=request.user,
                year=request.POST.get("year"),
                month=request.POST.get("month"),
            )
        except DomainError as exc:
            messages.error(request, exc.message)
            return self._render(year, month, status=exc.status_code if exc.status_code != 403 else 403)
        messages.success(
            request,
            _("Costing of %(y)d-%(m)02d done: %(n)d issue(s) costed.") % {"y": year, "m": month, "n": run.moves_costed},
        )
        return redirect(f"{reverse('inventory:costing')}?year={year}&month={month}")


# Reordering --------------------------------------------------------------------------------------------------


class ReorderView(OrgView):
    """补货建议: items below their minimum, and one click that makes draft purchase orders per supplier."""

    permission = P.CHANGE_REORDER

    def get(self, request: HttpRequest) -> HttpResponse:
        return self._render()

    def _render(self, errors: list[FieldError] | None = None, status: int = 200) -> HttpResponse:
        suggestions = reorder.reorder_suggestions(organization=self.organization)
        return render(
            self.request,
            "inventory/reorder_suggestions.html",
            {
                "suggestions": suggestions,
                "suppliers": Partner.objects.filter(
                    organization=self.organization, is_supplier=True, is_active=True
                ).order_by("name")[:500],
                "can_order": reorder.HOOKS.create_draft_orders is not None,
                "errors": errors or [],
            },
            status=status,
        )

    def post(self, request: HttpRequest) -> HttpResponse:
        chosen = request.POST.getlist("line")
        lines: list[reorder.OrderLine] = []
        errors: list[FieldError] = []
        for key in chosen:
            try:
                product_id, warehouse_id = (int(x) for x in key.split(":"))
                quantity = to_decimal(request.POST.get(f"quantity-{key}", ""))
                supplier_id = int(request.POST.get(f"supplier-{key}") or 0)
            except (ValueError, TypeError, ArithmeticError):
                errors.append(FieldError(f"line {key}", _("Enter a quantity and choose a supplier.")))
                continue
            lines.append(reorder.OrderLine(product_id, warehouse_id, quantity, supplier_id))
        if not errors:
            try:
                orders = reorder.reorder_order(organization=self.organization, actor=request.user, lines=lines)
            except DomainError as exc:
                errors = exc.errors
                status = exc.status_code
            else:
                messages.success(
                    request,
                    _("%(n)d draft purchase order(s) made: %(list)s")
                    % {"n": len(orders), "list": ", ".join(str(o) for o in orders)},
                )
                return redirect("inventory:reorder")
        else:
            status = 422
        for error in errors:
            messages.error(request, error.message)
        return self._render(errors, status=status)


class ReorderRulesView(OrgView):
    """Minimum and maximum stock per product × warehouse."""

    permission = P.CHANGE_REORDER

    def get(self, request: HttpRequest) -> HttpResponse:
        return self._render()

    def _render(self, errors: list[FieldError] | None = None, data: Any = None, status: int = 200) -> HttpResponse:
        return render(
            self.request,
            "inventory/reorder_rules.html",
            {
                "levels": reorder.reorder_levels(organization=self.organization),
                "products": Product.objects.filter(
                    organization=self.organization, is_stocked=True, is_active=True
                ).order_by("code")[:2000],
                "warehouses": Warehouse.objects.filter(organization=self.organization, is_active=True).order_by("code"),
                "errors": {(e.field or "form"): e.message for e in errors or []},
                "data": data or {},
            },
            status=status,
        )

    def post(self, request: HttpRequest) -> HttpResponse:
        try:
            if request.POST.get("delete"):
                reorder.stock_rule_delete(
                    organization=self.organization, actor=request.user, rule_id=request.POST["delete"]
                )
                messages.success(request, _("The levels were removed; the product's defaults apply."))
            else:
                reorder.stock_rule_set(
                    organization=self.organization,
                    actor=request.user,
                    product_id=request.POST.get("product"),
                    warehouse_id=request.POST.get("warehouse"),
                    min_stock=request.POST.get("min_stock", ""),
                    max_stock=request.POST.get("max_stock", ""),
                )
                messages.success(request, _("Reorder levels saved."))
        except DomainError as exc:
            return self._render(exc.errors, request.POST, status=exc.status_code)
        return redirect("inventory:reorder_rules")


__all__ = ["CostingView", "ReorderRulesView", "ReorderView", "StockReportView", "report_view"]
