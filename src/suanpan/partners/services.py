"""Customers, suppliers, contacts and tags: every write goes through here.

A partner is created from the customer list or the supplier list (`role`); the permission checked is that
list's change permission. Codes left blank are numbered C00001… / S00001… from `core.numbering`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from suanpan.core.exceptions import InvalidInput
from suanpan.core.models import Membership, Organization
from suanpan.core.numbering import next_number
from suanpan.core.permissions import P
from suanpan.core.pinyin import search_text
from suanpan.core.records import MasterData, apply, record_create, record_delete, record_update
from suanpan.core.scopes import may_see
from suanpan.core.tenancy import check_perm
from suanpan.core.types import Actor
from suanpan.partners.choices import PartnerRole
from suanpan.partners.models import Contact, Partner, Tag
from suanpan.partners.selectors import contact_get, partner_get

CHANGE_PERM = {PartnerRole.CUSTOMER: P.CHANGE_CUSTOMER, PartnerRole.SUPPLIER: P.CHANGE_SUPPLIER}
CODE_PREFIX = {PartnerRole.CUSTOMER: "C", PartnerRole.SUPPLIER: "S"}


def _next_code(organization: Organization, role: PartnerRole) -> str:
    while True:
        code = next_number(organization=organization, series=f"partner.{role}", prefix=CODE_PREFIX[role], width=5)
        if not Partner.objects.filter(organization=organization, code=code).exists():
            return code


def _check_owner(organization: Organization, partner: Partner) -> None:
    if (
        partner.owner_id
        and not Membership.objects.filter(organization=organization, user_id=partner.owner_id, is_active=True).exists()
    ):
        raise InvalidInput.single("owner", _("The owner must be a member of this organization."))


def _prepare(organization: Organization, partner: Partner) -> None:
    partner.code = (partner.code or "").strip()
    partner.name = (partner.name or "").strip()
    partner.credit_code = (partner.credit_code or "").strip().upper()
    _check_owner(organization, partner)
    partner.search_text = search_text(partner.name, partner.short_name, partner.code, partner.phone)


def _resolve_tags(
    organization: Organization, actor: Actor | None, tags: Iterable[Tag | str] | None
) -> dict[str, list[Tag]] | None:
    """Tags given as rows or as names; unknown names become new tags (in the caller's transaction)."""
    if tags is None:
        return None
    resolved: list[Tag] = []
    for tag in tags:
        if isinstance(tag, Tag):
            resolved.append(tag)
            continue
        name = tag.strip()
        if not name:
            continue
        if "\x00" in name:  # looked up before any validation; PostgreSQL cannot compare text holding NUL
            raise InvalidInput.single("tags", _("Null characters are not allowed."))
        existing = Tag.objects.filter(organization=organization, name=name).first()
        if existing is None:
            existing = Tag(organization=organization, name=name)
            record_create(existing, organization=organization, actor=actor)
        resolved.append(existing)
    return {"tags": resolved}


def partner_create(
    *,
    organization: Organization,
    actor: Actor | None,
    role: PartnerRole,
    data: Mapping[str, Any],
    tags: Iterable[Tag | str] | None = None,
) -> Partner:
    """Create a customer or supplier. `actor=None` only for set-up commands run by the operator."""
    with transaction.atomic():
        if actor is not None:
            check_perm(organization=organization, actor=actor, perm=CHANGE_PERM[role])
        partner = Partner(organization=organization)
        apply(partner, data)
        partner.is_customer = partner.is_customer or role == PartnerRole.CUSTOMER
        partner.is_supplier = partner.is_supplier or role == PartnerRole.SUPPLIER
        if role == PartnerRole.CUSTOMER and partner.owner_id is None and not may_see(organization, actor, None):
            partner.owner_id = actor.pk if actor is not None else None  # a rep's new customer is the rep's
        _prepare(organization, partner)
        if not partner.code and partner.name:
            partner.code = _next_code(organization, role)
            partner.search_text = search_text(partner.name, partner.short_name, partner.code, partner.phone)
        return record_create(
            partner, organization=organization, actor=actor, m2m=_resolve_tags(organization, actor, tags)
        )


def partner_update(
    *,
    organization: Organization,
    actor: Actor,
    role: PartnerRole,
    partner_id: int,
    data: Mapping[str, Any],
    tags: Iterable[Tag | str] | None = None,
) -> Partner:
    with transaction.atomic():
        check_perm(organization=organization, actor=actor, perm=CHANGE_PERM[role])
        partner = partner_get(organization=organization, role=role, pk=partner_id, actor=actor)
        partner = Partner.objects.select_for_update().get(pk=partner.pk)
        return record_update(
            partner,
            organization=organization,
            actor=actor,
            data=data,
            m2m=_resolve_tags(organization, actor, tags),
            prepare=lambda p: _prepare(organization, p),
        )


def partner_delete(*, organization: Organization, actor: Actor, role: PartnerRole, partner_id: int) -> None:
    with transaction.atomic():
        check_perm(organization=organization, actor=actor, perm=CHANGE_PERM[role])
        partner = partner_get(organization=organization, role=role, pk=partner_id, actor=actor)
        record_delete(partner, organization=organization, actor=actor)


def contact_create(
    *,
    organization: Organization,
    actor: Actor | None,
    role: PartnerRole,
    partner_id: int,
    data: Mapping[str, Any],
) -> Contact:
    with transaction.atomic():
        if actor is not None:
            check_perm(organization=organization, actor=actor, perm=CHANGE_PERM[role])
        partner = partner_get(organization=organization, role=role, pk=partner_id, actor=actor)
        contact = Contact(organization=organization, partner=partner)
        apply(contact, data)
        contact = record_create(contact, organization=organization, actor=actor)
        _one_primary(contact)
        return contact


def contact_update(
    *,
    organization: Organization,
    actor: Actor,
    role: PartnerRole,
    partner_id: int,
    contact_id: int,
    data: Mapping[str, Any],
) -> Contact:
    with transaction.atomic():
        check_perm(organization=organization, actor=actor, perm=CHANGE_PERM[role])
        partner = partner_get(organization=organization, role=role, pk=partner_id, actor=actor)
        contact = contact_get(organization=organization, partner=partner, pk=contact_id)
        contact = record_update(contact, organization=organization, actor=actor, data=data)
        _one_primary(contact)
        return contact


def contact_delete(
    *, organization: Organization, actor: Actor, role: PartnerRole, partner_id: int, contact_id: int
) -> None:
    with transaction.atomic():
        check_perm(organization=organization, actor=actor, perm=CHANGE_PERM[role])
        partner = partner_get(organization=organization, role=role, pk=partner_id, actor=actor)
        contact = contact_get(organization=organization, partner=partner, pk=contact_id)
        record_delete(contact, organization=organization, actor=actor)


def _one_primary(contact: Contact) -> None:
    """A partner has at most one primary contact: marking one clears the others."""
    if contact.is_primary:
        Contact.objects.filter(partner_id=contact.partner_id, is_primary=True).exclude(pk=contact.pk).update(
            is_primary=False
        )


def _prepare_tag(tag: Tag) -> None:
    tag.name = (tag.name or "").strip()


tags = MasterData(Tag, perm=P.CHANGE_CUSTOMER, prepare=_prepare_tag)
tag_create = tags.create
tag_update = tags.update
tag_delete = tags.delete
