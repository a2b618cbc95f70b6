"""The analytics pages: role by role, rendered with the hand-made data (numbers and names in the HTML), bad
parameters (422 naming them), another organization's ids (404). Pages speak Chinese by default: assertions are on
data, ids and status codes."""

import datetime
import json
import re

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from tests.resources import make_customer

from suanpan.core.models import Membership
from suanpan.core.permissions import ROLE_PERMISSIONS, P

from . import analytics_resources as res

pytestmark = pytest.mark.django_db
ROLES = ("owner", "admin", "sales", "service", "marketing", "purchasing", "warehouse", "finance")
JUNE = "date_from=2026-06-01&date_to=2026-06-30"
JUNE_HTML = JUNE.replace("&", "&amp;")  # as it stands in an href


def pages(org):
    stage = res.stages(org)["初步接洽"]
    fair = res.channel(org, "展会")
    return [
        "/crm/analytics/",
        "/crm/analytics/funnel/",
        f"/crm/analytics/funnel/{stage.pk}/",
        "/crm/analytics/lead-conversion/",
        f"/crm/analytics/lead-conversion/{fair.pk}/",
        "/crm/analytics/lead-conversion/0/",
        "/crm/analytics/rfm/",
        "/crm/analytics/churn/",
        "/crm/analytics/leaderboard/",
    ]


@pytest.mark.parametrize("role", ROLES)
def test_pages_follow_the_roles(role, org, client_as):
    allowed = P.VIEW_CRM_ANALYTICS in ROLE_PERMISSIONS[role]
    assert allowed == (role in ("owner", "admin", "marketing"))
    client = client_as(role)
    for page in pages(org):
        assert client.get(page).status_code == (200 if allowed else 403), page


def test_needs_a_login(client, org):
    assert client.get("/crm/analytics/").status_code == 302


@pytest.fixture
def reps(member):
    rep1, rep2 = member("sales"), member("sales")
    get_user_model().objects.filter(pk=rep1.pk).update(first_name="张伟")
    get_user_model().objects.filter(pk=rep2.pk).update(first_name="李娜")
    return rep1, rep2


@pytest.fixture
def world(org, reps):
    return res.funnel_world(org, *reps)


def html(response):
    assert response.status_code == 200, response.content[:500]
    return response.content.decode()


def chart_data(page):
    found = re.search(r'<script id="analytics-chart-data" type="application/json">(.*?)</script>', page, re.S)
    assert found is not None
    return json.loads(found.group(1))


def cells(page, row_id):
    row = re.search(rf'<tr[^>]*id="{row_id}"[^>]*>(.*?)</tr>', page, re.S)
    assert row is not None, row_id
    return [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row.group(1), re.S)]


def test_overview_shows_the_headlines(owner_client, world):
    page = html(owner_client.get(f"/crm/analytics/?{JUNE}"))
    # funnel: 6 created in June, 1 won (1000), 1/6 = 16.7 %; leads: L1–L6 and L8 = 7, converted L1 L2 L4 L8 = 4
    # → 57.1 %; the best rep: 李娜 (O9, 5000)
    for head, text in (
        ("head-created", "6"),
        ("head-won", "1 · 1,000.00"),
        ("head-win-rate", "16.7%"),
        ("head-leads", "7"),
        ("head-converted", "4"),
        ("head-lead-rate", "57.1%"),
        ("head-top", "李娜 · 5,000.00"),
    ):
        assert re.search(rf'id="{head}">\s*{re.escape(text)}\s*<', page), head
    assert f'href="/crm/analytics/funnel/?{JUNE_HTML}"' in page


def test_funnel_page(owner_client, world):
    s = world["stages"]
    page = html(owner_client.get(f"/crm/analytics/funnel/?{JUNE}"))
    assert cells(page, f"funnel-row-{s['初步接洽'].pk}")[:4] == ["初步接洽", "6", "11,100.00", "66.7%"]
    assert cells(page, f"funnel-row-{s['需求确认'].pk}")[:4] == ["需求确认", "4", "6,500.00", "50.0%"]
    assert cells(page, f"funnel-row-{s['赢单'].pk}")[:4] == ["赢单", "1", "1,000.00", ""]
    assert cells(page, f"funnel-row-{s['输单'].pk}")[:3] == ["输单", "3", "3,100.00"]
    assert f'href="/crm/analytics/funnel/{s["需求确认"].pk}/?{JUNE_HTML}"' in page
    assert "价格太高" in page
    data = chart_data(page)
    assert data["type"] == "funnel"
    assert data["labels"] == ["初步接洽", "需求确认", "方案报价", "谈判", "赢单"]
    assert data["series"][0]["values"] == ["6", "4", "2", "1", "1"]
    assert data["series"][1]["values"] == ["11100.00", "6500.00", "4000.00", "1000.00", "1000.00"]
    assert "vendor/echarts/echarts.min.js" in page
    assert "crm/analytics.js" in page


def test_funnel_page_filters_by_rep_and_channel(owner_client, world, reps):
    s = world["stages"]
    page = html(owner_client.get(f"/crm/analytics/funnel/?{JUNE}&rep={reps[0].pk}"))
    assert cells(page, f"funnel-row-{s['初步接洽'].pk}")[:3] == ["初步接洽", "3", "3,500.00"]
    fair = world["channels"]["fair"].pk
    page = html(owner_client.get(f"/crm/analytics/funnel/?{JUNE}&channel={fair}"))
    assert cells(page, f"funnel-row-{s['初步接洽'].pk}")[:3] == ["初步接洽", "2", "3,000.00"]
    assert f"channel={fair}" in page  # the drill-down links keep the filter


def test_funnel_drill_down(owner_client, world):
    s, opps = world["stages"], world["opps"]
    page = html(owner_client.get(f"/crm/analytics/funnel/{s['方案报价'].pk}/?{JUNE}"))
    found = re.findall(r'<a href="/crm/opportunities/(\d+)/">(O\d)</a>', page)
    assert found == [(str(opps["O3"].pk), "O3"), (str(opps["O1"].pk), "O1")]
    assert f'href="/crm/customers/{opps["O3"].customer_id}/"' in page
    assert "4,000.00" in page


def test_lead_conversion_pages(owner_client, world):
    fair, web = world["channels"]["fair"], world["channels"]["web"]
    page = html(owner_client.get(f"/crm/analytics/lead-conversion/?{JUNE}"))
    assert cells(page, f"channel-row-{fair.pk}") == ["展会", "3", "2", "66.7%", "1,000.00"]
    assert cells(page, f"channel-row-{web.pk}") == ["官网", "3", "2", "66.7%", "700.00"]
    assert cells(page, "channel-row-0")[1:] == ["1", "0", "0.0%", "0.00"]
    assert f'href="/crm/analytics/lead-conversion/{fair.pk}/?{JUNE_HTML}"' in page
    data = chart_data(page)
    assert data["type"] == "bar"
    assert data["series"][0]["values"][:2] == ["3", "3"]
    assert data["series"][1]["values"][:2] == ["2", "2"]
    drill = html(owner_client.get(f"/crm/analytics/lead-conversion/{fair.pk}/?{JUNE}"))
    assert re.findall(r'href="/crm/leads/\d+/">(L\d)<', drill) == ["L5", "L2", "L1"]
    assert f'href="/crm/customers/{world["customers"]["X"].pk}/"' in drill
    none = html(owner_client.get(f"/crm/analytics/lead-conversion/0/?{JUNE}"))
    assert re.findall(r'href="/crm/leads/\d+/">(L\d)<', none) == ["L6"]


def test_leaderboard_page(owner_client, world, reps):
    rep1, rep2 = reps
    page = html(owner_client.get(f"/crm/analytics/leaderboard/?{JUNE}"))
    assert cells(page, f"rep-row-{rep2.pk}") == ["1", "李娜", "1", "2", "1", "5,000.00"]
    assert cells(page, f"rep-row-{rep1.pk}") == ["2", "张伟", "3", "2", "1", "1,000.00"]
    assert chart_data(page)["series"][0]["values"][:2] == ["5000.00", "1000.00"]


@pytest.fixture
def sold(org, reps):
    """Invoices relative to today: 大客户 buys often and lately; 老客户 bought three times ten days apart and has
    been quiet for 80 days (ratio 8.00)."""
    today = timezone.localdate()
    big, old = res.customer(org, "大客户", reps[0]), res.customer(org, "老客户", reps[1])
    for days in (5, 40, 70, 100):
        res.sell(org, big, "5000.00", today - datetime.timedelta(days=days))
    for days in (100, 90, 80):
        res.sell(org, old, "300.00", today - datetime.timedelta(days=days))
    return big, old


def test_rfm_page(owner_client, sold):
    big, old = sold
    page = html(owner_client.get("/crm/analytics/rfm/"))
    # n = 2: 大客户 R 1+⌊5·1/2⌋ = 3, F 3, M 3 → general (R < 4); 老客户 1, 1, 1 → general
    assert cells(page, f"rfm-row-{big.pk}")[0] == "大客户"
    assert cells(page, f"rfm-row-{big.pk}")[3:7] == ["5", "4", "20,000.00", "3·3·3"]
    assert cells(page, f"rfm-row-{old.pk}")[3:7] == ["80", "3", "900.00", "1·1·1"]
    assert f'href="/crm/customers/{big.pk}/"' in page
    data = chart_data(page)
    assert data["type"] == "pie"
    assert data["series"][0]["values"] == ["0", "0", "0", "2"]
    assert f"rfm-row-{big.pk}" not in html(owner_client.get("/crm/analytics/rfm/?rfm_class=high_value"))
    assert f"rfm-row-{big.pk}" in html(owner_client.get("/crm/analytics/rfm/?rfm_class=general"))


def test_churn_page(owner_client, sold):
    big, old = sold
    page = html(owner_client.get("/crm/analytics/churn/"))
    assert cells(page, f"churn-row-{old.pk}")[0] == "老客户"
    assert cells(page, f"churn-row-{old.pk}")[3:7] == ["10.0", "80", "8.00", "900.00"]
    assert f"churn-row-{big.pk}" not in page
    assert f'href="/crm/follow-ups/new/?customer={old.pk}"' in page
    assert f'href="/crm/customers/{old.pk}/"' in page
    assert 'href="?sort=ratio"' in page  # the ratio header flips the order
    assert html(owner_client.get("/crm/analytics/churn/?sort=ratio")).count("churn-row-") == 1


def test_a_rep_with_own_scope_sees_their_customers_only(org, client_as, sold, reps):
    Membership.objects.filter(organization=org, user=reps[0]).update(roles=["sales", "marketing"], data_scope="own")
    from django.test import Client

    client = Client()
    client.force_login(reps[0])
    page = html(client.get("/crm/analytics/rfm/"))
    assert f"rfm-row-{sold[0].pk}" in page
    assert f"rfm-row-{sold[1].pk}" not in page
    assert "churn-row-" not in html(client.get("/crm/analytics/churn/"))


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("date_from=2026-13-01", "date_from"),
        ("date_to=yesterday", "date_to"),
        ("date_from=2026-06-30&date_to=2026-06-01", "date_to"),
        ("date_from=2000-01-01&date_to=2026-06-01", "date_from"),
        ("rep=999999", "rep"),
        ("rep=abc", "rep"),
        ("channel=999999999999999999999", "channel"),
    ],
)
def test_bad_parameters_are_422_naming_them(owner_client, org, query, field):
    response = owner_client.get(f"/crm/analytics/funnel/?{query}")
    assert response.status_code == 422
    assert f"<code>{field}</code>" in response.content.decode()


def test_bad_class_and_sort(owner_client, org):
    response = owner_client.get("/crm/analytics/rfm/?rfm_class=vip")
    assert response.status_code == 422
    assert "<code>rfm_class</code>" in response.content.decode()
    response = owner_client.get("/crm/analytics/churn/?sort=name")
    assert response.status_code == 422
    assert "<code>sort</code>" in response.content.decode()


def test_another_organizations_ids_are_404(owner_client, org, other_org):
    theirs_stage = res.stages(other_org)["初步接洽"].pk
    theirs_channel = res.channel(other_org, "展会").pk
    assert owner_client.get(f"/crm/analytics/funnel/{theirs_stage}/").status_code == 404
    assert owner_client.get(f"/crm/analytics/lead-conversion/{theirs_channel}/").status_code == 404
    response = owner_client.get(f"/crm/analytics/funnel/?channel={theirs_channel}")
    assert response.status_code == 422
    assert "<code>channel</code>" in response.content.decode()


def test_pages_render_for_an_empty_organization(owner_client, org):
    make_customer(org, "无发票客户")
    for page in pages(org):
        assert owner_client.get(page).status_code == 200, page
