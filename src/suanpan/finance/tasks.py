"""Periodic finance jobs, run by the Huey consumer (`suanpan run_huey`; immediate mode in tests).

- every morning at 8:00: reminders of overdue receivables for every organization
  (`receivables.overdue_reminders_send`; once per item per day, so a re-run the same day sends nothing new).

Each organization runs in its own transaction, so one organization's failure does not stop the others.
"""

from __future__ import annotations

import logging

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from suanpan.core.models import Organization
from suanpan.finance import receivables

log = logging.getLogger(__name__)


@db_task()
def overdue_reminders_task(organization_id: int | None = None) -> int:
    """Today's overdue-receivable reminders of one organization (all when None). Returns how many items were
    raised."""
    today = timezone.localdate()
    raised = 0
    organizations = Organization.objects.order_by("pk")
    if organization_id is not None:
        organizations = organizations.filter(pk=organization_id)
    for organization in organizations:
        try:
            raised += receivables.overdue_reminders_send(organization=organization, on=today)
        except Exception:  # one organization's bad data must not stop the others' reminders
            log.exception("receivable reminders failed for organization %s", organization.pk)
    return raised


@db_periodic_task(crontab(hour="8", minute="0"))
def overdue_reminders_periodic() -> None:
    overdue_reminders_task()
