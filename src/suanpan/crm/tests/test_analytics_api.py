"""The analytics API: role by role, the hand-made numbers as JSON (decimal strings), bad parameters (422 naming
them), another organization's ids (404 / 422)."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone

from suanpan.core.models import Membership
from suanpan.core.permissions import ROLE_PERMISSIONS, P
from suanpan.core.services import api_token_create

from . import analytics_resources as res

pytestmark = pytest.mark.django_db
ROLES = ("owner", "admin", "sales", "service", "marketing", "purchasing", "warehouse", "finance")
JUNE = {"date_from": "2026-06-01", "date_to": "2026-06-30"}


@pytest.mark.parametrize("role", ROLES)
def test_api_follows_the_roles(role, org, api_as):
    allowed = P.VIEW_CRM_ANALYTICS in ROLE_PERMISSIONS[role]
    stage = res.stages(org)["初步接洽"]
    client = api_as(role)
    for path in (
        "/crm-analytics/funnel",
        f"/crm-analytics/funnel/{stage.pk}",
        "/crm-analytics/lead-conversion",
        "/crm-analytics/rfm",
        "/crm-analytics/churn",
        "/crm-analytics/leaderboard",
    ):
        assert client.get(path).status_code == (200 if allowed else 403), path


@pytest.fixture
def reps(member):
    rep1, rep2 = member("sales"), member("sales")
    get_user_model().objects.filter(pk=rep1.pk).update(first_name="张伟")
    get_user_model().objects.filter(pk=rep2.pk).update(first_name="李娜")
    return rep1, rep2


@pytest.fixture
def world(org, reps):
    return res.funnel_world(org, *reps)


def ok(response):
    assert response.status_code == 200, response.content[:500]
    return response.json()


def test_funnel(owner_api, world, reps):
    body = ok(owner_api.get("/crm-analytics/funnel", JUNE))
    assert (body["date_from"], body["date_to"], body["rep"], body["channel"]) == (
        "2026-06-01",
        "2026-06-30",
        None,
        None,
    )
    got = [(r["name"], r["kind"], r["count"], r["amount"], r["conversion"]) for r in body["rows"]]
    assert got == [
        ("初步接洽", "open", 6, "11100.00", "66.7"),
        ("需求确认", "open", 4, "6500.00", "50.0"),
        ("方案报价", "open", 2, "4000.00", "50.0"),
        ("谈判", "open", 1, "1000.00", "100.0"),
        ("赢单", "won", 1, "1000.00", None),
        ("输单", "lost", 3, "3100.00", None),
    ]
    assert body["rows"][-1]["reasons"] == [
        {"reason": "价格太高", "count": 2, "amount": "2500.00"},
        {"reason": "", "count": 1, "amount": "600.00"},
    ]
    assert body["rows"][3]["avg_days"] == "10.0"  # O1 in 谈判 Jun 10 → Jun 20
    mine = ok(owner_api.get("/crm-analytics/funnel", {**JUNE, "rep": reps[0].pk}))
    assert mine["rep"] == reps[0].pk
    assert [r["count"] for r in mine["rows"]] == [3, 3, 1, 1, 1, 2]
    fair = world["channels"]["fair"].pk
    assert [r["count"] for r in ok(owner_api.get("/crm-analytics/funnel", {**JUNE, "channel": fair}))["rows"]] == [
        2,
        2,
        1,
        1,
        1,
        1,
    ]


def test_funnel_drill_down(owner_api, world, other_org):
    s, opps = world["stages"], world["opps"]
    body = ok(owner_api.get(f"/crm-analytics/funnel/{s['需求确认'].pk}", JUNE))
    assert [(o["number"], o["amount"]) for o in body] == [
        ("O5", "500.00"),
        ("O3", "3000.00"),
        ("O2", "2000.00"),
        ("O1", "1000.00"),
    ]
    assert body[1]["id"] == opps["O3"].pk
    assert body[1]["stage_id"] == s["方案报价"].pk
    theirs = res.stages(other_org)["初步接洽"].pk
    assert owner_api.get(f"/crm-analytics/funnel/{theirs}", JUNE).status_code == 404


def test_lead_conversion(owner_api, world):
    body = ok(owner_api.get("/crm-analytics/lead-conversion", JUNE))
    got = [(r["name"], r["leads"], r["converted"], r["rate"], r["won_amount"]) for r in body]
    assert got[:2] == [("展会", 3, 2, "66.7", "1000.00"), ("官网", 3, 2, "66.7", "700.00")]
    assert got[-1] == ("", 1, 0, "0.0", "0.00")
    assert body[0]["channel_id"] == world["channels"]["fair"].pk
    assert body[-1]["channel_id"] is None


def test_leaderboard(owner_api, world, reps):
    rep1, rep2 = reps
    body = ok(owner_api.get("/crm-analytics/leaderboard", JUNE))
    got = [
        (r["user_id"], r["name"], r["follow_ups"], r["new_customers"], r["won_count"], r["won_amount"]) for r in body
    ]
    assert got == [(rep2.pk, "李娜", 1, 2, 1, "5000.00"), (rep1.pk, "张伟", 3, 2, 1, "1000.00")]


@pytest.fixture
def sold(org, reps):
    today = timezone.localdate()
    big, old = res.customer(org, "大客户", reps[0]), res.customer(org, "老客户", reps[1])
    for days in (5, 40, 70, 100):
        res.sell(org, big, "5000.00", today - datetime.timedelta(days=days))
    for days in (100, 90, 80):
        res.sell(org, old, "300.00", today - datetime.timedelta(days=days))
    return big, old


def test_rfm_and_churn(owner_api, sold, reps, org):
    big, old = sold
    today = timezone.localdate()
    body = ok(owner_api.get("/crm-analytics/rfm"))
    assert body[0] == {
        "customer_id": big.pk,
        "customer_name": "大客户",
        "owner_id": reps[0].pk,
        "last_purchase": (today - datetime.timedelta(days=5)).isoformat(),
        "recency_days": 5,
        "frequency": 4,
        "monetary": "20000.00",
        "r": 3,
        "f": 3,
        "m": 3,
        "rfm_class": "general",
    }
    assert [r["customer_id"] for r in body] == [big.pk, old.pk]
    assert ok(owner_api.get("/crm-analytics/rfm", {"rfm_class": "high_value"})) == []
    churn = ok(owner_api.get("/crm-analytics/churn"))
    assert churn == [
        {
            "customer_id": old.pk,
            "customer_name": "老客户",
            "owner_id": reps[1].pk,
            "last_purchase": (today - datetime.timedelta(days=80)).isoformat(),
            "purchases": 3,
            "usual_interval": "10.0",
            "days_since": 80,
            "ratio": "8.00",
            "lifetime_value": "900.00",
        }
    ]
    assert len(ok(owner_api.get("/crm-analytics/churn", {"sort": "value"}))) == 1


def test_data_scope(org, api_as, sold, reps):
    Membership.objects.filter(organization=org, user=reps[0]).update(roles=["sales", "marketing"], data_scope="own")
    _token, secret = api_token_create(organization=org, actor=reps[0], name="t")
    client = Client(headers={"Authorization": f"Bearer {secret}"})

    def get(path):
        return ok(client.get(f"/api/v1{path}"))

    assert [r["customer_id"] for r in get("/crm-analytics/rfm")] == [sold[0].pk]
    assert get("/crm-analytics/churn") == []
    assert [r["user_id"] for r in get("/crm-analytics/leaderboard")] == [reps[0].pk]


@pytest.mark.parametrize(
    ("path", "params", "field"),
    [
        ("/crm-analytics/funnel", {"date_from": "2026-02-30"}, "date_from"),
        ("/crm-analytics/funnel", {"date_to": "tomorrow"}, "date_to"),
        ("/crm-analytics/funnel", {"date_from": "2026-06-30", "date_to": "2026-06-01"}, "date_to"),
        ("/crm-analytics/funnel", {"rep": "0"}, "rep"),
        ("/crm-analytics/funnel", {"channel": "x"}, "channel"),
        ("/crm-analytics/funnel", {"date_from": "2026-06-01-01"}, "date_from"),
        ("/crm-analytics/lead-conversion", {"date_from": "2026/06/01"}, "date_from"),
        ("/crm-analytics/leaderboard", {"date_to": "2026-6-1"}, "date_to"),
        ("/crm-analytics/rfm", {"rfm_class": "vip"}, "rfm_class"),
        ("/crm-analytics/churn", {"sort": "name"}, "sort"),
    ],
)
def test_bad_parameters_are_422_naming_them(owner_api, org, path, params, field):
    response = owner_api.get(path, params)
    assert response.status_code == 422
    assert field in [e["field"] for e in response.json()["errors"]]


def test_another_organizations_channel_is_refused(owner_api, org, other_org):
    theirs = res.channel(other_org, "展会").pk
    response = owner_api.get("/crm-analytics/funnel", {"channel": theirs})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "channel"
