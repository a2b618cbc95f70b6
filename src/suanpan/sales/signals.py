"""Events of sales that other code may react to.

`delivery_signed` (sender `Delivery`, kwargs `organization`, `delivery`): the customer signed for a delivery
(`sales.deliveries.delivery_mark_signed`). Sent inside the service's transaction; the receiver below only
schedules work for after it commits — the reminder that the delivery's invoiced amount falls due (see
`sales.deliveries` for the rule and `sales.tasks` for the task).
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.dispatch import Signal, receiver

delivery_signed = Signal()


@receiver(delivery_signed, dispatch_uid="sales.schedule_receivable_reminder")
def schedule_receivable_reminder(sender: Any, *, organization: Any, delivery: Any, **kwargs: Any) -> None:
    from suanpan.sales import tasks  # the task module imports the services, which import this module

    transaction.on_commit(lambda: tasks.schedule_receivable_reminder(organization.pk, delivery.pk))
