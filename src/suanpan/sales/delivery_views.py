"""Pages of deliveries and sales returns: lists, the new-delivery form from a customer's open order lines (lots
first-expiry-first-out by default), the delivery with its logistics and signed-for date, the delivery note to print
(送货单), the return form from a delivery, returns. Thin: parse, call one service or selector, render.

The new-delivery page takes `?customer=<id>` (that customer's open lines) or `?order=<id>` (that order's customer,
the order's lines filled with their open quantity), and `&warehouse=<id>` (default: the first open line's)."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from decimal import Decimal
from typing import Any, ClassVar

from django.contrib import messages
from django.db.models import F, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from suanpan.core.audit import audit_history
from suanpan.core.exceptions import DomainError, InvalidInput
from suanpan.core.permissions import P
from suanpan.core.ui import Column, DocumentListView, OrgView, redirect
from suanpan.inventory.models import LotStock, Warehouse
from suanpan.inventory.selectors import lots_first_expiry_first_out
from suanpan.partners.models import Partner
from suanpan.sales import deliveries, returns
from suanpan.sales.choices import DELIVERABLE_STATES
from suanpan.sales.delivery_filters import DeliveryFilter, SalesReturnFilter
from suanpan.sales.models import Delivery, SalesOrder, SalesOrderLine, SalesReturn

MAX_ROWS = 500


class DeliveryListView(DocumentListView):
    permission = P.VIEW_SALES
    change_permission = P.DELIVER_GOODS
    title = gettext_lazy("Deliveries")
    filterset_class = DeliveryFilter
    create_url = "sales:delivery_create"
    detail_url = "sales:delivery_detail"
    export_name = "deliveries"
    columns = (
        Column("number", gettext_lazy("Number"), sort="number", link=True),
        Column("date", gettext_lazy("Date"), sort="date"),
        Column("customer", gettext_lazy("Customer"), link=True),
        Column("warehouse", gettext_lazy("Warehouse"), phone_hidden=True),
        Column("total", gettext_lazy("Total"), sort="total", numeric=True),
        Column("carrier", gettext_lazy("Carrier"), phone_hidden=True),
        Column("tracking_number", gettext_lazy("Tracking number"), phone_hidden=True),
        Column("signed_date", gettext_lazy("Signed for"), sort="signed_date"),
    )

    def queryset(self) -> QuerySet[Delivery]:
        return deliveries.delivery_list(organization=self.organization)


class ReturnListView(DocumentListView):
    permission = P.VIEW_SALES
    title = gettext_lazy("Sales returns")
    filterset_class = SalesReturnFilter
    detail_url = "sales:return_detail"
    export_name = "sales-returns"
    columns = (
        Column("number", gettext_lazy("Number"), sort="number", link=True),
        Column("date", gettext_lazy("Date"), sort="date"),
        Column("customer", gettext_lazy("Customer"), link=True),
        Column("delivery", gettext_lazy("Delivery"), phone_hidden=True),
        Column("reason", gettext_lazy("Reason"), phone_hidden=True),
        Column("total", gettext_lazy("Total"), sort="total", numeric=True),
    )

    def queryset(self) -> QuerySet[SalesReturn]:
        return returns.sales_return_list(organization=self.organization)


# Helpers shared by the forms --------------------------------------------------------------------------------


def _posted_rows(request: HttpRequest, keys: Sequence[str], id_key: str) -> list[dict[str, str]]:
    """Rows `lines-<i>-<key>` of a posted form, in order; rows without a quantity dropped."""
    raw = str(request.POST.get("line_count") or "0")
    count = min(int(raw), MAX_ROWS) if raw.isdigit() else 0
    rows = []
    for i in range(count):
        row = {key: str(request.POST.get(f"lines-{i}-{key}", "")).strip() for key in (id_key, *keys)}
        row["_row"] = str(i)
        if row.get("quantity"):
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


def _row_errors(field_errors: dict[str, str], i: int) -> dict[str, str]:
    return {k.split("-", 1)[1]: v for k, v in field_errors.items() if k.split("-", 1)[0] == str(i)}


def _day(value: str, field: str) -> datetime.date | None:
    if not value:
        return None
    try:
        parsed = parse_date(value)
    except ValueError:
        parsed = None
    if parsed is None:
        raise InvalidInput.single(field, _("Enter a valid date."))
    return parsed


def _int(value: object) -> int | None:
    text = str(value or "").strip()
    return int(text) if text.isdigit() and len(text) < 16 else None


def _qty(value: Decimal) -> str:
    return format(value.normalize(), "f")


# New delivery -----------------------------------------------------------------------------------------------


class DeliveryFormView(OrgView):
    """Choose the customer (or come from an order), then the quantities to deliver of its open order lines, and
    for batch-tracked products the lot (first expiry first out unless one is chosen)."""

    permission = P.DELIVER_GOODS

    def _context(
        self, request: HttpRequest, values: dict[str, str], errors: list[str], field_errors: dict[str, str]
    ) -> dict[str, Any]:
        organization = self.organization
        order: SalesOrder | None = None
        order_id = _int(values.get("order"))
        if order_id is not None:
            order = SalesOrder.objects.filter(organization=organization, pk=order_id).first()
        customer: Partner | None = order.customer if order is not None else None
        customer_id = _int(values.get("customer"))
        if customer is None and customer_id is not None:
            customer = Partner.objects.filter(organization=organization, is_customer=True, pk=customer_id).first()
        open_customers = Partner.objects.filter(
            organization=organization, pk__in=_open_lines(organization).values("order__customer_id")
        ).order_by("name")
        context: dict[str, Any] = {
            "customers": open_customers,
            "customer": customer,
            "order": order,
            "errors": errors,
            "values": values,
            "lines": [],
            "today": timezone.localdate().isoformat(),
        }
        if customer is None:
            return context
        all_lines = list(deliveries.deliverable_lines(organization, customer))
        places: dict[int, Warehouse] = {}
        for line in all_lines:
            places.setdefault(line.warehouse_id, line.warehouse)
        warehouse_id = _int(values.get("warehouse_id") or values.get("warehouse"))
        if warehouse_id not in places:
            first = next((ln for ln in all_lines if order is None or ln.order_id == order.pk), None)
            warehouse_id = first.warehouse_id if first is not None else None
        warehouse = places.get(warehouse_id) if warehouse_id is not None else None
        rows = []
        for i, line in enumerate(ln for ln in all_lines if ln.warehouse_id == warehouse_id):
            default = _qty(line.open_quantity) if order is not None and line.order_id == order.pk else ""
            row: dict[str, Any] = {
                "i": i,
                "line": line,
                "quantity": values.get(f"lines-{i}-quantity", default),
                "lot": values.get(f"lines-{i}-lot", ""),
                "errors": _row_errors(field_errors, i),
            }
            if line.product.is_batch_tracked and warehouse is not None:
                row["lots"] = list(
                    LotStock.objects.filter(
                        organization=organization, product=line.product, warehouse=warehouse, on_hand__gt=0
                    )
                    .select_related("lot")
                    .order_by("lot__expiry_date", "lot__number")
                )
                row["fefo"] = lots_first_expiry_first_out(
                    organization=organization, product=line.product, warehouse=warehouse, quantity=line.open_quantity
                )
            rows.append(row)
        context.update(
            {
                "lines": rows,
                "line_count": len(rows),
                "warehouse": warehouse,
                "warehouses": sorted(places.values(), key=lambda w: w.code),
            }
        )
        return context

    def get(self, request: HttpRequest) -> HttpResponse:
        values = {k: str(v) for k, v in request.GET.items()}
        return render(request, "sales/delivery_form.html", self._context(request, values, [], {}))

    def post(self, request: HttpRequest) -> HttpResponse:
        values = {k: str(v) for k, v in request.POST.items()}
        rows = _posted_rows(request, ("quantity", "lot"), "order_line_id")
        try:
            day = _day(values.get("date", ""), "date")
            shipped = _day(values.get("shipped_date", ""), "shipped_date")
            delivery = deliveries.delivery_post(
                organization=self.organization,
                actor=request.user,
                data={
                    "date": day,
                    "warehouse_id": values.get("warehouse_id") or None,
                    "carrier": values.get("carrier", ""),
                    "tracking_number": values.get("tracking_number", ""),
                    "shipped_date": shipped,
                    "ship_to": values.get("ship_to", ""),
                    "notes": values.get("notes", ""),
                    "lines": [
                        {
                            "order_line_id": _int(r["order_line_id"]),
                            "quantity": r["quantity"],
                            "lot_id": _int(r["lot"]),
                        }
                        for r in rows
                    ],
                },
            )
        except DomainError as exc:
            general, by_field = _line_errors(exc, rows)
            if not rows and not general:
                general = [_("Enter the quantity to deliver on at least one line.")]
            return render(
                request, "sales/delivery_form.html", self._context(request, values, general, by_field), status=422
            )
        messages.success(request, _("Delivery %(no)s posted.") % {"no": delivery.number})
        return redirect(request, reverse("sales:delivery_detail", args=[delivery.pk]))


def _open_lines(organization: Any) -> QuerySet[SalesOrderLine]:
    """Every customer's order lines still to deliver (for the list of customers to choose from)."""
    return SalesOrderLine.objects.filter(
        organization=organization,
        order__status__in=DELIVERABLE_STATES,
        product__is_stocked=True,
        delivered_quantity__lt=F("quantity"),
    )


# Delivery, logistics, print ---------------------------------------------------------------------------------


class DeliveryDetailView(OrgView):
    permission = P.VIEW_SALES
    template_name: ClassVar[str] = "sales/delivery_detail.html"

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        delivery = deliveries.delivery_get(organization=self.organization, pk=pk)
        lines = list(
            delivery.lines.select_related("product", "product__unit", "lot", "order_line__order").order_by("id")
        )
        context = {
            "delivery": delivery,
            "lines": lines,
            "orders": sorted({ln.order_line.order for ln in lines}, key=lambda o: o.pk),
            "returns": delivery.returns.order_by("date", "id"),
            "history": audit_history(organization=self.organization, obj=delivery)[:50],
            "can_deliver": self.can(P.DELIVER_GOODS),
            "can_return": self.can(P.DELIVER_GOODS) and any(ln.quantity > ln.returned_quantity for ln in lines),
            "can_invoice": self.can(P.INVOICE)
            and any(ln.quantity - ln.returned_quantity - ln.invoiced_quantity > 0 for ln in lines),
            "can_see_cost": self.can(P.VIEW_STOCK_REPORTS),
            "can_see_books": self.can(P.VIEW_LEDGER),
            "today": timezone.localdate().isoformat(),
            "show_prices": request.GET.get("prices") != "0",
        }
        return render(request, self.template_name, context)


class DeliveryPrintView(DeliveryDetailView):
    """The delivery note (送货单) to print with the goods; `?prices=0` leaves the prices off."""

    template_name = "sales/delivery_print.html"


class DeliveryLogisticsView(OrgView):
    http_method_names: ClassVar[list[str]] = ["post"]  # type: ignore[misc]
    permission = P.DELIVER_GOODS

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        delivery = deliveries.delivery_get(organization=self.organization, pk=pk)
        try:
            deliveries.delivery_update_logistics(
                organization=self.organization,
                actor=request.user,
                delivery_id=delivery.pk,
                data={
                    "carrier": request.POST.get("carrier", ""),
                    "tracking_number": request.POST.get("tracking_number", ""),
                    "ship_to": request.POST.get("ship_to", ""),
                    "shipped_date": _day(str(request.POST.get("shipped_date", "")), "shipped_date"),
                },
            )
        except DomainError as exc:
            for err in exc.errors:
                messages.error(request, err.message)
        else:
            messages.success(request, _("Logistics saved."))
        return redirect(request, reverse("sales:delivery_detail", args=[delivery.pk]))


class DeliverySignView(OrgView):
    http_method_names: ClassVar[list[str]] = ["post"]  # type: ignore[misc]
    permission = P.DELIVER_GOODS

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        delivery = deliveries.delivery_get(organization=self.organization, pk=pk)
        try:
            deliveries.delivery_mark_signed(
                organization=self.organization,
                actor=request.user,
                delivery_id=delivery.pk,
                date=_day(str(request.POST.get("signed_date", "")), "date"),
            )
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Marked as signed for."))
        return redirect(request, reverse("sales:delivery_detail", args=[delivery.pk]))


# Returns ----------------------------------------------------------------------------------------------------


class ReturnFormView(OrgView):
    permission = P.DELIVER_GOODS

    def _render(
        self,
        request: HttpRequest,
        delivery: Delivery,
        values: dict[str, str],
        errors: list[str],
        field_errors: dict[str, str],
        status: int = 200,
    ) -> HttpResponse:
        lines = [
            {
                "i": i,
                "line": line,
                "returnable": line.quantity - line.returned_quantity,
                "quantity": values.get(f"lines-{i}-quantity", ""),
                "errors": _row_errors(field_errors, i),
            }
            for i, line in enumerate(delivery.lines.select_related("product", "lot").order_by("id"))
        ]
        context = {
            "delivery": delivery,
            "lines": lines,
            "line_count": len(lines),
            "date": values.get("date", timezone.localdate().isoformat()),
            "reason": values.get("reason", ""),
            "errors": errors,
        }
        return render(request, "sales/return_form.html", context, status=status)

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        delivery = deliveries.delivery_get(organization=self.organization, pk=pk)
        return self._render(request, delivery, {}, [], {})

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        delivery = deliveries.delivery_get(organization=self.organization, pk=pk)
        rows = _posted_rows(request, ("quantity",), "delivery_line_id")
        values = {k: str(v) for k, v in request.POST.items()}
        try:
            document = returns.sales_return_post(
                organization=self.organization,
                actor=request.user,
                data={
                    "delivery_id": delivery.pk,
                    "date": _day(values.get("date", ""), "date"),
                    "reason": values.get("reason", ""),
                    "lines": [
                        {"delivery_line_id": _int(r["delivery_line_id"]), "quantity": r["quantity"]} for r in rows
                    ],
                },
            )
        except DomainError as exc:
            general, by_field = _line_errors(exc, rows)
            return self._render(request, delivery, values, general, by_field, status=422)
        messages.success(request, _("Return %(no)s posted.") % {"no": document.number})
        return redirect(request, reverse("sales:return_detail", args=[document.pk]))


class ReturnDetailView(OrgView):
    permission = P.VIEW_SALES

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        document = returns.sales_return_get(organization=self.organization, pk=pk)
        context = {
            "document": document,
            "lines": document.lines.select_related("product", "lot").order_by("id"),
            "history": audit_history(organization=self.organization, obj=document)[:50],
            "can_see_cost": self.can(P.VIEW_STOCK_REPORTS),
            "can_see_books": self.can(P.VIEW_LEDGER),
            "can_credit": self.can(P.INVOICE) and not document.credit_notes.exists(),
        }
        return render(request, "sales/return_detail.html", context)


urlpatterns = [
    path("deliveries/", DeliveryListView.as_view(), name="delivery_list"),
    path("deliveries/new/", DeliveryFormView.as_view(), name="delivery_create"),
    path("deliveries/<int:pk>/", DeliveryDetailView.as_view(), name="delivery_detail"),
    path("deliveries/<int:pk>/print/", DeliveryPrintView.as_view(), name="delivery_print"),
    path("deliveries/<int:pk>/logistics/", DeliveryLogisticsView.as_view(), name="delivery_logistics"),
    path("deliveries/<int:pk>/sign/", DeliverySignView.as_view(), name="delivery_sign"),
    path("deliveries/<int:pk>/return/", ReturnFormView.as_view(), name="delivery_return"),
    path("returns/", ReturnListView.as_view(), name="return_list"),
    path("returns/<int:pk>/", ReturnDetailView.as_view(), name="return_detail"),
]
