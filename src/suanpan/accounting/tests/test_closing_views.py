"""Month-end close page and API: checks shown, close/reopen, refusals as messages or JSON, 403/404."""

import datetime
from decimal import Decimal

import pytest
from django.test import Client

from suanpan.accounting.choices import PERIOD_CLOSE_SOURCE
from suanpan.accounting.closing import latest_closed_period, next_period_to_close, period_close
from suanpan.accounting.models import Period, Voucher
from suanpan.accounting.opening import opening_balances_accept
from suanpan.accounting.services import voucher_create, voucher_post, voucher_review
from suanpan.core.choices import Role
from suanpan.core.permissions import ROLE_PERMISSIONS, P

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def books_accepted(org, owner):
    return opening_balances_accept(organization=org, actor=owner)


def period(org, month, year=2026):
    return Period.objects.get(organization=org, year=year, month=month)


def close_until(org, actor, month):
    for m in range(1, month + 1):
        period_close(organization=org, actor=actor, period_id=period(org, m).pk)


def sale(org, acc, maker, checker, amount="100.00", post=True):
    v = voucher_create(
        organization=org,
        actor=maker,
        date=datetime.date(2026, 11, 3),
        lines=[
            {"summary": "现销", "account": acc("1001"), "debit": amount},
            {"summary": "现销", "account": acc("5001"), "credit": amount},
        ],
    )
    if post:
        voucher_review(organization=org, actor=checker, voucher_id=v.pk)
        voucher_post(organization=org, actor=checker, voucher_id=v.pk)
    return v


def test_page_lists_the_year_and_the_checks_of_the_next_period(org, acc, accountant, reviewer, client_as):
    close_until(org, accountant, 10)
    draft = sale(org, acc, accountant, reviewer, post=False)
    page = Client()
    page.force_login(accountant)
    r = page.get("/accounting/periods/")
    assert r.status_code == 200
    overview = r.context["overview"]
    assert (overview.year, overview.next_period) == (2026, period(org, 11))
    assert [p.month for p in overview.periods] == list(range(1, 13))
    checks = {c.code: c.ok for c in overview.checks}
    assert checks["unposted_vouchers"] is False
    body = r.content.decode()
    assert f"/accounting/vouchers/{draft.pk}/" in body
    assert 'id="close-period" disabled' in body
    assert 'id="reopen-period"' not in body  # finance may not reopen
    assert page.get("/accounting/periods/", {"year": "9999999999999"}).status_code == 200
    assert page.get("/accounting/periods/", {"year": "2025"}).context["overview"].year == 2026


def test_close_and_reopen_from_the_page(org, acc, accountant, reviewer, owner_client):
    close_until(org, accountant, 10)
    sale(org, acc, accountant, reviewer, "250.00")
    nov = period(org, 11)
    r = owner_client.post(f"/accounting/periods/{nov.pk}/close/")
    assert r.status_code == 302
    nov.refresh_from_db()
    assert nov.status == "closed"
    carry = Voucher.objects.get(source_type=PERIOD_CLOSE_SOURCE)
    assert carry.total_debit == Decimal("250.00")

    page = owner_client.get("/accounting/periods/")
    assert 'id="reopen-period"' in page.content.decode()
    r = owner_client.post(f"/accounting/periods/{nov.pk}/reopen/", {"reason": ""}, follow=True)
    assert [m.level_tag for m in r.context["messages"]] == ["error"]
    nov.refresh_from_db()
    assert nov.status == "closed"
    r = owner_client.post(f"/accounting/periods/{nov.pk}/reopen/", {"reason": "漏记费用"})
    assert r.status_code == 302
    nov.refresh_from_db()
    assert nov.is_open


def test_refusal_comes_back_as_messages(org, owner_client):
    nov = period(org, 11)
    r = owner_client.post(f"/accounting/periods/{nov.pk}/close/", follow=True)
    assert r.status_code == 200
    texts = [str(m) for m in r.context["messages"]]
    assert any("2026-10" in t for t in texts), texts
    nov.refresh_from_db()
    assert nov.is_open


def test_another_organizations_period_is_404_on_pages(org, other_org, owner_client):
    theirs = period(other_org, 1)
    assert owner_client.post(f"/accounting/periods/{theirs.pk}/close/").status_code == 404
    assert owner_client.post(f"/accounting/periods/{theirs.pk}/reopen/", {"reason": "x"}).status_code == 404
    assert owner_client.get("/accounting/periods/999999/close/").status_code == 405
    theirs.refresh_from_db()
    assert theirs.is_open


@pytest.mark.parametrize("role", Role.values)
def test_pages_and_api_follow_the_role_matrix(role, org, owner, member, api_as):
    granted = ROLE_PERMISSIONS[role]
    view, close, reopen = (p in granted for p in (P.VIEW_LEDGER, P.CLOSE_PERIOD, P.REOPEN_PERIOD))
    boss = owner
    jan = period(org, 1)
    client = Client()
    client.force_login(member(role))
    assert client.get("/accounting/periods/").status_code == (200 if view else 403)
    assert client.post(f"/accounting/periods/{jan.pk}/close/").status_code == (302 if close else 403)
    jan.refresh_from_db()
    assert (jan.status == "closed") == close
    if jan.is_open:
        period_close(organization=org, actor=boss, period_id=jan.pk)
    assert client.post(f"/accounting/periods/{jan.pk}/reopen/", {"reason": "测试"}).status_code == (
        302 if reopen else 403
    )
    jan.refresh_from_db()
    assert jan.is_open == reopen

    api = api_as(role)
    target = next_period_to_close(organization=org)
    assert api.get("/periods", {"year": 2026}).status_code == (200 if view else 403)
    assert api.get(f"/periods/{target.pk}/close-checks").status_code == (200 if view else 403)
    assert api.post(f"/periods/{target.pk}/close", {}).status_code == (200 if close else 403)
    latest = latest_closed_period(organization=org)
    assert api.post(f"/periods/{latest.pk}/reopen", {"reason": "x"}).status_code == (200 if reopen else 403)
    latest.refresh_from_db()
    assert latest.is_open == reopen


def test_api_lists_checks_closes_and_reopens(org, acc, accountant, reviewer, owner_api):
    close_until(org, accountant, 10)
    sale(org, acc, accountant, reviewer, "80.00")
    nov = period(org, 11)
    r = owner_api.get("/periods", {"year": 2026})
    assert r.status_code == 200
    assert [(p["label"], p["status"]) for p in r.json()][9:11] == [("2026-10", "closed"), ("2026-11", "open")]
    assert owner_api.get("/periods", {"year": 1}).status_code == 422

    checks = owner_api.get(f"/periods/{nov.pk}/close-checks").json()
    by_code = {c["code"]: c for c in checks}
    pnl = by_code["profit_and_loss"]
    assert (pnl["ok"], pnl["automatic"]) == (False, True)
    assert "3103" in pnl["message"]
    assert pnl["links"] == [
        {"label": str(acc("5001")), "url": f"/accounting/accounts/{acc('5001').pk}/ledger/?start=2026-11&end=2026-11"}
    ]
    assert by_code["trial_balance"]["ok"] is True

    refused = owner_api.post(f"/periods/{period(org, 12).pk}/close", {})
    assert refused.status_code == 409
    assert [e["field"] for e in refused.json()["errors"]] == ["checks.previous_period"]

    closed = owner_api.post(f"/periods/{nov.pk}/close", {})
    assert closed.status_code == 200
    assert closed.json()["status"] == "closed"
    assert owner_api.post(f"/periods/{nov.pk}/close", {}).status_code == 409

    no_reason = owner_api.post(f"/periods/{nov.pk}/reopen", {"reason": " "})
    assert no_reason.status_code == 422
    assert no_reason.json()["errors"][0]["field"] == "reason"
    assert owner_api.post(f"/periods/{nov.pk}/reopen", {}).status_code == 422
    not_latest = owner_api.post(f"/periods/{period(org, 10).pk}/reopen", {"reason": "x"})
    assert not_latest.status_code == 409
    assert owner_api.post(f"/periods/{nov.pk}/reopen", {"reason": "补录"}).json()["status"] == "open"


def test_api_periods_of_another_organization_are_404(org, other_org, owner_api):
    theirs = period(other_org, 1)
    assert owner_api.get(f"/periods/{theirs.pk}/close-checks").status_code == 404
    assert owner_api.post(f"/periods/{theirs.pk}/close", {}).status_code == 404
    assert owner_api.post(f"/periods/{theirs.pk}/reopen", {"reason": "x"}).status_code == 404
    assert {p["id"] for p in owner_api.get("/periods").json()} == set(
        Period.objects.filter(organization=org).values_list("pk", flat=True)
    )
