"""Pages of the lead channels (线索来源): the list every CRM member sees, and the form and deactivation for those who
manage the CRM. Collected into `lead_views.urlpatterns`."""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib import messages
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from suanpan.core.exceptions import DomainError, InvalidInput
from suanpan.core.permissions import P
from suanpan.core.ui import Column, DocumentListView, OrgView, apply_errors, redirect
from suanpan.crm import leads
from suanpan.crm.lead_filters import ChannelFilter
from suanpan.crm.lead_forms import ChannelForm
from suanpan.crm.models import Channel


class ChannelListView(DocumentListView):
    permission = P.VIEW_CRM
    change_permission = P.MANAGE_CRM
    title = gettext_lazy("Lead channels")
    filterset_class = ChannelFilter
    default_sort = ""
    create_url = "crm:channel_create"
    detail_url = "crm:channel_edit"
    export_name = "lead-channels"
    columns = (
        Column("name", gettext_lazy("Name"), sort="name", link=True),
        Column("seq", gettext_lazy("Sort order"), sort="seq", numeric=True),
        Column("lead_count", gettext_lazy("Leads"), numeric=True),
        Column("is_active", gettext_lazy("Active")),
    )

    def queryset(self) -> QuerySet[Channel]:
        return (
            leads.channel_list(organization=self.organization).annotate(lead_count=Count("leads")).order_by("seq", "pk")
        )

    def detail_href(self, obj: Any) -> str:
        return reverse("crm:channel_edit", args=[obj.pk]) if self.can(P.MANAGE_CRM) else ""


class ChannelFormView(OrgView):
    permission = P.MANAGE_CRM

    def _render(self, channel: Channel | None, form: ChannelForm, status: int = 200) -> HttpResponse:
        context = {
            "channel": channel,
            "form": form,
            "title": _("Edit channel %(c)s") % {"c": channel} if channel else _("New lead channel"),
            "cancel_url": reverse("crm:channel_list"),
        }
        return render(self.request, "crm/channel_form.html", context, status=status)

    def get(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        channel = leads.channel_get(organization=self.organization, pk=pk) if pk is not None else None
        initial = {"name": channel.name, "seq": channel.seq, "is_active": channel.is_active} if channel else None
        return self._render(channel, ChannelForm(initial=initial))

    def post(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        channel = leads.channel_get(organization=self.organization, pk=pk) if pk is not None else None
        form = ChannelForm(request.POST)
        if not form.is_valid():
            return self._render(channel, form, status=422)
        try:
            if channel is None:
                saved = leads.channel_create(organization=self.organization, actor=request.user, data=form.cleaned_data)
            else:
                saved = leads.channel_update(
                    organization=self.organization, actor=request.user, channel_id=channel.pk, data=form.cleaned_data
                )
        except InvalidInput as exc:
            apply_errors(form, exc)
            return self._render(channel, form, status=422)
        except DomainError as exc:
            form.add_error(None, exc.message)
            return self._render(channel, form, status=422)
        messages.success(request, _("Saved “%(obj)s”.") % {"obj": saved})
        return redirect(request, reverse("crm:channel_list"))


class ChannelDeactivateView(OrgView):
    http_method_names: ClassVar[list[str]] = ["post"]  # type: ignore[misc]
    permission = P.MANAGE_CRM

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        channel = leads.channel_deactivate(organization=self.organization, actor=request.user, channel_id=pk)
        messages.success(request, _("The channel %(c)s is no longer offered for new leads.") % {"c": channel})
        return redirect(request, reverse("crm:channel_list"))


urlpatterns = [
    path("lead-channels/", ChannelListView.as_view(), name="channel_list"),
    path("lead-channels/new/", ChannelFormView.as_view(), name="channel_create"),
    path("lead-channels/<int:pk>/edit/", ChannelFormView.as_view(), name="channel_edit"),
    path("lead-channels/<int:pk>/deactivate/", ChannelDeactivateView.as_view(), name="channel_deactivate"),
]
