"""Rows of the stock documents (transfers, stocktakes, lots) made through the real services, for the
cross-cutting suites (isolation, permissions): each maker opens what it needs in the given organization."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils import timezone

from suanpan.catalog import services as catalog
from suanpan.catalog.models import Product
from suanpan.core.models import Organization
from suanpan.inventory import stocktakes, transfers
from suanpan.inventory.choices import MoveKind
from suanpan.inventory.models import Lot, Stocktake, Transfer, Warehouse
from suanpan.inventory.posting import MoveSpec
from suanpan.inventory.services import stock_post, warehouse_create
from tests.resources import make_product, unit, vat


def _places(org: Organization) -> tuple[Warehouse, Warehouse]:
    a = Warehouse.objects.filter(organization=org, code="STK-A").first() or warehouse_create(
        organization=org, actor=None, data={"code": "STK-A", "name": "调出仓"}
    )
    b = Warehouse.objects.filter(organization=org, code="STK-B").first() or warehouse_create(
        organization=org, actor=None, data={"code": "STK-B", "name": "调入仓"}
    )
    return a, b


def stocked_product(org: Organization) -> Product:
    """A product with 10 @ 5.00 in the organization's first stock warehouse."""
    source, _destination = _places(org)
    product = Product.objects.filter(organization=org, code="P-X").first() or make_product(org)
    stock_post(
        organization=org,
        actor=None,
        date=timezone.localdate(),
        moves=[MoveSpec(product.pk, source.pk, Decimal("10"), MoveKind.RECEIPT, unit_cost=Decimal("5.00"))],
    )
    return product


def make_transfer(org: Organization, state: str = "draft") -> Transfer:
    source, destination = _places(org)
    product = stocked_product(org)
    transfer = transfers.transfer_create(
        organization=org,
        actor=None,
        date=timezone.localdate(),
        from_warehouse=source.pk,
        to_warehouse=destination.pk,
        lines=[{"product": product.pk, "quantity": "1"}],
    )
    if state in ("shipped", "received"):
        transfers.transfer_ship(organization=org, actor=None, transfer_id=transfer.pk, date=timezone.localdate())
    if state == "received":
        transfers.transfer_receive(organization=org, actor=None, transfer_id=transfer.pk, date=timezone.localdate())
    transfer.refresh_from_db()
    return transfer


def make_stocktake(org: Organization, state: str = "counting") -> Stocktake:
    source, _destination = _places(org)
    stocked_product(org)
    stocktake = stocktakes.stocktake_start(organization=org, actor=None, warehouse=source.pk, date=timezone.localdate())
    if state in ("submitted", "approved"):
        counts = [{"line": line.pk, "counted": line.book_quantity} for line in stocktake.lines.all()]
        stocktakes.stocktake_count(organization=org, actor=None, stocktake_id=stocktake.pk, counts=counts)
        stocktakes.stocktake_submit(organization=org, actor=None, stocktake_id=stocktake.pk)
    if state == "approved":
        stocktakes.stocktake_approve(organization=org, actor=None, stocktake_id=stocktake.pk)
    stocktake.refresh_from_db()
    return stocktake


def make_lot(org: Organization) -> Lot:
    product = catalog.product_create(
        organization=org,
        actor=None,
        data={"code": "P-LOT", "name": "批次商品", "unit": unit(org), "vat_rate": vat(org), "is_batch_tracked": True},
    )
    return Lot.objects.create(organization=org, product=product, number="LOT-X")


def transfer_payload(org: Organization) -> dict[str, Any]:
    source, destination = _places(org)
    product = Product.objects.filter(organization=org).first() or make_product(org)
    return {
        "date": timezone.localdate().isoformat(),
        "from_warehouse_id": source.pk,
        "to_warehouse_id": destination.pk,
        "lines": [{"product_id": product.pk, "quantity": "1"}],
    }


def today(org: Organization) -> dict[str, Any]:
    return {"date": timezone.localdate().isoformat()}
