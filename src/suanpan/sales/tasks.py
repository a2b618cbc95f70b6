"""Scheduled sales jobs, run by the Huey consumer (`suanpan run_huey`; immediate mode in tests).

- `receivable_reminder(organization_id, delivery_id)`: scheduled with an `eta` when a delivery is signed for
  (`sales.signals.delivery_signed`), at 09:00 on `sales.deliveries.reminder_date`; it notifies the rep and finance
  when the delivery's invoiced amount is due and still open, and schedules itself again for the next day worth
  looking (`sales.deliveries.delivery_receivable_reminder` states the rule).
"""

from __future__ import annotations

import datetime
import logging

from django.utils import timezone
from huey.contrib.djhuey import db_task

from suanpan.core.models import Organization
from suanpan.sales import deliveries
from suanpan.sales.models import Delivery

log = logging.getLogger(__name__)
REMINDER_TIME = datetime.time(9, 0)


def _at_nine(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, REMINDER_TIME))


@db_task()
def receivable_reminder(organization_id: int, delivery_id: int) -> str | None:
    """Run the reminder of one delivery today; returns the day it will look again (ISO), if any."""
    organization = Organization.objects.filter(pk=organization_id).first()
    if organization is None or not Delivery.objects.filter(organization=organization, pk=delivery_id).exists():
        return None
    next_day = deliveries.delivery_receivable_reminder(organization=organization, delivery_id=delivery_id)
    if next_day is None:
        return None
    receivable_reminder.schedule(args=(organization_id, delivery_id), eta=_at_nine(next_day))
    return next_day.isoformat()


def schedule_receivable_reminder(organization_id: int, delivery_id: int) -> datetime.date | None:
    """Schedule the first reminder of a delivery just signed for (called after the signing commits)."""
    delivery = Delivery.objects.select_related("organization", "customer").filter(pk=delivery_id).first()
    if delivery is None or delivery.organization_id != organization_id:
        return None
    day = deliveries.reminder_date(delivery)
    if day is None:
        return None
    receivable_reminder.schedule(args=(organization_id, delivery_id), eta=_at_nine(day))
    log.info("receivable reminder of delivery %s scheduled for %s", delivery.number, day)
    return day
