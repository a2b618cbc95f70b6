from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from suanpan.core.exceptions import NotFound
from suanpan.core.models import Organization
from suanpan.core.records import get_scoped
from suanpan.partners.choices import PartnerRole
from suanpan.partners.models import Contact, Partner, Tag


def partner_list(*, organization: Organization, role: PartnerRole) -> QuerySet[Partner]:
    qs = Partner.objects.filter(organization=organization)
    qs = qs.filter(is_customer=True) if role == PartnerRole.CUSTOMER else qs.filter(is_supplier=True)
    return qs.select_related("owner").prefetch_related("tags").order_by("code")


def partner_get(*, organization: Organization, role: PartnerRole, pk: object) -> Partner:
    """One customer or supplier of this organization; another organization's (or the other list's) is 404."""
    partner = get_scoped(Partner, organization=organization, pk=pk)
    if (role == PartnerRole.CUSTOMER and not partner.is_customer) or (
        role == PartnerRole.SUPPLIER and not partner.is_supplier
    ):
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
