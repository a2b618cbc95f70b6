from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse

from suanpan.core.permissions import has_perm
from suanpan.navigation import NAVIGATION


def suanpan(request: HttpRequest) -> dict[str, Any]:
    membership = getattr(request, "membership", None)
    if membership is None:
        return {"nav_groups": []}
    groups = []
    current = request.path
    for group in NAVIGATION:
        items = []
        for item in group.items:
            if item.permission and not has_perm(membership, item.permission):
                continue
            try:
                url = reverse(item.url_name)
            except NoReverseMatch:
                continue
            active = current == url if url == "/" else current.startswith(url)
            items.append({"label": item.label, "url": url, "icon": item.icon, "active": active})
        if items:
            groups.append({"label": group.label, "items": items})
    return {
        "nav_groups": groups,
        "current_organization": request.organization,  # type: ignore[attr-defined]
        "current_membership": membership,
        "memberships": request.memberships,  # type: ignore[attr-defined]
    }
