"""Periodic inventory jobs, run by the Huey consumer (`suanpan run_huey`; immediate mode in tests).

- every 30 minutes: below-minimum alerts for every organization (`reorder.reorder_alerts`);
- nightly: provisional costs of closed months marked final (`costing.costing_finalize`).

Each organization runs in its own transaction, so one organization's failure does not stop the others.
"""

from __future__ import annotations

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from suanpan.core.models import Organization
from suanpan.inventory import costing, reorder

log = logging.getLogger(__name__)


def _organizations() -> list[Organization]:
    return list(Organization.objects.order_by("pk"))


@db_task()
def reorder_alerts_task(organization_id: int | None = None) -> int:
    """Raise the below-minimum alerts of one organization (all when None). Returns how many were raised."""
    raised = 0
    for organization in _organizations():
        if organization_id is not None and organization.pk != organization_id:
            continue
        try:
            raised += reorder.reorder_alerts(organization=organization)
        except Exception:  # one organization's bad data must not stop the others' alerts
            log.exception("reorder alerts failed for organization %s", organization.pk)
    return raised


@db_periodic_task(crontab(minute="*/30"))
def reorder_alerts_periodic() -> None:
    reorder_alerts_task()


@db_periodic_task(crontab(hour="2", minute="15"))
def costing_finalize_periodic() -> None:
    for organization in _organizations():
        costing.costing_finalize(organization=organization)
