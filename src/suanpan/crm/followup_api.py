"""CRM API (follow-ups, "my day", the customer pool, CRM settings), mounted at /api/v1/ by `suanpan/api.py`.
Thin: parse, call one service or selector; the same services as the pages."""

from typing import Any

from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router
from ninja.pagination import paginate
from ninja.responses import Status

from suanpan.core.api import ERRORS, Paging, filtered, org_of
from suanpan.core.permissions import P
from suanpan.crm import crm_settings_services, followups, myday, pool
from suanpan.crm import followup_schemas as s
from suanpan.crm.followup_filters import FollowUpApiFilter
from suanpan.crm.models import CrmSettings, FollowUp, PoolEvent
from suanpan.partners.models import Partner

router = Router(tags=["crm"])


# Follow-ups -------------------------------------------------------------------------------------------------------


@router.get("/follow-ups", response={200: list[s.FollowUpOut], **ERRORS}, operation_id="crm_followups_list")
@paginate(Paging)
def list_followups(request: HttpRequest, filters: Query[s.FollowUpQuery]) -> QuerySet[FollowUp]:
    """The follow-ups the member sees (their data scope), newest first."""
    organization = org_of(request, P.VIEW_CRM)
    qs = followups.followup_list(organization=organization, actor=request.user)
    return filtered(FollowUpApiFilter, request, qs, filters)  # type: ignore[no-any-return]


@router.post("/follow-ups", response={201: s.FollowUpOut, **ERRORS}, operation_id="crm_followups_create")
def create_followup(request: HttpRequest, payload: s.FollowUpIn) -> Any:
    organization = org_of(request, P.CHANGE_CRM)
    followup = followups.followup_log(organization=organization, actor=request.user, data=payload.dict())
    return Status(201, followups.followup_get(organization=organization, actor=request.user, pk=followup.pk))


@router.get("/follow-ups/due", response={200: list[s.FollowUpOut], **ERRORS}, operation_id="crm_followups_due")
@paginate(Paging)
def due_followups(request: HttpRequest) -> QuerySet[FollowUp]:
    """The member's own open next steps due today or overdue, oldest first."""
    organization = org_of(request, P.VIEW_CRM)
    return followups.followups_due(organization=organization, user=request.user, today=timezone.localdate())


@router.delete("/follow-ups/{int:followup_id}", response={204: None, **ERRORS}, operation_id="crm_followups_delete")
def delete_followup(request: HttpRequest, followup_id: int) -> Any:
    """Only the member who logged it, on the same day (follow-ups are history)."""
    organization = org_of(request, P.CHANGE_CRM)
    followups.followup_delete(organization=organization, actor=request.user, followup_id=followup_id)
    return Status(204, None)


@router.get("/my-day", response={200: s.MyDayOut, **ERRORS}, operation_id="crm_my_day")
def my_day(request: HttpRequest) -> Any:
    """What the member has to do today: next steps due and overdue, follow-ups logged today, new leads, closing
    opportunities, ending contracts, customers about to go back to the pool."""
    organization = org_of(request, P.VIEW_CRM)
    return myday.my_day(organization=organization, actor=request.user)


# Pool ------------------------------------------------------------------------------------------------------------


@router.get("/pool", response={200: list[s.PoolCustomerOut], **ERRORS}, operation_id="crm_pool_list")
@paginate(Paging)
def list_pool(request: HttpRequest, params: Query[s.PoolQuery]) -> QuerySet[Partner]:
    """Customers without an owner (公海), which any rep may claim."""
    organization = org_of(request, P.VIEW_CRM)
    qs = pool.pool_list(organization=organization, actor=request.user)
    for term in (params.q or "").lower().split()[:5]:
        qs = qs.filter(Q(search_text__icontains=term) | Q(code__icontains=term))
    if params.province:
        qs = qs.filter(province=params.province)
    return qs


@router.post(
    "/pool/{int:customer_id}/claim", response={200: s.CustomerOwnerOut, **ERRORS}, operation_id="crm_pool_claim"
)
def claim(request: HttpRequest, customer_id: int) -> Partner:
    """Take the customer from the pool; refused (409) when another rep was faster or at the claim limit."""
    organization = org_of(request, P.CHANGE_CRM)
    return pool.pool_claim(organization=organization, actor=request.user, customer_id=customer_id)


@router.post(
    "/pool/{int:customer_id}/release", response={200: s.CustomerOwnerOut, **ERRORS}, operation_id="crm_pool_release"
)
def release(request: HttpRequest, customer_id: int, payload: s.ReleaseIn) -> Partner:
    """Put one's own customer (a manager: any) back into the pool, saying why."""
    organization = org_of(request, P.CHANGE_CRM)
    return pool.pool_release(
        organization=organization, actor=request.user, customer_id=customer_id, reason=payload.reason
    )


@router.get(
    "/pool/{int:customer_id}/history", response={200: list[s.PoolEventOut], **ERRORS}, operation_id="crm_pool_history"
)
def history(request: HttpRequest, customer_id: int) -> QuerySet[PoolEvent]:
    organization = org_of(request, P.VIEW_CRM)
    return pool.pool_history(organization=organization, actor=request.user, customer_id=customer_id)


@router.post("/pool/assign", response={200: s.AssignOut, **ERRORS}, operation_id="crm_pool_assign")
def assign(request: HttpRequest, payload: s.AssignIn) -> Any:
    """Give customers (from the pool or other reps) to one member; how many changed hands."""
    organization = org_of(request, P.MANAGE_CRM)
    count = pool.pool_assign(
        organization=organization, actor=request.user, customer_ids=payload.customer_ids, owner_id=payload.owner_id
    )
    return {"assigned": count}


# CRM settings ----------------------------------------------------------------------------------------------------


@router.get("/crm-settings", response={200: s.CrmSettingsOut, **ERRORS}, operation_id="crm_settings_get")
def get_settings(request: HttpRequest) -> CrmSettings:
    organization = org_of(request, P.VIEW_CRM)
    return crm_settings_services.crm_settings_get(organization=organization, actor=request.user)


@router.put("/crm-settings", response={200: s.CrmSettingsOut, **ERRORS}, operation_id="crm_settings_update")
def update_settings(request: HttpRequest, payload: s.CrmSettingsIn) -> CrmSettings:
    """Change the fields sent (others stay)."""
    organization = org_of(request, P.MANAGE_CRM)
    data = payload.dict(exclude_none=True)
    return crm_settings_services.crm_settings_update(organization=organization, actor=request.user, data=data)
