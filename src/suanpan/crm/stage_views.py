"""The opportunity stage settings (members holding `MANAGE_CRM`): the list in board order (drag to reorder, or
the arrows without JavaScript), new stage, edit (name, kind, probability, active), delete of an unused stage."""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib import messages
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.translation import gettext as _

from suanpan.core.exceptions import DomainError
from suanpan.core.permissions import P
from suanpan.core.records import get_scoped
from suanpan.core.ui import OrgView, apply_errors, redirect
from suanpan.crm import opportunities
from suanpan.crm.models import Stage
from suanpan.crm.opportunity_forms import StageForm
from suanpan.inventory.services import normalize


def _swapped(ids: list[int], i: int, j: int) -> list[int]:
    """The stage order with two neighbours swapped (what an arrow button posts)."""
    order = list(ids)
    order[i], order[j] = order[j], order[i]
    return order


class StageListView(OrgView):
    permission = P.MANAGE_CRM

    def get(self, request: HttpRequest) -> HttpResponse:
        stages = list(
            opportunities.stage_list(organization=self.organization).annotate(opportunity_count=Count("opportunities"))
        )
        ids = [s.pk for s in stages]
        rows = []
        for i, stage in enumerate(stages):
            up = _swapped(ids, i - 1, i) if i > 0 else None
            down = _swapped(ids, i, i + 1) if i + 1 < len(ids) else None
            rows.append({"stage": stage, "probability": normalize(stage.probability), "up": up, "down": down})
        return render(request, "crm/stage_list.html", {"title": _("Opportunity stages"), "rows": rows})


class StageFormView(OrgView):
    permission = P.MANAGE_CRM

    def _render(self, form: StageForm, stage: Stage | None, status: int = 200) -> HttpResponse:
        context = {
            "form": form,
            "stage": stage,
            "title": _("Edit stage %(s)s") % {"s": stage} if stage else _("New stage"),
        }
        return render(self.request, "crm/stage_form.html", context, status=status)

    def get(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        stage = get_scoped(Stage, organization=self.organization, pk=pk) if pk is not None else None
        initial: dict[str, Any] = (
            {
                "name": stage.name,
                "kind": stage.kind,
                "probability": normalize(stage.probability),
                "is_active": stage.is_active,
            }
            if stage
            else {"probability": "0", "is_active": True}
        )
        return self._render(StageForm(initial=initial), stage)

    def post(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        stage = get_scoped(Stage, organization=self.organization, pk=pk) if pk is not None else None
        form = StageForm(request.POST)
        if not form.is_valid():
            return self._render(form, stage, status=422)
        try:
            if stage is None:
                opportunities.stage_create(organization=self.organization, actor=request.user, data=form.cleaned_data)
            else:
                opportunities.stage_update(
                    organization=self.organization, actor=request.user, stage_id=stage.pk, data=form.cleaned_data
                )
        except DomainError as exc:
            apply_errors(form, exc)
            return self._render(form, stage, status=422)
        messages.success(request, _("Saved “%(obj)s”.") % {"obj": form.cleaned_data["name"]})
        return redirect(request, reverse("crm:stage_list"))


class StageReorderView(OrgView):
    """POST `ids` (every stage, in the new order): from the drag and drop or the arrows."""

    http_method_names: ClassVar[list[str]] = ["post"]  # type: ignore[misc]
    permission = P.MANAGE_CRM

    def post(self, request: HttpRequest) -> HttpResponse:
        ids = request.POST.getlist("ids")
        if len(ids) == 1 and "," in ids[0]:
            ids = ids[0].split(",")
        try:
            opportunities.stage_reorder(organization=self.organization, actor=request.user, stage_ids=ids)
        except DomainError as exc:
            if request.htmx:  # type: ignore[attr-defined]
                return HttpResponse(exc.message, status=422, content_type="text/plain; charset=utf-8")
            messages.error(request, exc.message)
        if request.htmx:  # type: ignore[attr-defined]
            return HttpResponse(status=204)
        return redirect(request, reverse("crm:stage_list"))


class StageDeleteView(OrgView):
    http_method_names: ClassVar[list[str]] = ["post"]  # type: ignore[misc]
    permission = P.MANAGE_CRM

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        stage = get_scoped(Stage, organization=self.organization, pk=pk)
        try:
            opportunities.stage_delete(organization=self.organization, actor=request.user, stage_id=stage.pk)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Deleted “%(obj)s”.") % {"obj": stage})
        return redirect(request, reverse("crm:stage_list"))


urlpatterns = [
    path("stages/", StageListView.as_view(), name="stage_list"),
    path("stages/new/", StageFormView.as_view(), name="stage_create"),
    path("stages/reorder/", StageReorderView.as_view(), name="stage_reorder"),
    path("stages/<int:pk>/edit/", StageFormView.as_view(), name="stage_edit"),
    path("stages/<int:pk>/delete/", StageDeleteView.as_view(), name="stage_delete"),
]
