"""Sales orders: entry, confirmation with stock reservation and credit check, unconfirm, cancel, close.

Each service is one transaction: permission first, the order row locked, then the stock-level rows of its
lines (`inventory.locks.lock_levels`, primary-key order, so two confirmations of overlapping products wait for
each other instead of deadlocking), then the writes, then the audit event.

Prices and rounding (STYLE.md rule 18): a line's net unit price = list price × (1 − line discount) ×
(1 − order discount), rounded half-up to 6 places; amount = quantity × net unit price, rounded half-up to the cent;
tax = amount × the product's VAT rate, rounded half-up to the cent; total = amount + tax. The order's amount, tax
and total are the sums of its lines, so the invoice and the voucher add up to the same cents. The list price is
the one typed in, or the price list's / the product's (`sales.pricing`).

Availability: a product × warehouse can promise `on_hand − reserved`. Confirming locks those rows, checks
every line, and reserves all or nothing; a shortfall is refused with one message naming each short product and
quantity (unless the organization allows negative stock: then it reserves anyway). Services (products that are
not stocked) reserve nothing.

Credit: a customer with a credit limit (> 0) may not be exposed beyond it: open receivables + the uninvoiced
value of its confirmed orders (of a closed order, what was delivered and not yet invoiced) + this order. Beyond
it, confirming is refused unless the actor holds `APPROVE_CREDIT` and asks for it (`approve_credit=True`): the
approval is recorded on the order.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from suanpan.catalog.models import Product
from suanpan.core.audit import audit_record
from suanpan.core.choices import AuditAction
from suanpan.core.exceptions import DomainError, FieldError, InvalidInput
from suanpan.core.inputs import date_input, decimal_input
from suanpan.core.models import Membership, Organization
from suanpan.core.money import ZERO, money, price
from suanpan.core.numbering import next_number
from suanpan.core.permissions import P, has_perm
from suanpan.core.records import get_scoped
from suanpan.core.tenancy import guard, membership_for, user_id
from suanpan.core.types import Actor
from suanpan.finance.choices import OpenItemKind
from suanpan.finance.selectors import open_total
from suanpan.inventory import locks as stock_locks
from suanpan.inventory.models import Warehouse
from suanpan.inventory.services import normalize
from suanpan.partners.models import Partner
from suanpan.sales.choices import DELIVERABLE_STATES, ORDER_FLOW, OrderStatus
from suanpan.sales.models import SalesOrder, SalesOrderLine
from suanpan.sales.pricing import price_for

MAX_AMOUNT = Decimal("1E13")  # a line's total stays far inside the 16 integer digits of an amount column
MAX_ID = 2**63  # beyond a 64-bit id the database refuses the query itself
HUNDRED = Decimal(100)


def lock_order(organization: Organization, order_id: object) -> tuple[SalesOrder, list[SalesOrderLine]]:
    """The order row and its lines, locked (another organization's order is not found). Only those rows: on
    PostgreSQL a bare FOR UPDATE would also lock the joined product rows, in line order, and two orders listing
    the same products in opposite order would deadlock."""
    found = get_scoped(SalesOrder, organization=organization, pk=order_id)
    order = SalesOrder.objects.select_for_update(of=("self",)).get(organization=organization, pk=found.pk)
    lines = list(
        SalesOrderLine.objects.select_for_update(of=("self",))
        .filter(order=order)
        .select_related("product")
        .order_by("pk")
    )
    return order, lines


def _discount(value: object, field: str) -> Decimal:
    """A discount typed as a percentage (0 ≤ d < 100, 2 places) → the fraction stored (0.0500)."""
    if value in (None, ""):
        return ZERO
    percent = decimal_input(value, field, 2, positive=False)
    if percent >= HUNDRED:
        raise InvalidInput.single(field, _("A discount is less than 100 %."))
    return percent / HUNDRED


def line_amounts(
    quantity: Decimal, list_price: Decimal, line_discount: Decimal, order_discount: Decimal, vat_rate: Decimal
) -> tuple[Decimal, Decimal, Decimal, Decimal]:
    """(net unit price, amount, tax, total) by the rounding rule in the module docstring."""
    unit_price = price(list_price * (1 - line_discount) * (1 - order_discount))
    amount = money(quantity * unit_price)
    tax = money(amount * vat_rate)
    return unit_price, amount, tax, amount + tax


# Entry -----------------------------------------------------------------------------------------------------


def _header(organization: Organization, actor: Actor | None, data: Mapping[str, Any]) -> dict[str, Any]:
    errors: list[FieldError] = []
    header: dict[str, Any] = {}
    try:
        customer = get_scoped(Partner, organization=organization, pk=data.get("customer_id"), field="customer_id")
        if not customer.is_customer:
            raise InvalidInput.single("customer_id", _("%(p)s is not a customer.") % {"p": customer})
        if not customer.is_active:
            raise InvalidInput.single("customer_id", _("%(p)s is inactive.") % {"p": customer})
        header["customer"] = customer
    except InvalidInput as exc:
        errors += exc.errors
    try:
        header["warehouse"] = active_warehouse(organization, data.get("warehouse_id"), "warehouse_id")
    except InvalidInput as exc:
        errors += exc.errors
    try:
        header["date"] = date_input(data.get("date"), "date")
    except InvalidInput as exc:
        errors += exc.errors
    expected = data.get("expected_date")
    header["expected_date"] = None
    if expected not in (None, ""):
        if not isinstance(expected, datetime.date):
            errors.append(FieldError("expected_date", _("Enter a valid date.")))
        elif "date" in header and expected < header["date"]:
            errors.append(FieldError("expected_date", _("The delivery date cannot be before the order date.")))
        else:
            header["expected_date"] = expected
    try:
        header["discount_rate"] = _discount(data.get("discount"), "discount")
    except InvalidInput as exc:
        errors += exc.errors
    rep = data.get("salesperson_id")
    if rep not in (None, ""):
        try:
            rep_id = int(str(rep))
        except ValueError:
            rep_id = 0
        membership = (
            Membership.objects.filter(organization=organization, user_id=rep_id, is_active=True)
            .select_related("user")
            .first()
            if 0 < rep_id < MAX_ID
            else None
        )
        if membership is None:
            errors.append(FieldError("salesperson_id", _("No such member of this organization.")))
        else:
            header["salesperson"] = membership.user
    elif "customer" in header:
        header["salesperson"] = header["customer"].owner or (actor if actor is not None else None)
    for key, limit in (("ship_to", 300), ("contact", 100)):
        value = str(data.get(key) or "").strip()
        if len(value) > limit:
            errors.append(FieldError(key, _("At most %(n)d characters.") % {"n": limit}))
        header[key] = value
    header["notes"] = str(data.get("notes") or "").strip()
    if errors:
        raise InvalidInput(errors)
    return header


def active_warehouse(organization: Organization, value: object, field: str) -> Warehouse:
    warehouse = get_scoped(Warehouse, organization=organization, pk=value, field=field)
    if not warehouse.is_active:
        raise InvalidInput.single(field, _("%(w)s is inactive.") % {"w": warehouse})
    return warehouse


def _lines(
    organization: Organization, header: Mapping[str, Any], rows: Sequence[Mapping[str, Any]]
) -> list[SalesOrderLine]:
    if not rows:
        raise InvalidInput.single("lines", _("An order needs at least one line."))
    errors: list[FieldError] = []
    lines: list[SalesOrderLine] = []
    for n, row in enumerate(rows):
        where = f"lines.{n}"
        try:
            product = get_scoped(
                Product, organization=organization, pk=row.get("product_id"), field=f"{where}.product_id"
            )
            if not product.is_active:
                raise InvalidInput.single(f"{where}.product_id", _("%(p)s is inactive.") % {"p": product})
            quantity = decimal_input(row.get("quantity"), f"{where}.quantity", 4)
            warehouse = header.get("warehouse")
            if row.get("warehouse_id") not in (None, ""):
                warehouse = active_warehouse(organization, row.get("warehouse_id"), f"{where}.warehouse_id")
            line_discount = _discount(row.get("discount"), f"{where}.discount")
            if row.get("unit_price") in (None, ""):
                if "customer" not in header or "date" not in header:
                    continue  # the header's error is reported; the price cannot be looked up without it
                list_price = price_for(organization, header["customer"], product, quantity, header["date"]).unit_price
            else:
                list_price = decimal_input(row.get("unit_price"), f"{where}.unit_price", 6, positive=False)
        except InvalidInput as exc:
            errors += exc.errors
            continue
        if warehouse is None:
            continue
        rate = product.vat_rate.rate
        unit_price, amount, tax, total = line_amounts(
            quantity, list_price, line_discount, header.get("discount_rate", ZERO), rate
        )
        if total >= MAX_AMOUNT:
            errors.append(FieldError(f"{where}.quantity", _("The line's amount is too large.")))
            continue
        lines.append(
            SalesOrderLine(
                organization=organization,
                seq=n + 1,
                product=product,
                warehouse=warehouse,
                quantity=quantity,
                list_price=list_price,
                discount_rate=line_discount,
                unit_price=unit_price,
                vat_rate=rate,
                amount=amount,
                tax=tax,
                total=total,
            )
        )
    if errors:
        raise InvalidInput(errors)
    return lines


def _totals(order: SalesOrder, lines: Sequence[SalesOrderLine]) -> None:
    order.amount = sum((ln.amount for ln in lines), ZERO)
    order.tax = sum((ln.tax for ln in lines), ZERO)
    order.total = sum((ln.total for ln in lines), ZERO)


def order_create(*, organization: Organization, actor: Actor | None, data: Mapping[str, Any]) -> SalesOrder:
    """A draft order: customer, warehouse, dates, discount (%), lines [{product_id, quantity, unit_price? (excl.
    VAT; blank = price list or product price), discount? (%), warehouse_id?}]."""
    with transaction.atomic():
        guard(organization, actor, P.CHANGE_SALES)
        header = _header(organization, actor, data)
        lines = _lines(organization, header, data.get("lines") or [])
        order = SalesOrder(organization=organization, created_by_id=user_id(actor), **header)
        _totals(order, lines)
        order.save()
        for line in lines:
            line.order = order
        SalesOrderLine.objects.bulk_create(lines)
        audit_record(
            organization=organization,
            actor=actor,
            obj=order,
            action=AuditAction.CREATE,
            changes={"customer": str(order.customer), "total": str(order.total), "lines": len(lines)},
        )
        return order


def order_update(
    *, organization: Organization, actor: Actor | None, order_id: object, data: Mapping[str, Any]
) -> SalesOrder:
    """Replace a draft order's header and lines. A confirmed order is unconfirmed first (which releases its stock)."""
    with transaction.atomic():
        guard(organization, actor, P.CHANGE_SALES)
        order, _old = lock_order(organization, order_id)
        if order.status != OrderStatus.DRAFT:
            raise DomainError(_("Only a draft order can be changed; unconfirm it first."), field="status")
        header = _header(organization, actor, data)
        lines = _lines(organization, header, data.get("lines") or [])
        for key, value in header.items():
            setattr(order, key, value)
        _totals(order, lines)
        order.save()
        SalesOrderLine.objects.filter(order=order).delete()
        for line in lines:
            line.order = order
        SalesOrderLine.objects.bulk_create(lines)
        audit_record(
            organization=organization,
            actor=actor,
            obj=order,
            action=AuditAction.UPDATE,
            changes={"total": str(order.total), "lines": len(lines)},
        )
        return order


# State changes ---------------------------------------------------------------------------------------------


def transition(organization: Organization, actor: Actor | None, order: SalesOrder, to: str, **extra: Any) -> SalesOrder:
    ORDER_FLOW.check(order.status, to)
    before = order.status
    order.status = to
    order.save()
    audit_record(
        organization=organization,
        actor=actor,
        obj=order,
        action=AuditAction.STATE,
        changes={"status": [before, to], **extra},
    )
    return order


@dataclass(frozen=True)
class Exposure:
    """What a customer owes and has on order, against its credit limit (0 = no limit)."""

    limit: Decimal
    receivable: Decimal  # open receivables (net of credits)
    overdue: Decimal  # of which past due
    on_order: Decimal  # uninvoiced value of its orders (of a closed order, of what was delivered)

    @property
    def total(self) -> Decimal:
        return self.receivable + self.on_order


def customer_exposure(
    organization: Organization, customer: Partner, *, excluding: SalesOrder | None = None
) -> Exposure:
    from suanpan.finance.models import OpenItem
    from suanpan.finance.selectors import with_open_amount

    receivable = open_total(organization=organization, kind=OpenItemKind.RECEIVABLE, partner_id=customer.pk)
    today = timezone.localdate()
    overdue = sum(
        (
            money(item.open_amount)  # type: ignore[attr-defined]
            for item in with_open_amount(
                OpenItem.objects.filter(
                    organization=organization, kind=OpenItemKind.RECEIVABLE, partner=customer, due_date__lt=today
                )
            )
        ),
        ZERO,
    )
    lines = SalesOrderLine.objects.filter(
        organization=organization,
        order__customer=customer,
        order__status__in=[*DELIVERABLE_STATES, OrderStatus.DELIVERED, OrderStatus.CLOSED],
    ).select_related("order")
    if excluding is not None:
        lines = lines.exclude(order=excluding)

    def uninvoiced(line: SalesOrderLine) -> Decimal:
        """What will still be invoiced: the ordered quantity (of a closed order only what was delivered), less what
        came back and what was invoiced already (credit notes count negative)."""
        ceiling = line.delivered_quantity if line.order.status == OrderStatus.CLOSED else line.quantity
        remaining: Decimal = ceiling - line.returned_quantity - line.invoiced_quantity
        return max(remaining, ZERO)

    on_order = sum((money(ln.total * uninvoiced(ln) / ln.quantity) for ln in lines if ln.quantity), ZERO)
    return Exposure(limit=customer.credit_limit, receivable=receivable, overdue=overdue, on_order=on_order)


def _check_credit(
    organization: Organization, actor: Actor | None, order: SalesOrder, approve_credit: bool
) -> dict[str, str]:
    exposure = customer_exposure(organization, order.customer, excluding=order)
    if not exposure.limit or exposure.total + order.total <= exposure.limit:
        return {}
    allowed = actor is None or has_perm(membership_for(organization=organization, user=actor), P.APPROVE_CREDIT)
    if approve_credit and allowed:
        order.credit_approved_by_id = user_id(actor)
        return {"credit_approved": str(exposure.total + order.total)}
    message = _(
        "Over the credit limit of %(customer)s: limit %(limit)s, owed %(owed)s, on order %(on_order)s, this order "
        "%(order)s."
    ) % {
        "customer": order.customer,
        "limit": exposure.limit,
        "owed": exposure.receivable,
        "on_order": exposure.on_order,
        "order": order.total,
    }
    if allowed:
        message += " " + _("Confirm with the credit approval to go ahead.")
    else:
        message += " " + _("A manager or finance must approve it.")
    raise DomainError(message, field="credit")


def reserve(organization: Organization, lines: Sequence[SalesOrderLine]) -> None:
    """Reserve each stocked line's open quantity in its warehouse, all or nothing (the caller holds the order)."""
    need: dict[tuple[int, int], Decimal] = defaultdict(lambda: ZERO)
    products: dict[int, Product] = {}
    for line in lines:
        if line.product.is_stocked and line.open_quantity > 0:
            need[(line.product_id, line.warehouse_id)] += line.open_quantity
            products[line.product_id] = line.product
    if not need:
        return
    levels = stock_locks.lock_levels(organization, need)
    short = []
    for key, quantity in sorted(need.items()):
        level = levels[key]
        if quantity > level.available and not organization.allow_negative_stock:
            product = products[key[0]]
            short.append(
                _("%(product)s: ordered %(want)s, available %(available)s")
                % {
                    "product": f"{product.code} {product.name}",
                    "want": normalize(quantity),
                    "available": normalize(max(level.available, ZERO)),
                }
            )
    if short:
        raise DomainError(_("Not enough stock — %(short)s.") % {"short": "; ".join(short)}, field="lines")
    for key, quantity in need.items():
        levels[key].reserved += quantity
        levels[key].save(update_fields=["reserved"])
    for line in lines:
        if line.product.is_stocked and line.open_quantity > 0:
            line.reserved_quantity = line.open_quantity
            line.save(update_fields=["reserved_quantity"])


def release(organization: Organization, lines: Sequence[SalesOrderLine]) -> None:
    """Give back whatever the lines still hold."""
    held: dict[tuple[int, int], Decimal] = defaultdict(lambda: ZERO)
    for line in lines:
        if line.reserved_quantity:
            held[(line.product_id, line.warehouse_id)] += line.reserved_quantity
    if not held:
        return
    levels = stock_locks.lock_levels(organization, held)
    for key, quantity in held.items():
        levels[key].reserved -= quantity
        levels[key].save(update_fields=["reserved"])
    for line in lines:
        if line.reserved_quantity:
            line.reserved_quantity = ZERO
            line.save(update_fields=["reserved_quantity"])


def order_confirm(
    *, organization: Organization, actor: Actor | None, order_id: object, approve_credit: bool = False
) -> SalesOrder:
    """Draft → confirmed: the order takes its number (SO202611-0001), the stock is reserved, the credit checked."""
    with transaction.atomic():
        guard(organization, actor, P.CHANGE_SALES)
        order, lines = lock_order(organization, order_id)
        ORDER_FLOW.check(order.status, OrderStatus.CONFIRMED)
        customer = order.customer
        if not customer.is_active:
            raise DomainError(_("%(p)s is inactive.") % {"p": customer}, field="customer_id")
        inactive = [ln.product for ln in lines if not ln.product.is_active]
        if inactive:
            raise DomainError(
                _("Inactive products cannot be sold: %(p)s.") % {"p": ", ".join(str(p) for p in inactive)},
                field="lines",
            )
        if order.customer.credit_limit:
            # one confirmation at a time per customer with a limit: two orders confirmed at once would each see
            # the other's exposure missing and could pass the limit together (lock order: order, lines, customer,
            # stock levels; nothing else locks a partner row)
            order.customer = Partner.objects.select_for_update(of=("self",)).get(pk=order.customer_id)
        credit = _check_credit(organization, actor, order, approve_credit)
        reserve(organization, lines)
        if not order.number:
            order.number = next_number(organization=organization, series="sales_order", prefix="SO", on=order.date)
        order.confirmed_at = timezone.now()
        return transition(organization, actor, order, OrderStatus.CONFIRMED, number=order.number, **credit)


def order_unconfirm(*, organization: Organization, actor: Actor | None, order_id: object) -> SalesOrder:
    """Confirmed → draft while nothing was delivered: the reservations are released, the order can be changed."""
    with transaction.atomic():
        guard(organization, actor, P.CHANGE_SALES)
        order, lines = lock_order(organization, order_id)
        if order.status != OrderStatus.CONFIRMED or any(ln.delivered_quantity or ln.invoiced_quantity for ln in lines):
            raise DomainError(_("Only a confirmed order with nothing delivered or invoiced can be unconfirmed."))
        release(organization, lines)
        order.credit_approved_by = None
        return transition(organization, actor, order, OrderStatus.DRAFT)


def order_cancel(*, organization: Organization, actor: Actor | None, order_id: object) -> SalesOrder:
    """Cancel an order nothing was delivered or invoiced against; its reservations are released."""
    with transaction.atomic():
        guard(organization, actor, P.CHANGE_SALES)
        order, lines = lock_order(organization, order_id)
        if any(ln.delivered_quantity or ln.invoiced_quantity for ln in lines):
            raise DomainError(
                _("Goods were delivered or invoiced against this order; close it instead of cancelling it."),
                field="status",
            )
        release(organization, lines)
        return transition(organization, actor, order, OrderStatus.CANCELLED)


def order_close(*, organization: Organization, actor: Actor | None, order_id: object) -> SalesOrder:
    """Close a (partially) delivered order: the rest will not be delivered, its reservations are released."""
    with transaction.atomic():
        guard(organization, actor, P.CHANGE_SALES)
        order, lines = lock_order(organization, order_id)
        if order.status == OrderStatus.CONFIRMED:
            raise DomainError(_("Nothing was delivered yet: cancel the order instead."), field="status")
        open_quantity = {ln.seq: str(normalize(ln.open_quantity)) for ln in lines if ln.open_quantity}
        release(organization, lines)
        return transition(organization, actor, order, OrderStatus.CLOSED, not_delivered=open_quantity)


def delivery_state(lines: Sequence[SalesOrderLine]) -> str:
    """The order's state from its lines' deliveries (for the delivery service)."""
    if all(ln.delivered_quantity >= ln.quantity for ln in lines):
        return OrderStatus.DELIVERED
    return OrderStatus.PARTIALLY_DELIVERED
