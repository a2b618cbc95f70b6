"""CRM pages (opportunity area): the opportunity list, the kanban board (drag a card to another stage), the
opportunity page with its stage history, quotes and orders, the opportunity form, the stage settings and the
quotes. `urlpatterns` (all of them) is assembled in `crm/urls.py`. Thin: parse, call one service or selector,
render; the same services as the API."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, ClassVar

from django.contrib import messages
from django.db.models import Count, QuerySet, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from suanpan.core.audit import audit_history
from suanpan.core.exceptions import DomainError
from suanpan.core.filters import filtered_queryset
from suanpan.core.money import ZERO, money
from suanpan.core.permissions import P
from suanpan.core.ui import Column, DocumentListView, OrgView, apply_errors, redirect
from suanpan.crm import opportunities, quote_views, stage_views
from suanpan.crm.choices import StageKind
from suanpan.crm.models import Opportunity, Stage
from suanpan.crm.opportunity_filters import OpportunityFilter
from suanpan.crm.opportunity_forms import OpportunityForm, customers_for
from suanpan.crm.opportunity_ui import OwnerColumn
from suanpan.inventory.services import normalize
from suanpan.partners.models import Contact

CARD_LIMIT = 50  # cards shown per column; the count and the sum are of every opportunity in it
STAGE_BADGES = {StageKind.OPEN: "primary", StageKind.WON: "success", StageKind.LOST: "secondary"}


class OpportunityListView(DocumentListView):
    permission = P.VIEW_CRM
    change_permission = P.CHANGE_CRM
    title = gettext_lazy("Opportunities")
    filterset_class = OpportunityFilter
    default_sort = ""
    create_url = "crm:opportunity_create"
    detail_url = "crm:opportunity_detail"
    export_name = "opportunities"
    template_name = "crm/opportunity_list.html"
    columns = (
        Column("number", gettext_lazy("Number"), sort="number", link=True),
        Column("name", gettext_lazy("Name"), sort="name", link=True),
        Column("customer.name", gettext_lazy("Customer")),
        Column("stage", gettext_lazy("Stage"), sort="stage__seq"),
        Column("amount", gettext_lazy("Expected amount"), sort="amount", numeric=True),
        Column("probability", gettext_lazy("Probability (%)"), numeric=True, phone_hidden=True),
        Column("expected_close_on", gettext_lazy("Expected close date"), sort="expected_close_on", phone_hidden=True),
        OwnerColumn("owner", gettext_lazy("Owner"), phone_hidden=True),
        Column("closed_on", gettext_lazy("Closed on"), sort="closed_on", phone_hidden=True),
    )

    def queryset(self) -> QuerySet[Opportunity]:
        return opportunities.opportunity_list(organization=self.organization, actor=self.request.user)


# Board ---------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BoardColumn:
    stage: Stage
    count: int
    amount: Decimal
    cards: list[Opportunity]

    @property
    def more(self) -> int:
        return self.count - len(self.cards)


def _board_rows(view: OrgView, params: Any) -> tuple[OpportunityFilter, QuerySet[Opportunity]]:
    base = opportunities.opportunity_list(organization=view.organization, actor=view.request.user)
    data = {k: params.get(k) for k in ("q", "owner", "customer", "close_month") if params.get(k)}
    filterset = OpportunityFilter(data or None, queryset=base, request=view.request)
    try:
        rows = filtered_queryset(filterset) if filterset.is_bound else base
    except DomainError:
        rows = base.none()
    return filterset, rows


def board_columns(view: OrgView, rows: QuerySet[Opportunity], *, with_cards: bool = True) -> list[BoardColumn]:
    """One column per active stage: how many opportunities and how much, and the first cards (newest first)."""
    stages = list(opportunities.stage_list(organization=view.organization, active_only=True))
    totals = {r["stage"]: r for r in rows.order_by().values("stage").annotate(n=Count("id"), amount=Sum("amount"))}
    columns = []
    for stage in stages:
        found = totals.get(stage.pk, {})
        cards = list(rows.filter(stage=stage).order_by("-stage_entered_at", "-id")[:CARD_LIMIT]) if with_cards else []
        columns.append(
            BoardColumn(
                stage=stage,
                count=found.get("n", 0),
                amount=money(found.get("amount") or ZERO),
                cards=cards,
            )
        )
    return columns


class OpportunityBoardView(OrgView):
    """The kanban board: a column per active stage with its count and amount; cards are dragged between columns
    (SortableJS, touch too) and the move is posted to `crm:opportunity_move`; without JavaScript each card has a
    "move to" form."""

    permission = P.VIEW_CRM

    def get(self, request: HttpRequest) -> HttpResponse:
        filterset, rows = _board_rows(self, request.GET)
        columns = board_columns(self, rows)
        context = {
            "title": _("Opportunity board"),
            "filterset": filterset,
            "columns": columns,
            "stages": [c.stage for c in columns],
            "can_change": self.can(P.CHANGE_CRM),
            "query": request.GET.urlencode(),
            "next": request.get_full_path(),
        }
        return render(request, "crm/opportunity_board.html", context)


def _safe_next(request: HttpRequest, fallback: str) -> str:
    target = str(request.POST.get("next") or "")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return target
    return fallback


class OpportunityMoveView(OrgView):
    """POST stage (and loss_reason for a lost stage). From the board's drag and drop (HTMX request header): the
    moved card and the columns' new counts (out of band), or 422 with the refusal as text; from a form: back to
    `next` with a message."""

    http_method_names: ClassVar[list[str]] = ["post"]  # type: ignore[misc]
    permission = P.CHANGE_CRM

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        opportunity = opportunities.opportunity_get(organization=self.organization, actor=request.user, pk=pk)
        detail = reverse("crm:opportunity_detail", args=[opportunity.pk])
        try:
            moved = opportunities.opportunity_move(
                organization=self.organization,
                actor=request.user,
                opportunity_id=opportunity.pk,
                stage_id=request.POST.get("stage"),
                loss_reason=str(request.POST.get("loss_reason") or ""),
            )
        except DomainError as exc:
            if request.htmx:  # type: ignore[attr-defined]
                return HttpResponse(exc.message, status=422, content_type="text/plain; charset=utf-8")
            messages.error(request, exc.message)
            return redirect(request, _safe_next(request, detail))
        if request.htmx:  # type: ignore[attr-defined]
            _filters, rows = _board_rows(self, request.POST)
            context = {
                "card": Opportunity.objects.select_related("customer", "owner", "stage").get(pk=moved.pk),
                "columns": board_columns(self, rows, with_cards=False),
                "stages": list(opportunities.stage_list(organization=self.organization, active_only=True)),
                "can_change": True,
                "next": _safe_next(request, reverse("crm:opportunity_board")),
                "oob": True,
            }
            return render(request, "crm/opportunity_moved.html", context)
        messages.success(request, _("%(o)s moved to %(s)s.") % {"o": moved, "s": moved.stage})
        return redirect(request, _safe_next(request, detail))


# Opportunity page ----------------------------------------------------------------------------------------------------


def _days(start: datetime.datetime, end: datetime.datetime) -> int:
    return max((end - start).days, 0)


class OpportunityDetailView(OrgView):
    permission = P.VIEW_CRM

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        opportunity = opportunities.opportunity_get(organization=self.organization, actor=request.user, pk=pk)
        changes = list(opportunity.stage_changes.select_related("from_stage", "to_stage", "actor"))
        now = timezone.now()
        history = [
            {
                "change": change,
                "days": _days(change.entered_at, changes[i + 1].entered_at if i + 1 < len(changes) else now),
                "current": i + 1 == len(changes),
            }
            for i, change in enumerate(changes)
        ]
        quotes = list(opportunity.quotes.select_related("sales_order", "owner").order_by("-number", "-version"))
        orders = [q.sales_order for q in quotes if q.sales_order is not None]
        stages = list(opportunities.stage_list(organization=self.organization, active_only=True))
        context = {
            "obj": opportunity,
            "stages": stages,
            "history": list(reversed(history)),
            "quotes": quotes,
            "orders": orders,
            "products": list(opportunity.products.order_by("code")),
            "state_badge": STAGE_BADGES.get(StageKind(opportunity.stage.kind), "secondary"),
            "probability": normalize(opportunity.probability),
            "audit": audit_history(organization=self.organization, obj=opportunity)[:30],
            "can_change": self.can(P.CHANGE_CRM),
            "can_see_orders": self.can(P.VIEW_SALES),
            "next": request.get_full_path(),
        }
        return render(request, "crm/opportunity_detail.html", context)


class OpportunityFormView(OrgView):
    permission = P.CHANGE_CRM

    def _object(self, pk: int | None) -> Opportunity | None:
        if pk is None:
            return None
        return opportunities.opportunity_get(organization=self.organization, actor=self.request.user, pk=pk)

    def _render(self, form: OpportunityForm, obj: Opportunity | None, status: int = 200) -> HttpResponse:
        context = {
            "form": form,
            "obj": obj,
            "title": _("Edit opportunity %(o)s") % {"o": obj} if obj else _("New opportunity"),
            "cancel_url": reverse("crm:opportunity_detail", args=[obj.pk]) if obj else reverse("crm:opportunity_list"),
        }
        return render(self.request, "crm/opportunity_form.html", context, status=status)

    def get(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        obj = self._object(pk)
        if obj is not None:
            initial: dict[str, Any] = {
                "name": obj.name,
                "customer_id": obj.customer_id,
                "contact_id": obj.contact_id,
                "amount": normalize(obj.amount),
                "expected_close_on": obj.expected_close_on,
                "probability": normalize(obj.probability),
                "owner_id": obj.owner_id,
                "product_ids": list(obj.products.values_list("pk", flat=True)),
                "competitors": obj.competitors,
                "notes": obj.notes,
            }
            customer_id: int | None = obj.customer_id
        else:
            raw = str(request.GET.get("customer") or "")
            customer_id = int(raw) if raw.isdigit() and len(raw) < 16 else None
            initial = {"customer_id": customer_id, "owner_id": request.user.pk}
        form = OpportunityForm(
            initial=initial, organization=self.organization, actor=request.user, customer_id=customer_id
        )
        return self._render(form, obj)

    def post(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        obj = self._object(pk)
        customer = str(request.POST.get("customer_id") or "")
        form = OpportunityForm(
            request.POST,
            organization=self.organization,
            actor=request.user,
            customer_id=int(customer) if customer.isdigit() and len(customer) < 16 else None,
        )
        if not form.is_valid():
            return self._render(form, obj, status=422)
        data = form.data_for_service(editing=obj is not None)
        try:
            if obj is None:
                saved = opportunities.opportunity_create(organization=self.organization, actor=request.user, data=data)
            else:
                saved = opportunities.opportunity_update(
                    organization=self.organization, actor=request.user, opportunity_id=obj.pk, data=data
                )
        except DomainError as exc:
            apply_errors(form, exc)
            return self._render(form, obj, status=422)
        messages.success(request, _("Saved “%(obj)s”.") % {"obj": saved})
        return redirect(request, reverse("crm:opportunity_detail", args=[saved.pk]))


class OpportunityContactsView(OrgView):
    """HTMX: the contact choices of the customer chosen in the opportunity or quote form (for the quote form, with
    `quote=1`, its open opportunities too, out of band)."""

    permission = P.CHANGE_CRM

    def get(self, request: HttpRequest) -> HttpResponse:
        raw = str(request.GET.get("customer_id") or "")
        contacts: QuerySet[Contact] = Contact.objects.none()
        opps: QuerySet[Opportunity] = Opportunity.objects.none()
        if raw.isdigit() and len(raw) < 16:
            customer = customers_for(self.organization, request.user).filter(pk=int(raw)).first()
            if customer is not None:
                contacts = Contact.objects.filter(organization=self.organization, partner=customer)
                opps = opportunities.opportunity_list(organization=self.organization, actor=request.user).filter(
                    customer=customer
                )
        context = {"contacts": contacts, "opportunities": opps if request.GET.get("quote") else None}
        return render(request, "crm/opportunity_contact_options.html", context)


urlpatterns = [
    path("opportunities/", OpportunityListView.as_view(), name="opportunity_list"),
    path("opportunities/board/", OpportunityBoardView.as_view(), name="opportunity_board"),
    path("opportunities/new/", OpportunityFormView.as_view(), name="opportunity_create"),
    path("opportunities/contacts/", OpportunityContactsView.as_view(), name="opportunity_contacts"),
    path("opportunities/<int:pk>/", OpportunityDetailView.as_view(), name="opportunity_detail"),
    path("opportunities/<int:pk>/edit/", OpportunityFormView.as_view(), name="opportunity_edit"),
    path("opportunities/<int:pk>/move/", OpportunityMoveView.as_view(), name="opportunity_move"),
    *stage_views.urlpatterns,
    *quote_views.urlpatterns,
]
