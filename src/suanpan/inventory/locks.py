"""Locking reads for stock: the stock-level rows a service will change, locked in primary-key order."""

from __future__ import annotations

from collections.abc import Iterable

from suanpan.core.models import Organization
from suanpan.core.records import get_scoped
from suanpan.inventory.models import StockLevel, Stocktake, Transfer


def lock_levels(organization: Organization, keys: Iterable[tuple[int, int]]) -> dict[tuple[int, int], StockLevel]:
    """The StockLevel rows of the (product_id, warehouse_id) pairs, created where missing, locked by primary key.

    Rows are created first with conflicts ignored, so two transactions adding the same new pair never fail; the
    locks are then taken in one ordered query, so two services locking overlapping sets cannot deadlock.
    """
    wanted = sorted(set(keys))
    StockLevel.objects.bulk_create(
        [StockLevel(organization=organization, product_id=p, warehouse_id=w) for p, w in wanted],
        ignore_conflicts=True,
    )
    query = StockLevel.objects.none()
    for product_id, warehouse_id in wanted:
        query |= StockLevel.objects.filter(organization=organization, product_id=product_id, warehouse_id=warehouse_id)
    rows = list(query.select_for_update().order_by("pk"))
    return {(row.product_id, row.warehouse_id): row for row in rows}


def lock_transfer(organization: Organization, pk: object) -> Transfer:
    """The transfer row, locked (another organization's is not found)."""
    found = get_scoped(Transfer, organization=organization, pk=pk)
    return Transfer.objects.select_for_update().get(organization=organization, pk=found.pk)


def lock_stocktake(organization: Organization, pk: object) -> Stocktake:
    """The stocktake row, locked (another organization's is not found)."""
    found = get_scoped(Stocktake, organization=organization, pk=pk)
    return Stocktake.objects.select_for_update().get(organization=organization, pk=found.pk)
