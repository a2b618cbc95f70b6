"""REST endpoints of sales: the sales reports (sales analysis, gross profit, order fulfilment). The same reads
and parameter parsing as the pages."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any, Literal

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema

from suanpan.core.api import ERRORS, org_of
from suanpan.core.permissions import P, has_perm
from suanpan.sales import reports
from suanpan.sales.report_views import report_params

router = Router(tags=["sales"])


class ReportQuery(Schema):
    date_from: str | None = Field(None, max_length=10, description="first day, YYYY-MM-DD")
    date_to: str | None = Field(None, max_length=10, description="last day, YYYY-MM-DD")
    customer: str | None = Field(None, max_length=20, description="customer id (default: all)")
    product: str | None = Field(None, max_length=20, description="product id (default: all)")
    rep: str | None = Field(None, max_length=20, description="sales rep (user id; default: all)")


class SalesQuery(ReportQuery):
    by: Literal["customer", "product", "rep", "month"] = "customer"


class ProfitQuery(ReportQuery):
    by: Literal["order", "product", "customer"] = "order"


class FulfilmentQuery(ReportQuery):
    late: bool = False


class SalesRowOut(Schema):
    key: str
    label: str
    quantity: Decimal
    amount: Decimal
    tax: Decimal
    total: Decimal
    uninvoiced: Decimal


class SalesAnalysisOut(Schema):
    date_from: datetime.date | None
    date_to: datetime.date | None
    by: str
    rows: list[SalesRowOut]
    total: SalesRowOut


class ProfitRowOut(Schema):
    key: str
    label: str
    quantity: Decimal
    revenue: Decimal
    cost: Decimal | None = Field(description="null without the permission to see stock reports (costs)")
    margin: Decimal | None
    margin_percent: Decimal | None


class GrossProfitOut(Schema):
    date_from: datetime.date | None
    date_to: datetime.date | None
    by: str
    rows: list[ProfitRowOut]
    total: ProfitRowOut


class FulfilmentRowOut(Schema):
    order_id: int
    number: str
    customer_id: int
    customer_name: str
    date: datetime.date
    expected_date: datetime.date | None
    status: str
    days: int
    late: bool
    ordered: Decimal
    delivered: Decimal
    invoiced: Decimal
    invoiced_total: Decimal
    paid: Decimal
    delivered_percent: Decimal | None
    invoiced_percent: Decimal | None
    paid_percent: Decimal | None


def _sales_row(r: reports.SalesRow) -> dict[str, Any]:
    return {
        "key": r.key,
        "label": r.label,
        "quantity": r.quantity,
        "amount": r.amount,
        "tax": r.tax,
        "total": r.total,
        "uninvoiced": r.uninvoiced,
    }


def _profit_row(r: reports.ProfitRow, *, with_cost: bool) -> dict[str, Any]:
    return {
        "key": r.key,
        "label": r.label,
        "quantity": r.quantity,
        "revenue": r.revenue,
        "cost": r.cost if with_cost else None,
        "margin": r.margin if with_cost else None,
        "margin_percent": r.margin_percent if with_cost else None,
    }


@router.get("/reports/sales-analysis", response={200: SalesAnalysisOut, **ERRORS}, operation_id="sales_analysis")
def sales_analysis(request: HttpRequest, params: Query[SalesQuery]) -> dict[str, Any]:
    """Invoiced sales (credit notes negative) by customer, product, sales rep or month, with what was delivered
    and not invoiced yet (default range: this month up to today)."""
    organization = org_of(request, P.VIEW_SALES)
    filters = report_params(organization, params.dict())
    analysis = reports.sales_analysis(organization=organization, filters=filters, by=params.by)
    return {
        "date_from": filters.date_from,
        "date_to": filters.date_to,
        "by": analysis.by,
        "rows": [_sales_row(r) for r in analysis.rows],
        "total": _sales_row(analysis.total),
    }


@router.get("/reports/gross-profit", response={200: GrossProfitOut, **ERRORS}, operation_id="sales_gross_profit")
def gross_profit(request: HttpRequest, params: Query[ProfitQuery]) -> dict[str, Any]:
    """Revenue, cost of goods, margin and margin % per order, product or customer; the cost figures are null
    without the permission to see stock reports."""
    organization = org_of(request, P.VIEW_SALES)
    with_cost = has_perm(getattr(request, "membership", None), P.VIEW_STOCK_REPORTS)
    filters = report_params(organization, params.dict())
    report = reports.gross_profit(organization=organization, filters=filters, by=params.by)
    return {
        "date_from": filters.date_from,
        "date_to": filters.date_to,
        "by": report.by,
        "rows": [_profit_row(r, with_cost=with_cost) for r in report.rows],
        "total": _profit_row(report.total, with_cost=with_cost),
    }


@router.get(
    "/reports/order-fulfilment", response={200: list[FulfilmentRowOut], **ERRORS}, operation_id="sales_fulfilment"
)
def order_fulfilment(request: HttpRequest, params: Query[FulfilmentQuery]) -> list[dict[str, Any]]:
    """Open orders with their delivered / invoiced / paid progress, late ones first (no date limit by default)."""
    organization = org_of(request, P.VIEW_SALES)
    filters = report_params(organization, params.dict(), this_month=False)
    found = reports.order_fulfilment(
        organization=organization, filters=filters, today=timezone.localdate(), late_only=params.late
    )
    return [
        {
            "order_id": r.order.pk,
            "number": r.order.number,
            "customer_id": r.order.customer_id,
            "customer_name": r.order.customer.name,
            "date": r.order.date,
            "expected_date": r.order.expected_date,
            "status": r.order.status,
            "days": r.days,
            "late": r.late,
            "ordered": r.ordered,
            "delivered": r.delivered,
            "invoiced": r.invoiced,
            "invoiced_total": r.invoiced_total,
            "paid": r.paid,
            "delivered_percent": r.delivered_percent,
            "invoiced_percent": r.invoiced_percent,
            "paid_percent": r.paid_percent,
        }
        for r in found
    ]
