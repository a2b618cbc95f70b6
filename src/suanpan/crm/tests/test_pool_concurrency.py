"""Claiming from the pool under concurrency, on PostgreSQL: eight reps claim the same customer at the same moment
and exactly one gets it, the others are refused cleanly (`field="owner"`); one rep with a claim limit of 2 claims
six customers at once and exactly two are claimed (the claims queue on the rep's membership row).

SQLite ignores `select_for_update` (it locks the whole database instead), so this runs on PostgreSQL only:
`DATABASE_URL=postgres://postgres@127.0.0.1:5432/suanpan .venv/bin/pytest -m postgres -n 0 <this file>`.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connections

from suanpan.core.exceptions import DomainError
from suanpan.core.services import membership_add
from suanpan.crm import crm_settings_services, pool
from suanpan.crm.models import PoolEvent
from suanpan.onboarding import organization_open
from suanpan.partners.choices import PartnerRole
from suanpan.partners.models import Partner
from suanpan.partners.services import partner_create

ON_POSTGRES = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        not ON_POSTGRES,
        reason="needs PostgreSQL: SQLite ignores row locks (select_for_update); set DATABASE_URL to a PostgreSQL",
    ),
    pytest.mark.django_db(transaction=True),
]


def race(jobs: list[Callable[[], object]]) -> tuple[list[str], list[BaseException]]:
    """Run the jobs in threads released together; each outcome is "ok" or "refused:<field>"."""
    barrier = threading.Barrier(len(jobs))
    outcomes: list[str] = []
    unexpected: list[BaseException] = []
    lock = threading.Lock()

    def run(job: Callable[[], object]) -> None:
        try:
            barrier.wait(timeout=30)
            try:
                job()
                result = "ok"
            except DomainError as exc:
                result = f"refused:{exc.field}"
            with lock:
                outcomes.append(result)
        except BaseException as exc:  # a deadlock or any other escape fails the test in the main thread
            with lock:
                unexpected.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes, unexpected


def test_one_rep_wins_a_customer_claimed_by_eight_at_once():
    users = get_user_model().objects
    owner = users.create_user("pool-owner")
    org = organization_open(owner=owner, data={"name": "公海并发公司"})
    reps = [users.create_user(f"pool-rep-{n}") for n in range(8)]
    for rep in reps:
        membership_add(organization=org, actor=owner, user=rep, roles=["sales"])
    customer = partner_create(organization=org, actor=None, role=PartnerRole.CUSTOMER, data={"name": "抢手客户"})
    outcomes, unexpected = race(
        [lambda rep=rep: pool.pool_claim(organization=org, actor=rep, customer_id=customer.pk) for rep in reps]
    )
    assert unexpected == []
    assert sorted(outcomes) == ["ok"] + ["refused:owner"] * 7
    winner = Partner.objects.get(pk=customer.pk).owner_id
    assert winner in {r.pk for r in reps}
    assert list(PoolEvent.objects.filter(customer=customer).values_list("new_owner", flat=True)) == [winner]


def test_simultaneous_claims_of_one_rep_stop_at_the_limit():
    users = get_user_model().objects
    owner = users.create_user("limit-owner")
    org = organization_open(owner=owner, data={"name": "限额并发公司"})
    rep = users.create_user("limit-rep")
    membership_add(organization=org, actor=owner, user=rep, roles=["sales"])
    crm_settings_services.crm_settings_update(organization=org, actor=None, data={"claim_limit": 2})
    customers = [
        partner_create(organization=org, actor=None, role=PartnerRole.CUSTOMER, data={"name": f"客户{n}"})
        for n in range(6)
    ]
    outcomes, unexpected = race(
        [lambda c=c: pool.pool_claim(organization=org, actor=rep, customer_id=c.pk) for c in customers]
    )
    assert unexpected == []
    assert sorted(outcomes) == ["ok", "ok"] + ["refused:claim_limit"] * 4
    assert Partner.objects.filter(organization=org, owner=rep).count() == 2
