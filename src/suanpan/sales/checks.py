"""Sales invariants for `suanpan verify` (readable differences; none means clean):

1. reservations: for every product × warehouse, `StockLevel.reserved` = Σ `reserved_quantity` of the lines of
   orders that hold stock (confirmed, partially delivered); a line of an order in any other state holds nothing;
2. each order line's delivered quantity = Σ its delivery lines, its returned quantity = Σ the return lines against
   those; each delivery line's returned quantity = Σ its return lines;
3. document totals = Σ lines: deliveries and returns (amount, tax, total, cost).

The 1405-per-document check (`inventory.checks`) covers deliveries and returns too: `sales.apps` adds their source
types to its `VOUCHERED_SOURCES`.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from suanpan.core.models import Organization
from suanpan.core.money import ZERO
from suanpan.inventory.models import StockLevel
from suanpan.sales.choices import DELIVERABLE_STATES
from suanpan.sales.models import Delivery, DeliveryLine, SalesOrderLine, SalesReturn, SalesReturnLine


def _fmt(value: Decimal) -> str:
    return format(value.normalize(), "f")


def reserved_matches_open_orders(org: Organization) -> list[str]:
    problems: list[str] = []
    held: dict[tuple[int, int], Decimal] = defaultdict(lambda: ZERO)
    rows = SalesOrderLine.objects.filter(organization=org).exclude(reserved_quantity=0).select_related("order")
    for line in rows.order_by("order_id", "seq"):
        if line.order.status in DELIVERABLE_STATES:
            held[(line.product_id, line.warehouse_id)] += line.reserved_quantity
        else:
            problems.append(
                f"order {line.order.number or '#' + str(line.order_id)} line {line.seq} "
                f"({line.order.status}) still reserves {_fmt(line.reserved_quantity)}"
            )
    seen = set()
    for level in StockLevel.objects.filter(organization=org).order_by("product_id", "warehouse_id"):
        key = (level.product_id, level.warehouse_id)
        seen.add(key)
        if level.reserved != held[key]:
            problems.append(
                f"product #{key[0]} in warehouse #{key[1]}: reserved {_fmt(level.reserved)}, "
                f"open order lines hold {_fmt(held[key])}"
            )
    for key in sorted(k for k in held if k not in seen and held[k]):
        problems.append(f"product #{key[0]} in warehouse #{key[1]}: order lines hold {_fmt(held[key])}, no stock level")
    return problems


def delivered_matches_deliveries(org: Organization) -> list[str]:
    delivered: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for order_line_id, quantity in DeliveryLine.objects.filter(organization=org).values_list(
        "order_line_id", "quantity"
    ):
        delivered[order_line_id] += quantity  # added in Python: SQLite's SUM is floating point
    returned_by_order_line: dict[int, Decimal] = defaultdict(lambda: ZERO)
    returned_by_delivery_line: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for delivery_line_id, order_line_id, quantity in SalesReturnLine.objects.filter(organization=org).values_list(
        "delivery_line_id", "delivery_line__order_line_id", "quantity"
    ):
        returned_by_order_line[order_line_id] += quantity
        returned_by_delivery_line[delivery_line_id] += quantity
    problems = []
    for line in SalesOrderLine.objects.filter(organization=org).select_related("order").order_by("order_id", "seq"):
        label = f"order {line.order.number or '#' + str(line.order_id)} line {line.seq}"
        if line.delivered_quantity != delivered[line.pk]:
            problems.append(
                f"{label}: delivered {_fmt(line.delivered_quantity)}, deliveries say {_fmt(delivered[line.pk])}"
            )
        if line.returned_quantity != returned_by_order_line[line.pk]:
            problems.append(
                f"{label}: returned {_fmt(line.returned_quantity)}, returns say {_fmt(returned_by_order_line[line.pk])}"
            )
    for dl in DeliveryLine.objects.filter(organization=org).select_related("delivery").order_by("pk"):
        if dl.returned_quantity != returned_by_delivery_line[dl.pk]:
            problems.append(
                f"delivery {dl.delivery.number} line #{dl.pk}: returned {_fmt(dl.returned_quantity)}, "
                f"returns say {_fmt(returned_by_delivery_line[dl.pk])}"
            )
    return problems


def delivery_totals_match_lines(org: Organization) -> list[str]:
    problems = []
    keys = ("amount", "tax", "total", "cost")
    documents: tuple[
        tuple[type[Delivery] | type[SalesReturn], type[DeliveryLine] | type[SalesReturnLine], str], ...
    ] = (
        (Delivery, DeliveryLine, "delivery_id"),
        (SalesReturn, SalesReturnLine, "sales_return_id"),
    )
    for model, line_model, fk in documents:
        sums: dict[int, list[Decimal]] = defaultdict(lambda: [ZERO] * len(keys))
        for row in line_model.objects.filter(organization=org).values_list(fk, *keys):
            found = sums[row[0]]
            for i, value in enumerate(row[1:]):
                found[i] += value
        for doc in model.objects.filter(organization=org).order_by("pk"):
            mine = [getattr(doc, k) for k in keys]
            if mine != sums[doc.pk]:
                problems.append(
                    f"{model._meta.verbose_name} {doc.number}: {'/'.join(str(v) for v in mine)} "
                    f"≠ lines {'/'.join(str(v) for v in sums[doc.pk])}"
                )
    return problems
