"""What inventory's reorder suggestions need from purchasing, registered with `inventory.reorder.register_purchasing`
(inventory never imports purchasing): open order quantities, the supplier of each product's last receipt, and
draft purchase orders made through `services.purchase_order_create`."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from decimal import Decimal

from django.db.models import F, Sum
from django.utils import timezone

from suanpan.catalog.models import Product
from suanpan.core.models import Organization
from suanpan.core.money import price
from suanpan.core.types import Actor
from suanpan.purchasing import services
from suanpan.purchasing.choices import OrderStatus
from suanpan.purchasing.models import PurchaseOrder, PurchaseOrderLine, ReceiptLine

OPEN_STATUSES = (OrderStatus.DRAFT, OrderStatus.APPROVED, OrderStatus.PARTIALLY_RECEIVED)


def open_quantities(organization: Organization) -> dict[tuple[int, int], Decimal]:
    """Ordered and not yet received, per product × the order's warehouse (draft orders count: they are on the
    way to being sent, and ordering twice is the mistake to avoid)."""
    rows = (
        PurchaseOrderLine.objects.filter(organization=organization, order__status__in=OPEN_STATUSES)
        .values("product_id", "order__warehouse_id")
        .annotate(q=Sum(F("quantity") - F("received_quantity")))
    )
    return {(r["product_id"], r["order__warehouse_id"]): r["q"] for r in rows if r["q"] and r["q"] > 0}


def last_suppliers(organization: Organization, product_ids: Sequence[int]) -> dict[int, int]:
    """product id → the supplier of its latest receipt (else of its latest order)."""
    found: dict[int, int] = {}
    receipts = (
        ReceiptLine.objects.filter(organization=organization, product_id__in=product_ids)
        .order_by("product_id", "-receipt__date", "-id")
        .values_list("product_id", "receipt__supplier_id")
    )
    for product_id, supplier_id in receipts:
        found.setdefault(product_id, supplier_id)
    orders = (
        PurchaseOrderLine.objects.filter(organization=organization, product_id__in=product_ids)
        .exclude(product_id__in=list(found))
        .order_by("product_id", "-order__date", "-id")
        .values_list("product_id", "order__supplier_id")
    )
    for product_id, supplier_id in orders:
        found.setdefault(product_id, supplier_id)
    return found


def _unit_price(organization: Organization, product: Product) -> Decimal:
    """The last order price, else the product's purchase price without its VAT."""
    last = (
        PurchaseOrderLine.objects.filter(organization=organization, product=product)
        .order_by("-order__date", "-id")
        .values_list("unit_price", flat=True)
        .first()
    )
    return last if last is not None else price(product.purchase_price / (1 + product.vat_rate.rate))


def create_draft_orders(
    *,
    organization: Organization,
    actor: Actor,
    supplier_id: int,
    warehouse_id: int,
    lines: Sequence[tuple[int, Decimal]],
) -> PurchaseOrder:
    products = Product.objects.select_related("vat_rate").in_bulk([p for p, _q in lines])
    today: datetime.date = timezone.localdate()
    rows = [
        {
            "product_id": product_id,
            "quantity": quantity,
            "unit_price": _unit_price(organization, products[product_id]) if product_id in products else Decimal(0),
        }
        for product_id, quantity in lines
    ]
    return services.purchase_order_create(
        organization=organization,
        actor=actor,
        data={"supplier_id": supplier_id, "warehouse_id": warehouse_id, "date": today, "lines": rows},
    )


def register() -> None:
    from suanpan.inventory.reorder import register_purchasing

    register_purchasing(
        open_quantities=open_quantities, last_suppliers=last_suppliers, create_draft_orders=create_draft_orders
    )
