"""In-app notifications (the bell in the top bar) and their e-mail copy.

`notify` is the one way to raise one: any app (stock below minimum, CRM reminders …) calls it with the users
to tell. The rows are written in the caller's transaction; the e-mails leave only after it commits
(`transaction.on_commit`), through Django's mail backend, and a mail failure never undoes the notification.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.core.mail import send_mail
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from suanpan.core.exceptions import InvalidInput, NotFound
from suanpan.core.models import Membership, Notification, Organization
from suanpan.core.permissions import has_perm
from suanpan.core.records import get_scoped
from suanpan.core.types import Actor

log = logging.getLogger(__name__)
TITLE_MAX = 200
LINK_MAX = 300


def members_with(organization: Organization, perm: str) -> list[Actor]:
    """The active members of the organization whose roles grant `perm`."""
    memberships = Membership.objects.filter(organization=organization, is_active=True, user__is_active=True)
    return [m.user for m in memberships.select_related("user").order_by("pk") if has_perm(m, perm)]


def notify(
    organization: Organization,
    users: Iterable[Actor],
    kind: str,
    title: str,
    body: str = "",
    link: str = "",
    key: str = "",
) -> list[Notification]:
    """One notification per user (members of the organization only; others are skipped), and an e-mail to each
    who has an address, sent after the transaction commits. `key` names what it is about (see `is_raised`)."""
    title = (title or "").strip()
    if not title:
        raise InvalidInput.single("title", _("A notification needs a title."))
    member_ids = set(
        Membership.objects.filter(organization=organization, is_active=True).values_list("user_id", flat=True)
    )
    wanted = {u.pk: u for u in users if u.pk in member_ids}
    rows = Notification.objects.bulk_create(
        [
            Notification(
                organization=organization,
                user_id=pk,
                kind=kind[:40],
                title=title[:TITLE_MAX],
                body=body,
                link=link[:LINK_MAX],
                key=key[:100],
            )
            for pk in sorted(wanted)
        ]
    )
    addresses = [u.email for u in wanted.values() if getattr(u, "email", "")]
    if addresses:
        subject = f"[{organization.name}] {title}"[:TITLE_MAX]
        message = "\n\n".join(part for part in (body, link) if part)

        def send() -> None:
            try:
                send_mail(subject, message, None, addresses)
            except OSError:  # the mail server is down: the in-app notification is there anyway
                log.exception("notification e-mail failed")

        transaction.on_commit(send)
    return rows


def notification_list(*, organization: Organization, user: Actor) -> QuerySet[Notification]:
    return Notification.objects.filter(organization=organization, user=user)  # type: ignore[misc]


def unread_count(*, organization: Organization, user: Actor) -> int:
    return notification_list(organization=organization, user=user).filter(read_at__isnull=True).count()


def notification_read(*, organization: Organization, actor: Actor, notification_id: object) -> Notification:
    """Mark one of the user's own notifications read (another user's or organization's is not found)."""
    with transaction.atomic():
        row = get_scoped(Notification, organization=organization, pk=notification_id)
        if row.user_id != actor.pk:
            raise NotFound(_("Notification not found."))
        if row.read_at is None:
            row.read_at = timezone.now()
            row.save(update_fields=["read_at", "updated_at"])
        return row


def notification_read_all(*, organization: Organization, actor: Actor) -> int:
    return (
        notification_list(organization=organization, user=actor)
        .filter(read_at__isnull=True)
        .update(read_at=timezone.now())
    )


def is_raised(*, organization: Organization, kind: str, key: str) -> bool:
    """Whether a notification of `kind` about `key` is out and its condition not resolved yet."""
    return Notification.objects.filter(organization=organization, kind=kind, key=key, resolved_at__isnull=True).exists()


def raised_keys(*, organization: Organization, kind: str) -> set[str]:
    rows = Notification.objects.filter(organization=organization, kind=kind, resolved_at__isnull=True)
    return set(rows.values_list("key", flat=True))


def notifications_resolve(*, organization: Organization, kind: str, keys: Iterable[str]) -> int:
    """The condition behind these notifications is over (e.g. stock recovered): the next time it occurs, `notify`
    may raise it again."""
    keys = list(keys)
    if not keys:
        return 0
    rows = Notification.objects.filter(organization=organization, kind=kind, key__in=keys, resolved_at__isnull=True)
    return rows.update(resolved_at=timezone.now())
