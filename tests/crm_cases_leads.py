"""What the cross-cutting suites must know of the CRM lead area (see tests/crm_cases.py), and the factories its own
tests share. Roles are tested in src/suanpan/crm/tests/test_lead_views.py (test_pages_follow_the_roles) and
test_lead_api.py (test_api_follows_the_roles)."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

from suanpan.core.models import Organization
from suanpan.core.permissions import P
from suanpan.crm import leads
from suanpan.crm.models import AssignmentRule, Channel, Lead
from suanpan.crm.setup import channels_ensure
from tests.isolation_cases import ApiCase, PageCase
from tests.resources import owner_of

_serial = itertools.count(1)


def make_lead(org: Organization, state: str = "new", **data: Any) -> Lead:
    """A lead made by the system (no duplicate check), in `state` (new, contacting, qualified, invalid)."""
    n = next(_serial)
    values = {"company": f"线索公司{n}", "contact_name": f"联系人{n}", "allow_duplicate": True, **data}
    lead = leads.lead_create(organization=org, actor=None, data=values)
    if state in ("contacting", "qualified"):
        leads.lead_contact(organization=org, actor=None, lead_id=lead.pk)
    if state == "qualified":
        leads.lead_qualify(organization=org, actor=None, lead_id=lead.pk)
    if state == "invalid":
        leads.lead_invalidate(organization=org, actor=None, lead_id=lead.pk, reason="空号")
    lead.refresh_from_db()
    return lead


def make_channel(org: Organization, name: str = "") -> Channel:
    channels_ensure(org)
    return leads.channel_create(organization=org, actor=None, data={"name": name or f"渠道{next(_serial)}"})


def make_rule(org: Organization, *users: Any, province: str = "", seq: int = 0) -> AssignmentRule:
    assignees = [u.pk for u in users] or [owner_of(org).pk]
    return leads.assignment_rule_create(
        organization=org,
        actor=None,
        data={"name": f"规则{next(_serial)}", "seq": seq, "province": province, "assignee_ids": assignees},
    )


API_OPS: set[tuple[str, str]] = {
    ("/leads", "get"),
    ("/leads", "post"),
    ("/leads/reassign", "post"),
    ("/leads/{}", "get"),
    ("/leads/{}", "patch"),
    ("/leads/{}/duplicates", "get"),
    ("/leads/{}/invalidate", "post"),
    ("/leads/{}/convert", "post"),
    ("/leads/{}/contact", "post"),
    ("/leads/{}/qualify", "post"),
    ("/leads/{}/reopen", "post"),
    ("/lead-channels", "get"),
    ("/lead-channels", "post"),
    ("/lead-channels/{}", "get"),
    ("/lead-channels/{}", "patch"),
    ("/assignment-rules", "get"),
    ("/assignment-rules", "post"),
    ("/assignment-rules/{}", "get"),
    ("/assignment-rules/{}", "patch"),
    ("/assignment-rules/{}", "delete"),
}

PAGES: set[str] = {
    "/crm/leads/",
    "/crm/leads/new/",
    "/crm/leads/reassign/",
    "/crm/leads/<int:pk>/",
    "/crm/leads/<int:pk>/edit/",
    "/crm/leads/<int:pk>/convert/",
    "/crm/leads/<int:pk>/<str:action>/",
    "/crm/lead-channels/",
    "/crm/lead-channels/new/",
    "/crm/lead-channels/<int:pk>/edit/",
    "/crm/lead-channels/<int:pk>/deactivate/",
    "/crm/assignment-rules/",
    "/crm/assignment-rules/new/",
    "/crm/assignment-rules/<int:pk>/edit/",
    "/crm/assignment-rules/<int:pk>/delete/",
}

EXERCISED: set[str] = {P.VIEW_CRM, P.CHANGE_CRM, P.MANAGE_CRM}


def _their(make: Callable[..., Any], *args: Any) -> Callable[[Organization, Organization], tuple[int, ...]]:
    return lambda mine, other: (make(other, *args).pk,)


def _their_page(make: Callable[..., Any], *args: Any) -> Callable[[Organization, Organization], dict[str, Any]]:
    return lambda mine, other: {"pk": make(other, *args).pk}


def _empty(org: Organization) -> dict[str, Any]:
    return {}


API_CASES: list[Any] = [
    ApiCase("/leads/{}", "get", _their(make_lead)),
    ApiCase("/leads/{}", "patch", _their(make_lead), lambda org: {"company": "改名"}),
    ApiCase("/leads/{}/duplicates", "get", _their(make_lead)),
    ApiCase("/leads/{}/invalidate", "post", _their(make_lead), lambda org: {"reason": "空号"}),
    ApiCase("/leads/{}/convert", "post", _their(make_lead), _empty),
    ApiCase("/leads/{}/contact", "post", _their(make_lead), _empty),
    ApiCase("/leads/{}/qualify", "post", _their(make_lead), _empty),
    ApiCase("/leads/{}/reopen", "post", _their(make_lead, "invalid"), _empty),
    ApiCase("/lead-channels/{}", "get", _their(make_channel)),
    ApiCase("/lead-channels/{}", "patch", _their(make_channel), lambda org: {"is_active": False}),
    ApiCase("/assignment-rules/{}", "get", _their(make_rule)),
    ApiCase("/assignment-rules/{}", "patch", _their(make_rule), lambda org: {"name": "改名"}),
    ApiCase("/assignment-rules/{}", "delete", _their(make_rule)),
]

PAGE_CASES: list[Any] = [
    PageCase("crm/leads/<int:pk>/", "get", _their_page(make_lead)),
    PageCase("crm/leads/<int:pk>/edit/", "get", _their_page(make_lead)),
    PageCase("crm/leads/<int:pk>/edit/", "post", _their_page(make_lead), lambda org: {"company": "改名"}),
    PageCase("crm/leads/<int:pk>/convert/", "get", _their_page(make_lead)),
    PageCase("crm/leads/<int:pk>/convert/", "post", _their_page(make_lead), lambda org: {"with_opportunity": ""}),
    *(
        PageCase(
            "crm/leads/<int:pk>/<str:action>/",
            "post",
            lambda mine, other, action=action, state=state: {"pk": make_lead(other, state).pk, "action": action},
            (lambda org: {"reason": "空号"}) if action == "invalidate" else _empty,
            label=action,
        )
        for action, state in {"contact": "new", "qualify": "new", "invalidate": "new", "reopen": "invalid"}.items()
    ),
    PageCase("crm/lead-channels/<int:pk>/edit/", "get", _their_page(make_channel)),
    PageCase("crm/lead-channels/<int:pk>/edit/", "post", _their_page(make_channel), lambda org: {"name": "改名"}),
    PageCase("crm/lead-channels/<int:pk>/deactivate/", "post", _their_page(make_channel)),
    PageCase("crm/assignment-rules/<int:pk>/edit/", "get", _their_page(make_rule)),
    PageCase(
        "crm/assignment-rules/<int:pk>/edit/",
        "post",
        _their_page(make_rule),
        lambda org: {"name": "改名", "seq": "0", "assignee_ids": [owner_of(org).pk], "is_active": "on"},
    ),
    PageCase("crm/assignment-rules/<int:pk>/delete/", "post", _their_page(make_rule)),
]
