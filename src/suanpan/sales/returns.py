"""Sales returns (销售退货): goods a customer sends back against one delivery, into stock at the cost they left with.

`sales_return_post` is one transaction: permission first; the delivery row and its lines locked, then the order
lines the returned goods came from (primary-key order), then the stock levels (inside `stock_post`); the moves
(kind sales return, source "sales.return", the delivery line's lot), the red cost-of-goods voucher, the returned
quantities on the delivery and order lines, the audit event.

Cost: each return line takes its share of the value the delivery line's stock move left with — as it stands now
(under monthly average a costing run may have revalued it) — and the return that takes back the rest of a
delivery line takes exactly what is left, so a fully returned line cancels its delivery's cost to the cent
(`sales.posting`). The move comes in with that value (an incoming move with a cost of its own), and the voucher
posts the delivery's lines in red ink: Dr 5401 −x / Cr 1405 −x.

Refused, naming the field, nothing written: a line not of this delivery (or given twice), more than delivered −
returned, a quantity ≤ 0 or with more than 4 decimals, a date before the delivery or after today. The return does
not make the credit note: `sales.invoicing.credit_note_for_return` does, when the goods were invoiced.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from suanpan.accounting.services import document_voucher_post
from suanpan.core.audit import audit_record
from suanpan.core.choices import AuditAction
from suanpan.core.exceptions import FieldError, InvalidInput
from suanpan.core.inputs import date_input, decimal_input
from suanpan.core.models import Organization
from suanpan.core.money import ZERO
from suanpan.core.numbering import next_number
from suanpan.core.permissions import P
from suanpan.core.records import get_scoped
from suanpan.core.tenancy import guard, user_id
from suanpan.core.types import Actor
from suanpan.finance.vouchers import account as ledger_account
from suanpan.inventory.choices import MoveKind
from suanpan.inventory.posting import MoveSpec
from suanpan.inventory.services import normalize, stock_post
from suanpan.sales import posting
from suanpan.sales.deliveries import COST_ACCOUNT, INVENTORY_ACCOUNT, lock_delivery
from suanpan.sales.models import SalesOrderLine, SalesReturn, SalesReturnLine

SOURCE_TYPE = "sales.return"


def sales_return_list(*, organization: Organization) -> QuerySet[SalesReturn]:
    return SalesReturn.objects.filter(organization=organization).select_related("customer", "warehouse", "delivery")


def sales_return_get(*, organization: Organization, pk: object) -> SalesReturn:
    return get_scoped(SalesReturn, organization=organization, pk=pk)


def _line_id(value: object) -> int | None:
    if isinstance(value, bool) or value in (None, ""):
        return None
    try:
        return int(str(value))
    except ValueError:
        return None


def sales_return_post(*, organization: Organization, actor: Actor | None, data: Mapping[str, Any]) -> SalesReturn:
    """Post a return: `data` = {delivery_id, date, reason, lines: [{delivery_line_id, quantity}]}. Number
    XT202611-0001. See the module docstring."""
    with transaction.atomic():
        guard(organization, actor, P.DELIVER_GOODS)
        delivery, delivery_lines = lock_delivery(organization, data.get("delivery_id"), field="delivery_id")
        errors: list[FieldError] = []
        day = None
        try:
            day = date_input(data.get("date"), "date")
            if day < delivery.date:
                raise InvalidInput.single("date", _("A return cannot be dated before its delivery."))
            if day > timezone.localdate():
                raise InvalidInput.single(
                    "date", _("A return posts when the goods come back: it cannot be dated ahead.")
                )
        except InvalidInput as exc:
            errors += exc.errors
        reason = str(data.get("reason") or "").strip()
        if len(reason) > 200:
            errors.append(FieldError("reason", _("At most %(n)d characters.") % {"n": 200}))
        rows = list(data.get("lines") or [])
        if not rows:
            errors.append(FieldError("lines", _("Enter the quantity returned on at least one line.")))
        by_id = {ln.pk: ln for ln in delivery_lines}
        order_lines = {
            ln.pk: ln
            for ln in SalesOrderLine.objects.select_for_update()
            .filter(pk__in={ln.order_line_id for ln in delivery_lines})
            .order_by("pk")
        }
        done: dict[int, tuple[Any, Any, Any]] = {}
        for line_id, amount, tax, cost in SalesReturnLine.objects.filter(delivery_line__delivery=delivery).values_list(
            "delivery_line_id", "amount", "tax", "cost"
        ):
            a, t, c = done.get(line_id, (ZERO, ZERO, ZERO))
            done[line_id] = (a + amount, t + tax, c + cost)
        built: list[SalesReturnLine] = []
        seen: set[int] = set()
        for n, row in enumerate(rows):
            where = f"lines.{n}"
            line = by_id.get(_line_id(row.get("delivery_line_id")))  # type: ignore[arg-type]
            if line is None or line.pk in seen:
                errors.append(
                    FieldError(f"{where}.delivery_line_id", _("Not a line of this delivery (or given twice)."))
                )
                continue
            seen.add(line.pk)
            try:
                quantity = decimal_input(row.get("quantity"), f"{where}.quantity", 4)
            except InvalidInput as exc:
                errors += exc.errors
                continue
            returnable = line.quantity - line.returned_quantity
            if quantity > returnable:
                errors.append(
                    FieldError(
                        f"{where}.quantity",
                        _("At most %(n)s of %(p)s can still be returned (delivered %(d)s, returned %(r)s).")
                        % {
                            "n": normalize(returnable),
                            "p": line.product,
                            "d": normalize(line.quantity),
                            "r": normalize(line.returned_quantity),
                        },
                    )
                )
                continue
            last = quantity == returnable
            a, t, c = done.get(line.pk, (ZERO, ZERO, ZERO))
            amount = posting.share(line.amount, a, quantity, line.quantity, last=last)
            tax = posting.share(line.tax, t, quantity, line.quantity, last=last)
            cost = posting.share(-line.move.value, c, quantity, line.quantity, last=last)
            built.append(
                SalesReturnLine(
                    organization=organization,
                    delivery_line=line,
                    product=line.product,
                    lot=line.lot,
                    quantity=quantity,
                    unit_price=line.unit_price,
                    vat_rate=line.vat_rate,
                    amount=amount,
                    tax=tax,
                    total=amount + tax,
                    cost=cost,
                )
            )
        if errors or day is None:
            raise InvalidInput(errors)
        document = SalesReturn.objects.create(
            organization=organization,
            number=next_number(organization=organization, series="sales_return", prefix="XT", on=day),
            delivery=delivery,
            customer=delivery.customer,
            warehouse=delivery.warehouse,
            date=day,
            reason=reason,
            amount=sum((ln.amount for ln in built), ZERO),
            tax=sum((ln.tax for ln in built), ZERO),
            total=sum((ln.total for ln in built), ZERO),
            cost=sum((ln.cost for ln in built), ZERO),
            created_by_id=user_id(actor),
        )
        moves = stock_post(
            organization=organization,
            actor=actor,
            date=day,
            moves=[
                MoveSpec(
                    ln.product_id,
                    delivery.warehouse_id,
                    ln.quantity,
                    MoveKind.SALES_RETURN,
                    lot_id=ln.lot_id,
                    value=ln.cost,
                )
                for ln in built
            ],
            source_type=SOURCE_TYPE,
            source_id=document.pk,
            source_label=document.number,
        )
        for made, move in zip(built, moves, strict=True):
            made.sales_return = document
            made.move = move
        SalesReturnLine.objects.bulk_create(built)
        summary = _("Sales return %(no)s %(c)s") % {"no": document.number, "c": delivery.customer}
        rows_out = posting.cost_of_goods_lines(
            cost_account=ledger_account(organization, COST_ACCOUNT),
            inventory=ledger_account(organization, INVENTORY_ACCOUNT),
            lines=[posting.CostLine(ln.product_id, ln.cost, f"{summary} {ln.product.name}"[:200]) for ln in built],
            sign=-1,
        )
        if rows_out:
            document.voucher = document_voucher_post(
                organization=organization,
                actor=actor,
                date=day,
                lines=rows_out,
                source_type=SOURCE_TYPE,
                source_id=document.pk,
                source_label=document.number,
                reviewed_by=document.number,
                maker=actor,
            )
            document.save(update_fields=["voucher", "updated_at"])
        for ln in built:
            ln.delivery_line.returned_quantity += ln.quantity
            ln.delivery_line.save(update_fields=["returned_quantity", "updated_at"])
            order_line = order_lines[ln.delivery_line.order_line_id]
            order_line.returned_quantity += ln.quantity
            order_line.save(update_fields=["returned_quantity", "updated_at"])
        audit_record(
            organization=organization,
            actor=actor,
            obj=document,
            action=AuditAction.CREATE,
            changes={
                "delivery": delivery.number,
                "total": str(document.total),
                "cost": str(document.cost),
                "lines": [[ln.product.code, str(normalize(ln.quantity))] for ln in built],
            },
        )
        return document
