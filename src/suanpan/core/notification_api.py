"""REST endpoints of the current user's notifications (the bell): list, mark one read, mark all read."""

from __future__ import annotations

import datetime

from django.http import HttpRequest
from ninja import Router, Schema

from suanpan.core import notifications
from suanpan.core.api import ERRORS, org_of
from suanpan.core.models import Notification

router = Router(tags=["notifications"])


class NotificationOut(Schema):
    id: int
    kind: str
    title: str
    body: str
    link: str
    created_at: datetime.datetime
    read_at: datetime.datetime | None


class UnreadOut(Schema):
    unread: int


@router.get("", response={200: list[NotificationOut], **ERRORS}, operation_id="notifications_list")
def notification_list(request: HttpRequest) -> list[Notification]:
    """The current user's notifications in this organization, newest first (at most 200)."""
    organization = org_of(request, "")
    return list(notifications.notification_list(organization=organization, user=request.user)[:200])


@router.post("/{int:notification_id}/read", response={200: NotificationOut, **ERRORS}, operation_id="notification_read")
def notification_read(request: HttpRequest, notification_id: int) -> Notification:
    organization = org_of(request, "")
    return notifications.notification_read(
        organization=organization, actor=request.user, notification_id=notification_id
    )


@router.post("/read-all", response={200: UnreadOut, **ERRORS}, operation_id="notifications_read_all")
def notification_read_all(request: HttpRequest) -> dict[str, int]:
    organization = org_of(request, "")
    notifications.notification_read_all(organization=organization, actor=request.user)
    return {"unread": 0}
