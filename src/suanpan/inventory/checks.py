"""`suanpan verify` checks of the stock ledger (registered in `suanpan/verify.py`).

1. Stock levels = Σ moves: for every product × warehouse, `StockLevel.on_hand` = Σ move quantities and
   `StockLevel.value` = Σ move values; every move's pair has a level row.
2. Lot stock = Σ moves: for every lot × warehouse, `LotStock.on_hand` = Σ move quantities of that lot.
3. No negative on-hand (product or lot) unless the organization allows negative stock.
4. Inventory account (1405) = stock value, document by document. The rule checked: for every document that
   posts vouchers (its `source_type` is in `VOUCHERED_SOURCES`), Σ values of its stock moves + the value it
   still holds in transit = Σ (debit − credit) on 1405 of its posted vouchers (same source type and id). A
   transfer with no shortage has moves summing to zero once received, and no voucher; while in transit its
   moves sum to −(value in transit). A whole-ledger comparison (GL 1405 = Σ stock value + in transit) holds
   only when every stock move comes from such a document and nobody books 1405 by hand (opening stock and
   opening balances are entered separately, manual vouchers exist), so the check ties each document to its own
   vouchers instead, which pins down every place where the two ledgers could drift apart.
   Other apps add their document types to `VOUCHERED_SOURCES` (e.g. "purchasing.receipt").
   Under monthly average a costing run revalues a month's outgoing moves and books the difference under its own
   voucher (source `inventory.costing_run`, dated the month's last day), not the documents'. So in a month that
   has a costing run, every document with an outgoing move other than a transfer is pooled with the run's
   vouchers: Σ values of those documents' moves = Σ 1405 of their vouchers + the runs' vouchers of that month.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

from suanpan.accounting.choices import VoucherStatus
from suanpan.accounting.models import VoucherLine
from suanpan.core.choices import CostingMethod
from suanpan.core.models import Organization
from suanpan.core.money import ZERO
from suanpan.inventory.choices import MoveKind, TransferStatus
from suanpan.inventory.costing import SOURCE_TYPE as COSTING_RUN
from suanpan.inventory.models import CostingRun, LotStock, StockLevel, StockMove, TransferLine
from suanpan.inventory.vouchers import INVENTORY_ACCOUNT

VOUCHERED_SOURCES: set[str] = {"inventory.transfer", "inventory.stocktake"}


def _fmt(value: Decimal) -> str:
    return format(value.normalize(), "f") if value == value.to_integral() else str(value)


def levels_match_moves(org: Organization) -> list[str]:
    sums: dict[Any, tuple[Decimal, Decimal]] = {}
    for product_id, warehouse_id, quantity, value in StockMove.objects.filter(organization=org).values_list(
        "product_id", "warehouse_id", "quantity", "value"
    ):
        q, v = sums.get((product_id, warehouse_id), (ZERO, ZERO))
        sums[(product_id, warehouse_id)] = (q + quantity, v + value)
    problems: list[str] = []
    levels = StockLevel.objects.filter(organization=org).order_by("product_id", "warehouse_id")
    seen = set()
    for level in levels:
        key = (level.product_id, level.warehouse_id)
        seen.add(key)
        q, v = sums.get(key, (ZERO, ZERO))
        if level.on_hand != q or level.value != v:
            problems.append(
                f"product #{key[0]} in warehouse #{key[1]}: level {_fmt(level.on_hand)} worth {level.value}, "
                f"moves {_fmt(q)} worth {v}"
            )
    for key in sorted(set(sums) - seen):
        problems.append(f"product #{key[0]} in warehouse #{key[1]}: moves but no stock level row")
    return problems


def lots_match_moves(org: Organization) -> list[str]:
    sums: dict[tuple[int, int], Decimal] = defaultdict(lambda: ZERO)
    for lot_id, warehouse_id, quantity in StockMove.objects.filter(organization=org, lot__isnull=False).values_list(
        "lot_id", "warehouse_id", "quantity"
    ):
        sums[(lot_id, warehouse_id)] += quantity
    problems = []
    seen = set()
    for row in LotStock.objects.filter(organization=org).order_by("lot_id", "warehouse_id"):
        key = (row.lot_id, row.warehouse_id)
        seen.add(key)
        q = sums.get(key, ZERO)
        if row.on_hand != q:
            problems.append(f"lot #{key[0]} in warehouse #{key[1]}: lot stock {_fmt(row.on_hand)}, moves {_fmt(q)}")
    for key in sorted(set(sums) - seen):
        problems.append(f"lot #{key[0]} in warehouse #{key[1]}: moves but no lot stock row")
    return problems


def no_negative_stock(org: Organization) -> list[str]:
    if org.allow_negative_stock:
        return []
    problems = [
        f"product #{r.product_id} in warehouse #{r.warehouse_id}: {_fmt(r.on_hand)} on hand"
        for r in StockLevel.objects.filter(organization=org, on_hand__lt=0).order_by("pk")
    ]
    problems += [
        f"lot #{r.lot_id} in warehouse #{r.warehouse_id}: {_fmt(r.on_hand)} on hand"
        for r in LotStock.objects.filter(organization=org, on_hand__lt=0).order_by("pk")
    ]
    return problems


Key = tuple[str, int | None]


def _costed_documents(org: Organization) -> dict[Key, Key]:
    """{document key: month pool key} for the documents whose outgoing moves a costing run may have revalued."""
    if org.costing_method != CostingMethod.MONTHLY_AVERAGE:
        return {}
    months = {run.year * 100 + run.month for run in CostingRun.objects.filter(organization=org)}
    pooled: dict[Key, Key] = {}
    for source_type, source_id, day in (
        StockMove.objects.filter(
            organization=org, source_type__in=VOUCHERED_SOURCES, source_id__isnull=False, quantity__lt=0
        )
        .exclude(kind=MoveKind.TRANSFER_OUT)
        .values_list("source_type", "source_id", "date")
    ):
        if day.year * 100 + day.month in months:
            pooled[(source_type, source_id)] = (COSTING_RUN, day.year * 100 + day.month)
    return pooled


def inventory_account_matches_documents(org: Organization) -> list[str]:
    pooled = _costed_documents(org)
    stock: dict[Key, Decimal] = defaultdict(lambda: ZERO)
    for source_type, source_id, value in StockMove.objects.filter(
        organization=org, source_type__in=VOUCHERED_SOURCES, source_id__isnull=False
    ).values_list("source_type", "source_id", "value"):
        key = (source_type, source_id)
        stock[pooled.get(key, key)] += value
    for transfer_id, value in TransferLine.objects.filter(
        organization=org, transfer__status=TransferStatus.SHIPPED
    ).values_list("transfer_id", "shipped_value"):
        stock[("inventory.transfer", transfer_id)] += value
    books: dict[Key, Decimal] = defaultdict(lambda: ZERO)
    for source_type, source_id, day, debit, credit in VoucherLine.objects.filter(
        voucher__organization=org,
        voucher__status=VoucherStatus.POSTED,
        voucher__source_type__in=VOUCHERED_SOURCES | {COSTING_RUN},
        voucher__source_id__isnull=False,
        account__code=INVENTORY_ACCOUNT,
    ).values_list("voucher__source_type", "voucher__source_id", "voucher__date", "debit", "credit"):
        key = (COSTING_RUN, day.year * 100 + day.month) if source_type == COSTING_RUN else (source_type, source_id)
        books[pooled.get(key, key)] += debit - credit
    problems = []
    for key in sorted(set(stock) | set(books), key=lambda k: (k[0], k[1] or 0)):
        if stock[key] != books[key]:
            what = f"costing run {key[1]}: documents it revalued" if key[0] == COSTING_RUN else f"{key[0]} #{key[1]}"
            problems.append(f"{what}: stock moves (+ in transit) worth {stock[key]}, inventory account {books[key]}")
    return problems
