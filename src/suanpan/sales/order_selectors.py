"""Reads for the sales order pages and API: the order list, one order, what a warehouse can promise of a product,
and the documents made against an order."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q, QuerySet

from suanpan.catalog.models import Product
from suanpan.core.models import Organization
from suanpan.core.money import ZERO
from suanpan.core.records import get_scoped
from suanpan.inventory.models import StockLevel, Warehouse
from suanpan.sales.models import Delivery, Invoice, SalesOrder


def order_list(*, organization: Organization) -> QuerySet[SalesOrder]:
    return SalesOrder.objects.filter(organization=organization).select_related("customer", "warehouse", "salesperson")


def order_get(*, organization: Organization, pk: object) -> SalesOrder:
    return get_scoped(SalesOrder, organization=organization, pk=pk)


@dataclass(frozen=True)
class Availability:
    """What a warehouse holds of a product and can still promise (on hand − reserved), read without a lock: a
    hint while entering an order; confirming checks it again under the lock."""

    product: Product
    warehouse: Warehouse
    on_hand: Decimal
    reserved: Decimal

    @property
    def available(self) -> Decimal:
        return self.on_hand - self.reserved


def availability(*, organization: Organization, product: Product, warehouse: Warehouse) -> Availability:
    level = StockLevel.objects.filter(organization=organization, product=product, warehouse=warehouse).first()
    if level is None:
        return Availability(product, warehouse, ZERO, ZERO)
    return Availability(product, warehouse, level.on_hand, level.reserved)


def order_deliveries(*, organization: Organization, order: SalesOrder) -> QuerySet[Delivery]:
    return (
        Delivery.objects.filter(organization=organization, lines__order_line__order=order)
        .distinct()
        .order_by("date", "id")
    )


def order_invoices(*, organization: Organization, order: SalesOrder) -> QuerySet[Invoice]:
    return (
        Invoice.objects.filter(
            Q(lines__order_line__order=order) | Q(lines__delivery_line__order_line__order=order),
            organization=organization,
        )
        .distinct()
        .order_by("date", "id")
    )
