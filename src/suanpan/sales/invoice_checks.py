"""Invoice invariants for `suanpan verify` (readable differences; none means clean):

1. each delivery line's and order line's `invoiced_quantity` = Σ the quantities of its invoice lines (credit notes
   count negative);
2. invoice and credit-note totals = Σ their lines (amount, tax, total);
3. each invoice or credit note worth something has exactly one receivable open item, of the customer, for its
   total (signed: a credit note's is negative); one worth nothing has none.
The receivable control account 1122 = Σ open receivables is finance's check (`finance.checks`), which covers the
vouchers of the source types sales registers (`sales.invoice`).
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from django.db.models import Sum

from suanpan.core.models import Organization
from suanpan.core.money import ZERO, money, qty
from suanpan.finance.choices import OpenItemKind
from suanpan.finance.models import OpenItem
from suanpan.sales.invoicing import SOURCE
from suanpan.sales.models import DeliveryLine, Invoice, InvoiceLine, SalesOrderLine


def invoiced_matches_invoice_lines(org: Organization) -> list[str]:
    by_delivery_line: dict[int, Decimal] = defaultdict(lambda: ZERO)
    by_order_line: dict[int, Decimal] = defaultdict(lambda: ZERO)
    lines = InvoiceLine.objects.filter(organization=org)
    for row in lines.filter(delivery_line__isnull=False).values("delivery_line_id").annotate(q=Sum("quantity")):
        by_delivery_line[row["delivery_line_id"]] = qty(row["q"] or ZERO)  # SQLite sums decimals as floats
    for row in lines.filter(order_line__isnull=False).values("order_line_id").annotate(q=Sum("quantity")):
        by_order_line[row["order_line_id"]] = qty(row["q"] or ZERO)
    problems = []
    for dl in DeliveryLine.objects.filter(organization=org).select_related("delivery").order_by("pk"):
        if dl.invoiced_quantity != by_delivery_line[dl.pk]:
            problems.append(
                f"delivery {dl.delivery.number} line #{dl.pk}: invoiced {dl.invoiced_quantity}, "
                f"invoices say {by_delivery_line[dl.pk]}"
            )
    for ol in SalesOrderLine.objects.filter(organization=org).select_related("order").order_by("pk"):
        if ol.invoiced_quantity != by_order_line[ol.pk]:
            problems.append(
                f"sales order {ol.order.number or '#' + str(ol.order_id)} line {ol.seq}: invoiced "
                f"{ol.invoiced_quantity}, invoices say {by_order_line[ol.pk]}"
            )
    return problems


def invoice_totals_match_lines(org: Organization) -> list[str]:
    sums = {
        row["invoice"]: row
        for row in InvoiceLine.objects.filter(organization=org)
        .values("invoice")
        .annotate(amount=Sum("amount"), tax=Sum("tax"), total=Sum("total"))
    }
    problems = []
    for invoice in Invoice.objects.filter(organization=org).order_by("pk"):
        found = sums.get(invoice.pk, {})
        row = tuple(money(found.get(k) or ZERO) for k in ("amount", "tax", "total"))
        if (invoice.amount, invoice.tax, invoice.total) != row:
            problems.append(
                f"invoice {invoice.number}: {invoice.amount}/{invoice.tax}/{invoice.total} ≠ lines "
                f"{row[0]}/{row[1]}/{row[2]}"
            )
    return problems


def invoices_have_their_receivable(org: Organization) -> list[str]:
    items: dict[int, list[OpenItem]] = defaultdict(list)
    for item in OpenItem.objects.filter(organization=org, source_type=SOURCE).order_by("pk"):
        items[item.source_id].append(item)
    problems = []
    for invoice in Invoice.objects.filter(organization=org).order_by("pk"):
        mine = items.pop(invoice.pk, [])
        expected = [(OpenItemKind.RECEIVABLE, invoice.customer_id, invoice.total)] if invoice.total else []
        actual = [(i.kind, i.partner_id, i.amount) for i in mine]
        if actual != expected:
            problems.append(
                f"invoice {invoice.number}: total {invoice.total}, receivable items "
                f"{[f'{i.kind} #{i.partner_id} {i.amount}' for i in mine] or 'none'}"
            )
    for source_id, orphans in sorted(items.items()):
        problems.append(f"open item {orphans[0].source_label} #{orphans[0].pk}: no invoice #{source_id}")
    return problems
