"""CRM API (customer area), mounted at /api/v1/ by `suanpan/api.py`: the customer 360° summary here, contracts
(`crm.contract_api`) and segments and tag rules (`crm.segment_api`)."""

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import Field

from suanpan.core.api import ERRORS, org_of
from suanpan.core.permissions import P
from suanpan.crm import contract_api, customer360, segment_api
from suanpan.crm.segment_schemas import Customer360Out

router = Router(tags=["crm"])


class TimelineQuery(Schema):
    timeline_offset: int = Field(0, ge=0, le=100_000)
    timeline_limit: int = Field(customer360.PAGE, ge=1, le=200)


@router.get("/customers/{int:customer_id}/360", response={200: Customer360Out, **ERRORS}, operation_id="customers_360")
def customer_360(request: HttpRequest, customer_id: int, params: Query[TimelineQuery]) -> dict[str, Any]:
    """The customer 360° view: profile, tags, contacts, key figures (receivables only with that permission), a page
    of the timeline (newest first; only the kinds the member may see) and the top products with their available
    stock."""
    organization = org_of(request, P.VIEW_CRM)
    found = customer360.customer_360(organization=organization, actor=request.user, customer_id=customer_id)
    customer, figures = found["customer"], found["figures"]
    timeline = found["timeline"]
    if params.timeline_offset or params.timeline_limit != customer360.PAGE:
        timeline = customer360.customer_timeline(
            organization=organization,
            actor=request.user,
            customer=customer,
            offset=params.timeline_offset,
            limit=params.timeline_limit,
        )
    return {
        "id": customer.pk,
        "code": customer.code,
        "name": customer.name,
        "owner_id": customer.owner_id,
        "province": customer.province,
        "city": customer.city,
        "industry": customer.industry,
        "payment_terms_days": customer.payment_terms_days,
        "tags": [t.name for t in found["tags"]],
        "contacts": found["contacts"],
        "figures": {
            "receivable": figures.receivable,
            "overdue": figures.overdue,
            "credit_limit": figures.credit_limit,
            "lifetime_value": figures.lifetime_value,
            "orders": figures.orders,
            "last_purchase": figures.last_purchase,
            "rfm_class": figures.rfm.rfm_class if figures.rfm else None,
            "r": figures.rfm.r if figures.rfm else None,
            "f": figures.rfm.f if figures.rfm else None,
            "m": figures.rfm.m if figures.rfm else None,
        },
        "timeline": [
            {
                "date": e.day,
                "kind": e.kind,
                "number": e.number,
                "summary": e.summary,
                "amount": e.amount,
                "link": e.href,
            }
            for e in timeline.entries
        ],
        "timeline_more": timeline.has_more,
        "top_products": [
            {
                "product_id": p.product.pk,
                "code": p.product.code,
                "name": p.product.name,
                "quantity": p.quantity,
                "amount": p.amount,
                "available": p.available,
            }
            for p in found["top_products"]
        ],
    }


router.add_router("", contract_api.router)
router.add_router("", segment_api.router)
