"""Segments and tag rules: `customer_filter` key by key on hand-made customers, bad filter values, the rule tags
added and removed, segment CRUD, the segment page and its Excel export, the API, data scope and roles."""

import datetime
from decimal import Decimal

import pytest
from django.test import Client
from tests import crm_cases_customers as cc
from tests.resources import make_tag, xlsx_rows

from suanpan.core import scopes
from suanpan.core.choices import Role
from suanpan.core.exceptions import InvalidInput, PermissionRefused
from suanpan.core.permissions import ROLE_PERMISSIONS, P
from suanpan.crm import segments
from suanpan.crm.models import Segment, TagRule
from suanpan.crm.rfm import RfmScore
from suanpan.partners.models import Tag
from suanpan.sales import deliveries, invoicing

pytestmark = pytest.mark.django_db
ROLES = list(Role.values)
NOV = datetime.date(2026, 11, 1)
TODAY = datetime.date(2026, 11, 27)


def day(n):
    return NOV + datetime.timedelta(days=n - 1)


def login(user):
    client = Client()
    client.force_login(user)
    return client


def invoiced(org, buyer, quantity, on):
    """Sell, deliver and invoice `quantity` × 100.00 excl. VAT to `buyer` on day `on`."""
    order = cc.make_order(org, buyer, quantity, day=on, item=cc.product(org, "P-SG", on=NOV))
    line = order.lines.get()
    delivery = deliveries.delivery_post(
        organization=org,
        actor=None,
        data={
            "date": on,
            "warehouse_id": line.warehouse_id,
            "lines": [{"order_line_id": line.pk, "quantity": quantity}],
        },
    )
    return invoicing.invoice_post(
        organization=org,
        actor=None,
        data={"date": on, "lines": [{"delivery_line_id": delivery.lines.get().pk, "quantity": quantity}]},
    )


@pytest.fixture
def rep(member):
    return member("sales")


@pytest.fixture
def people(org, rep):
    """A: 浙江 杭州 制造, tags 华东+大客户, the rep's, bought 1000.00 on Nov 8. B: 上海 零售, tag 华东, in the pool,
    bought 200.00 on Nov 2. C: 浙江 宁波, never bought, in the pool. An inactive customer never shows."""
    east, big = make_tag(org, "华东"), make_tag(org, "大客户")
    a = cc.customer(org, "甲公司", province="浙江", city="杭州", industry="制造", owner=rep)
    b = cc.customer(org, "乙公司", province="上海", city="上海", industry="零售")
    c = cc.customer(org, "丙公司", province="浙江", city="宁波")
    gone = cc.customer(org, "停用公司", province="浙江", is_active=False)
    a.tags.add(east, big)
    b.tags.add(east)
    gone.tags.add(east)
    invoiced(org, b, "2", day(2))  # stock moves go forward in time
    invoiced(org, a, "10", day(8))
    return {"a": a, "b": b, "c": c, "east": east, "big": big}


def names(qs):
    return sorted(p.name for p in qs)


def pick(org, filters, actor=None, **kw):
    return names(segments.customer_filter(organization=org, actor=actor, filters=filters, today=TODAY, **kw))


def test_customer_filter_key_by_key(org, people, rep):
    assert pick(org, {}) == ["丙公司", "乙公司", "甲公司"]
    assert pick(org, {"province": " 浙江 "}) == ["丙公司", "甲公司"]
    assert pick(org, {"city": "杭州"}) == ["甲公司"]
    assert pick(org, {"industry": "零售"}) == ["乙公司"]
    assert pick(org, {"tag_ids": [people["east"].pk]}) == ["乙公司", "甲公司"]
    assert pick(org, {"tag_ids": [people["east"].pk, people["big"].pk]}) == ["甲公司"]
    assert pick(org, {"owner_id": rep.pk}) == ["甲公司"]
    assert pick(org, {"in_pool": True}) == ["丙公司", "乙公司"]
    assert pick(org, {"in_pool": "false"}) == ["甲公司"]
    # last purchase: A on Nov 8 (19 days before Nov 27), B on Nov 2 (25 days), C never
    assert pick(org, {"last_purchase_within_days": 19}) == ["甲公司"]
    assert pick(org, {"last_purchase_within_days": 25}) == ["乙公司", "甲公司"]
    assert pick(org, {"no_purchase_for_days": 20}) == ["乙公司"]
    assert pick(org, {"no_purchase_for_days": 19}) == ["乙公司"]
    assert pick(org, {"no_purchase_for_days": 18}) == ["乙公司", "甲公司"]
    assert pick(org, {"min_lifetime_value": "1000"}) == ["甲公司"]
    assert pick(org, {"min_lifetime_value": "200.00"}) == ["乙公司", "甲公司"]
    assert pick(org, {"province": "浙江", "min_lifetime_value": 0}) == ["丙公司", "甲公司"]
    row = segments.customer_filter(organization=org, actor=None, filters={"city": "杭州"}, today=TODAY).get()
    assert (row.last_purchase, row.lifetime_value) == (day(8), Decimal("1000.00"))


def test_the_rfm_class_filter(org, people):
    # with two scored customers: A r3 f1 m3 and B r1 f1 m1, both 一般 (general)
    assert pick(org, {"rfm_class": "general"}) == ["乙公司", "甲公司"]
    assert pick(org, {"rfm_class": "high_value"}) == []
    made = {
        people["a"].pk: RfmScore(people["a"].pk, day(8), 19, 1, Decimal("1000"), 5, 5, 5, "high_value"),
        people["b"].pk: RfmScore(people["b"].pk, day(2), 25, 1, Decimal("200"), 1, 3, 1, "churn_risk"),
    }
    assert pick(org, {"rfm_class": "high_value"}, rfm=made) == ["甲公司"]
    assert pick(org, {"rfm_class": "churn_risk"}, rfm=made) == ["乙公司"]


def test_the_data_scope_narrows_every_filter(org, people, rep):
    assert pick(org, {}, actor=rep) == ["甲公司"]
    assert pick(org, {"in_pool": True}, actor=rep) == []


def test_bad_filter_values_name_their_keys(org, other_org, people):
    bad = {
        "province": "省" * 61,
        "tag_ids": [make_tag(other_org, "别家").pk],
        "owner_id": 10**6,
        "in_pool": "maybe",
        "rfm_class": "vip",
        "last_purchase_within_days": -1,
        "no_purchase_for_days": True,
        "min_lifetime_value": "lots",
        "colour": "red",
    }
    with pytest.raises(InvalidInput) as exc:
        segments.customer_filter(organization=org, actor=None, filters=bad)
    assert sorted(e.field for e in exc.value.errors) == sorted(bad)
    for key, value in (
        ("tag_ids", "abc"),
        ("tag_ids", 5),
        ("owner_id", "x"),
        ("last_purchase_within_days", 1.5),
        ("no_purchase_for_days", 36501),
        ("min_lifetime_value", "-1"),
        ("min_lifetime_value", "1.001"),
    ):
        with pytest.raises(InvalidInput) as exc:
            segments.customer_filter(organization=org, actor=None, filters={key: value})
        assert [e.field for e in exc.value.errors] == [key], (key, value)


def test_tag_rules_add_and_take_only_their_tag(org, people, member):
    manual = make_tag(org, "手工")
    people["c"].tags.add(manual)
    rule = segments.tag_rule_create(
        organization=org, actor=None, data={"tag_name": "高价值", "filters": {"min_lifetime_value": "500"}}
    )
    assert segments.tag_rules_apply(organization=org, today=TODAY) == 1
    assert names(rule.tag.partners.all()) == ["甲公司"]
    assert segments.tag_rules_apply(organization=org, today=TODAY) == 0
    segments.tag_rule_update(
        organization=org, actor=None, rule_id=rule.pk, data={"tag_id": rule.tag_id, "filters": {"province": "上海"}}
    )
    assert segments.tag_rules_apply(organization=org, today=TODAY) == 2  # A loses it, B gets it
    assert names(rule.tag.partners.all()) == ["乙公司"]
    assert names(manual.partners.all()) == ["丙公司"]
    assert names(people["east"].partners.filter(is_active=True)) == ["乙公司", "甲公司"]
    TagRule.objects.filter(pk=rule.pk).update(is_active=False)
    segments.tag_rule_update(
        organization=org,
        actor=None,
        rule_id=rule.pk,
        data={"tag_id": rule.tag_id, "filters": {"province": "浙江"}, "is_active": False},
    )
    assert segments.tag_rules_apply(organization=org, today=TODAY) == 0  # an inactive rule is left alone
    segments.tag_rule_delete(organization=org, actor=None, rule_id=rule.pk)
    assert names(Tag.objects.get(pk=rule.tag_id).partners.all()) == ["乙公司"]
    with pytest.raises(PermissionRefused):
        segments.tag_rules_apply(organization=org, actor=member("sales"))


def test_tag_rule_refusals(org, people):
    segments.tag_rule_create(
        organization=org, actor=None, data={"tag_id": people["big"].pk, "filters": {"city": "杭州"}}
    )
    for data, field in (
        ({"tag_id": people["big"].pk, "filters": {"city": "宁波"}}, "tag_id"),
        ({"tag_name": "", "filters": {"city": "宁波"}}, "tag_id"),
        ({"tag_name": "新", "filters": {}}, "filters"),
        ({"tag_name": "新", "filters": {"rfm_class": "vip"}}, "filters.rfm_class"),
    ):
        with pytest.raises(InvalidInput) as exc:
            segments.tag_rule_create(organization=org, actor=None, data=data)
        assert [e.field for e in exc.value.errors] == [field]
    assert TagRule.objects.filter(organization=org).count() == 1


def test_segments_are_saved_with_checked_filters(org, people, member):
    segment = segments.segment_create(
        organization=org,
        actor=None,
        data={"name": "华东高价值", "filters": {"province": "浙江", "min_lifetime_value": 500}},
    )
    assert segment.filters == {"province": "浙江", "min_lifetime_value": "500"}
    assert names(segments.segment_customers(organization=org, actor=None, segment_id=segment.pk, today=TODAY)) == [
        "甲公司"
    ]
    with pytest.raises(InvalidInput) as exc:
        segments.segment_create(organization=org, actor=None, data={"name": "华东高价值", "filters": {"x": 1}})
    assert sorted(e.field for e in exc.value.errors) == ["filters.x"]
    with pytest.raises(InvalidInput) as exc:
        segments.segment_create(organization=org, actor=None, data={"name": "华东高价值"})
    assert [e.field for e in exc.value.errors] == ["name"]
    changed = segments.segment_update(
        organization=org, actor=None, segment_id=segment.pk, data={"name": "上海", "filters": {"province": "上海"}}
    )
    assert changed.filters == {"province": "上海"}
    with pytest.raises(PermissionRefused):
        segments.segment_delete(organization=org, actor=member("service"), segment_id=segment.pk)
    segments.segment_delete(organization=org, actor=None, segment_id=segment.pk)
    assert not Segment.objects.filter(organization=org).exists()


def test_the_segment_page_and_export(org, people, owner_client, rep, member):
    segment = cc.make_segment(org, "浙江客户")
    Segment.objects.filter(pk=segment.pk).update(filters={"province": "浙江"})
    page = owner_client.get(f"/crm/segments/{segment.pk}/").content.decode()
    assert f'id="customer-{people["a"].pk}"' in page
    assert f'id="customer-{people["c"].pk}"' in page
    assert f'id="customer-{people["b"].pk}"' not in page
    assert 'data-count="2"' in page
    own = login(rep).get(f"/crm/segments/{segment.pk}/").content.decode()
    assert 'data-count="1"' in own
    r = owner_client.get(f"/crm/segments/{segment.pk}/export/")
    assert r.status_code == 200
    rows = xlsx_rows(r.content)
    assert len(rows) == 3
    a = next(row for row in rows[1:] if row[1] == "甲公司")
    assert a[4:7] == ("浙江 杭州", rep.username, "华东、大客户") or a[4:7] == (
        "浙江 杭州",
        rep.username,
        "大客户、华东",
    )
    assert a[8].date() == datetime.date(2026, 11, 8)
    assert Decimal(str(a[9])) == Decimal("1000.00")
    assert login(rep).get(f"/crm/segments/{segment.pk}/export/").status_code == 403
    assert login(member("marketing")).get(f"/crm/segments/{segment.pk}/export/").status_code == 200


def test_the_segment_form_and_tag_rule_form(org, people, owner_client):
    r = owner_client.post(
        "/crm/segments/new/",
        {"name": "池中浙江", "province": "浙江", "in_pool": "true", "tag_ids": [people["east"].pk], "rfm_class": ""},
    )
    assert r.status_code == 302
    segment = Segment.objects.get(organization=org, name="池中浙江")
    assert segment.filters == {"province": "浙江", "in_pool": True, "tag_ids": [people["east"].pk]}
    edit = owner_client.get(f"/crm/segments/{segment.pk}/edit/").content.decode()
    assert 'value="true" selected' in edit
    assert owner_client.post("/crm/segments/new/", {"name": "池中浙江"}).status_code == 422
    r = owner_client.post("/crm/tag-rules/new/", {"tag_name": "华东大户", "province": "浙江", "is_active": "on"})
    assert r.status_code == 302
    rule = TagRule.objects.get(organization=org, tag__name="华东大户")
    assert owner_client.post("/crm/tag-rules/apply/").status_code == 302
    assert names(rule.tag.partners.all()) == ["丙公司", "甲公司"]
    assert owner_client.post("/crm/tag-rules/new/", {"tag_name": "空规则"}).status_code == 422
    assert f"/crm/tag-rules/{rule.pk}/edit/" in owner_client.get("/crm/tag-rules/").content.decode()


def test_the_api(org, people, owner_api):
    r = owner_api.post("/segments", {"name": "浙江", "filters": {"province": "浙江", "min_lifetime_value": "0"}})
    assert r.status_code == 201, r.content
    pk = r.json()["id"]
    body = owner_api.get(f"/segments/{pk}/customers").json()
    assert body["count"] == 2
    assert {c["name"] for c in body["items"]} == {"甲公司", "丙公司"}
    bad = owner_api.post("/segments", {"name": "坏", "filters": {"rfm_class": "vip"}})
    assert (bad.status_code, [e["field"] for e in bad.json()["errors"]]) == (422, ["filters.rfm_class"])
    export = owner_api.get(f"/segments/{pk}/export")
    assert len(xlsx_rows(export.content)) == 3
    rule = owner_api.post("/tag-rules", {"tag_name": "有效", "filters": {"min_lifetime_value": "150"}})
    assert rule.status_code == 201, rule.content
    assert owner_api.post("/tag-rules/apply", {}).json() == {"changes": 2}
    assert owner_api.get("/tag-rules").json()["count"] == 1


@pytest.mark.parametrize("role", ROLES)
def test_pages_and_api_follow_the_roles(role, org, member, api_as, monkeypatch):
    monkeypatch.setattr(scopes, "OWN_SCOPE_ROLES", frozenset())
    view, change, manage, analytics = (
        p in ROLE_PERMISSIONS[role] for p in (P.VIEW_CRM, P.CHANGE_CRM, P.MANAGE_CRM, P.VIEW_CRM_ANALYTICS)
    )
    segment, doomed = cc.make_segment(org, "分群一"), cc.make_segment(org, "分群二")
    rule, doomed_rule = cc.make_tag_rule(org, "规则一"), cc.make_tag_rule(org, "规则二")
    client, api = login(member(role)), api_as(role)

    def status(allowed, ok=200):
        return ok if allowed else 403

    for url in ("/crm/segments/", f"/crm/segments/{segment.pk}/", "/crm/tag-rules/"):
        assert client.get(url).status_code == status(view), url
    for url in ("/crm/segments/new/", f"/crm/segments/{segment.pk}/edit/"):
        assert client.get(url).status_code == status(change), url
    for url in ("/crm/tag-rules/new/", f"/crm/tag-rules/{rule.pk}/edit/"):
        assert client.get(url).status_code == status(manage), url
    assert client.get(f"/crm/segments/{segment.pk}/export/").status_code == status(analytics)
    assert client.post("/crm/segments/new/", {"name": "新分群", "city": "杭州"}).status_code == status(change, 302)
    assert client.post(f"/crm/segments/{doomed.pk}/delete/").status_code == status(change, 302)
    assert client.post("/crm/tag-rules/new/", {"tag_name": "新规则", "city": "杭州"}).status_code == status(manage, 302)
    assert client.post("/crm/tag-rules/apply/").status_code == status(manage, 302)
    assert client.post(f"/crm/tag-rules/{doomed_rule.pk}/delete/").status_code == status(manage, 302)
    for path in ("/segments", f"/segments/{segment.pk}", f"/segments/{segment.pk}/customers", "/tag-rules"):
        assert api.get(path).status_code == status(view), path
    assert api.get(f"/tag-rules/{rule.pk}").status_code == status(view)
    assert api.get(f"/segments/{segment.pk}/export").status_code == status(analytics)
    assert api.post("/segments", {"name": "接口分群"}).status_code == status(change, 201)
    assert api._call("put", f"/segments/{segment.pk}", {"name": "改名"}).status_code == status(change)
    body = {"tag_name": "接口规则", "filters": {"city": "宁波"}}
    assert api.post("/tag-rules", body).status_code == status(manage, 201)
    assert api._call("put", f"/tag-rules/{rule.pk}", {**body, "tag_name": "规则一"}).status_code == status(manage)
    assert api.post("/tag-rules/apply", {}).status_code == status(manage)
    segment_count = 3 if change else 2
    assert Segment.objects.filter(organization=org).count() == segment_count
    assert api.delete(f"/segments/{segment.pk}").status_code == status(change, 204)
    assert api.delete(f"/tag-rules/{rule.pk}").status_code == status(manage, 204)
    left = set(TagRule.objects.filter(organization=org).values_list("tag__name", flat=True))
    assert left == ({"新规则", "接口规则"} if manage else {"规则一", "规则二"})
