"""A rep's day ("my day"): what to do today, read in one place, phone first.

- next steps due today and overdue (the rep's own open next steps, on subjects the rep still sees);
- follow-ups the rep logged today;
- the rep's NEW leads nobody has contacted yet;
- the rep's open opportunities expected to close within 7 days (or already past their date);
- the rep's contracts in force that end within 30 days (or ended and not yet completed);
- the rep's customers that go back to the pool within 7 days without a follow-up.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils import timezone

from suanpan.core.models import Organization
from suanpan.core.permissions import P
from suanpan.core.tenancy import guard
from suanpan.core.types import Actor
from suanpan.crm.choices import ContractStatus, LeadStatus, StageKind
from suanpan.crm.followups import followup_scoped, followups_due
from suanpan.crm.models import Contract, FollowUp, Lead, Opportunity
from suanpan.crm.pool import Returning, customers_returning

OPPORTUNITY_DAYS = 7
CONTRACT_DAYS = 30
POOL_DAYS = 7
LIMIT = 100


@dataclass(frozen=True)
class MyDay:
    today: datetime.date
    overdue: list[FollowUp]
    due_today: list[FollowUp]
    logged_today: list[FollowUp]
    new_leads: list[Lead]
    closing: list[Opportunity]
    ending_contracts: list[Contract]
    returning: list[Returning]

    @property
    def due(self) -> list[FollowUp]:
        return self.overdue + self.due_today


def _day_bounds(day: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    start = timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
    return start, start + datetime.timedelta(days=1)


def my_day(*, organization: Organization, actor: Actor, today: datetime.date | None = None) -> MyDay:
    guard(organization, actor, P.VIEW_CRM)
    today = today or timezone.localdate()
    due = list(followups_due(organization=organization, user=actor, today=today)[:LIMIT])
    start, end = _day_bounds(today)
    logged = list(
        followup_scoped(organization, actor).filter(user_id=actor.pk or 0, happened_at__gte=start, happened_at__lt=end)[
            :LIMIT
        ]
    )
    leads = list(
        Lead.objects.filter(organization=organization, owner_id=actor.pk, status=LeadStatus.NEW)
        .select_related("channel")
        .order_by("created_at", "id")[:LIMIT]
    )
    closing = list(
        Opportunity.objects.filter(
            organization=organization,
            owner_id=actor.pk,
            stage__kind=StageKind.OPEN,
            expected_close_on__lte=today + datetime.timedelta(days=OPPORTUNITY_DAYS),
        )
        .select_related("customer", "stage")
        .order_by("expected_close_on", "id")[:LIMIT]
    )
    contracts = list(
        Contract.objects.filter(
            organization=organization,
            owner_id=actor.pk,
            status=ContractStatus.ACTIVE,
            end_on__lte=today + datetime.timedelta(days=CONTRACT_DAYS),
        )
        .select_related("customer")
        .order_by("end_on", "id")[:LIMIT]
    )
    return MyDay(
        today=today,
        overdue=[f for f in due if f.next_on is not None and f.next_on < today],
        due_today=[f for f in due if f.next_on == today],
        logged_today=logged,
        new_leads=leads,
        closing=closing,
        ending_contracts=contracts,
        returning=customers_returning(organization=organization, owner=actor, today=today, within_days=POOL_DAYS)[
            :LIMIT
        ],
    )
