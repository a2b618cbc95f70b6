"""Reorder levels (min/max per product × warehouse), reorder suggestions, and the below-minimum alerts.

Levels: a `StockRule` row for a product × warehouse; where there is none, the product's own `min_stock` /
`max_stock` apply in every warehouse that has held the product (a `StockLevel` row exists), or — when it has
never been stocked — in the organization's first active warehouse that is not a store. A maximum of zero means
"order up to the minimum".

Suggestion, per product × warehouse with available (on hand − reserved) < minimum:
    quantity = max(maximum, minimum) − available − quantity still open on purchase orders for it,
shown only when positive. The open quantities, the last supplier of each product and the creation of draft
purchase orders come from the purchasing app through `register_purchasing` (purchasing depends on inventory,
never the reverse); without it nothing is on order and there is no supplier to order from.

Alerts (`reorder_alerts`, run by a periodic task): each item below its minimum raises one notification (kind
`ALERT_KIND`, key "product:warehouse") to the members who may reorder; it is raised again only after the item
has recovered (the notification is then resolved).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from suanpan.catalog.models import Product
from suanpan.core import notifications
from suanpan.core.audit import audit_record
from suanpan.core.choices import AuditAction
from suanpan.core.exceptions import DomainError, FieldError, InvalidInput
from suanpan.core.models import Organization
from suanpan.core.money import ZERO, to_decimal
from suanpan.core.permissions import P
from suanpan.core.records import get_scoped
from suanpan.core.tenancy import check_perm
from suanpan.core.types import Actor
from suanpan.inventory.models import StockLevel, StockRule, Warehouse
from suanpan.partners.models import Partner

ALERT_KIND = "inventory.below_minimum"
Key = tuple[int, int]  # (product_id, warehouse_id)


# The purchasing side, registered by the purchasing app ---------------------------------------------------------


@dataclass
class PurchasingHooks:
    """What inventory needs from purchasing, without importing it.

    - `open_quantities(organization)` → {(product_id, warehouse_id): quantity ordered and not yet received};
    - `last_suppliers(organization, product_ids)` → {product_id: supplier id of its last receipt};
    - `create_draft_orders(organization=, actor=, supplier_id=, warehouse_id=, lines=[(product_id, quantity)])`
      → the draft purchase order made (any object with `pk` and `str()`), checking its own permission.
    """

    open_quantities: Callable[[Organization], dict[Key, Decimal]] | None = None
    last_suppliers: Callable[[Organization, Sequence[int]], dict[int, int]] | None = None
    create_draft_orders: Callable[..., Any] | None = None


HOOKS = PurchasingHooks()


def register_purchasing(
    *,
    open_quantities: Callable[[Organization], dict[Key, Decimal]] | None = None,
    last_suppliers: Callable[[Organization, Sequence[int]], dict[int, int]] | None = None,
    create_draft_orders: Callable[..., Any] | None = None,
) -> None:
    """Called by the purchasing app's `AppConfig.ready()`."""
    HOOKS.open_quantities = open_quantities or HOOKS.open_quantities
    HOOKS.last_suppliers = last_suppliers or HOOKS.last_suppliers
    HOOKS.create_draft_orders = create_draft_orders or HOOKS.create_draft_orders


# Levels ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Level:
    product: Product
    warehouse: Warehouse
    min_stock: Decimal
    max_stock: Decimal
    rule: StockRule | None

    @property
    def target(self) -> Decimal:
        return max(self.max_stock, self.min_stock)


def reorder_levels(*, organization: Organization) -> list[Level]:
    """Every product × warehouse with a minimum or maximum, by the rules above (active stocked products only)."""
    products = {p.pk: p for p in Product.objects.filter(organization=organization, is_active=True, is_stocked=True)}
    warehouses = {w.pk: w for w in Warehouse.objects.filter(organization=organization)}
    rules = {
        (r.product_id, r.warehouse_id): r
        for r in StockRule.objects.filter(organization=organization, product_id__in=products)
    }
    stocked: dict[int, set[int]] = {}
    for product_id, warehouse_id in StockLevel.objects.filter(organization=organization).values_list(
        "product_id", "warehouse_id"
    ):
        stocked.setdefault(product_id, set()).add(warehouse_id)
    main = next((w for w in sorted(warehouses.values(), key=lambda w: w.code) if w.is_active and not w.is_store), None)
    levels: dict[Key, Level] = {}
    for (product_id, warehouse_id), rule in rules.items():
        levels[(product_id, warehouse_id)] = Level(
            products[product_id], warehouses[warehouse_id], rule.min_stock, rule.max_stock, rule
        )
    for product in products.values():
        if product.min_stock <= 0 and product.max_stock <= 0:
            continue
        places = stocked.get(product.pk) or ({main.pk} if main is not None else set())
        for warehouse_id in places:
            if (product.pk, warehouse_id) not in levels and warehouses[warehouse_id].is_active:
                levels[(product.pk, warehouse_id)] = Level(
                    product, warehouses[warehouse_id], product.min_stock, product.max_stock, None
                )
    return sorted(levels.values(), key=lambda lv: (lv.product.code, lv.warehouse.code))


def _quantity(value: object, name: str, errors: list[FieldError]) -> Decimal:
    try:
        number = to_decimal(value)
    except (InvalidInput, ValueError, TypeError, ArithmeticError):
        errors.append(FieldError(name, _("Enter a number.")))
        return ZERO
    exponent = number.as_tuple().exponent
    if not number.is_finite() or (isinstance(exponent, int) and exponent < -4):
        errors.append(FieldError(name, _("A quantity has at most 4 decimal places.")))
    elif number < 0:
        errors.append(FieldError(name, _("Cannot be negative.")))
    elif number >= Decimal("1e14"):
        errors.append(FieldError(name, _("Too large.")))
    return number


def stock_rule_set(
    *,
    organization: Organization,
    actor: Actor | None,
    product_id: object,
    warehouse_id: object,
    min_stock: object,
    max_stock: object,
) -> StockRule:
    """Set (create or change) the reorder levels of a product in a warehouse (`actor` None: the system, e.g. an
    import)."""
    with transaction.atomic():
        if actor is not None:
            check_perm(organization=organization, actor=actor, perm=P.CHANGE_REORDER)
        errors: list[FieldError] = []
        product = warehouse = None
        try:
            product = get_scoped(Product, organization=organization, pk=product_id, field="product")
        except InvalidInput as exc:
            errors += exc.errors
        try:
            warehouse = get_scoped(Warehouse, organization=organization, pk=warehouse_id, field="warehouse")
        except InvalidInput as exc:
            errors += exc.errors
        low = _quantity(min_stock, "min_stock", errors)
        high = _quantity(max_stock, "max_stock", errors)
        if product is not None and not product.is_stocked:
            errors.append(FieldError("product", _("%(p)s is a service; it has no stock.") % {"p": product}))
        if not errors and high < low:
            errors.append(FieldError("max_stock", _("The maximum must be at least the minimum.")))
        if errors:
            raise InvalidInput(errors)
        assert product is not None  # noqa: S101 - errors above otherwise
        assert warehouse is not None  # noqa: S101
        rule = (
            StockRule.objects.select_for_update()
            .filter(organization=organization, product=product, warehouse=warehouse)
            .first()
        )
        before = None if rule is None else [str(rule.min_stock), str(rule.max_stock)]
        if rule is None:
            try:
                with transaction.atomic():
                    rule = StockRule.objects.create(
                        organization=organization, product=product, warehouse=warehouse, min_stock=low, max_stock=high
                    )
            except IntegrityError:
                raise DomainError(_("The levels were just set by someone else; try again."), field="product") from None
        else:
            rule.min_stock, rule.max_stock = low, high
            rule.save(update_fields=["min_stock", "max_stock", "updated_at"])
        audit_record(
            organization=organization,
            actor=actor,
            obj=rule,
            action=AuditAction.CREATE if before is None else AuditAction.UPDATE,
            changes={"levels": [before, [str(low), str(high)]]},
        )
        return rule


def stock_rule_delete(*, organization: Organization, actor: Actor | None, rule_id: object) -> None:
    """Remove a product × warehouse's own levels (the product's defaults apply again)."""
    with transaction.atomic():
        if actor is not None:
            check_perm(organization=organization, actor=actor, perm=P.CHANGE_REORDER)
        rule = get_scoped(StockRule, organization=organization, pk=rule_id)
        audit_record(organization=organization, actor=actor, obj=rule, action=AuditAction.DELETE)
        rule.delete()


# Suggestions -------------------------------------------------------------------------------------------------


@dataclass
class Suggestion:
    product: Product
    warehouse: Warehouse
    min_stock: Decimal
    max_stock: Decimal
    on_hand: Decimal
    reserved: Decimal
    on_order: Decimal
    quantity: Decimal
    supplier: Partner | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def available(self) -> Decimal:
        return self.on_hand - self.reserved

    @property
    def key(self) -> str:
        return f"{self.product.pk}:{self.warehouse.pk}"


def below_minimum(*, organization: Organization) -> list[tuple[Level, Decimal, Decimal]]:
    """(level, on hand, reserved) of each product × warehouse whose available stock is below its minimum."""
    stock = {(s.product_id, s.warehouse_id): s for s in StockLevel.objects.filter(organization=organization)}
    found = []
    for level in reorder_levels(organization=organization):
        row = stock.get((level.product.pk, level.warehouse.pk))
        on_hand = row.on_hand if row else ZERO
        reserved = row.reserved if row else ZERO
        if on_hand - reserved < level.min_stock:
            found.append((level, on_hand, reserved))
    return found


def reorder_suggestions(*, organization: Organization) -> list[Suggestion]:
    """What to order, per the module's rule (by product code, then warehouse code)."""
    low = below_minimum(organization=organization)
    open_orders = HOOKS.open_quantities(organization) if HOOKS.open_quantities else {}
    found = []
    for level, on_hand, reserved in low:
        on_order = open_orders.get((level.product.pk, level.warehouse.pk), ZERO)
        quantity = level.target - (on_hand - reserved) - on_order
        if quantity > 0:
            found.append(
                Suggestion(
                    level.product,
                    level.warehouse,
                    level.min_stock,
                    level.max_stock,
                    on_hand,
                    reserved,
                    on_order,
                    quantity,
                )
            )
    if found and HOOKS.last_suppliers:
        last = HOOKS.last_suppliers(organization, sorted({s.product.pk for s in found}))
        suppliers = Partner.objects.in_bulk(set(last.values()))
        for s in found:
            s.supplier = suppliers.get(last.get(s.product.pk, 0))
    return found


@dataclass(frozen=True)
class OrderLine:
    product_id: int
    warehouse_id: int
    quantity: Decimal
    supplier_id: int


def reorder_order(*, organization: Organization, actor: Actor, lines: Sequence[OrderLine]) -> list[Any]:
    """Turn chosen suggestion lines into draft purchase orders, one per supplier (and per warehouse: an order
    delivers to one warehouse), in one transaction: all are made or none."""
    with transaction.atomic():
        check_perm(organization=organization, actor=actor, perm=P.CHANGE_REORDER)
        if not lines:
            raise InvalidInput.single("lines", _("Choose at least one line to order."))
        if HOOKS.create_draft_orders is None:
            raise DomainError(_("Purchasing is not available: no purchase order can be made."), field="lines")
        errors: list[FieldError] = []
        suppliers = set(
            Partner.objects.filter(
                organization=organization, is_supplier=True, pk__in={ln.supplier_id for ln in lines}
            ).values_list("pk", flat=True)
        )
        for n, line in enumerate(lines):
            if line.supplier_id not in suppliers:
                errors.append(FieldError(f"lines[{n}].supplier", _("Choose the supplier to order from.")))
            if line.quantity <= 0:
                errors.append(FieldError(f"lines[{n}].quantity", _("The quantity must be more than zero.")))
        if errors:
            raise InvalidInput(errors)
        grouped: dict[tuple[int, int], list[tuple[int, Decimal]]] = {}
        for line in lines:
            grouped.setdefault((line.supplier_id, line.warehouse_id), []).append((line.product_id, line.quantity))
        return [
            HOOKS.create_draft_orders(
                organization=organization, actor=actor, supplier_id=supplier, warehouse_id=warehouse, lines=group
            )
            for (supplier, warehouse), group in sorted(grouped.items())
        ]


# Alerts ------------------------------------------------------------------------------------------------------


def reorder_alerts(*, organization: Organization) -> int:
    """Notify the members who may reorder about each item newly below its minimum; resolve the alerts of the
    items that recovered. Returns how many items were newly raised."""
    with transaction.atomic():
        low = below_minimum(organization=organization)
        raised = notifications.raised_keys(organization=organization, kind=ALERT_KIND)
        now_low = {f"{lv.product.pk}:{lv.warehouse.pk}": (lv, on_hand, reserved) for lv, on_hand, reserved in low}
        notifications.notifications_resolve(organization=organization, kind=ALERT_KIND, keys=raised - set(now_low))
        new = sorted(set(now_low) - raised)
        if not new:
            return 0
        users = notifications.members_with(organization, P.CHANGE_REORDER)
        link = reverse("inventory:reorder")
        for key in new:
            level, on_hand, reserved = now_low[key]
            notifications.notify(
                organization,
                users,
                ALERT_KIND,
                _("%(p)s is below its minimum in %(w)s") % {"p": level.product.name, "w": level.warehouse.name},
                _("Available %(a)s, minimum %(min)s, maximum %(max)s.")
                % {
                    "a": _n(on_hand - reserved),
                    "min": _n(level.min_stock),
                    "max": _n(level.max_stock),
                },
                link,
                key=key,
            )
        return len(new)


def _n(value: Decimal) -> str:
    return format(value.normalize(), "f")
