"""Purchasing invariants for `suanpan verify` (readable differences; none means clean):

1. each order line's received quantity = Σ its receipt lines, its returned quantity = Σ the return lines
   against those receipts;
2. document totals = Σ lines (orders, receipts, returns: amount, tax, total).
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from django.db.models import Sum

from suanpan.core.models import Organization
from suanpan.core.money import ZERO, money, qty
from suanpan.purchasing.models import (
    PurchaseOrder,
    PurchaseOrderLine,
    PurchaseReturn,
    PurchaseReturnLine,
    Receipt,
    ReceiptLine,
)


def received_matches_receipts(org: Organization) -> list[str]:
    received: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for row in ReceiptLine.objects.filter(organization=org).values("order_line_id").annotate(q=Sum("quantity")):
        received[row["order_line_id"]] = qty(row["q"])
    returned: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for row in (
        PurchaseReturnLine.objects.filter(organization=org)
        .values("receipt_line__order_line_id")
        .annotate(q=Sum("quantity"))
    ):
        returned[row["receipt_line__order_line_id"]] = qty(row["q"])
    problems = []
    for line in PurchaseOrderLine.objects.filter(organization=org).select_related("order"):
        label = f"order {line.order.number or '#' + str(line.order_id)} line {line.seq}"
        if line.received_quantity != received[line.pk]:
            problems.append(f"{label}: received {line.received_quantity}, receipts say {received[line.pk]}")
        if line.returned_quantity != returned[line.pk]:
            problems.append(f"{label}: returned {line.returned_quantity}, returns say {returned[line.pk]}")
    return problems


def totals_match_lines(org: Organization) -> list[str]:
    problems = []
    documents = (
        (PurchaseOrder, PurchaseOrderLine, "order"),
        (Receipt, ReceiptLine, "receipt"),
        (PurchaseReturn, PurchaseReturnLine, "purchase_return"),
    )
    for model, line_model, fk in documents:
        sums = {
            row[fk]: row
            for row in line_model.objects.filter(organization=org)
            .values(fk)
            .annotate(amount=Sum("amount"), tax=Sum("tax"), total=Sum("total"))
        }
        for doc in model.objects.filter(organization=org):
            found = sums.get(doc.pk, {})
            row = {k: money(found.get(k) or ZERO) for k in ("amount", "tax", "total")}  # SQLite sums as floats
            tax = row["tax"]
            # a small-scale taxpayer's receipt keeps no VAT of its own: it is in the cost (cost = total)
            vat_in_cost = model is not PurchaseOrder and doc.tax == 0 and getattr(doc, "cost", None) == doc.total
            tax_ok = doc.tax == tax or vat_in_cost
            if (doc.amount, doc.total) != (row["amount"] or ZERO, row["total"] or ZERO) or not tax_ok:
                problems.append(
                    f"{model._meta.verbose_name} {doc.number or doc.pk}: {doc.amount}/{doc.tax}/{doc.total} "
                    f"≠ lines {row['amount']}/{tax}/{row['total']}"
                )
    return problems
