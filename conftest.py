"""Fixtures shared by every test: organizations, members per role, clients for UI and API.

Data is set up through the real services (onboarding, membership_add), never by writing rows behind their back.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import translation

from suanpan.core.choices import Role
from suanpan.core.models import Organization
from suanpan.core.services import api_token_create, membership_add
from suanpan.onboarding import organization_open

User = get_user_model()


@pytest.fixture(autouse=True)
def _english_outside_requests() -> Any:
    """Service calls made directly by tests speak English (their msgids), so assertions read plainly.

    Requests still choose their language in the middleware: pages are Chinese by default, as users see them.
    """
    with translation.override("en"):
        yield


@pytest.fixture
def make_user(db: None) -> Callable[..., Any]:
    counter = {"n": 0}

    def make(username: str | None = None, **extra: Any) -> Any:
        counter["n"] += 1
        name = username or f"user{counter['n']}"
        return User.objects.create_user(username=name, password="pw-" + name, **extra)

    return make


@pytest.fixture
def owner(make_user: Callable[..., Any]) -> Any:
    return make_user("boss", first_name="老板")


@pytest.fixture
def org(owner: Any) -> Organization:
    return organization_open(owner=owner, data={"name": "测试贸易有限公司"})


@pytest.fixture
def other_org(make_user: Callable[..., Any]) -> Organization:
    return organization_open(owner=make_user("other-boss"), data={"name": "别家公司"})


@pytest.fixture
def member(org: Organization, make_user: Callable[..., Any]) -> Callable[..., Any]:
    """member("sales") → a user holding that role (or roles) in `org`."""

    def make(*roles: str, organization: Organization | None = None) -> Any:
        user = make_user(f"{'-'.join(roles)}-{User.objects.count() + 1}")
        membership_add(organization=organization or org, actor=None, user=user, roles=list(roles))
        return user

    return make


@pytest.fixture
def client_as(member: Callable[..., Any]) -> Callable[..., Client]:
    """client_as("sales") → a logged-in browser client of a new member with that role."""

    def make(*roles: str) -> Client:
        client = Client()
        client.force_login(member(*roles))
        return client

    return make


@pytest.fixture
def owner_client(owner: Any, org: Organization) -> Client:
    client = Client()
    client.force_login(owner)
    return client


class ApiClient:
    """A token-authenticated JSON client for /api/v1/."""

    def __init__(self, token: str) -> None:
        self.client = Client()
        self.headers = {"Authorization": f"Bearer {token}"}

    def _call(self, method: str, path: str, data: Any = None) -> Any:
        fn = getattr(self.client, method)
        kwargs: dict[str, Any] = {"headers": self.headers}
        if data is not None:
            kwargs["data"] = data
            if method != "get":
                kwargs["content_type"] = "application/json"
        return fn(f"/api/v1{path}", **kwargs)

    def get(self, path: str, params: Any = None) -> Any:
        return self._call("get", path, params)

    def post(self, path: str, data: Any) -> Any:
        return self._call("post", path, data)

    def patch(self, path: str, data: Any) -> Any:
        return self._call("patch", path, data)

    def delete(self, path: str) -> Any:
        return self._call("delete", path)


@pytest.fixture
def api_as(org: Organization, member: Callable[..., Any]) -> Callable[..., ApiClient]:
    """api_as("sales") → an API client with a token of a new member with that role (in `org` by default)."""

    def make(*roles: str, organization: Organization | None = None) -> ApiClient:
        organization = organization or org
        user = member(*roles, organization=organization)
        _token, secret = api_token_create(organization=organization, actor=user, name="test")
        return ApiClient(secret)

    return make


@pytest.fixture
def owner_api(org: Organization, owner: Any) -> ApiClient:
    _token, secret = api_token_create(organization=org, actor=owner, name="test")
    return ApiClient(secret)


ALL_ROLES = tuple(Role.values)
