"""Daily CRM jobs, run by the Huey consumer (`suanpan run_huey`; immediate mode in tests).

- 08:00 `crm_morning`: follow-up reminders (`followups.followup_reminders`) and contract expiry reminders
  (`contracts.contract_expiry_reminders`);
- 02:00 `crm_pool_reclaim`: customers without follow-up go back to the pool (`pool.pool_reclaim`);
- 03:00 `crm_tag_rules`: rule-based tags re-applied (`segments.tag_rules_apply`).

Each runs over the active organizations with `today = timezone.localdate()`; each organization in its own try
(and its own transaction, opened by the service), so one organization's failure is logged and the others run.
The contract and segment services are looked up when the job runs (`importlib`), so this module loads on its own.
"""

from __future__ import annotations

import datetime
import importlib
import logging
from collections.abc import Callable

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from suanpan.core.models import Organization
from suanpan.crm import followups, pool

log = logging.getLogger(__name__)
Job = Callable[[Organization, datetime.date], int]


def _organizations(organization_id: int | None) -> list[Organization]:
    qs = Organization.objects.filter(is_active=True).order_by("pk")
    if organization_id is not None:
        qs = qs.filter(pk=organization_id)
    return list(qs)


def _each(name: str, job: Job, organization_id: int | None) -> int:
    """Run `job` for each active organization; returns the sum of what each returned."""
    today = timezone.localdate()
    total = 0
    for organization in _organizations(organization_id):
        try:
            total += job(organization, today)
        except Exception:  # one organization's bad data must not stop the others' jobs
            log.exception("CRM job %s failed for organization %s", name, organization.pk)
    return total


def _contract_reminders(organization: Organization, today: datetime.date) -> int:
    contracts = importlib.import_module("suanpan.crm.contracts")
    return int(contracts.contract_expiry_reminders(organization=organization, today=today))


def _tag_rules(organization: Organization, today: datetime.date) -> int:
    segments = importlib.import_module("suanpan.crm.segments")
    return int(segments.tag_rules_apply(organization=organization, today=today))


@db_task()
def followup_reminders_task(organization_id: int | None = None) -> int:
    """Today's follow-up reminders of one organization (all when None); how many next steps were reminded."""
    return _each(
        "followup_reminders",
        lambda org, today: followups.followup_reminders(organization=org, today=today),
        organization_id,
    )


@db_task()
def contract_reminders_task(organization_id: int | None = None) -> int:
    return _each("contract_expiry_reminders", _contract_reminders, organization_id)


@db_task()
def pool_reclaim_task(organization_id: int | None = None) -> int:
    """Customers without follow-up back to the pool; how many went back."""
    return _each("pool_reclaim", lambda org, today: pool.pool_reclaim(organization=org, today=today), organization_id)


@db_task()
def tag_rules_task(organization_id: int | None = None) -> int:
    return _each("tag_rules_apply", _tag_rules, organization_id)


@db_periodic_task(crontab(hour="8", minute="0"))
def crm_morning() -> None:
    followup_reminders_task()
    contract_reminders_task()


@db_periodic_task(crontab(hour="2", minute="0"))
def crm_pool_reclaim() -> None:
    pool_reclaim_task()


@db_periodic_task(crontab(hour="3", minute="0"))
def crm_tag_rules() -> None:
    tag_rules_task()
