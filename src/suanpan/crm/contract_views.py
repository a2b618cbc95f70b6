"""Contract pages: the list (filters, Excel), the form with its payment plan, the contract page with the receivable
progress against the plan, linked orders, attachments and the state actions. Thin: parse, call one service or
selector, render; the same services as the API. Attachments are downloaded through a permission-checked view."""

from __future__ import annotations

import datetime
from typing import Any, ClassVar

from django import forms
from django.contrib import messages
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from suanpan.core.audit import audit_history
from suanpan.core.exceptions import DomainError
from suanpan.core.forms import members_of
from suanpan.core.permissions import P
from suanpan.core.scopes import scoped, visible_owner_ids
from suanpan.core.ui import Column, DocumentListView, OrgView, redirect
from suanpan.crm import contracts
from suanpan.crm.choices import CONTRACT_FLOW, ContractStatus, QuoteStatus
from suanpan.crm.contract_filters import ContractFilter
from suanpan.crm.models import Contract, Opportunity, Quote
from suanpan.partners.choices import PartnerRole
from suanpan.partners.models import Partner
from suanpan.partners.selectors import partner_list
from suanpan.sales.choices import OrderStatus
from suanpan.sales.models import SalesOrder

MILESTONE_KEYS = ("name", "due_on", "amount")
BLANK_ROWS = 3
MAX_ROWS = contracts.MAX_MILESTONES
STATE_BADGES = {
    ContractStatus.DRAFT: "secondary",
    ContractStatus.ACTIVE: "success",
    ContractStatus.COMPLETED: "dark",
    ContractStatus.TERMINATED: "danger",
}


class ContractListView(DocumentListView):
    permission = P.VIEW_CRM
    change_permission = P.CHANGE_CRM
    title = gettext_lazy("Contracts")
    filterset_class = ContractFilter
    default_sort = ""
    create_url = "crm:contract_create"
    detail_url = "crm:contract_detail"
    export_name = "contracts"
    columns = (
        Column("number", gettext_lazy("Number"), sort="number", link=True),
        Column("title", gettext_lazy("Title")),
        Column("customer", gettext_lazy("Customer")),
        Column("owner", gettext_lazy("Owner"), phone_hidden=True),
        Column("amount", gettext_lazy("Amount"), sort="amount", numeric=True),
        Column("start_on", gettext_lazy("Starts"), sort="start_on", phone_hidden=True),
        Column("end_on", gettext_lazy("Ends"), sort="end_on"),
        Column("status", gettext_lazy("Status")),
    )

    def queryset(self) -> QuerySet[Contract]:
        return contracts.contract_list(organization=self.organization, actor=self.request.user)


# Form ------------------------------------------------------------------------------------------------------------


def _date_widget() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _styled(form: forms.Form) -> None:
    for field in form.fields.values():
        field.widget.attrs.setdefault(
            "class", "form-select" if isinstance(field.widget, forms.Select) else "form-control"
        )


class ContractHeaderForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Title"), max_length=200)
    customer_id = forms.ModelChoiceField(queryset=Partner.objects.none(), label=gettext_lazy("Customer"))
    amount = forms.CharField(
        label=gettext_lazy("Contract amount"), max_length=20, widget=forms.TextInput(attrs={"inputmode": "decimal"})
    )
    start_on = forms.DateField(label=gettext_lazy("Starts"), widget=_date_widget())
    end_on = forms.DateField(label=gettext_lazy("Ends"), widget=_date_widget())
    signed_on = forms.DateField(label=gettext_lazy("Signed on"), required=False, widget=_date_widget())
    owner_id = forms.ModelChoiceField(
        queryset=Partner.objects.none(), label=gettext_lazy("Owner"), required=False, empty_label=gettext_lazy("Me")
    )
    opportunity_id = forms.ModelChoiceField(
        queryset=Opportunity.objects.none(), label=gettext_lazy("Opportunity"), required=False
    )
    quote_id = forms.ModelChoiceField(queryset=Quote.objects.none(), label=gettext_lazy("Quote"), required=False)
    notes = forms.CharField(
        label=gettext_lazy("Notes"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, view: OrgView, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        organization, actor = view.organization, view.request.user
        customers = partner_list(organization=organization, role=PartnerRole.CUSTOMER, actor=actor).filter(
            is_active=True
        )
        self.fields["customer_id"].queryset = customers  # type: ignore[attr-defined]
        owner = self.fields["owner_id"]
        members = members_of(organization)
        visible = visible_owner_ids(organization, actor)
        owner.queryset = members if visible is None else members.filter(pk__in=visible)  # type: ignore[attr-defined]
        owner.label_from_instance = lambda user: str(user.get_full_name() or user.get_username())  # type: ignore[attr-defined]
        opportunity = self.fields["opportunity_id"]
        opportunity.queryset = scoped(  # type: ignore[attr-defined]
            Opportunity.objects.filter(organization=organization).select_related("customer"), organization, actor
        ).order_by("-id")
        opportunity.label_from_instance = lambda o: f"{o.number} {o.name} · {o.customer.name}"  # type: ignore[attr-defined]
        quote = self.fields["quote_id"]
        quote.queryset = (  # type: ignore[attr-defined]
            scoped(Quote.objects.filter(organization=organization).select_related("customer"), organization, actor)
            .exclude(status__in=(QuoteStatus.SUPERSEDED, QuoteStatus.REJECTED))
            .order_by("-id")
        )
        quote.label_from_instance = lambda q: f"{q} · {q.customer.name} · {q.total}"  # type: ignore[attr-defined]
        _styled(self)


def _posted_rows(request: HttpRequest) -> list[dict[str, str]]:
    raw = str(request.POST.get("row_count") or "0")
    count = min(int(raw), MAX_ROWS + BLANK_ROWS) if raw.isdigit() else 0
    rows = []
    for i in range(count):
        row = {key: str(request.POST.get(f"milestones-{i}-{key}", "")).strip() for key in MILESTONE_KEYS}
        row["_row"] = str(i)
        if any(row[key] for key in MILESTONE_KEYS):
            rows.append(row)
    return rows


def _day(value: str) -> Any:
    """A typed date, or the text itself (the service refuses it, naming the field)."""
    try:
        return parse_date(value) or value
    except ValueError:
        return value


def _split_errors(exc: DomainError, rows: list[dict[str, str]]) -> tuple[list[str], dict[str, dict[str, str]]]:
    general: list[str] = []
    by_row: dict[str, dict[str, str]] = {}
    for err in exc.errors:
        parts = (err.field or "").split(".")
        if len(parts) == 3 and parts[0] == "milestones" and parts[1].isdigit() and int(parts[1]) < len(rows):
            row = rows[int(parts[1])]["_row"]
            by_row.setdefault(row, {})[parts[2]] = err.message
            general.append(_("Milestone %(n)s: %(m)s") % {"n": int(row) + 1, "m": err.message})
        elif (err.field and err.field.split(".")[0] not in ContractHeaderForm.base_fields) or err.field is None:
            general.append(err.message)
    return general, by_row


class ContractFormView(OrgView):
    permission = P.CHANGE_CRM

    def _contract(self, pk: int | None) -> Contract | None:
        if pk is None:
            return None
        return contracts.contract_get(organization=self.organization, actor=self.request.user, pk=pk)

    def _render(
        self,
        request: HttpRequest,
        contract: Contract | None,
        form: ContractHeaderForm,
        rows: list[dict[str, str]],
        errors: list[str],
        row_errors: dict[str, dict[str, str]],
        status: int = 200,
    ) -> HttpResponse:
        padded = [*rows, *[dict.fromkeys(MILESTONE_KEYS, "")] * (BLANK_ROWS if len(rows) < 2 else 1)]
        milestones = [
            {**row, "i": i, "errors": row_errors.get(str(row.get("_row", i)), {})} for i, row in enumerate(padded)
        ]
        context = {
            "contract": contract,
            "form": form,
            "milestones": milestones,
            "row_count": len(milestones),
            "errors": errors,
            "title": _("Edit contract %(c)s") % {"c": contract.number} if contract else _("New contract"),
            "cancel_url": reverse("crm:contract_detail", args=[contract.pk])
            if contract
            else reverse("crm:contract_list"),
        }
        return render(request, "crm/contract_form.html", context, status=status)

    def get(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        contract = self._contract(pk)
        if contract is not None:
            if contract.status != ContractStatus.DRAFT:
                messages.error(request, _("Only a draft contract can be changed."))
                return redirect(request, reverse("crm:contract_detail", args=[contract.pk]))
            form = ContractHeaderForm(
                initial={
                    "title": contract.title,
                    "customer_id": contract.customer_id,
                    "amount": f"{contract.amount:f}",
                    "start_on": contract.start_on,
                    "end_on": contract.end_on,
                    "signed_on": contract.signed_on,
                    "owner_id": contract.owner_id,
                    "opportunity_id": contract.opportunity_id,
                    "quote_id": contract.quote_id,
                    "notes": contract.notes,
                },
                view=self,
            )
            rows = [
                {"name": m.name, "due_on": m.due_on.isoformat(), "amount": f"{m.amount:f}", "_row": str(i)}
                for i, m in enumerate(contract.milestones.order_by("seq"))
            ]
        else:
            form = ContractHeaderForm(initial=self._prefill(request), view=self)
            rows = []
        return self._render(request, contract, form, rows, [], {})

    def _prefill(self, request: HttpRequest) -> dict[str, Any]:
        """A new contract from a customer, opportunity or quote page (?customer= / ?opportunity= / ?quote=)."""
        today = timezone.localdate()
        initial: dict[str, Any] = {
            "start_on": today,
            "end_on": today.replace(year=today.year + 1) - datetime.timedelta(days=1),
        }
        form = ContractHeaderForm(view=self)
        quote = form.fields["quote_id"].queryset.filter(pk=_int(request.GET.get("quote"))).first()  # type: ignore[attr-defined]
        if quote is not None:
            initial.update(
                quote_id=quote.pk,
                customer_id=quote.customer_id,
                amount=f"{quote.total:f}",
                opportunity_id=quote.opportunity_id,
                title=str(quote),
            )
        opportunity = form.fields["opportunity_id"].queryset.filter(pk=_int(request.GET.get("opportunity"))).first()  # type: ignore[attr-defined]
        if opportunity is not None:
            initial.setdefault("title", opportunity.name)
            initial.setdefault("amount", f"{opportunity.amount:f}")
            initial.update(opportunity_id=opportunity.pk, customer_id=opportunity.customer_id)
        customer = _int(request.GET.get("customer"))
        if customer is not None:
            initial.setdefault("customer_id", customer)
        return initial

    def post(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        contract = self._contract(pk)
        form = ContractHeaderForm(request.POST, view=self)
        rows = _posted_rows(request)
        if not form.is_valid():
            return self._render(request, contract, form, rows, [], {}, status=422)
        cleaned = form.cleaned_data
        data = {
            "title": cleaned["title"],
            "customer_id": cleaned["customer_id"].pk,
            "amount": cleaned["amount"],
            "start_on": cleaned["start_on"],
            "end_on": cleaned["end_on"],
            "signed_on": cleaned["signed_on"],
            "owner_id": cleaned["owner_id"].pk if cleaned["owner_id"] else None,
            "opportunity_id": cleaned["opportunity_id"].pk if cleaned["opportunity_id"] else None,
            "quote_id": cleaned["quote_id"].pk if cleaned["quote_id"] else None,
            "notes": cleaned["notes"],
            "milestones": [{"name": r["name"], "due_on": _day(r["due_on"]), "amount": r["amount"]} for r in rows],
        }
        if data["owner_id"] is None and contract is not None:
            data["owner_id"] = contract.owner_id
        try:
            if contract is None:
                saved = contracts.contract_create(organization=self.organization, actor=request.user, data=data)
            else:
                saved = contracts.contract_update(
                    organization=self.organization, actor=request.user, contract_id=contract.pk, data=data
                )
        except DomainError as exc:
            general, by_row = _split_errors(exc, rows)
            for err in exc.errors:
                if err.field in form.fields:
                    form.add_error(err.field, err.message)
            return self._render(request, contract, form, rows, general, by_row, status=422)
        messages.success(request, _("Saved “%(obj)s”.") % {"obj": saved.number})
        return redirect(request, reverse("crm:contract_detail", args=[saved.pk]))


def _int(value: object) -> int | None:
    text = str(value or "").strip()
    return int(text) if text.isdigit() and len(text) < 16 else None


# Contract page -----------------------------------------------------------------------------------------------------


def contract_context(view: OrgView, contract: Contract, refusal: DomainError | None = None) -> dict[str, Any]:
    """The contract page: fields, the plan with its receivable progress, linked orders, attachments, history and the
    actions the member may take in the contract's state."""
    can_change = view.can(P.CHANGE_CRM)
    status = contract.status
    linked = list(contract.orders.order_by("date", "pk"))
    linkable: list[SalesOrder] = []
    if can_change and status in contracts.LINKABLE:
        linkable = list(
            SalesOrder.objects.filter(organization=view.organization, customer_id=contract.customer_id)
            .exclude(status__in=(OrderStatus.CANCELLED,))
            .filter(contracts__isnull=True)
            .order_by("-date", "-pk")[:100]
        )
    history = [
        {
            "event": event,
            "states": [CONTRACT_FLOW.labels.get(s, s) for s in event.changes.get("status", [])]
            if isinstance(event.changes.get("status"), list)
            else [],
        }
        for event in audit_history(organization=view.organization, obj=contract)[:50]
    ]
    return {
        "contract": contract,
        "progress": contracts.contract_progress(organization=view.organization, contract=contract),
        "orders": linked,
        "linkable": linkable,
        "attachments": list(contract.attachments.select_related("uploaded_by")),
        "history": history,
        "refusal": refusal,
        "state_badge": STATE_BADGES.get(ContractStatus(status), "secondary"),
        "in_force": status == ContractStatus.ACTIVE,  # overdue milestones are highlighted while it is in force
        "can_change": can_change,
        "can_edit": can_change and status == ContractStatus.DRAFT,
        "can_activate": can_change and CONTRACT_FLOW.can(status, ContractStatus.ACTIVE),
        "can_complete": can_change and CONTRACT_FLOW.can(status, ContractStatus.COMPLETED),
        "can_terminate": can_change and CONTRACT_FLOW.can(status, ContractStatus.TERMINATED),
        "can_link": can_change and status in contracts.LINKABLE,
        "can_upload": can_change and status in contracts.UPLOADABLE,
        "can_delete_files": can_change and status == ContractStatus.DRAFT,
        "accept": ",".join(f".{ext}" for ext in sorted(contracts.ATTACHMENT_TYPES)),
        "max_mb": contracts.MAX_ATTACHMENT_BYTES // (1024 * 1024),
    }


class ContractDetailView(OrgView):
    permission = P.VIEW_CRM

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        contract = contracts.contract_get(organization=self.organization, actor=request.user, pk=pk)
        return render(request, "crm/contract_detail.html", contract_context(self, contract))


class _ContractPost(OrgView):
    """A post on a contract page: run one service; a refusal shows on the contract page with status 422."""

    http_method_names: ClassVar[list[str]] = ["post"]  # type: ignore[misc]
    permission = P.CHANGE_CRM

    def refused(self, request: HttpRequest, contract: Contract, exc: DomainError) -> HttpResponse:
        contract.refresh_from_db()
        return render(request, "crm/contract_detail.html", contract_context(self, contract, exc), status=422)

    def done(self, request: HttpRequest, contract: Contract, message: str) -> HttpResponse:
        messages.success(request, message)
        return redirect(request, reverse("crm:contract_detail", args=[contract.pk]))

    def contract(self, request: HttpRequest, pk: int) -> Contract:
        return contracts.contract_get(organization=self.organization, actor=request.user, pk=pk)


ACTION_DONE = {
    "activate": gettext_lazy("The contract is in force."),
    "complete": gettext_lazy("The contract is completed."),
    "terminate": gettext_lazy("The contract is terminated."),
}


class ContractActionView(_ContractPost):
    def post(self, request: HttpRequest, pk: int, action: str) -> HttpResponse:
        if action not in contracts.CONTRACT_ACTIONS:
            raise Http404
        contract = self.contract(request, pk)
        extra = {"reason": request.POST.get("reason", "")} if action == "terminate" else {}
        try:
            contracts.CONTRACT_ACTIONS[action](
                organization=self.organization, actor=request.user, contract_id=contract.pk, **extra
            )
        except DomainError as exc:
            return self.refused(request, contract, exc)
        return self.done(request, contract, str(ACTION_DONE[action]))


class ContractAttachmentUploadView(_ContractPost):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        contract = self.contract(request, pk)
        try:
            attachment = contracts.contract_attachment_add(
                organization=self.organization,
                actor=request.user,
                contract_id=contract.pk,
                upload=request.FILES.get("file"),
            )
        except DomainError as exc:
            return self.refused(request, contract, exc)
        return self.done(request, contract, _("Attached “%(name)s”.") % {"name": attachment.name})


class ContractAttachmentDeleteView(_ContractPost):
    def post(self, request: HttpRequest, pk: int, attachment_id: int) -> HttpResponse:
        contract = self.contract(request, pk)
        attachment = contracts.attachment_get(
            organization=self.organization, actor=request.user, contract_id=contract.pk, attachment_id=attachment_id
        )
        try:
            contracts.contract_attachment_delete(
                organization=self.organization, actor=request.user, contract_id=contract.pk, attachment_id=attachment.pk
            )
        except DomainError as exc:
            return self.refused(request, contract, exc)
        return self.done(request, contract, _("Removed “%(name)s”.") % {"name": attachment.name})


class ContractAttachmentView(OrgView):
    """Download an attachment: only through this view, for members who see the contract."""

    permission = P.VIEW_CRM

    def get(self, request: HttpRequest, pk: int, attachment_id: int) -> HttpResponseBase:
        attachment = contracts.attachment_get(
            organization=self.organization, actor=request.user, contract_id=pk, attachment_id=attachment_id
        )
        try:
            handle = attachment.file.open("rb")
        except FileNotFoundError:
            raise Http404(_("The file is missing from the storage.")) from None
        return attachment_response(handle, attachment.name)


def attachment_response(handle: Any, name: str) -> FileResponse:
    """The file as a download (never shown inline), typed by its extension."""
    extension = contracts.attachment_extension(name)
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=name,
        content_type=contracts.ATTACHMENT_TYPES.get(extension, "application/octet-stream"),
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


class ContractOrderLinkView(_ContractPost):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        contract = self.contract(request, pk)
        try:
            contracts.contract_order_link(
                organization=self.organization,
                actor=request.user,
                contract_id=contract.pk,
                order_id=request.POST.get("order_id"),
            )
        except DomainError as exc:
            return self.refused(request, contract, exc)
        return self.done(request, contract, _("Order linked."))


class ContractOrderUnlinkView(_ContractPost):
    def post(self, request: HttpRequest, pk: int, order_id: int) -> HttpResponse:
        contract = self.contract(request, pk)
        if not contract.orders.filter(pk=order_id).exists():
            raise Http404
        try:
            contracts.contract_order_unlink(
                organization=self.organization, actor=request.user, contract_id=contract.pk, order_id=order_id
            )
        except DomainError as exc:
            return self.refused(request, contract, exc)
        return self.done(request, contract, _("Order unlinked."))


urlpatterns = [
    path("contracts/", ContractListView.as_view(), name="contract_list"),
    path("contracts/new/", ContractFormView.as_view(), name="contract_create"),
    path("contracts/<int:pk>/", ContractDetailView.as_view(), name="contract_detail"),
    path("contracts/<int:pk>/edit/", ContractFormView.as_view(), name="contract_edit"),
    path("contracts/<int:pk>/attachments/", ContractAttachmentUploadView.as_view(), name="contract_attachment_add"),
    path(
        "contracts/<int:pk>/attachments/<int:attachment_id>/",
        ContractAttachmentView.as_view(),
        name="contract_attachment",
    ),
    path(
        "contracts/<int:pk>/attachments/<int:attachment_id>/delete/",
        ContractAttachmentDeleteView.as_view(),
        name="contract_attachment_delete",
    ),
    path("contracts/<int:pk>/orders/", ContractOrderLinkView.as_view(), name="contract_order_link"),
    path(
        "contracts/<int:pk>/orders/<int:order_id>/unlink/",
        ContractOrderUnlinkView.as_view(),
        name="contract_order_unlink",
    ),
    path("contracts/<int:pk>/<str:action>/", ContractActionView.as_view(), name="contract_action"),
]
