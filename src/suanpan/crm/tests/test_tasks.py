"""The daily CRM jobs (Huey in immediate mode): each runs the service for every active organization with today's
date, one organization's failure does not stop the others, and the schedules are 08:00, 02:00 and 03:00."""

from __future__ import annotations

import datetime
import sys
import types

import pytest
from django.utils import timezone
from tests.crm_cases_followups import log, make_customer_of

from suanpan.core.models import Notification
from suanpan.crm import crm_settings_services, followups, tasks
from suanpan.partners.models import Partner

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def days(n: int) -> datetime.date:
    return TODAY + datetime.timedelta(days=n)


def run(task, *args):
    """Call a task (immediate mode runs it at once) and return its result."""
    return task(*args).get()


def test_the_morning_reminders_run_for_each_organization(org, other_org, member, monkeypatch):
    rep = member("sales")
    log(org, rep, make_customer_of(org, rep), next_on=days(0))
    seen: list[tuple[int, datetime.date]] = []
    real = followups.followup_reminders

    def reminders(*, organization, today):
        seen.append((organization.pk, today))
        if organization.pk == other_org.pk:
            raise RuntimeError("bad data")
        return real(organization=organization, today=today)

    monkeypatch.setattr(followups, "followup_reminders", reminders)
    assert run(tasks.followup_reminders_task) == 1  # the other organization failed, this one ran
    assert sorted(seen) == sorted([(org.pk, TODAY), (other_org.pk, TODAY)])
    assert Notification.objects.filter(user=rep, kind=followups.DUE_KIND).count() == 1
    assert run(tasks.followup_reminders_task, org.pk) == 0  # already reminded today


def test_inactive_organizations_are_skipped(org, member):
    rep = member("sales")
    log(org, rep, make_customer_of(org, rep), next_on=days(0))
    type(org).objects.filter(pk=org.pk).update(is_active=False)
    assert run(tasks.followup_reminders_task) == 0


def test_the_pool_job_returns_customers_without_follow_up(org, member):
    rep = member("sales")
    crm_settings_services.crm_settings_update(organization=org, actor=None, data={"pool_return_days": 5})
    customer = make_customer_of(org, rep)
    Partner.objects.filter(pk=customer.pk).update(created_at=timezone.now() - datetime.timedelta(days=10))
    assert run(tasks.pool_reclaim_task) == 1
    assert Partner.objects.get(pk=customer.pk).owner_id is None


def test_contract_and_tag_jobs_call_the_other_areas(org, monkeypatch):
    calls: list[str] = []
    contracts = types.ModuleType("suanpan.crm.contracts")
    contracts.contract_expiry_reminders = lambda *, organization, today: calls.append(f"contracts {today}") or 2  # type: ignore[attr-defined]
    segments = types.ModuleType("suanpan.crm.segments")
    segments.tag_rules_apply = lambda *, organization, today=None: calls.append(f"tags {today}") or 3  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "suanpan.crm.contracts", contracts)
    monkeypatch.setitem(sys.modules, "suanpan.crm.segments", segments)
    assert run(tasks.contract_reminders_task, org.pk) == 2
    assert run(tasks.tag_rules_task, org.pk) == 3
    assert calls == [f"contracts {TODAY}", f"tags {TODAY}"]
    tasks.crm_morning()  # the periodic wrappers run the same tasks
    tasks.crm_tag_rules()
    tasks.crm_pool_reclaim()
    assert calls[2:] == [f"contracts {TODAY}", f"tags {TODAY}"]


def test_the_schedules():
    def runs_at(task, hour, minute=0):
        return task.s().validate_datetime(datetime.datetime(2026, 11, 27, hour, minute))  # noqa: DTZ001  # huey: naive

    assert runs_at(tasks.crm_morning, 8)
    assert not runs_at(tasks.crm_morning, 9)
    assert runs_at(tasks.crm_pool_reclaim, 2)
    assert not runs_at(tasks.crm_pool_reclaim, 3)
    assert runs_at(tasks.crm_tag_rules, 3)
