"""CRM analytics API (reads only), mounted at /api/v1/ by `suanpan/api.py`: the funnel and its drill-down, lead
conversion by channel, RFM scores, churn warnings, the rep leaderboard. The same reads and parameter parsing as
the pages (`crm.analytics_params`); a bad parameter is a 422 naming it. Amounts are decimal strings."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from suanpan.core.api import ERRORS, org_of
from suanpan.core.permissions import P
from suanpan.crm import funnel as funnels
from suanpan.crm import rfm
from suanpan.crm.analytics_params import churn_sort_param, churn_sorted, period_params, rfm_class_param
from suanpan.crm.setup import channels_ensure, stages_ensure

router = Router(tags=["crm"])


class PeriodQuery(Schema):
    date_from: str | None = Field(None, max_length=10, description="first day, YYYY-MM-DD (default: 89 days ago)")
    date_to: str | None = Field(None, max_length=10, description="last day, YYYY-MM-DD (default: today)")


class FunnelQuery(PeriodQuery):
    rep: str | None = Field(None, max_length=20, description="opportunity owner (user id; default: all)")
    channel: str | None = Field(None, max_length=20, description="lead channel id (default: all)")


class RfmQuery(Schema):
    rfm_class: str | None = Field(None, max_length=20, description="high_value, potential, churn_risk or general")


class ChurnQuery(Schema):
    sort: str | None = Field(None, max_length=10, description="-ratio (default), ratio, -days, days, -value, value…")


class LossReasonOut(Schema):
    reason: str
    count: int
    amount: Decimal


class FunnelRowOut(Schema):
    stage_id: int
    name: str
    kind: str
    count: int
    amount: Decimal
    conversion: Decimal | None = Field(description="% of this stage's opportunities that reached the next one")
    avg_days: Decimal | None
    reasons: list[LossReasonOut]


class FunnelOut(Schema):
    date_from: datetime.date
    date_to: datetime.date
    rep: int | None
    channel: int | None
    rows: list[FunnelRowOut]


class FunnelOpportunityOut(Schema):
    id: int
    number: str
    name: str
    customer_id: int
    owner_id: int | None
    stage_id: int
    amount: Decimal


class ConversionRowOut(Schema):
    channel_id: int | None
    name: str
    leads: int
    converted: int
    rate: Decimal | None
    won_amount: Decimal


class RfmOut(Schema):
    customer_id: int
    customer_name: str
    owner_id: int | None
    last_purchase: datetime.date | None
    recency_days: int
    frequency: int
    monetary: Decimal
    r: int
    f: int
    m: int
    rfm_class: str


class ChurnOut(Schema):
    customer_id: int
    customer_name: str
    owner_id: int | None
    last_purchase: datetime.date
    purchases: int
    usual_interval: Decimal
    days_since: int
    ratio: Decimal
    lifetime_value: Decimal


class LeaderOut(Schema):
    user_id: int
    name: str
    follow_ups: int
    new_customers: int
    won_count: int
    won_amount: Decimal


@router.get("/crm-analytics/funnel", response={200: FunnelOut, **ERRORS}, operation_id="crm_analytics_funnel")
def funnel(request: HttpRequest, params: Query[FunnelQuery]) -> dict[str, Any]:
    """Per open stage then won and lost: opportunities created in the period that reached the stage, their amount,
    conversion to the next stage, average days in the stage; loss reasons on the lost row."""
    organization = org_of(request, P.VIEW_CRM_ANALYTICS)
    period = period_params(organization, params.dict())
    stages_ensure(organization)
    rows = funnels.funnel(organization=organization, actor=request.user, **period.filters)
    return {
        "date_from": period.date_from,
        "date_to": period.date_to,
        "rep": period.rep.pk if period.rep is not None else None,
        "channel": period.channel.pk if period.channel is not None else None,
        "rows": [
            {
                "stage_id": r.stage_id,
                "name": r.name,
                "kind": r.kind,
                "count": r.count,
                "amount": r.amount,
                "conversion": r.conversion,
                "avg_days": r.avg_days,
                "reasons": [{"reason": x.reason, "count": x.count, "amount": x.amount} for x in r.reasons],
            }
            for r in rows
        ],
    }


@router.get(
    "/crm-analytics/funnel/{stage_id}",
    response={200: list[FunnelOpportunityOut], **ERRORS},
    operation_id="crm_analytics_funnel_stage",
)
def funnel_stage(request: HttpRequest, stage_id: int, params: Query[FunnelQuery]) -> list[dict[str, Any]]:
    """The opportunities behind one funnel row (the same filters as the funnel)."""
    organization = org_of(request, P.VIEW_CRM_ANALYTICS)
    period = period_params(organization, params.dict())
    found = funnels.funnel_opportunities(
        organization=organization, actor=request.user, stage_id=stage_id, **period.filters
    )
    return [
        {
            "id": o.pk,
            "number": o.number,
            "name": o.name,
            "customer_id": o.customer_id,
            "owner_id": o.owner_id,
            "stage_id": o.stage_id,
            "amount": o.amount,
        }
        for o in found
    ]


@router.get(
    "/crm-analytics/lead-conversion",
    response={200: list[ConversionRowOut], **ERRORS},
    operation_id="crm_analytics_lead_conversion",
)
def lead_conversion(request: HttpRequest, params: Query[PeriodQuery]) -> list[dict[str, Any]]:
    """Per lead channel (then leads without one): leads created in the period, converted, rate %, won amount."""
    organization = org_of(request, P.VIEW_CRM_ANALYTICS)
    period = period_params(organization, params.dict())
    channels_ensure(organization)
    rows = funnels.lead_conversion(organization=organization, actor=request.user, **period.dates)
    return [
        {
            "channel_id": r.channel_id,
            "name": r.name,
            "leads": r.leads,
            "converted": r.converted,
            "rate": r.rate,
            "won_amount": r.won_amount,
        }
        for r in rows
    ]


@router.get("/crm-analytics/rfm", response={200: list[RfmOut], **ERRORS}, operation_id="crm_analytics_rfm")
def rfm_scores(request: HttpRequest, params: Query[RfmQuery]) -> list[dict[str, Any]]:
    """RFM scores (1..5, quintiles) and classes of the customers who bought in the last 365 days."""
    organization = org_of(request, P.VIEW_CRM_ANALYTICS)
    chosen = rfm_class_param(params.dict())
    rows = rfm.rfm_list(organization=organization, actor=request.user, rfm_class=chosen)
    return [
        {
            "customer_id": r.customer.pk,
            "customer_name": r.customer.name,
            "owner_id": r.customer.owner_id,
            "last_purchase": r.score.last_purchase,
            "recency_days": r.score.recency_days,
            "frequency": r.score.frequency,
            "monetary": r.score.monetary,
            "r": r.score.r,
            "f": r.score.f,
            "m": r.score.m,
            "rfm_class": r.score.rfm_class,
        }
        for r in rows
    ]


@router.get("/crm-analytics/churn", response={200: list[ChurnOut], **ERRORS}, operation_id="crm_analytics_churn")
def churn(request: HttpRequest, params: Query[ChurnQuery]) -> list[dict[str, Any]]:
    """Customers quiet for longer than the churn multiple × their usual interval between purchases."""
    organization = org_of(request, P.VIEW_CRM_ANALYTICS)
    sort = churn_sort_param(params.dict())
    rows = churn_sorted(rfm.churn_list(organization=organization, actor=request.user), sort)
    return [
        {
            "customer_id": r.customer.pk,
            "customer_name": r.customer.name,
            "owner_id": r.customer.owner_id,
            "last_purchase": r.last_purchase,
            "purchases": r.purchases,
            "usual_interval": r.usual_interval,
            "days_since": r.days_since,
            "ratio": r.ratio,
            "lifetime_value": r.lifetime_value,
        }
        for r in rows
    ]


@router.get(
    "/crm-analytics/leaderboard", response={200: list[LeaderOut], **ERRORS}, operation_id="crm_analytics_leaderboard"
)
def leaderboard(request: HttpRequest, params: Query[PeriodQuery]) -> list[dict[str, Any]]:
    """Per rep in the period: follow-ups logged, new customers, opportunities won (count, amount); best first."""
    organization = org_of(request, P.VIEW_CRM_ANALYTICS)
    period = period_params(organization, params.dict())
    rows = funnels.leaderboard(organization=organization, actor=request.user, **period.dates)
    return [
        {
            "user_id": r.user.pk,
            "name": r.name,
            "follow_ups": r.follow_ups,
            "new_customers": r.new_customers,
            "won_count": r.won_count,
            "won_amount": r.won_amount,
        }
        for r in rows
    ]
