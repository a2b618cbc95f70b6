"""What the cross-cutting suites must know of the CRM analytics area (see tests/crm_cases.py). Roles are tested in
src/suanpan/crm/tests/test_analytics_views.py (test_pages_follow_the_roles) and test_analytics_api.py
(test_api_follows_the_roles)."""

from __future__ import annotations

from typing import Any

from suanpan.core.models import Organization
from suanpan.core.permissions import P
from suanpan.crm.models import Channel, Stage
from suanpan.crm.setup import channels_ensure, stages_ensure
from tests.isolation_cases import ApiCase, PageCase


def first_stage(org: Organization) -> Stage:
    stages_ensure(org)
    return Stage.objects.filter(organization=org).order_by("seq", "id").first()  # type: ignore[return-value]


def first_channel(org: Organization) -> Channel:
    channels_ensure(org)
    return Channel.objects.filter(organization=org).order_by("seq", "id").first()  # type: ignore[return-value]


API_OPS: set[tuple[str, str]] = {
    ("/crm-analytics/funnel", "get"),
    ("/crm-analytics/funnel/{}", "get"),
    ("/crm-analytics/lead-conversion", "get"),
    ("/crm-analytics/rfm", "get"),
    ("/crm-analytics/churn", "get"),
    ("/crm-analytics/leaderboard", "get"),
}

PAGES: set[str] = {
    "/crm/analytics/",
    "/crm/analytics/funnel/",
    "/crm/analytics/funnel/<int:pk>/",
    "/crm/analytics/lead-conversion/",
    "/crm/analytics/lead-conversion/<int:pk>/",
    "/crm/analytics/rfm/",
    "/crm/analytics/churn/",
    "/crm/analytics/leaderboard/",
}

EXERCISED: set[str] = {P.VIEW_CRM_ANALYTICS}

API_CASES: list[Any] = [
    ApiCase("/crm-analytics/funnel/{}", "get", lambda mine, other: (first_stage(other).pk,)),
]

PAGE_CASES: list[Any] = [
    PageCase("crm/analytics/funnel/<int:pk>/", "get", lambda mine, other: {"pk": first_stage(other).pk}),
    PageCase("crm/analytics/lead-conversion/<int:pk>/", "get", lambda mine, other: {"pk": first_channel(other).pk}),
]
