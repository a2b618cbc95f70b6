"""The notification inbox: every member sees their own notifications in the current organization."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme

from suanpan.core import notifications
from suanpan.core.ui import OrgView


class NotificationListView(OrgView):
    def get(self, request: HttpRequest) -> HttpResponse:
        rows = notifications.notification_list(organization=self.organization, user=request.user)
        page = Paginator(rows, 50).get_page(request.GET.get("page"))
        return render(request, "core/notifications.html", {"page": page})

    def post(self, request: HttpRequest) -> HttpResponse:
        notifications.notification_read_all(organization=self.organization, actor=request.user)
        return redirect("notification_list")


class NotificationCountView(OrgView):
    """The badge on the bell (loaded by HTMX, so pages themselves run no extra query)."""

    def get(self, request: HttpRequest) -> HttpResponse:
        count = notifications.unread_count(organization=self.organization, user=request.user)
        return render(request, "core/partials/notification_count.html", {"count": count})


class NotificationOpenView(OrgView):
    """Open one notification: mark it read and go where it points."""

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        row = notifications.notification_read(organization=self.organization, actor=request.user, notification_id=pk)
        safe = row.link and url_has_allowed_host_and_scheme(row.link, allowed_hosts={request.get_host()})
        return redirect(row.link if safe else "notification_list")
