"""The opening-stock page (期初库存): the batches entered with their totals, the tie-out with 1405, a form of rows,
an Excel upload, and reversing a batch. Thin: parse, call `inventory.opening`, render."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from suanpan.catalog.models import Product
from suanpan.core.excel import xlsx_response
from suanpan.core.exceptions import DomainError, FieldError, NotFound, PermissionRefused
from suanpan.core.ui import OrgView, redirect
from suanpan.inventory import opening
from suanpan.inventory.models import Warehouse
from suanpan.inventory.vouchers import INVENTORY_ACCOUNT

FORM_ROWS = 10
ROW_KEYS = ("product", "warehouse", "quantity", "unit_cost", "amount", "lot_number", "production_date", "expiry_date")
_ROW_FIELD = re.compile(r"^rows\.(\d+)(?:\.(\w+))?$")


def rows_from(data: Mapping[str, Any], count: int) -> tuple[list[dict[str, Any]], list[int]]:
    """The filled rows of the form (`product_1`, `quantity_1` …) and the form row number of each."""
    rows: list[dict[str, Any]] = []
    numbers: list[int] = []
    for n in range(1, count + 1):
        row = {key: str(data.get(f"{key}_{n}") or "").strip() for key in ROW_KEYS}
        if not any(row.values()):
            continue
        rows.append({k: v for k, v in row.items() if v})
        numbers.append(n)
    return rows, numbers


def _form_errors(errors: list[FieldError], numbers: list[int]) -> tuple[dict[str, str], list[str]]:
    """Service errors `rows.k.field` (k counts filled rows) → {input name: message} of the form, and the rest."""
    by_input: dict[str, str] = {}
    general: list[str] = []
    for error in errors:
        match = _ROW_FIELD.match(error.field or "")
        if match is None or not match.group(2) or not 1 <= int(match.group(1)) <= len(numbers):
            general.append(error.message)
            continue
        by_input.setdefault(f"{match.group(2)}_{numbers[int(match.group(1)) - 1]}", error.message)
    return by_input, general


def _form_rows(data: Mapping[str, Any], errors: Mapping[str, str]) -> list[dict[str, Any]]:
    """Each row of the entry form with what was typed into it and its errors, keyed by field."""
    return [
        {
            "n": n,
            "values": {key: str(data.get(f"{key}_{n}") or "") for key in ROW_KEYS},
            "errors": {key: errors[f"{key}_{n}"] for key in ROW_KEYS if f"{key}_{n}" in errors},
        }
        for n in range(1, FORM_ROWS + 1)
    ]


class OpeningStockView(OrgView):
    """GET: the page. POST: enter the form's rows as one batch."""

    permission = opening.VIEW_PERMISSION

    def context(self, **extra: Any) -> dict[str, Any]:
        organization = self.organization
        tie = opening.opening_stock_tie_out(organization=organization)
        can_enter = opening.may_enter(self.membership) and tie.date is not None and not tie.accepted
        return {
            "tie": tie,
            "batches": opening.opening_stock_batches(organization=organization),
            "can_enter": can_enter,
            "products": Product.objects.filter(organization=organization, is_stocked=True, is_active=True)
            .select_related("unit")
            .order_by("code")[:2000]
            if can_enter
            else [],
            "warehouses": Warehouse.objects.filter(organization=organization, is_active=True).order_by("code"),
            "form_rows": _form_rows(extra.pop("data", {}), extra.pop("errors", {})),
            "general_errors": [],
            "import_errors": [],
            "inventory_account": INVENTORY_ACCOUNT,
            **extra,
        }

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, "inventory/opening_stock.html", self.context())

    def post(self, request: HttpRequest) -> HttpResponse:
        rows, numbers = rows_from(request.POST, FORM_ROWS)
        try:
            batch = opening.opening_stock_post(organization=self.organization, actor=request.user, rows=rows)
        except DomainError as exc:
            by_input, general = _form_errors(exc.errors, numbers)
            context = self.context(data=request.POST, errors=by_input, general_errors=general)
            return render(request, "inventory/opening_stock.html", context, status=exc.status_code)
        messages.success(
            request,
            _("Opening stock %(n)s entered: %(rows)d rows worth %(value)s.")
            % {"n": batch.label, "rows": batch.rows, "value": batch.value},
        )
        return redirect(request, reverse("inventory:opening_stock"))


class OpeningStockImportView(OpeningStockView):
    """POST an Excel file: its rows are entered as one batch, or nothing and the rows at fault are listed."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest) -> HttpResponse:
        upload = request.FILES.get("file")
        if upload is None:
            context = self.context(general_errors=[_("Choose an Excel file (.xlsx).")])
            return render(request, "inventory/opening_stock.html", context, status=422)
        content = upload.read(settings.SUANPAN_MAX_UPLOAD_BYTES + 1)
        try:
            result = opening.opening_stock_import(organization=self.organization, actor=request.user, content=content)
        except DomainError as exc:
            context = self.context(general_errors=[e.message for e in exc.errors])
            return render(request, "inventory/opening_stock.html", context, status=exc.status_code)
        if result.batch is None:
            context = self.context(import_errors=result.errors)
            return render(request, "inventory/opening_stock.html", context, status=422)
        messages.success(
            request,
            _("Opening stock %(n)s imported: %(rows)d rows worth %(value)s.")
            % {"n": result.batch.label, "rows": result.batch.rows, "value": result.batch.value},
        )
        return redirect(request, reverse("inventory:opening_stock"))


class OpeningStockTemplateView(OrgView):
    permission = opening.VIEW_PERMISSION

    def get(self, request: HttpRequest) -> HttpResponse:
        return xlsx_response("opening-stock-template", opening.template_workbook())


class OpeningStockReverseView(OpeningStockView):
    http_method_names = ["post"]

    def post(self, request: HttpRequest, number: int) -> HttpResponse:  # type: ignore[override]
        try:
            batch = opening.opening_stock_reverse(organization=self.organization, actor=request.user, number=number)
        except (PermissionRefused, NotFound):
            raise
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Opening stock %(n)s reversed.") % {"n": batch.label})
        return redirect(request, reverse("inventory:opening_stock"))


__all__ = ["OpeningStockImportView", "OpeningStockReverseView", "OpeningStockTemplateView", "OpeningStockView"]
