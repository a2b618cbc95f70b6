"""Data scope (数据权限): whose customers, leads and opportunities a member sees.

A membership's `data_scope` is OWN (rows the member owns), TEAM (rows owned by anyone of the member's team) or
ALL. Left empty it follows the roles: a member who is only a sales rep sees their own; any other role sees all.
`visible_owner_ids` is the one answer every list, page, endpoint and service asks; rows without an owner (the
customer pool) are outside every OWN/TEAM scope and are reached through the pool pages instead.
"""

from __future__ import annotations

from typing import TypeVar

from django.db.models import Model, Q, QuerySet

from suanpan.core.choices import DataScope, Role
from suanpan.core.models import Membership, Organization
from suanpan.core.tenancy import membership_for
from suanpan.core.types import Actor

M = TypeVar("M", bound=Model)
OWN_SCOPE_ROLES = frozenset({Role.SALES})


def effective_scope(membership: Membership | None) -> str:
    if membership is None:
        return DataScope.OWN
    if membership.data_scope:
        return membership.data_scope
    roles = set(membership.roles)
    return DataScope.OWN if roles and roles <= OWN_SCOPE_ROLES else DataScope.ALL


def visible_owner_ids(organization: Organization, actor: Actor | None) -> set[int] | None:
    """The owners whose rows `actor` sees, or None for every row (the system, or ALL scope)."""
    if actor is None:
        return None
    membership = membership_for(organization=organization, user=actor)
    scope = effective_scope(membership)
    if scope == DataScope.ALL:
        return None
    own = {actor.pk} if actor.pk else set()
    if scope == DataScope.TEAM and membership is not None and membership.team:
        team = Membership.objects.filter(organization=organization, team=membership.team, is_active=True)
        return own | set(team.values_list("user_id", flat=True))
    return own


def scoped(qs: QuerySet[M], organization: Organization, actor: Actor | None, field: str = "owner") -> QuerySet[M]:
    """`qs` narrowed to the rows whose `field` (a user FK) is an owner `actor` may see."""
    ids = visible_owner_ids(organization, actor)
    if ids is None:
        return qs
    return qs.filter(Q(**{f"{field}_id__in": ids}))


def may_see(organization: Organization, actor: Actor | None, owner_id: int | None) -> bool:
    ids = visible_owner_ids(organization, actor)
    return ids is None or (owner_id is not None and owner_id in ids)
