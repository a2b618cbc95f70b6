from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q, QuerySet

from suanpan.catalog.models import Product
from suanpan.core.models import Organization
from suanpan.core.money import ZERO
from suanpan.core.records import get_scoped
from suanpan.inventory.choices import TransferStatus
from suanpan.inventory.models import (
    Lot,
    LotStock,
    StockLevel,
    StockMove,
    Stocktake,
    Transfer,
    TransferLine,
    Warehouse,
)


def warehouse_list(*, organization: Organization) -> QuerySet[Warehouse]:
    return Warehouse.objects.filter(organization=organization).select_related("manager")


def warehouse_get(*, organization: Organization, pk: object) -> Warehouse:
    return get_scoped(Warehouse, organization=organization, pk=pk)


# Stock: balances, ledger, lots, in transit --------------------------------------------------------------------


def stock_level_list(
    *,
    organization: Organization,
    warehouse: int | None = None,
    product: int | None = None,
    q: str = "",
    nonzero: bool = True,
) -> QuerySet[StockLevel]:
    """Stock balances per product × warehouse (on hand, reserved, value), by warehouse then product code."""
    rows = StockLevel.objects.filter(organization=organization).select_related("product__unit", "warehouse")
    if warehouse:
        rows = rows.filter(warehouse_id=warehouse)
    if product:
        rows = rows.filter(product_id=product)
    if q:
        rows = rows.filter(Q(product__search_text__icontains=q.lower()) | Q(product__code__icontains=q))
    if nonzero:
        rows = rows.exclude(on_hand=0, value=0, reserved=0)
    return rows.order_by("warehouse__code", "product__code", "pk")


def lot_stock_list(
    *, organization: Organization, warehouse: int | None = None, product: int | None = None, q: str = ""
) -> QuerySet[LotStock]:
    """On-hand quantities per lot × warehouse (batch-tracked products), nonzero, earliest expiry first."""
    rows = (
        LotStock.objects.filter(organization=organization)
        .exclude(on_hand=0)
        .select_related("product__unit", "warehouse", "lot")
    )
    if warehouse:
        rows = rows.filter(warehouse_id=warehouse)
    if product:
        rows = rows.filter(product_id=product)
    if q:
        rows = rows.filter(
            Q(product__search_text__icontains=q.lower()) | Q(product__code__icontains=q) | Q(lot__number__icontains=q)
        )
    return rows.order_by("warehouse__code", "product__code", "lot__expiry_date", "lot__number", "pk")


@dataclass(frozen=True)
class LedgerRow:
    move: StockMove
    balance_quantity: Decimal
    balance_value: Decimal


def product_stock_ledger(
    *,
    organization: Organization,
    product: Product,
    warehouse: int | None = None,
    start: datetime.date | None = None,
    end: datetime.date | None = None,
) -> tuple[Decimal, Decimal, list[LedgerRow]]:
    """(opening quantity, opening value, rows): the moves of one product (one warehouse or all) in a date range,
    each with the running quantity and value after it. Opening = Σ moves dated before `start`."""
    moves = StockMove.objects.filter(organization=organization, product=product)
    if warehouse:
        moves = moves.filter(warehouse_id=warehouse)
    opening_q, opening_v = ZERO, ZERO
    if start is not None:
        for quantity, value in moves.filter(date__lt=start).values_list("quantity", "value"):
            opening_q, opening_v = opening_q + quantity, opening_v + value  # exact: SQLite's SUM is floating point
        moves = moves.filter(date__gte=start)
    if end is not None:
        moves = moves.filter(date__lte=end)
    rows = []
    quantity, value = opening_q, opening_v
    for move in moves.select_related("warehouse", "lot", "created_by").order_by("date", "id"):
        quantity += move.quantity
        value += move.value
        rows.append(LedgerRow(move, quantity, value))
    return opening_q, opening_v, rows


def lot_list(*, organization: Organization, product: int | None = None, q: str = "") -> QuerySet[Lot]:
    rows = Lot.objects.filter(organization=organization).select_related("product")
    if product:
        rows = rows.filter(product_id=product)
    if q:
        rows = rows.filter(Q(number__icontains=q) | Q(product__code__icontains=q) | Q(product__name__icontains=q))
    return rows.order_by("product__code", "expiry_date", "number", "pk")


def lot_on_hand(*, organization: Organization, lots: list[Lot]) -> dict[int, Decimal]:
    """Total on hand of each lot over all warehouses (added up in Python: SQLite's SUM is floating point)."""
    totals: dict[int, Decimal] = {lot.pk: ZERO for lot in lots}
    for lot_id, on_hand in LotStock.objects.filter(organization=organization, lot__in=lots).values_list(
        "lot_id", "on_hand"
    ):
        totals[lot_id] += on_hand
    return totals


def lot_get(*, organization: Organization, pk: object) -> Lot:
    return get_scoped(Lot, organization=organization, pk=pk)


def lot_stock_by_warehouse(*, organization: Organization, lot: Lot) -> list[LotStock]:
    return list(
        LotStock.objects.filter(organization=organization, lot=lot)
        .select_related("warehouse")
        .order_by("warehouse__code")
    )


@dataclass(frozen=True)
class LotSuggestion:
    lot: Lot
    quantity: Decimal
    on_hand: Decimal


def lots_first_expiry_first_out(
    *, organization: Organization, product: Product, warehouse: Warehouse | int, quantity: Decimal
) -> list[LotSuggestion]:
    """The lots an issue of `quantity` should take (先到期先出): lots with stock in the warehouse, the earliest
    expiry first (lots without an expiry date last, then by lot number). May cover less than `quantity` when
    the warehouse holds less; the caller decides what to do with the shortfall."""
    warehouse_id = warehouse if isinstance(warehouse, int) else warehouse.pk
    stocks = (
        LotStock.objects.filter(organization=organization, product=product, warehouse_id=warehouse_id, on_hand__gt=0)
        .select_related("lot")
        .order_by("lot__expiry_date", "lot__number", "lot_id")
    )
    dated = [s for s in stocks if s.lot.expiry_date is not None]
    undated = [s for s in stocks if s.lot.expiry_date is None]
    suggestions = []
    remaining = quantity
    for stock in dated + undated:
        if remaining <= 0:
            break
        take = min(stock.on_hand, remaining)
        suggestions.append(LotSuggestion(stock.lot, take, stock.on_hand))
        remaining -= take
    return suggestions


def in_transit_lines(*, organization: Organization, warehouse: int | None = None) -> QuerySet[TransferLine]:
    """Lines of shipped, not yet received transfers: goods in transit (out of the source, in no warehouse)."""
    rows = TransferLine.objects.filter(organization=organization, transfer__status=TransferStatus.SHIPPED)
    if warehouse:
        rows = rows.filter(Q(transfer__from_warehouse_id=warehouse) | Q(transfer__to_warehouse_id=warehouse))
    return rows.select_related("transfer__from_warehouse", "transfer__to_warehouse", "product__unit", "lot").order_by(
        "transfer__shipped_on", "transfer_id", "seq"
    )


def in_transit_value(*, organization: Organization) -> Decimal:
    return sum(in_transit_lines(organization=organization).values_list("shipped_value", flat=True), ZERO)


@dataclass(frozen=True)
class ProductStock:
    warehouse: Warehouse
    on_hand: Decimal
    reserved: Decimal
    available: Decimal
    in_transit: Decimal


def product_stock_by_warehouse(*, organization: Organization, product: Product) -> list[ProductStock]:
    """On hand, reserved, available and incoming in transit per warehouse, for the product page."""
    levels = {
        row.warehouse_id: row
        for row in StockLevel.objects.filter(organization=organization, product=product).select_related("warehouse")
    }
    incoming: dict[int, Decimal] = {}
    for line in in_transit_lines(organization=organization).filter(product=product):
        wid = line.transfer.to_warehouse_id
        incoming[wid] = incoming.get(wid, ZERO) + line.quantity
    warehouses = {level.warehouse_id: level.warehouse for level in levels.values()}
    if incoming:
        warehouses.update({w.pk: w for w in Warehouse.objects.filter(organization=organization, pk__in=incoming)})
    result = []
    for wid, place in sorted(warehouses.items(), key=lambda kv: kv[1].code):
        level = levels.get(wid)
        on_hand = level.on_hand if level else ZERO
        reserved = level.reserved if level else ZERO
        if on_hand == 0 and reserved == 0 and wid not in incoming:
            continue
        result.append(ProductStock(place, on_hand, reserved, on_hand - reserved, incoming.get(wid, ZERO)))
    return result


# Documents ----------------------------------------------------------------------------------------------------


def transfer_list(
    *, organization: Organization, status: str = "", warehouse: int | None = None, q: str = ""
) -> QuerySet[Transfer]:
    rows = Transfer.objects.filter(organization=organization).select_related("from_warehouse", "to_warehouse")
    if status:
        rows = rows.filter(status=status)
    if warehouse:
        rows = rows.filter(Q(from_warehouse_id=warehouse) | Q(to_warehouse_id=warehouse))
    if q:
        rows = rows.filter(Q(number__icontains=q) | Q(notes__icontains=q))
    return rows.order_by("-date", "-id")


def transfer_get(*, organization: Organization, pk: object) -> Transfer:
    return get_scoped(Transfer, organization=organization, pk=pk)


def stocktake_list(
    *, organization: Organization, status: str = "", warehouse: int | None = None
) -> QuerySet[Stocktake]:
    rows = Stocktake.objects.filter(organization=organization).select_related("warehouse", "category")
    if status:
        rows = rows.filter(status=status)
    if warehouse:
        rows = rows.filter(warehouse_id=warehouse)
    return rows.order_by("-date", "-id")


def stocktake_get(*, organization: Organization, pk: object) -> Stocktake:
    return get_scoped(Stocktake, organization=organization, pk=pk)


def document_moves(*, organization: Organization, source_type: str, source_id: int) -> QuerySet[StockMove]:
    """The stock moves a document posted."""
    return (
        StockMove.objects.filter(organization=organization, source_type=source_type, source_id=source_id)
        .select_related("product", "warehouse", "lot")
        .order_by("id")
    )
