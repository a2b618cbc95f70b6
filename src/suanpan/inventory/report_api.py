"""REST endpoints of the stock reports, the month-end costing run, reorder levels and suggestions. The same
services and parameter parsing as the pages."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.responses import Status
from pydantic import StrictInt

from suanpan.core.api import ERRORS, org_of
from suanpan.core.permissions import P
from suanpan.inventory import costing, reorder, reports
from suanpan.inventory.models import CostingRun, StockRule
from suanpan.inventory.report_views import report_params

router = Router(tags=["stock reports"])
costing_router = Router(tags=["costing"])
reorder_router = Router(tags=["reorder"])


class ReportQuery(Schema):
    start: str | None = Field(None, max_length=10, description="first day, YYYY-MM-DD (default: this month's 1st)")
    end: str | None = Field(None, max_length=10, description="last day, YYYY-MM-DD (default: today)")
    warehouse: str | None = Field(None, max_length=20, description="warehouse id (default: all)")
    product: str | None = Field(None, max_length=20, description="product id (default: all)")


class DaysQuery(Schema):
    days: str | None = Field(None, max_length=10, description="number of days, 0–3660 (default 90)")
    warehouse: str | None = Field(None, max_length=20, description="warehouse id (default: all)")


class BalanceRowOut(Schema):
    product_id: int | None
    product_code: str
    product_name: str
    opening_quantity: Decimal
    opening_value: Decimal
    in_quantity: Decimal
    in_value: Decimal
    out_quantity: Decimal
    out_value: Decimal
    closing_quantity: Decimal
    closing_value: Decimal


class BalanceOut(Schema):
    start: datetime.date
    end: datetime.date
    warehouse_id: int | None
    rows: list[BalanceRowOut]
    total: BalanceRowOut


class TurnoverRowOut(Schema):
    product_id: int
    product_code: str
    product_name: str
    opening_value: Decimal
    closing_value: Decimal
    average_value: Decimal
    cost_of_sales: Decimal
    days: int
    turnover_days: Decimal | None


class SlowRowOut(Schema):
    product_id: int
    product_code: str
    warehouse_id: int
    on_hand: Decimal
    value: Decimal
    last_out: datetime.date | None
    idle_days: int | None


class LotRowOut(Schema):
    lot_number: str
    product_id: int
    product_code: str
    warehouse_id: int
    quantity: Decimal
    production_date: datetime.date | None
    expiry_date: datetime.date
    days_left: int


def _balance_row(row: reports.BalanceRow) -> dict[str, Any]:
    product = row.product
    return {
        "product_id": product.pk if product else None,
        "product_code": product.code if product else "",
        "product_name": product.name if product else "",
        "opening_quantity": row.opening_quantity,
        "opening_value": row.opening_value,
        "in_quantity": row.in_quantity,
        "in_value": row.in_value,
        "out_quantity": row.out_quantity,
        "out_value": row.out_value,
        "closing_quantity": row.closing_quantity,
        "closing_value": row.closing_value,
    }


@router.get("/in-out-balance", response={200: BalanceOut, **ERRORS}, operation_id="stock_in_out_balance")
def in_out_balance(request: HttpRequest, params: Query[ReportQuery]) -> dict[str, Any]:
    """收发存汇总表: opening, in, out and closing quantity and value per product for a date range."""
    organization = org_of(request, P.VIEW_STOCK_REPORTS)
    p = report_params(organization, params.dict())
    report = reports.in_out_balance(
        organization=organization, start=p["start"], end=p["end"], warehouse=p["warehouse"], product=p["product"]
    )
    return {
        "start": report.start,
        "end": report.end,
        "warehouse_id": report.warehouse.pk if report.warehouse else None,
        "rows": [_balance_row(r) for r in report.rows],
        "total": _balance_row(report.total),
    }


@router.get("/turnover", response={200: list[TurnoverRowOut], **ERRORS}, operation_id="stock_turnover")
def turnover(request: HttpRequest, params: Query[ReportQuery]) -> list[dict[str, Any]]:
    """Turnover days = average stock value ÷ (cost of goods sold ÷ days in the range)."""
    organization = org_of(request, P.VIEW_STOCK_REPORTS)
    p = report_params(organization, params.dict())
    rows = reports.turnover(organization=organization, start=p["start"], end=p["end"], warehouse=p["warehouse"])
    return [
        {
            "product_id": r.product.pk,
            "product_code": r.product.code,
            "product_name": r.product.name,
            "opening_value": r.opening_value,
            "closing_value": r.closing_value,
            "average_value": r.average_value,
            "cost_of_sales": r.cost_of_sales,
            "days": r.days,
            "turnover_days": r.turnover_days,
        }
        for r in rows
    ]


@router.get("/slow-movers", response={200: list[SlowRowOut], **ERRORS}, operation_id="stock_slow_movers")
def slow_movers(request: HttpRequest, params: Query[DaysQuery]) -> list[dict[str, Any]]:
    """Stock on hand with no outgoing move in the last `days` days."""
    organization = org_of(request, P.VIEW_STOCK_REPORTS)
    p = report_params(organization, params.dict())
    rows = reports.slow_movers(organization=organization, days=p["days"], today=p["today"], warehouse=p["warehouse"])
    return [
        {
            "product_id": r.product.pk,
            "product_code": r.product.code,
            "warehouse_id": r.warehouse.pk,
            "on_hand": r.on_hand,
            "value": r.value,
            "last_out": r.last_out,
            "idle_days": r.idle_days,
        }
        for r in rows
    ]


@router.get("/expiring-lots", response={200: list[LotRowOut], **ERRORS}, operation_id="stock_expiring_lots")
def expiring_lots(request: HttpRequest, params: Query[DaysQuery]) -> list[dict[str, Any]]:
    """Lots with stock expiring within `days` days (expired ones included), per warehouse."""
    organization = org_of(request, P.VIEW_STOCK_REPORTS)
    p = report_params(organization, params.dict())
    rows = reports.expiring_lots(organization=organization, days=p["days"], today=p["today"], warehouse=p["warehouse"])
    return [
        {
            "lot_number": r.lot_number,
            "product_id": r.product.pk,
            "product_code": r.product.code,
            "warehouse_id": r.warehouse.pk,
            "quantity": r.quantity,
            "production_date": r.production_date,
            "expiry_date": r.expiry_date,
            "days_left": r.days_left,
        }
        for r in rows
    ]


# The costing run ---------------------------------------------------------------------------------------------


class CostingRunIn(Schema):
    year: StrictInt = Field(ge=1990, le=2200)
    month: StrictInt = Field(ge=1, le=12)


class CostingRunOut(Schema):
    id: int
    year: int
    month: int
    ran_at: datetime.datetime
    ran_by_id: int | None
    voucher_id: int | None
    moves_costed: int
    total_value: Decimal


@costing_router.get("", response={200: list[CostingRunOut], **ERRORS}, operation_id="costing_runs_list")
def costing_runs(request: HttpRequest) -> list[CostingRun]:
    organization = org_of(request, P.RUN_COSTING)
    return costing.costing_run_list(organization=organization)


@costing_router.post("", response={201: CostingRunOut, **ERRORS}, operation_id="costing_run")
def costing_run(request: HttpRequest, payload: CostingRunIn) -> Any:
    """全月一次加权平均: cost the month's issues at its average and post the difference (re-runnable while open)."""
    organization = org_of(request, P.RUN_COSTING)
    run = costing.costing_run(organization=organization, actor=request.user, year=payload.year, month=payload.month)
    return Status(201, run)


# Reordering --------------------------------------------------------------------------------------------------


class LevelOut(Schema):
    rule_id: int | None
    product_id: int
    warehouse_id: int
    min_stock: Decimal
    max_stock: Decimal


class RuleIn(Schema):
    product_id: StrictInt
    warehouse_id: StrictInt
    min_stock: Decimal = Field(ge=0, max_digits=18, decimal_places=4)
    max_stock: Decimal = Field(ge=0, max_digits=18, decimal_places=4)


class RuleOut(Schema):
    id: int
    product_id: int
    warehouse_id: int
    min_stock: Decimal
    max_stock: Decimal


class SuggestionOut(Schema):
    product_id: int
    warehouse_id: int
    min_stock: Decimal
    max_stock: Decimal
    on_hand: Decimal
    reserved: Decimal
    available: Decimal
    on_order: Decimal
    quantity: Decimal
    supplier_id: int | None


class OrderLineIn(Schema):
    product_id: StrictInt
    warehouse_id: StrictInt
    quantity: Decimal = Field(gt=0, max_digits=18, decimal_places=4)
    supplier_id: StrictInt


class OrderIn(Schema):
    lines: list[OrderLineIn] = Field(min_length=1, max_length=500)


class OrderOut(Schema):
    id: int
    label: str


@reorder_router.get("/levels", response={200: list[LevelOut], **ERRORS}, operation_id="reorder_levels")
def levels(request: HttpRequest) -> list[dict[str, Any]]:
    """Min/max of every product × warehouse: its own rule, else the product's defaults."""
    organization = org_of(request, P.CHANGE_REORDER)
    return [
        {
            "rule_id": lv.rule.pk if lv.rule else None,
            "product_id": lv.product.pk,
            "warehouse_id": lv.warehouse.pk,
            "min_stock": lv.min_stock,
            "max_stock": lv.max_stock,
        }
        for lv in reorder.reorder_levels(organization=organization)
    ]


@reorder_router.put("/levels", response={200: RuleOut, **ERRORS}, operation_id="reorder_level_set")
def level_set(request: HttpRequest, payload: RuleIn) -> StockRule:
    """Set the min/max of a product in a warehouse (created or changed)."""
    organization = org_of(request, P.CHANGE_REORDER)
    return reorder.stock_rule_set(
        organization=organization,
        actor=request.user,
        product_id=payload.product_id,
        warehouse_id=payload.warehouse_id,
        min_stock=payload.min_stock,
        max_stock=payload.max_stock,
    )


@reorder_router.delete("/levels/{int:rule_id}", response={204: None, **ERRORS}, operation_id="reorder_level_delete")
def level_delete(request: HttpRequest, rule_id: int) -> Any:
    organization = org_of(request, P.CHANGE_REORDER)
    reorder.stock_rule_delete(organization=organization, actor=request.user, rule_id=rule_id)
    return Status(204, None)


@reorder_router.get("/suggestions", response={200: list[SuggestionOut], **ERRORS}, operation_id="reorder_suggestions")
def suggestions(request: HttpRequest) -> list[dict[str, Any]]:
    """Items below their minimum: quantity = max − available − open purchase orders."""
    organization = org_of(request, P.CHANGE_REORDER)
    return [
        {
            "product_id": s.product.pk,
            "warehouse_id": s.warehouse.pk,
            "min_stock": s.min_stock,
            "max_stock": s.max_stock,
            "on_hand": s.on_hand,
            "reserved": s.reserved,
            "available": s.available,
            "on_order": s.on_order,
            "quantity": s.quantity,
            "supplier_id": s.supplier.pk if s.supplier else None,
        }
        for s in reorder.reorder_suggestions(organization=organization)
    ]


@reorder_router.post("/orders", response={201: list[OrderOut], **ERRORS}, operation_id="reorder_order")
def order(request: HttpRequest, payload: OrderIn) -> Any:
    """Draft purchase orders from chosen lines, one per supplier."""
    organization = org_of(request, P.CHANGE_REORDER)
    lines = [reorder.OrderLine(ln.product_id, ln.warehouse_id, ln.quantity, ln.supplier_id) for ln in payload.lines]
    orders = reorder.reorder_order(organization=organization, actor=request.user, lines=lines)
    return Status(201, [{"id": o.pk, "label": str(o)} for o in orders])
