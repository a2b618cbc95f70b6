"""Pages of payables: open items, payments (list, detail, new), applying advances, payables aging."""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation
from typing import Any, ClassVar

from django import forms
from django.contrib import messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from suanpan.accounting.models import Account
from suanpan.accounting.statements import cash_flow_items
from suanpan.core.audit import audit_history
from suanpan.core.excel import workbook_bytes, xlsx_response
from suanpan.core.exceptions import DomainError, InvalidInput
from suanpan.core.money import money
from suanpan.core.permissions import P
from suanpan.core.ui import Column, OrgView, RecordListView, apply_errors, redirect
from suanpan.finance import selectors, services
from suanpan.finance.choices import SUPPLIER_PAYMENT_CASH_FLOW, OpenItemKind
from suanpan.finance.filters import PaymentFilter
from suanpan.finance.models import Payment
from suanpan.partners.models import Partner


class PaymentListView(OrgView):
    permission = P.VIEW_PAYABLE
    change_permission = P.PAY
    title = gettext_lazy("Supplier payments")
    filterset_class = PaymentFilter
    create_url = "finance:payment_create"
    detail_url = "finance:payment_detail"
    import_kind = ""
    export_name = "payments"
    default_sort = "-date"
    template_name = "core/list.html"
    columns = (
        Column("number", gettext_lazy("Number"), sort="number", link=True),
        Column("date", gettext_lazy("Date"), sort="date"),
        Column("partner", gettext_lazy("Supplier"), link=True),
        Column("kind", gettext_lazy("Kind"), phone_hidden=True),
        Column("account", gettext_lazy("Account"), phone_hidden=True),
        Column("amount", gettext_lazy("Amount paid"), sort="amount", numeric=True),
        Column("advance", gettext_lazy("Of which advance"), numeric=True, phone_hidden=True),
    )

    get = RecordListView.get
    sort_keys = RecordListView.sort_keys
    detail_href = RecordListView.detail_href

    def queryset(self) -> QuerySet[Payment]:
        return selectors.payment_list(organization=self.organization)


def _parse_day(value: str) -> datetime.date | None:
    try:
        return parse_date(value) if value else None
    except ValueError:
        return None


class PayablesView(OrgView):
    """Open payables by supplier, oldest due first, with what is open of each."""

    permission = P.VIEW_PAYABLE

    def get(self, request: HttpRequest) -> HttpResponse:
        supplier = request.GET.get("supplier") or ""
        partner_id = int(supplier) if supplier.isdigit() and len(supplier) < 18 else None
        show_all = request.GET.get("all") == "1"
        items = selectors.open_item_list(
            organization=self.organization, kind=OpenItemKind.PAYABLE, partner_id=partner_id, open_only=not show_all
        )
        advances = selectors.open_item_list(
            organization=self.organization, kind=OpenItemKind.PREPAYMENT, partner_id=partner_id, open_only=True
        )
        context = {
            "items": items[:500],
            "advances": advances[:200],
            "suppliers": Partner.objects.filter(organization=self.organization, is_supplier=True).order_by("code"),
            "supplier": supplier,
            "show_all": show_all,
            "total": money(sum((i.open_amount for i in items), Decimal("0"))),  # type: ignore[attr-defined]
            "can_pay": self.can(P.PAY),
            "today": timezone.localdate(),
        }
        return render(request, "finance/payables.html", context)


class PaymentForm(forms.Form):
    partner_id = forms.ModelChoiceField(queryset=Partner.objects.none(), label=gettext_lazy("Supplier"))
    date = forms.DateField(
        label=gettext_lazy("Date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    account_id = forms.ModelChoiceField(queryset=Account.objects.none(), label=gettext_lazy("Pay from"))
    amount = forms.DecimalField(
        label=gettext_lazy("Amount"), max_digits=18, decimal_places=2, min_value=Decimal("0.01")
    )
    cash_flow_item = forms.ChoiceField(label=gettext_lazy("Cash-flow item"), choices=())
    allow_advance = forms.BooleanField(
        label=gettext_lazy("Pay the rest in advance (预付)"),
        required=False,
        help_text=gettext_lazy("What the open payables do not take goes to 1123 prepayments, for later receipts."),
    )
    reference = forms.CharField(label=gettext_lazy("Reference"), required=False, max_length=100)
    notes = forms.CharField(
        label=gettext_lazy("Notes"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, organization: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["partner_id"].queryset = Partner.objects.filter(organization=organization, is_supplier=True)  # type: ignore[attr-defined]
        self.fields["account_id"].queryset = Account.objects.filter(  # type: ignore[attr-defined]
            organization=organization, is_active=True, children__isnull=True, code__regex=r"^100[12]"
        ).order_by("code")
        self.fields["cash_flow_item"].choices = [  # type: ignore[attr-defined]
            (code, item.label) for code, item in cash_flow_items().items() if str(code) in {"3", "6"}
        ] or [(SUPPLIER_PAYMENT_CASH_FLOW, SUPPLIER_PAYMENT_CASH_FLOW)]
        for field in self.fields.values():
            if not isinstance(field.widget, forms.CheckboxInput):
                field.widget.attrs.setdefault(
                    "class", "form-select" if isinstance(field.widget, forms.Select) else "form-control"
                )


class PaymentCreateView(OrgView):
    """付款: the payables of the supplier are settled oldest first (credits from returns netted first)."""

    permission = P.PAY

    def _render(
        self, request: HttpRequest, form: PaymentForm, status: int = 200, supplier: object = None
    ) -> HttpResponse:
        supplier = supplier or request.GET.get("supplier") or request.POST.get("partner_id") or ""
        items = (
            selectors.open_item_list(
                organization=self.organization, kind=OpenItemKind.PAYABLE, partner_id=int(str(supplier)), open_only=True
            )
            if str(supplier).isdigit() and len(str(supplier)) < 18
            else []
        )
        context = {
            "form": form,
            "title": _("Pay a supplier"),
            "cancel_url": reverse("finance:payment_list"),
            "items": items,
            "chosen": {k.removeprefix("alloc-"): v for k, v in request.POST.items() if k.startswith("alloc-")},
        }
        return render(request, "finance/payment_form.html", context, status=status)

    @staticmethod
    def _allocations(request: HttpRequest) -> list[dict[str, Any]] | None:
        """The amounts typed against chosen items (`alloc-<item id>`), or None: oldest first."""
        rows = [
            {"item_id": int(key.removeprefix("alloc-")), "amount": str(value).strip()}
            for key, value in request.POST.items()
            if key.startswith("alloc-") and key.removeprefix("alloc-").isdigit() and str(value).strip()
        ]
        return rows or None

    def get(self, request: HttpRequest) -> HttpResponse:
        initial: dict[str, Any] = {"date": timezone.localdate(), "cash_flow_item": SUPPLIER_PAYMENT_CASH_FLOW}
        supplier = request.GET.get("supplier") or ""
        if supplier.isdigit() and len(supplier) < 18:
            initial["partner_id"] = int(supplier)
            open_amount = selectors.open_total(
                organization=self.organization, kind=OpenItemKind.PAYABLE, partner_id=int(supplier)
            )
            if open_amount > 0:
                initial["amount"] = open_amount
        bank = Account.objects.filter(organization=self.organization, code="1002").first()
        if bank is not None:
            initial["account_id"] = bank.pk
        return self._render(request, PaymentForm(initial=initial, organization=self.organization))

    def post(self, request: HttpRequest) -> HttpResponse:
        form = PaymentForm(request.POST, organization=self.organization)
        if not form.is_valid():
            return self._render(request, form, status=422)
        data = form.cleaned_data
        try:
            payment = services.payment_create(
                organization=self.organization,
                actor=request.user,
                partner_id=data["partner_id"].pk,
                date=data["date"],
                account_id=data["account_id"].pk,
                amount=data["amount"],
                allocations=self._allocations(request),
                allow_advance=data["allow_advance"],
                cash_flow_item=data["cash_flow_item"],
                reference=data["reference"],
                notes=data["notes"],
            )
        except InvalidInput as exc:
            renamed = InvalidInput(
                [type(e)(f"{e.field}_id" if f"{e.field}_id" in form.fields else e.field, e.message) for e in exc.errors]
            )
            apply_errors(form, renamed)
            return self._render(request, form, status=422)
        except DomainError as exc:
            form.add_error(None, exc.message)
            return self._render(request, form, status=422)
        messages.success(request, _("Payment %(no)s posted.") % {"no": payment.number})
        return redirect(request, reverse("finance:payment_detail", args=[payment.pk]))


class PaymentDetailView(OrgView):
    """One payment with what it settled; the receivables pages show a customer receipt through the same page."""

    permission = P.VIEW_PAYABLE
    list_url = "finance:payment_list"
    labels: ClassVar[dict[str, str | Promise]] = {
        "list": gettext_lazy("Supplier payments"),
        "partner": gettext_lazy("Supplier"),
        "account": gettext_lazy("Pay from"),
        "amount": gettext_lazy("Amount paid"),
    }

    def payment(self, pk: int) -> Payment:
        return selectors.payment_get(organization=self.organization, pk=pk)

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        payment = self.payment(pk)
        context = {
            "payment": payment,
            "allocations": payment.allocations.select_related("item").order_by("id"),
            "history": audit_history(organization=self.organization, obj=payment)[:50],
            "can_see_books": self.can(P.VIEW_LEDGER),
            "list_url": reverse(self.list_url),
            "labels": self.labels,
        }
        return render(request, "finance/payment_detail.html", context)


class ApplyAdvancesView(OrgView):
    http_method_names: ClassVar[list[str]] = ["post"]  # type: ignore[misc]
    permission = P.PAY

    def post(self, request: HttpRequest) -> HttpResponse:
        supplier = str(request.POST.get("supplier") or "")
        day = _parse_day(str(request.POST.get("date") or "")) or timezone.localdate()
        try:
            payment = services.prepayment_apply(
                organization=self.organization, actor=request.user, partner_id=supplier, date=day
            )
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect(
                request, reverse("finance:payables") + (f"?supplier={supplier}" if supplier.isdigit() else "")
            )
        messages.success(request, _("Advances applied: %(no)s.") % {"no": payment.number})
        return redirect(request, reverse("finance:payment_detail", args=[payment.pk]))


class AgingView(OrgView):
    """Open items per partner by days overdue; buckets from `?buckets=30,60,90`. Receivables subclass it."""

    permission = P.VIEW_PAYABLE
    title: ClassVar[str | Promise] = gettext_lazy("Payables aging")
    partner_label: ClassVar[str | Promise] = gettext_lazy("Supplier")
    items_url = "finance:payables"
    partner_param = "supplier"
    export_name = "payables-aging"

    def aging(self, on: datetime.date, bounds: tuple[int, ...]) -> selectors.Aging:
        return selectors.payables_aging(organization=self.organization, on=on, bounds=bounds)

    def get(self, request: HttpRequest) -> HttpResponse:
        from suanpan.finance.api import parse_buckets

        errors: list[str] = []
        on = _parse_day(request.GET.get("on", "")) or timezone.localdate()
        text = request.GET.get("buckets", "30,60,90")
        try:
            if len(text) > 40 or not all(p.strip().isdigit() and len(p.strip()) <= 4 for p in text.split(",")):
                raise InvalidInput.single("buckets", _("Give increasing day counts, e.g. 30,60,90."))
            bounds = parse_buckets(text)
        except (InvalidInput, InvalidOperation, ValueError) as exc:
            errors.append(getattr(exc, "message", str(exc)))
            text, bounds = "30,60,90", (30, 60, 90)
        aging = self.aging(on, bounds)
        if request.GET.get("export") == "xlsx":
            headers = [str(self.partner_label), _("Not due"), *aging.labels, _("Total")]
            rows = [[r.partner, r.not_due, *r.buckets, r.total] for r in aging.rows]
            rows.append([_("Total"), aging.totals.not_due, *aging.totals.buckets, aging.totals.total])
            return xlsx_response(self.export_name, workbook_bytes(str(self.title), headers, rows))
        context = {
            "aging": aging,
            "on": on.isoformat(),
            "buckets": text,
            "errors": errors,
            "query": request.GET.urlencode(),
            "title": self.title,
            "partner_label": self.partner_label,
            "items_url": f"{reverse(self.items_url)}?{self.partner_param}=",
        }
        return render(request, "finance/aging.html", context)
