"""Locking reads of purchase documents: the document row first, then its lines in primary-key order."""

from __future__ import annotations

from suanpan.core.models import Organization
from suanpan.core.records import get_scoped
from suanpan.purchasing.models import PurchaseOrder, PurchaseOrderLine, Receipt, ReceiptLine


def lock_order(organization: Organization, pk: object) -> tuple[PurchaseOrder, list[PurchaseOrderLine]]:
    found = get_scoped(PurchaseOrder, organization=organization, pk=pk)
    order = (
        PurchaseOrder.objects.select_for_update(of=("self",)).select_related("supplier", "warehouse").get(pk=found.pk)
    )
    lines = list(
        PurchaseOrderLine.objects.select_for_update(of=("self",))
        .filter(order=order)
        .select_related("product")
        .order_by("pk")
    )
    return order, lines


def lock_receipt(organization: Organization, pk: object) -> tuple[Receipt, list[ReceiptLine]]:
    found = get_scoped(Receipt, organization=organization, pk=pk)
    receipt = (
        Receipt.objects.select_for_update(of=("self",))
        .select_related("supplier", "warehouse", "order")
        .get(pk=found.pk)
    )
    lines = list(
        ReceiptLine.objects.select_for_update(of=("self",))
        .filter(receipt=receipt)
        .select_related("product", "lot")
        .order_by("pk")
    )
    return receipt, lines
