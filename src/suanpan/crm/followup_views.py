"""CRM pages of follow-ups and "my day" (and, assembled here, the pool and CRM settings pages). `urlpatterns` is
assembled in `crm/urls.py`.

- `crm:followup_panel` (HTMX partial): a subject's timeline and the short "log a follow-up" form, embedded by the
  lead, opportunity and customer pages: `<div hx-get="{% url 'crm:followup_panel' %}?lead=12" hx-trigger="load">`.
- `crm:followup_log` (POST): logs one and answers the refreshed panel (HTMX) or redirects back.
- `crm:followup_new`: the same form as a page of its own, for phones (`?customer=..`, `?lead=..`, `?opportunity=..`).
- `crm:followup_list`: the follow-ups the member sees, with filters and Excel export.
- `crm:my_day`: the rep's day.
Thin: parse, call one service or selector, render.
"""

from __future__ import annotations

import datetime
from typing import Any, ClassVar

from django import forms
from django.contrib import messages
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, path, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from suanpan.core.exceptions import DomainError, InvalidInput
from suanpan.core.permissions import P
from suanpan.core.ui import Column, DocumentListView, OrgView, redirect
from suanpan.crm import crm_settings_views, followups, myday, pool_views
from suanpan.crm.choices import FollowUpKind
from suanpan.crm.followup_filters import FollowUpFilter
from suanpan.crm.models import FollowUp
from suanpan.partners.choices import PartnerRole
from suanpan.partners.selectors import partner_list

TIMELINE_LIMIT = 50
KIND_ICONS = {
    FollowUpKind.CALL: "bi-telephone",
    FollowUpKind.VISIT: "bi-geo-alt",
    FollowUpKind.WECHAT: "bi-wechat",
    FollowUpKind.EMAIL: "bi-envelope",
    FollowUpKind.MEETING: "bi-people",
    FollowUpKind.NOTE: "bi-journal-text",
}


class FollowUpForm(forms.Form):
    """One short form, usable with a thumb: type, what happened, when to follow up next and what to do."""

    kind = forms.ChoiceField(
        label=gettext_lazy("Type"),
        choices=FollowUpKind.choices,
        initial=FollowUpKind.CALL,
        required=False,
        widget=forms.RadioSelect,
    )
    content = forms.CharField(
        label=gettext_lazy("What happened"),
        max_length=followups.CONTENT_MAX,
        widget=forms.Textarea(attrs={"rows": 3, "enterkeyhint": "enter", "autocapitalize": "sentences"}),
    )
    next_on = forms.DateField(
        label=gettext_lazy("Next follow-up"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    next_action = forms.CharField(
        label=gettext_lazy("Next action"),
        required=False,
        max_length=followups.ACTION_MAX,
        widget=forms.TextInput(attrs={"enterkeyhint": "send", "autocomplete": "off"}),
    )
    happened_on = forms.DateField(
        label=gettext_lazy("Day it happened"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=gettext_lazy("Empty: now."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("content", "next_on", "next_action", "happened_on"):
            self.fields[name].widget.attrs.setdefault("class", "form-control")

    def data_for_service(self) -> dict[str, Any]:
        cleaned = self.cleaned_data
        return {
            "kind": cleaned.get("kind") or FollowUpKind.CALL,
            "content": cleaned["content"],
            "next_on": cleaned.get("next_on"),
            "next_action": cleaned.get("next_action") or "",
            "happened_at": cleaned.get("happened_on"),
        }


def _subject_args(source: Any) -> dict[str, Any]:
    return {key: source.get(key) or None for key in followups.SUBJECT_KEYS}


def _safe_next(request: HttpRequest, value: object) -> str:
    url = str(value or "")
    if url and url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()}):
        return url
    return ""


def quick_days(today: datetime.date) -> list[tuple[str, str]]:
    """The next-date shortcuts: (label, ISO date)."""
    return [
        (_("Tomorrow"), (today + datetime.timedelta(days=1)).isoformat()),
        (_("In 3 days"), (today + datetime.timedelta(days=3)).isoformat()),
        (_("Next week"), (today + datetime.timedelta(days=7)).isoformat()),
    ]


def timeline(view: OrgView, subject: followups.Subject) -> list[dict[str, Any]]:
    """The subject's follow-ups, newest first, with what the member may do to each."""
    today = timezone.localdate()
    rows = followups.followup_scoped(view.organization, view.request.user).filter(subject.timeline_q())
    can_change = view.can(P.CHANGE_CRM)
    entries = []
    for row in rows[:TIMELINE_LIMIT]:
        open_step = row.next_done_at is None and bool(row.next_on or row.next_action)
        entries.append(
            {
                "row": row,
                "icon": KIND_ICONS.get(FollowUpKind(row.kind), "bi-chat"),
                "open_step": open_step,
                "overdue": open_step and row.next_on is not None and row.next_on < today,
                "other_subject": followups.subject_of(row) if row.opportunity_id and subject.customer else None,
                "can_delete": can_change
                and row.user_id == view.request.user.pk
                and timezone.localdate(row.created_at) == today,
            }
        )
    return entries


def form_context(view: OrgView, subject: followups.Subject | None, form: FollowUpForm, next_url: str) -> dict[str, Any]:
    today = timezone.localdate()
    return {
        "subject": subject,
        "form": form,
        "kinds": [(value, label, KIND_ICONS[FollowUpKind(value)]) for value, label in FollowUpKind.choices],
        "quick_days": quick_days(today),
        "today": today,
        "next_url": next_url,
        "can_change": view.can(P.CHANGE_CRM),
    }


def panel_context(
    view: OrgView, subject: followups.Subject, form: FollowUpForm | None = None, *, saved: bool = False
) -> dict[str, Any]:
    next_url = _safe_next(view.request, view.request.GET.get("next") or view.request.POST.get("next"))
    return {
        **form_context(view, subject, form or FollowUpForm(), next_url),
        "entries": timeline(view, subject),
        "saved": saved,
    }


class FollowUpPanelView(OrgView):
    """HTMX: a subject's timeline and the short form (other pages embed it)."""

    permission = P.VIEW_CRM

    def get(self, request: HttpRequest) -> HttpResponse:
        subject = _subject_or_404(self, request.GET)
        return render(request, "crm/followup_panel.html", panel_context(self, subject))


def _subject_or_404(view: OrgView, source: Any) -> followups.Subject:
    try:
        return followups.subject_get(organization=view.organization, actor=view.request.user, **_subject_args(source))
    except InvalidInput as exc:
        raise Http404(exc.message) from None


def _log(view: OrgView, subject: followups.Subject, form: FollowUpForm) -> FollowUp | None:
    """Log the form's follow-up; on refusal put the errors on the form and return None."""
    if not form.is_valid():
        return None
    data = {**form.data_for_service(), f"{subject.key}_id": subject.pk}
    try:
        return followups.followup_log(organization=view.organization, actor=view.request.user, data=data)
    except InvalidInput as exc:
        for err in exc.errors:
            field = "happened_on" if err.field == "happened_at" else err.field
            form.add_error(field if field in form.fields else None, err.message)
    except DomainError as exc:
        form.add_error(None, exc.message)
    return None


class FollowUpLogView(OrgView):
    """POST: log a follow-up. HTMX gets the refreshed panel (errors shown in it, status 200 so HTMX swaps it in);
    a plain post goes back to `next` (or the subject) or, refused, shows the form page again (422)."""

    http_method_names: ClassVar[list[str]] = ["post"]  # type: ignore[misc]
    permission = P.CHANGE_CRM

    def post(self, request: HttpRequest) -> HttpResponse:
        subject = _subject_or_404(self, request.POST)
        form = FollowUpForm(request.POST)
        saved = _log(self, subject, form)
        if getattr(request, "htmx", False):
            if saved is None:
                return render(request, "crm/followup_panel.html", panel_context(self, subject, form))
            return render(request, "crm/followup_panel.html", panel_context(self, subject, saved=True))
        if saved is None:
            context = form_context(self, subject, form, _safe_next(request, request.POST.get("next")))
            return render(
                request, "crm/followup_new.html", {**context, "recent": timeline(self, subject)[:5]}, status=422
            )
        messages.success(request, _("Follow-up logged."))
        return redirect(request, _safe_next(request, request.POST.get("next")) or subject.url or reverse("crm:my_day"))


class FollowUpNewView(OrgView):
    """The form as a page of its own (phones): `?customer=..` / `?lead=..` / `?opportunity=..`; without one, pick a
    customer."""

    permission = P.CHANGE_CRM

    def _subject(self, source: Any) -> followups.Subject | None:
        if not any(source.get(key) for key in followups.SUBJECT_KEYS):
            return None
        return _subject_or_404(self, source)

    def _render(
        self, request: HttpRequest, subject: followups.Subject | None, form: FollowUpForm, status: int = 200
    ) -> HttpResponse:
        next_url = _safe_next(request, request.GET.get("next") or request.POST.get("next"))
        context = form_context(self, subject, form, next_url)
        context["recent"] = timeline(self, subject)[:5] if subject is not None else []
        if subject is None:
            context["customers"] = partner_list(
                organization=self.organization, role=PartnerRole.CUSTOMER, actor=request.user
            ).filter(is_active=True)[:500]
        return render(request, "crm/followup_new.html", context, status=status)

    def get(self, request: HttpRequest) -> HttpResponse:
        return self._render(request, self._subject(request.GET), FollowUpForm())

    def post(self, request: HttpRequest) -> HttpResponse:
        form = FollowUpForm(request.POST)
        subject = self._subject(request.POST)
        if subject is None:
            form.is_valid()
            form.add_error(None, _("Choose the customer."))
            return self._render(request, None, form, status=422)
        if _log(self, subject, form) is None:
            return self._render(request, subject, form, status=422)
        messages.success(request, _("Follow-up logged."))
        return redirect(request, _safe_next(request, request.POST.get("next")) or subject.url or reverse("crm:my_day"))


class FollowUpDeleteView(OrgView):
    """POST: the member who logged a follow-up deletes it the same day."""

    http_method_names: ClassVar[list[str]] = ["post"]  # type: ignore[misc]
    permission = P.CHANGE_CRM

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        row = followups.followup_get(organization=self.organization, actor=request.user, pk=pk)
        subject = followups.subject_of(row)
        panel = (
            _subject_or_404(self, request.POST) if any(request.POST.get(k) for k in followups.SUBJECT_KEYS) else subject
        )
        try:
            followups.followup_delete(organization=self.organization, actor=request.user, followup_id=row.pk)
        except DomainError as exc:
            if getattr(request, "htmx", False):
                context = panel_context(self, panel)
                context["refusal"] = exc.message
                return render(request, "crm/followup_panel.html", context)
            messages.error(request, exc.message)
            return redirect(request, _safe_next(request, request.POST.get("next")) or subject.url)
        if getattr(request, "htmx", False):
            return render(request, "crm/followup_panel.html", panel_context(self, panel))
        messages.success(request, _("Follow-up deleted."))
        return redirect(request, _safe_next(request, request.POST.get("next")) or subject.url or reverse("crm:my_day"))


# List ------------------------------------------------------------------------------------------------------------


class SubjectColumn(Column):
    def raw(self, obj: object) -> Any:
        return followups.subject_of(obj).label  # type: ignore[arg-type]


class ContentColumn(Column):
    def raw(self, obj: object) -> Any:
        return Truncator(str(obj.content)).chars(80)  # type: ignore[attr-defined]


class FollowUpListView(DocumentListView):
    permission = P.VIEW_CRM
    change_permission = P.CHANGE_CRM
    title = gettext_lazy("Follow-ups")
    filterset_class = FollowUpFilter
    default_sort = ""
    create_url = "crm:followup_new"
    export_name = "follow-ups"
    columns = (
        Column("happened_at", gettext_lazy("Time"), sort="happened_at"),
        Column("kind", gettext_lazy("Type")),
        SubjectColumn("subject", gettext_lazy("About"), link=True),
        ContentColumn("content", gettext_lazy("What happened")),
        Column("user", gettext_lazy("Logged by"), phone_hidden=True),
        Column("next_on", gettext_lazy("Next follow-up"), sort="next_on"),
        Column("next_action", gettext_lazy("Next action"), phone_hidden=True),
    )

    def queryset(self) -> QuerySet[FollowUp]:
        return followups.followup_list(organization=self.organization, actor=self.request.user)

    def detail_href(self, obj: Any) -> str:
        return followups.subject_of(obj).url


def _url_or_blank(name: str, pk: int) -> str:
    try:
        return reverse(name, args=[pk])
    except NoReverseMatch:
        return ""


# My day ----------------------------------------------------------------------------------------------------------


class MyDayView(OrgView):
    """The rep's day, phone first: next steps due and overdue (one tap to log the follow-up), what was logged
    today, new leads, opportunities closing, contracts ending, customers about to go back to the pool."""

    permission = P.VIEW_CRM

    def get(self, request: HttpRequest) -> HttpResponse:
        day = myday.my_day(organization=self.organization, actor=request.user)
        context = {
            "day": day,
            "title": _("My day"),
            "can_change": self.can(P.CHANGE_CRM),
            "due": [{"row": f, "subject": followups.subject_of(f)} for f in day.due],
            "logged": [{"row": f, "subject": followups.subject_of(f)} for f in day.logged_today],
            "my_day_url": reverse("crm:my_day"),
        }
        context["new_leads"] = [(lead, followups.subject_url("lead", lead.pk)) for lead in day.new_leads]
        context["closing"] = [(o, followups.subject_url("opportunity", o.pk)) for o in day.closing]
        context["contracts"] = [(c, _url_or_blank("crm:contract_detail", c.pk)) for c in day.ending_contracts]
        context["returning"] = [(r, followups.subject_url("customer", r.customer.pk)) for r in day.returning]
        return render(request, "crm/myday.html", context)


urlpatterns = [
    path("follow-ups/", FollowUpListView.as_view(), name="followup_list"),
    path("follow-ups/new/", FollowUpNewView.as_view(), name="followup_new"),
    path("follow-ups/panel/", FollowUpPanelView.as_view(), name="followup_panel"),
    path("follow-ups/log/", FollowUpLogView.as_view(), name="followup_log"),
    path("follow-ups/<int:pk>/delete/", FollowUpDeleteView.as_view(), name="followup_delete"),
    path("my-day/", MyDayView.as_view(), name="my_day"),
    *pool_views.urlpatterns,
    *crm_settings_views.urlpatterns,
]
