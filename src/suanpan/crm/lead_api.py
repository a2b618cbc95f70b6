"""CRM API (lead area), mounted at /api/v1/ by `suanpan/api.py`: leads (integrators push them from web forms), their
status actions, conversion, duplicates and bulk reassignment; lead channels; assignment rules. Thin: parse, call
one service or selector; the same services as the pages. A lead outside the caller's data scope is 404."""

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Query, Router
from ninja.pagination import paginate
from ninja.responses import Status

from suanpan.core.api import ERRORS, Paging, filtered, org_of
from suanpan.core.permissions import P
from suanpan.crm import lead_schemas as s
from suanpan.crm import leads
from suanpan.crm.lead_filters import AssignmentRuleFilter, ChannelFilter, LeadFilter
from suanpan.crm.models import AssignmentRule, Channel, Lead

router = Router(tags=["crm"])


# Leads ----------------------------------------------------------------------------------------------------------


@router.get("/leads", response={200: list[s.LeadOut], **ERRORS}, operation_id="leads_list")
@paginate(Paging)
def list_leads(request: HttpRequest, filters: Query[s.LeadQuery]) -> QuerySet[Lead]:
    organization = org_of(request, P.VIEW_CRM)
    rows = leads.lead_list(organization=organization, actor=request.user)
    return filtered(LeadFilter, request, rows, filters)  # type: ignore[no-any-return]


@router.post("/leads", response={201: s.LeadOut, **ERRORS}, operation_id="leads_create")
def create_lead(request: HttpRequest, payload: s.LeadIn) -> Any:
    """A new lead. 422 names the field at fault; a duplicate of a lead or customer (mobile/phone, credit code,
    company name) is refused naming the field and the existing record unless `allow_duplicate` is true."""
    organization = org_of(request, P.CHANGE_CRM)
    lead = leads.lead_create(organization=organization, actor=request.user, data=payload.dict())
    return Status(201, lead)


@router.post("/leads/reassign", response={200: s.ReassignOut, **ERRORS}, operation_id="leads_reassign")
def reassign_leads(request: HttpRequest, payload: s.ReassignIn) -> Any:
    """Give the leads to another member; returns how many changed owner."""
    organization = org_of(request, P.MANAGE_CRM)
    count = leads.lead_reassign(
        organization=organization, actor=request.user, lead_ids=payload.lead_ids, owner_id=payload.owner_id
    )
    return {"count": count}


@router.get("/leads/{int:lead_id}", response={200: s.LeadOut, **ERRORS}, operation_id="leads_get")
def get_lead(request: HttpRequest, lead_id: int) -> Lead:
    organization = org_of(request, P.VIEW_CRM)
    return leads.lead_get(organization=organization, pk=lead_id, actor=request.user)


@router.patch("/leads/{int:lead_id}", response={200: s.LeadOut, **ERRORS}, operation_id="leads_update")
def update_lead(request: HttpRequest, lead_id: int, payload: s.LeadPatch) -> Any:
    organization = org_of(request, P.CHANGE_CRM)
    data = payload.dict(exclude_unset=True)
    return leads.lead_update(organization=organization, actor=request.user, lead_id=lead_id, data=data)


@router.get(
    "/leads/{int:lead_id}/duplicates", response={200: list[s.DuplicateOut], **ERRORS}, operation_id="leads_duplicates"
)
def lead_duplicates(request: HttpRequest, lead_id: int) -> Any:
    """Leads, customers and customer contacts sharing a number, the credit code or the company name."""
    organization = org_of(request, P.VIEW_CRM)
    found = leads.lead_duplicates(organization=organization, actor=request.user, lead_id=lead_id)
    return [{"field": d.field, "kind": d.kind, "id": d.record.pk, "label": d.label} for d in found]


@router.post("/leads/{int:lead_id}/invalidate", response={200: s.LeadOut, **ERRORS}, operation_id="leads_invalidate")
def invalidate_lead(request: HttpRequest, lead_id: int, payload: s.InvalidateIn) -> Lead:
    """An open lead → invalid; `reason` is required."""
    organization = org_of(request, P.CHANGE_CRM)
    return leads.lead_invalidate(organization=organization, actor=request.user, lead_id=lead_id, reason=payload.reason)


@router.post("/leads/{int:lead_id}/convert", response={200: s.ConvertOut, **ERRORS}, operation_id="leads_convert")
def convert_lead(request: HttpRequest, lead_id: int, payload: s.ConvertIn) -> Any:
    """In one step: the customer (new, or `customer_id`), its contact from the lead and, with `opportunity`, an
    opportunity. An invalid or converted lead is refused (409); a similar customer (422 on `customer_id`) unless
    `allow_duplicate`."""
    organization = org_of(request, P.CHANGE_CRM)
    data = payload.dict()
    if payload.opportunity is None:
        data["opportunity"] = None
    customer, contact, opportunity = leads.lead_convert(
        organization=organization, actor=request.user, lead_id=lead_id, data=data
    )
    return {
        "lead": leads.lead_get(organization=organization, pk=lead_id),
        "customer_id": customer.pk,
        "contact_id": contact.pk if contact else None,
        "opportunity_id": opportunity.pk if opportunity else None,
    }


LEAD_ACTIONS = {
    "contact": leads.lead_contact,
    "qualify": leads.lead_qualify,
    "reopen": leads.lead_reopen,
}


def _action(name: str) -> None:
    service = LEAD_ACTIONS[name]

    def act(request: HttpRequest, lead_id: int) -> Lead:
        organization = org_of(request, P.CHANGE_CRM)
        return service(organization=organization, actor=request.user, lead_id=lead_id)

    act.__name__ = f"{name}_lead"
    act.__doc__ = {
        "contact": "New → contacting.",
        "qualify": "New or contacting → qualified.",
        "reopen": "Invalid → contacting.",
    }[name]
    router.post(f"/leads/{{int:lead_id}}/{name}", response={200: s.LeadOut, **ERRORS}, operation_id=f"leads_{name}")(
        act
    )


for _name in LEAD_ACTIONS:
    _action(_name)


# Channels -------------------------------------------------------------------------------------------------------


@router.get("/lead-channels", response={200: list[s.ChannelOut], **ERRORS}, operation_id="lead_channels_list")
@paginate(Paging)
def list_channels(request: HttpRequest, filters: Query[s.ChannelQuery]) -> QuerySet[Channel]:
    organization = org_of(request, P.VIEW_CRM)
    return filtered(ChannelFilter, request, leads.channel_list(organization=organization), filters)  # type: ignore[no-any-return]


@router.post("/lead-channels", response={201: s.ChannelOut, **ERRORS}, operation_id="lead_channels_create")
def create_channel(request: HttpRequest, payload: s.ChannelIn) -> Any:
    organization = org_of(request, P.MANAGE_CRM)
    channel = leads.channel_create(organization=organization, actor=request.user, data=payload.dict())
    return Status(201, channel)


@router.get("/lead-channels/{int:channel_id}", response={200: s.ChannelOut, **ERRORS}, operation_id="lead_channels_get")
def get_channel(request: HttpRequest, channel_id: int) -> Channel:
    organization = org_of(request, P.VIEW_CRM)
    return leads.channel_get(organization=organization, pk=channel_id)


@router.patch(
    "/lead-channels/{int:channel_id}", response={200: s.ChannelOut, **ERRORS}, operation_id="lead_channels_update"
)
def update_channel(request: HttpRequest, channel_id: int, payload: s.ChannelPatch) -> Channel:
    """Rename, reorder, or deactivate (`is_active: false`) a channel; its leads keep it."""
    organization = org_of(request, P.MANAGE_CRM)
    return leads.channel_update(
        organization=organization, actor=request.user, channel_id=channel_id, data=payload.dict(exclude_unset=True)
    )


# Assignment rules -----------------------------------------------------------------------------------------------


@router.get("/assignment-rules", response={200: list[s.RuleOut], **ERRORS}, operation_id="assignment_rules_list")
@paginate(Paging)
def list_rules(request: HttpRequest, filters: Query[s.RuleQuery]) -> QuerySet[AssignmentRule]:
    organization = org_of(request, P.MANAGE_CRM)
    rows = leads.assignment_rule_list(organization=organization)
    return filtered(AssignmentRuleFilter, request, rows, filters)  # type: ignore[no-any-return]


@router.post("/assignment-rules", response={201: s.RuleOut, **ERRORS}, operation_id="assignment_rules_create")
def create_rule(request: HttpRequest, payload: s.RuleIn) -> Any:
    """New leads without an owner go round-robin to the assignees of the first matching active rule: rules with a
    province take that province's leads before any rule without one; lowest `seq` first."""
    organization = org_of(request, P.MANAGE_CRM)
    rule = leads.assignment_rule_create(organization=organization, actor=request.user, data=payload.dict())
    return Status(201, rule)


@router.get("/assignment-rules/{int:rule_id}", response={200: s.RuleOut, **ERRORS}, operation_id="assignment_rules_get")
def get_rule(request: HttpRequest, rule_id: int) -> AssignmentRule:
    organization = org_of(request, P.MANAGE_CRM)
    return leads.assignment_rule_get(organization=organization, pk=rule_id)


@router.patch(
    "/assignment-rules/{int:rule_id}", response={200: s.RuleOut, **ERRORS}, operation_id="assignment_rules_update"
)
def update_rule(request: HttpRequest, rule_id: int, payload: s.RulePatch) -> AssignmentRule:
    organization = org_of(request, P.MANAGE_CRM)
    return leads.assignment_rule_update(
        organization=organization, actor=request.user, rule_id=rule_id, data=payload.dict(exclude_unset=True)
    )


@router.delete(
    "/assignment-rules/{int:rule_id}", response={204: None, **ERRORS}, operation_id="assignment_rules_delete"
)
def delete_rule(request: HttpRequest, rule_id: int) -> Any:
    organization = org_of(request, P.MANAGE_CRM)
    leads.assignment_rule_delete(organization=organization, actor=request.user, rule_id=rule_id)
    return Status(204, None)
