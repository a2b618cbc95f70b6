"""Which organization a request or service acts in, and as which membership."""

from __future__ import annotations

from django.utils.translation import gettext as _

from suanpan.core.exceptions import PermissionRefused
from suanpan.core.models import Membership, Organization
from suanpan.core.permissions import require
from suanpan.core.types import Actor

_CACHE_ATTR = "_suanpan_memberships"


def membership_for(*, organization: Organization, user: Actor | None) -> Membership | None:
    """The user's active membership in `organization` (cached on the user object for this request)."""
    if user is None or not user.is_authenticated:
        return None
    cache: dict[int, Membership | None] = getattr(user, _CACHE_ATTR, None) or {}
    if organization.pk not in cache:
        cache[organization.pk] = (
            Membership.objects.filter(organization=organization, user_id=user.pk or 0, is_active=True)
            .select_related("organization")
            .first()
        )
        setattr(user, _CACHE_ATTR, cache)
    return cache[organization.pk]


def remember_membership(user: Actor, membership: Membership) -> None:
    """Prime the per-request cache with a membership already loaded (by the middleware or token auth)."""
    setattr(user, _CACHE_ATTR, {membership.organization_id: membership})


def forget_memberships(user: Actor) -> None:
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


def check_perm(*, organization: Organization, actor: Actor | None, perm: str) -> Membership:
    """The one permission check shared by views, API endpoints and services.

    An empty `perm` only requires an active membership (pages every member may open, e.g. the dashboard).
    """
    membership = membership_for(organization=organization, user=actor)
    if membership is None:
        raise PermissionRefused(_("You are not a member of this organization."))
    if perm:
        require(membership, perm)
    return membership


def memberships_of(user: Actor) -> list[Membership]:
    return list(
        Membership.objects.filter(user_id=user.pk or 0, is_active=True, organization__is_active=True)
        .select_related("organization")
        .order_by("organization__name")
    )


def guard(organization: Organization, actor: Actor | None, perm: str) -> None:
    """The permission check of a service. `actor=None` only for set-up commands run by the operator (demo,
    seeding, benchmark), recorded as the system: they skip the check."""
    if actor is not None:
        check_perm(organization=organization, actor=actor, perm=perm)


def user_id(actor: Actor | None) -> int | None:
    """The acting user's id to record on a row (`created_by`…), or None for the system."""
    return actor.pk if actor is not None and actor.is_authenticated else None
