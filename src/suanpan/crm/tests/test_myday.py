"""'My day': what a rep sees in the morning, from the service and on the page (with a frozen clock)."""

from __future__ import annotations

import datetime
from contextlib import contextmanager
from unittest import mock

import pytest
from django.test import Client
from django.utils import timezone
from tests.crm_cases_followups import (
    log,
    make_contract_row,
    make_customer_of,
    make_lead_row,
    make_opportunity_row,
)

from suanpan.crm import crm_settings_services, myday
from suanpan.crm.choices import ContractStatus, LeadStatus, StageKind
from suanpan.partners.models import Partner

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
_real_localdate = timezone.localdate


def days(n: int) -> datetime.date:
    return TODAY + datetime.timedelta(days=n)


@contextmanager
def frozen(day: datetime.date):
    """`timezone.localdate()` answers `day` (with an argument it still converts that moment)."""

    def localdate(value=None, timezone=None):
        return day if value is None else _real_localdate(value, timezone)

    with mock.patch("django.utils.timezone.localdate", localdate):
        yield


@pytest.fixture
def rep(member):
    return member("sales")


@pytest.fixture
def world(org, rep, member):
    """One rep's day, with things of another rep around that must not show."""
    other = member("sales")
    crm_settings_services.crm_settings_update(organization=org, actor=None, data={"pool_return_days": 30})
    mine, theirs = make_customer_of(org, rep, "我的客户"), make_customer_of(org, other, "别人的客户")
    old = make_customer_of(org, rep, "快回公海")
    Partner.objects.filter(pk=old.pk).update(created_at=timezone.now() - datetime.timedelta(days=60))
    log(org, rep, old, "很久以前", happened_at=days(-25))
    late = log(org, rep, make_customer_of(org, rep, "逾期客户"), "说再联系", happened_at=days(-4), next_on=days(-2))
    due = log(org, rep, mine, "约今天回电", happened_at=days(-1), next_on=days(0), next_action="回电")
    log(org, rep, make_customer_of(org, rep, "明天的"), "下次", next_on=days(1))
    log(org, other, theirs, "别人的", happened_at=days(-1), next_on=days(0))
    today_row = log(org, rep, make_customer_of(org, rep, "今天聊过"), "今天聊了")
    new_lead = make_lead_row(org, rep, company="新线索公司")
    make_lead_row(org, rep, status=LeadStatus.CONTACTING)
    make_lead_row(org, other)
    closing = make_opportunity_row(org, mine, rep, close_on=days(5), name="五天后成交")
    make_opportunity_row(org, mine, rep, close_on=days(10), name="十天后")
    make_opportunity_row(org, mine, rep, close_on=days(1), kind=StageKind.WON, name="已赢")
    make_opportunity_row(org, theirs, other, close_on=days(1), name="别人的商机")
    ending = make_contract_row(org, mine, rep, days(20))
    make_contract_row(org, mine, rep, days(40))
    make_contract_row(org, mine, rep, days(3), status=ContractStatus.DRAFT)
    return {
        "late": late,
        "due": due,
        "today_row": today_row,
        "new_lead": new_lead,
        "closing": closing,
        "ending": ending,
        "old": old,
    }


def test_my_day_lists_what_the_rep_has_to_do(org, rep, world):
    day = myday.my_day(organization=org, actor=rep, today=TODAY)
    assert day.overdue == [world["late"]]
    assert day.due_today == [world["due"]]
    assert world["today_row"] in day.logged_today
    assert all(f.user_id == rep.pk for f in day.logged_today)
    assert day.new_leads == [world["new_lead"]]
    assert day.closing == [world["closing"]]
    assert day.ending_contracts == [world["ending"]]
    assert [(r.customer, r.return_on) for r in day.returning] == [(world["old"], days(6))]


def test_the_page_shows_the_day_of_the_member_who_opens_it(org, rep, world):
    client = Client()
    client.force_login(rep)
    page = client.get("/crm/my-day/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="due-count">2<' in html
    assert f'data-followup="{world["late"].pk}"' in html
    assert f'data-followup="{world["due"].pk}"' in html
    assert f'href="/crm/follow-ups/new/?customer={world["due"].customer_id}&next=/crm/my-day/"' in html
    assert f'data-lead="{world["new_lead"].pk}"' in html
    assert f'data-opportunity="{world["closing"].pk}"' in html
    assert f'data-contract="{world["ending"].pk}"' in html
    assert f'data-customer="{world["old"].pk}"' in html
    for name in ("别人的客户", "别人的商机", "十天后", "已赢"):
        assert name not in html


def test_a_follow_up_logged_today_shows_in_my_day_tomorrow(org, rep):
    """The rep logs a follow-up from the phone form with a next date, and finds it in 'my day' the next day."""
    customer = make_customer_of(org, rep, "明日回访客户")
    client = Client()
    client.force_login(rep)
    form = client.get(f"/crm/follow-ups/new/?customer={customer.pk}&next=/crm/my-day/")
    assert form.status_code == 200
    assert f'data-date="{days(1).isoformat()}"' in form.content.decode()  # the "tomorrow" button
    posted = client.post(
        "/crm/follow-ups/new/",
        {
            "customer": customer.pk,
            "kind": "wechat",
            "content": "客户在微信上说明天再聊",
            "next_on": days(1).isoformat(),
            "next_action": "微信确认订单",
            "next": "/crm/my-day/",
        },
    )
    assert posted.status_code == 302
    assert posted["Location"] == "/crm/my-day/"
    html = client.get("/crm/my-day/").content.decode()
    assert "微信确认订单" not in html  # not due today
    assert 'id="logged-count">1<' in html
    with frozen(days(1)):
        html = client.get("/crm/my-day/").content.decode()
    assert 'id="due-count">1<' in html
    assert "明日回访客户" in html
    assert "微信确认订单" in html
    with frozen(days(2)):
        html = client.get("/crm/my-day/").content.decode()
    assert 'id="overdue-count"' in html
