from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from suanpan.core.tenancy import memberships_of, remember_membership

SESSION_ORG_KEY = "suanpan_organization_id"


class DefaultLanguageMiddleware:
    """Chinese first: without a language cookie, pages ignore the browser's Accept-Language and use zh-Hans.

    API clients choose with Accept-Language (zh-Hans when they send none).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if settings.LANGUAGE_COOKIE_NAME not in request.COOKIES and not request.path.startswith("/api/"):
            request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)


class OrganizationMiddleware:
    """Sets `request.organization` and `request.membership` from the session's chosen organization.

    A user in several organizations switches with the organization switcher; the choice is kept in the
    session and re-checked against the user's active memberships on every request.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.organization = None  # type: ignore[attr-defined]
        request.membership = None  # type: ignore[attr-defined]
        request.memberships = []  # type: ignore[attr-defined]
        if request.user.is_authenticated:
            memberships = memberships_of(request.user)
            request.memberships = memberships  # type: ignore[attr-defined]
            chosen = request.session.get(SESSION_ORG_KEY)
            current = next((m for m in memberships if m.organization_id == chosen), None)
            if current is None and memberships:
                current = memberships[0]
                request.session[SESSION_ORG_KEY] = current.organization_id
            if current is not None:
                request.organization = current.organization  # type: ignore[attr-defined]
                request.membership = current  # type: ignore[attr-defined]
                remember_membership(request.user, current)
        return self.get_response(request)
