"""Deliveries (销售出库): goods leaving a warehouse against the confirmed orders of one customer, with logistics.

`delivery_post` is one transaction: permission first; the orders of the lines locked (primary-key order, each
order row then its lines — the order `sales.orders` locks in, so a delivery and a confirmation of the same order
wait for each other); then the stock-level rows (`inventory.locks.lock_levels`); then the writes: the stock moves
(`inventory.services.stock_post`, kind delivery, source "sales.delivery"), the reservation released by the
delivered quantity, the cost-of-goods voucher (Dr 5401 / Cr 1405 at the moves' values, `sales.posting`), the
order lines' delivered quantities and the orders' states, the audit event.

Refused, each naming its field, nothing written: a line of an order of another customer than the first line's,
of an order that is not confirmed (or partially delivered), of another organization; more than ordered −
delivered; a quantity ≤ 0 or with more than 4 decimals; a service (it is invoiced, not delivered); a line whose
order reserved it in another warehouse than the delivery's; a warehouse of another organization or inactive;
a date before an order's date or after today (the goods leave when it posts); more than is on hand — unless the
organization allows negative stock.

Lots (batch-tracked products): a line may name its lot; without one the quantity is taken first-expiry-first-out
(`inventory.selectors.lots_first_expiry_first_out`: the earliest expiry first, lots without an expiry last), which
may split it over several lots — one delivery line per lot, each with its own stock move.

Costing: under moving average the move's value is final; under monthly average it is provisional and the month-end
costing run posts the difference to 5401 under its own voucher (`inventory.costing`). The delivery line keeps the
value it left with at posting (`cost`); a return takes the move's value as it stands when the goods come back.

Logistics — carrier, tracking number, ship-to, shipped date — change after posting (`delivery_update_logistics`,
audited). `delivery_mark_signed` records the signed-for date (签收) and sends `sales.signals.delivery_signed`.

The receivable reminder. The receiver of `delivery_signed` schedules a Huey task (`sales.tasks.receivable_reminder`)
with an `eta` — 09:00 on `reminder_date(delivery)`: the earliest due date of the delivery's still-open invoices,
or, while it is not invoiced, the signed-for date + the customer's payment terms (the due date had it been
invoiced on signing). The task runs `delivery_receivable_reminder`, which notifies the customer's owner (the rep)
and the members who take payments (`finance.receive_payment`) once, when an invoice covering the delivery is due
and still open, and answers the next day to look again: the next due date of its other open invoices, or a week
later while part of the delivery (net of returns) is not invoiced yet — for at most 180 days after signing. The
task schedules itself for that day. Chosen over a daily sweep of all deliveries because it needs no new column:
the schedule lives in Huey's store, and a lost task is harmless — finance's overdue reminders
(`finance.tasks`) still cover every open receivable. Marking a delivery signed again schedules again; the
notification's key (`delivery:<id>`) keeps it from being raised twice.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import F, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from suanpan.accounting.services import document_voucher_post
from suanpan.core.audit import audit_record
from suanpan.core.choices import AuditAction
from suanpan.core.exceptions import DomainError, FieldError, InvalidInput
from suanpan.core.inputs import date_input, decimal_input
from suanpan.core.models import Organization
from suanpan.core.money import ZERO, money
from suanpan.core.notifications import is_raised, members_with, notifications_resolve, notify
from suanpan.core.numbering import next_number
from suanpan.core.permissions import P
from suanpan.core.records import get_scoped
from suanpan.core.tenancy import guard, user_id
from suanpan.core.types import Actor
from suanpan.finance.choices import OpenItemKind
from suanpan.finance.models import OpenItem
from suanpan.finance.selectors import with_open_amount
from suanpan.finance.vouchers import account as ledger_account
from suanpan.inventory import locks as stock_locks
from suanpan.inventory.choices import MoveKind
from suanpan.inventory.models import Lot, LotStock, Warehouse
from suanpan.inventory.posting import MoveSpec
from suanpan.inventory.selectors import lots_first_expiry_first_out
from suanpan.inventory.services import normalize, stock_post
from suanpan.partners.models import Partner
from suanpan.sales import posting
from suanpan.sales.choices import DELIVERABLE_STATES
from suanpan.sales.models import Delivery, DeliveryLine, InvoiceLine, SalesOrder, SalesOrderLine
from suanpan.sales.orders import active_warehouse, delivery_state, lock_order, transition
from suanpan.sales.signals import delivery_signed

SOURCE_TYPE = "sales.delivery"
INVOICE_SOURCE = "sales.invoice"
COST_ACCOUNT = "5401"  # 主营业务成本
INVENTORY_ACCOUNT = "1405"  # 库存商品
REMINDER_KIND = "sales.receivable_due"
RECHECK_DAYS = 7
GIVE_UP_DAYS = 180
TEXT_LIMITS = {"carrier": 100, "tracking_number": 100, "ship_to": 300}


# Reads ------------------------------------------------------------------------------------------------------


def deliverable_lines(
    organization: Organization, customer: Partner | int, *, warehouse: Warehouse | int | None = None
) -> QuerySet[SalesOrderLine]:
    """The customer's order lines still to deliver: stocked products on confirmed or partially delivered orders,
    ordered − delivered > 0; the oldest order first (optionally only those reserved in one warehouse)."""
    customer_id = customer if isinstance(customer, int) else customer.pk
    rows = SalesOrderLine.objects.filter(
        organization=organization,
        order__customer_id=customer_id,
        order__status__in=DELIVERABLE_STATES,
        product__is_stocked=True,
        delivered_quantity__lt=F("quantity"),
    )
    if warehouse is not None:
        rows = rows.filter(warehouse_id=warehouse if isinstance(warehouse, int) else warehouse.pk)
    return rows.select_related("order", "product", "product__unit", "warehouse").order_by(
        "order__date", "order_id", "seq"
    )


def delivery_list(*, organization: Organization) -> QuerySet[Delivery]:
    return Delivery.objects.filter(organization=organization).select_related("customer", "warehouse")


def delivery_get(*, organization: Organization, pk: object) -> Delivery:
    return get_scoped(Delivery, organization=organization, pk=pk)


def lock_delivery(
    organization: Organization, pk: object, *, field: str | None = None
) -> tuple[Delivery, list[DeliveryLine]]:
    """The delivery row and its lines, locked (another organization's delivery is not found: with `field`, an
    input error on that field)."""
    found = get_scoped(Delivery, organization=organization, pk=pk, field=field)
    delivery = (
        Delivery.objects.select_for_update(of=("self",))
        .select_related("customer", "warehouse")
        .get(organization=organization, pk=found.pk)
    )
    lines = list(
        DeliveryLine.objects.select_for_update(of=("self",))
        .filter(delivery=delivery)
        .select_related("product", "lot", "move", "order_line")
        .order_by("pk")
    )
    return delivery, lines


# Posting ----------------------------------------------------------------------------------------------------


@dataclass
class _Part:
    """One delivery line to write: a quantity of an order line, from one lot (batch-tracked) or none."""

    row: int
    order_line: SalesOrderLine
    lot: Lot | None
    quantity: Decimal


def _text(data: Mapping[str, Any], key: str, errors: list[FieldError]) -> str:
    value = str(data.get(key) or "").strip()
    limit = TEXT_LIMITS.get(key)
    if limit is not None and len(value) > limit:
        errors.append(FieldError(key, _("At most %(n)d characters.") % {"n": limit}))
    return value


def _shipped_date(value: object, errors: list[FieldError]) -> datetime.date | None:
    """A shipped date: optional, a date, not ahead of today (it records when the goods went)."""
    if value in (None, ""):
        return None
    if not isinstance(value, datetime.date):
        errors.append(FieldError("shipped_date", _("Enter a valid date.")))
        return None
    if value > timezone.localdate():
        errors.append(FieldError("shipped_date", _("The shipped date cannot be in the future.")))
        return None
    return value


def _lock_orders(
    organization: Organization, rows: Sequence[Mapping[str, Any]], errors: list[FieldError]
) -> tuple[dict[int, SalesOrder], dict[int, SalesOrderLine], list[int | None]]:
    """Lock the orders the rows name (primary-key order, each with its lines). Returns the orders, their lines by
    id and each row's order line id (None where it does not name a line of this organization)."""
    wanted: list[int | None] = []
    for n, row in enumerate(rows):
        value = row.get("order_line_id")
        try:
            wanted.append(int(str(value)) if value not in (None, "") and not isinstance(value, bool) else None)
        except ValueError:
            wanted.append(None)
        if wanted[-1] is None:
            errors.append(FieldError(f"lines.{n}.order_line_id", _("Choose an order line.")))
    known = dict(
        SalesOrderLine.objects.filter(organization=organization, pk__in=[w for w in wanted if w]).values_list(
            "pk", "order_id"
        )
    )
    orders: dict[int, SalesOrder] = {}
    lines: dict[int, SalesOrderLine] = {}
    for order_id in sorted(set(known.values())):
        order, order_lines = lock_order(organization, order_id)
        orders[order.pk] = order
        lines.update({ln.pk: ln for ln in order_lines})
    for n, pk in enumerate(wanted):
        if pk is not None and pk not in lines:
            errors.append(FieldError(f"lines.{n}.order_line_id", _("No such order line: %(pk)s.") % {"pk": pk}))
    return orders, lines, wanted


def _lot_parts(
    organization: Organization,
    n: int,
    line: SalesOrderLine,
    row: Mapping[str, Any],
    quantity: Decimal,
    warehouse: Warehouse | None,
    lot_taken: dict[int, Decimal],
) -> list[_Part]:
    """The parts of one row: the chosen lot, or the lots first-expiry-first-out (batch-tracked products)."""
    where = f"lines.{n}"
    product = line.product
    lot_value = row.get("lot_id")
    if not product.is_batch_tracked:
        if lot_value not in (None, ""):
            raise InvalidInput.single(f"{where}.lot_id", _("%(p)s is not batch-tracked: no lot.") % {"p": product})
        return [_Part(n, line, None, quantity)]
    if lot_value not in (None, ""):
        lot = get_scoped(Lot, organization=organization, pk=lot_value, field=f"{where}.lot_id")
        if lot.product_id != product.pk:
            raise InvalidInput.single(
                f"{where}.lot_id", _("Lot %(lot)s is not a lot of %(p)s.") % {"lot": lot, "p": product}
            )
        if warehouse is not None and not organization.allow_negative_stock:
            stock = LotStock.objects.filter(lot=lot, warehouse=warehouse).values_list("on_hand", flat=True).first()
            have = (stock or ZERO) - lot_taken[lot.pk]
            if quantity > have:
                raise InvalidInput.single(
                    f"{where}.quantity",
                    _("Lot %(lot)s of %(p)s: %(have)s on hand in %(w)s, %(want)s to deliver.")
                    % {
                        "lot": lot,
                        "p": product,
                        "have": normalize(max(have, ZERO)),
                        "w": warehouse,
                        "want": normalize(quantity),
                    },
                )
        lot_taken[lot.pk] += quantity
        return [_Part(n, line, lot, quantity)]
    if warehouse is None:
        return []  # the warehouse's error is reported; lots cannot be chosen without it
    already = sum(lot_taken.values(), ZERO)
    parts: list[_Part] = []
    remaining = quantity
    suggestions = lots_first_expiry_first_out(
        organization=organization, product=product, warehouse=warehouse, quantity=quantity + already
    )
    for suggestion in suggestions:
        free = suggestion.on_hand - lot_taken[suggestion.lot.pk]
        if remaining <= 0 or free <= 0:
            continue
        take = min(free, remaining)
        parts.append(_Part(n, line, suggestion.lot, take))
        lot_taken[suggestion.lot.pk] += take
        remaining -= take
    if remaining > 0:
        if organization.allow_negative_stock and parts:
            parts[-1].quantity += remaining  # the last lot taken goes negative, as the organization allows
            lot_taken[parts[-1].lot.pk] += remaining  # type: ignore[union-attr]
        elif organization.allow_negative_stock:
            raise InvalidInput.single(
                f"{where}.lot_id",
                _("No lot of %(p)s is in stock in %(w)s: choose the lot.") % {"p": product, "w": warehouse},
            )
        else:
            raise InvalidInput.single(
                f"{where}.quantity",
                _("Not enough %(p)s in stock in %(w)s: %(have)s in its lots, %(want)s to deliver.")
                % {
                    "p": product,
                    "w": warehouse,
                    "have": normalize(quantity - remaining),
                    "want": normalize(quantity),
                },
            )
    return parts


def _check_rows(
    organization: Organization,
    rows: Sequence[Mapping[str, Any]],
    header: Mapping[str, Any],
    orders: Mapping[int, SalesOrder],
    lines: Mapping[int, SalesOrderLine],
    wanted: Sequence[int | None],
    errors: list[FieldError],
) -> tuple[list[_Part], dict[int, Decimal], Partner | None]:
    warehouse: Warehouse | None = header.get("warehouse")
    day: datetime.date | None = header.get("date")
    customer: Partner | None = None
    taking: dict[int, Decimal] = defaultdict(lambda: ZERO)
    lot_taken: dict[int, Decimal] = defaultdict(lambda: ZERO)
    parts: list[_Part] = []
    early: set[int] = set()
    for n, row in enumerate(rows):
        where = f"lines.{n}"
        line = lines.get(wanted[n]) if wanted[n] is not None else None  # type: ignore[arg-type]
        if line is None:
            continue
        order = orders[line.order_id]
        if order.status not in DELIVERABLE_STATES:
            errors.append(
                FieldError(
                    f"{where}.order_line_id",
                    _("Order %(o)s is “%(s)s”: goods are delivered only against a confirmed order.")
                    % {"o": order, "s": order.get_status_display()},
                )
            )
            continue
        if customer is None:
            customer = order.customer
        elif order.customer_id != customer.pk:
            errors.append(
                FieldError(
                    f"{where}.order_line_id",
                    _("Order %(o)s is for %(c)s; this delivery is for %(d)s (one customer per delivery).")
                    % {"o": order, "c": order.customer, "d": customer},
                )
            )
            continue
        if not line.product.is_stocked:
            errors.append(
                FieldError(
                    f"{where}.order_line_id",
                    _("%(p)s is a service: it is invoiced from the order, not delivered.") % {"p": line.product},
                )
            )
            continue
        if warehouse is not None and line.warehouse_id != warehouse.pk:
            errors.append(
                FieldError(
                    f"{where}.order_line_id",
                    _("%(p)s of order %(o)s is reserved in %(w)s: deliver it from there.")
                    % {"p": line.product, "o": order, "w": line.warehouse},
                )
            )
            continue
        if day is not None and day < order.date and order.pk not in early:
            early.add(order.pk)
            errors.append(
                FieldError(
                    "date",
                    _("A delivery cannot be dated before its order %(o)s (%(d)s).")
                    % {"o": order, "d": order.date.isoformat()},
                )
            )
        try:
            quantity = decimal_input(row.get("quantity"), f"{where}.quantity", 4)
            if taking[line.pk] + quantity > line.open_quantity:
                raise InvalidInput.single(
                    f"{where}.quantity",
                    _(
                        "Over-delivery refused: %(p)s ordered %(ordered)s, delivered %(delivered)s, %(open)s still "
                        "open; %(want)s is too many."
                    )
                    % {
                        "p": line.product,
                        "ordered": normalize(line.quantity),
                        "delivered": normalize(line.delivered_quantity),
                        "open": normalize(line.open_quantity),
                        "want": normalize(taking[line.pk] + quantity),
                    },
                )
            parts += _lot_parts(organization, n, line, row, quantity, warehouse, lot_taken)
            taking[line.pk] += quantity
        except InvalidInput as exc:
            errors += exc.errors
    return parts, taking, customer


def _check_on_hand(organization: Organization, warehouse: Warehouse, parts: Sequence[_Part]) -> list[FieldError]:
    """Refuse more than is on hand (per product, over all the delivery's lines) unless negative stock is allowed.
    Locks the stock-level rows."""
    need: dict[tuple[int, int], Decimal] = defaultdict(lambda: ZERO)
    first_row: dict[int, _Part] = {}
    for part in parts:
        need[(part.order_line.product_id, warehouse.pk)] += part.quantity
        first_row.setdefault(part.order_line.product_id, part)
    levels = stock_locks.lock_levels(organization, need)
    if organization.allow_negative_stock:
        return []
    errors = []
    for (product_id, warehouse_id), quantity in sorted(need.items()):
        level = levels[(product_id, warehouse_id)]
        if quantity > level.on_hand:
            part = first_row[product_id]
            errors.append(
                FieldError(
                    f"lines.{part.row}.quantity",
                    _("Not enough %(p)s in %(w)s: %(have)s on hand, %(want)s to deliver.")
                    % {
                        "p": part.order_line.product,
                        "w": warehouse,
                        "have": normalize(level.on_hand),
                        "want": normalize(quantity),
                    },
                )
            )
    return errors


def _build_lines(organization: Organization, parts: Sequence[_Part]) -> list[DeliveryLine]:
    """Delivery lines at the orders' prices: each takes its share of the order line's amount and tax (the one that
    completes the line takes what is left, `sales.posting`)."""
    done: dict[int, tuple[Decimal, Decimal, Decimal]] = {}
    for line_id, quantity, amount, tax in DeliveryLine.objects.filter(
        order_line_id__in={p.order_line.pk for p in parts}
    ).values_list("order_line_id", "quantity", "amount", "tax"):
        q, a, t = done.get(line_id, (ZERO, ZERO, ZERO))
        done[line_id] = (q + quantity, a + amount, t + tax)
    built = []
    for part in parts:
        line = part.order_line
        q, a, t = done.get(line.pk, (ZERO, ZERO, ZERO))
        last = q + part.quantity == line.quantity
        amount = posting.share(line.amount, a, part.quantity, line.quantity, last=last)
        tax = posting.share(line.tax, t, part.quantity, line.quantity, last=last)
        done[line.pk] = (q + part.quantity, a + amount, t + tax)
        built.append(
            DeliveryLine(
                organization=organization,
                order_line=line,
                product=line.product,
                lot=part.lot,
                quantity=part.quantity,
                unit_price=line.unit_price,
                vat_rate=line.vat_rate,
                amount=amount,
                tax=tax,
                total=amount + tax,
                cost=ZERO,
            )
        )
    return built


def _post_stock(
    organization: Organization,
    actor: Actor | None,
    delivery: Delivery,
    parts: Sequence[_Part],
    built: Sequence[DeliveryLine],
) -> None:
    try:
        moves = stock_post(
            organization=organization,
            actor=actor,
            date=delivery.date,
            moves=[
                MoveSpec(ln.product_id, delivery.warehouse_id, -ln.quantity, MoveKind.DELIVERY, lot_id=ln.lot_id)
                for ln in built
            ],
            source_type=SOURCE_TYPE,
            source_id=delivery.pk,
            source_label=delivery.number,
        )
    except DomainError as exc:
        # stock_post names its own moves (`moves[3].quantity`); name the delivery's line instead
        field = exc.field or ""
        if field.startswith("moves[") and "]" in field:
            index = int(field[len("moves[") : field.index("]")])
            raise InvalidInput.single(f"lines.{parts[index].row}.quantity", exc.message) from None
        raise
    for line, move in zip(built, moves, strict=True):
        line.delivery = delivery
        line.move = move
        line.cost = -move.value


def _release(organization: Organization, taking: Mapping[int, Decimal], lines: Mapping[int, SalesOrderLine]) -> None:
    """The delivered quantity leaves the reservation (at most what the line still holds) and counts as delivered."""
    freed: dict[tuple[int, int], Decimal] = defaultdict(lambda: ZERO)
    for line_id, quantity in taking.items():
        line = lines[line_id]
        release = min(line.reserved_quantity, quantity)
        if release:
            freed[(line.product_id, line.warehouse_id)] += release
        line.reserved_quantity -= release
        line.delivered_quantity += quantity
        line.save(update_fields=["reserved_quantity", "delivered_quantity", "updated_at"])
    if freed:
        levels = stock_locks.lock_levels(organization, freed)
        for key, quantity in freed.items():
            levels[key].reserved -= quantity
            levels[key].save(update_fields=["reserved"])


def _post_voucher(
    organization: Organization, actor: Actor | None, delivery: Delivery, built: Sequence[DeliveryLine]
) -> None:
    summary = _("Delivery %(no)s %(c)s") % {"no": delivery.number, "c": delivery.customer}
    rows = posting.cost_of_goods_lines(
        cost_account=ledger_account(organization, COST_ACCOUNT),
        inventory=ledger_account(organization, INVENTORY_ACCOUNT),
        lines=[posting.CostLine(ln.product_id, ln.cost, f"{summary} {ln.product.name}"[:200]) for ln in built],
    )
    if not rows:
        return
    delivery.voucher = document_voucher_post(
        organization=organization,
        actor=actor,
        date=delivery.date,
        lines=rows,
        source_type=SOURCE_TYPE,
        source_id=delivery.pk,
        source_label=delivery.number,
        reviewed_by=delivery.number,
        maker=actor,
    )


def delivery_post(*, organization: Organization, actor: Actor | None, data: Mapping[str, Any]) -> Delivery:
    """Post a delivery: `data` = {date, warehouse_id, lines: [{order_line_id, quantity, lot_id?}], carrier,
    tracking_number, shipped_date?, ship_to, notes}. Number CK202611-0001. See the module docstring."""
    with transaction.atomic():
        guard(organization, actor, P.DELIVER_GOODS)
        errors: list[FieldError] = []
        header: dict[str, Any] = {}
        try:
            header["warehouse"] = active_warehouse(organization, data.get("warehouse_id"), "warehouse_id")
        except InvalidInput as exc:
            errors += exc.errors
        try:
            header["date"] = date_input(data.get("date"), "date")
            if header["date"] > timezone.localdate():
                del header["date"]
                raise InvalidInput.single("date", _("A delivery posts when the goods leave: it cannot be dated ahead."))
        except InvalidInput as exc:
            errors += exc.errors
        texts = {key: _text(data, key, errors) for key in ("carrier", "tracking_number", "ship_to")}
        shipped = _shipped_date(data.get("shipped_date"), errors)
        if shipped is not None and "date" in header and shipped < header["date"]:
            errors.append(FieldError("shipped_date", _("Goods cannot ship before the delivery's date.")))
        rows = list(data.get("lines") or [])
        if not rows:
            errors.append(FieldError("lines", _("A delivery needs at least one line.")))
        orders, lines, wanted = _lock_orders(organization, rows, errors)
        parts, taking, customer = _check_rows(organization, rows, header, orders, lines, wanted, errors)
        if not errors and customer is None:
            errors.append(FieldError("lines", _("A delivery needs at least one line.")))
        if errors or customer is None:
            raise InvalidInput(errors)
        warehouse: Warehouse = header["warehouse"]
        on_hand_errors = _check_on_hand(organization, warehouse, parts)
        if on_hand_errors:
            raise InvalidInput(on_hand_errors)
        built = _build_lines(organization, parts)
        first_order = orders[parts[0].order_line.order_id]
        delivery = Delivery.objects.create(
            organization=organization,
            number=next_number(organization=organization, series="sales_delivery", prefix="CK", on=header["date"]),
            customer=customer,
            warehouse=warehouse,
            date=header["date"],
            amount=sum((ln.amount for ln in built), ZERO),
            tax=sum((ln.tax for ln in built), ZERO),
            total=sum((ln.total for ln in built), ZERO),
            carrier=texts["carrier"],
            tracking_number=texts["tracking_number"],
            shipped_date=shipped,
            ship_to=texts["ship_to"] or first_order.ship_to,
            notes=str(data.get("notes") or "").strip(),
            created_by_id=user_id(actor),
        )
        _post_stock(organization, actor, delivery, parts, built)
        DeliveryLine.objects.bulk_create(built)
        delivery.cost = sum((ln.cost for ln in built), ZERO)
        _post_voucher(organization, actor, delivery, built)
        delivery.save(update_fields=["cost", "voucher", "updated_at"])
        _release(organization, taking, lines)
        for order in orders.values():
            order_lines = [ln for ln in lines.values() if ln.order_id == order.pk]
            if any(taking.get(ln.pk) for ln in order_lines):
                transition(organization, actor, order, delivery_state(order_lines), delivery=delivery.number)
        audit_record(
            organization=organization,
            actor=actor,
            obj=delivery,
            action=AuditAction.CREATE,
            changes={
                "customer": str(customer),
                "orders": sorted(str(o) for o in orders.values()),
                "total": str(delivery.total),
                "cost": str(delivery.cost),
                "lines": [
                    [ln.product.code, str(normalize(ln.quantity)), ln.lot.number if ln.lot else ""] for ln in built
                ],
            },
        )
        return delivery


# Logistics --------------------------------------------------------------------------------------------------


def delivery_update_logistics(
    *, organization: Organization, actor: Actor | None, delivery_id: object, data: Mapping[str, Any]
) -> Delivery:
    """Change the logistics of a posted delivery: the keys present of carrier, tracking_number, ship_to,
    shipped_date (None clears it). Audited; nothing else of a posted delivery changes."""
    with transaction.atomic():
        guard(organization, actor, P.DELIVER_GOODS)
        delivery, _lines = lock_delivery(organization, delivery_id)
        errors: list[FieldError] = []
        changes: dict[str, list[Any]] = {}
        for key in ("carrier", "tracking_number", "ship_to"):
            if key in data:
                value = _text(data, key, errors)
                if value != getattr(delivery, key):
                    changes[key] = [getattr(delivery, key), value]
        if "shipped_date" in data:
            shipped = _shipped_date(data.get("shipped_date"), errors)
            if shipped is not None and shipped < delivery.date:
                errors.append(FieldError("shipped_date", _("Goods cannot ship before the delivery's date.")))
            elif shipped is not None and delivery.signed_date and shipped > delivery.signed_date:
                errors.append(FieldError("shipped_date", _("Goods cannot ship after they were signed for.")))
            if shipped != delivery.shipped_date and not errors:
                changes["shipped_date"] = [delivery.shipped_date, shipped]
        if errors:
            raise InvalidInput(errors)
        if not changes:
            return delivery
        for key, (_before, after) in changes.items():
            setattr(delivery, key, after)
        delivery.save(update_fields=[*changes, "updated_at"])
        audit_record(
            organization=organization,
            actor=actor,
            obj=delivery,
            action=AuditAction.UPDATE,
            changes={k: [str(v) if v is not None else None for v in pair] for k, pair in changes.items()},
        )
        return delivery


def delivery_mark_signed(
    *, organization: Organization, actor: Actor | None, delivery_id: object, date: object
) -> Delivery:
    """Record the day the customer signed for the goods (签收): not before the delivery or its shipping, not in the
    future. Sends `delivery_signed`, whose receiver schedules the receivable reminder once the transaction
    commits. Marking it again corrects the date (and schedules again)."""
    with transaction.atomic():
        guard(organization, actor, P.DELIVER_GOODS)
        delivery, _lines = lock_delivery(organization, delivery_id)
        day = date_input(date, "date")
        if day < delivery.date:
            raise InvalidInput.single("date", _("Goods cannot be signed for before the delivery's date."))
        if delivery.shipped_date and day < delivery.shipped_date:
            raise InvalidInput.single("date", _("Goods cannot be signed for before they shipped."))
        if day > timezone.localdate():
            raise InvalidInput.single("date", _("The signed-for date cannot be in the future."))
        before = delivery.signed_date
        delivery.signed_date = day
        delivery.save(update_fields=["signed_date", "updated_at"])
        audit_record(
            organization=organization,
            actor=actor,
            obj=delivery,
            action=AuditAction.UPDATE,
            changes={"signed_date": [before.isoformat() if before else None, day.isoformat()]},
        )
        delivery_signed.send(sender=Delivery, organization=organization, delivery=delivery)
        return delivery


# The receivable reminder ------------------------------------------------------------------------------------


def _invoice_items(organization: Organization, delivery: Delivery) -> list[OpenItem]:
    """The open receivable items of the invoices that cover this delivery's lines (credit notes left aside)."""
    invoice_ids = set(
        InvoiceLine.objects.filter(organization=organization, delivery_line__delivery=delivery).values_list(
            "invoice_id", flat=True
        )
    )
    items = OpenItem.objects.filter(
        organization=organization,
        kind=OpenItemKind.RECEIVABLE,
        source_type=INVOICE_SOURCE,
        source_id__in=invoice_ids,
        amount__gt=0,
    )
    return [item for item in with_open_amount(items) if item.open_amount > 0]  # type: ignore[attr-defined]


def _uninvoiced(delivery: Delivery) -> bool:
    return any(ln.quantity - ln.returned_quantity > ln.invoiced_quantity for ln in delivery.lines.all())


def reminder_date(delivery: Delivery) -> datetime.date | None:
    """When the receivable reminder of a signed delivery first looks: the earliest due date of its open invoices,
    else the signed-for date + the customer's payment terms. None for a delivery not signed for."""
    if delivery.signed_date is None:
        return None
    items = _invoice_items(delivery.organization, delivery)
    if items:
        return min(item.due_date for item in items)
    return delivery.signed_date + datetime.timedelta(days=delivery.customer.payment_terms_days)


def delivery_receivable_reminder(
    *, organization: Organization, delivery_id: object, today: datetime.date | None = None
) -> datetime.date | None:
    """Remind the rep and finance that the invoiced amount of a signed delivery is due and still open (once per
    delivery while it stays open); returns the next day to look again, or None when there is nothing left to wait
    for (see the module docstring)."""
    today = today or timezone.localdate()
    with transaction.atomic():
        delivery = Delivery.objects.select_related("customer", "customer__owner").get(
            organization=organization, pk=get_scoped(Delivery, organization=organization, pk=delivery_id).pk
        )
        if delivery.signed_date is None:
            return None
        items = _invoice_items(organization, delivery)
        due = [item for item in items if item.due_date <= today]
        key = f"delivery:{delivery.pk}"
        if due and not is_raised(organization=organization, kind=REMINDER_KIND, key=key):
            amount = sum((money(item.open_amount) for item in due), ZERO)  # type: ignore[attr-defined]
            users = members_with(organization, P.RECEIVE_PAYMENT)
            if delivery.customer.owner is not None:
                users.append(delivery.customer.owner)
            notify(
                organization,
                users,
                REMINDER_KIND,
                _("%(c)s: %(amount)s due for delivery %(no)s")
                % {"c": delivery.customer, "amount": amount, "no": delivery.number},
                _("Signed for on %(signed)s; invoices %(invoices)s are due and still open.")
                % {
                    "signed": delivery.signed_date.isoformat(),
                    "invoices": ", ".join(sorted(item.source_label for item in due)),
                },
                link=reverse("sales:delivery_detail", args=[delivery.pk]),
                key=key,
            )
        elif not due:
            notifications_resolve(organization=organization, kind=REMINDER_KIND, keys=[key])
        later = [item.due_date for item in items if item.due_date > today]
        if _uninvoiced(delivery) and today < delivery.signed_date + datetime.timedelta(days=GIVE_UP_DAYS):
            later.append(today + datetime.timedelta(days=RECHECK_DAYS))
        return min(later) if later else None
