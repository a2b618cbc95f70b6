"""REST endpoints of segments (with their customers and Excel export) and tag rules. Thin: parse, call one service
or selector; the same services as the pages."""

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Query, Router
from ninja.pagination import paginate
from ninja.responses import Status

from suanpan.core.api import ERRORS, Paging, org_of
from suanpan.core.excel import workbook_bytes, xlsx_response
from suanpan.core.permissions import P
from suanpan.core.tenancy import guard
from suanpan.crm import segment_schemas as s
from suanpan.crm import segments
from suanpan.crm.models import Segment, TagRule
from suanpan.crm.rfm import rfm_scores
from suanpan.crm.segment_views import EXPORT_HEADERS, EXPORT_LIMIT, export_rows

router = Router(tags=["crm"])

XLSX_RESPONSE = {
    "responses": {
        200: {
            "description": "The segment's customers as an Excel workbook.",
            "content": {
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {
                    "schema": {"type": "string", "format": "binary"}
                }
            },
        }
    }
}


def _filters(payload: s.FiltersIn | None) -> dict[str, Any]:
    if payload is None:
        return {}
    return {k: (str(v) if k == "min_lifetime_value" else v) for k, v in payload.model_dump(exclude_none=True).items()}


@router.get("/segments", response={200: list[s.SegmentOut], **ERRORS}, operation_id="segments_list")
@paginate(Paging)
def list_segments(request: HttpRequest) -> QuerySet[Segment]:
    return segments.segment_list(organization=org_of(request, P.VIEW_CRM))


@router.post("/segments", response={201: s.SegmentOut, **ERRORS}, operation_id="segments_create")
def create_segment(request: HttpRequest, payload: s.SegmentIn) -> Any:
    organization = org_of(request, P.CHANGE_CRM)
    data = {"name": payload.name, "filters": _filters(payload.filters)}
    return Status(201, segments.segment_create(organization=organization, actor=request.user, data=data))


@router.get("/segments/{int:segment_id}", response={200: s.SegmentOut, **ERRORS}, operation_id="segments_get")
def get_segment(request: HttpRequest, segment_id: int) -> Segment:
    return segments.segment_get(organization=org_of(request, P.VIEW_CRM), pk=segment_id)


@router.put("/segments/{int:segment_id}", response={200: s.SegmentOut, **ERRORS}, operation_id="segments_update")
def update_segment(request: HttpRequest, segment_id: int, payload: s.SegmentIn) -> Segment:
    organization = org_of(request, P.CHANGE_CRM)
    data = {"name": payload.name, "filters": _filters(payload.filters)}
    return segments.segment_update(organization=organization, actor=request.user, segment_id=segment_id, data=data)


@router.delete("/segments/{int:segment_id}", response={204: None, **ERRORS}, operation_id="segments_delete")
def delete_segment(request: HttpRequest, segment_id: int) -> Any:
    organization = org_of(request, P.CHANGE_CRM)
    segments.segment_delete(organization=organization, actor=request.user, segment_id=segment_id)
    return Status(204, None)


def _rows(request: HttpRequest, segment_id: int, perm: str) -> tuple[Segment, Any, dict[int, Any]]:
    organization = org_of(request, perm)
    guard(organization, request.user, P.VIEW_CRM)
    segment = segments.segment_get(organization=organization, pk=segment_id)
    today = timezone.localdate()
    rfm = rfm_scores(organization=organization, today=today)
    customers = segments.customer_filter(
        organization=organization, actor=request.user, filters=segment.filters, today=today, rfm=rfm
    )
    return segment, customers, rfm


@router.get(
    "/segments/{int:segment_id}/customers",
    response={200: s.SegmentCustomersOut, **ERRORS},
    operation_id="segments_customers",
)
def segment_customers(request: HttpRequest, segment_id: int, page: Query[s.PageQuery]) -> dict[str, Any]:
    """The segment's customers that the member's data scope sees, with contact, RFM class, last purchase and
    lifetime value."""
    _segment, customers, rfm = _rows(request, segment_id, P.VIEW_CRM)
    count = customers.count()
    rows = segments.segment_rows(customers[page.offset : page.offset + page.limit], rfm)
    return {
        "count": count,
        "items": [
            {
                "id": r.customer.pk,
                "code": r.customer.code,
                "name": r.customer.name,
                "contact": r.contact,
                "mobile": r.mobile,
                "province": r.customer.province,
                "city": r.customer.city,
                "industry": r.customer.industry,
                "owner_id": r.customer.owner_id,
                "tags": r.tags,
                "rfm_class": r.rfm_class or None,
                "last_purchase": r.last_purchase,
                "lifetime_value": r.lifetime_value,
            }
            for r in rows
        ],
    }


@router.get(
    "/segments/{int:segment_id}/export",
    response=ERRORS,
    operation_id="segments_export",
    openapi_extra=XLSX_RESPONSE,
)
def export_segment(request: HttpRequest, segment_id: int) -> HttpResponse:
    """The segment's customers as Excel, for campaigns (needs the CRM analytics permission)."""
    segment, customers, rfm = _rows(request, segment_id, P.VIEW_CRM_ANALYTICS)
    rows = segments.segment_rows(customers[:EXPORT_LIMIT], rfm)
    content = workbook_bytes(segment.name, [str(h) for h in EXPORT_HEADERS], export_rows(rows))
    return xlsx_response(f"segment-{segment.pk}", content)


# Tag rules -------------------------------------------------------------------------------------------------------


def _rule_data(payload: s.TagRuleIn) -> dict[str, Any]:
    return {
        "tag_id": payload.tag_id,
        "tag_name": payload.tag_name or "",
        "is_active": payload.is_active,
        "filters": _filters(payload.filters),
    }


@router.get("/tag-rules", response={200: list[s.TagRuleOut], **ERRORS}, operation_id="tag_rules_list")
@paginate(Paging)
def list_tag_rules(request: HttpRequest) -> QuerySet[TagRule]:
    return segments.tag_rule_list(organization=org_of(request, P.VIEW_CRM))


@router.post("/tag-rules", response={201: s.TagRuleOut, **ERRORS}, operation_id="tag_rules_create")
def create_tag_rule(request: HttpRequest, payload: s.TagRuleIn) -> Any:
    organization = org_of(request, P.MANAGE_CRM)
    return Status(
        201, segments.tag_rule_create(organization=organization, actor=request.user, data=_rule_data(payload))
    )


@router.post("/tag-rules/apply", response={200: s.ApplyOut, **ERRORS}, operation_id="tag_rules_apply")
def apply_tag_rules(request: HttpRequest) -> dict[str, int]:
    """Apply every active rule now (the daily job does it too)."""
    organization = org_of(request, P.MANAGE_CRM)
    return {"changes": segments.tag_rules_apply(organization=organization, actor=request.user)}


@router.get("/tag-rules/{int:rule_id}", response={200: s.TagRuleOut, **ERRORS}, operation_id="tag_rules_get")
def get_tag_rule(request: HttpRequest, rule_id: int) -> TagRule:
    return segments.tag_rule_get(organization=org_of(request, P.VIEW_CRM), pk=rule_id)


@router.put("/tag-rules/{int:rule_id}", response={200: s.TagRuleOut, **ERRORS}, operation_id="tag_rules_update")
def update_tag_rule(request: HttpRequest, rule_id: int, payload: s.TagRuleIn) -> TagRule:
    organization = org_of(request, P.MANAGE_CRM)
    return segments.tag_rule_update(
        organization=organization, actor=request.user, rule_id=rule_id, data=_rule_data(payload)
    )


@router.delete("/tag-rules/{int:rule_id}", response={204: None, **ERRORS}, operation_id="tag_rules_delete")
def delete_tag_rule(request: HttpRequest, rule_id: int) -> Any:
    organization = org_of(request, P.MANAGE_CRM)
    segments.tag_rule_delete(organization=organization, actor=request.user, rule_id=rule_id)
    return Status(204, None)
