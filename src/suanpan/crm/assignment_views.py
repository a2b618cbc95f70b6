"""Pages of the lead assignment rules (who gets new leads, in turn, by region), for those who manage the CRM.
Collected into `lead_views.urlpatterns`."""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib import messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from suanpan.core.exceptions import DomainError, InvalidInput
from suanpan.core.permissions import P
from suanpan.core.ui import Column, DocumentListView, OrgView, apply_errors, redirect
from suanpan.crm import leads
from suanpan.crm.lead_filters import AssignmentRuleFilter
from suanpan.crm.lead_forms import PROVINCES, AssignmentRuleForm, user_label
from suanpan.crm.models import AssignmentRule


class PeopleColumn(Column):
    def raw(self, obj: object) -> Any:
        return "、".join(user_label(u) for u in obj.assignees.all())  # type: ignore[attr-defined]


class LastColumn(Column):
    def raw(self, obj: object) -> Any:
        user = obj.last_assigned  # type: ignore[attr-defined]
        return user_label(user) if user is not None else None


class AssignmentRuleListView(DocumentListView):
    permission = P.MANAGE_CRM
    change_permission = P.MANAGE_CRM
    title = gettext_lazy("Lead assignment rules")
    filterset_class = AssignmentRuleFilter
    default_sort = ""
    create_url = "crm:assignment_rule_create"
    detail_url = "crm:assignment_rule_edit"
    export_name = "assignment-rules"
    columns = (
        Column("name", gettext_lazy("Name"), sort="name", link=True),
        Column("seq", gettext_lazy("Sort order"), sort="seq", numeric=True, phone_hidden=True),
        Column("province", gettext_lazy("Province")),
        PeopleColumn("assignees", gettext_lazy("Assignees")),
        LastColumn("last_assigned", gettext_lazy("Last assigned"), phone_hidden=True),
        Column("is_active", gettext_lazy("Active")),
    )

    def queryset(self) -> QuerySet[AssignmentRule]:
        return leads.assignment_rule_list(organization=self.organization)


class AssignmentRuleFormView(OrgView):
    permission = P.MANAGE_CRM

    def _render(self, rule: AssignmentRule | None, form: AssignmentRuleForm, status: int = 200) -> HttpResponse:
        context = {
            "rule": rule,
            "form": form,
            "provinces": PROVINCES,
            "title": _("Edit rule %(r)s") % {"r": rule} if rule else _("New assignment rule"),
            "cancel_url": reverse("crm:assignment_rule_list"),
        }
        return render(self.request, "crm/assignment_form.html", context, status=status)

    def _rule(self, pk: int | None) -> AssignmentRule | None:
        return leads.assignment_rule_get(organization=self.organization, pk=pk) if pk is not None else None

    def get(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        rule = self._rule(pk)
        initial = None
        if rule is not None:
            initial = {
                "name": rule.name,
                "seq": rule.seq,
                "province": rule.province,
                "assignee_ids": list(rule.assignees.values_list("pk", flat=True)),
                "is_active": rule.is_active,
            }
        return self._render(rule, AssignmentRuleForm(initial=initial, organization=self.organization))

    def post(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        rule = self._rule(pk)
        form = AssignmentRuleForm(request.POST, organization=self.organization)
        if not form.is_valid():
            return self._render(rule, form, status=422)
        data = form.data_for_service()
        try:
            if rule is None:
                saved = leads.assignment_rule_create(organization=self.organization, actor=request.user, data=data)
            else:
                saved = leads.assignment_rule_update(
                    organization=self.organization, actor=request.user, rule_id=rule.pk, data=data
                )
        except InvalidInput as exc:
            apply_errors(form, exc)
            return self._render(rule, form, status=422)
        except DomainError as exc:
            form.add_error(None, exc.message)
            return self._render(rule, form, status=422)
        messages.success(request, _("Saved “%(obj)s”.") % {"obj": saved})
        return redirect(request, reverse("crm:assignment_rule_list"))


class AssignmentRuleDeleteView(OrgView):
    http_method_names: ClassVar[list[str]] = ["post"]  # type: ignore[misc]
    permission = P.MANAGE_CRM

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        rule = leads.assignment_rule_get(organization=self.organization, pk=pk)
        leads.assignment_rule_delete(organization=self.organization, actor=request.user, rule_id=rule.pk)
        messages.success(request, _("Deleted “%(obj)s”.") % {"obj": rule})
        return redirect(request, reverse("crm:assignment_rule_list"))


urlpatterns = [
    path("assignment-rules/", AssignmentRuleListView.as_view(), name="assignment_rule_list"),
    path("assignment-rules/new/", AssignmentRuleFormView.as_view(), name="assignment_rule_create"),
    path("assignment-rules/<int:pk>/edit/", AssignmentRuleFormView.as_view(), name="assignment_rule_edit"),
    path("assignment-rules/<int:pk>/delete/", AssignmentRuleDeleteView.as_view(), name="assignment_rule_delete"),
]
