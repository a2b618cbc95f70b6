"""Pure stock-costing arithmetic: what an incoming move is worth and what an outgoing move takes from the pool.

Rounding (stated, and tested): values are quantized to 0.01 half-up; unit costs to 6 places. Under moving
weighted average an outgoing move takes `value × quantity / on_hand` from the pool, and the move that empties
the pool takes all of what is left, so a product with no stock has no value (the rounding residual, 尾差, lands on
the last issue).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from suanpan.core.money import ZERO, money, price


@dataclass(frozen=True)
class MoveSpec:
    """One move a document asks to post. `quantity` is signed: + in, − out.

    An incoming move of a costed kind brings its own cost: `value` (exact, e.g. the value a transfer took out) or
    `unit_cost` (value = quantity × unit cost, rounded). An outgoing move leaves both empty: it takes the pool's —
    except one that must leave at a known cost (a purchase return: the value its goods came in with), which gives
    that `value` (its size; the move is signed like its quantity).
    """

    product_id: int
    warehouse_id: int
    quantity: Decimal
    kind: str
    lot_id: int | None = None
    unit_cost: Decimal | None = None
    value: Decimal | None = None


def incoming_value(quantity: Decimal, unit_cost: Decimal | None, value: Decimal | None) -> tuple[Decimal, Decimal]:
    """(unit cost, value) of an incoming move from its own cost."""
    if value is not None:
        total = money(value)
        return (price(total / quantity) if quantity else ZERO), total
    cost = price(unit_cost if unit_cost is not None else ZERO)
    return cost, money(quantity * cost)


def outgoing_value(
    on_hand: Decimal, pool_value: Decimal, quantity: Decimal, fallback_cost: Decimal
) -> tuple[Decimal, Decimal]:
    """(unit cost, signed value) an outgoing move of `quantity` (< 0) takes from a pool of `on_hand` worth `pool_value`.

    A pool with nothing on hand (negative stock allowed) values the issue at `fallback_cost` (the last known or
    the purchase price).
    """
    if on_hand > 0 and on_hand + quantity == 0:
        return price(pool_value / on_hand), -pool_value
    if on_hand > 0:
        return price(pool_value / on_hand), -money(pool_value * -quantity / on_hand)
    cost = price(fallback_cost)
    return cost, money(quantity * cost)
