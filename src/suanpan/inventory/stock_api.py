"""REST endpoints: stock balances, a product's stock ledger, goods in transit, lots (with first-expiry-first-out
suggestions), transfers and stocktakes. Thin: parse, call the same selector or service as the UI, answer."""

from typing import Any

from django.http import HttpRequest
from ninja import Query
from ninja.pagination import paginate
from ninja.responses import Status

from suanpan.catalog.models import Product
from suanpan.core.api import ERRORS, Paging, Router, org_of
from suanpan.core.permissions import P
from suanpan.core.records import get_scoped
from suanpan.inventory import selectors, stocktakes, transfers
from suanpan.inventory import stock_schemas as s
from suanpan.inventory.choices import StocktakeStatus, TransferStatus
from suanpan.inventory.models import Stocktake, Transfer, Warehouse

stock_router = Router(tags=["stock"])
lots_router = Router(tags=["lots"])
transfers_router = Router(tags=["transfers"])
stocktakes_router = Router(tags=["stocktakes"])


# Stock ---------------------------------------------------------------------------------------------------------


@stock_router.get("/balances", response={200: list[s.StockBalanceOut], **ERRORS}, operation_id="stock_balances")
@paginate(Paging)
def stock_balances(request: HttpRequest, filters: Query[s.StockBalanceQuery]) -> Any:
    organization = org_of(request, P.VIEW_STOCK_REPORTS)
    rows = selectors.stock_level_list(
        organization=organization, warehouse=filters.warehouse, product=filters.product, q=filters.q or ""
    )
    return [
        {
            "product_id": r.product_id,
            "product_code": r.product.code,
            "product_name": r.product.name,
            "warehouse_id": r.warehouse_id,
            "warehouse_name": r.warehouse.name,
            "on_hand": r.on_hand,
            "reserved": r.reserved,
            "available": r.available,
            "value": r.value,
        }
        for r in rows
    ]


@stock_router.get("/lots", response={200: list[s.LotStockOut], **ERRORS}, operation_id="stock_by_lot")
@paginate(Paging)
def stock_by_lot(request: HttpRequest, filters: Query[s.StockBalanceQuery]) -> Any:
    organization = org_of(request, P.VIEW_WAREHOUSE)
    rows = selectors.lot_stock_list(
        organization=organization, warehouse=filters.warehouse, product=filters.product, q=filters.q or ""
    )
    return [
        {
            "lot_id": r.lot_id,
            "lot_number": r.lot.number,
            "expiry_date": r.lot.expiry_date,
            "product_id": r.product_id,
            "warehouse_id": r.warehouse_id,
            "on_hand": r.on_hand,
        }
        for r in rows
    ]


@stock_router.get("/ledger", response={200: s.StockLedgerOut, **ERRORS}, operation_id="stock_ledger")
def stock_ledger(request: HttpRequest, filters: Query[s.StockLedgerQuery]) -> Any:
    organization = org_of(request, P.VIEW_STOCK_REPORTS)
    product = get_scoped(Product, organization=organization, pk=filters.product, field="product")
    opening_q, opening_v, rows = selectors.product_stock_ledger(
        organization=organization, product=product, warehouse=filters.warehouse, start=filters.start, end=filters.end
    )
    return {
        "product_id": product.pk,
        "opening_quantity": opening_q,
        "opening_value": opening_v,
        "moves": [
            {
                **{f: getattr(r.move, f) for f in ("id", "date", "warehouse_id", "lot_id", "kind", "quantity")},
                **{f: getattr(r.move, f) for f in ("unit_cost", "value", "cost_final", "source_type", "source_id")},
                "source_label": r.move.source_label,
                "balance_quantity": r.balance_quantity,
                "balance_value": r.balance_value,
            }
            for r in rows
        ],
    }


@stock_router.get("/in-transit", response={200: list[s.InTransitOut], **ERRORS}, operation_id="stock_in_transit")
def stock_in_transit(request: HttpRequest) -> Any:
    organization = org_of(request, P.VIEW_WAREHOUSE)
    return [
        {
            "transfer_id": line.transfer_id,
            "transfer_number": line.transfer.number,
            "shipped_on": line.transfer.shipped_on,
            "from_warehouse_id": line.transfer.from_warehouse_id,
            "to_warehouse_id": line.transfer.to_warehouse_id,
            "product_id": line.product_id,
            "lot_id": line.lot_id,
            "quantity": line.quantity,
            "value": line.shipped_value,
        }
        for line in selectors.in_transit_lines(organization=organization)
    ]


# Lots ----------------------------------------------------------------------------------------------------------


def _lot_out(organization: Any, lot: Any, on_hand: Any = None) -> dict[str, Any]:
    stocks = selectors.lot_stock_by_warehouse(organization=organization, lot=lot)
    return {
        "id": lot.pk,
        "number": lot.number,
        "product_id": lot.product_id,
        "production_date": lot.production_date,
        "expiry_date": lot.expiry_date,
        "on_hand": sum((x.on_hand for x in stocks), 0) if on_hand is None else on_hand,
        "stock": [
            {"warehouse_id": x.warehouse_id, "warehouse_name": x.warehouse.name, "on_hand": x.on_hand} for x in stocks
        ],
    }


@lots_router.get("", response={200: list[s.LotOut], **ERRORS}, operation_id="lots_list")
@paginate(Paging)
def lots_list(request: HttpRequest, filters: Query[s.LotQuery]) -> Any:
    organization = org_of(request, P.VIEW_WAREHOUSE)
    return [
        _lot_out(organization, lot)
        for lot in selectors.lot_list(organization=organization, product=filters.product, q=filters.q or "")
    ]


@lots_router.get("/first-expiry", response={200: list[s.LotSuggestionOut], **ERRORS}, operation_id="lots_fefo")
def lots_fefo(request: HttpRequest, filters: Query[s.LotSuggestionQuery]) -> Any:
    """The lots an issue should take, first expiry first out (先到期先出)."""
    organization = org_of(request, P.VIEW_WAREHOUSE)
    product = get_scoped(Product, organization=organization, pk=filters.product, field="product")
    warehouse = get_scoped(Warehouse, organization=organization, pk=filters.warehouse, field="warehouse")
    return [
        {
            "lot_id": x.lot.pk,
            "lot_number": x.lot.number,
            "expiry_date": x.lot.expiry_date,
            "on_hand": x.on_hand,
            "quantity": x.quantity,
        }
        for x in selectors.lots_first_expiry_first_out(
            organization=organization, product=product, warehouse=warehouse, quantity=filters.quantity
        )
    ]


@lots_router.get("/{int:lot_id}", response={200: s.LotOut, **ERRORS}, operation_id="lots_get")
def lots_get(request: HttpRequest, lot_id: int) -> Any:
    organization = org_of(request, P.VIEW_WAREHOUSE)
    return _lot_out(organization, selectors.lot_get(organization=organization, pk=lot_id))


# Transfers -----------------------------------------------------------------------------------------------------


def _transfer(organization: Any, pk: int) -> Transfer:
    return Transfer.objects.prefetch_related("lines").get(
        pk=selectors.transfer_get(organization=organization, pk=pk).pk
    )


@transfers_router.get("", response={200: list[s.TransferOut], **ERRORS}, operation_id="transfers_list")
@paginate(Paging)
def transfers_list(request: HttpRequest, filters: Query[s.TransferQuery]) -> Any:
    organization = org_of(request, P.VIEW_WAREHOUSE)
    status = filters.status if filters.status in TransferStatus.values else ""
    return selectors.transfer_list(
        organization=organization, status=status or "", warehouse=filters.warehouse, q=filters.q or ""
    ).prefetch_related("lines")


@transfers_router.post("", response={201: s.TransferOut, **ERRORS}, operation_id="transfers_create")
def transfers_create(request: HttpRequest, payload: s.TransferIn) -> Any:
    organization = org_of(request, P.MOVE_STOCK)
    transfer = transfers.transfer_create(
        organization=organization,
        actor=request.user,
        date=payload.date,
        from_warehouse=payload.from_warehouse_id,
        to_warehouse=payload.to_warehouse_id,
        lines=[{"product": x.product_id, "lot": x.lot_id, "quantity": x.quantity} for x in payload.lines],
        notes=payload.notes,
    )
    return Status(201, _transfer(organization, transfer.pk))


@transfers_router.get("/{int:transfer_id}", response={200: s.TransferOut, **ERRORS}, operation_id="transfers_get")
def transfers_get(request: HttpRequest, transfer_id: int) -> Any:
    organization = org_of(request, P.VIEW_WAREHOUSE)
    return _transfer(organization, transfer_id)


@transfers_router.post(
    "/{int:transfer_id}/ship", response={200: s.TransferOut, **ERRORS}, operation_id="transfers_ship"
)
def transfers_ship(request: HttpRequest, transfer_id: int, payload: s.DateIn) -> Any:
    organization = org_of(request, P.MOVE_STOCK)
    transfers.transfer_ship(organization=organization, actor=request.user, transfer_id=transfer_id, date=payload.date)
    return _transfer(organization, transfer_id)


@transfers_router.post(
    "/{int:transfer_id}/receive", response={200: s.TransferOut, **ERRORS}, operation_id="transfers_receive"
)
def transfers_receive(request: HttpRequest, transfer_id: int, payload: s.ReceiveIn) -> Any:
    """Receive; lines not named arrived in full. A line received short is written off (Dr 190101 / Cr 1405)."""
    organization = org_of(request, P.MOVE_STOCK)
    transfers.transfer_receive(
        organization=organization,
        actor=request.user,
        transfer_id=transfer_id,
        date=payload.date,
        received={x.line_id: x.received_quantity for x in payload.lines},
    )
    return _transfer(organization, transfer_id)


@transfers_router.post(
    "/{int:transfer_id}/cancel", response={200: s.TransferOut, **ERRORS}, operation_id="transfers_cancel"
)
def transfers_cancel(request: HttpRequest, transfer_id: int) -> Any:
    organization = org_of(request, P.MOVE_STOCK)
    transfers.transfer_cancel(organization=organization, actor=request.user, transfer_id=transfer_id)
    return _transfer(organization, transfer_id)


# Stocktakes ----------------------------------------------------------------------------------------------------


def _stocktake(organization: Any, pk: int) -> Stocktake:
    found = selectors.stocktake_get(organization=organization, pk=pk)
    return Stocktake.objects.prefetch_related("lines").get(pk=found.pk)


@stocktakes_router.get("", response={200: list[s.StocktakeOut], **ERRORS}, operation_id="stocktakes_list")
@paginate(Paging)
def stocktakes_list(request: HttpRequest, filters: Query[s.StocktakeQuery]) -> Any:
    organization = org_of(request, P.VIEW_WAREHOUSE)
    status = filters.status if filters.status in StocktakeStatus.values else ""
    return selectors.stocktake_list(
        organization=organization, status=status or "", warehouse=filters.warehouse
    ).prefetch_related("lines")


@stocktakes_router.post("", response={201: s.StocktakeOut, **ERRORS}, operation_id="stocktakes_start")
def stocktakes_start(request: HttpRequest, payload: s.StocktakeIn) -> Any:
    """Start a count: freezes the book quantities (the count sheet)."""
    organization = org_of(request, P.COUNT_STOCK)
    stocktake = stocktakes.stocktake_start(
        organization=organization,
        actor=request.user,
        warehouse=payload.warehouse_id,
        category=payload.category_id,
        date=payload.date,
        notes=payload.notes,
    )
    return Status(201, _stocktake(organization, stocktake.pk))


@stocktakes_router.get("/{int:stocktake_id}", response={200: s.StocktakeOut, **ERRORS}, operation_id="stocktakes_get")
def stocktakes_get(request: HttpRequest, stocktake_id: int) -> Any:
    organization = org_of(request, P.VIEW_WAREHOUSE)
    return _stocktake(organization, stocktake_id)


@stocktakes_router.post(
    "/{int:stocktake_id}/counts", response={200: s.StocktakeOut, **ERRORS}, operation_id="stocktakes_count"
)
def stocktakes_count(request: HttpRequest, stocktake_id: int, payload: s.CountsIn) -> Any:
    """Enter counts: `line_id` for a line of the sheet, or `product_id` (+ `lot_id`) for goods found."""
    organization = org_of(request, P.COUNT_STOCK)
    rows = [{"line": x.line_id, "product": x.product_id, "lot": x.lot_id, "counted": x.counted} for x in payload.counts]
    stocktakes.stocktake_count(organization=organization, actor=request.user, stocktake_id=stocktake_id, counts=rows)
    return _stocktake(organization, stocktake_id)


def _transition(name: str, perm: str, service: Any, summary: str) -> None:
    @stocktakes_router.post(
        f"/{{int:stocktake_id}}/{name}",
        response={200: s.StocktakeOut, **ERRORS},
        operation_id=f"stocktakes_{name}",
        summary=summary,
    )
    def run(request: HttpRequest, stocktake_id: int) -> Any:
        organization = org_of(request, perm)
        service(organization=organization, actor=request.user, stocktake_id=stocktake_id)
        return _stocktake(organization, stocktake_id)


_transition("submit", P.COUNT_STOCK, stocktakes.stocktake_submit, "Submit the counts for approval")
_transition("reopen", P.COUNT_STOCK, stocktakes.stocktake_reopen, "Send back to counting")
_transition("approve", P.APPROVE_STOCKTAKE, stocktakes.stocktake_approve, "Approve")
_transition("cancel", P.COUNT_STOCK, stocktakes.stocktake_cancel, "Cancel")


@stocktakes_router.post(
    "/{int:stocktake_id}/post", response={200: s.StocktakeOut, **ERRORS}, operation_id="stocktakes_post"
)
def stocktakes_post(request: HttpRequest, stocktake_id: int, payload: s.DateIn) -> Any:
    """Post the differences (gain/loss moves and the 190101 voucher). Once: a second post is refused (409)."""
    organization = org_of(request, P.APPROVE_STOCKTAKE)
    stocktakes.stocktake_post(
        organization=organization, actor=request.user, stocktake_id=stocktake_id, date=payload.date
    )
    return _stocktake(organization, stocktake_id)
