"""Pages of purchasing: order list/detail/form and its actions, the receipt form from an order, receipts, returns,
purchase analysis. Thin: parse, call one service or selector, render; the same services as the API."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from decimal import Decimal
from typing import Any, ClassVar

from django import forms
from django.contrib import messages
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from suanpan.catalog.models import Product
from suanpan.core.excel import workbook_bytes, xlsx_response
from suanpan.core.exceptions import DomainError, FieldError, InvalidInput
from suanpan.core.permissions import P
from suanpan.core.ui import Column, DocumentListView, OrgView, redirect
from suanpan.inventory.models import Warehouse
from suanpan.partners.models import Partner
from suanpan.purchasing import selectors, services
from suanpan.purchasing.choices import RECEIVABLE_STATES, OrderStatus
from suanpan.purchasing.filters import OrderFilter, ReceiptFilter, ReturnFilter
from suanpan.purchasing.models import PurchaseOrder, Receipt

BLANK_LINES = 5


class OrderListView(DocumentListView):
    permission = P.VIEW_PURCHASE
    change_permission = P.CHANGE_PURCHASE
    title = gettext_lazy("Purchase orders")
    filterset_class = OrderFilter
    create_url = "purchasing:order_create"
    detail_url = "purchasing:order_detail"
    export_name = "purchase-orders"
    columns = (
        Column("display_number", gettext_lazy("Number"), sort="number", link=True),
        Column("date", gettext_lazy("Date"), sort="date"),
        Column("supplier", gettext_lazy("Supplier"), link=True),
        Column("warehouse", gettext_lazy("Warehouse"), phone_hidden=True),
        Column("expected_date", gettext_lazy("Expected"), phone_hidden=True),
        Column("total", gettext_lazy("Total"), sort="total", numeric=True),
        Column("status", gettext_lazy("Status")),
    )

    def queryset(self) -> QuerySet[PurchaseOrder]:
        return selectors.order_list(organization=self.organization)


class ReceiptListView(DocumentListView):
    permission = P.VIEW_PURCHASE
    title = gettext_lazy("Purchase receipts")
    filterset_class = ReceiptFilter
    detail_url = "purchasing:receipt_detail"
    export_name = "purchase-receipts"
    columns = (
        Column("number", gettext_lazy("Number"), sort="number", link=True),
        Column("date", gettext_lazy("Date"), sort="date"),
        Column("supplier", gettext_lazy("Supplier"), link=True),
        Column("order", gettext_lazy("Purchase order"), phone_hidden=True),
        Column("warehouse", gettext_lazy("Warehouse"), phone_hidden=True),
        Column("total", gettext_lazy("Total"), sort="total", numeric=True),
        Column("due_date", gettext_lazy("Due"), phone_hidden=True),
    )

    def queryset(self) -> QuerySet[Receipt]:
        return selectors.receipt_list(organization=self.organization)


class ReturnListView(DocumentListView):
    permission = P.VIEW_PURCHASE
    title = gettext_lazy("Purchase returns")
    filterset_class = ReturnFilter
    detail_url = "purchasing:return_detail"
    export_name = "purchase-returns"
    columns = (
        Column("number", gettext_lazy("Number"), sort="number", link=True),
        Column("date", gettext_lazy("Date"), sort="date"),
        Column("supplier", gettext_lazy("Supplier"), link=True),
        Column("receipt", gettext_lazy("Receipt"), phone_hidden=True),
        Column("reason", gettext_lazy("Reason"), phone_hidden=True),
        Column("total", gettext_lazy("Total"), sort="total", numeric=True),
    )

    def queryset(self) -> QuerySet[Any]:
        return selectors.return_list(organization=self.organization)


# Orders -----------------------------------------------------------------------------------------------------


class OrderHeaderForm(forms.Form):
    supplier_id = forms.ModelChoiceField(queryset=Partner.objects.none(), label=gettext_lazy("Supplier"))
    warehouse_id = forms.ModelChoiceField(queryset=Warehouse.objects.none(), label=gettext_lazy("Warehouse"))
    date = forms.DateField(
        label=gettext_lazy("Order date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    expected_date = forms.DateField(
        label=gettext_lazy("Expected date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    notes = forms.CharField(
        label=gettext_lazy("Notes"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, organization: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["supplier_id"].queryset = Partner.objects.filter(  # type: ignore[attr-defined]
            organization=organization, is_supplier=True, is_active=True
        )
        self.fields["warehouse_id"].queryset = Warehouse.objects.filter(organization=organization, is_active=True)  # type: ignore[attr-defined]
        for field in self.fields.values():
            field.widget.attrs.setdefault(
                "class", "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            )


def _posted_rows(request: HttpRequest, keys: Sequence[str]) -> list[dict[str, str]]:
    """Rows `lines-<i>-<key>` of a posted form, in order, blank rows dropped."""
    rows = []
    count = (
        min(int(request.POST.get("line_count") or 0), 500)
        if str(request.POST.get("line_count") or "0").isdigit()
        else 0
    )
    for i in range(count):
        row = {key: str(request.POST.get(f"lines-{i}-{key}", "")).strip() for key in keys}
        row["_row"] = str(i)
        if any(row[key] for key in keys if key not in ("order_line_id", "receipt_line_id")):
            rows.append(row)
    return rows


def _line_errors(exc: DomainError, rows: Sequence[dict[str, str]]) -> tuple[list[str], dict[str, str]]:
    """Split a service's errors: per posted row and field (`lines.<n>.<field>` of the n-th row sent) and the rest."""
    general: list[str] = []
    by_field: dict[str, str] = {}
    for err in exc.errors:
        parts = (err.field or "").split(".")
        if len(parts) >= 3 and parts[0] == "lines" and parts[1].isdigit() and int(parts[1]) < len(rows):
            row = rows[int(parts[1])]["_row"]
            by_field[f"{row}-{parts[2].removesuffix('_id')}"] = err.message
            general.append(_("Line %(n)s: %(m)s") % {"n": int(row) + 1, "m": err.message})
        else:
            general.append(err.message)
    return general, by_field


class OrderFormView(OrgView):
    permission = P.CHANGE_PURCHASE

    def _order(self, pk: int | None) -> PurchaseOrder | None:
        if pk is None:
            return None
        return selectors.order_get(organization=self.organization, pk=pk)

    def _render(
        self,
        request: HttpRequest,
        order: PurchaseOrder | None,
        form: OrderHeaderForm,
        rows: list[dict[str, str]],
        errors: list[str],
        field_errors: dict[str, str],
        status: int = 200,
    ) -> HttpResponse:
        padded = rows + [{"product": "", "quantity": "", "unit_price": ""}] * BLANK_LINES
        lines = [
            {
                **row,
                "i": i,
                "errors": {
                    k.split("-", 1)[1]: v
                    for k, v in field_errors.items()
                    if k.split("-", 1)[0] == str(row.get("_row", i))
                },
            }
            for i, row in enumerate(padded)
        ]
        products = Product.objects.filter(
            organization=self.organization, is_active=True, is_stocked=True
        ).select_related("vat_rate")
        context = {
            "order": order,
            "form": form,
            "lines": lines,
            "line_count": len(lines),
            "products": products,
            "errors": errors,
            "title": _("Edit purchase order %(o)s") % {"o": order} if order else _("New purchase order"),
            "cancel_url": reverse("purchasing:order_detail", args=[order.pk])
            if order
            else reverse("purchasing:order_list"),
        }
        return render(request, "purchasing/order_form.html", context, status=status)

    def get(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        order = self._order(pk)
        if order is not None:
            form = OrderHeaderForm(
                initial={
                    "supplier_id": order.supplier_id,
                    "warehouse_id": order.warehouse_id,
                    "date": order.date,
                    "expected_date": order.expected_date,
                    "notes": order.notes,
                },
                organization=self.organization,
            )
            rows = [
                {
                    "product": str(ln.product_id),
                    "quantity": format(ln.quantity.normalize(), "f"),
                    "unit_price": format(ln.unit_price.normalize(), "f"),
                    "_row": str(i),
                }
                for i, ln in enumerate(order.lines.order_by("seq"))
            ]
        else:
            form = OrderHeaderForm(initial={"date": timezone.localdate()}, organization=self.organization)
            rows = []
        return self._render(request, order, form, rows, [], {})

    def post(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        order = self._order(pk)
        form = OrderHeaderForm(request.POST, organization=self.organization)
        rows = _posted_rows(request, ("product", "quantity", "unit_price"))
        if not form.is_valid():
            return self._render(request, order, form, rows, [], {}, status=422)
        data = {
            "supplier_id": form.cleaned_data["supplier_id"].pk,
            "warehouse_id": form.cleaned_data["warehouse_id"].pk,
            "date": form.cleaned_data["date"],
            "expected_date": form.cleaned_data["expected_date"],
            "notes": form.cleaned_data["notes"],
            "lines": [
                {"product_id": r["product"] or None, "quantity": r["quantity"], "unit_price": r["unit_price"]}
                for r in rows
            ],
        }
        try:
            if order is None:
                saved = services.purchase_order_create(organization=self.organization, actor=request.user, data=data)
            else:
                saved = services.purchase_order_update(
                    organization=self.organization, actor=request.user, order_id=order.pk, data=data
                )
        except DomainError as exc:
            general, by_field = _line_errors(exc, rows)
            for err in exc.errors:
                if err.field in form.fields:
                    form.add_error(err.field, err.message)
            return self._render(request, order, form, rows, general, by_field, status=422)
        messages.success(request, _("Saved “%(obj)s”.") % {"obj": saved})
        return redirect(request, reverse("purchasing:order_detail", args=[saved.pk]))


class OrderDetailView(OrgView):
    permission = P.VIEW_PURCHASE

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        from suanpan.core.audit import audit_history

        order = selectors.order_get(organization=self.organization, pk=pk)
        context = {
            "order": order,
            "lines": order.lines.select_related("product", "product__unit").order_by("seq"),
            "receipts": order.receipts.order_by("date", "id"),
            "history": audit_history(organization=self.organization, obj=order)[:50],
            "can_change": self.can(P.CHANGE_PURCHASE),
            "can_approve": self.can(P.APPROVE_PURCHASE),
            "can_receive": self.can(P.RECEIVE_GOODS) and order.status in RECEIVABLE_STATES,
            "is_draft": order.status == OrderStatus.DRAFT,
            "can_cancel_state": order.status in (OrderStatus.DRAFT, OrderStatus.APPROVED),
            "can_close_state": order.status in (OrderStatus.PARTIALLY_RECEIVED, OrderStatus.RECEIVED),
        }
        return render(request, "purchasing/order_detail.html", context)


ORDER_ACTIONS: dict[str, tuple[str, Any, Any]] = {
    "approve": (P.APPROVE_PURCHASE, services.purchase_order_approve, gettext_lazy("Order approved.")),
    "cancel": (P.CHANGE_PURCHASE, services.purchase_order_cancel, gettext_lazy("Order cancelled.")),
    "close": (P.CHANGE_PURCHASE, services.purchase_order_close, gettext_lazy("Order closed.")),
}


class OrderActionView(OrgView):
    http_method_names: ClassVar[list[str]] = ["post"]  # type: ignore[misc]
    permission = P.VIEW_PURCHASE

    def post(self, request: HttpRequest, pk: int, action: str) -> HttpResponse:
        if action not in ORDER_ACTIONS:
            raise Http404
        perm, service, done = ORDER_ACTIONS[action]
        order = selectors.order_get(organization=self.organization, pk=pk)
        if not self.can(perm):
            return render(
                request,
                "core/forbidden.html",
                {"message": _("You do not have permission to do this (%(perm)s).") % {"perm": perm}},
                status=403,
            )
        try:
            service(organization=self.organization, actor=request.user, order_id=order.pk)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, str(done))
        return redirect(request, reverse("purchasing:order_detail", args=[order.pk]))


def _parse_day(value: str, field: str) -> datetime.date | None:
    if not value:
        return None
    try:
        parsed = parse_date(value)
    except ValueError:
        parsed = None
    if parsed is None:
        raise InvalidInput.single(field, _("Enter a valid date."))
    return parsed


class ReceiveView(OrgView):
    """The receipt form from an order: each open line with the quantity to receive (the open quantity by
    default) and, for batch-tracked products, the lot number and its dates."""

    permission = P.RECEIVE_GOODS

    def _render(
        self,
        request: HttpRequest,
        order: PurchaseOrder,
        values: dict[str, str],
        errors: list[str],
        field_errors: dict[str, str],
        status: int = 200,
    ) -> HttpResponse:
        lines = []
        for i, line in enumerate(order.lines.select_related("product", "product__unit").order_by("seq")):
            if line.open_quantity <= 0:
                continue
            lines.append(
                {
                    "i": i,
                    "line": line,
                    "quantity": values.get(f"lines-{i}-quantity", format(line.open_quantity.normalize(), "f")),
                    "lot_number": values.get(f"lines-{i}-lot_number", ""),
                    "production_date": values.get(f"lines-{i}-production_date", ""),
                    "expiry_date": values.get(f"lines-{i}-expiry_date", ""),
                    "errors": {k.split("-", 1)[1]: v for k, v in field_errors.items() if k.split("-", 1)[0] == str(i)},
                }
            )
        context = {
            "order": order,
            "lines": lines,
            "line_count": order.lines.count(),
            "warehouses": Warehouse.objects.filter(organization=self.organization, is_active=True),
            "warehouse_id": values.get("warehouse_id", str(order.warehouse_id)),
            "date": values.get("date", timezone.localdate().isoformat()),
            "invoice_number": values.get("invoice_number", ""),
            "errors": errors,
        }
        return render(request, "purchasing/receive_form.html", context, status=status)

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        order = selectors.order_get(organization=self.organization, pk=pk)
        return self._render(request, order, {}, [], {})

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        order = selectors.order_get(organization=self.organization, pk=pk)
        rows = _posted_rows(request, ("order_line_id", "quantity", "lot_number", "production_date", "expiry_date"))
        values = {k: str(v) for k, v in request.POST.items()}
        try:
            lines: list[dict[str, Any]] = []
            date_errors: list[FieldError] = []
            for n, row in enumerate(rows):
                parsed: dict[str, Any] = {
                    "order_line_id": int(row["order_line_id"]) if row["order_line_id"].isdigit() else None,
                    "quantity": row["quantity"],
                    "lot_number": row["lot_number"],
                }
                for key in ("production_date", "expiry_date"):
                    try:
                        parsed[key] = _parse_day(row[key], f"lines.{n}.{key}")
                    except InvalidInput as exc:
                        date_errors += exc.errors
                lines.append(parsed)
            day = _parse_day(str(request.POST.get("date", "")), "date")
            if date_errors:
                raise InvalidInput(date_errors)
            receipt = services.receipt_post(
                organization=self.organization,
                actor=request.user,
                order_id=order.pk,
                date=day,  # type: ignore[arg-type]
                warehouse_id=request.POST.get("warehouse_id") or None,
                invoice_number=str(request.POST.get("invoice_number", "")),
                lines=lines,
            )
        except DomainError as exc:
            general, by_field = _line_errors(exc, rows)
            return self._render(request, order, values, general, by_field, status=422)
        messages.success(request, _("Receipt %(no)s posted.") % {"no": receipt.number})
        return redirect(request, reverse("purchasing:receipt_detail", args=[receipt.pk]))


class ReceiptDetailView(OrgView):
    permission = P.VIEW_PURCHASE

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        from suanpan.core.audit import audit_history

        receipt = selectors.receipt_get(organization=self.organization, pk=pk)
        context = {
            "receipt": receipt,
            "lines": receipt.lines.select_related("product", "lot").order_by("id"),
            "returns": receipt.returns.order_by("date", "id"),
            "history": audit_history(organization=self.organization, obj=receipt)[:50],
            "can_return": self.can(P.RECEIVE_GOODS) and any(ln.returnable_quantity > 0 for ln in receipt.lines.all()),
            "can_see_books": self.can(P.VIEW_LEDGER),
        }
        return render(request, "purchasing/receipt_detail.html", context)


class ReturnFormView(OrgView):
    permission = P.RECEIVE_GOODS

    def _render(
        self,
        request: HttpRequest,
        receipt: Receipt,
        values: dict[str, str],
        errors: list[str],
        field_errors: dict[str, str],
        status: int = 200,
    ) -> HttpResponse:
        lines = [
            {
                "i": i,
                "line": line,
                "quantity": values.get(f"lines-{i}-quantity", ""),
                "errors": {k.split("-", 1)[1]: v for k, v in field_errors.items() if k.split("-", 1)[0] == str(i)},
            }
            for i, line in enumerate(receipt.lines.select_related("product", "lot").order_by("id"))
        ]
        context = {
            "receipt": receipt,
            "lines": lines,
            "line_count": len(lines),
            "date": values.get("date", timezone.localdate().isoformat()),
            "reason": values.get("reason", ""),
            "errors": errors,
        }
        return render(request, "purchasing/return_form.html", context, status=status)

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        receipt = selectors.receipt_get(organization=self.organization, pk=pk)
        return self._render(request, receipt, {}, [], {})

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        receipt = selectors.receipt_get(organization=self.organization, pk=pk)
        rows = _posted_rows(request, ("receipt_line_id", "quantity"))
        values = {k: str(v) for k, v in request.POST.items()}
        try:
            document = services.purchase_return_post(
                organization=self.organization,
                actor=request.user,
                receipt_id=receipt.pk,
                date=_parse_day(str(request.POST.get("date", "")), "date"),  # type: ignore[arg-type]
                reason=str(request.POST.get("reason", "")),
                lines=[
                    {
                        "receipt_line_id": int(r["receipt_line_id"]) if r["receipt_line_id"].isdigit() else None,
                        "quantity": r["quantity"],
                    }
                    for r in rows
                ],
            )
        except DomainError as exc:
            general, by_field = _line_errors(exc, rows)
            return self._render(request, receipt, values, general, by_field, status=422)
        messages.success(request, _("Return %(no)s posted.") % {"no": document.number})
        return redirect(request, reverse("purchasing:return_detail", args=[document.pk]))


class ReturnDetailView(OrgView):
    permission = P.VIEW_PURCHASE

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        from suanpan.core.audit import audit_history

        document = selectors.return_get(organization=self.organization, pk=pk)
        context = {
            "document": document,
            "lines": document.lines.select_related("product", "lot").order_by("id"),
            "history": audit_history(organization=self.organization, obj=document)[:50],
            "can_see_books": self.can(P.VIEW_LEDGER),
        }
        return render(request, "purchasing/return_detail.html", context)


# Purchase analysis -------------------------------------------------------------------------------------------


class AnalysisView(OrgView):
    permission = P.VIEW_PURCHASE

    def get(self, request: HttpRequest) -> HttpResponse:
        today = timezone.localdate()
        errors: list[str] = []
        try:
            date_from = _parse_day(request.GET.get("date_from", ""), "date_from") or today.replace(day=1)
            date_to = _parse_day(request.GET.get("date_to", ""), "date_to") or today
        except InvalidInput as exc:
            errors.append(exc.message)
            date_from, date_to = today.replace(day=1), today
        by = "product" if request.GET.get("by") == "product" else "supplier"
        if date_to < date_from:
            errors.append(_("The end of the range comes before its start."))
            date_to = date_from
        analysis = selectors.purchase_analysis(
            organization=self.organization, date_from=date_from, date_to=date_to, by=by
        )
        if request.GET.get("export") == "xlsx":
            headers = [
                _("Code"),
                _("Name"),
                _("Quantity"),
                _("Amount excl. VAT"),
                _("VAT amount"),
                _("Total"),
                _("Returns"),
                _("Net amount"),
                _("Receipts"),
            ]
            rows = [
                [
                    r.code,
                    r.name,
                    r.quantity if by == "product" else "",
                    r.amount,
                    r.tax,
                    r.total,
                    r.returned_amount,
                    r.net_amount,
                    r.receipts,
                ]
                for r in analysis.rows
            ]
            return xlsx_response("purchase-analysis", workbook_bytes(_("Purchase analysis"), headers, rows))
        context = {
            "analysis": analysis,
            "by": by,
            "date_from": date_from.isoformat(),
            "date_to": date_to.isoformat(),
            "errors": errors,
            "query": request.GET.urlencode(),
            "zero": Decimal("0"),
        }
        return render(request, "purchasing/analysis.html", context)
