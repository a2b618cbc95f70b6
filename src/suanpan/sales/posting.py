"""Pure arithmetic and voucher lines of deliveries and sales returns: the cost-of-goods side (revenue and VAT of
invoices are in `invoice_posting`).

Amounts at the order's prices (STYLE.md §18): a delivery line takes the share of its order line's amount and tax
that its quantity is of the ordered quantity, each rounded to 0.01 half-up; the delivery that brings the line to
fully delivered takes exactly what the earlier deliveries left, so the deliveries of a line add up to the order
line to the cent. A return line takes its share of the delivery line's amount, tax and cost the same way (the
return that brings the returned quantity to the whole delivery line takes what is left). Total = amount + tax.

Cost: a delivery line's cost is the value its stock move took out of the pool (moving average: final; monthly
average: provisional, the month-end costing run posts the difference under its own voucher). A return brings
the goods back at the value the delivery line's move left with *now* (after a costing run, the revalued one).

Delivery voucher (word 转, reference §5.2): Dr 5401 主营业务成本 / Cr 1405 库存商品, one pair of lines per product
(the product as auxiliary), at the moves' values. A sales return posts the same lines in red ink (negative
amounts on the same sides), so 5401 keeps the net cost of goods on its debit side. Nothing is posted for a
document whose goods cost nothing.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from suanpan.accounting.models import Account
from suanpan.core.money import ZERO, money


def share(whole: Decimal, already: Decimal, quantity: Decimal, of: Decimal, *, last: bool) -> Decimal:
    """The part of `whole` that `quantity` of `of` takes; the last part takes what `already` left."""
    return whole - already if last else money(whole * quantity / of)


@dataclass(frozen=True)
class CostLine:
    product_id: int
    cost: Decimal  # > 0: the value that left (or came back into) stock
    summary: str


def cost_of_goods_lines(
    *, cost_account: Account, inventory: Account, lines: Sequence[CostLine], sign: int = 1
) -> list[dict[str, Any]]:
    """Dr 5401 / Cr 1405 per product (the lines of one product added up, in the order they first appear);
    `sign` −1 for the red lines of a return. Empty when nothing has a cost."""
    by_product: dict[int, Decimal] = defaultdict(lambda: ZERO)
    summaries: dict[int, str] = {}
    for line in lines:
        by_product[line.product_id] += line.cost
        summaries.setdefault(line.product_id, line.summary)
    rows: list[dict[str, Any]] = []
    for product_id, cost in by_product.items():
        if cost == ZERO:
            continue
        summary = summaries[product_id]
        rows.append({"summary": summary, "account": cost_account, "product": product_id, "debit": sign * cost})
        rows.append({"summary": summary, "account": inventory, "product": product_id, "credit": sign * cost})
    return rows
