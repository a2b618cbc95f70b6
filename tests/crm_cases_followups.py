"""What the cross-cutting suites must know of the CRM follow-up area — follow-ups, "my day", the customer pool and
the CRM settings (see tests/crm_cases.py) — and the factories its own tests share. Roles are tested in
src/suanpan/crm/tests/test_followup_views.py (test_pages_follow_the_roles) and test_followup_api.py
(test_api_follows_the_roles).

Leads, opportunities and contracts are written as rows here (`make_lead_row`, `make_opportunity_row`,
`make_contract_row`): their services belong to the other CRM areas; these tests only need them to exist.
"""

from __future__ import annotations

import datetime
import itertools
from decimal import Decimal
from typing import Any

from django.utils import timezone

from suanpan.core.models import Organization
from suanpan.core.permissions import P
from suanpan.crm import followups, pool
from suanpan.crm.choices import ContractStatus, LeadStatus, StageKind
from suanpan.crm.models import Contract, FollowUp, Lead, Opportunity, Stage
from suanpan.crm.setup import stages_ensure
from suanpan.partners.choices import PartnerRole
from suanpan.partners.models import Partner
from suanpan.partners.services import partner_create
from tests.isolation_cases import ApiCase, PageCase
from tests.resources import owner_of

_serial = itertools.count(1)


def make_customer_of(org: Organization, owner: Any = None, name: str = "") -> Partner:
    """A customer owned by `owner` (None: in the pool)."""
    data: dict[str, Any] = {"name": name or f"跟进客户{next(_serial)}"}
    if owner is not None:
        data["owner_id"] = owner.pk
    return partner_create(organization=org, actor=None, role=PartnerRole.CUSTOMER, data=data)


def make_lead_row(org: Organization, owner: Any = None, status: str = LeadStatus.NEW, company: str = "") -> Lead:
    n = next(_serial)
    return Lead.objects.create(
        organization=org, number=f"XS-T{n:04d}", company=company or f"线索公司{n}", owner=owner, status=status
    )


def stage_of(org: Organization, kind: str = StageKind.OPEN) -> Stage:
    stages_ensure(org)
    return Stage.objects.filter(organization=org, kind=kind).order_by("seq").first()  # type: ignore[return-value]


def make_opportunity_row(
    org: Organization,
    customer: Partner,
    owner: Any = None,
    *,
    close_on: datetime.date | None = None,
    kind: str = StageKind.OPEN,
    name: str = "",
) -> Opportunity:
    n = next(_serial)
    return Opportunity.objects.create(
        organization=org,
        number=f"SJ-T{n:04d}",
        name=name or f"商机{n}",
        customer=customer,
        owner=owner if owner is not None else customer.owner,
        stage=stage_of(org, kind),
        amount=Decimal("10000.00"),
        expected_close_on=close_on,
    )


def make_contract_row(
    org: Organization, customer: Partner, owner: Any, end_on: datetime.date, status: str = ContractStatus.ACTIVE
) -> Contract:
    n = next(_serial)
    return Contract.objects.create(
        organization=org,
        number=f"HT-T{n:04d}",
        title=f"合同{n}",
        customer=customer,
        owner=owner,
        amount=Decimal("5000.00"),
        start_on=end_on - datetime.timedelta(days=365),
        end_on=end_on,
        status=status,
    )


def log(org: Organization, actor: Any, subject: Any, content: str = "电话沟通", **data: Any) -> FollowUp:
    """Log a follow-up on `subject` (a customer, lead or opportunity row); `actor` None logs as its owner."""
    key = {Partner: "customer_id", Lead: "lead_id", Opportunity: "opportunity_id"}[type(subject)]
    values: dict[str, Any] = {"kind": "call", "content": content, key: subject.pk, **data}
    if actor is None and "user_id" not in values:
        values["user_id"] = subject.owner_id
    return followups.followup_log(organization=org, actor=actor, data=values)


def _their_customer(mine: Organization, other: Organization) -> Partner:
    return make_customer_of(other, owner_of(other))


def _their_followup(mine: Organization, other: Organization) -> tuple[int, ...]:
    return (log(other, None, _their_customer(mine, other)).pk,)


def _their_pool_customer(mine: Organization, other: Organization) -> tuple[int, ...]:
    return (make_customer_of(other).pk,)


def _their_owned_customer(mine: Organization, other: Organization) -> tuple[int, ...]:
    return (_their_customer(mine, other).pk,)


def _claimed_history(mine: Organization, other: Organization) -> tuple[int, ...]:
    customer = make_customer_of(other)
    pool.pool_claim(organization=other, actor=owner_of(other), customer_id=customer.pk)
    return (customer.pk,)


API_OPS: set[tuple[str, str]] = {
    ("/follow-ups", "get"),
    ("/follow-ups", "post"),
    ("/follow-ups/due", "get"),
    ("/follow-ups/{}", "delete"),
    ("/my-day", "get"),
    ("/pool", "get"),
    ("/pool/{}/claim", "post"),
    ("/pool/{}/release", "post"),
    ("/pool/{}/history", "get"),
    ("/pool/assign", "post"),
    ("/crm-settings", "get"),
    ("/crm-settings", "put"),
}

PAGES: set[str] = {
    "/crm/follow-ups/",
    "/crm/follow-ups/new/",
    "/crm/follow-ups/panel/",
    "/crm/follow-ups/log/",
    "/crm/follow-ups/<int:pk>/delete/",
    "/crm/my-day/",
    "/crm/pool/",
    "/crm/pool/assign/",
    "/crm/pool/<int:pk>/claim/",
    "/crm/pool/<int:pk>/release/",
    "/crm/pool/<int:pk>/history/",
    "/crm/settings/",
}

EXERCISED: set[str] = {P.VIEW_CRM, P.CHANGE_CRM, P.MANAGE_CRM}

API_CASES: list[Any] = [
    ApiCase("/follow-ups/{}", "delete", _their_followup),
    ApiCase("/pool/{}/claim", "post", _their_pool_customer),
    ApiCase("/pool/{}/release", "post", _their_owned_customer, lambda org: {"reason": "不再跟进"}),
    ApiCase("/pool/{}/history", "get", _claimed_history),
]


def _page_ids(make: Any) -> Any:
    return lambda mine, other: {"pk": make(mine, other)[0]}


PAGE_CASES: list[Any] = [
    PageCase("crm/follow-ups/<int:pk>/delete/", "post", _page_ids(_their_followup)),
    PageCase("crm/pool/<int:pk>/claim/", "post", _page_ids(_their_pool_customer)),
    PageCase("crm/pool/<int:pk>/release/", "get", _page_ids(_their_owned_customer)),
    PageCase(
        "crm/pool/<int:pk>/release/", "post", _page_ids(_their_owned_customer), lambda org: {"reason": "不再跟进"}
    ),
    PageCase("crm/pool/<int:pk>/history/", "get", _page_ids(_claimed_history)),
]


def today() -> datetime.date:
    return timezone.localdate()
