"""Core services: organizations, memberships and API tokens."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Mapping
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from suanpan.core.audit import audit_record
from suanpan.core.choices import AuditAction, DataScope, Role
from suanpan.core.exceptions import InvalidInput, NotFound
from suanpan.core.models import ApiToken, Membership, Organization
from suanpan.core.permissions import P
from suanpan.core.records import record_update, validate_and_save
from suanpan.core.tenancy import check_perm, forget_memberships
from suanpan.core.types import Actor

TOKEN_PREFIX = "sp_"  # noqa: S105 - a public marker of our tokens, not a secret


def _clean_roles(roles: list[str]) -> list[str]:
    valid = set(Role.values)
    unknown = [r for r in roles if r not in valid]
    if unknown:
        raise InvalidInput.single("roles", _("Unknown role: %(roles)s.") % {"roles": ", ".join(unknown)})
    if not roles:
        raise InvalidInput.single("roles", _("Choose at least one role."))
    return sorted(set(roles), key=Role.values.index)


def organization_create(*, owner: User, data: Mapping[str, Any]) -> Organization:
    """A new tenant with `owner` as its first member (role owner). Apps seed their data in `onboarding`."""
    with transaction.atomic():
        org = Organization(**data)
        # An organization is its own tenant: validated like any record, audited in itself.
        validate_and_save(org, organization=org)
        Membership.objects.create(organization=org, user=owner, roles=[Role.OWNER])
        audit_record(organization=org, actor=owner, obj=org, action=AuditAction.CREATE, changes=dict(data))
    forget_memberships(owner)
    return org


def organization_update(*, organization: Organization, actor: Actor, data: Mapping[str, Any]) -> Organization:
    with transaction.atomic(durable=True):
        check_perm(organization=organization, actor=actor, perm=P.MANAGE_ORGANIZATION)
        org = Organization.objects.select_for_update().get(pk=organization.pk)
        allowed = {
            "name",
            "credit_code",
            "taxpayer_type",
            "allow_negative_stock",
            "allow_self_review",
            "address",
            "phone",
        }
        unknown = set(data) - allowed
        if unknown:
            raise InvalidInput.single(sorted(unknown)[0], _("This field cannot be changed."))
        record_update(org, organization=org, actor=actor, data=data)
    return org


def membership_add(*, organization: Organization, actor: Actor | None, user: User, roles: list[str]) -> Membership:
    """Add a user to an organization with roles. `actor=None` only for set-up commands (demo, onboarding)."""
    with transaction.atomic():
        if actor is not None:
            check_perm(organization=organization, actor=actor, perm=P.MANAGE_ORGANIZATION)
        membership, created = Membership.objects.get_or_create(
            organization=organization, user=user, defaults={"roles": _clean_roles(roles)}
        )
        if not created and (membership.roles != _clean_roles(roles) or not membership.is_active):
            before = list(membership.roles)
            membership.roles = _clean_roles(roles)
            membership.is_active = True
            membership.save(update_fields=["roles", "is_active"])
            audit_record(
                organization=organization,
                actor=actor,
                obj=membership,
                action=AuditAction.UPDATE,
                changes={"roles": [before, membership.roles]},
            )
        elif created:
            audit_record(
                organization=organization,
                actor=actor,
                obj=membership,
                action=AuditAction.CREATE,
                changes={"user": str(user), "roles": membership.roles},
            )
    forget_memberships(user)
    return membership


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def api_token_create(*, organization: Organization, actor: Actor, name: str) -> tuple[ApiToken, str]:
    """A new token for the actor's membership; returns the row and the secret (shown once, never stored)."""
    name = (name or "").strip()
    if not name:
        raise InvalidInput.single("name", _("Give the token a name, e.g. the system that will use it."))
    if len(name) > 100:
        raise InvalidInput.single("name", _("At most 100 characters."))
    with transaction.atomic(durable=True):
        membership = _own_membership(organization, actor)
        secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
        token = ApiToken.objects.create(membership=membership, name=name, prefix=secret[:10], digest=_digest(secret))
        audit_record(
            organization=organization,
            actor=actor,
            obj=token,
            action=AuditAction.CREATE,
            changes={"name": name, "prefix": token.prefix},
        )
    return token, secret


def _own_membership(organization: Organization, actor: Actor) -> Membership:
    membership = Membership.objects.filter(organization=organization, user_id=actor.pk or 0, is_active=True).first()
    if membership is None:
        raise NotFound(_("You are not a member of this organization."))
    return membership


def api_token_revoke(*, organization: Organization, actor: Actor, token_id: int) -> ApiToken:
    with transaction.atomic(durable=True):
        membership = _own_membership(organization, actor)
        token = ApiToken.objects.select_for_update().filter(membership=membership, pk=token_id).first()
        if token is None:
            raise NotFound(_("API token not found."))
        if token.revoked_at is None:
            token.revoked_at = timezone.now()
            token.save(update_fields=["revoked_at"])
            audit_record(
                organization=organization,
                actor=actor,
                obj=token,
                action=AuditAction.STATE,
                changes={"revoked_at": token.revoked_at.isoformat()},
            )
    return token


def api_token_authenticate(secret: str) -> ApiToken | None:
    """The active token with this secret, its membership and organization loaded; None if unknown/revoked."""
    if not secret.startswith(TOKEN_PREFIX):
        return None
    token = (
        ApiToken.objects.select_related("membership__organization", "membership__user")
        .filter(digest=_digest(secret), revoked_at__isnull=True, membership__is_active=True)
        .first()
    )
    if token is None or not token.membership.user.is_active or not token.membership.organization.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token


def member_invite(
    *,
    organization: Organization,
    actor: Actor,
    username: str,
    roles: list[str],
    full_name: str = "",
    email: str = "",
    password: str = "",
) -> Membership:
    """Give someone access: an existing user by username, or a new account with a first password."""
    username = username.strip()
    if not username:
        raise InvalidInput.single("username", _("This field cannot be blank."))
    with transaction.atomic():
        check_perm(organization=organization, actor=actor, perm=P.MANAGE_ORGANIZATION)
        roles = _clean_roles(roles)
        user = User.objects.filter(username=username).first()
        if user is None:
            if len(password) < 8:
                raise InvalidInput.single("password", _("A new account needs a password of at least 8 characters."))
            user = User(username=username, first_name=full_name.strip()[:150], email=email.strip())
            user.set_password(password)
            try:
                user.full_clean(exclude=["password"])
            except ValidationError as exc:
                raise InvalidInput.from_validation_error(exc) from None
            user.save()
        elif Membership.objects.filter(organization=organization, user=user, is_active=True).exists():
            raise InvalidInput.single("username", _("This user is already a member."))
        return membership_add(organization=organization, actor=actor, user=user, roles=roles)


def membership_update(
    *,
    organization: Organization,
    actor: Actor,
    membership_id: int,
    roles: list[str],
    is_active: bool,
    data_scope: str | None = None,
    team: str | None = None,
) -> Membership:
    """Change a member's roles, data scope or team, or switch their access off. The last active owner always stays.
    `data_scope`/`team` None: unchanged; "" data scope: by role."""
    with transaction.atomic():
        check_perm(organization=organization, actor=actor, perm=P.MANAGE_ORGANIZATION)
        membership = Membership.objects.select_for_update().filter(organization=organization, pk=membership_id).first()
        if membership is None:
            raise NotFound(_("Member not found."))
        roles = _clean_roles(roles)
        if membership.user_id == actor.pk and not is_active:
            raise InvalidInput.single("is_active", _("You cannot switch off your own access."))
        owners = Membership.objects.select_for_update().filter(organization=organization, is_active=True)
        other_owners = [m for m in owners if Role.OWNER in m.roles and m.pk != membership.pk]
        if not other_owners and Role.OWNER in membership.roles and (Role.OWNER not in roles or not is_active):
            raise InvalidInput.single("roles", _("The organization must keep at least one active owner."))
        if data_scope is not None and data_scope not in {"", *DataScope.values}:
            raise InvalidInput.single("data_scope", _("Choose a data scope from the list."))
        fields = ("roles", "is_active", "data_scope", "team")
        before = {f: getattr(membership, f) for f in fields}
        before["roles"] = list(membership.roles)
        membership.roles = roles
        membership.is_active = is_active
        if data_scope is not None:
            membership.data_scope = data_scope
        if team is not None:
            membership.team = team.strip()[:60]
        membership.save(update_fields=list(fields))
        after = {f: getattr(membership, f) for f in fields}
        changes = {k: [before[k], v] for k, v in after.items() if before[k] != v}
        if changes:
            audit_record(
                organization=organization, actor=actor, obj=membership, action=AuditAction.UPDATE, changes=changes
            )
    forget_memberships(membership.user)
    return membership
