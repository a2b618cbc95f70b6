"""Quote pages: the list (with the order each quote became), the quote form with its lines (prefilled from an
opportunity), the quote page with its versions and actions (send, accept, reject, revise, convert to a sales
order) and the PDF. Thin: parse, call one service or selector, render; the same services as the API."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any, ClassVar

from django import forms
from django.contrib import messages
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from suanpan.catalog.models import Product
from suanpan.core.audit import audit_history
from suanpan.core.exceptions import DomainError, NotFound
from suanpan.core.models import Organization
from suanpan.core.money import amount_in_words
from suanpan.core.pdf import pdf_response
from suanpan.core.permissions import P
from suanpan.core.tenancy import check_perm
from suanpan.core.types import Actor
from suanpan.core.ui import Column, DocumentListView, OrgView, redirect
from suanpan.crm import opportunities, quotes
from suanpan.crm.choices import QUOTE_FLOW, QuoteStatus
from suanpan.crm.models import Opportunity, Quote
from suanpan.crm.opportunity_filters import QuoteFilter
from suanpan.crm.opportunity_forms import customers_for, date_widget, styled
from suanpan.crm.opportunity_ui import LabelColumn, OwnerColumn
from suanpan.inventory.services import normalize
from suanpan.partners.models import Contact, Partner

BLANK_LINES = 3
MAX_LINES = 500
HUNDRED = Decimal(100)
LINE_KEYS = ("product", "quantity", "unit_price", "discount", "description")
STATE_BADGES = {
    QuoteStatus.DRAFT: "secondary",
    QuoteStatus.SENT: "primary",
    QuoteStatus.ACCEPTED: "info",
    QuoteStatus.REJECTED: "danger",
    QuoteStatus.SUPERSEDED: "light",
    QuoteStatus.ORDERED: "success",
}


class QuoteListView(DocumentListView):
    permission = P.VIEW_CRM
    change_permission = P.CHANGE_CRM
    title = gettext_lazy("Quotes")
    filterset_class = QuoteFilter
    create_url = "crm:quote_create"
    detail_url = "crm:quote_detail"
    export_name = "quotes"
    columns = (
        LabelColumn("number", gettext_lazy("Number"), sort="number", link=True),
        Column("date", gettext_lazy("Date"), sort="date"),
        Column("customer.name", gettext_lazy("Customer")),
        Column("total", gettext_lazy("Total"), sort="total", numeric=True),
        Column("status", gettext_lazy("Status")),
        Column("valid_until", gettext_lazy("Valid until"), sort="valid_until", phone_hidden=True),
        OwnerColumn("owner", gettext_lazy("Owner"), phone_hidden=True),
        Column("opportunity.number", gettext_lazy("Opportunity"), phone_hidden=True),
        Column("sales_order", gettext_lazy("Sales order")),
    )

    def queryset(self) -> QuerySet[Quote]:
        return quotes.quote_list(organization=self.organization, actor=self.request.user)


# Form ----------------------------------------------------------------------------------------------------------------


class QuoteHeaderForm(forms.Form):
    customer_id = forms.ModelChoiceField(queryset=Partner.objects.none(), label=gettext_lazy("Customer"))
    contact_id = forms.ModelChoiceField(queryset=Contact.objects.none(), label=gettext_lazy("Contact"), required=False)
    opportunity_id = forms.ModelChoiceField(
        queryset=Opportunity.objects.none(), label=gettext_lazy("Opportunity"), required=False
    )
    date = forms.DateField(label=gettext_lazy("Date"), widget=date_widget())
    valid_until = forms.DateField(
        label=gettext_lazy("Valid until"),
        required=False,
        widget=date_widget(),
        help_text=gettext_lazy("Blank: 30 days after the date."),
    )
    terms = forms.CharField(
        label=gettext_lazy("Terms"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )
    notes = forms.CharField(
        label=gettext_lazy("Notes"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(
        self, *args: Any, organization: Organization, actor: Actor | None, customer_id: int | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["customer_id"].queryset = customers_for(organization, actor)  # type: ignore[attr-defined]
        self.fields["contact_id"].queryset = (  # type: ignore[attr-defined]
            Contact.objects.filter(organization=organization, partner_id=customer_id)
            if customer_id
            else Contact.objects.none()
        )
        opps = opportunities.opportunity_list(organization=organization, actor=actor)
        self.fields["opportunity_id"].queryset = (  # type: ignore[attr-defined]
            opps.filter(customer_id=customer_id) if customer_id else Opportunity.objects.none()
        )
        styled(self)
        self.fields["customer_id"].widget.attrs.update(
            {
                "hx-get": reverse("crm:opportunity_contacts"),
                "hx-target": "#id_contact_id",
                "hx-trigger": "change",
                "hx-vals": '{"quote": "1"}',
            }
        )


def _id(value: object) -> int | None:
    text = str(value or "").strip()
    return int(text) if text.isdigit() and len(text) < 16 else None


def _line_count(request: HttpRequest) -> int:
    raw = str(request.POST.get("line_count") or "0")
    return min(int(raw), MAX_LINES) if raw.isdigit() else 0


def _posted_rows(request: HttpRequest) -> list[dict[str, str]]:
    rows = []
    for i in range(_line_count(request)):
        row = {key: str(request.POST.get(f"lines-{i}-{key}", "")).strip() for key in LINE_KEYS}
        row["_row"] = str(i)
        if any(row[key] for key in LINE_KEYS):
            rows.append(row)
    return rows


def _line_errors(exc: DomainError, rows: Sequence[dict[str, str]]) -> tuple[list[str], dict[str, str]]:
    """Split a service's errors: per posted row and field (`lines.<n>.<field>`) and the rest."""
    general: list[str] = []
    by_field: dict[str, str] = {}
    for err in exc.errors:
        parts = (err.field or "").split(".")
        if len(parts) >= 3 and parts[0] == "lines" and parts[1].isdigit() and int(parts[1]) < len(rows):
            row = rows[int(parts[1])]["_row"]
            by_field[f"{row}-{parts[2].removesuffix('_id')}"] = err.message
            general.append(_("Line %(n)s: %(m)s") % {"n": int(row) + 1, "m": err.message})
        elif err.field not in QuoteHeaderForm.base_fields:
            general.append(err.message)
    return general, by_field


def _row_errors(field_errors: dict[str, str], row: str) -> dict[str, str]:
    return {k.split("-", 1)[1]: v for k, v in field_errors.items() if k.split("-", 1)[0] == row}


def _percent(rate: Decimal) -> str:
    return normalize(rate * HUNDRED) if rate else ""


def _products(organization: Organization) -> QuerySet[Product]:
    return Product.objects.filter(organization=organization, is_active=True).select_related("unit").order_by("code")


class QuoteFormView(OrgView):
    """New quote (prefilled from `?opportunity=` or `?customer=`) or the edit of a draft."""

    permission = P.CHANGE_CRM

    def _quote(self, pk: int | None) -> Quote | None:
        if pk is None:
            return None
        return quotes.quote_get(organization=self.organization, actor=self.request.user, pk=pk)

    def _render(
        self,
        quote: Quote | None,
        form: QuoteHeaderForm,
        rows: list[dict[str, str]],
        errors: list[str],
        field_errors: dict[str, str],
        status: int = 200,
    ) -> HttpResponse:
        padded = rows + [dict.fromkeys(LINE_KEYS, "")] * (BLANK_LINES if not rows else 1)
        lines = [
            {**row, "i": i, "errors": _row_errors(field_errors, str(row.get("_row", i)))}
            for i, row in enumerate(padded)
        ]
        context = {
            "quote": quote,
            "form": form,
            "lines": lines,
            "line_count": len(lines),
            "products": _products(self.organization),
            "errors": errors,
            "title": _("Edit quote %(q)s") % {"q": quote} if quote else _("New quote"),
            "cancel_url": reverse("crm:quote_detail", args=[quote.pk]) if quote else reverse("crm:quote_list"),
        }
        return render(self.request, "crm/quote_form.html", context, status=status)

    def get(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        quote = self._quote(pk)
        rows: list[dict[str, str]] = []
        if quote is not None:
            if quote.status != QuoteStatus.DRAFT:
                messages.error(request, _("Only a draft quote can be changed; revise it for a new version."))
                return redirect(request, reverse("crm:quote_detail", args=[quote.pk]))
            initial: dict[str, Any] = {
                "customer_id": quote.customer_id,
                "contact_id": quote.contact_id,
                "opportunity_id": quote.opportunity_id,
                "date": quote.date,
                "valid_until": quote.valid_until,
                "terms": quote.terms,
                "notes": quote.notes,
            }
            rows = [
                {
                    "product": str(ln.product_id),
                    "quantity": normalize(ln.quantity),
                    "unit_price": normalize(ln.list_price),
                    "discount": _percent(ln.discount_rate),
                    "description": ln.description,
                    "_row": str(i),
                }
                for i, ln in enumerate(quote.lines.order_by("seq"))
            ]
            customer_id: int | None = quote.customer_id
        else:
            initial = {"date": timezone.localdate()}
            customer_id = _id(request.GET.get("customer"))
            opportunity_id = _id(request.GET.get("opportunity"))
            if opportunity_id is not None:
                try:
                    opp = opportunities.opportunity_get(
                        organization=self.organization, actor=request.user, pk=opportunity_id
                    )
                except NotFound:
                    opp = None
                if opp is not None:
                    customer_id = opp.customer_id
                    initial.update({"opportunity_id": opp.pk, "contact_id": opp.contact_id})
                    rows = [
                        {
                            "product": str(p.pk),
                            "quantity": "1",
                            "unit_price": "",
                            "discount": "",
                            "description": "",
                            "_row": str(i),
                        }
                        for i, p in enumerate(opp.products.filter(is_active=True).order_by("code"))
                    ]
            initial["customer_id"] = customer_id
        form = QuoteHeaderForm(
            initial=initial, organization=self.organization, actor=request.user, customer_id=customer_id
        )
        return self._render(quote, form, rows, [], {})

    def post(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        quote = self._quote(pk)
        form = QuoteHeaderForm(
            request.POST,
            organization=self.organization,
            actor=request.user,
            customer_id=_id(request.POST.get("customer_id")),
        )
        rows = _posted_rows(request)
        if not form.is_valid():
            return self._render(quote, form, rows, [], {}, status=422)
        cleaned = form.cleaned_data
        data = {
            "customer_id": cleaned["customer_id"].pk,
            "contact_id": cleaned["contact_id"].pk if cleaned["contact_id"] else None,
            "opportunity_id": cleaned["opportunity_id"].pk if cleaned["opportunity_id"] else None,
            "date": cleaned["date"],
            "valid_until": cleaned["valid_until"],
            "terms": cleaned["terms"],
            "notes": cleaned["notes"],
            "lines": [
                {
                    "product_id": r["product"] or None,
                    "quantity": r["quantity"],
                    "unit_price": r["unit_price"],
                    "discount": r["discount"],
                    "description": r["description"],
                }
                for r in rows
            ],
        }
        try:
            if quote is None:
                saved = quotes.quote_create(organization=self.organization, actor=request.user, data=data)
            else:
                saved = quotes.quote_update(
                    organization=self.organization, actor=request.user, quote_id=quote.pk, data=data
                )
        except DomainError as exc:
            general, by_field = _line_errors(exc, rows)
            for err in exc.errors:
                if err.field in form.fields:
                    form.add_error(err.field, err.message)
            return self._render(quote, form, rows, general, by_field, status=422)
        messages.success(request, _("Saved “%(obj)s”.") % {"obj": saved})
        return redirect(request, reverse("crm:quote_detail", args=[saved.pk]))


class QuoteLineRowView(OrgView):
    """HTMX: one more blank line for the quote form (and the new line count, out of band)."""

    permission = P.CHANGE_CRM

    def get(self, request: HttpRequest) -> HttpResponse:
        raw = str(request.GET.get("line_count") or "0")
        i = int(raw) if raw.isdigit() and len(raw) < 6 else 0
        if i >= MAX_LINES:
            return HttpResponse(status=204)
        context = {
            "ln": {**dict.fromkeys(LINE_KEYS, ""), "i": i, "errors": {}},
            "products": _products(self.organization),
            "new_count": i + 1,
        }
        return render(request, "crm/quote_line_row.html", context)


# Quote page, actions, PDF --------------------------------------------------------------------------------------------


def quote_context(view: OrgView, quote: Quote, refusal: DomainError | None = None) -> dict[str, Any]:
    today = timezone.localdate()
    can_change = view.can(P.CHANGE_CRM)
    latest = quotes.is_latest(quote)
    history = [
        {
            "event": event,
            "states": [QUOTE_FLOW.labels.get(s, s) for s in event.changes.get("status", [])]
            if isinstance(event.changes.get("status"), list)
            else [],
        }
        for event in audit_history(organization=view.organization, obj=quote)[:50]
    ]

    def may(action: str) -> bool:
        return can_change and latest and quotes.can_act(quote, action, today)

    return {
        "quote": quote,
        "lines": [
            {
                "line": ln,
                "quantity": normalize(ln.quantity),
                "list_price": normalize(ln.list_price),
                "unit_price": normalize(ln.unit_price),
                "discount": _percent(ln.discount_rate),
                "vat": normalize(ln.vat_rate * HUNDRED),
            }
            for ln in quote.lines.select_related("product", "product__unit").order_by("seq")
        ],
        "versions": quotes.quote_versions(organization=view.organization, quote=quote),
        "state_badge": STATE_BADGES.get(QuoteStatus(quote.status), "secondary"),
        "expired": quotes.quote_is_expired(quote, today),
        "words": amount_in_words(quote.total),
        "history": history,
        "refusal": refusal,
        "is_latest": latest,
        "can_edit": may("edit"),
        "can_send": may("send"),
        "can_accept": may("accept"),
        "can_reject": may("reject"),
        "can_revise": may("revise"),
        "can_order": may("order") and view.can(P.CHANGE_SALES),
        "can_see_order": view.can(P.VIEW_SALES),
    }


class QuoteDetailView(OrgView):
    permission = P.VIEW_CRM

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        quote = quotes.quote_get(organization=self.organization, actor=request.user, pk=pk)
        return render(request, "crm/quote_detail.html", quote_context(self, quote))


QUOTE_ACTIONS: dict[str, tuple[Any, Any]] = {
    "send": (quotes.quote_send, gettext_lazy("Quote marked as sent.")),
    "accept": (quotes.quote_accept, gettext_lazy("Quote accepted.")),
    "reject": (quotes.quote_reject, gettext_lazy("Quote rejected.")),
    "revise": (quotes.quote_revise, gettext_lazy("New version made: edit it and send it again.")),
    "order": (quotes.quote_to_order, gettext_lazy("Sales order made from the quote: check it and confirm it.")),
}


class QuoteActionView(OrgView):
    """The quote's workflow actions. A refusal (expired, wrong state, a later version exists, already ordered) is
    shown on the quote's page with status 422. Converting opens the new draft order for members who see orders."""

    http_method_names: ClassVar[list[str]] = ["post"]  # type: ignore[misc]
    permission = P.CHANGE_CRM

    def post(self, request: HttpRequest, pk: int, action: str) -> HttpResponse:
        if action not in QUOTE_ACTIONS:
            raise Http404
        service, done = QUOTE_ACTIONS[action]
        quote = quotes.quote_get(organization=self.organization, actor=request.user, pk=pk)
        if action == "order":  # the sales order needs the sales permission too: a 403 page, like a missing one
            check_perm(organization=self.organization, actor=request.user, perm=P.CHANGE_SALES)
        extra = {"reason": str(request.POST.get("reason") or "")} if action == "reject" else {}
        try:
            result = service(organization=self.organization, actor=request.user, quote_id=quote.pk, **extra)
        except DomainError as exc:
            quote.refresh_from_db()
            return render(request, "crm/quote_detail.html", quote_context(self, quote, refusal=exc), status=422)
        messages.success(request, str(done))
        if action == "order" and self.can(P.VIEW_SALES):
            return redirect(request, reverse("sales:order_detail", args=[result.pk]))
        target = result.pk if action == "revise" else quote.pk
        return redirect(request, reverse("crm:quote_detail", args=[target]))


class QuotePdfView(OrgView):
    """The quote to send to the customer: company header, lines, totals in figures and words, validity, terms."""

    permission = P.VIEW_CRM

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        context = quotes.quote_print(organization=self.organization, actor=request.user, pk=pk)
        return pdf_response("crm/quote_pdf.html", context, f"{context['quote']}.pdf", request)


urlpatterns = [
    path("quotes/", QuoteListView.as_view(), name="quote_list"),
    path("quotes/new/", QuoteFormView.as_view(), name="quote_create"),
    path("quotes/line/", QuoteLineRowView.as_view(), name="quote_line_row"),
    path("quotes/<int:pk>/", QuoteDetailView.as_view(), name="quote_detail"),
    path("quotes/<int:pk>/edit/", QuoteFormView.as_view(), name="quote_edit"),
    path("quotes/<int:pk>/pdf/", QuotePdfView.as_view(), name="quote_pdf"),
    path("quotes/<int:pk>/<str:action>/", QuoteActionView.as_view(), name="quote_action"),
]
