"""Warehouses and stores, and the stock ledger's one writer (`stock_post`)."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from decimal import Decimal

from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from suanpan.accounting.models import Period
from suanpan.catalog.models import Product
from suanpan.core.choices import CostingMethod
from suanpan.core.exceptions import DomainError, InvalidInput
from suanpan.core.models import Membership, Organization
from suanpan.core.money import money, price
from suanpan.core.permissions import P
from suanpan.core.pinyin import search_text
from suanpan.core.records import MasterData
from suanpan.core.types import Actor
from suanpan.inventory import locks
from suanpan.inventory.choices import COSTED_IN_KINDS, TRANSFER_KINDS
from suanpan.inventory.models import Lot, LotStock, StockMove, Warehouse
from suanpan.inventory.posting import MoveSpec, incoming_value, outgoing_value


def _prepare_warehouse(warehouse: Warehouse) -> None:
    warehouse.code = (warehouse.code or "").strip()
    warehouse.name = (warehouse.name or "").strip()
    if (
        warehouse.manager_id
        and not Membership.objects.filter(
            organization_id=warehouse.organization_id, user_id=warehouse.manager_id, is_active=True
        ).exists()
    ):
        raise InvalidInput.single("manager", _("The manager must be a member of this organization."))
    warehouse.search_text = search_text(warehouse.name, warehouse.code, warehouse.address)


warehouses = MasterData(Warehouse, perm=P.CHANGE_WAREHOUSE, prepare=_prepare_warehouse)
warehouse_create = warehouses.create
warehouse_update = warehouses.update
warehouse_delete = warehouses.delete


# The stock ledger ------------------------------------------------------------------------------------------


def normalize(quantity: Decimal) -> str:
    """A quantity as people write it: 12, 0.5 (not 12.0000)."""
    return format(quantity.normalize(), "f")


def _decimal_places(value: Decimal) -> int:
    exponent = value.as_tuple().exponent
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0


def _check_spec(organization: Organization, spec: MoveSpec, index: int, products: dict[int, Product]) -> None:
    where = f"moves[{index}]"
    product = products.get(spec.product_id)
    if product is None:
        raise InvalidInput.single(f"{where}.product", _("Unknown product."))
    if not product.is_stocked:
        raise InvalidInput.single(f"{where}.product", _("%(p)s is a service; it has no stock.") % {"p": product})
    if spec.quantity == 0:
        raise InvalidInput.single(f"{where}.quantity", _("The quantity cannot be zero."))
    if _decimal_places(spec.quantity) > 4:
        raise InvalidInput.single(f"{where}.quantity", _("A quantity has at most 4 decimal places."))
    if product.is_batch_tracked and spec.lot_id is None:
        raise InvalidInput.single(f"{where}.lot", _("%(p)s is batch-tracked: give the lot.") % {"p": product})
    if not product.is_batch_tracked and spec.lot_id is not None:
        raise InvalidInput.single(f"{where}.lot", _("%(p)s is not batch-tracked: no lot.") % {"p": product})
    if (
        spec.lot_id is not None
        and not Lot.objects.filter(organization=organization, pk=spec.lot_id, product_id=spec.product_id).exists()
    ):
        raise InvalidInput.single(f"{where}.lot", _("That lot is not a lot of %(p)s.") % {"p": product})
    if spec.quantity > 0 and spec.kind in COSTED_IN_KINDS:
        cost = spec.value if spec.value is not None else spec.unit_cost
        if cost is None or cost < 0:
            raise InvalidInput.single(f"{where}.unit_cost", _("An incoming move needs a cost of zero or more."))


def stock_post(
    *,
    organization: Organization,
    actor: Actor | None,
    date: datetime.date,
    moves: Sequence[MoveSpec],
    source_type: str = "",
    source_id: int | None = None,
    source_label: str = "",
) -> list[StockMove]:
    """Write moves into the stock ledger and update the stock levels, under lock, in the caller's transaction.

    The one writer of stock moves: documents (receipts, deliveries, transfers, stocktakes …) call it after their
    own permission check. Refuses: a date before the item's last move (cost is never recomputed backwards), a
    date in a closed accounting period, stock going negative unless the organization allows it, a missing or
    foreign lot, too many decimals. Outgoing moves take the moving-average cost of their pool; under monthly
    weighted average that cost is provisional (`cost_final` false) until the month-end costing run.
    """
    if not moves:
        raise InvalidInput.single("moves", _("Nothing to move."))
    with transaction.atomic():
        period = Period.objects.filter(organization=organization, year=date.year, month=date.month).first()
        if period is not None and not period.is_open:
            raise InvalidInput.single("date", _("Period %(p)s is closed; stock cannot move in it.") % {"p": period})
        products = {
            p.pk: p for p in Product.objects.filter(organization=organization, pk__in={m.product_id for m in moves})
        }
        warehouses = set(
            Warehouse.objects.filter(organization=organization, pk__in={m.warehouse_id for m in moves}).values_list(
                "pk", flat=True
            )
        )
        for index, spec in enumerate(moves):
            if spec.warehouse_id not in warehouses:
                raise InvalidInput.single(f"moves[{index}].warehouse", _("Unknown warehouse."))
            _check_spec(organization, spec, index, products)
        levels = locks.lock_levels(organization, [(m.product_id, m.warehouse_id) for m in moves])
        provisional = organization.costing_method == CostingMethod.MONTHLY_AVERAGE
        written = []
        for index, spec in enumerate(moves):
            level = levels[(spec.product_id, spec.warehouse_id)]
            product = products[spec.product_id]
            if level.last_move_date and date < level.last_move_date:
                raise InvalidInput.single(
                    "date",
                    _("%(p)s last moved in this warehouse on %(d)s; a move cannot be dated before it.")
                    % {"p": product, "d": level.last_move_date},
                )
            if spec.quantity > 0 and (spec.kind in COSTED_IN_KINDS or spec.value is not None):
                unit_cost, value = incoming_value(spec.quantity, spec.unit_cost, spec.value)
                final = True
            elif spec.quantity < 0 and spec.value is not None:  # goes out at a given cost (a purchase return)
                value = -money(abs(spec.value))
                unit_cost = price(-value / -spec.quantity)
                final = True
            else:
                fallback = _last_unit_cost(organization, product, spec.warehouse_id)
                if spec.quantity > 0:  # a gain without a cost of its own comes in at the pool's average
                    unit_cost = price(level.value / level.on_hand) if level.on_hand > 0 else fallback
                    value = money(spec.quantity * unit_cost)
                else:
                    unit_cost, value = outgoing_value(level.on_hand, level.value, spec.quantity, fallback)
                final = not (provisional and spec.quantity < 0 and spec.kind not in TRANSFER_KINDS)
            new_on_hand = level.on_hand + spec.quantity
            if new_on_hand < 0 and not organization.allow_negative_stock:
                raise DomainError(
                    _("Not enough %(p)s in stock: %(have)s on hand, %(want)s wanted.")
                    % {"p": product, "have": normalize(level.on_hand), "want": normalize(-spec.quantity)},
                    field=f"moves[{index}].quantity",
                    code="short",
                )
            level.on_hand = new_on_hand
            level.value += value
            level.last_move_date = date
            if spec.lot_id is not None:
                _move_lot(organization, spec, spec.lot_id, index, product)
            written.append(
                StockMove(
                    organization=organization,
                    date=date,
                    product_id=spec.product_id,
                    warehouse_id=spec.warehouse_id,
                    lot_id=spec.lot_id,
                    kind=spec.kind,
                    quantity=spec.quantity,
                    unit_cost=unit_cost,
                    value=value,
                    cost_final=final,
                    source_type=source_type,
                    source_id=source_id,
                    source_label=source_label,
                    created_by_id=actor.pk if actor is not None and actor.is_authenticated else None,
                )
            )
        for level in levels.values():
            level.save(update_fields=["on_hand", "value", "last_move_date", "updated_at"])
        return StockMove.objects.bulk_create(written)


def _move_lot(organization: Organization, spec: MoveSpec, lot_id: int, index: int, product: Product) -> None:
    LotStock.objects.bulk_create(
        [
            LotStock(
                organization=organization,
                product_id=spec.product_id,
                warehouse_id=spec.warehouse_id,
                lot_id=lot_id,
            )
        ],
        ignore_conflicts=True,
    )
    row = LotStock.objects.select_for_update().get(
        product_id=spec.product_id, warehouse_id=spec.warehouse_id, lot_id=lot_id
    )
    if row.on_hand + spec.quantity < 0 and not organization.allow_negative_stock:
        raise DomainError(
            _("Not enough of lot %(lot)s of %(p)s: %(have)s on hand, %(want)s wanted.")
            % {"lot": row.lot.number, "p": product, "have": normalize(row.on_hand), "want": normalize(-spec.quantity)},
            field=f"moves[{index}].lot",
            code="short",
        )
    LotStock.objects.filter(pk=row.pk).update(on_hand=F("on_hand") + spec.quantity)


def _last_unit_cost(organization: Organization, product: Product, warehouse_id: int) -> Decimal:
    """The cost an issue from an empty pool is valued at: the last incoming cost here, else the purchase price
    without its VAT."""
    last = (
        StockMove.objects.filter(organization=organization, product=product, warehouse_id=warehouse_id, quantity__gt=0)
        .order_by("-date", "-id")
        .values_list("unit_cost", flat=True)
        .first()
    )
    return last if last is not None else price(product.purchase_price / (1 + product.vat_rate.rate))
