"""CRM API (opportunity area), mounted at /api/v1/ by `suanpan/api.py`: opportunity stages, opportunities (with the
move to another stage), quotes (with their workflow actions, the sales order and the PDF). Thin: parse, call one
service or selector; the same services as the pages."""

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from ninja import Query, Router
from ninja.pagination import paginate
from ninja.responses import Status

from suanpan.core.api import ERRORS, Paging, filtered, org_of
from suanpan.core.pdf import pdf_response
from suanpan.core.permissions import P
from suanpan.crm import opportunities, quotes
from suanpan.crm import opportunity_schemas as s
from suanpan.crm.models import Opportunity, Quote, Stage
from suanpan.crm.opportunity_filters import OpportunityFilter, QuoteFilter

router = Router(tags=["crm"])

PDF_RESPONSE = {
    "responses": {
        200: {
            "description": "The quote as sent to the customer (PDF).",
            "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
        }
    }
}


# Stages --------------------------------------------------------------------------------------------------------------


@router.get("/stages", response={200: list[s.StageOut], **ERRORS}, operation_id="crm_stages_list")
def list_stages(request: HttpRequest) -> QuerySet[Stage]:
    """Every opportunity stage in board order (inactive ones too)."""
    return opportunities.stage_list(organization=org_of(request, P.VIEW_CRM))


@router.post("/stages", response={201: s.StageOut, **ERRORS}, operation_id="crm_stages_create")
def create_stage(request: HttpRequest, payload: s.StageIn) -> Any:
    organization = org_of(request, P.MANAGE_CRM)
    data = {k: v for k, v in payload.dict().items() if v is not None}
    return Status(201, opportunities.stage_create(organization=organization, actor=request.user, data=data))


@router.post("/stages/reorder", response={200: list[s.StageOut], **ERRORS}, operation_id="crm_stages_reorder")
def reorder_stages(request: HttpRequest, payload: s.StageOrderIn) -> list[Stage]:
    organization = org_of(request, P.MANAGE_CRM)
    return opportunities.stage_reorder(organization=organization, actor=request.user, stage_ids=payload.stage_ids)


@router.patch("/stages/{int:stage_id}", response={200: s.StageOut, **ERRORS}, operation_id="crm_stages_update")
def update_stage(request: HttpRequest, stage_id: int, payload: s.StagePatch) -> Stage:
    """Only the fields sent change; deactivating is `is_active: false` (refused for the last won or lost stage)."""
    organization = org_of(request, P.MANAGE_CRM)
    return opportunities.stage_update(
        organization=organization, actor=request.user, stage_id=stage_id, data=payload.dict(exclude_unset=True)
    )


@router.delete("/stages/{int:stage_id}", response={204: None, **ERRORS}, operation_id="crm_stages_delete")
def delete_stage(request: HttpRequest, stage_id: int) -> Any:
    """Refused (409) for a stage an opportunity went through: deactivate it instead."""
    organization = org_of(request, P.MANAGE_CRM)
    opportunities.stage_delete(organization=organization, actor=request.user, stage_id=stage_id)
    return Status(204, None)


# Opportunities -------------------------------------------------------------------------------------------------------


def _with_history(organization: Any, opportunity: Opportunity) -> Opportunity:
    return (
        Opportunity.objects.select_related("customer", "stage")
        .prefetch_related("stage_changes", "products")
        .get(organization=organization, pk=opportunity.pk)
    )


@router.get("/opportunities", response={200: list[s.OpportunityOut], **ERRORS}, operation_id="crm_opportunities_list")
@paginate(Paging)
def list_opportunities(request: HttpRequest, filters: Query[s.OpportunityQuery]) -> QuerySet[Opportunity]:
    """The opportunities your data scope sees."""
    organization = org_of(request, P.VIEW_CRM)
    rows = opportunities.opportunity_list(organization=organization, actor=request.user).prefetch_related(
        "stage_changes", "products"
    )
    return filtered(OpportunityFilter, request, rows, filters)  # type: ignore[no-any-return]


@router.post("/opportunities", response={201: s.OpportunityOut, **ERRORS}, operation_id="crm_opportunities_create")
def create_opportunity(request: HttpRequest, payload: s.OpportunityIn) -> Any:
    organization = org_of(request, P.CHANGE_CRM)
    found = opportunities.opportunity_create(organization=organization, actor=request.user, data=payload.dict())
    return Status(201, _with_history(organization, found))


@router.get(
    "/opportunities/{int:opportunity_id}",
    response={200: s.OpportunityOut, **ERRORS},
    operation_id="crm_opportunities_get",
)
def get_opportunity(request: HttpRequest, opportunity_id: int) -> Opportunity:
    organization = org_of(request, P.VIEW_CRM)
    found = opportunities.opportunity_get(organization=organization, actor=request.user, pk=opportunity_id)
    return _with_history(organization, found)


@router.patch(
    "/opportunities/{int:opportunity_id}",
    response={200: s.OpportunityOut, **ERRORS},
    operation_id="crm_opportunities_update",
)
def update_opportunity(request: HttpRequest, opportunity_id: int, payload: s.OpportunityPatch) -> Opportunity:
    """Only the fields sent change; the stage changes by `/move`."""
    organization = org_of(request, P.CHANGE_CRM)
    found = opportunities.opportunity_update(
        organization=organization,
        actor=request.user,
        opportunity_id=opportunity_id,
        data=payload.dict(exclude_unset=True),
    )
    return _with_history(organization, found)


@router.post(
    "/opportunities/{int:opportunity_id}/move",
    response={200: s.OpportunityOut, **ERRORS},
    operation_id="crm_opportunities_move",
)
def move_opportunity(request: HttpRequest, opportunity_id: int, payload: s.MoveIn) -> Opportunity:
    """To another active stage; a lost stage needs `loss_reason` (422 naming it otherwise)."""
    organization = org_of(request, P.CHANGE_CRM)
    found = opportunities.opportunity_move(
        organization=organization,
        actor=request.user,
        opportunity_id=opportunity_id,
        stage_id=payload.stage_id,
        loss_reason=payload.loss_reason,
    )
    return _with_history(organization, found)


# Quotes --------------------------------------------------------------------------------------------------------------


def _quote_data(payload: s.QuoteIn) -> dict[str, Any]:
    data: dict[str, Any] = payload.dict()
    data["lines"] = [{k: v for k, v in line.items() if v is not None} for line in data["lines"]]
    return data


@router.get("/quotes", response={200: list[s.QuoteOut], **ERRORS}, operation_id="crm_quotes_list")
@paginate(Paging)
def list_quotes(request: HttpRequest, filters: Query[s.QuoteQuery]) -> QuerySet[Quote]:
    """The quotes your data scope sees, every version."""
    organization = org_of(request, P.VIEW_CRM)
    return filtered(QuoteFilter, request, quotes.quote_list(organization=organization, actor=request.user), filters)  # type: ignore[no-any-return]


@router.post("/quotes", response={201: s.QuoteOut, **ERRORS}, operation_id="crm_quotes_create")
def create_quote(request: HttpRequest, payload: s.QuoteIn) -> Any:
    organization = org_of(request, P.CHANGE_CRM)
    return Status(201, quotes.quote_create(organization=organization, actor=request.user, data=_quote_data(payload)))


@router.get("/quotes/{int:quote_id}", response={200: s.QuoteOut, **ERRORS}, operation_id="crm_quotes_get")
def get_quote(request: HttpRequest, quote_id: int) -> Quote:
    return quotes.quote_get(organization=org_of(request, P.VIEW_CRM), actor=request.user, pk=quote_id)


@router.put("/quotes/{int:quote_id}", response={200: s.QuoteOut, **ERRORS}, operation_id="crm_quotes_update")
def update_quote(request: HttpRequest, quote_id: int, payload: s.QuoteIn) -> Quote:
    """Replace a draft quote's header and lines (a sent one is revised instead)."""
    organization = org_of(request, P.CHANGE_CRM)
    return quotes.quote_update(
        organization=organization, actor=request.user, quote_id=quote_id, data=_quote_data(payload)
    )


@router.post("/quotes/{int:quote_id}/send", response={200: s.QuoteOut, **ERRORS}, operation_id="crm_quotes_send")
def send_quote(request: HttpRequest, quote_id: int) -> Quote:
    organization = org_of(request, P.CHANGE_CRM)
    return quotes.quote_send(organization=organization, actor=request.user, quote_id=quote_id)


@router.post("/quotes/{int:quote_id}/accept", response={200: s.QuoteOut, **ERRORS}, operation_id="crm_quotes_accept")
def accept_quote(request: HttpRequest, quote_id: int) -> Quote:
    """Refused (409) once the quote expired."""
    organization = org_of(request, P.CHANGE_CRM)
    return quotes.quote_accept(organization=organization, actor=request.user, quote_id=quote_id)


@router.post("/quotes/{int:quote_id}/reject", response={200: s.QuoteOut, **ERRORS}, operation_id="crm_quotes_reject")
def reject_quote(request: HttpRequest, quote_id: int, payload: s.RejectIn | None = None) -> Quote:
    organization = org_of(request, P.CHANGE_CRM)
    reason = payload.reason if payload is not None else ""
    return quotes.quote_reject(organization=organization, actor=request.user, quote_id=quote_id, reason=reason)


@router.post("/quotes/{int:quote_id}/revise", response={201: s.QuoteOut, **ERRORS}, operation_id="crm_quotes_revise")
def revise_quote(request: HttpRequest, quote_id: int) -> Any:
    """The next version (a draft copy, same number); the old one is superseded. Returns the new version."""
    organization = org_of(request, P.CHANGE_CRM)
    return Status(201, quotes.quote_revise(organization=organization, actor=request.user, quote_id=quote_id))


@router.post("/quotes/{int:quote_id}/order", response={201: s.OrderMadeOut, **ERRORS}, operation_id="crm_quotes_order")
def order_quote(request: HttpRequest, quote_id: int) -> Any:
    """An accepted quote → a draft sales order with the same lines (once). Needs the sales permission too."""
    organization = org_of(request, P.CHANGE_CRM)
    org_of(request, P.CHANGE_SALES)
    order = quotes.quote_to_order(organization=organization, actor=request.user, quote_id=quote_id)
    return Status(
        201,
        {
            "quote_id": quote_id,
            "sales_order_id": order.pk,
            "status": order.status,
            "customer_id": order.customer_id,
            "warehouse_id": order.warehouse_id,
            "amount": order.amount,
            "tax": order.tax,
            "total": order.total,
        },
    )


@router.get("/quotes/{int:quote_id}/pdf", response=ERRORS, operation_id="crm_quotes_pdf", openapi_extra=PDF_RESPONSE)
def quote_pdf(request: HttpRequest, quote_id: int) -> HttpResponse:
    context = quotes.quote_print(organization=org_of(request, P.VIEW_CRM), actor=request.user, pk=quote_id)
    return pdf_response("crm/quote_pdf.html", context, f"{context['quote']}.pdf", request)
