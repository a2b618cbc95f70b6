"""Core endpoints: who am I, in which organization, with which permissions."""

from typing import Any

from django.http import HttpRequest
from ninja import Router

from suanpan.core.api import ERRORS
from suanpan.core.permissions import permissions_for_roles
from suanpan.core.schemas import MeOut

router = Router(tags=["me"])


@router.get("/me", response={200: MeOut, **ERRORS}, operation_id="me")
def me(request: HttpRequest) -> dict[str, Any]:
    membership = request.membership  # type: ignore[attr-defined]
    return {
        "username": request.user.get_username(),
        "full_name": request.user.get_full_name(),  # type: ignore[union-attr]
        "organization": membership.organization,
        "roles": membership.roles,
        "permissions": sorted(permissions_for_roles(membership.roles)),
    }
