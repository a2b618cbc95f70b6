"""Data scope (数据权限) of customers: a rep sees and changes only the customers they own, unless their membership
grants team or all scope. Pages, API and services answer alike: another rep's customer is 404. (Leads,
opportunities, quotes and contracts test their own scope in crm/tests.)"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from suanpan.core.choices import DataScope
from suanpan.core.exceptions import NotFound
from suanpan.core.models import Membership, Organization
from suanpan.core.scopes import effective_scope, visible_owner_ids
from suanpan.core.services import api_token_create
from suanpan.partners import services as partners
from suanpan.partners.choices import PartnerRole
from suanpan.partners.models import Partner

pytestmark = pytest.mark.django_db


def _customer(org: Organization, name: str, owner: Any) -> Partner:
    return partners.partner_create(
        organization=org, actor=None, role=PartnerRole.CUSTOMER, data={"name": name, "owner": owner}
    )


def _scope(org: Organization, user: Any, scope: str, team: str = "") -> None:
    Membership.objects.filter(organization=org, user=user).update(data_scope=scope, team=team)


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def reps(org: Organization, member: Callable[..., Any]) -> tuple[Any, Any, Partner, Partner]:
    alice, bob = member("sales"), member("sales")
    return alice, bob, _customer(org, "甲的客户", alice), _customer(org, "乙的客户", bob)


def test_a_rep_sees_only_their_own_customers_in_page_and_api(org, reps, api_as):
    alice, _bob, mine, theirs = reps
    client = _client(alice)
    page = client.get("/partners/customers/").content.decode()
    assert mine.name in page
    assert theirs.name not in page
    assert client.get(f"/partners/customers/{mine.pk}/").status_code == 200
    for path in (f"{theirs.pk}/", f"{theirs.pk}/edit/"):
        assert client.get(f"/partners/customers/{path}").status_code == 404
    assert client.post(f"/partners/customers/{theirs.pk}/edit/", {"name": "抢"}).status_code == 404
    assert client.post(f"/partners/customers/{theirs.pk}/contacts/new/", {"name": "抢"}).status_code == 404


def test_the_api_hides_another_reps_customer(org, reps):
    alice, _bob, mine, theirs = reps
    _token, secret = api_token_create(organization=org, actor=alice, name="t")
    api = Client(headers={"Authorization": f"Bearer {secret}"})
    listed = {row["id"] for row in api.get("/api/v1/customers/").json()["items"]}
    assert listed == {mine.pk}
    assert api.get(f"/api/v1/customers/{theirs.pk}").status_code == 404
    r = api.patch(f"/api/v1/customers/{theirs.pk}", {"name": "抢"}, content_type="application/json")
    assert r.status_code == 404
    assert r.json()["detail"]
    assert Partner.objects.get(pk=theirs.pk).name == "乙的客户"
    assert api.get(f"/api/v1/customers/{theirs.pk}/contacts").status_code == 404


def test_the_service_refuses_another_reps_customer(org, reps):
    alice, _bob, _mine, theirs = reps
    with pytest.raises(NotFound):
        partners.partner_update(
            organization=org, actor=alice, role=PartnerRole.CUSTOMER, partner_id=theirs.pk, data={"name": "抢"}
        )
    assert Partner.objects.get(pk=theirs.pk).name == "乙的客户"


def test_team_scope_sees_the_teams_customers_only(org, reps, member):
    alice, bob, mine, theirs = reps
    carol = member("sales")
    outsider = _customer(org, "丙的客户", carol)
    _scope(org, alice, DataScope.TEAM, "华东组")
    _scope(org, bob, "", "华东组")
    page = _client(alice).get("/partners/customers/").content.decode()
    assert mine.name in page
    assert theirs.name in page
    assert outsider.name not in page
    assert visible_owner_ids(org, alice) == {alice.pk, bob.pk}
    # bob is in the team but his own scope is by role: own only
    assert visible_owner_ids(org, bob) == {bob.pk}


def test_all_scope_and_other_roles_see_every_customer(org, reps, member):
    alice, _bob, mine, theirs = reps
    _scope(org, alice, DataScope.ALL)
    page = _client(alice).get("/partners/customers/").content.decode()
    assert mine.name in page
    assert theirs.name in page
    finance = member("finance")
    assert _client(finance).get(f"/partners/customers/{theirs.pk}/").status_code == 200
    both = member("sales", "marketing")
    assert effective_scope(Membership.objects.get(organization=org, user=both)) == DataScope.ALL


def test_a_reps_new_customer_is_their_own(org, reps):
    alice, _bob, _mine, _theirs = reps
    created = partners.partner_create(organization=org, actor=alice, role=PartnerRole.CUSTOMER, data={"name": "新客户"})
    assert created.owner_id == alice.pk
    unowned = _customer(org, "公海客户", None)
    assert _client(alice).get(f"/partners/customers/{unowned.pk}/").status_code == 404


def test_the_owner_sets_a_members_scope_and_team(org, reps, owner_client):
    alice, _bob, _mine, theirs = reps
    membership = Membership.objects.get(organization=org, user=alice)
    r = owner_client.post(
        f"/settings/members/{membership.pk}/",
        {"roles": ["sales"], "is_active": "on", "data_scope": DataScope.ALL, "team": " 华南组 "},
    )
    assert r.status_code == 302
    membership.refresh_from_db()
    assert (membership.data_scope, membership.team) == (DataScope.ALL, "华南组")
    assert _client(alice).get(f"/partners/customers/{theirs.pk}/").status_code == 200
    bad = owner_client.post(f"/settings/members/{membership.pk}/", {"roles": ["sales"], "data_scope": "everything"})
    assert bad.status_code == 422
    membership.refresh_from_db()
    assert membership.data_scope == DataScope.ALL
