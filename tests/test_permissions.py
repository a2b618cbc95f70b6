"""The role matrix: each role can do exactly what ROLE_PERMISSIONS grants, in the UI and in the API."""

from __future__ import annotations

import pytest
from django.test import Client

from suanpan.core.choices import Role
from suanpan.core.models import Membership
from suanpan.core.permissions import ROLE_PERMISSIONS, P
from suanpan.core.services import api_token_create, api_token_revoke
from tests.resources import RESOURCES

pytestmark = pytest.mark.django_db
ROLES = list(Role.values)
CASES = [(role, resource) for role in ROLES for resource in RESOURCES]
CASE_IDS = [f"{role}-{resource.name}" for role, resource in CASES]


@pytest.mark.parametrize(("role", "resource"), CASES, ids=CASE_IDS)
def test_api_follows_the_matrix(role, resource, org, api_as):
    granted = ROLE_PERMISSIONS[role]
    client = api_as(role)
    count = resource.model.objects.count()
    assert client.get(resource.api).status_code == (200 if resource.view_perm in granted else 403)
    created = client.post(resource.api, resource.payload(org))
    if resource.change_perm in granted:
        assert created.status_code == 201, created.content
        assert resource.model.objects.count() == count + 1
    else:
        assert created.status_code == 403
        assert created.json()["detail"]
        assert resource.model.objects.count() == count


@pytest.mark.parametrize(("role", "resource"), CASES, ids=CASE_IDS)
def test_ui_follows_the_matrix(role, resource, org, client_as):
    granted = ROLE_PERMISSIONS[role]
    client = client_as(role)
    count = resource.model.objects.count()
    page = client.get(resource.ui)
    assert page.status_code == (200 if resource.view_perm in granted else 403)
    if page.status_code == 200:
        assert ('href="' + resource.ui + 'new/"' in page.content.decode()) == (resource.change_perm in granted)
    created = client.post(f"{resource.ui}new/", resource.ui_form(org))
    if resource.change_perm in granted:
        assert created.status_code == 302, created.content.decode()[:3000]
        assert resource.model.objects.count() == count + 1
    else:
        assert created.status_code == 403
        assert resource.model.objects.count() == count


@pytest.mark.parametrize("role", ROLES)
def test_navigation_shows_what_the_role_may_open(role, client_as):
    html = client_as(role).get("/").content.decode()
    granted = ROLE_PERMISSIONS[role]
    for resource in RESOURCES:
        assert (f'href="{resource.ui}"' in html) == (resource.view_perm in granted), resource.name
    assert ('href="/settings/organization/"' in html) == (P.MANAGE_ORGANIZATION in granted)


def test_business_expectations_of_the_matrix():
    """A few rules stated in words, so that a change to the matrix is a conscious one."""
    assert P.CHANGE_CUSTOMER in ROLE_PERMISSIONS[Role.SALES]
    assert P.VIEW_SUPPLIER not in ROLE_PERMISSIONS[Role.SALES]
    assert P.CHANGE_WAREHOUSE in ROLE_PERMISSIONS[Role.WAREHOUSE]
    assert P.CHANGE_PRODUCT not in ROLE_PERMISSIONS[Role.FINANCE]
    assert ROLE_PERMISSIONS[Role.SERVICE] == {P.VIEW_CUSTOMER, P.VIEW_PRODUCT}
    assert P.CHANGE_SUPPLIER in ROLE_PERMISSIONS[Role.PURCHASING]
    assert ROLE_PERMISSIONS[Role.OWNER] == ROLE_PERMISSIONS[Role.ADMIN]
    assert P.MANAGE_ORGANIZATION not in ROLE_PERMISSIONS[Role.FINANCE]


def test_anonymous_requests(org):
    client = Client()
    r = client.get("/partners/customers/")
    assert r.status_code == 302
    assert r["Location"].startswith("/login/")
    r = client.get("/api/v1/customers/")
    assert r.status_code == 401
    assert r.json()["detail"]
    r = client.get("/api/v1/customers/", headers={"Authorization": "Bearer sp_nonsense"})
    assert r.status_code == 401


def test_revoked_token_and_deactivated_member(org, owner, member):
    token, secret = api_token_create(organization=org, actor=owner, name="t")
    headers = {"Authorization": f"Bearer {secret}"}
    assert Client().get("/api/v1/me", headers=headers).status_code == 200
    api_token_revoke(organization=org, actor=owner, token_id=token.pk)
    assert Client().get("/api/v1/me", headers=headers).status_code == 401
    rep = member("sales")
    _token, rep_secret = api_token_create(organization=org, actor=rep, name="t")
    Membership.objects.filter(user=rep).update(is_active=False)
    assert Client().get("/api/v1/customers/", headers={"Authorization": f"Bearer {rep_secret}"}).status_code == 401
    client = Client()
    client.force_login(rep)
    assert client.get("/partners/customers/").status_code == 403


def test_a_token_acts_only_in_its_own_organization(org, other_org, api_as):
    from tests.resources import make_customer

    theirs = make_customer(other_org)
    client = api_as("owner")
    assert client.get(f"/customers/{theirs.pk}").status_code == 404
    assert client.get("/me").json()["organization"]["id"] == org.pk


def test_session_api_needs_csrf_for_writes(org, owner):
    client = Client(enforce_csrf_checks=True)
    client.force_login(owner)
    assert client.get("/api/v1/customers/").status_code == 200
    r = client.post("/api/v1/customers/", {"name": "x"}, content_type="application/json")
    assert r.status_code in (401, 403)
