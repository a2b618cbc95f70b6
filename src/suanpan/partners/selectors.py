from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from suanpan.core.exceptions import NotFound
from suanpan.core.models import Organization
from suanpan.core.records import get_scoped
from suanpan.core.scopes import may_see, scoped
from suanpan.core.types import Actor
from suanpan.partners.choices import PartnerRole
from suanpan.partners.models import Contact, Partner, Tag


def partner_list(*, organization: Organization, role: PartnerRole, actor: Actor | None = None) -> QuerySet[Partner]:
    """Customers or suppliers; customers narrowed to the owners `actor`'s data scope sees (None: every one)."""
    qs = Partner.objects.filter(organization=organization)
    if role == PartnerRole.CUSTOMER:
        qs = scoped(qs.filter(is_customer=True), organization, actor)
    else:
        qs = qs.filter(is_supplier=True)
    return qs.select_related("owner").prefetch_related("tags").order_by("code")


def partner_get(*, organization: Organization, role: PartnerRole, pk: object, actor: Actor | None = None) -> Partner:
    """One customer or supplier of this organization; another organization's (or the other list's) is 404, and so
    is a customer outside `actor`'s data scope."""
    partner = get_scoped(Partner, organization=organization, pk=pk)
    if (
        role == PartnerRole.CUSTOMER and not (partner.is_customer and may_see(organization, actor, partner.owner_id))
    ) or (role == PartnerRole.SUPPLIER and not partner.is_supplier):
        raise NotFound(_("%(what)s not found.") % {"what": PartnerRole(role).label})
    return partner


def tag_list(*, organization: Organization) -> QuerySet[Tag]:
    return Tag.objects.filter(organization=organization).order_by("name")


def contact_list(*, organization: Organization, partner: Partner) -> QuerySet[Contact]:
    return Contact.objects.filter(organization=organization, partner=partner)


def contact_get(*, organization: Organization, partner: Partner, pk: object) -> Contact:
    contact = get_scoped(Contact, organization=organization, pk=pk)
    if contact.partner_id != partner.pk:
        raise NotFound(_("Contact not found."))
    return contact
