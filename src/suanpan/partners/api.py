"""REST endpoints for customers and suppliers (and their contacts) — thin: parse, call a service, render."""

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router
from ninja.pagination import paginate
from ninja.responses import Status

from suanpan.core.api import ERRORS, Paging, call_with_payload_names, crud_router, filtered, org_of
from suanpan.core.permissions import P
from suanpan.partners import selectors, services
from suanpan.partners.choices import PartnerRole
from suanpan.partners.filters import PartnerFilter, TagFilter
from suanpan.partners.models import Contact, Partner
from suanpan.partners.schemas import (
    ContactIn,
    ContactOut,
    ContactPatch,
    PartnerIn,
    PartnerOut,
    PartnerPatch,
    PartnerQuery,
    TagIn,
    TagOut,
    TagPatch,
    TagQuery,
)
from suanpan.partners.services import CHANGE_PERM
from suanpan.partners.views import VIEW_PERM


def partner_router(role: PartnerRole) -> Router:
    name = "customers" if role == PartnerRole.CUSTOMER else "suppliers"
    router = Router(tags=[name])
    view_perm, change_perm = VIEW_PERM[role], CHANGE_PERM[role]

    @router.get("/", response={200: list[PartnerOut], **ERRORS}, operation_id=f"{name}_list")
    @paginate(Paging)
    def list_partners(request: HttpRequest, filters: Query[PartnerQuery]) -> Any:
        organization = org_of(request, view_perm)
        return filtered(
            PartnerFilter,
            request,
            selectors.partner_list(organization=organization, role=role, actor=request.user),
            filters,
        )

    @router.post("/", response={201: PartnerOut, **ERRORS}, operation_id=f"{name}_create")
    def create_partner(request: HttpRequest, payload: PartnerIn) -> Any:
        organization = org_of(request, change_perm)
        data = payload.dict()
        tags = data.pop("tags")
        partner = call_with_payload_names(
            data,
            lambda d: services.partner_create(
                organization=organization, actor=request.user, role=role, data=d, tags=tags
            ),
        )
        return Status(201, partner)

    @router.get("/{int:partner_id}", response={200: PartnerOut, **ERRORS}, operation_id=f"{name}_get")
    def get_partner(request: HttpRequest, partner_id: int) -> Partner:
        organization = org_of(request, view_perm)
        return selectors.partner_get(organization=organization, role=role, pk=partner_id, actor=request.user)

    @router.patch("/{int:partner_id}", response={200: PartnerOut, **ERRORS}, operation_id=f"{name}_update")
    def update_partner(request: HttpRequest, partner_id: int, payload: PartnerPatch) -> Partner:
        organization = org_of(request, change_perm)
        data = payload.dict(exclude_unset=True)
        tags = data.pop("tags", None)
        return call_with_payload_names(  # type: ignore[no-any-return]
            data,
            lambda d: services.partner_update(
                organization=organization, actor=request.user, role=role, partner_id=partner_id, data=d, tags=tags
            ),
        )

    @router.delete("/{int:partner_id}", response={204: None, **ERRORS}, operation_id=f"{name}_delete")
    def delete_partner(request: HttpRequest, partner_id: int) -> Any:
        organization = org_of(request, change_perm)
        services.partner_delete(organization=organization, actor=request.user, role=role, partner_id=partner_id)
        return Status(204, None)

    @router.get(
        "/{int:partner_id}/contacts", response={200: list[ContactOut], **ERRORS}, operation_id=f"{name}_contacts_list"
    )
    def list_contacts(request: HttpRequest, partner_id: int) -> Any:
        organization = org_of(request, view_perm)
        partner = selectors.partner_get(organization=organization, role=role, pk=partner_id, actor=request.user)
        return list(selectors.contact_list(organization=organization, partner=partner))

    @router.post(
        "/{int:partner_id}/contacts", response={201: ContactOut, **ERRORS}, operation_id=f"{name}_contacts_create"
    )
    def create_contact(request: HttpRequest, partner_id: int, payload: ContactIn) -> Any:
        organization = org_of(request, change_perm)
        contact = services.contact_create(
            organization=organization, actor=request.user, role=role, partner_id=partner_id, data=payload.dict()
        )
        return Status(201, contact)

    @router.patch(
        "/{int:partner_id}/contacts/{int:contact_id}",
        response={200: ContactOut, **ERRORS},
        operation_id=f"{name}_contacts_update",
    )
    def update_contact(request: HttpRequest, partner_id: int, contact_id: int, payload: ContactPatch) -> Contact:
        organization = org_of(request, change_perm)
        return services.contact_update(
            organization=organization,
            actor=request.user,
            role=role,
            partner_id=partner_id,
            contact_id=contact_id,
            data=payload.dict(exclude_unset=True),
        )

    @router.delete(
        "/{int:partner_id}/contacts/{int:contact_id}",
        response={204: None, **ERRORS},
        operation_id=f"{name}_contacts_delete",
    )
    def delete_contact(request: HttpRequest, partner_id: int, contact_id: int) -> Any:
        organization = org_of(request, change_perm)
        services.contact_delete(
            organization=organization, actor=request.user, role=role, partner_id=partner_id, contact_id=contact_id
        )
        return Status(204, None)

    return router


customers_router = partner_router(PartnerRole.CUSTOMER)
suppliers_router = partner_router(PartnerRole.SUPPLIER)

tags_router = crud_router(
    name="tags",
    service=services.tags,
    list_selector=selectors.tag_list,
    filterset_class=TagFilter,
    view_perm=P.VIEW_CUSTOMER,
    change_perm=P.CHANGE_CUSTOMER,
    schema_in=TagIn,
    schema_patch=TagPatch,
    schema_out=TagOut,
    schema_query=TagQuery,
)
