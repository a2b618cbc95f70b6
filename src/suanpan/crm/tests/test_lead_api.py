"""The lead API: an integrator pushes leads from a web form (channel by name), bad payloads are 422 naming the
field (never a 500), duplicates, actions, conversion, reassignment, channels and rules, the data scope, the roles."""

import pytest
from django.test import Client
from tests.crm_cases_leads import make_channel, make_lead, make_rule
from tests.resources import make_customer

from suanpan.core.choices import Role
from suanpan.core.permissions import ROLE_PERMISSIONS, P
from suanpan.core.services import api_token_create
from suanpan.crm.models import AssignmentRule, Channel, Lead, Opportunity
from suanpan.partners.models import Contact, Partner

pytestmark = pytest.mark.django_db
ROLES = list(Role.values)


def grants(role, perm):
    return perm in ROLE_PERMISSIONS[role]


def refused(r, field):
    assert r.status_code == 422, r.content
    body = r.json()
    assert body["detail"]
    named = {e["field"] for e in body["errors"]}
    assert field in named, body
    return body


class Api:
    """A JSON client with the token of one member (`api_as` makes a new member; these tests need to know whom)."""

    def __init__(self, org, user):
        _token, secret = api_token_create(organization=org, actor=user, name="test")
        self.client = Client()
        self.headers = {"Authorization": f"Bearer {secret}"}

    def get(self, path, params=None):
        return self.client.get(f"/api/v1{path}", params or {}, headers=self.headers)

    def _send(self, method, path, data):
        call = getattr(self.client, method)
        return call(f"/api/v1{path}", data, content_type="application/json", headers=self.headers)

    def post(self, path, data):
        return self._send("post", path, data)

    def patch(self, path, data):
        return self._send("patch", path, data)

    def delete(self, path):
        return self.client.delete(f"/api/v1{path}", headers=self.headers)


def api_of(org, user):
    return Api(org, user)


def test_a_web_form_pushes_a_lead(org, owner_api, other_org, member):
    body = {
        "company": "厦门鹭岛茶业有限公司",
        "contact_name": "林芳",
        "mobile": "13859001234",
        "email": "Lin@Example.cn",
        "province": "福建",
        "channel": "官网",
        "notes": "官网表单：想了解批发价",
    }
    r = owner_api.post("/leads", body)
    assert r.status_code == 201, r.content
    out = r.json()
    assert out["number"].startswith("XS-")
    assert (out["status"], out["channel_name"], out["email"], out["owner_id"]) == (
        "new",
        "官网",
        "lin@example.cn",
        None,
    )
    lead = Lead.objects.get(pk=out["id"])
    assert lead.channel.name == "官网"

    refused(owner_api.post("/leads", {**body, "mobile": "1", "channel": "火星"}), "channel")
    dup = refused(owner_api.post("/leads", {**body, "company": "别家", "mobile": "138 5900 1234"}), "mobile")
    assert out["number"] in str(dup["errors"])
    theirs = make_channel(other_org)
    for bad, field in (
        ({"company": 5}, "company"),
        ({"company": "", "contact_name": ""}, "company"),
        ({"mobile": "abc"}, "mobile"),
        ({"email": "x@"}, "email"),
        ({"credit_code": "X" * 19}, "credit_code"),
        ({"credit_code": "91310000MA1KABCDE1"}, "credit_code"),
        ({"channel_id": theirs.pk, "channel": None}, "channel_id"),
        ({"channel_id": 0}, "channel_id"),
        ({"channel_id": "1"}, "channel_id"),
        ({"owner_id": 10**7}, "owner_id"),
        ({"owner_id": member("finance").pk}, "owner_id"),
        ({"allow_duplicate": "yes"}, "allow_duplicate"),
        ({"company": "x" * 201}, "company"),
        ({"notes": None}, "notes"),
    ):
        refused(owner_api.post("/leads", {**body, "company": "新公司", "mobile": "", **bad}), field)
    assert owner_api.post("/leads", [1, 2]).status_code == 422
    assert Lead.objects.count() == 1
    r = owner_api.post("/leads", {**body, "allow_duplicate": True})
    assert r.status_code == 201
    assert Lead.objects.count() == 2


def test_read_change_act_and_convert_through_the_api(org, owner_api, member):
    rep = member("sales")
    lead = make_lead(org, company="合肥科大讯达", contact_name="何明", mobile="13966660000", owner_id=rep.pk)
    other = make_lead(org, company="南昌滕王阁", province="江西", state="contacting")
    items = owner_api.get("/leads", {"status": "contacting"}).json()["items"]
    assert [i["id"] for i in items] == [other.pk]
    assert owner_api.get("/leads", {"owner": rep.pk}).json()["count"] == 1
    assert owner_api.get("/leads", {"q": "hfkd"}).json()["count"] == 1
    assert owner_api.get("/leads", {"province": "江西省"}).json()["count"] == 1
    refused(owner_api.get("/leads", {"owner": 0}), "owner")
    refused(owner_api.get("/leads", {"status": "x" * 30}), "status")
    assert owner_api.get("/leads", {"status": "nonsense"}).json()["count"] == 0
    assert owner_api.get("/leads", {"sort": "-number"}).json()["items"][0]["id"] == other.pk
    got = owner_api.get(f"/leads/{lead.pk}").json()
    assert (got["owner_id"], got["owner_name"], got["mobile"]) == (rep.pk, rep.username, "13966660000")

    r = owner_api.patch(f"/leads/{lead.pk}", {"industry": "人工智能", "channel": "展会"})
    assert r.status_code == 200
    assert (r.json()["industry"], r.json()["channel_name"], r.json()["company"]) == ("人工智能", "展会", "合肥科大讯达")
    refused(owner_api.patch(f"/leads/{lead.pk}", {"mobile": "电话"}), "mobile")
    refused(owner_api.patch(f"/leads/{lead.pk}", {"company": "", "contact_name": ""}), "company")

    assert owner_api.post(f"/leads/{lead.pk}/contact", {}).json()["status"] == "contacting"
    assert owner_api.post(f"/leads/{lead.pk}/contact", {}).status_code == 409
    assert owner_api.post(f"/leads/{lead.pk}/qualify", {}).json()["status"] == "qualified"
    refused(owner_api.post(f"/leads/{other.pk}/invalidate", {}), "reason")
    refused(owner_api.post(f"/leads/{other.pk}/invalidate", {"reason": 3}), "reason")
    r = owner_api.post(f"/leads/{other.pk}/invalidate", {"reason": "没有预算"})
    assert (r.json()["status"], r.json()["invalid_reason"]) == ("invalid", "没有预算")
    assert owner_api.post(f"/leads/{other.pk}/convert", {}).status_code == 409
    assert owner_api.post(f"/leads/{other.pk}/reopen", {}).json()["status"] == "contacting"

    refused(owner_api.post(f"/leads/{lead.pk}/convert", {"opportunity": {"amount": "-5"}}), "opportunity.amount")
    refused(owner_api.post(f"/leads/{lead.pk}/convert", {"opportunity": {"amount": "1.234"}}), "opportunity.amount")
    refused(owner_api.post(f"/leads/{lead.pk}/convert", {"customer_id": 10**7}), "customer_id")
    refused(
        owner_api.post(f"/leads/{lead.pk}/convert", {"opportunity": {"expected_close_on": "31/12"}}),
        "opportunity.expected_close_on",
    )
    assert not Partner.objects.exists()
    r = owner_api.post(
        f"/leads/{lead.pk}/convert",
        {"opportunity": {"name": "语音方案", "amount": "120000", "expected_close_on": "2027-01-31"}},
    )
    assert r.status_code == 200, r.content
    out = r.json()
    customer = Partner.objects.get(pk=out["customer_id"])
    assert (customer.name, customer.owner) == ("合肥科大讯达", rep)
    assert Contact.objects.get(pk=out["contact_id"]).name == "何明"
    assert Opportunity.objects.get(pk=out["opportunity_id"]).lead_id == lead.pk
    assert (out["lead"]["status"], out["lead"]["customer_id"]) == ("converted", customer.pk)
    assert owner_api.post(f"/leads/{lead.pk}/convert", {}).status_code == 409
    assert owner_api.patch(f"/leads/{lead.pk}", {"notes": "x"}).status_code == 409


def test_duplicates_and_reassignment(org, owner_api, member, other_org):
    a, b = member("sales"), member("sales")
    customer = make_customer(org, "长沙橘子洲文化")
    lead = make_lead(org, company="长沙橘子洲文化", owner_id=a.pk)
    twin = make_lead(org, company="长沙 橘子洲 文化", owner_id=b.pk)
    found = owner_api.get(f"/leads/{lead.pk}/duplicates").json()
    assert sorted((d["kind"], d["id"], d["field"]) for d in found) == [
        ("customer", customer.pk, "company"),
        ("lead", twin.pk, "company"),
    ]
    r = owner_api.post("/leads/reassign", {"lead_ids": [lead.pk, twin.pk], "owner_id": b.pk})
    assert r.json() == {"count": 1}
    assert set(Lead.objects.values_list("owner", flat=True)) == {b.pk}
    refused(owner_api.post("/leads/reassign", {"lead_ids": [], "owner_id": b.pk}), "lead_ids")
    refused(owner_api.post("/leads/reassign", {"lead_ids": [make_lead(other_org).pk], "owner_id": b.pk}), "lead_ids")
    refused(owner_api.post("/leads/reassign", {"lead_ids": [lead.pk], "owner_id": 10**7}), "owner_id")
    refused(owner_api.post("/leads/reassign", {"lead_ids": ["x"], "owner_id": b.pk}), "lead_ids.0")


def test_channels_and_rules_through_the_api(org, owner_api, member):
    rep, finance = member("sales"), member("finance")
    names = [c["name"] for c in owner_api.get("/lead-channels").json()["items"]]
    assert names[:3] == ["展会", "官网", "客户介绍"]
    r = owner_api.post("/lead-channels", {"name": "视频号", "seq": 75})
    assert r.status_code == 201
    channel_id = r.json()["id"]
    refused(owner_api.post("/lead-channels", {"name": "视频号"}), "name")
    refused(owner_api.post("/lead-channels", {"name": " "}), "name")
    refused(owner_api.post("/lead-channels", {"name": "x", "seq": -1}), "seq")
    assert owner_api.patch(f"/lead-channels/{channel_id}", {"is_active": False}).json()["is_active"] is False
    assert owner_api.get("/lead-channels", {"is_active": False}).json()["count"] == 1
    assert owner_api.get(f"/lead-channels/{channel_id}").json()["name"] == "视频号"

    r = owner_api.post("/assignment-rules", {"name": "西南", "province": "四川", "assignee_ids": [rep.pk]})
    assert r.status_code == 201, r.content
    rule_id = r.json()["id"]
    assert r.json()["assignee_ids"] == [rep.pk]
    refused(owner_api.post("/assignment-rules", {"name": "空", "assignee_ids": []}), "assignee_ids")
    refused(owner_api.post("/assignment-rules", {"name": "财务", "assignee_ids": [finance.pk]}), "assignee_ids.0")
    refused(owner_api.patch(f"/assignment-rules/{rule_id}", {"assignee_ids": [10**7]}), "assignee_ids.0")
    assert owner_api.patch(f"/assignment-rules/{rule_id}", {"seq": 3}).json()["seq"] == 3
    assert owner_api.get("/assignment-rules").json()["count"] == 1
    assert owner_api.get(f"/assignment-rules/{rule_id}").json()["province"] == "四川"
    pushed = owner_api.post("/leads", {"company": "成都熊猫", "province": "四川省"}).json()
    assert pushed["owner_id"] == rep.pk
    assert owner_api.delete(f"/assignment-rules/{rule_id}").status_code == 204
    assert not AssignmentRule.objects.exists()


def test_a_rep_cannot_reach_another_reps_lead_through_the_api(org, member):
    a, b = member("sales"), member("sales")
    theirs, unowned, own = make_lead(org, owner_id=b.pk), make_lead(org), make_lead(org, owner_id=a.pk)
    api = api_of(org, a)
    assert [i["id"] for i in api.get("/leads").json()["items"]] == [own.pk]
    for lead in (theirs, unowned):
        assert api.get(f"/leads/{lead.pk}").status_code == 404
        assert api.patch(f"/leads/{lead.pk}", {"company": "抢"}).status_code == 404
        assert api.get(f"/leads/{lead.pk}/duplicates").status_code == 404
        assert api.post(f"/leads/{lead.pk}/convert", {}).status_code == 404
        assert api.post(f"/leads/{lead.pk}/invalidate", {"reason": "x"}).status_code == 404
        for action in ("contact", "qualify", "reopen"):
            assert api.post(f"/leads/{lead.pk}/{action}", {}).status_code == 404
    pushed = api.post("/leads", {"company": "自己的客户"}).json()
    assert pushed["owner_id"] == a.pk
    assert set(Lead.objects.exclude(pk=pushed["id"]).values_list("status", flat=True)) == {"new"}
    assert not Partner.objects.exists()


@pytest.mark.parametrize("role", ROLES)
def test_api_follows_the_roles(role, org, owner, member):
    user = member(role)
    view, change, manage = (grants(role, p) for p in (P.VIEW_CRM, P.CHANGE_CRM, P.MANAGE_CRM))
    holder = user if change else owner
    lead, to_convert = make_lead(org, owner_id=holder.pk), make_lead(org, owner_id=holder.pk)
    invalid = make_lead(org, owner_id=holder.pk, state="invalid")
    channel, rule = make_channel(org), make_rule(org)
    api = api_of(org, user)

    def status(allowed, ok=200):
        return ok if allowed else 403

    for path in ("/leads", f"/leads/{lead.pk}", f"/leads/{lead.pk}/duplicates", "/lead-channels"):
        assert api.get(path).status_code == status(view), path
    assert api.get(f"/lead-channels/{channel.pk}").status_code == status(view)
    assert api.post("/leads", {"company": f"{role}公司"}).status_code == status(change, 201)
    assert api.patch(f"/leads/{lead.pk}", {"notes": "改"}).status_code == status(change)
    assert api.post(f"/leads/{lead.pk}/contact", {}).status_code == status(change)
    assert api.post(f"/leads/{lead.pk}/qualify", {}).status_code == status(change)
    assert api.post(f"/leads/{invalid.pk}/reopen", {}).status_code == status(change)
    assert api.post(f"/leads/{invalid.pk}/invalidate", {"reason": "x"}).status_code == status(change)
    assert api.post(f"/leads/{to_convert.pk}/convert", {}).status_code == status(change)
    assert api.post("/leads/reassign", {"lead_ids": [lead.pk], "owner_id": owner.pk}).status_code == status(manage)
    assert api.post("/lead-channels", {"name": f"{role}渠道"}).status_code == status(manage, 201)
    assert api.patch(f"/lead-channels/{channel.pk}", {"is_active": False}).status_code == status(manage)
    assert api.get("/assignment-rules").status_code == status(manage)
    assert api.get(f"/assignment-rules/{rule.pk}").status_code == status(manage)
    body = {"name": "全国", "assignee_ids": [owner.pk]}
    assert api.post("/assignment-rules", body).status_code == status(manage, 201)
    assert api.patch(f"/assignment-rules/{rule.pk}", {"seq": 9}).status_code == status(manage)
    assert api.delete(f"/assignment-rules/{rule.pk}").status_code == status(manage, 204)

    lead.refresh_from_db()
    assert lead.status == ("qualified" if change else "new")
    assert lead.owner == (owner if manage else holder)
    assert Lead.objects.get(pk=to_convert.pk).status == ("converted" if change else "new")
    assert Lead.objects.get(pk=invalid.pk).status == "invalid"
    assert Channel.objects.get(pk=channel.pk).is_active != manage
    assert AssignmentRule.objects.filter(pk=rule.pk).exists() != manage
