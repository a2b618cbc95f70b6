"""Invoices (销售发票) from deliveries or service order lines, credit notes (红字发票) for returns, the 数电发票 number
recorded back, and the invoice and payment progress of orders.

Each service is one transaction: permission first, then the rows it will change locked in one order — the delivery
lines, the sales orders, their lines (each group in primary-key order; see `_lock`) — then the writes: the invoice
and its lines, the voucher (`invoice_posting`), the receivable open item (`finance.services.open_item_add`), the
invoiced quantities (`F()` increments), the orders' progress, the audit event.

What may be invoiced: of a delivery line, what was delivered and not returned nor invoiced yet
(quantity − returned − invoiced); of a service (a product that is not stocked, never delivered), what was ordered
and not invoiced yet, on an order that was confirmed. Goods are invoiced only from their delivery lines. One
invoice is for one customer; its buyer (购买方) fields are copied from the customer when it is made, as the
数电发票 will print them. A special invoice (数电专票) needs the buyer's tax ID and is never made out to a natural
person (VAT Implementation Regulations Art. 37, reference einvoice_china.md §2).

A credit note takes back, at the invoiced prices, what a return brought back of goods that had been invoiced: on
each delivery line, the part of the returned quantity that leaves more invoiced than delivered − returned. It
links the (latest) blue invoice it offsets, copies its buyer fields, and writes a negative receivable that
write-off (核销) nets against the customer's receivables, like a purchase return's negative payable. So, always,
0 ≤ invoiced ≤ delivered − returned on every delivery line once a return's credit note is made.

Payment progress: an order is paid as far as its share of each of its invoices (and credit notes) is settled —
the open amounts of their receivable items, which finance's receipts settle. Finance may not import sales, so
whoever settles receivables calls `refresh_payment_progress(organization, customer)` afterwards, in the same
transaction (the receipt service, applying advance receipts).
"""

from __future__ import annotations

import datetime
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import F, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from suanpan.accounting.models import Account
from suanpan.accounting.services import document_voucher_post
from suanpan.catalog.models import Product
from suanpan.core.audit import audit_record
from suanpan.core.choices import AuditAction, TaxpayerType
from suanpan.core.exceptions import DomainError, FieldError, InvalidInput
from suanpan.core.inputs import date_input, decimal_input
from suanpan.core.models import Organization
from suanpan.core.money import ZERO, amount_in_words, money
from suanpan.core.numbering import next_number
from suanpan.core.permissions import P
from suanpan.core.records import get_scoped
from suanpan.core.tenancy import guard, user_id
from suanpan.core.types import Actor
from suanpan.finance.choices import OpenItemKind
from suanpan.finance.models import OpenItem
from suanpan.finance.selectors import with_open_amount
from suanpan.finance.services import open_item_add
from suanpan.finance.vouchers import account as ledger_account
from suanpan.inventory.services import normalize
from suanpan.partners.choices import PartnerKind
from suanpan.partners.models import Partner
from suanpan.sales import invoice_posting as posting
from suanpan.sales.choices import EInvoiceStatus, InvoiceKind, InvoiceType, OrderStatus, Progress
from suanpan.sales.models import (
    DeliveryLine,
    Invoice,
    InvoiceLine,
    SalesOrder,
    SalesOrderLine,
    SalesReturn,
    SalesReturnLine,
)

SOURCE = "sales.invoice"  # source type of the vouchers and receivable items of invoices and credit notes
SERIES, PREFIX = "sales_invoice", "FP"
# Orders whose services may be invoiced: confirmed, whether or not their goods went out yet.
SERVICE_INVOICEABLE_STATES = frozenset(
    {OrderStatus.CONFIRMED, OrderStatus.PARTIALLY_DELIVERED, OrderStatus.DELIVERED, OrderStatus.CLOSED}
)
REMARKS_MAX = 450  # 备注 of a blue 数电发票
RED_REMARKS_MAX = 382  # of a red one
EINVOICE_NUMBER = re.compile(r"^\d{20}$")
MAX_ID = 2**62


# Buyer and line fields of the 数电发票 --------------------------------------------------------------------------


def buyer_fields(customer: Partner) -> dict[str, Any]:
    """The 购买方 block as the e-invoice prints it, from the customer's invoicing data (开票信息)."""
    places = [p for p in dict.fromkeys((customer.province, customer.city)) if p and p not in customer.address]
    address = "".join(places) + customer.address
    return {
        "buyer_name": customer.name[:300],
        "buyer_tax_id": customer.credit_code,
        "buyer_address_phone": " ".join(p for p in (address, customer.phone) if p)[:300],
        "buyer_bank_account": " ".join(p for p in (customer.bank_name, customer.bank_account) if p)[:300],
        "buyer_is_person": customer.kind == PartnerKind.PERSON,
    }


def item_name(product: Product) -> str:
    """项目名称 in the 数电 style “*简称*name”. The 简称 belongs to the product's tax classification code, which the
    catalogue does not keep; the product's category stands in for it (none: the name alone)."""
    category = product.category.name.replace("*", "").strip() if product.category_id else ""  # type: ignore[union-attr]
    return (f"*{category}*{product.name}" if category else product.name)[:200]


def _line_fields(product: Product) -> dict[str, Any]:
    return {
        "product": product,
        "description": item_name(product),
        "specification": product.specification[:100],
        "unit": product.unit.name[:20],
    }


def output_vat_account(organization: Organization) -> Account:
    """22210107 销项税额 for a general taxpayer; 222101 应交增值税 itself for a small-scale taxpayer (no 专栏, so the
    chart's 222101 must have no sub-accounts: a clear error says so otherwise)."""
    code = "222101" if organization.taxpayer_type == TaxpayerType.SMALL_SCALE else "22210107"
    return ledger_account(organization, code)


# Locks ----------------------------------------------------------------------------------------------------------


@dataclass
class _Locked:
    orders: dict[int, SalesOrder] = field(default_factory=dict)
    order_lines: dict[int, SalesOrderLine] = field(default_factory=dict)  # every line of those orders
    delivery_lines: dict[int, DeliveryLine] = field(default_factory=dict)


def _lock(organization: Organization, delivery_line_ids: Iterable[int], order_line_ids: Iterable[int]) -> _Locked:
    """The delivery lines, then the orders behind them and the service lines, then all those orders' lines — each
    group locked in primary-key order. Delivery lines come first because a sales return locks its delivery's lines
    before their order lines; every order row before its lines, as order entry and deliveries do. Ids of another
    organization are left out (the caller reports them as not found)."""
    locked = _Locked()
    for dl in (
        DeliveryLine.objects.select_for_update(of=("self",))
        .filter(organization=organization, pk__in=sorted(set(delivery_line_ids)))
        .select_related("delivery", "delivery__customer", "order_line", "product", "product__unit", "product__category")
        .order_by("pk")
    ):
        locked.delivery_lines[dl.pk] = dl
    order_ids = {dl.order_line.order_id for dl in locked.delivery_lines.values()}
    order_ids |= set(
        SalesOrderLine.objects.filter(organization=organization, pk__in=sorted(set(order_line_ids))).values_list(
            "order_id", flat=True
        )
    )
    for order in (
        SalesOrder.objects.select_for_update(of=("self",))
        .filter(organization=organization, pk__in=order_ids)
        .select_related("customer")
        .order_by("pk")
    ):
        locked.orders[order.pk] = order
    for line in (
        SalesOrderLine.objects.select_for_update(of=("self",))
        .filter(organization=organization, order_id__in=order_ids)
        .select_related("product", "product__unit", "product__category")
        .order_by("pk")
    ):
        line.order = locked.orders[line.order_id]
        locked.order_lines[line.pk] = line
    for dl in locked.delivery_lines.values():
        dl.order_line = locked.order_lines[dl.order_line_id]  # as read under its lock
    return locked


def _id(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if 0 < value < MAX_ID else None
    text = str(value or "").strip()
    return int(text) if text.isdigit() and 0 < int(text) < MAX_ID else None


# Progress -------------------------------------------------------------------------------------------------------


def invoice_progress(order: SalesOrder, lines: Sequence[SalesOrderLine]) -> str:
    """How far an order is invoiced: in full when each goods line is invoiced up to what was ordered (what was
    delivered, once the order is closed) less what came back, and each service line up to what was ordered."""
    if not any(ln.invoiced_quantity for ln in lines):
        return Progress.NONE
    for line in lines:
        if line.product.is_stocked:
            sold = line.delivered_quantity if order.status == OrderStatus.CLOSED else line.quantity
            target = sold - line.returned_quantity
        else:
            target = line.quantity
        if line.invoiced_quantity < target:
            return Progress.PARTIAL
    return Progress.FULL


def _payment_progress(organization: Organization, orders: Sequence[SalesOrder]) -> dict[int, str]:
    """Each order's payment progress from its share of its invoices and credit notes and their open amounts."""
    shares: dict[int, dict[int, Decimal]] = defaultdict(dict)
    for row in (
        InvoiceLine.objects.filter(organization=organization, order_line__order__in=[o.pk for o in orders])
        .values("order_line__order_id", "invoice_id")
        .annotate(total=Sum("total"))
    ):
        shares[row["order_line__order_id"]][row["invoice_id"]] = money(row["total"] or ZERO)  # SQLite sums floats
    invoice_ids = {i for by_invoice in shares.values() for i in by_invoice}
    totals = dict(Invoice.objects.filter(pk__in=invoice_ids).values_list("pk", "total"))
    open_of: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for item in with_open_amount(
        OpenItem.objects.filter(
            organization=organization, kind=OpenItemKind.RECEIVABLE, source_type=SOURCE, source_id__in=invoice_ids
        )
    ):
        open_of[item.source_id] += money(item.open_amount)  # type: ignore[attr-defined]
    result: dict[int, str] = {}
    for order in orders:
        due, still_open = ZERO, ZERO
        for invoice_id, share in shares[order.pk].items():
            total = totals[invoice_id]
            if not total:
                continue
            due += share
            still_open += open_of[invoice_id] if share == total else money(open_of[invoice_id] * share / total)
        paid = due - still_open
        if order.invoice_progress == Progress.FULL and due > 0 and still_open <= 0:
            result[order.pk] = Progress.FULL
        elif paid > 0:
            result[order.pk] = Progress.PARTIAL
        else:
            result[order.pk] = Progress.NONE
    return result


def order_payment_progress(order: SalesOrder) -> str:
    """Paid in full (the order invoiced in full and nothing of its invoices, net of credit notes, still open), in
    part (something of its invoices settled), or not at all — computed, for display and for the stored field."""
    return _payment_progress(order.organization, [order])[order.pk]


def _store_progress(organization: Organization, orders: Iterable[SalesOrder], lines: Iterable[SalesOrderLine]) -> None:
    """Recompute and save the invoice and payment progress of locked orders (their lines as they now stand)."""
    by_order: dict[int, list[SalesOrderLine]] = defaultdict(list)
    for line in lines:
        by_order[line.order_id].append(line)
    orders = list(orders)
    for order in orders:
        order.invoice_progress = invoice_progress(order, by_order[order.pk])
    paid = _payment_progress(organization, orders)
    for order in orders:
        order.payment_progress = paid[order.pk]
        SalesOrder.objects.filter(pk=order.pk).update(
            invoice_progress=order.invoice_progress, payment_progress=order.payment_progress, updated_at=timezone.now()
        )


def refresh_payment_progress(*, organization: Organization, customer: Partner | int) -> list[SalesOrder]:
    """Recompute the payment progress of a customer's invoiced orders from the open amounts of their receivable
    items; returns the orders whose progress changed.

    Finance cannot import sales: call this after anything that settles a customer's receivables (a receipt with
    its write-off, applying an advance receipt, netting a credit note), inside that transaction. It locks the
    customer's invoiced orders (primary-key order, as invoicing does) and checks no permission: it only follows
    up what the calling service already did."""
    customer_id = customer if isinstance(customer, int) else customer.pk
    orders = list(
        SalesOrder.objects.select_for_update(of=("self",))
        .filter(organization=organization, customer_id=customer_id)
        .filter(~Q(invoice_progress=Progress.NONE) | ~Q(payment_progress=Progress.NONE))
        .order_by("pk")
    )
    changed = []
    progress_of = _payment_progress(organization, orders)
    for order in orders:
        progress = progress_of[order.pk]
        if progress != order.payment_progress:
            order.payment_progress = progress
            SalesOrder.objects.filter(pk=order.pk).update(payment_progress=progress, updated_at=timezone.now())
            changed.append(order)
    return changed


# Invoices -------------------------------------------------------------------------------------------------------


@dataclass
class _Part:
    """What one invoice line takes of one source line (a delivery line, or a service order line)."""

    delivery_line: DeliveryLine | None
    order_line: SalesOrderLine
    quantity: Decimal = ZERO

    @property
    def key(self) -> tuple[str, int]:
        return ("d", self.delivery_line.pk) if self.delivery_line is not None else ("o", self.order_line.pk)


def _already(part: _Part) -> posting.Amounts:
    """Σ amount and tax of the invoice lines (and credit notes) already made from this part's source line."""
    lines = (
        InvoiceLine.objects.filter(delivery_line=part.delivery_line)
        if part.delivery_line is not None
        else InvoiceLine.objects.filter(order_line=part.order_line, delivery_line__isnull=True)
    )
    sums = lines.aggregate(amount=Sum("amount"), tax=Sum("tax"))
    return posting.Amounts(money(sums["amount"] or ZERO), money(sums["tax"] or ZERO))  # SQLite sums as floats


def _invoice_amounts(part: _Part) -> posting.Amounts:
    source = part.delivery_line if part.delivery_line is not None else part.order_line
    if source.returned_quantity == 0 and source.invoiced_quantity + part.quantity == source.quantity:
        return posting.rest_of(posting.Amounts(source.amount, source.tax), _already(part))
    return posting.line_amounts(part.quantity, source.unit_price, source.vat_rate)


def _header(data: Mapping[str, Any]) -> tuple[dict[str, Any], list[FieldError]]:
    errors: list[FieldError] = []
    header: dict[str, Any] = {}
    try:
        header["date"] = date_input(data.get("date"), "date")
    except InvalidInput as exc:
        errors += exc.errors
    invoice_type = str(data.get("invoice_type") or InvoiceType.NORMAL)
    if invoice_type not in InvoiceType.values:
        errors.append(FieldError("invoice_type", _("Choose an ordinary or a special invoice.")))
    header["invoice_type"] = invoice_type
    remarks = str(data.get("remarks") or "").strip()
    if len(remarks) > REMARKS_MAX:
        errors.append(FieldError("remarks", _("At most %(n)d characters.") % {"n": REMARKS_MAX}))
    header["remarks"] = remarks
    return header, errors


def _parts(
    organization: Organization, header: Mapping[str, Any], rows: Sequence[Mapping[str, Any]]
) -> tuple[list[_Part], Partner | None, _Locked, list[FieldError]]:
    """Check each requested line against what is still open for invoicing; merge repeats of one source line."""
    wanted = [(n, _id(row.get("delivery_line_id")), _id(row.get("order_line_id"))) for n, row in enumerate(rows)]
    locked = _lock(organization, [d for _n, d, _o in wanted if d], [o for _n, _d, o in wanted if o])
    errors: list[FieldError] = []
    parts: dict[tuple[str, int], _Part] = {}
    customer: Partner | None = None
    date = header.get("date")
    too_early: list[str] = []
    for (n, delivery_line_id, order_line_id), row in zip(wanted, rows, strict=True):
        where = f"lines.{n}"
        given_d = row.get("delivery_line_id") not in (None, "")
        given_o = row.get("order_line_id") not in (None, "")
        if given_d == given_o:
            errors.append(
                FieldError(f"{where}.delivery_line_id", _("Give a delivery line, or an order line for a service."))
            )
            continue
        part: _Part
        if given_d:
            dl = locked.delivery_lines.get(delivery_line_id or 0)
            if dl is None:
                errors.append(
                    FieldError(
                        f"{where}.delivery_line_id",
                        _("No such delivery line: %(id)s.") % {"id": row.get("delivery_line_id")},
                    )
                )
                continue
            part = parts.get(("d", dl.pk)) or _Part(dl, dl.order_line)
            owner, id_field = dl.delivery.customer, f"{where}.delivery_line_id"
            if date is not None and date < dl.delivery.date:
                too_early.append(f"{dl.delivery.number} ({dl.delivery.date:%Y-%m-%d})")
        else:
            ol = locked.order_lines.get(order_line_id or 0)
            if ol is None:
                errors.append(
                    FieldError(
                        f"{where}.order_line_id", _("No such order line: %(id)s.") % {"id": row.get("order_line_id")}
                    )
                )
                continue
            if ol.product.is_stocked:
                errors.append(
                    FieldError(
                        f"{where}.order_line_id",
                        _("%(p)s is goods: invoice it from its delivery.") % {"p": ol.product},
                    )
                )
                continue
            if ol.order.status not in SERVICE_INVOICEABLE_STATES:
                errors.append(
                    FieldError(
                        f"{where}.order_line_id",
                        _("Order %(o)s is “%(s)s”: only a confirmed order is invoiced.")
                        % {"o": ol.order, "s": ol.order.get_status_display()},
                    )
                )
                continue
            part = parts.get(("o", ol.pk)) or _Part(None, ol)
            owner, id_field = ol.order.customer, f"{where}.order_line_id"
            if date is not None and date < ol.order.date:
                too_early.append(f"{ol.order.number} ({ol.order.date:%Y-%m-%d})")
        if customer is None:
            customer = owner
        elif owner.pk != customer.pk:
            errors.append(
                FieldError(
                    id_field,
                    _("An invoice is for one customer: this line is %(this)s's, the first line %(first)s's.")
                    % {"this": owner.name, "first": customer.name},
                )
            )
            continue
        try:
            quantity = decimal_input(row.get("quantity"), f"{where}.quantity", 4)
        except InvalidInput as exc:
            errors += exc.errors
            continue
        source = part.delivery_line if part.delivery_line is not None else part.order_line
        still = source.quantity - source.returned_quantity - source.invoiced_quantity
        if part.quantity + quantity > still:
            errors.append(
                FieldError(
                    f"{where}.quantity",
                    _(
                        "%(p)s: %(sold)s sold, %(returned)s returned, %(invoiced)s already invoiced — %(still)s "
                        "left to invoice; %(want)s is too many."
                    )
                    % {
                        "p": source.product,
                        "sold": normalize(source.quantity),
                        "returned": normalize(source.returned_quantity),
                        "invoiced": normalize(source.invoiced_quantity),
                        "still": normalize(max(still, ZERO)),
                        "want": normalize(part.quantity + quantity),
                    },
                )
            )
            continue
        part.quantity += quantity
        parts[part.key] = part
    if too_early:
        errors.append(
            FieldError(
                "date",
                _("An invoice cannot be dated before what it invoices: %(docs)s.")
                % {"docs": ", ".join(dict.fromkeys(too_early))},
            )
        )
    return list(parts.values()), customer, locked, errors


def _check_type(invoice_type: str, customer: Partner) -> list[FieldError]:
    if invoice_type != InvoiceType.SPECIAL:
        return []
    if customer.kind == PartnerKind.PERSON:
        return [FieldError("invoice_type", _("A special VAT invoice (专票) is never made out to a natural person."))]
    if not customer.credit_code:
        return [
            FieldError(
                "invoice_type",
                _("A special VAT invoice (专票) needs the buyer's tax ID: enter %(c)s's credit code first.")
                % {"c": customer.name},
            )
        ]
    return []


def invoice_post(*, organization: Organization, actor: Actor | None, data: Mapping[str, Any]) -> Invoice:
    """A sales invoice: {date, invoice_type ("normal"|"special"), remarks, lines: [{delivery_line_id, quantity}
    | {order_line_id, quantity} (services only)]}, all lines for one customer, each at most what is still to
    invoice (invoicing twice is refused). Posts, in one transaction, the invoice (number FP202611-0001, due after
    the customer's payment terms), the voucher Dr 1122 / Cr 5001 / Cr 22210107 (222101 for a small-scale taxpayer),
    the receivable open item, the invoiced quantities of the delivery and order lines and the orders' progress."""
    with transaction.atomic():
        guard(organization, actor, P.INVOICE)
        header, errors = _header(data)
        rows = list(data.get("lines") or [])
        if not rows:
            errors.append(FieldError("lines", _("An invoice needs at least one line.")))
            raise InvalidInput(errors)
        parts, customer, locked, line_errors = _parts(organization, header, rows)
        errors += line_errors
        if customer is not None:
            errors += _check_type(header["invoice_type"], customer)
        if errors or customer is None:
            raise InvalidInput(errors)
        date: datetime.date = header["date"]
        built = []
        for part in parts:
            source = part.delivery_line if part.delivery_line is not None else part.order_line
            amounts = _invoice_amounts(part)
            built.append(
                InvoiceLine(
                    organization=organization,
                    order_line=part.order_line,
                    delivery_line=part.delivery_line,
                    **_line_fields(source.product),
                    quantity=part.quantity,
                    unit_price=source.unit_price,
                    vat_rate=source.vat_rate,
                    amount=amounts.amount,
                    tax=amounts.tax,
                    total=amounts.total,
                )
            )
        invoice = Invoice.objects.create(
            organization=organization,
            number=next_number(organization=organization, series=SERIES, prefix=PREFIX, on=date),
            kind=InvoiceKind.INVOICE,
            invoice_type=header["invoice_type"],
            customer=customer,
            date=date,
            due_date=date + datetime.timedelta(days=customer.payment_terms_days),
            **_sums(built),
            **buyer_fields(customer),
            remarks=header["remarks"],
            created_by_id=user_id(actor),
        )
        for line in built:
            line.invoice = invoice
        InvoiceLine.objects.bulk_create(built)
        _post_books(organization, actor, invoice, built)
        _count(organization, locked, parts, sign=1)
        audit_record(
            organization=organization,
            actor=actor,
            obj=invoice,
            action=AuditAction.CREATE,
            changes={
                "customer": str(customer),
                "type": invoice.invoice_type,
                "total": str(invoice.total),
                "lines": [[ln.product.code, str(normalize(ln.quantity)), str(ln.total)] for ln in built],
            },
        )
        return invoice


def _sums(lines: Sequence[InvoiceLine]) -> dict[str, Decimal]:
    return {
        "amount": sum((ln.amount for ln in lines), ZERO),
        "tax": sum((ln.tax for ln in lines), ZERO),
        "total": sum((ln.total for ln in lines), ZERO),
    }


def _count(organization: Organization, locked: _Locked, parts: Sequence[_Part], *, sign: int) -> None:
    """Add the parts' quantities (signed) to the invoiced quantities of their delivery and order lines, then store
    the touched orders' progress."""
    touched: set[int] = set()
    for part in parts:
        change = sign * part.quantity
        if part.delivery_line is not None:
            DeliveryLine.objects.filter(pk=part.delivery_line.pk).update(
                invoiced_quantity=F("invoiced_quantity") + change
            )
            part.delivery_line.invoiced_quantity += change
        SalesOrderLine.objects.filter(pk=part.order_line.pk).update(invoiced_quantity=F("invoiced_quantity") + change)
        part.order_line.invoiced_quantity += change
        touched.add(part.order_line.order_id)
    orders = [locked.orders[pk] for pk in sorted(touched)]
    lines = [ln for ln in locked.order_lines.values() if ln.order_id in touched]
    _store_progress(organization, orders, lines)


def _post_books(
    organization: Organization, actor: Actor | None, invoice: Invoice, lines: Sequence[InvoiceLine]
) -> None:
    """The invoice's voucher and receivable item (nothing for an invoice worth nothing, e.g. free samples)."""
    if invoice.total == 0 and all(ln.amount == 0 for ln in lines):
        return
    customer = invoice.customer
    if invoice.kind == InvoiceKind.CREDIT_NOTE:
        summary = _("Credit note %(no)s %(c)s") % {"no": invoice.number, "c": customer.name}
    else:
        summary = _("Sales invoice %(no)s %(c)s") % {"no": invoice.number, "c": customer.name}
    rows = posting.invoice_voucher_lines(
        summary=summary,
        customer=customer,
        receivable=ledger_account(organization, "1122"),
        revenue=ledger_account(organization, "5001"),
        output_vat=output_vat_account(organization),
        lines=[posting.RevenueLine(ln.product.pk, ln.amount, f"{summary} {ln.product.name}"[:200]) for ln in lines],
        tax=invoice.tax,
        total=invoice.total,
    )
    invoice.voucher = document_voucher_post(
        organization=organization,
        actor=actor,
        date=invoice.date,
        lines=rows,
        source_type=SOURCE,
        source_id=invoice.pk,
        source_label=invoice.number,
        reviewed_by=invoice.number,
        maker=actor,
    )
    invoice.save(update_fields=["voucher", "updated_at"])
    if invoice.total:
        open_item_add(
            organization=organization,
            actor=actor,
            partner=customer,
            kind=OpenItemKind.RECEIVABLE,
            date=invoice.date,
            due_date=invoice.due_date,
            amount=invoice.total,
            source_type=SOURCE,
            source_id=invoice.pk,
            source_label=invoice.number,
        )


# Credit notes ---------------------------------------------------------------------------------------------------


def credit_quantities(
    return_lines: Sequence[SalesReturnLine], delivery_lines: Mapping[int, DeliveryLine]
) -> dict[int, Decimal]:
    """What a return's credit note takes back, per delivery line: of each returned quantity, the part that leaves
    the line invoiced beyond what was delivered less returned (the return already counted in `returned_quantity`).
    Lines with nothing to take back are left out."""
    taken: dict[int, Decimal] = {}
    for rl in return_lines:
        dl = delivery_lines[rl.delivery_line_id]
        over = dl.invoiced_quantity - taken.get(dl.pk, ZERO) - (dl.quantity - dl.returned_quantity)
        quantity = min(rl.quantity, over)
        if quantity > 0:
            taken[dl.pk] = taken.get(dl.pk, ZERO) + quantity
    return taken


def _credit_amounts(dl: DeliveryLine, quantity: Decimal) -> posting.Amounts:
    """Amount and tax (negative) of taking back `quantity` of a delivery line at its invoiced price; taking back all
    that is invoiced takes back exactly the net invoiced amount and tax."""
    if quantity == dl.invoiced_quantity:
        return posting.rest_of(posting.Amounts(ZERO, ZERO), _already(_Part(dl, dl.order_line)))
    return posting.line_amounts(-quantity, dl.unit_price, dl.vat_rate)


def credit_note_preview(
    *, organization: Organization, return_id: object
) -> list[tuple[DeliveryLine, Decimal, posting.Amounts]]:
    """What a credit note for the return would take back now: delivery line, quantity, amounts (for the form)."""
    sales_return = get_scoped(SalesReturn, organization=organization, pk=return_id)
    return_lines = list(SalesReturnLine.objects.filter(sales_return=sales_return).order_by("pk"))
    delivery_lines = {
        dl.pk: dl
        for dl in DeliveryLine.objects.filter(pk__in={rl.delivery_line_id for rl in return_lines}).select_related(
            "product", "product__unit", "order_line"
        )
    }
    return [
        (delivery_lines[pk], q, _credit_amounts(delivery_lines[pk], q))
        for pk, q in credit_quantities(return_lines, delivery_lines).items()
    ]


def credit_note_for_return(
    *, organization: Organization, actor: Actor | None, return_id: object, date: datetime.date
) -> Invoice:
    """红字发票 for a sales return: negative lines of the returned quantities that had been invoiced, at the
    invoiced prices, linked to the blue invoice they offset. Posts the red voucher (negative amounts on the same
    sides), a negative receivable that write-off nets against the customer's receivables, and takes the quantities
    off the invoiced quantities. Refused when the returned goods were not invoiced, or the return has its credit
    note already."""
    with transaction.atomic():
        guard(organization, actor, P.INVOICE)
        found = get_scoped(SalesReturn, organization=organization, pk=return_id)
        # the return row first: two credit notes of one return wait for each other, and the second finds the first
        sales_return = SalesReturn.objects.select_for_update(of=("self",)).select_related("customer").get(pk=found.pk)
        return_lines = list(SalesReturnLine.objects.filter(sales_return=sales_return).order_by("pk"))
        locked = _lock(organization, [rl.delivery_line_id for rl in return_lines], [])
        date = date_input(date, "date")
        existing = Invoice.objects.filter(organization=organization, sales_return=sales_return).first()
        if existing is not None:
            raise DomainError(
                _("Return %(r)s has its credit note already: %(n)s.") % {"r": sales_return, "n": existing},
                field="return_id",
            )
        if date < sales_return.date:
            raise InvalidInput.single("date", _("A credit note cannot be dated before its return."))
        parts: dict[int, _Part] = {}
        for dl_id, quantity in credit_quantities(return_lines, locked.delivery_lines).items():
            dl = locked.delivery_lines[dl_id]
            parts[dl_id] = _Part(dl, dl.order_line, quantity)
        if not parts:
            raise DomainError(
                _("Nothing to credit: the goods returned on %(r)s were not invoiced.") % {"r": sales_return},
                field="return_id",
            )
        blue = list(
            Invoice.objects.filter(
                organization=organization,
                kind=InvoiceKind.INVOICE,
                lines__delivery_line__in=list(parts),
            )
            .distinct()
            .order_by("date", "pk")
        )
        original = blue[-1]
        if date < original.date:
            raise InvalidInput.single(
                "date", _("A credit note cannot be dated before the invoice it offsets (%(n)s).") % {"n": original}
            )
        built = []
        for part in parts.values():
            dl = locked.delivery_lines[part.key[1]]  # credit notes are made of delivery lines only
            taken_back = _credit_amounts(dl, part.quantity)
            built.append(
                InvoiceLine(
                    organization=organization,
                    order_line=part.order_line,
                    delivery_line=dl,
                    **_line_fields(dl.product),
                    quantity=-part.quantity,
                    unit_price=dl.unit_price,
                    vat_rate=dl.vat_rate,
                    amount=taken_back.amount,
                    tax=taken_back.tax,
                    total=taken_back.total,
                )
            )
        offsets = ", ".join(
            f"{inv.number}" + (f" ({inv.einvoice_number})" if inv.einvoice_number else "") for inv in blue
        )
        remarks = _("Return %(r)s; offsets invoice %(inv)s") % {"r": sales_return, "inv": offsets}
        credit = Invoice.objects.create(
            organization=organization,
            number=next_number(organization=organization, series=SERIES, prefix=PREFIX, on=date),
            kind=InvoiceKind.CREDIT_NOTE,
            invoice_type=original.invoice_type,
            customer=sales_return.customer,
            date=date,
            due_date=date,
            **_sums(built),
            original=original,
            sales_return=sales_return,
            buyer_name=original.buyer_name,
            buyer_tax_id=original.buyer_tax_id,
            buyer_address_phone=original.buyer_address_phone,
            buyer_bank_account=original.buyer_bank_account,
            buyer_is_person=original.buyer_is_person,
            remarks=remarks[:RED_REMARKS_MAX],
            created_by_id=user_id(actor),
        )
        for line in built:
            line.invoice = credit
        InvoiceLine.objects.bulk_create(built)
        _post_books(organization, actor, credit, built)
        _count(organization, locked, list(parts.values()), sign=-1)
        audit_record(
            organization=organization,
            actor=actor,
            obj=credit,
            action=AuditAction.CREATE,
            changes={
                "return": sales_return.number,
                "original": original.number,
                "total": str(credit.total),
                "lines": [[ln.product.code, str(normalize(ln.quantity)), str(ln.total)] for ln in built],
            },
        )
        return credit


# The 数电发票 number -------------------------------------------------------------------------------------------


def einvoice_number_errors(number: str, field: str, *, on: datetime.date) -> list[FieldError]:
    """A 数电发票 number: 20 digits, the first two the last two of the year it was issued in — the invoice's year or
    later, not after this year (reference einvoice_china.md §3; position 5 is not validated)."""
    if not EINVOICE_NUMBER.match(number):
        return [FieldError(field, _("A 数电发票 number has 20 digits."))]
    year = 2000 + int(number[:2])
    latest = max(timezone.localdate().year, on.year)
    if not on.year <= year <= latest:
        return [
            FieldError(
                field,
                _("Its first two digits are the year it was issued (%(from)s–%(to)s), not %(yy)s.")
                % {"from": on.year % 100, "to": latest % 100, "yy": number[:2]},
            )
        ]
    return []


def invoice_record_einvoice(
    *,
    organization: Organization,
    actor: Actor | None,
    invoice_id: object,
    einvoice_number: str,
    red_confirmation_number: str = "",
) -> Invoice:
    """Record the 20-digit number the tax bureau's platform gave the 数电发票 of an invoice or credit note (issued
    there by finance); for a credit note also the 红字发票信息确认单 number. The invoice becomes “issued”. Recorded
    once: the number is legal evidence, a wrong one is corrected at the bureau with a red invoice."""
    with transaction.atomic():
        guard(organization, actor, P.INVOICE)
        found = get_scoped(Invoice, organization=organization, pk=invoice_id)
        invoice = Invoice.objects.select_for_update(of=("self",)).get(pk=found.pk)
        number = str(einvoice_number or "").strip()
        confirmation = str(red_confirmation_number or "").strip()
        if invoice.einvoice_number:
            raise DomainError(
                _("Invoice %(n)s was recorded as issued already (%(e)s).")
                % {"n": invoice.number, "e": invoice.einvoice_number},
                field="einvoice_number",
            )
        errors = einvoice_number_errors(number, "einvoice_number", on=invoice.date)
        if not errors:
            twin = Invoice.objects.filter(organization=organization, einvoice_number=number).first()
            if twin is not None:
                errors.append(
                    FieldError("einvoice_number", _("Invoice %(n)s carries this number already.") % {"n": twin})
                )
        if confirmation:
            if invoice.kind != InvoiceKind.CREDIT_NOTE:
                errors.append(FieldError("red_confirmation_number", _("Only a credit note has a confirmation form.")))
            elif not EINVOICE_NUMBER.match(confirmation):
                errors.append(
                    FieldError("red_confirmation_number", _("A red-letter confirmation number has 20 digits."))
                )
        if errors:
            raise InvalidInput(errors)
        invoice.einvoice_number = number
        invoice.red_confirmation_number = confirmation
        invoice.einvoice_status = EInvoiceStatus.ISSUED
        invoice.save(update_fields=["einvoice_number", "red_confirmation_number", "einvoice_status", "updated_at"])
        audit_record(
            organization=organization,
            actor=actor,
            obj=invoice,
            action=AuditAction.STATE,
            changes={
                "einvoice_status": [EInvoiceStatus.NOT_ISSUED, EInvoiceStatus.ISSUED],
                "einvoice_number": number,
                **({"red_confirmation_number": confirmation} if confirmation else {}),
            },
        )
        return invoice


# Reads ----------------------------------------------------------------------------------------------------------


def invoice_list(*, organization: Organization) -> QuerySet[Invoice]:
    return Invoice.objects.filter(organization=organization).select_related(
        "customer", "voucher", "original", "sales_return", "created_by"
    )


def invoice_get(*, organization: Organization, pk: object) -> Invoice:
    found = get_scoped(Invoice, organization=organization, pk=pk)
    return invoice_list(organization=organization).get(pk=found.pk)


def invoice_open_amount(invoice: Invoice) -> Decimal:
    """What is still open of the invoice's receivable item (0 for an invoice worth nothing)."""
    items = with_open_amount(
        OpenItem.objects.filter(
            organization_id=invoice.organization_id,
            kind=OpenItemKind.RECEIVABLE,
            source_type=SOURCE,
            source_id=invoice.pk,
        )
    )
    return sum((money(i.open_amount) for i in items), ZERO)  # type: ignore[attr-defined]


def total_in_words(total: Decimal) -> str:
    """价税合计（大写）: a red invoice prints （负数） before the words of the amount (as its XML file does)."""
    words = amount_in_words(abs(total))
    return f"（负数）{words}" if total < 0 else words


def invoice_print(*, organization: Organization, pk: object) -> dict[str, Any]:
    """What the invoice PDF (`sales/invoice_pdf.html`) shows: the 数电发票 layout — buyer, seller, lines, totals and
    价税合计 in words. A copy for the customer and the files; the legal invoice is the platform's."""
    invoice = invoice_get(organization=organization, pk=pk)
    return {
        "invoice": invoice,
        "lines": list(invoice.lines.select_related("product").order_by("id")),
        "organization": organization,
        "words": total_in_words(invoice.total),
        "is_credit": invoice.kind == InvoiceKind.CREDIT_NOTE,
        "is_special": invoice.invoice_type == InvoiceType.SPECIAL,
        "issuer": (invoice.created_by.get_full_name() or invoice.created_by.get_username())
        if invoice.created_by
        else "",
    }


@dataclass(frozen=True)
class Uninvoiced:
    """A line still to invoice, for the new-invoice form."""

    delivery_line: DeliveryLine | None
    order_line: SalesOrderLine
    quantity: Decimal  # still to invoice

    @property
    def source(self) -> DeliveryLine | SalesOrderLine:
        return self.delivery_line if self.delivery_line is not None else self.order_line

    @property
    def document(self) -> str:
        return self.delivery_line.delivery.number if self.delivery_line is not None else self.order_line.order.number

    @property
    def key(self) -> str:
        return f"d{self.delivery_line.pk}" if self.delivery_line is not None else f"o{self.order_line.pk}"


def uninvoiced_lines(*, organization: Organization, customer: Partner) -> list[Uninvoiced]:
    """A customer's delivery lines with something left to invoice, then the service lines of its confirmed orders,
    oldest first."""
    still = F("quantity") - F("returned_quantity") - F("invoiced_quantity")
    delivered = (
        DeliveryLine.objects.filter(organization=organization, delivery__customer=customer)
        .annotate(still=still)
        .filter(still__gt=0)
        .select_related("delivery", "order_line", "order_line__order", "product", "product__unit")
        .order_by("delivery__date", "delivery_id", "pk")
    )
    services = (
        SalesOrderLine.objects.filter(
            organization=organization,
            order__customer=customer,
            order__status__in=SERVICE_INVOICEABLE_STATES,
            product__is_stocked=False,
        )
        .annotate(still=F("quantity") - F("invoiced_quantity"))
        .filter(still__gt=0)
        .select_related("order", "product", "product__unit")
        .order_by("order__date", "order_id", "seq")
    )
    # the quantities left are worked out again in Decimal: SQLite computes the annotation in binary floats
    rows = [
        Uninvoiced(dl, dl.order_line, dl.quantity - dl.returned_quantity - dl.invoiced_quantity) for dl in delivered
    ]
    rows += [Uninvoiced(None, ol, ol.quantity - ol.invoiced_quantity) for ol in services]
    return [row for row in rows if row.quantity > 0]


def customers_to_invoice(*, organization: Organization) -> QuerySet[Partner]:
    """Customers with delivered goods or ordered services left to invoice."""
    delivered = DeliveryLine.objects.filter(organization=organization).annotate(
        still=F("quantity") - F("returned_quantity") - F("invoiced_quantity")
    )
    services = SalesOrderLine.objects.filter(
        organization=organization, order__status__in=SERVICE_INVOICEABLE_STATES, product__is_stocked=False
    ).annotate(still=F("quantity") - F("invoiced_quantity"))
    ids = set(delivered.filter(still__gt=0).values_list("delivery__customer_id", flat=True))
    ids |= set(services.filter(still__gt=0).values_list("order__customer_id", flat=True))
    return Partner.objects.filter(organization=organization, pk__in=ids).order_by("code")
