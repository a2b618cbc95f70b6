"""Pages of invoices: the list, the new-invoice form from a customer's uninvoiced delivery lines and service order
lines, the invoice with its lines, voucher, open amount and credit notes, recording the 数电发票 number, the PDF,
and the credit-note form for a sales return. Thin: parse, call one service or selector, render.

The new-invoice page takes `?customer=<id>` (that customer's lines still to invoice, each filled with what is left)
or `?delivery=<id>` (that delivery's customer, only the delivery's lines filled). The credit-note page takes
`?return=<id>` (a sales return's page links to it)."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from decimal import Decimal
from typing import Any, ClassVar

from django.contrib import messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from suanpan.core.audit import audit_history
from suanpan.core.exceptions import DomainError, InvalidInput
from suanpan.core.pdf import pdf_response
from suanpan.core.permissions import P
from suanpan.core.ui import Column, OrgView, RecordListView, redirect
from suanpan.partners.choices import PartnerKind
from suanpan.partners.models import Partner
from suanpan.sales import invoicing
from suanpan.sales.choices import InvoiceKind, InvoiceType
from suanpan.sales.invoice_filters import InvoiceFilter
from suanpan.sales.models import Delivery, Invoice, SalesReturn

MAX_ROWS = 500


class InvoiceListView(OrgView):
    """Invoices and credit notes with the generic list page's search, filters, sort, pages and Excel export."""

    permission = P.VIEW_SALES
    change_permission: ClassVar[str] = P.INVOICE
    title: ClassVar[Any] = gettext_lazy("Invoices")
    filterset_class = InvoiceFilter
    default_sort: ClassVar[str] = "-date"
    create_url: ClassVar[str] = "sales:invoice_create"
    detail_url: ClassVar[str] = "sales:invoice_detail"
    import_kind: ClassVar[str] = ""
    export_name: ClassVar[str] = "invoices"
    template_name: ClassVar[str] = "core/list.html"
    columns: ClassVar[Sequence[Column]] = (
        Column("number", gettext_lazy("Number"), sort="number", link=True),
        Column("date", gettext_lazy("Date"), sort="date"),
        Column("customer", gettext_lazy("Customer"), link=True),
        Column("kind", gettext_lazy("Kind"), phone_hidden=True),
        Column("invoice_type", gettext_lazy("Invoice type"), phone_hidden=True),
        Column("total", gettext_lazy("Total"), sort="total", numeric=True),
        Column("due_date", gettext_lazy("Due"), sort="due_date", phone_hidden=True),
        Column("einvoice_status", gettext_lazy("E-invoice")),
        Column("einvoice_number", gettext_lazy("E-invoice number"), phone_hidden=True),
    )

    get = RecordListView.get
    sort_keys = RecordListView.sort_keys
    detail_href = RecordListView.detail_href

    def queryset(self) -> QuerySet[Invoice]:
        return invoicing.invoice_list(organization=self.organization)


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


# New invoice --------------------------------------------------------------------------------------------------


class InvoiceFormView(OrgView):
    """Choose the customer (or come from a delivery), then the quantities to invoice of its delivered lines and
    ordered services; the header: date, ordinary or special invoice, remarks (备注)."""

    permission = P.INVOICE

    def _context(self, values: dict[str, str], errors: list[str], field_errors: dict[str, str]) -> dict[str, Any]:
        organization = self.organization
        delivery: Delivery | None = None
        delivery_id = _int(values.get("delivery"))
        if delivery_id is not None:
            delivery = Delivery.objects.filter(organization=organization, pk=delivery_id).first()
        customer: Partner | None = delivery.customer if delivery is not None else None
        customer_id = _int(values.get("customer"))
        if customer is None and customer_id is not None:
            customer = Partner.objects.filter(organization=organization, is_customer=True, pk=customer_id).first()
        context: dict[str, Any] = {
            "customers": invoicing.customers_to_invoice(organization=organization),
            "customer": customer,
            "delivery": delivery,
            "errors": errors,
            "values": values,
            "lines": [],
            "types": InvoiceType.choices,
            "today": timezone.localdate().isoformat(),
        }
        if customer is None:
            return context
        rows = []
        for i, item in enumerate(invoicing.uninvoiced_lines(organization=organization, customer=customer)):
            mine = delivery is None or (
                item.delivery_line is not None and item.delivery_line.delivery_id == delivery.pk
            )
            rows.append(
                {
                    "i": i,
                    "item": item,
                    "quantity": values.get(f"lines-{i}-quantity", _qty(item.quantity) if mine else ""),
                    "errors": {k.split("-", 1)[1]: v for k, v in field_errors.items() if k.split("-", 1)[0] == str(i)},
                }
            )
        context.update(
            {
                "lines": rows,
                "line_count": len(rows),
                "buyer": invoicing.buyer_fields(customer),
                "special_refused": customer.kind == PartnerKind.PERSON or not customer.credit_code,
            }
        )
        return context

    def get(self, request: HttpRequest) -> HttpResponse:
        values = {k: str(v) for k, v in request.GET.items()}
        return render(request, "sales/invoice_form.html", self._context(values, [], {}))

    def post(self, request: HttpRequest) -> HttpResponse:
        values = {k: str(v) for k, v in request.POST.items()}
        raw = str(values.get("line_count") or "0")
        count = min(int(raw), MAX_ROWS) if raw.isdigit() else 0
        rows = []
        for i in range(count):
            source = values.get(f"lines-{i}-source", "")
            quantity = values.get(f"lines-{i}-quantity", "").strip()
            if quantity:
                rows.append({"_row": str(i), "source": source, "quantity": quantity})
        lines = [
            {"delivery_line_id": _int(r["source"][1:]), "quantity": r["quantity"]}
            if r["source"].startswith("d")
            else {"order_line_id": _int(r["source"][1:]), "quantity": r["quantity"]}
            for r in rows
        ]
        try:
            made = invoicing.invoice_post(
                organization=self.organization,
                actor=request.user,
                data={
                    "date": _day(values.get("date", ""), "date"),
                    "invoice_type": values.get("invoice_type") or InvoiceType.NORMAL,
                    "remarks": values.get("remarks", ""),
                    "lines": lines,
                },
            )
        except DomainError as exc:
            general: list[str] = []
            by_field: dict[str, str] = {}
            for err in exc.errors:
                parts = (err.field or "").split(".")
                if len(parts) >= 3 and parts[0] == "lines" and parts[1].isdigit() and int(parts[1]) < len(rows):
                    row = rows[int(parts[1])]["_row"]
                    by_field[f"{row}-{parts[2]}"] = err.message
                    general.append(_("Line %(n)s: %(m)s") % {"n": int(row) + 1, "m": err.message})
                elif err.field == "lines" and not rows:
                    general.append(_("Enter the quantity to invoice on at least one line."))
                else:
                    general.append(err.message)
            return render(request, "sales/invoice_form.html", self._context(values, general, by_field), status=422)
        messages.success(request, _("Invoice %(no)s posted.") % {"no": made.number})
        return redirect(request, reverse("sales:invoice_detail", args=[made.pk]))


# Invoice, e-invoice number, PDF ---------------------------------------------------------------------------------


class InvoiceDetailView(OrgView):
    permission = P.VIEW_SALES

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        invoice = invoicing.invoice_get(organization=self.organization, pk=pk)
        lines = list(
            invoice.lines.select_related("product", "delivery_line__delivery", "order_line__order").order_by("id")
        )
        context = {
            "invoice": invoice,
            "lines": lines,
            "is_credit": invoice.kind == InvoiceKind.CREDIT_NOTE,
            "open_amount": invoicing.invoice_open_amount(invoice),
            "credit_notes": invoice.credit_notes.order_by("date", "id"),
            "history": audit_history(organization=self.organization, obj=invoice)[:50],
            "can_invoice": self.can(P.INVOICE),
            "can_record": self.can(P.INVOICE) and not invoice.einvoice_number,
            "can_see_books": self.can(P.VIEW_LEDGER),
            "can_see_receivables": self.can(P.VIEW_RECEIVABLE),
            "words": invoicing.total_in_words(invoice.total),
        }
        return render(request, "sales/invoice_detail.html", context)


class InvoiceEInvoiceView(OrgView):
    """Record the 数电发票 number (and, for a credit note, the 红字确认单 number) finance got from the platform."""

    http_method_names: ClassVar[list[str]] = ["post"]  # type: ignore[misc]
    permission = P.INVOICE

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        invoice = invoicing.invoice_get(organization=self.organization, pk=pk)
        try:
            invoicing.invoice_record_einvoice(
                organization=self.organization,
                actor=request.user,
                invoice_id=invoice.pk,
                einvoice_number=str(request.POST.get("einvoice_number", "")),
                red_confirmation_number=str(request.POST.get("red_confirmation_number", "")),
            )
        except DomainError as exc:
            for err in exc.errors:
                messages.error(request, err.message)
        else:
            messages.success(request, _("E-invoice number recorded."))
        return redirect(request, reverse("sales:invoice_detail", args=[invoice.pk]))


class InvoicePdfView(OrgView):
    """The invoice as the 数电发票 will look (buyer, seller, lines, 价税合计 in words) — a copy for the customer and the
    files; the legal invoice is the one the tax bureau's platform issues."""

    permission = P.VIEW_SALES

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        context = invoicing.invoice_print(organization=self.organization, pk=pk)
        return pdf_response("sales/invoice_pdf.html", context, f"{context['invoice'].number}.pdf", request)


# Credit notes ---------------------------------------------------------------------------------------------------


class CreditNoteFormView(OrgView):
    """The credit note (红字发票) of a sales return: `?return=<id>` shows what it takes back; posting makes it."""

    permission = P.INVOICE

    def _render(
        self, request: HttpRequest, values: dict[str, str], errors: list[str], status: int = 200
    ) -> HttpResponse:
        organization = self.organization
        sales_return: SalesReturn | None = None
        return_id = _int(values.get("return"))
        if return_id is not None:
            sales_return = (
                SalesReturn.objects.filter(organization=organization, pk=return_id)
                .select_related("customer", "delivery")
                .first()
            )
        context: dict[str, Any] = {
            "sales_return": sales_return,
            "returns": SalesReturn.objects.filter(organization=organization, credit_notes__isnull=True)
            .select_related("customer")
            .order_by("-date", "-id")[:100],
            "errors": errors,
            "date": values.get("date") or timezone.localdate().isoformat(),
            "lines": [],
        }
        if sales_return is not None:
            existing = sales_return.credit_notes.first()
            preview = invoicing.credit_note_preview(organization=organization, return_id=sales_return.pk)
            context.update(
                {
                    "existing": existing,
                    "lines": [{"line": dl, "quantity": -q, "amounts": amounts} for dl, q, amounts in preview],
                    "total": sum((amounts.total for _dl, _q, amounts in preview), Decimal("0")),
                    "return_lines": sales_return.lines.select_related("product").order_by("id"),
                }
            )
        return render(request, "sales/invoice_credit_form.html", context, status=status)

    def get(self, request: HttpRequest) -> HttpResponse:
        return self._render(request, {k: str(v) for k, v in request.GET.items()}, [])

    def post(self, request: HttpRequest) -> HttpResponse:
        values = {k: str(v) for k, v in request.POST.items()}
        try:
            credit = invoicing.credit_note_for_return(
                organization=self.organization,
                actor=request.user,
                return_id=_int(values.get("return")),
                date=_day(values.get("date", ""), "date"),  # type: ignore[arg-type]
            )
        except DomainError as exc:
            return self._render(request, values, [e.message for e in exc.errors], status=422)
        messages.success(request, _("Credit note %(no)s posted.") % {"no": credit.number})
        return redirect(request, reverse("sales:invoice_detail", args=[credit.pk]))


urlpatterns = [
    path("invoices/", InvoiceListView.as_view(), name="invoice_list"),
    path("invoices/new/", InvoiceFormView.as_view(), name="invoice_create"),
    path("invoices/<int:pk>/", InvoiceDetailView.as_view(), name="invoice_detail"),
    path("invoices/<int:pk>/einvoice/", InvoiceEInvoiceView.as_view(), name="invoice_einvoice"),
    path("invoices/<int:pk>/pdf/", InvoicePdfView.as_view(), name="invoice_pdf"),
    path("credit-notes/new/", CreditNoteFormView.as_view(), name="credit_note_create"),
]
