"""CRM pages (lead area): the lead list (filters, Excel, bulk reassignment), the lead form (phone-friendly, with the
duplicate warning), the lead page (status actions, possible duplicates, the follow-up panel, history) and the
conversion page; channels and assignment rules live in `channel_views` and `assignment_views`. Thin: parse, call
one service or selector, render. `urlpatterns` is assembled in `crm/urls.py`."""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from suanpan.core.audit import audit_history
from suanpan.core.excel import workbook_bytes, xlsx_response
from suanpan.core.exceptions import DomainError, InvalidInput, NotFound
from suanpan.core.filters import filtered_queryset
from suanpan.core.importing import importer_for
from suanpan.core.permissions import P
from suanpan.core.scopes import may_see
from suanpan.core.ui import EXPORT_LIMIT, PAGE_SIZE, Column, DocumentListView, OrgView, apply_errors, redirect
from suanpan.crm import assignment_views, channel_views, leads
from suanpan.crm.choices import LEAD_FLOW, LeadStatus
from suanpan.crm.lead_filters import LeadFilter
from suanpan.crm.lead_forms import PROVINCES, ConvertForm, InvalidateForm, LeadForm, ReassignForm, user_label
from suanpan.crm.models import Lead
from suanpan.crm.setup import channels_ensure

FOLLOWUP_PANEL = "/crm/follow-ups/panel/"  # area B's `crm:followup_panel`, used as is until that page exists

STATUS_BADGES = {
    LeadStatus.NEW: "info",
    LeadStatus.CONTACTING: "primary",
    LeadStatus.QUALIFIED: "warning",
    LeadStatus.CONVERTED: "success",
    LeadStatus.INVALID: "secondary",
}


class UserColumn(Column):
    def raw(self, obj: object) -> Any:
        user = super().raw(obj)
        return user_label(user) if user is not None else None


def _url(name: str, *args: Any, fallback: str = "") -> str:
    try:
        return reverse(name, args=list(args))
    except NoReverseMatch:
        return fallback


def customer_url(customer_id: int) -> str:
    """The customer's 360° page where it exists, else the customer record."""
    return _url("crm:customer_360", customer_id) or reverse("partners:customer_detail", args=[customer_id])


# List -----------------------------------------------------------------------------------------------------------


class LeadListView(DocumentListView):
    permission = P.VIEW_CRM
    change_permission = P.CHANGE_CRM
    title = gettext_lazy("Leads")
    filterset_class = LeadFilter
    default_sort = ""
    create_url = "crm:lead_create"
    detail_url = "crm:lead_detail"
    export_name = "leads"
    template_name = "crm/lead_list.html"
    columns = (
        Column("number", gettext_lazy("Number"), sort="number", link=True),
        Column("display_name", gettext_lazy("Company / contact"), link=True),
        Column("contact_name", gettext_lazy("Contact"), phone_hidden=True),
        Column("mobile", gettext_lazy("Mobile"), phone_hidden=True),
        Column("province", gettext_lazy("Province"), phone_hidden=True),
        Column("channel", gettext_lazy("Channel"), phone_hidden=True),
        UserColumn("owner", gettext_lazy("Owner"), phone_hidden=True),
        Column("status", gettext_lazy("Status")),
        Column("created_at", gettext_lazy("Created"), sort="created_at", phone_hidden=True),
    )

    def queryset(self) -> QuerySet[Lead]:
        return leads.lead_list(organization=self.organization, actor=self.request.user)

    @property
    def import_kind(self) -> str:  # type: ignore[override]
        """The Excel import of leads, once `crm.lead_importers.LEADS` is registered."""
        try:
            importer_for("leads")
        except NotFound:
            return ""
        return "leads"

    def get(self, request: HttpRequest) -> HttpResponse:
        filterset = self.filterset_class(request.GET or None, queryset=self.queryset(), request=request)
        try:
            qs = filtered_queryset(filterset) if filterset.is_bound else filterset.queryset
        except InvalidInput:
            qs = filterset.queryset.none()
        sort = request.GET.get("sort", self.default_sort)
        if sort.lstrip("-") in {c.sort for c in self.columns if c.sort}:
            qs = qs.order_by(sort, "pk")
        else:
            sort = ""
        if request.GET.get("export") == "xlsx":
            rows = ([c.raw(o) for c in self.columns] for o in qs[:EXPORT_LIMIT].iterator(chunk_size=1000))
            headers = [str(c.label) for c in self.columns]
            return xlsx_response(self.export_name, workbook_bytes(str(self.title), headers, rows))
        page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
        query = request.GET.copy()
        query.pop("page", None)
        sort_query = query.copy()
        sort_query.pop("sort", None)
        can_reassign = self.can(P.MANAGE_CRM)
        context = {
            "view": self,
            "title": self.title,
            "filterset": filterset,
            "page": page,
            "rows": [
                {
                    "obj": obj,
                    "href": reverse("crm:lead_detail", args=[obj.pk]),
                    "badge": STATUS_BADGES.get(LeadStatus(obj.status), "secondary"),
                    "cells": [(c, c.text(obj)) for c in self.columns],
                }
                for obj in page.object_list
            ],
            "columns": self.columns,
            "nowrap": ("number", "contact_name", "mobile", "province", "channel", "owner", "status"),
            "sort": sort,
            "query": query.urlencode(),
            "sort_query": sort_query.urlencode(),
            "can_change": self.can(self.change_permission),
            "can_reassign": can_reassign,
            "reassign_form": ReassignForm(organization=self.organization) if can_reassign else None,
            "can_manage": self.can(P.MANAGE_CRM),
        }
        template = "crm/lead_list_results.html" if request.htmx else self.template_name  # type: ignore[attr-defined]
        return render(request, template, context)


class LeadReassignView(OrgView):
    """Bulk reassignment from the list: the ticked leads (`lead`) to the chosen member (`owner`)."""

    http_method_names: ClassVar[list[str]] = ["post"]  # type: ignore[misc]
    permission = P.MANAGE_CRM

    def post(self, request: HttpRequest) -> HttpResponse:
        back = str(request.POST.get("next") or "")
        if not back.startswith("/") or not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
            back = reverse("crm:lead_list")
        form = ReassignForm(request.POST, organization=self.organization)
        if not form.is_valid():
            messages.error(request, _("Choose the member to give the leads to."))
            return redirect(request, back)
        owner = form.cleaned_data["owner"]
        try:
            count = leads.lead_reassign(
                organization=self.organization,
                actor=request.user,
                lead_ids=request.POST.getlist("lead"),
                owner_id=owner.pk,
            )
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect(request, back)
        messages.success(request, _("%(n)d leads reassigned to %(user)s.") % {"n": count, "user": user_label(owner)})
        return redirect(request, back)


# Form -----------------------------------------------------------------------------------------------------------


class LeadFormView(OrgView):
    permission = P.CHANGE_CRM

    def _lead(self, pk: int | None) -> Lead | None:
        if pk is None:
            return None
        return leads.lead_get(organization=self.organization, pk=pk, actor=self.request.user)

    def _form(self, lead: Lead | None, data: Any = None, *, duplicates: bool = False) -> LeadForm:
        channels_ensure(self.organization)
        initial = None
        if lead is not None and data is None:
            initial = {key: getattr(lead, key) for key in leads.LEAD_TEXT_FIELDS}
            initial["channel"] = lead.channel_id
        return LeadForm(
            data,
            initial=initial,
            organization=self.organization,
            lead=lead,
            can_assign=self.can(P.MANAGE_CRM),
            show_allow_duplicate=duplicates or bool(data and data.get("allow_duplicate")),
        )

    def _render(
        self, lead: Lead | None, form: LeadForm, duplicates: list[leads.Duplicate] | None = None, status: int = 200
    ) -> HttpResponse:
        context = {
            "lead": lead,
            "form": form,
            "duplicates": [_duplicate_row(self, d) for d in duplicates or []],
            "provinces": PROVINCES,
            "title": _("Edit lead %(lead)s") % {"lead": lead.number} if lead else _("New lead"),
            "cancel_url": reverse("crm:lead_detail", args=[lead.pk]) if lead else reverse("crm:lead_list"),
        }
        return render(self.request, "crm/lead_form.html", context, status=status)

    def get(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        lead = self._lead(pk)
        return self._render(lead, self._form(lead))

    def post(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        lead = self._lead(pk)
        form = self._form(lead, request.POST)
        if not form.is_valid():
            return self._render(lead, form, status=422)
        data = form.data_for_service()
        try:
            if lead is None:
                saved = leads.lead_create(organization=self.organization, actor=request.user, data=data)
            else:
                saved = leads.lead_update(
                    organization=self.organization, actor=request.user, lead_id=lead.pk, data=data
                )
        except leads.DuplicateFound as exc:
            form = self._form(lead, request.POST, duplicates=True)
            form.is_valid()
            apply_errors(form, _renamed(exc))
            return self._render(lead, form, exc.duplicates, status=422)
        except InvalidInput as exc:
            apply_errors(form, _renamed(exc))
            return self._render(lead, form, status=422)
        except DomainError as exc:
            form.add_error(None, exc.message)
            return self._render(lead, form, status=422)
        messages.success(request, _("Saved “%(obj)s”.") % {"obj": saved})
        return redirect(request, reverse("crm:lead_detail", args=[saved.pk]))


def _renamed(exc: InvalidInput) -> InvalidInput:
    """The service's payload names (channel_id, owner_id) → the form's fields (channel, owner)."""
    from suanpan.core.exceptions import FieldError

    names = {"channel_id": "channel", "owner_id": "owner"}
    return InvalidInput([FieldError(names.get(e.field or "", e.field), e.message) for e in exc.errors])


def _duplicate_row(view: OrgView, d: leads.Duplicate) -> dict[str, Any]:
    """A duplicate with a link to it; a record outside the member's data scope is named without one."""
    href = ""
    if d.kind == "lead":
        if isinstance(d.record, Lead) and leads.may_see_lead(view.organization, view.request.user, d.record):
            href = reverse("crm:lead_detail", args=[d.record.pk])
    else:
        customer = d.customer
        if customer is not None and may_see(view.organization, view.request.user, customer.owner_id):
            href = customer_url(customer.pk)
    return {"duplicate": d, "href": href}


# Lead page and actions ------------------------------------------------------------------------------------------


def lead_context(view: OrgView, lead: Lead, refusal: DomainError | None = None, **extra: Any) -> dict[str, Any]:
    can_change = view.can(P.CHANGE_CRM)
    status = lead.status
    history = [
        {
            "event": event,
            "states": [LEAD_FLOW.labels.get(s, s) for s in event.changes.get("status", [])]
            if isinstance(event.changes.get("status"), list)
            else [],
            "owner_change": event.changes.get("owner") if isinstance(event.changes.get("owner"), list) else None,
        }
        for event in audit_history(organization=view.organization, obj=lead).select_related("actor")[:50]
    ]
    duplicates = leads.lead_duplicates(organization=view.organization, actor=view.request.user, lead_id=lead.pk)
    panel = _url("crm:followup_panel", fallback=FOLLOWUP_PANEL)
    return {
        "lead": lead,
        "badge": STATUS_BADGES.get(LeadStatus(status), "secondary"),
        "history": history,
        "duplicates": [_duplicate_row(view, d) for d in duplicates],
        "followup_url": f"{panel}?lead={lead.pk}",
        "customer_href": customer_url(lead.customer_id) if lead.customer_id else "",
        "opportunity_href": _url("crm:opportunity_detail", lead.opportunity_id) if lead.opportunity_id else "",
        "refusal": refusal,
        "invalidate_form": extra.pop("invalidate_form", None) or InvalidateForm(),
        "can_edit": can_change and status != LeadStatus.CONVERTED,
        "can_contact": can_change and LEAD_FLOW.can(status, LeadStatus.CONTACTING) and status != LeadStatus.INVALID,
        "can_qualify": can_change and LEAD_FLOW.can(status, LeadStatus.QUALIFIED),
        "can_invalidate": can_change and LEAD_FLOW.can(status, LeadStatus.INVALID),
        "can_reopen": can_change and status == LeadStatus.INVALID,
        "can_convert": can_change and LEAD_FLOW.can(status, LeadStatus.CONVERTED),
        **extra,
    }


class LeadDetailView(OrgView):
    permission = P.VIEW_CRM

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        lead = leads.lead_get(organization=self.organization, pk=pk, actor=request.user)
        return render(request, "crm/lead_detail.html", lead_context(self, lead))


LEAD_ACTIONS: dict[str, tuple[Any, Any]] = {
    "contact": (leads.lead_contact, gettext_lazy("The lead is being contacted.")),
    "qualify": (leads.lead_qualify, gettext_lazy("The lead is qualified.")),
    "invalidate": (leads.lead_invalidate, gettext_lazy("The lead is marked invalid.")),
    "reopen": (leads.lead_reopen, gettext_lazy("The lead is open again.")),
}


class LeadActionView(OrgView):
    """The lead's status actions; a refusal is shown on the lead's page with status 422."""

    http_method_names: ClassVar[list[str]] = ["post"]  # type: ignore[misc]
    permission = P.CHANGE_CRM

    def post(self, request: HttpRequest, pk: int, action: str) -> HttpResponse:
        if action not in LEAD_ACTIONS:
            raise Http404
        service, done = LEAD_ACTIONS[action]
        lead = leads.lead_get(organization=self.organization, pk=pk, actor=request.user)
        extra: dict[str, Any] = {}
        form = None
        if action == "invalidate":
            form = InvalidateForm(request.POST)
            extra["reason"] = str(request.POST.get("reason") or "")
        try:
            service(organization=self.organization, actor=request.user, lead_id=lead.pk, **extra)
        except DomainError as exc:
            lead.refresh_from_db()
            if form is not None and exc.field == "reason":
                form.is_valid()
                form.errors.pop("reason", None)
                form.add_error("reason", exc.message)
            return render(
                request,
                "crm/lead_detail.html",
                lead_context(self, lead, refusal=exc, invalidate_form=form, show_invalidate=form is not None),
                status=422,
            )
        messages.success(request, str(done))
        return redirect(request, reverse("crm:lead_detail", args=[lead.pk]))


# Conversion -----------------------------------------------------------------------------------------------------


class LeadConvertView(OrgView):
    """Lead → customer (new or existing) + contact + (optionally) opportunity, in one step."""

    permission = P.CHANGE_CRM

    def _render(
        self, lead: Lead, form: ConvertForm, duplicates: list[leads.Duplicate] | None = None, status: int = 200
    ) -> HttpResponse:
        context = {
            "lead": lead,
            "form": form,
            "duplicates": [_duplicate_row(self, d) for d in duplicates or []],
            "convertible": LEAD_FLOW.can(lead.status, LeadStatus.CONVERTED),
            "title": _("Convert lead %(lead)s") % {"lead": lead.number},
            "cancel_url": reverse("crm:lead_detail", args=[lead.pk]),
        }
        return render(self.request, "crm/lead_convert.html", context, status=status)

    def _form(self, data: Any = None, *, duplicates: bool = False, initial: Any = None) -> ConvertForm:
        return ConvertForm(
            data,
            initial=initial,
            organization=self.organization,
            actor=self.request.user,
            show_allow_duplicate=duplicates or bool(data and data.get("allow_duplicate")),
        )

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        lead = leads.lead_get(organization=self.organization, pk=pk, actor=request.user)
        # a customer the lead repeats is offered first: linking to it is usually what the rep wants
        similar = [
            d.customer
            for d in leads.find_duplicates(
                organization=self.organization,
                mobile=lead.mobile,
                phone=lead.phone,
                credit_code=lead.credit_code,
                company=lead.company,
                leads=False,
            )
            if d.customer is not None
        ]
        form = self._form(initial={"opportunity_name": lead.display_name, "with_opportunity": True})
        choices = form.fields["customer"].queryset  # type: ignore[attr-defined]
        visible = [c for c in similar if choices.filter(pk=c.pk).exists()]
        if visible:
            form.initial["customer"] = visible[0].pk
        return self._render(lead, form)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        lead = leads.lead_get(organization=self.organization, pk=pk, actor=request.user)
        form = self._form(request.POST)
        if not form.is_valid():
            return self._render(lead, form, status=422)
        try:
            customer, _contact, opportunity = leads.lead_convert(
                organization=self.organization, actor=request.user, lead_id=lead.pk, data=form.data_for_service()
            )
        except leads.DuplicateFound as exc:
            form = self._form(request.POST, duplicates=True)
            form.is_valid()
            apply_errors(form, _converted_names(exc))
            return self._render(lead, form, exc.duplicates, status=422)
        except InvalidInput as exc:
            apply_errors(form, _converted_names(exc))
            return self._render(lead, form, status=422)
        except DomainError as exc:
            form.add_error(None, exc.message)
            return self._render(lead, form, status=422)
        if opportunity is not None:
            messages.success(
                request,
                _("Converted: customer %(c)s and opportunity %(o)s.") % {"c": customer, "o": opportunity},
            )
        else:
            messages.success(request, _("Converted: customer %(c)s.") % {"c": customer})
        return redirect(request, customer_url(customer.pk))


def _converted_names(exc: InvalidInput) -> InvalidInput:
    from suanpan.core.exceptions import FieldError

    names = {
        "customer_id": "customer",
        "opportunity.name": "opportunity_name",
        "opportunity.amount": "amount",
        "opportunity.expected_close_on": "expected_close_on",
    }
    return InvalidInput([FieldError(names.get(e.field or "", e.field), e.message) for e in exc.errors])


urlpatterns = [
    path("leads/", LeadListView.as_view(), name="lead_list"),
    path("leads/new/", LeadFormView.as_view(), name="lead_create"),
    path("leads/reassign/", LeadReassignView.as_view(), name="lead_reassign"),
    path("leads/<int:pk>/", LeadDetailView.as_view(), name="lead_detail"),
    path("leads/<int:pk>/edit/", LeadFormView.as_view(), name="lead_edit"),
    path("leads/<int:pk>/convert/", LeadConvertView.as_view(), name="lead_convert"),
    path("leads/<int:pk>/<str:action>/", LeadActionView.as_view(), name="lead_action"),
    *channel_views.urlpatterns,
    *assignment_views.urlpatterns,
]
