"""Pages of receivables: open receivables, customer receipts (list, new, detail), applying advance receipts,
receivables aging, customer statements (page, PDF, Excel)."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any, ClassVar

from django import forms
from django.contrib import messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from suanpan.accounting.models import Account
from suanpan.accounting.statements import cash_flow_items
from suanpan.core.excel import workbook_bytes, xlsx_response
from suanpan.core.exceptions import DomainError, InvalidInput
from suanpan.core.money import ZERO, money
from suanpan.core.pdf import pdf_response
from suanpan.core.permissions import P
from suanpan.core.ui import Column, OrgView, apply_errors, redirect
from suanpan.finance import receipts, receivables
from suanpan.finance.choices import CUSTOMER_RECEIPT_CASH_FLOW, OpenItemKind
from suanpan.finance.filters import ReceiptFilter
from suanpan.finance.models import OpenItem, Payment
from suanpan.finance.selectors import Aging
from suanpan.finance.views import AgingView, PaymentDetailView, PaymentListView
from suanpan.partners.models import Partner


def _day(value: str | None) -> datetime.date | None:
    try:
        return parse_date(value) if value else None
    except ValueError:
        return None


def _customer_id(value: object) -> int | None:
    text = str(value or "")
    return int(text) if text.isdigit() and len(text) < 18 else None


def _customers(organization: Any) -> QuerySet[Partner]:
    return Partner.objects.filter(organization=organization, is_customer=True).order_by("code")


class ReceivablesView(OrgView):
    """Open receivables, oldest due first, by customer and/or only the overdue ones; the customer's advance
    receipts below, with the button that applies them."""

    permission = P.VIEW_RECEIVABLE

    def get(self, request: HttpRequest) -> HttpResponse:
        customer = _customer_id(request.GET.get("customer"))
        overdue = request.GET.get("overdue") == "1"
        show_all = request.GET.get("all") == "1" and not overdue
        today = timezone.localdate()
        items = receivables.receivable_list(
            organization=self.organization,
            customer_id=customer,
            open_only=not show_all,
            overdue_on=today if overdue else None,
        )
        advances = receivables.receivable_list(
            organization=self.organization, customer_id=customer, kind=OpenItemKind.ADVANCE_RECEIPT
        )
        context = {
            "items": items[:500],
            "advances": advances[:200],
            "customers": _customers(self.organization),
            "customer": str(customer or ""),
            "overdue": overdue,
            "show_all": show_all,
            "total": money(sum((i.open_amount for i in items), ZERO)),  # type: ignore[attr-defined]
            "can_receive": self.can(P.RECEIVE_PAYMENT),
            "today": today,
        }
        return render(request, "finance/receivable_list.html", context)


class ReceiptListView(PaymentListView):
    permission = P.VIEW_RECEIVABLE
    change_permission = P.RECEIVE_PAYMENT
    title = gettext_lazy("Customer receipts")
    filterset_class = ReceiptFilter
    create_url = "finance:receipt_create"
    detail_url = "finance:receipt_detail"
    export_name = "receipts"
    columns = (
        Column("number", gettext_lazy("Number"), sort="number", link=True),
        Column("date", gettext_lazy("Date"), sort="date"),
        Column("partner", gettext_lazy("Customer"), link=True),
        Column("kind", gettext_lazy("Kind"), phone_hidden=True),
        Column("account", gettext_lazy("Account"), phone_hidden=True),
        Column("amount", gettext_lazy("Amount received"), sort="amount", numeric=True),
        Column("advance", gettext_lazy("Of which advance"), numeric=True, phone_hidden=True),
    )

    def queryset(self) -> QuerySet[Payment]:
        return receivables.receipt_list(organization=self.organization)


class ReceiptDetailView(PaymentDetailView):
    permission = P.VIEW_RECEIVABLE
    list_url = "finance:receipt_list"
    labels: ClassVar[dict[str, str | Promise]] = {
        "list": gettext_lazy("Customer receipts"),
        "partner": gettext_lazy("Customer"),
        "account": gettext_lazy("Received into"),
        "amount": gettext_lazy("Amount received"),
    }

    def payment(self, pk: int) -> Payment:
        return receivables.receipt_get(organization=self.organization, pk=pk)


class ReceiptForm(forms.Form):
    customer_id = forms.ModelChoiceField(queryset=Partner.objects.none(), label=gettext_lazy("Customer"))
    date = forms.DateField(
        label=gettext_lazy("Date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    account_id = forms.ModelChoiceField(queryset=Account.objects.none(), label=gettext_lazy("Received into"))
    amount = forms.DecimalField(
        label=gettext_lazy("Amount"), max_digits=18, decimal_places=2, min_value=Decimal("0.01")
    )
    cash_flow_item = forms.ChoiceField(label=gettext_lazy("Cash-flow item"), choices=())
    advance = forms.BooleanField(
        label=gettext_lazy("Keep the rest as an advance receipt (预收)"),
        required=False,
        help_text=gettext_lazy("What the open receivables do not take goes to 2203, for later invoices."),
    )
    reference = forms.CharField(label=gettext_lazy("Reference"), required=False, max_length=100)
    notes = forms.CharField(
        label=gettext_lazy("Notes"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, organization: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["customer_id"].queryset = _customers(organization)  # type: ignore[attr-defined]
        self.fields["customer_id"].widget.attrs.update(
            {"hx-get": reverse("finance:receipt_create"), "hx-target": "#open-items", "hx-swap": "outerHTML"}
        )
        self.fields["account_id"].queryset = Account.objects.filter(  # type: ignore[attr-defined]
            organization=organization, is_active=True, children__isnull=True, code__regex=r"^100[12]"
        ).order_by("code")
        self.fields["cash_flow_item"].choices = [  # type: ignore[attr-defined]
            (code, item.label) for code, item in cash_flow_items().items() if str(code) in {"1", "2"}
        ] or [(CUSTOMER_RECEIPT_CASH_FLOW, CUSTOMER_RECEIPT_CASH_FLOW)]
        for field in self.fields.values():
            if not isinstance(field.widget, forms.CheckboxInput):
                field.widget.attrs.setdefault(
                    "class", "form-select" if isinstance(field.widget, forms.Select) else "form-control"
                )


class ReceiptCreateView(OrgView):
    """收款: choose the customer, see its open receivables; tick the ones to settle (the amount defaults to what is
    open) or tick none to settle the oldest first; the rest may be kept as an advance receipt."""

    permission = P.RECEIVE_PAYMENT

    def _items(self, customer: int | None) -> list[OpenItem]:
        if customer is None:
            return []
        return list(receivables.receivable_list(organization=self.organization, customer_id=customer)[:500])

    def _render(self, request: HttpRequest, form: ReceiptForm, customer: int | None, status: int = 200) -> HttpResponse:
        picked = {k.removeprefix("pick-") for k in request.POST if k.startswith("pick-")}
        typed = {k.removeprefix("alloc-"): v for k, v in request.POST.items() if k.startswith("alloc-")}
        context = {
            "form": form,
            "title": _("Receive from a customer"),
            "cancel_url": reverse("finance:receipt_list"),
            "rows": [(i, str(i.pk) in picked, typed.get(str(i.pk), "")) for i in self._items(customer)],
            "customer": customer,
        }
        template = "finance/receipt_items.html" if request.htmx else "finance/receipt_form.html"  # type: ignore[attr-defined]
        return render(request, template, context, status=status)

    @staticmethod
    def _allocations(request: HttpRequest, items: list[OpenItem]) -> list[dict[str, Any]] | None:
        """The ticked items (or those with an amount typed), each with the amount typed or else all that is open;
        None when nothing is chosen: oldest first."""
        rows = []
        for item in items:
            typed = str(request.POST.get(f"alloc-{item.pk}") or "").strip()
            if typed or request.POST.get(f"pick-{item.pk}"):
                amount = typed or str(money(item.open_amount))  # type: ignore[attr-defined]
                rows.append({"item_id": item.pk, "amount": amount})
        return rows or None

    def get(self, request: HttpRequest) -> HttpResponse:
        customer = _customer_id(request.GET.get("customer") or request.GET.get("customer_id"))
        initial: dict[str, Any] = {"date": timezone.localdate(), "cash_flow_item": CUSTOMER_RECEIPT_CASH_FLOW}
        if customer is not None:
            initial["customer_id"] = customer
            items = self._items(customer)
            owed = sum((i.open_amount for i in items), ZERO)  # type: ignore[attr-defined]
            if owed > 0:
                initial["amount"] = money(owed)
        bank = Account.objects.filter(organization=self.organization, code="1002").first()
        if bank is not None:
            initial["account_id"] = bank.pk
        return self._render(request, ReceiptForm(initial=initial, organization=self.organization), customer)

    def post(self, request: HttpRequest) -> HttpResponse:
        form = ReceiptForm(request.POST, organization=self.organization)
        customer = _customer_id(request.POST.get("customer_id"))
        if not form.is_valid():
            return self._render(request, form, customer, status=422)
        data = form.cleaned_data
        try:
            receipt = receipts.receipt_post(
                organization=self.organization,
                actor=request.user,
                data={
                    "customer_id": data["customer_id"].pk,
                    "date": data["date"],
                    "account_id": data["account_id"].pk,
                    "amount": str(data["amount"]),
                    "allocations": self._allocations(request, self._items(customer)),
                    "advance": data["advance"],
                    "cash_flow_item": data["cash_flow_item"],
                    "reference": data["reference"],
                    "notes": data["notes"],
                },
            )
        except DomainError as exc:
            apply_errors(form, exc)
            return self._render(request, form, customer, status=422)
        messages.success(request, _("Receipt %(no)s posted.") % {"no": receipt.number})
        return redirect(request, reverse("finance:receipt_detail", args=[receipt.pk]))


class ApplyAdvanceReceiptsView(OrgView):
    http_method_names: ClassVar[list[str]] = ["post"]  # type: ignore[misc]
    permission = P.RECEIVE_PAYMENT

    def post(self, request: HttpRequest) -> HttpResponse:
        customer = str(request.POST.get("customer") or "")
        day = _day(str(request.POST.get("date") or "")) or timezone.localdate()
        try:
            receipt = receipts.advance_receipt_apply(
                organization=self.organization, actor=request.user, customer_id=customer, date=day
            )
        except DomainError as exc:
            messages.error(request, exc.message)
            back = reverse("finance:receivables") + (f"?customer={customer}" if customer.isdigit() else "")
            return redirect(request, back)
        messages.success(request, _("Advance receipts applied: %(no)s.") % {"no": receipt.number})
        return redirect(request, reverse("finance:receipt_detail", args=[receipt.pk]))


class ReceivablesAgingView(AgingView):
    permission = P.VIEW_RECEIVABLE
    title = gettext_lazy("Receivables aging")
    partner_label = gettext_lazy("Customer")
    items_url = "finance:receivables"
    partner_param = "customer"
    export_name = "receivables-aging"

    def aging(self, on: datetime.date, bounds: tuple[int, ...]) -> Aging:
        return receivables.receivables_aging(organization=self.organization, on=on, bounds=bounds)


class CustomerStatementView(OrgView):
    """对账单: pick a customer and a date range (this month by default); print it as PDF or export it to Excel."""

    permission = P.VIEW_RECEIVABLE

    def get(self, request: HttpRequest) -> HttpResponse:
        today = timezone.localdate()
        start = _day(request.GET.get("start")) or today.replace(day=1)
        end = _day(request.GET.get("end")) or today
        customer = _customer_id(request.GET.get("customer"))
        statement, errors = None, []
        if customer is not None:
            try:
                statement = receivables.customer_statement(
                    organization=self.organization, customer_id=customer, start=start, end=end
                )
            except InvalidInput as exc:
                errors = [e.message for e in exc.errors]
        export = request.GET.get("export")
        if statement is not None and export == "pdf":
            name = f"statement-{statement.customer.code}-{start.isoformat()}-{end.isoformat()}.pdf"
            return pdf_response("finance/receivable_statement_pdf.html", {"s": statement}, name, request)
        if statement is not None and export == "xlsx":
            return xlsx_response(f"statement-{statement.customer.code}", _statement_workbook(statement))
        query = request.GET.copy()
        query.pop("export", None)
        context = {
            "statement": statement,
            "customers": _customers(self.organization),
            "customer": str(customer or ""),
            "start": start.isoformat(),
            "end": end.isoformat(),
            "errors": errors,
            "query": query.urlencode(),
        }
        return render(request, "finance/receivable_statement.html", context)


def _statement_workbook(s: receivables.Statement) -> bytes:
    headers = [_("Date"), _("Kind"), _("Document"), _("Note"), _("Debit"), _("Credit"), _("Balance")]
    rows: list[list[Any]] = [[s.start, _("Opening balance"), "", "", None, None, s.opening]]
    rows += [[ln.date, ln.kind, ln.document, ln.note, ln.debit, ln.credit, ln.balance] for ln in s.lines]
    rows.append([s.end, _("Closing balance"), "", "", s.debit, s.credit, s.closing])
    return workbook_bytes(_("Statement %(c)s") % {"c": s.customer.code}, headers, rows)


urlpatterns = [
    path("receivables/", ReceivablesView.as_view(), name="receivables"),
    path("receivables/aging/", ReceivablesAgingView.as_view(), name="receivables_aging"),
    path("receivables/statement/", CustomerStatementView.as_view(), name="customer_statement"),
    path("receipts/", ReceiptListView.as_view(), name="receipt_list"),
    path("receipts/new/", ReceiptCreateView.as_view(), name="receipt_create"),
    path("receipts/apply-advances/", ApplyAdvanceReceiptsView.as_view(), name="apply_advance_receipts"),
    path("receipts/<int:pk>/", ReceiptDetailView.as_view(), name="receipt_detail"),
]
