"""Transfers (调拨) between warehouses and stores of one organization: draft → shipped (in transit) → received.

Rules, stated and tested (`tests/test_transfers.py`):
- shipping writes a TRANSFER_OUT move per line from the source, valued at the source pool's average cost; the
  value that left is kept on the line (`shipped_value`) — the goods are in transit, in no warehouse;
- receiving writes a TRANSFER_IN move per line into the destination whose `value` is exactly what left (no
  rounding, no re-costing), so the transfer moves sum to zero;
- a shortage on receipt (received < shipped) is written off at receipt, not kept in transit: the part that
  arrived carries `shipped_value × received / shipped` (rounded half up to 0.01), the rest (`loss_value`) leaves
  the books through a voucher Dr 190101 待处理财产损溢 / Cr 1405 库存商品 posted in the same transaction (to be
  cleared when its cause is known, like a stocktake loss). Receiving more than was shipped is refused (a
  surplus is a stocktake gain);
- no voucher for the transfer itself: both warehouses sit in 1405; in-transit value stays in 1405 until
  received (`selectors.in_transit_value`, checked by `inventory.checks`);
- a draft can be cancelled; a shipped transfer cannot (receive it, with its shortage, instead).
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from suanpan.accounting.services import document_voucher_post
from suanpan.catalog.models import Product
from suanpan.core.audit import audit_record
from suanpan.core.choices import AuditAction
from suanpan.core.exceptions import DomainError, FieldError, InvalidInput
from suanpan.core.models import Organization
from suanpan.core.money import ZERO, money
from suanpan.core.numbering import next_number
from suanpan.core.permissions import P
from suanpan.core.records import get_scoped
from suanpan.core.tenancy import check_perm
from suanpan.core.types import Actor
from suanpan.inventory import locks
from suanpan.inventory.choices import TRANSFER_FLOW, MoveKind, TransferStatus
from suanpan.inventory.models import Lot, Transfer, TransferLine, Warehouse
from suanpan.inventory.posting import MoveSpec
from suanpan.inventory.services import stock_post
from suanpan.inventory.vouchers import INVENTORY_ACCOUNT, PENDING_LOSS_ACCOUNT, entry

SOURCE_TYPE = "inventory.transfer"
NUMBER_SERIES = "inventory.transfer"
NUMBER_PREFIX = "TR"


# Input --------------------------------------------------------------------------------------------------------


def parse_quantity(value: object, field: str, *, allow_zero: bool = False) -> Decimal:
    """A quantity from input: a number (text, int or Decimal; never float) > 0 (or ≥ 0), at most 4 places."""
    if isinstance(value, bool) or not isinstance(value, Decimal | int | str) or value == "":
        raise InvalidInput.single(field, _("Enter a quantity."))
    try:
        result = Decimal(str(value).replace(",", "").strip())
    except InvalidOperation:
        raise InvalidInput.single(field, _("Enter a quantity.")) from None
    if not result.is_finite():
        raise InvalidInput.single(field, _("Enter a quantity."))
    exponent = result.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -4 and result != result.quantize(Decimal("0.0001")):
        raise InvalidInput.single(field, _("A quantity has at most 4 decimal places."))
    if result < 0 or (result == 0 and not allow_zero):
        raise InvalidInput.single(
            field, _("The quantity must be zero or more.") if allow_zero else _("The quantity must be more than zero.")
        )
    if result >= Decimal("1e14"):
        raise InvalidInput.single(field, _("The quantity is too large."))
    return result.quantize(Decimal("0.0001"))


def scoped_ref(model: type[Any], organization: Organization, value: object, field: str) -> Any:
    """A referenced row of the organization by id, or an input error on `field`."""
    if value in (None, ""):
        raise InvalidInput.single(field, _("This field is required."))
    if isinstance(value, model):
        value = value.pk
    return get_scoped(model, organization=organization, pk=value, field=field)


def check_product_lot(organization: Organization, product: Product, lot_value: object, where: str) -> Lot | None:
    """The lot of a line: required for a batch-tracked product, refused otherwise, and a lot of that product."""
    if not product.is_stocked:
        raise InvalidInput.single(f"{where}.product", _("%(p)s is a service; it has no stock.") % {"p": product})
    if product.is_batch_tracked and lot_value in (None, ""):
        raise InvalidInput.single(f"{where}.lot", _("%(p)s is batch-tracked: give the lot.") % {"p": product})
    if not product.is_batch_tracked:
        if lot_value not in (None, ""):
            raise InvalidInput.single(f"{where}.lot", _("%(p)s is not batch-tracked: no lot.") % {"p": product})
        return None
    lot: Lot = scoped_ref(Lot, organization, lot_value, f"{where}.lot")
    if lot.product_id != product.pk:
        raise InvalidInput.single(f"{where}.lot", _("Lot %(lot)s is not a lot of %(p)s.") % {"lot": lot, "p": product})
    return lot


def check_date(value: object, field: str = "date") -> datetime.date:
    if isinstance(value, datetime.datetime) or not isinstance(value, datetime.date):
        raise InvalidInput.single(field, _("Enter a valid date."))
    return value


# Services -----------------------------------------------------------------------------------------------------


def transfer_create(
    *,
    organization: Organization,
    actor: Actor | None,
    date: datetime.date,
    from_warehouse: object,
    to_warehouse: object,
    lines: Sequence[Mapping[str, Any]],
    notes: str = "",
) -> Transfer:
    """A draft transfer. Refuses: the same warehouse on both ends, an inactive warehouse, no lines, a service,
    a missing or foreign lot, a quantity ≤ 0 or with more than 4 decimals."""
    with transaction.atomic():
        if actor is not None:
            check_perm(organization=organization, actor=actor, perm=P.MOVE_STOCK)
        date = check_date(date)
        errors: list[FieldError] = []
        source = destination = None
        try:
            source = scoped_ref(Warehouse, organization, from_warehouse, "from_warehouse")
        except InvalidInput as exc:
            errors += exc.errors
        try:
            destination = scoped_ref(Warehouse, organization, to_warehouse, "to_warehouse")
        except InvalidInput as exc:
            errors += exc.errors
        if source is not None and destination is not None and source.pk == destination.pk:
            errors.append(FieldError("to_warehouse", _("A transfer goes to another warehouse than it comes from.")))
        for field, warehouse in (("from_warehouse", source), ("to_warehouse", destination)):
            if warehouse is not None and not warehouse.is_active:
                errors.append(FieldError(field, _("%(w)s is not active.") % {"w": warehouse}))
        built: list[TransferLine] = []
        if not lines:
            errors.append(FieldError("lines", _("Add at least one line.")))
        seen: set[tuple[int, int | None]] = set()
        for n, row in enumerate(lines, start=1):
            where = f"lines.{n}"
            try:
                product: Product = scoped_ref(Product, organization, row.get("product"), f"{where}.product")
                lot = check_product_lot(organization, product, row.get("lot"), where)
                quantity = parse_quantity(row.get("quantity"), f"{where}.quantity")
            except InvalidInput as exc:
                errors += exc.errors
                continue
            key = (product.pk, lot.pk if lot else None)
            if key in seen:
                errors.append(FieldError(f"{where}.product", _("%(p)s is on two lines.") % {"p": product}))
            seen.add(key)
            built.append(TransferLine(organization=organization, seq=n, product=product, lot=lot, quantity=quantity))
        if errors or source is None or destination is None:
            raise InvalidInput(errors)
        transfer = Transfer.objects.create(
            organization=organization,
            date=date,
            status=TransferStatus.DRAFT,
            from_warehouse=source,
            to_warehouse=destination,
            notes=(notes or "").strip(),
            created_by_id=actor.pk if actor is not None and actor.is_authenticated else None,
        )
        for line in built:
            line.transfer = transfer
        TransferLine.objects.bulk_create(built)
        audit_record(
            organization=organization,
            actor=actor,
            obj=transfer,
            action=AuditAction.CREATE,
            changes={"from": str(source), "to": str(destination), "lines": len(built)},
        )
        return transfer


def _transition(organization: Organization, actor: Actor | None, transfer: Transfer, dst: str, **extra: Any) -> None:
    src = transfer.status
    transfer.status = dst
    transfer.save()
    audit_record(
        organization=organization,
        actor=actor,
        obj=transfer,
        action=AuditAction.STATE,
        changes={"status": [src, dst], **extra},
    )


def transfer_ship(
    *, organization: Organization, actor: Actor | None, transfer_id: object, date: datetime.date
) -> Transfer:
    """Ship: stock leaves the source at its average cost and is in transit; the transfer takes its number."""
    with transaction.atomic():
        if actor is not None:
            check_perm(organization=organization, actor=actor, perm=P.MOVE_STOCK)
        transfer = locks.lock_transfer(organization, transfer_id)
        TRANSFER_FLOW.check(transfer.status, TransferStatus.SHIPPED)
        date = check_date(date)
        if date < transfer.date:
            raise InvalidInput.single(
                "date", _("A transfer ships on or after its date (%(d)s).") % {"d": transfer.date}
            )
        lines = list(transfer.lines.select_related("product").order_by("seq", "id"))
        transfer.number = next_number(organization=organization, series=NUMBER_SERIES, prefix=NUMBER_PREFIX, on=date)
        moves = stock_post(
            organization=organization,
            actor=actor,
            date=date,
            moves=[
                MoveSpec(
                    line.product_id, transfer.from_warehouse_id, -line.quantity, MoveKind.TRANSFER_OUT, line.lot_id
                )
                for line in lines
            ],
            source_type=SOURCE_TYPE,
            source_id=transfer.pk,
            source_label=transfer.number,
        )
        for line, move in zip(lines, moves, strict=True):
            line.shipped_value = -move.value
            line.save(update_fields=["shipped_value", "updated_at"])
        transfer.shipped_on = date
        _transition(organization, actor, transfer, TransferStatus.SHIPPED, number=transfer.number)
        return transfer


def transfer_receive(
    *,
    organization: Organization,
    actor: Actor | None,
    transfer_id: object,
    date: datetime.date,
    received: Mapping[int, object] | None = None,
) -> Transfer:
    """Receive: stock enters the destination at exactly the value that left. `received` maps line ids to the
    quantity that arrived (default: everything); a shortage is written off (Dr 190101 / Cr 1405)."""
    with transaction.atomic():
        if actor is not None:
            check_perm(organization=organization, actor=actor, perm=P.MOVE_STOCK)
        transfer = locks.lock_transfer(organization, transfer_id)
        TRANSFER_FLOW.check(transfer.status, TransferStatus.RECEIVED)
        date = check_date(date)
        if transfer.shipped_on and date < transfer.shipped_on:
            raise InvalidInput.single(
                "date", _("Goods are received on or after they ship (%(d)s).") % {"d": transfer.shipped_on}
            )
        lines = list(transfer.lines.select_related("product").order_by("seq", "id"))
        by_id = {line.pk: line for line in lines}
        received = dict(received or {})
        errors: list[FieldError] = []
        for key in received:
            if key not in by_id:
                errors.append(FieldError(f"received.{key}", _("No such line on this transfer.")))
        for n, line in enumerate(lines, start=1):
            where = f"lines.{n}.received_quantity"
            try:
                got = parse_quantity(received.get(line.pk, line.quantity), where, allow_zero=True)
            except InvalidInput as exc:
                errors += exc.errors
                continue
            if got > line.quantity:
                errors.append(
                    FieldError(
                        where,
                        _("More than was shipped (%(q)s): count the surplus in a stocktake.")
                        % {"q": format(line.quantity.normalize(), "f")},
                    )
                )
                continue
            line.received_quantity = got
        if errors:
            raise InvalidInput(errors)
        specs = []
        for line in lines:
            got = line.received_quantity if line.received_quantity is not None else ZERO
            if got == line.quantity:
                line.received_value = line.shipped_value
            else:
                line.received_value = money(line.shipped_value * got / line.quantity)
            line.loss_value = line.shipped_value - line.received_value
            if got > 0:
                specs.append(
                    MoveSpec(
                        line.product_id,
                        transfer.to_warehouse_id,
                        got,
                        MoveKind.TRANSFER_IN,
                        line.lot_id,
                        value=line.received_value,
                    )
                )
        if specs:
            stock_post(
                organization=organization,
                actor=actor,
                date=date,
                moves=specs,
                source_type=SOURCE_TYPE,
                source_id=transfer.pk,
                source_label=transfer.number,
            )
        for line in lines:
            line.save(update_fields=["received_quantity", "received_value", "loss_value", "updated_at"])
        loss = sum((line.loss_value for line in lines), ZERO)
        if loss > 0:
            summary = _("Transfer %(n)s: shortage on receipt") % {"n": transfer.number}
            transfer.loss_voucher = document_voucher_post(
                organization=organization,
                actor=actor,
                date=date,
                lines=entry(organization, summary, PENDING_LOSS_ACCOUNT, INVENTORY_ACCOUNT, loss),
                source_type=SOURCE_TYPE,
                source_id=transfer.pk,
                source_label=transfer.number,
                reviewed_by=f"transfer receipt {transfer.number}",
            )
        transfer.received_on = date
        _transition(organization, actor, transfer, TransferStatus.RECEIVED, shortage=str(loss))
        return transfer


def transfer_cancel(*, organization: Organization, actor: Actor | None, transfer_id: object) -> Transfer:
    """Cancel a draft (nothing has moved yet)."""
    with transaction.atomic():
        if actor is not None:
            check_perm(organization=organization, actor=actor, perm=P.MOVE_STOCK)
        transfer = locks.lock_transfer(organization, transfer_id)
        if transfer.status == TransferStatus.SHIPPED:
            raise DomainError(
                _("The goods are on their way: receive them (recording any shortage) instead of cancelling."),
                field="status",
            )
        TRANSFER_FLOW.check(transfer.status, TransferStatus.CANCELLED)
        _transition(organization, actor, transfer, TransferStatus.CANCELLED)
        return transfer
