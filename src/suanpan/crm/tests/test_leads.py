"""Lead services: entry and numbering, owners and the assignment rules (round-robin, region first), duplicates,
the status flow and its refusals, bulk reassignment, the one-step conversion (and that a refusal leaves nothing),
channels and rules, and the data scope."""

from decimal import Decimal

import pytest
from django.utils import timezone
from tests.crm_cases_leads import make_channel, make_lead, make_rule
from tests.resources import make_customer

from suanpan.core.audit import audit_history
from suanpan.core.exceptions import DomainError, InvalidInput, NotFound, PermissionRefused
from suanpan.core.models import Notification
from suanpan.core.validators import credit_code_check_char
from suanpan.crm import leads
from suanpan.crm.choices import LeadStatus
from suanpan.crm.models import AssignmentRule, Channel, Lead, Opportunity, StageChange
from suanpan.crm.setup import DEFAULT_CHANNELS
from suanpan.partners.choices import PartnerRole
from suanpan.partners.models import Contact, Partner
from suanpan.partners.services import contact_create, partner_create
from suanpan.verify import verify_organization

pytestmark = pytest.mark.django_db

CODE = "91310000MA1K" + "ABCDE"
CODE += credit_code_check_char(CODE)


def create(org, actor=None, **data):
    return leads.lead_create(organization=org, actor=actor, data=data)


def fields(exc):
    return {e.field for e in exc.value.errors}


def counts():
    return (
        Lead.objects.count(),
        Partner.objects.count(),
        Contact.objects.count(),
        Opportunity.objects.count(),
        StageChange.objects.count(),
    )


# Entry ------------------------------------------------------------------------------------------------------------


def test_a_lead_is_numbered_per_month_and_searchable(org, owner):
    first = create(
        org, owner, company="北京星河科技有限公司", contact_name="王伟", mobile="138 0013 8000", channel="官网"
    )
    second = create(org, owner, contact_name="李雷", mobile="13900001111")
    month = timezone.localdate().strftime("%Y%m")
    assert (first.number, second.number) == (f"XS-{month}-0001", f"XS-{month}-0002")
    assert first.status == LeadStatus.NEW
    assert first.channel.name == "官网"
    assert first.created_by == owner
    assert first.owner is None  # the owner sees every lead; no rule: it waits for a manager to hand it out
    assert "bjxh" in first.search_text
    assert "138 0013 8000" in first.search_text
    assert [e.action for e in audit_history(organization=org, obj=first)] == ["create"]
    assert set(Channel.objects.filter(organization=org).values_list("name", flat=True)) == set(DEFAULT_CHANNELS)


def test_a_reps_own_lead_is_theirs_and_a_manager_may_give_it_to_a_rep(org, owner, member):
    rep, other = member("sales"), member("sales")
    assert create(org, rep, company="甲公司").owner == rep
    make_rule(org, other)
    assert create(org, rep, company="乙公司").owner == rep  # the rep's own, not the rule's
    given = create(org, owner, company="丙公司", owner_id=other.pk)
    assert given.owner == other
    note = Notification.objects.get(user=other, kind=leads.ASSIGNED_KIND)
    assert note.link == f"/crm/leads/{given.pk}/"


def test_entry_refusals_name_the_field_and_save_nothing(org, owner, other_org, member):
    rep, rep2, finance = member("sales"), member("sales"), member("finance")
    theirs = make_channel(other_org)
    inactive = make_channel(org, "旧渠道")
    leads.channel_deactivate(organization=org, actor=None, channel_id=inactive.pk)
    cases = [
        ({}, "company"),
        ({"company": "甲", "mobile": "abc"}, "mobile"),
        ({"company": "甲", "credit_code": CODE[:17] + ("0" if CODE[17] != "0" else "1")}, "credit_code"),
        ({"company": "甲", "email": "not-an-address"}, "email"),
        ({"company": "甲", "channel": "火星"}, "channel"),
        ({"company": "甲", "channel_id": theirs.pk}, "channel_id"),
        ({"company": "甲", "channel_id": inactive.pk}, "channel_id"),
        ({"company": "甲", "channel_id": "x"}, "channel_id"),
        ({"company": "甲", "owner_id": 999999}, "owner_id"),
        ({"company": "甲", "owner_id": finance.pk}, "owner_id"),
        ({"company": "甲" * 201}, "company"),
    ]
    for data, field in cases:
        with pytest.raises(InvalidInput) as bad:
            create(org, owner, **data)
        assert field in fields(bad), (data, bad.value.errors)
    with pytest.raises(InvalidInput) as bad:
        create(org, rep, company="甲", owner_id=rep2.pk)  # a rep cannot hand a lead to someone they do not see
    assert fields(bad) == {"owner_id"}
    with pytest.raises(PermissionRefused):
        create(org, finance, company="甲")
    assert not Lead.objects.exists()


def test_a_lead_is_changed_but_not_once_converted(org, owner):
    lead = make_lead(org, company="甲公司", mobile="13800000001")
    changed = leads.lead_update(
        organization=org,
        actor=owner,
        lead_id=lead.pk,
        data={"company": "甲科技", "province": "江苏", "channel": "展会"},
    )
    assert (changed.company, changed.province, changed.channel.name, changed.mobile) == (
        "甲科技",
        "江苏",
        "展会",
        "13800000001",
    )
    assert "jkj" in changed.search_text
    event = audit_history(organization=org, obj=lead).first()
    assert event.changes["company"] == ["甲公司", "甲科技"]
    with pytest.raises(InvalidInput) as bad:
        leads.lead_update(organization=org, actor=owner, lead_id=lead.pk, data={"company": "", "contact_name": ""})
    assert fields(bad) == {"company"}
    leads.lead_convert(organization=org, actor=owner, lead_id=lead.pk, data={})
    with pytest.raises(DomainError):
        leads.lead_update(organization=org, actor=owner, lead_id=lead.pk, data={"company": "再改"})


# Duplicates -------------------------------------------------------------------------------------------------------


def test_duplicates_of_leads_and_customers_are_refused_naming_the_field_and_the_record(org, owner):
    first = make_lead(org, company="上海 明珠 贸易有限公司", mobile="138-0013-8000", phone="021 5555 6666")
    customer = partner_create(
        organization=org,
        actor=None,
        role=PartnerRole.CUSTOMER,
        data={"name": "杭州西湖茶业有限公司", "credit_code": CODE, "phone": "0571-8888 9999"},
    )
    contact_create(
        organization=org,
        actor=None,
        role=PartnerRole.CUSTOMER,
        partner_id=make_customer(org, "南京客户").pk,
        data={"name": "赵六", "mobile": "13700001234"},
    )
    cases = [
        ({"contact_name": "甲", "mobile": "13800138000"}, "mobile", first.number),
        ({"contact_name": "甲", "mobile": "02155556666"}, "mobile", first.number),  # against the lead's phone
        ({"company": "上海明珠贸易有限公司"}, "company", first.number),
        ({"company": "杭州西湖茶业有限公司 "}, "company", customer.name),
        ({"company": "别名", "credit_code": CODE.lower()}, "credit_code", customer.name),
        ({"contact_name": "甲", "phone": "057188889999"}, "phone", customer.name),
        ({"contact_name": "甲", "mobile": "137 0000 1234"}, "mobile", "南京客户"),
    ]
    for data, field, record in cases:
        with pytest.raises(leads.DuplicateFound) as dup:
            create(org, owner, **data)
        assert dup.value.status_code == 422
        messages = {e.field: e.message for e in dup.value.errors}
        assert field in messages, data
        assert record in messages[field], messages
    assert Lead.objects.count() == 1
    again = create(org, owner, contact_name="甲", mobile="13800138000", allow_duplicate=True)
    assert again.mobile == "13800138000"
    # editing a lead does not find itself
    leads.lead_update(organization=org, actor=owner, lead_id=first.pk, data={"notes": "补充"})
    with pytest.raises(leads.DuplicateFound):  # a changed number is checked again
        leads.lead_update(organization=org, actor=owner, lead_id=again.pk, data={"phone": "021-5555-6666"})
    found = leads.lead_duplicates(organization=org, actor=owner, lead_id=first.pk)
    assert [(d.field, d.kind, d.record.pk) for d in found] == [("mobile", "lead", again.pk)]


# Assignment rules -------------------------------------------------------------------------------------------------


def test_round_robin_over_four_leads_with_two_assignees(org, owner, member):
    a, b = member("sales"), member("sales")
    rule = make_rule(org, b, a)
    owners = [create(org, owner, company=f"公司{n}").owner for n in range(4)]
    first, second = sorted([a, b], key=lambda u: u.pk)
    assert owners == [first, second, first, second]
    rule.refresh_from_db()
    assert rule.last_assigned == second
    assert Notification.objects.filter(kind=leads.ASSIGNED_KIND, user=a).count() == 2
    assert Notification.objects.filter(kind=leads.ASSIGNED_KIND, user=b).count() == 2


def test_a_province_rule_takes_its_leads_before_the_catch_all(org, owner, member):
    everywhere, canton, gone = member("sales"), member("sales"), member("sales")
    make_rule(org, everywhere, seq=1)
    make_rule(org, canton, province="广东", seq=5)
    off = make_rule(org, gone, province="浙江", seq=0)
    leads.assignment_rule_update(organization=org, actor=None, rule_id=off.pk, data={"is_active": False})
    assert create(org, owner, company="广州甲", province="广东省").owner == canton
    assert create(org, owner, company="杭州乙", province="浙江").owner == everywhere  # the Zhejiang rule is off
    assert create(org, owner, company="无省份").owner == everywhere
    # an assignee who may no longer work leads is skipped; a rule without any left does not match
    from suanpan.core.services import membership_add

    membership_add(organization=org, actor=None, user=canton, roles=["finance"])
    assert create(org, owner, company="深圳丙", province="广东").owner == everywhere


def test_rules_are_checked(org, owner, member):
    rep, finance = member("sales"), member("finance")
    with pytest.raises(InvalidInput) as bad:
        leads.assignment_rule_create(organization=org, actor=owner, data={"name": "华东", "assignee_ids": []})
    assert fields(bad) == {"assignee_ids"}
    with pytest.raises(InvalidInput) as bad:
        leads.assignment_rule_create(
            organization=org, actor=owner, data={"name": "", "assignee_ids": [rep.pk, finance.pk, 0]}
        )
    assert fields(bad) == {"name", "assignee_ids.1", "assignee_ids.2"}
    with pytest.raises(PermissionRefused):
        leads.assignment_rule_create(organization=org, actor=rep, data={"name": "华东", "assignee_ids": [rep.pk]})
    rule = leads.assignment_rule_create(
        organization=org, actor=owner, data={"name": "华东", "province": "上海", "assignee_ids": [rep.pk, rep.pk]}
    )
    assert list(rule.assignees.all()) == [rep]
    leads.assignment_rule_delete(organization=org, actor=owner, rule_id=rule.pk)
    assert not AssignmentRule.objects.exists()


# Status flow ------------------------------------------------------------------------------------------------------


def test_the_status_flow_and_its_refusals(org, owner):
    lead = make_lead(org)
    args = {"organization": org, "actor": owner, "lead_id": lead.pk}
    with pytest.raises(InvalidInput) as bad:
        leads.lead_invalidate(**args, reason="  ")
    assert fields(bad) == {"reason"}
    with pytest.raises(DomainError):
        leads.lead_reopen(**args)
    assert leads.lead_contact(**args).status == LeadStatus.CONTACTING
    with pytest.raises(DomainError):
        leads.lead_contact(**args)
    assert leads.lead_qualify(**args).status == LeadStatus.QUALIFIED
    with pytest.raises(DomainError):
        leads.lead_contact(**args)
    invalid = leads.lead_invalidate(**args, reason="预算取消")
    assert (invalid.status, invalid.invalid_reason) == (LeadStatus.INVALID, "预算取消")
    with pytest.raises(DomainError):
        leads.lead_qualify(**args)
    with pytest.raises(DomainError):
        leads.lead_convert(**args, data={})
    reopened = leads.lead_reopen(**args)
    assert (reopened.status, reopened.invalid_reason) == (LeadStatus.CONTACTING, "")
    states = [e.changes.get("status") for e in audit_history(organization=org, obj=lead).order_by("pk")]
    assert states[1:] == [
        ["new", "contacting"],
        ["contacting", "qualified"],
        ["qualified", "invalid"],
        ["invalid", "contacting"],
    ]
    assert not Partner.objects.exists()


# Reassignment -----------------------------------------------------------------------------------------------------


def test_bulk_reassignment(org, owner, other_org, member):
    a, b, finance = member("sales"), member("sales"), member("finance")
    mine = [make_lead(org, owner_id=a.pk), make_lead(org, owner_id=a.pk), make_lead(org, owner_id=b.pk)]
    ids = [lead.pk for lead in mine]
    assert leads.lead_reassign(organization=org, actor=owner, lead_ids=ids, owner_id=b.pk) == 2
    assert set(Lead.objects.filter(pk__in=ids).values_list("owner", flat=True)) == {b.pk}
    assert Notification.objects.filter(user=b, kind=leads.ASSIGNED_KIND, title__contains="2").count() == 1
    event = audit_history(organization=org, obj=mine[0]).first()
    assert event.changes["owner"][1] == b.username
    with pytest.raises(PermissionRefused):
        leads.lead_reassign(organization=org, actor=a, lead_ids=ids, owner_id=a.pk)
    theirs = make_lead(other_org)
    for lead_ids, owner_id, field in (
        ([theirs.pk], a.pk, "lead_ids"),
        ([ids[0], 10**6], a.pk, "lead_ids"),
        (["x"], a.pk, "lead_ids"),
        ([], a.pk, "lead_ids"),
        (ids, finance.pk, "owner_id"),
    ):
        with pytest.raises(InvalidInput) as bad:
            leads.lead_reassign(organization=org, actor=owner, lead_ids=lead_ids, owner_id=owner_id)
        assert fields(bad) == {field}
    leads.lead_convert(organization=org, actor=owner, lead_id=ids[0], data={})
    with pytest.raises(InvalidInput):
        leads.lead_reassign(organization=org, actor=owner, lead_ids=ids, owner_id=a.pk)
    assert set(Lead.objects.filter(pk__in=ids).values_list("owner", flat=True)) == {b.pk}


# Conversion -------------------------------------------------------------------------------------------------------


def test_conversion_makes_customer_contact_and_opportunity_in_one_step(org, owner, member):
    rep = member("sales")
    lead = make_lead(
        org,
        company="苏州园林设计有限公司",
        contact_name="陈静",
        title="采购经理",
        mobile="13912345678",
        email="chen@example.cn",
        wechat="chenjing",
        credit_code=CODE,
        province="江苏",
        city="苏州",
        industry="设计",
        owner_id=rep.pk,
    )
    day = timezone.localdate()
    customer, contact, opportunity = leads.lead_convert(
        organization=org,
        actor=rep,
        lead_id=lead.pk,
        data={"opportunity": {"name": "园林软件", "amount": "88000.00", "expected_close_on": day}},
    )
    assert (customer.name, customer.owner, customer.credit_code, customer.province, customer.is_customer) == (
        "苏州园林设计有限公司",
        rep,
        CODE,
        "江苏",
        True,
    )
    assert (contact.partner, contact.name, contact.mobile, contact.title, contact.is_primary) == (
        customer,
        "陈静",
        "13912345678",
        "采购经理",
        True,
    )
    assert (opportunity.customer, opportunity.owner, opportunity.amount, opportunity.lead, opportunity.contact) == (
        customer,
        rep,
        Decimal("88000.00"),
        lead,
        contact,
    )
    assert opportunity.expected_close_on == day
    lead.refresh_from_db()
    assert (lead.status, lead.customer, lead.opportunity) == (LeadStatus.CONVERTED, customer, opportunity)
    assert lead.converted_at is not None
    event = audit_history(organization=org, obj=lead).first()
    assert event.changes["status"] == ["new", "converted"]
    with pytest.raises(DomainError):
        leads.lead_convert(organization=org, actor=rep, lead_id=lead.pk, data={})
    assert [r.differences for r in verify_organization(org) if r.differences] == []


def test_conversion_links_an_existing_customer_and_checks_for_similar_ones(org, owner, other_org):
    existing = make_customer(org, "宁波港务有限公司")
    lead = make_lead(org, company="宁波港务有限公司", contact_name="周强")
    with pytest.raises(leads.DuplicateFound) as dup:
        leads.lead_convert(organization=org, actor=owner, lead_id=lead.pk, data={})
    assert fields(dup) == {"customer_id"}
    assert existing.name in dup.value.errors[0].message
    with pytest.raises(InvalidInput) as bad:
        leads.lead_convert(
            organization=org, actor=owner, lead_id=lead.pk, data={"customer_id": make_customer(other_org).pk}
        )
    assert fields(bad) == {"customer_id"}
    before = Partner.objects.count()
    customer, contact, opportunity = leads.lead_convert(
        organization=org, actor=owner, lead_id=lead.pk, data={"customer_id": existing.pk}
    )
    assert (customer, contact.partner, contact.name, opportunity) == (existing, existing, "周强", None)
    assert Partner.objects.count() == before
    twin = make_lead(org, company="宁波港务有限公司", contact_name="")
    customer, contact, _opp = leads.lead_convert(
        organization=org, actor=owner, lead_id=twin.pk, data={"allow_duplicate": True}
    )
    assert customer != existing
    assert contact is None  # no contact name on the lead


def test_a_refused_conversion_leaves_nothing_behind(org, owner, monkeypatch):
    lead = make_lead(org, company="广州白云电器", contact_name="黄海", mobile="13600000000")
    before = counts()
    for bad in ({"amount": "-1"}, {"amount": "1.234"}, {"expected_close_on": "明天"}, "yes"):
        with pytest.raises(InvalidInput):
            leads.lead_convert(organization=org, actor=owner, lead_id=lead.pk, data={"opportunity": bad})
    assert counts() == before

    from suanpan.crm import opportunities

    def broken(**kwargs):
        raise DomainError("机会无法创建")

    monkeypatch.setattr(opportunities, "opportunity_create", broken)
    with pytest.raises(DomainError):
        leads.lead_convert(organization=org, actor=owner, lead_id=lead.pk, data={"opportunity": {"name": "X"}})
    assert counts() == before  # the customer and contact made before the refusal are gone too
    lead.refresh_from_db()
    assert (lead.status, lead.customer, lead.opportunity, lead.converted_at) == (LeadStatus.NEW, None, None, None)


# Data scope -------------------------------------------------------------------------------------------------------


def test_a_rep_sees_and_works_only_their_own_leads(org, owner, member, other_org):
    a, b, marketing, admin = member("sales"), member("sales"), member("marketing"), member("admin")
    own, theirs, unowned = make_lead(org, owner_id=a.pk), make_lead(org, owner_id=b.pk), make_lead(org)
    assert set(leads.lead_list(organization=org, actor=a)) == {own}
    assert set(leads.lead_list(organization=org, actor=marketing)) == {own, theirs, unowned}  # ALL scope
    assert set(leads.lead_list(organization=org, actor=admin)) == {own, theirs, unowned}
    for service, extra in (
        (leads.lead_update, {"data": {"notes": "x"}}),
        (leads.lead_contact, {}),
        (leads.lead_qualify, {}),
        (leads.lead_invalidate, {"reason": "x"}),
        (leads.lead_convert, {"data": {}}),
        (leads.lead_duplicates, {}),
    ):
        for lead in (theirs, unowned):
            with pytest.raises(NotFound):
                service(organization=org, actor=a, lead_id=lead.pk, **extra)
        with pytest.raises(NotFound):
            service(organization=other_org, actor=None, lead_id=own.pk, **extra)
    with pytest.raises(NotFound):
        leads.lead_get(organization=org, pk=theirs.pk, actor=a)
    assert counts()[1:] == (0, 0, 0, 0)
    assert Lead.objects.get(pk=theirs.pk).status == LeadStatus.NEW


# Channels ---------------------------------------------------------------------------------------------------------


def test_channels_are_managed(org, owner, member):
    rep = member("sales")
    channel = leads.channel_create(organization=org, actor=owner, data={"name": "小红书", "seq": 80})
    with pytest.raises(InvalidInput) as bad:
        leads.channel_create(organization=org, actor=owner, data={"name": "官网"})
    assert fields(bad) == {"name"}
    with pytest.raises(InvalidInput) as bad:
        leads.channel_update(organization=org, actor=owner, channel_id=channel.pk, data={"name": " "})
    assert fields(bad) == {"name"}
    with pytest.raises(PermissionRefused):
        leads.channel_create(organization=org, actor=rep, data={"name": "知乎"})
    renamed = leads.channel_update(organization=org, actor=owner, channel_id=channel.pk, data={"name": "小红书笔记"})
    assert renamed.name == "小红书笔记"
    lead = make_lead(org, channel_id=channel.pk)
    leads.channel_deactivate(organization=org, actor=owner, channel_id=channel.pk)
    assert not leads.channel_list(organization=org, active_only=True).filter(pk=channel.pk).exists()
    # its leads keep it and may still be edited
    changed = leads.lead_update(organization=org, actor=owner, lead_id=lead.pk, data={"channel_id": channel.pk})
    assert changed.channel == channel
    with pytest.raises(InvalidInput):
        create(org, owner, company="新", channel_id=channel.pk)
