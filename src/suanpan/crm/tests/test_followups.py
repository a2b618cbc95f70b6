"""Follow-up services: logging on leads, customers and opportunities, the next steps, the data scope, the refusals,
deleting, and the daily reminders with a frozen clock (`today=`)."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.utils import timezone
from tests.crm_cases_followups import log, make_customer_of, make_lead_row, make_opportunity_row

from suanpan.core.exceptions import DomainError, InvalidInput, NotFound, PermissionRefused
from suanpan.core.models import AuditEvent, Notification
from suanpan.crm import followups, pool
from suanpan.crm.choices import LeadStatus
from suanpan.crm.models import FollowUp, Lead

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def days(n: int) -> datetime.date:
    return TODAY + datetime.timedelta(days=n)


def at(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, 0)))


@pytest.fixture
def rep(member):
    return member("sales")


@pytest.fixture
def rep2(member):
    return member("sales")


def test_a_rep_logs_a_follow_up_on_their_customer(org, rep):
    customer = make_customer_of(org, rep, "甲客户")
    row = log(org, rep, customer, "客户要报价", next_on=days(2), next_action="发报价单", kind="visit")
    assert (row.customer_id, row.user_id, row.kind, row.content) == (customer.pk, rep.pk, "visit", "客户要报价")
    assert (row.next_on, row.next_action, row.next_done_at, row.reminded_on) == (days(2), "发报价单", None, None)
    assert timezone.localdate(row.happened_at) == TODAY
    event = AuditEvent.objects.get(object_type="crm.followup", object_id=str(row.pk))
    assert event.changes["customer"] == customer.pk
    assert event.actor == rep


def test_logging_closes_the_earlier_next_steps_of_the_same_subject(org, rep):
    customer = make_customer_of(org, rep)
    other = make_customer_of(org, rep)
    first = log(org, rep, customer, "第一次", happened_at=at(days(-3)), next_on=days(-1), next_action="回访")
    elsewhere = log(org, rep, other, "另一家", next_on=days(1))
    second = log(org, rep, customer, "第二次", next_on=days(5))
    first.refresh_from_db()
    elsewhere.refresh_from_db()
    second.refresh_from_db()
    assert first.next_done_at is not None
    assert elsewhere.next_done_at is None  # another subject's step stays open
    assert second.next_done_at is None
    assert AuditEvent.objects.get(object_type="crm.followup", object_id=str(second.pk)).changes["closed_steps"] == [
        first.pk
    ]


def test_a_back_dated_follow_up_does_not_take_over_the_open_step(org, rep):
    customer = make_customer_of(org, rep)
    today = log(org, rep, customer, "今天", next_on=days(3))
    earlier = log(org, rep, customer, "补记前天", happened_at=days(-2), next_on=days(-1))
    today.refresh_from_db()
    earlier.refresh_from_db()
    assert today.next_done_at is None
    assert earlier.next_done_at is not None
    assert timezone.localtime(earlier.happened_at).time() == datetime.time(12, 0)  # a day without a time: noon


def test_a_new_lead_becomes_contacting_with_its_first_follow_up(org, rep):
    new = make_lead_row(org, rep)
    qualified = make_lead_row(org, rep, status=LeadStatus.QUALIFIED)
    log(org, rep, new)
    log(org, rep, qualified)
    assert Lead.objects.get(pk=new.pk).status == LeadStatus.CONTACTING
    assert Lead.objects.get(pk=qualified.pk).status == LeadStatus.QUALIFIED
    event = AuditEvent.objects.get(object_type="crm.lead", object_id=str(new.pk))
    assert event.changes["status"] == ["new", "contacting"]
    log(org, rep, new, "再打一次")
    assert AuditEvent.objects.filter(object_type="crm.lead", object_id=str(new.pk)).count() == 1


def test_follow_ups_on_an_opportunity_show_on_its_customers_timeline(org, rep):
    customer = make_customer_of(org, rep)
    deal = make_opportunity_row(org, customer, rep)
    on_deal = log(org, rep, deal, "谈价格", next_on=days(1))
    on_customer = log(org, rep, customer, "寄样品", next_on=days(2))
    on_deal.refresh_from_db()
    assert on_deal.next_done_at is None  # the customer's follow-up is another thread
    assert list(followups.followup_list(organization=org, actor=rep, customer=customer)) == [on_customer, on_deal]
    assert list(followups.followup_list(organization=org, actor=rep, opportunity=deal.pk)) == [on_deal]


def test_the_system_logs_for_a_member_named_in_the_data(org, rep):
    customer = make_customer_of(org, rep)
    row = followups.followup_log(
        organization=org, actor=None, data={"content": "系统导入", "customer_id": customer.pk, "user_id": rep.pk}
    )
    assert (row.user_id, row.kind) == (rep.pk, "call")
    with pytest.raises(InvalidInput) as exc:
        followups.followup_log(organization=org, actor=None, data={"content": "x", "customer_id": customer.pk})
    assert exc.value.field == "user_id"


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"content": "  "}, "content"),
        ({"content": "x" * 4001}, "content"),
        ({"content": "ok", "kind": "fax"}, "kind"),
        ({"content": "ok", "next_on": "tomorrow"}, "next_on"),
        ({"content": "ok", "next_action": "y" * 201}, "next_action"),
        ({"content": "ok", "happened_at": "yesterday"}, "happened_at"),
    ],
)
def test_bad_input_is_refused_naming_the_field(org, rep, data, field):
    customer = make_customer_of(org, rep)
    with pytest.raises(InvalidInput) as exc:
        followups.followup_log(organization=org, actor=rep, data={"customer_id": customer.pk, **data})
    assert field in {e.field for e in exc.value.errors}
    assert not FollowUp.objects.exists()


def test_the_next_date_cannot_be_before_the_follow_up_nor_the_follow_up_in_a_day_to_come(org, rep):
    customer = make_customer_of(org, rep)
    with pytest.raises(InvalidInput) as exc:
        log(org, rep, customer, next_on=days(-1))
    assert exc.value.field == "next_on"
    with pytest.raises(InvalidInput) as exc:
        log(org, rep, customer, happened_at=days(-5), next_on=days(-6))
    assert exc.value.field == "next_on"
    with pytest.raises(InvalidInput) as exc:
        log(org, rep, customer, happened_at=at(days(1)))
    assert exc.value.field == "happened_at"
    assert log(org, rep, customer, happened_at=days(-5), next_on=days(-5)).next_on == days(-5)  # same day is fine


def test_a_follow_up_names_exactly_one_subject(org, rep):
    customer = make_customer_of(org, rep)
    lead = make_lead_row(org, rep)
    for data in ({}, {"customer_id": customer.pk, "lead_id": lead.pk}):
        with pytest.raises(InvalidInput) as exc:
            followups.followup_log(organization=org, actor=rep, data={"content": "x", **data})
        assert exc.value.field == "subject"
    assert not FollowUp.objects.exists()


def test_only_members_who_change_the_crm_log(org, member):
    service = member("service")
    customer = make_customer_of(org, service)
    with pytest.raises(PermissionRefused):
        log(org, service, customer)
    assert not FollowUp.objects.exists()


def test_a_rep_cannot_log_on_or_read_what_is_not_theirs(org, other_org, rep, rep2, owner):
    theirs = make_customer_of(org, rep2)
    in_pool = make_customer_of(org)
    their_lead = make_lead_row(org, rep2)
    unassigned_lead = make_lead_row(org)
    their_deal = make_opportunity_row(org, theirs, rep2)
    foreign = make_customer_of(other_org)
    for subject in (theirs, in_pool, their_lead, unassigned_lead, their_deal):
        with pytest.raises(NotFound):
            log(org, rep, subject)
    with pytest.raises(NotFound):
        log(org, owner, foreign)  # another organization's customer
    assert not FollowUp.objects.exists()
    mine = log(org, rep, make_customer_of(org, rep))
    theirs_row = log(org, rep2, theirs)
    assert list(followups.followup_list(organization=org, actor=rep)) == [mine]
    assert set(followups.followup_list(organization=org, actor=owner)) == {mine, theirs_row}
    with pytest.raises(NotFound):
        followups.followup_list(organization=org, actor=rep, customer=theirs)
    with pytest.raises(NotFound):
        followups.followup_get(organization=org, actor=rep, pk=theirs_row.pk)
    log(org, owner, unassigned_lead)  # the owner (a manager) sees unassigned leads


def test_the_logger_deletes_their_follow_up_the_same_day_and_the_step_before_reopens(org, rep, rep2, owner):
    customer = make_customer_of(org, rep)
    first = log(org, rep, customer, "第一次", happened_at=days(-1), next_on=days(1))
    mistake = log(org, rep, customer, "记错了客户", next_on=days(2))
    with pytest.raises(DomainError):
        followups.followup_delete(organization=org, actor=owner, followup_id=mistake.pk)  # not the logger
    with pytest.raises(NotFound):
        followups.followup_delete(organization=org, actor=rep2, followup_id=mistake.pk)  # not in scope
    followups.followup_delete(organization=org, actor=rep, followup_id=mistake.pk)
    assert not FollowUp.objects.filter(pk=mistake.pk).exists()
    first.refresh_from_db()
    assert first.next_done_at is None
    assert AuditEvent.objects.filter(object_type="crm.followup", object_id=str(mistake.pk), action="delete").exists()
    FollowUp.objects.filter(pk=first.pk).update(created_at=at(days(-1)))  # logged yesterday: history now
    with pytest.raises(DomainError):
        followups.followup_delete(organization=org, actor=rep, followup_id=first.pk)
    assert FollowUp.objects.filter(pk=first.pk).exists()


# Reminders -------------------------------------------------------------------------------------------------------


def reminders(org, day):
    return followups.followup_reminders(organization=org, today=day)


def notes(user):
    return list(Notification.objects.filter(user=user, kind=followups.DUE_KIND).order_by("pk"))


def test_a_next_step_is_reminded_on_its_day_once_a_day_until_the_next_follow_up(
    org, member, django_capture_on_commit_callbacks
):
    rep = member("sales")
    rep.email = "rep@example.com"
    rep.save()
    customer = make_customer_of(org, rep, "星河贸易")
    step = log(org, rep, customer, "约了下周见面", next_on=days(3), next_action="上门拜访")
    with django_capture_on_commit_callbacks(execute=True):
        assert reminders(org, days(2)) == 0  # the day before: nothing
    assert notes(rep) == []
    with django_capture_on_commit_callbacks(execute=True):
        assert reminders(org, days(3)) == 1
    [note] = notes(rep)
    assert note.title == "Follow up today: 星河贸易"
    assert note.body == f"{days(3).isoformat()} 星河贸易: 上门拜访"
    assert note.link == followups.subject_url("customer", customer.pk)
    assert note.key == f"followup:{step.pk}"
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["rep@example.com"]
    step.refresh_from_db()
    assert step.reminded_on == days(3)
    assert reminders(org, days(3)) == 0  # again the same day: nothing new
    assert reminders(org, days(4)) == 1  # the next morning, overdue
    assert notes(rep)[-1].title == "Overdue follow-up: 星河贸易"
    log(org, rep, customer, "拜访了", happened_at=days(0))
    assert reminders(org, days(5)) == 0  # done: no more reminders
    assert len(notes(rep)) == 2
    assert all(n.resolved_at is not None for n in notes(rep))  # the step is done: its notifications resolved


def test_several_steps_make_one_notification_that_names_each(org, rep, rep2):
    one, two = make_customer_of(org, rep, "一号客户"), make_customer_of(org, rep, "二号客户")
    log(org, rep, one, next_on=days(0), next_action="打电话")
    log(org, rep, two, happened_at=days(-3), next_on=days(-2), next_action="催款")
    log(org, rep2, make_customer_of(org, rep2), next_on=days(1))
    assert reminders(org, days(0)) == 2
    [note] = notes(rep)
    assert note.title == "2 follow-ups due (1 overdue)"
    assert note.body.splitlines() == [
        f"{days(-2).isoformat()} (overdue) 二号客户: 催款",
        f"{days(0).isoformat()} 一号客户: 打电话",
    ]
    assert note.link == "/crm/my-day/"
    assert notes(rep2) == []


def test_a_step_on_a_customer_that_left_the_rep_is_not_reminded(org, rep):
    customer = make_customer_of(org, rep)
    log(org, rep, customer, next_on=days(1))
    pool.pool_release(organization=org, actor=rep, customer_id=customer.pk, reason="不做了")
    assert reminders(org, days(1)) == 0
    assert notes(rep) == []
