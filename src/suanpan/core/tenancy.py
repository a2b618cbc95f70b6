"""Which organization a request or service acts in, and as which membership."""

from __future__ import annotations

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.utils.translation import gettext as _

from suanpan.core.exceptions import PermissionRefused
from suanpan.core.models import Membership, Organization
from suanpan.core.permissions import require

_CACHE_ATTR = "_suanpan_memberships"


def membership_for(*, organization: Organization, user: AbstractBaseUser | AnonymousUser | None) -> Membership | None:
    """The user's active membership in `organization` (cached on the user object for this request)."""
    if user is None or not user.is_authenticated:
        return None
    cache: dict[int, Membership | None] = getattr(user, _CACHE_ATTR, None) or {}
    if organization.pk not in cache:
        cache[organization.pk] = (
            Membership.objects.filter(organization=organization, user=user, is_active=True)
            .select_related("organization")
            .first()
        )
        setattr(user, _CACHE_ATTR, cache)
    return cache[organization.pk]


def remember_membership(user: AbstractBaseUser, membership: Membership) -> None:
    """Prime the per-request cache with a membership already loaded (by the middleware or token auth)."""
    setattr(user, _CACHE_ATTR, {membership.organization_id: membership})


def forget_memberships(user: AbstractBaseUser) -> None:
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


def check_perm(*, organization: Organization, actor: AbstractBaseUser | AnonymousUser | None, perm: str) -> Membership:
    """The one permission check shared by views, API endpoints and services.

    An empty `perm` only requires an active membership (pages every member may open, e.g. the dashboard).
    """
    membership = membership_for(organization=organization, user=actor)
    if membership is None:
        raise PermissionRefused(_("You are not a member of this organization."))
    if perm:
        require(membership, perm)
    return membership


def memberships_of(user: AbstractBaseUser) -> list[Membership]:
    return list(
        Membership.objects.filter(user=user, is_active=True, organization__is_active=True)
        .select_related("organization")
        .order_by("organization__name")
    )
