"""Purchase orders, receipts (采购入库) and purchase returns (采购退货).

Each service is one transaction: permission first, the document row locked, then its lines (primary-key order),
then the stock levels (inside `inventory.services.stock_post`) and the books (`voucher_post`), the payable written
through `finance.services.open_item_add`, the event audited. Receipts and returns post when they are made.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from suanpan.accounting.services import document_voucher_post
from suanpan.catalog.models import Product
from suanpan.core.audit import audit_record
from suanpan.core.choices import AuditAction, TaxpayerType
from suanpan.core.exceptions import DomainError, FieldError, InvalidInput
from suanpan.core.inputs import date_input as _date
from suanpan.core.inputs import decimal_input as _number
from suanpan.core.models import Organization
from suanpan.core.money import ZERO
from suanpan.core.numbering import next_number
from suanpan.core.permissions import P
from suanpan.core.records import get_scoped
from suanpan.core.tenancy import guard, user_id
from suanpan.core.types import Actor
from suanpan.finance.choices import OpenItemKind
from suanpan.finance.services import open_item_add
from suanpan.finance.vouchers import account as ledger_account
from suanpan.inventory.choices import MoveKind
from suanpan.inventory.models import Lot, Warehouse
from suanpan.inventory.posting import MoveSpec
from suanpan.inventory.services import normalize, stock_post
from suanpan.partners.models import Partner
from suanpan.purchasing import locks, posting
from suanpan.purchasing.choices import ORDER_FLOW, RECEIVABLE_STATES, OrderStatus
from suanpan.purchasing.models import (
    PurchaseOrder,
    PurchaseOrderLine,
    PurchaseReturn,
    PurchaseReturnLine,
    Receipt,
    ReceiptLine,
)

MAX_AMOUNT = Decimal("1E13")  # a line's total stays far inside the 16 integer digits of an amount column


def _document_totals(lines: Sequence[ReceiptLine | PurchaseReturnLine], *, vat_in_cost: bool) -> dict[str, Decimal]:
    """A receipt's or a return's amount, tax, total and cost: the sums of its lines (no tax where VAT is cost)."""
    return {
        "amount": sum((ln.amount for ln in lines), ZERO),
        "tax": ZERO if vat_in_cost else sum((ln.tax for ln in lines), ZERO),
        "total": sum((ln.total for ln in lines), ZERO),
        "cost": sum((ln.cost for ln in lines), ZERO),
    }


def _vat_in_cost(organization: Organization) -> bool:
    return organization.taxpayer_type == TaxpayerType.SMALL_SCALE


# Purchase orders -------------------------------------------------------------------------------------------


def _order_header(organization: Organization, data: Mapping[str, Any]) -> dict[str, Any]:
    errors: list[FieldError] = []
    header: dict[str, Any] = {}
    try:
        supplier = get_scoped(Partner, organization=organization, pk=data.get("supplier_id"), field="supplier_id")
        if not supplier.is_supplier:
            raise InvalidInput.single("supplier_id", _("%(p)s is not a supplier.") % {"p": supplier})
        if not supplier.is_active:
            raise InvalidInput.single("supplier_id", _("%(p)s is inactive.") % {"p": supplier})
        header["supplier"] = supplier
    except InvalidInput as exc:
        errors += exc.errors
    try:
        warehouse = get_scoped(Warehouse, organization=organization, pk=data.get("warehouse_id"), field="warehouse_id")
        if not warehouse.is_active:
            raise InvalidInput.single("warehouse_id", _("%(w)s is inactive.") % {"w": warehouse})
        header["warehouse"] = warehouse
    except InvalidInput as exc:
        errors += exc.errors
    try:
        header["date"] = _date(data.get("date"), "date")
    except InvalidInput as exc:
        errors += exc.errors
    expected = data.get("expected_date")
    if expected not in (None, ""):
        if not isinstance(expected, datetime.date):
            errors.append(FieldError("expected_date", _("Enter a valid date.")))
        elif "date" in header and expected < header["date"]:
            errors.append(FieldError("expected_date", _("The expected date cannot be before the order date.")))
        else:
            header["expected_date"] = expected
    else:
        header["expected_date"] = None
    header["notes"] = str(data.get("notes") or "").strip()
    if errors:
        raise InvalidInput(errors)
    return header


def _order_lines(organization: Organization, rows: Sequence[Mapping[str, Any]]) -> list[PurchaseOrderLine]:
    if not rows:
        raise InvalidInput.single("lines", _("An order needs at least one line."))
    errors: list[FieldError] = []
    lines: list[PurchaseOrderLine] = []
    vat_in_cost = _vat_in_cost(organization)
    for n, row in enumerate(rows):
        where = f"lines.{n}"
        try:
            product = get_scoped(
                Product, organization=organization, pk=row.get("product_id"), field=f"{where}.product_id"
            )
            if not product.is_stocked:
                raise InvalidInput.single(
                    f"{where}.product_id", _("%(p)s is a service; it has no stock.") % {"p": product}
                )
            quantity = _number(row.get("quantity"), f"{where}.quantity", 4)
            unit_price = _number(row.get("unit_price"), f"{where}.unit_price", 6, positive=False)
        except InvalidInput as exc:
            errors += exc.errors
            continue
        rate = product.vat_rate.rate
        amounts = posting.line_amounts(quantity, unit_price, rate, vat_in_cost=vat_in_cost)
        if amounts.total >= MAX_AMOUNT:
            errors.append(FieldError(f"{where}.quantity", _("The line's amount is too large.")))
            continue
        lines.append(
            PurchaseOrderLine(
                organization=organization,
                seq=n + 1,
                product=product,
                quantity=quantity,
                unit_price=unit_price,
                vat_rate=rate,
                amount=amounts.amount,
                tax=amounts.tax,
                total=amounts.total,
            )
        )
    if errors:
        raise InvalidInput(errors)
    return lines


def _totals(order: PurchaseOrder, lines: Sequence[PurchaseOrderLine]) -> None:
    order.amount = sum((ln.amount for ln in lines), ZERO)
    order.tax = sum((ln.tax for ln in lines), ZERO)
    order.total = sum((ln.total for ln in lines), ZERO)


def purchase_order_create(*, organization: Organization, actor: Actor | None, data: Mapping[str, Any]) -> PurchaseOrder:
    """A draft order: supplier, warehouse, dates, lines [{product_id, quantity, unit_price (excl. VAT)}]. The
    VAT rate of each line is its product's; amounts are rounded per line (see `posting`)."""
    with transaction.atomic():
        guard(organization, actor, P.CHANGE_PURCHASE)
        header = _order_header(organization, data)
        lines = _order_lines(organization, data.get("lines") or [])
        order = PurchaseOrder(organization=organization, created_by_id=user_id(actor), **header)
        _totals(order, lines)
        order.save()
        for line in lines:
            line.order = order
        PurchaseOrderLine.objects.bulk_create(lines)
        audit_record(
            organization=organization,
            actor=actor,
            obj=order,
            action=AuditAction.CREATE,
            changes={"supplier": str(order.supplier), "total": str(order.total), "lines": len(lines)},
        )
        return order


def purchase_order_update(
    *, organization: Organization, actor: Actor | None, order_id: object, data: Mapping[str, Any]
) -> PurchaseOrder:
    """Replace a draft order's header and lines. An approved order is frozen: cancel it and order anew."""
    with transaction.atomic():
        guard(organization, actor, P.CHANGE_PURCHASE)
        order, _lines = locks.lock_order(organization, order_id)
        if order.status != OrderStatus.DRAFT:
            raise DomainError(_("Only a draft order can be changed."), field="status")
        header = _order_header(organization, data)
        lines = _order_lines(organization, data.get("lines") or [])
        for key, value in header.items():
            setattr(order, key, value)
        _totals(order, lines)
        order.save()
        PurchaseOrderLine.objects.filter(order=order).delete()
        for line in lines:
            line.order = order
        PurchaseOrderLine.objects.bulk_create(lines)
        audit_record(
            organization=organization,
            actor=actor,
            obj=order,
            action=AuditAction.UPDATE,
            changes={"total": str(order.total), "lines": len(lines)},
        )
        return order


def _transition(
    organization: Organization, actor: Actor | None, order: PurchaseOrder, to: str, **extra: Any
) -> PurchaseOrder:
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


def purchase_order_approve(*, organization: Organization, actor: Actor | None, order_id: object) -> PurchaseOrder:
    """Draft → approved, by a role that may commit the money; the order takes its number (PO202611-0001)."""
    with transaction.atomic():
        guard(organization, actor, P.APPROVE_PURCHASE)
        order, _lines = locks.lock_order(organization, order_id)
        ORDER_FLOW.check(order.status, OrderStatus.APPROVED)
        order.number = next_number(organization=organization, series="purchase_order", prefix="PO", on=order.date)
        order.approved_by_id = user_id(actor)
        order.approved_at = timezone.now()
        return _transition(organization, actor, order, OrderStatus.APPROVED, number=order.number)


def purchase_order_cancel(*, organization: Organization, actor: Actor | None, order_id: object) -> PurchaseOrder:
    """Cancel an order nothing was received against (once goods came, close the rest instead)."""
    with transaction.atomic():
        guard(organization, actor, P.CHANGE_PURCHASE)
        order, lines = locks.lock_order(organization, order_id)
        if any(ln.received_quantity for ln in lines):
            raise DomainError(
                _("Goods were received against this order; close it instead of cancelling it."), field="status"
            )
        return _transition(organization, actor, order, OrderStatus.CANCELLED)


def purchase_order_close(*, organization: Organization, actor: Actor | None, order_id: object) -> PurchaseOrder:
    """Close a (partially) received order: what was not received will not come."""
    with transaction.atomic():
        guard(organization, actor, P.CHANGE_PURCHASE)
        order, lines = locks.lock_order(organization, order_id)
        if order.status == OrderStatus.APPROVED:
            raise DomainError(_("Nothing was received yet: cancel the order instead."), field="status")
        open_quantity = {ln.seq: str(normalize(ln.open_quantity)) for ln in lines if ln.open_quantity}
        return _transition(organization, actor, order, OrderStatus.CLOSED, not_received=open_quantity)


def _progress(lines: Sequence[PurchaseOrderLine]) -> str:
    """Received in full or in part, from the lines' quantities (workflow state follows derived progress)."""
    return (
        OrderStatus.RECEIVED
        if all(ln.received_quantity >= ln.quantity for ln in lines)
        else OrderStatus.PARTIALLY_RECEIVED
    )


# Receipts ---------------------------------------------------------------------------------------------------


def _lot(organization: Organization, product: Product, row: Mapping[str, Any], where: str) -> Lot | None:
    number = str(row.get("lot_number") or "").strip()
    production, expiry = row.get("production_date") or None, row.get("expiry_date") or None
    if not product.is_batch_tracked:
        if number:
            raise InvalidInput.single(f"{where}.lot_number", _("%(p)s is not batch-tracked: no lot.") % {"p": product})
        return None
    if not number:
        raise InvalidInput.single(
            f"{where}.lot_number", _("%(p)s is batch-tracked: give the lot number.") % {"p": product}
        )
    if len(number) > 60:
        raise InvalidInput.single(f"{where}.lot_number", _("At most 60 characters."))
    for key, value in (("production_date", production), ("expiry_date", expiry)):
        if value is not None and not isinstance(value, datetime.date):
            raise InvalidInput.single(f"{where}.{key}", _("Enter a valid date."))
    if production and expiry and expiry < production:
        raise InvalidInput.single(f"{where}.expiry_date", _("The expiry date cannot be before the production date."))
    lot = Lot.objects.filter(organization=organization, product=product, number=number).first()
    if lot is None:
        return Lot.objects.create(
            organization=organization, product=product, number=number, production_date=production, expiry_date=expiry
        )
    for key, value in (("production_date", production), ("expiry_date", expiry)):
        if value and getattr(lot, key) and getattr(lot, key) != value:
            raise InvalidInput.single(
                f"{where}.{key}",
                _("Lot %(lot)s of %(p)s is already recorded with %(field)s %(d)s.")
                % {"lot": number, "p": product, "field": key.replace("_", " "), "d": getattr(lot, key)},
            )
    return lot


def receipt_post(
    *,
    organization: Organization,
    actor: Actor | None,
    order_id: object,
    date: datetime.date,
    lines: Sequence[Mapping[str, Any]],
    warehouse_id: object = None,
    invoice_number: str = "",
    notes: str = "",
) -> Receipt:
    """采购入库 against an approved order, in part or in full: lines [{order_line_id, quantity, lot_number,
    production_date, expiry_date}]. Receiving more than is still open on a line is refused. Posts, in one
    transaction: receipt moves at the line's cost excl. VAT (incl. VAT for small-scale taxpayers), the voucher
    Dr 1405 + Dr 22210101 / Cr 2202, and the supplier's payable (due after their payment terms)."""
    with transaction.atomic():
        guard(organization, actor, P.RECEIVE_GOODS)
        date = _date(date, "date")
        order, order_lines = locks.lock_order(organization, order_id)
        if order.status not in RECEIVABLE_STATES:
            raise DomainError(
                _("Goods are received only against an approved order; this one is “%(s)s”.")
                % {"s": order.get_status_display()},
                field="status",
            )
        if date < order.date:
            raise InvalidInput.single("date", _("A receipt cannot be dated before its order."))
        warehouse = order.warehouse
        if warehouse_id not in (None, ""):
            warehouse = get_scoped(Warehouse, organization=organization, pk=warehouse_id, field="warehouse_id")
        by_id = {ln.pk: ln for ln in order_lines}
        rows = [r for r in lines if str(r.get("quantity") or "").strip() not in ("", "0")]
        if not rows:
            raise InvalidInput.single("lines", _("Enter the quantity received on at least one line."))
        vat_in_cost = _vat_in_cost(organization)
        errors: list[FieldError] = []
        taking: dict[int, Decimal] = {}
        built: list[ReceiptLine] = []
        for n, row in enumerate(rows):
            where = f"lines.{n}"
            line = by_id.get(row.get("order_line_id"))  # type: ignore[arg-type]
            if line is None:
                errors.append(FieldError(f"{where}.order_line_id", _("Not a line of this order.")))
                continue
            try:
                quantity = _number(row.get("quantity"), f"{where}.quantity", 4)
                taking[line.pk] = taking.get(line.pk, ZERO) + quantity
                if taking[line.pk] > line.open_quantity:
                    raise InvalidInput.single(
                        f"{where}.quantity",
                        _(
                            "Over-receipt refused: %(p)s ordered %(ordered)s, received %(received)s, "
                            "%(open)s still open; %(want)s is too many."
                        )
                        % {
                            "p": line.product,
                            "ordered": normalize(line.quantity),
                            "received": normalize(line.received_quantity),
                            "open": normalize(line.open_quantity),
                            "want": normalize(taking[line.pk]),
                        },
                    )
                lot = _lot(organization, line.product, row, where)
            except InvalidInput as exc:
                errors += exc.errors
                continue
            amounts = posting.line_amounts(quantity, line.unit_price, line.vat_rate, vat_in_cost=vat_in_cost)
            built.append(
                ReceiptLine(
                    organization=organization,
                    order_line=line,
                    product=line.product,
                    lot=lot,
                    quantity=quantity,
                    unit_price=line.unit_price,
                    vat_rate=line.vat_rate,
                    amount=amounts.amount,
                    tax=amounts.tax,
                    total=amounts.total,
                    cost=amounts.cost,
                )
            )
        if errors:
            raise InvalidInput(errors)
        supplier = order.supplier
        receipt = Receipt.objects.create(
            organization=organization,
            number=next_number(organization=organization, series="purchase_receipt", prefix="GR", on=date),
            order=order,
            supplier=supplier,
            warehouse=warehouse,
            date=date,
            invoice_number=str(invoice_number or "").strip()[:40],
            **_document_totals(built, vat_in_cost=vat_in_cost),
            due_date=date + datetime.timedelta(days=supplier.payment_terms_days),
            notes=str(notes or "").strip(),
            created_by_id=user_id(actor),
        )
        for made in built:
            made.receipt = receipt
        ReceiptLine.objects.bulk_create(built)
        stock_post(
            organization=organization,
            actor=actor,
            date=date,
            moves=[
                MoveSpec(ln.product_id, warehouse.pk, ln.quantity, MoveKind.RECEIPT, lot_id=ln.lot_id, value=ln.cost)
                for ln in built
            ],
            source_type="purchasing.receipt",
            source_id=receipt.pk,
            source_label=receipt.number,
        )
        _post_books(organization, actor, receipt, built, sign=1)
        for line_id, quantity in taking.items():
            PurchaseOrderLine.objects.filter(pk=line_id).update(received_quantity=F("received_quantity") + quantity)
        for line in order_lines:
            line.received_quantity += taking.get(line.pk, ZERO)
        _transition(organization, actor, order, _progress(order_lines), receipt=receipt.number)
        audit_record(
            organization=organization,
            actor=actor,
            obj=receipt,
            action=AuditAction.CREATE,
            changes={
                "order": order.number,
                "total": str(receipt.total),
                "lines": [
                    [ln.product.code, str(normalize(ln.quantity)), ln.lot.number if ln.lot else ""] for ln in built
                ],
            },
        )
        return receipt


def _post_books(
    organization: Organization,
    actor: Actor | None,
    document: Receipt | PurchaseReturn,
    lines: Sequence[ReceiptLine | PurchaseReturnLine],
    *,
    sign: int,
) -> None:
    """The document's voucher and open item (nothing for a document worth nothing, e.g. free samples)."""
    if document.total == 0 and all(ln.cost == 0 for ln in lines):
        return
    supplier = document.supplier
    kind = "purchasing.receipt" if sign > 0 else "purchasing.return"
    summary = (_("Purchase receipt %(no)s %(p)s") if sign > 0 else _("Purchase return %(no)s %(p)s")) % {
        "no": document.number,
        "p": supplier,
    }
    if isinstance(document, Receipt) and document.invoice_number:
        summary += " " + _("invoice %(n)s") % {"n": document.invoice_number}
    rows = posting.purchase_voucher_lines(
        summary=summary,
        partner=supplier,
        inventory=ledger_account(organization, "1405"),
        input_vat=ledger_account(organization, "22210101"),
        payable=ledger_account(organization, "2202"),
        lines=[posting.PostLine(ln.product_id, ln.cost, f"{summary} {ln.product.name}"[:200]) for ln in lines],
        tax=document.tax,
        total=document.total,
        sign=sign,
    )
    document.voucher = document_voucher_post(
        organization=organization,
        actor=actor,
        date=document.date,
        lines=rows,
        source_type=kind,
        source_id=document.pk,
        source_label=document.number,
        reviewed_by=document.number,
        maker=actor,
    )
    document.save(update_fields=["voucher", "updated_at"])
    if document.total:
        open_item_add(
            organization=organization,
            actor=actor,
            partner=supplier,
            kind=OpenItemKind.PAYABLE,
            date=document.date,
            due_date=document.due_date if isinstance(document, Receipt) else document.date,
            amount=sign * document.total,
            source_type=kind,
            source_id=document.pk,
            source_label=document.number,
        )


# Purchase returns -------------------------------------------------------------------------------------------


def purchase_return_post(
    *,
    organization: Organization,
    actor: Actor | None,
    receipt_id: object,
    date: datetime.date,
    lines: Sequence[Mapping[str, Any]],
    reason: str = "",
) -> PurchaseReturn:
    """采购退货 against a receipt: lines [{receipt_line_id, quantity}], each at most what was received and not yet
    returned. Stock leaves at the value the goods came in with; a red voucher reverses the inventory, VAT and
    payable; a negative payable (a credit) is written that payments net against the supplier's payables."""
    with transaction.atomic():
        guard(organization, actor, P.RECEIVE_GOODS)
        date = _date(date, "date")
        receipt, receipt_lines = locks.lock_receipt(organization, receipt_id)
        if date < receipt.date:
            raise InvalidInput.single("date", _("A return cannot be dated before its receipt."))
        by_id = {ln.pk: ln for ln in receipt_lines}
        rows = [r for r in lines if str(r.get("quantity") or "").strip() not in ("", "0")]
        if not rows:
            raise InvalidInput.single("lines", _("Enter the quantity returned on at least one line."))
        errors: list[FieldError] = []
        built: list[PurchaseReturnLine] = []
        seen: set[int] = set()
        for n, row in enumerate(rows):
            where = f"lines.{n}"
            line = by_id.get(row.get("receipt_line_id"))  # type: ignore[arg-type]
            if line is None or line.pk in seen:
                errors.append(FieldError(f"{where}.receipt_line_id", _("Not a line of this receipt (or given twice).")))
                continue
            seen.add(line.pk)
            try:
                quantity = _number(row.get("quantity"), f"{where}.quantity", 4)
            except InvalidInput as exc:
                errors += exc.errors
                continue
            if quantity > line.returnable_quantity:
                errors.append(
                    FieldError(
                        f"{where}.quantity",
                        _("At most %(n)s of %(p)s can still be returned (received %(r)s, returned %(x)s).")
                        % {
                            "n": normalize(line.returnable_quantity),
                            "p": line.product,
                            "r": normalize(line.quantity),
                            "x": normalize(line.returned_quantity),
                        },
                    )
                )
                continue
            before = PurchaseReturnLine.objects.filter(receipt_line=line)
            done = {key: sum((getattr(x, key) for x in before), ZERO) for key in ("amount", "tax", "total", "cost")}
            last = quantity == line.returnable_quantity
            parts = {
                key: posting.share(getattr(line, key), done[key], quantity, line.quantity, last=last)
                for key in ("amount", "tax", "cost")
            }
            built.append(
                PurchaseReturnLine(
                    organization=organization,
                    receipt_line=line,
                    product=line.product,
                    lot=line.lot,
                    quantity=quantity,
                    amount=parts["amount"],
                    tax=parts["tax"],
                    total=parts["amount"] + parts["tax"],
                    cost=parts["cost"],
                )
            )
        if errors:
            raise InvalidInput(errors)
        vat_in_cost = receipt.tax == 0 and any(ln.tax for ln in receipt_lines)
        document = PurchaseReturn.objects.create(
            organization=organization,
            number=next_number(organization=organization, series="purchase_return", prefix="PR", on=date),
            receipt=receipt,
            supplier=receipt.supplier,
            warehouse=receipt.warehouse,
            date=date,
            reason=str(reason or "").strip()[:200],
            **_document_totals(built, vat_in_cost=vat_in_cost),
            created_by_id=user_id(actor),
        )
        for made_return in built:
            made_return.purchase_return = document
        PurchaseReturnLine.objects.bulk_create(built)
        stock_post(
            organization=organization,
            actor=actor,
            date=date,
            moves=[
                MoveSpec(
                    ln.product_id,
                    receipt.warehouse_id,
                    -ln.quantity,
                    MoveKind.PURCHASE_RETURN,
                    lot_id=ln.lot_id,
                    value=ln.cost,
                )
                for ln in built
            ],
            source_type="purchasing.return",
            source_id=document.pk,
            source_label=document.number,
        )
        _post_books(organization, actor, document, built, sign=-1)
        for ln in built:
            ReceiptLine.objects.filter(pk=ln.receipt_line_id).update(
                returned_quantity=F("returned_quantity") + ln.quantity
            )
            PurchaseOrderLine.objects.filter(pk=ln.receipt_line.order_line_id).update(
                returned_quantity=F("returned_quantity") + ln.quantity
            )
        audit_record(
            organization=organization,
            actor=actor,
            obj=document,
            action=AuditAction.CREATE,
            changes={
                "receipt": receipt.number,
                "total": str(document.total),
                "lines": [[ln.product.code, str(normalize(ln.quantity))] for ln in built],
            },
        )
        return document
