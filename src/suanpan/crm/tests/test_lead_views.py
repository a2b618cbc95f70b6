"""The lead pages: the phone-friendly form with the duplicate warning, the lead page's actions and refusals (422 on
the page), conversion, the list (filters, Excel, bulk reassignment), channels and rules, the data scope and the
roles. Pages are Chinese by default: assertions read data, ids and status codes."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from tests.crm_cases_leads import make_channel, make_lead, make_rule
from tests.resources import make_customer, xlsx_rows

from suanpan.core.choices import Role
from suanpan.core.permissions import ROLE_PERMISSIONS, P
from suanpan.crm import leads
from suanpan.crm.choices import LeadStatus
from suanpan.crm.models import AssignmentRule, Channel, Lead, Opportunity
from suanpan.partners.models import Partner

pytestmark = pytest.mark.django_db
ROLES = list(Role.values)


def grants(role, perm):
    return perm in ROLE_PERMISSIONS[role]


def logged_in(user):
    client = Client()
    client.force_login(user)
    return client


def test_enter_a_lead_on_the_form_with_the_duplicate_warning(org, owner_client):
    c = owner_client
    page = c.get("/crm/leads/new/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'inputmode="tel"' in html
    assert 'id="lead-provinces"' in html
    assert 'name="owner"' in html  # the owner may hand the lead to a rep
    assert 'name="allow_duplicate"' not in html
    r = c.post("/crm/leads/new/", {"mobile": "12"})
    assert r.status_code == 422
    assert 'data-field="company"' in r.content.decode()
    channel = Channel.objects.get(organization=org, name="展会")
    form = {"company": "成都天府软件有限公司", "contact_name": "刘洋", "mobile": "13512345678", "channel": channel.pk}
    r = c.post("/crm/leads/new/", {**form, "province": "四川"})
    assert r.status_code == 302
    lead = Lead.objects.get()
    assert r["Location"] == f"/crm/leads/{lead.pk}/"
    assert (lead.company, lead.channel, lead.province, lead.status) == ("成都天府软件有限公司", channel, "四川", "new")

    r = c.post("/crm/leads/new/", {"contact_name": "刘洋", "mobile": "135-1234-5678"})
    assert r.status_code == 422
    html = r.content.decode()
    assert 'id="duplicate-warning"' in html
    assert lead.number in html
    assert 'data-field="mobile"' in html
    assert 'name="allow_duplicate"' in html
    assert Lead.objects.count() == 1
    r = c.post("/crm/leads/new/", {"contact_name": "刘洋", "mobile": "135-1234-5678", "allow_duplicate": "on"})
    assert r.status_code == 302
    assert Lead.objects.count() == 2

    edit = c.get(f"/crm/leads/{lead.pk}/edit/")
    assert edit.status_code == 200
    assert "成都天府软件有限公司" in edit.content.decode()
    r = c.post(f"/crm/leads/{lead.pk}/edit/", {**form, "company": "成都天府科技有限公司", "email": "x@"})
    assert r.status_code == 422
    assert 'data-field="email"' in r.content.decode()
    r = c.post(f"/crm/leads/{lead.pk}/edit/", {**form, "company": "成都天府科技有限公司"})
    assert r.status_code == 302
    lead.refresh_from_db()
    assert lead.company == "成都天府科技有限公司"


def test_the_lead_page_and_its_actions(org, owner_client):
    c = owner_client
    lead = make_lead(org, company="武汉光谷电子", mobile="13300001111")
    twin = make_lead(org, contact_name="另一个", mobile="13300001111")
    page = c.get(f"/crm/leads/{lead.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert lead.number in html
    assert f"/crm/follow-ups/panel/?lead={lead.pk}" in html
    assert 'hx-trigger="load"' in html
    assert 'id="duplicates"' in html
    assert twin.number in html
    assert c.post(f"/crm/leads/{lead.pk}/contact/").status_code == 302
    lead.refresh_from_db()
    assert lead.status == LeadStatus.CONTACTING
    r = c.post(f"/crm/leads/{lead.pk}/contact/")
    assert r.status_code == 422
    assert 'id="action-refusal"' in r.content.decode()
    r = c.post(f"/crm/leads/{lead.pk}/invalidate/", {"reason": ""})
    assert r.status_code == 422
    assert 'data-field="reason"' in r.content.decode()
    assert c.post(f"/crm/leads/{lead.pk}/invalidate/", {"reason": "空号"}).status_code == 302
    lead.refresh_from_db()
    assert (lead.status, lead.invalid_reason) == (LeadStatus.INVALID, "空号")
    assert "空号" in c.get(f"/crm/leads/{lead.pk}/").content.decode()
    assert c.post(f"/crm/leads/{lead.pk}/reopen/").status_code == 302
    assert c.post(f"/crm/leads/{lead.pk}/qualify/").status_code == 302
    assert c.post(f"/crm/leads/{lead.pk}/explode/").status_code == 404
    assert c.get(f"/crm/leads/{lead.pk}/contact/").status_code == 405
    lead.refresh_from_db()
    assert lead.status == LeadStatus.QUALIFIED


def test_convert_a_lead_on_its_page(org, owner_client, member):
    rep = member("sales")
    c = owner_client
    lead = make_lead(org, company="青岛海风食品有限公司", contact_name="孙丽", mobile="13611112222", owner_id=rep.pk)
    page = c.get(f"/crm/leads/{lead.pk}/convert/")
    assert page.status_code == 200
    assert 'name="opportunity_name"' in page.content.decode()
    r = c.post(
        f"/crm/leads/{lead.pk}/convert/",
        {"with_opportunity": "on", "opportunity_name": "年度采购", "amount": "1.234"},
    )
    assert r.status_code == 422
    assert 'data-field="amount"' in r.content.decode()
    assert not Partner.objects.exists()
    r = c.post(
        f"/crm/leads/{lead.pk}/convert/",
        {
            "with_opportunity": "on",
            "opportunity_name": "年度采购",
            "amount": "50000",
            "expected_close_on": "2026-12-31",
        },
    )
    assert r.status_code == 302
    customer = Partner.objects.get()
    assert r["Location"].endswith(f"/{customer.pk}/")
    opportunity = Opportunity.objects.get()
    assert (customer.name, customer.owner, opportunity.name, opportunity.amount, opportunity.owner) == (
        "青岛海风食品有限公司",
        rep,
        "年度采购",
        Decimal("50000.00"),
        rep,
    )
    lead.refresh_from_db()
    assert lead.status == LeadStatus.CONVERTED
    html = c.get(f"/crm/leads/{lead.pk}/").content.decode()
    assert 'id="conversion"' in html
    assert 'id="convert"' not in html
    assert 'id="not-convertible"' in c.get(f"/crm/leads/{lead.pk}/convert/").content.decode()
    assert c.post(f"/crm/leads/{lead.pk}/convert/", {}).status_code == 422

    same = make_lead(org, company="青岛海风食品有限公司", contact_name="")
    page = c.get(f"/crm/leads/{same.pk}/convert/")
    assert page.context["form"].initial["customer"] == customer.pk  # the similar customer is offered first
    r = c.post(f"/crm/leads/{same.pk}/convert/", {})
    assert r.status_code == 422
    assert 'name="allow_duplicate"' in r.content.decode()
    assert 'data-field="customer"' in r.content.decode()
    assert c.post(f"/crm/leads/{same.pk}/convert/", {"customer": customer.pk}).status_code == 302
    assert Partner.objects.count() == 1


def test_the_list_filters_exports_and_reassigns(org, owner_client, member):
    a, b = member("sales"), member("sales")
    first = make_lead(
        org, company="深圳前海科技", province="广东省", mobile="13800000001", owner_id=a.pk, channel="展会"
    )
    expo = first.channel
    second = make_lead(org, company="杭州云栖数据", province="浙江", owner_id=a.pk, state="contacting")
    third = make_lead(org, contact_name="散客王", province="广东", state="invalid")
    c = owner_client

    def ids(**params):
        return {row["obj"].pk for row in c.get("/crm/leads/", params).context["rows"]}

    assert ids() == {first.pk, second.pk, third.pk}
    assert ids(status="contacting") == {second.pk}
    assert ids(channel=expo.pk) == {first.pk}
    assert ids(owner=a.pk) == {first.pk, second.pk}
    assert ids(unowned="true") == {third.pk}
    assert ids(province="广东") == {first.pk, third.pk}
    assert ids(q="13800000001") == {first.pk}
    assert ids(q="hzyq") == {second.pk}
    assert ids(q=first.number) == {first.pk}
    page = c.get("/crm/leads/", {"q": "深圳"}, headers={"HX-Request": "true"})
    assert page.status_code == 200
    assert 'id="lead-table"' in page.content.decode()
    assert "<html" not in page.content.decode()
    rows = xlsx_rows(c.get("/crm/leads/", {"export": "xlsx"}).content)
    assert len(rows) == 4
    assert {r[0] for r in rows[1:]} == {first.number, second.number, third.number}

    html = c.get("/crm/leads/").content.decode()
    assert 'id="lead-reassign"' in html
    assert f'name="lead" value="{first.pk}"' in html
    r = c.post("/crm/leads/reassign/", {"lead": [first.pk, third.pk], "owner": b.pk, "next": "/crm/leads/?status=new"})
    assert r.status_code == 302
    assert r["Location"] == "/crm/leads/?status=new"
    assert dict(Lead.objects.filter(pk__in=[first.pk, third.pk]).values_list("pk", "owner")) == {
        first.pk: b.pk,
        third.pk: b.pk,
    }
    r = c.post("/crm/leads/reassign/", {"lead": [first.pk], "owner": "", "next": "https://evil.example/"})
    assert r["Location"] == "/crm/leads/"
    assert c.post("/crm/leads/reassign/", {"owner": a.pk}).status_code == 302  # nothing ticked: a message
    assert Lead.objects.get(pk=first.pk).owner == b


def test_the_list_reads_a_fixed_number_of_queries(org, owner_client, member):
    rep = member("sales")

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert owner_client.get("/crm/leads/").status_code == 200
        return len(captured)

    make_lead(org, owner_id=rep.pk, channel="官网")
    queries()
    few = queries()
    for _n in range(5):
        make_lead(org, owner_id=rep.pk, channel="展会")
    assert queries() == few


def test_a_rep_cannot_reach_another_reps_lead(org, member):
    a, b = member("sales"), member("sales")
    theirs, unowned = make_lead(org, owner_id=b.pk), make_lead(org)
    own = make_lead(org, owner_id=a.pk)
    c = logged_in(a)
    assert {row["obj"].pk for row in c.get("/crm/leads/").context["rows"]} == {own.pk}
    for lead in (theirs, unowned):
        assert c.get(f"/crm/leads/{lead.pk}/").status_code == 404
        assert c.get(f"/crm/leads/{lead.pk}/edit/").status_code == 404
        assert c.post(f"/crm/leads/{lead.pk}/edit/", {"company": "抢"}).status_code == 404
        assert c.get(f"/crm/leads/{lead.pk}/convert/").status_code == 404
        assert c.post(f"/crm/leads/{lead.pk}/convert/", {}).status_code == 404
        for action in ("contact", "qualify", "invalidate"):
            assert c.post(f"/crm/leads/{lead.pk}/{action}/", {"reason": "x"}).status_code == 404
    assert set(Lead.objects.values_list("status", flat=True)) == {"new"}
    assert not Partner.objects.exists()
    assert Lead.objects.get(pk=theirs.pk).company != "抢"


def test_channels_and_rules_on_their_pages(org, owner_client, member):
    rep = member("sales")
    c = owner_client
    page = c.get("/crm/lead-channels/")
    assert page.status_code == 200
    assert len(page.context["rows"]) == 7
    assert c.post("/crm/lead-channels/new/", {"name": "官网", "seq": "5"}).status_code == 422
    assert c.post("/crm/lead-channels/new/", {"name": "小红书", "seq": "5", "is_active": "on"}).status_code == 302
    channel = Channel.objects.get(organization=org, name="小红书")
    assert c.get(f"/crm/lead-channels/{channel.pk}/edit/").status_code == 200
    assert (
        c.post(
            f"/crm/lead-channels/{channel.pk}/edit/", {"name": "小红书笔记", "seq": "6", "is_active": "on"}
        ).status_code
        == 302
    )
    assert c.post(f"/crm/lead-channels/{channel.pk}/deactivate/").status_code == 302
    channel.refresh_from_db()
    assert (channel.name, channel.is_active) == ("小红书笔记", False)
    assert channel.pk not in [ch.pk for ch in c.get("/crm/leads/new/").context["form"].fields["channel"].queryset]

    assert c.get("/crm/assignment-rules/new/").status_code == 200
    r = c.post("/crm/assignment-rules/new/", {"name": "华南", "seq": "1", "province": "广东", "is_active": "on"})
    assert r.status_code == 422
    assert 'data-field="assignee_ids"' in r.content.decode()
    form = {"name": "华南", "seq": "1", "province": "广东", "assignee_ids": [rep.pk], "is_active": "on"}
    assert c.post("/crm/assignment-rules/new/", form).status_code == 302
    rule = AssignmentRule.objects.get()
    assert list(rule.assignees.all()) == [rep]
    assert rep.username in c.get("/crm/assignment-rules/").content.decode()
    assert c.post(f"/crm/assignment-rules/{rule.pk}/edit/", {**form, "province": "广西"}).status_code == 302
    rule.refresh_from_db()
    assert rule.province == "广西"
    assert c.post(f"/crm/assignment-rules/{rule.pk}/delete/").status_code == 302
    assert not AssignmentRule.objects.exists()


@pytest.mark.parametrize("role", ROLES)
def test_pages_follow_the_roles(role, org, owner, member):
    user = member(role)
    view, change, manage = (grants(role, p) for p in (P.VIEW_CRM, P.CHANGE_CRM, P.MANAGE_CRM))
    holder = user if change else owner
    lead, to_move = make_lead(org, owner_id=holder.pk), make_lead(org, owner_id=holder.pk)
    channel, rule = make_channel(org), make_rule(org)
    client = logged_in(user)

    def status(allowed, ok=200):
        return ok if allowed else 403

    for page in ("/crm/leads/", f"/crm/leads/{lead.pk}/", "/crm/lead-channels/"):
        assert client.get(page).status_code == status(view), page
    for page in ("/crm/leads/new/", f"/crm/leads/{lead.pk}/edit/", f"/crm/leads/{lead.pk}/convert/"):
        assert client.get(page).status_code == status(change), page
    for page in (
        "/crm/lead-channels/new/",
        f"/crm/lead-channels/{channel.pk}/edit/",
        "/crm/assignment-rules/",
        "/crm/assignment-rules/new/",
        f"/crm/assignment-rules/{rule.pk}/edit/",
    ):
        assert client.get(page).status_code == status(manage), page
    assert client.post(f"/crm/leads/{lead.pk}/contact/").status_code == status(change, 302)
    assert client.post("/crm/leads/reassign/", {"lead": [to_move.pk], "owner": owner.pk}).status_code == status(
        manage, 302
    )
    assert client.post(f"/crm/lead-channels/{channel.pk}/deactivate/").status_code == status(manage, 302)
    assert client.post(f"/crm/assignment-rules/{rule.pk}/delete/").status_code == status(manage, 302)
    assert Lead.objects.get(pk=lead.pk).status == ("contacting" if change else "new")
    assert Lead.objects.get(pk=to_move.pk).owner == (owner if manage else holder)
    assert Channel.objects.get(pk=channel.pk).is_active != manage
    assert AssignmentRule.objects.filter(pk=rule.pk).exists() != manage
    if view:
        html = client.get("/crm/leads/").content.decode()
        assert ('id="lead-reassign"' in html) == manage
        assert ('id="create-record"' in html) == change
        detail = client.get(f"/crm/leads/{to_move.pk}/").content.decode()
        assert ('id="convert"' in detail) == change


def test_a_customer_in_the_list_of_similar_ones_is_not_linked_for_a_rep_who_cannot_see_it(org, member):
    a, b = member("sales"), member("sales")
    from suanpan.partners.choices import PartnerRole
    from suanpan.partners.services import partner_create

    partner_create(organization=org, actor=None, role=PartnerRole.CUSTOMER, data={"name": "保密客户", "owner_id": b.pk})
    make_customer(org, "公海客户")
    lead = leads.lead_create(organization=org, actor=a, data={"company": "保密客户", "allow_duplicate": True})
    html = logged_in(a).get(f"/crm/leads/{lead.pk}/").content.decode()
    assert "保密客户" in html
    assert 'id="duplicates"' in html
    rows = logged_in(a).get(f"/crm/leads/{lead.pk}/").context["duplicates"]
    assert [(r["duplicate"].kind, r["href"]) for r in rows] == [("customer", "")]
