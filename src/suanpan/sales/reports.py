"""Sales reports (reads only): sales analysis, gross profit, order fulfilment.

Sales analysis — what was invoiced in [date_from, date_to] (by invoice date), grouped by customer, product, sales
rep (the order's) or month: quantity, amount excl. VAT, VAT, total; credit notes count negative. Beside each row,
what was delivered in the range and not yet invoiced (net of returns), at the delivery lines' prices excl. VAT.

Gross profit — revenue and cost matched by delivery line. Revenue is the invoiced amount excl. VAT of the invoice
lines dated in the range (credit notes negative). The cost of an invoice line is its delivery line's net cost ×
the invoiced share: net cost = the value the delivery line's stock move left with (as it stands now; a monthly
costing run may have revalued it) − the cost the returns of that line came back with (`SalesReturnLine.cost`);
invoiced share = invoiced quantity in the range ÷ (delivered − returned). When the whole net quantity is invoiced
the cost is the net cost to the cent. A fully returned line is costed at its gross unit cost. Service lines
(invoiced from an order line, never delivered) have no cost. Margin = revenue − cost; margin % = margin ÷
revenue × 100 (none when revenue is 0). Rounding: each delivery line's cost to the cent, half up.

Order fulfilment — open orders (confirmed or partially delivered; delivered but not yet invoiced or paid in full):
ordered, delivered (net of returns) and invoiced amounts excl. VAT, paid amount (incl. VAT: the order's share of
its invoices' settled amounts), days since the order date, and late when the delivery date has passed and goods
are still to deliver.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Q

from suanpan.catalog.models import Product
from suanpan.core.models import Organization
from suanpan.core.money import ZERO, money
from suanpan.finance.choices import OpenItemKind
from suanpan.finance.models import OpenItem
from suanpan.finance.selectors import with_open_amount
from suanpan.partners.models import Partner
from suanpan.sales.choices import OrderStatus, Progress
from suanpan.sales.invoicing import SOURCE as INVOICE_SOURCE
from suanpan.sales.models import DeliveryLine, InvoiceLine, SalesOrder, SalesReturnLine

GROUPINGS = ("customer", "product", "rep", "month")
PROFIT_GROUPINGS = ("order", "product", "customer")
HUNDRED = Decimal("100")


@dataclass(frozen=True)
class Filters:
    """What every sales report narrows by; None = no limit."""

    date_from: datetime.date | None = None
    date_to: datetime.date | None = None
    customer: Partner | None = None
    product: Product | None = None
    rep: Any = None  # a user


def _percent(part: Decimal, whole: Decimal) -> Decimal | None:
    if not whole:
        return None
    return (part / whole * HUNDRED).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


# Sales analysis ---------------------------------------------------------------------------------------------


@dataclass
class SalesRow:
    key: str
    label: str
    quantity: Decimal = ZERO
    amount: Decimal = ZERO
    tax: Decimal = ZERO
    total: Decimal = ZERO
    uninvoiced: Decimal = ZERO  # delivered in the range, not invoiced yet (excl. VAT)


@dataclass
class SalesAnalysis:
    by: str
    filters: Filters
    rows: list[SalesRow] = field(default_factory=list)

    @property
    def total(self) -> SalesRow:
        row = SalesRow("", "")
        for r in self.rows:
            row.amount += r.amount
            row.tax += r.tax
            row.total += r.total
            row.uninvoiced += r.uninvoiced
            row.quantity += r.quantity
        return row


def _rep_label(user: Any) -> str:
    if user is None:
        return ""
    return str(user.get_full_name() or user.get_username())


def _key(
    by: str, *, order: SalesOrder | None, product: Product, customer: Partner, day: datetime.date
) -> tuple[str, str]:
    if by == "product":
        return str(product.pk), f"{product.code} {product.name}"
    if by == "rep":
        rep = order.salesperson if order is not None else None
        return (str(rep.pk) if rep is not None else "", _rep_label(rep))
    if by == "month":
        return day.strftime("%Y-%m"), day.strftime("%Y-%m")
    return str(customer.pk), customer.name


def _invoice_lines(organization: Organization, f: Filters) -> Iterable[InvoiceLine]:
    qs = InvoiceLine.objects.filter(organization=organization)
    if f.date_from:
        qs = qs.filter(invoice__date__gte=f.date_from)
    if f.date_to:
        qs = qs.filter(invoice__date__lte=f.date_to)
    if f.customer is not None:
        qs = qs.filter(invoice__customer=f.customer)
    if f.product is not None:
        qs = qs.filter(product=f.product)
    if f.rep is not None:
        qs = qs.filter(order_line__order__salesperson=f.rep)
    return qs.select_related(
        "invoice",
        "invoice__customer",
        "product",
        "order_line__order__salesperson",
        "order_line__order__customer",
        "delivery_line__move",
    ).order_by("pk")


def _delivery_lines(organization: Organization, f: Filters) -> Iterable[DeliveryLine]:
    qs = DeliveryLine.objects.filter(organization=organization)
    if f.date_from:
        qs = qs.filter(delivery__date__gte=f.date_from)
    if f.date_to:
        qs = qs.filter(delivery__date__lte=f.date_to)
    if f.customer is not None:
        qs = qs.filter(delivery__customer=f.customer)
    if f.product is not None:
        qs = qs.filter(product=f.product)
    if f.rep is not None:
        qs = qs.filter(order_line__order__salesperson=f.rep)
    return qs.select_related("delivery", "delivery__customer", "product", "order_line__order__salesperson")


def sales_analysis(*, organization: Organization, filters: Filters, by: str = "customer") -> SalesAnalysis:
    """Invoiced sales (credit notes negative) grouped `by` customer, product, rep or month; see the module."""
    if by not in GROUPINGS:
        by = "customer"
    rows: dict[str, SalesRow] = {}
    for line in _invoice_lines(organization, filters):
        order = line.order_line.order if line.order_line is not None else None
        key, label = _key(by, order=order, product=line.product, customer=line.invoice.customer, day=line.invoice.date)
        row = rows.setdefault(key, SalesRow(key, label))
        row.quantity += line.quantity
        row.amount += line.amount
        row.tax += line.tax
        row.total += line.total
    for dl in _delivery_lines(organization, filters):
        open_quantity = dl.quantity - dl.returned_quantity - dl.invoiced_quantity
        if open_quantity <= 0:
            continue
        order = dl.order_line.order
        key, label = _key(by, order=order, product=dl.product, customer=dl.delivery.customer, day=dl.delivery.date)
        row = rows.setdefault(key, SalesRow(key, label))
        row.uninvoiced += money(dl.amount * open_quantity / dl.quantity)
    ordered = (
        sorted(rows.values(), key=lambda r: r.key)
        if by == "month"
        else sorted(rows.values(), key=lambda r: (-r.amount, r.label))
    )
    return SalesAnalysis(by, filters, ordered)


# Gross profit -----------------------------------------------------------------------------------------------


@dataclass
class ProfitRow:
    key: str
    label: str
    quantity: Decimal = ZERO
    revenue: Decimal = ZERO
    cost: Decimal = ZERO
    order_id: int | None = None

    @property
    def margin(self) -> Decimal:
        return self.revenue - self.cost

    @property
    def margin_percent(self) -> Decimal | None:
        return _percent(self.margin, self.revenue)


@dataclass
class GrossProfit:
    by: str
    filters: Filters
    rows: list[ProfitRow] = field(default_factory=list)

    @property
    def total(self) -> ProfitRow:
        row = ProfitRow("", "")
        for r in self.rows:
            row.revenue += r.revenue
            row.cost += r.cost
            row.quantity += r.quantity
        return row


def _net_costs(delivery_line_ids: set[int]) -> dict[int, Decimal]:
    """Cost the returns of each delivery line came back with."""
    returned: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for dl_id, cost in SalesReturnLine.objects.filter(delivery_line_id__in=delivery_line_ids).values_list(
        "delivery_line_id", "cost"
    ):
        returned[dl_id] += cost
    return returned


def matched_cost(dl: DeliveryLine, invoiced: Decimal, returned_cost: Decimal) -> Decimal:
    """The cost of `invoiced` units of a delivery line: its net cost × the invoiced share (see the module)."""
    gross = -dl.move.value
    net_quantity = dl.quantity - dl.returned_quantity
    if net_quantity <= 0:
        return money(gross * invoiced / dl.quantity)
    net_cost = gross - returned_cost
    if invoiced == net_quantity:
        return money(net_cost)
    return money(net_cost * invoiced / net_quantity)


def gross_profit(*, organization: Organization, filters: Filters, by: str = "order") -> GrossProfit:
    """Revenue, cost, margin and margin % per order, product or customer over invoices dated in the range."""
    if by not in PROFIT_GROUPINGS:
        by = "order"
    lines = list(_invoice_lines(organization, filters))
    # per delivery line: the invoiced quantity in the range and the group it falls in
    per_dl: dict[int, tuple[DeliveryLine, Decimal, str]] = {}
    rows: dict[str, ProfitRow] = {}

    def row_of(line: InvoiceLine) -> ProfitRow:
        order = line.order_line.order if line.order_line is not None else None
        if by == "order":
            key = str(order.pk) if order is not None else ""
            label = f"{order} · {order.customer.name}" if order is not None else ""
            return rows.setdefault(key, ProfitRow(key, label, order_id=order.pk if order is not None else None))
        key, label = _key(by, order=order, product=line.product, customer=line.invoice.customer, day=line.invoice.date)
        return rows.setdefault(key, ProfitRow(key, label))

    for line in lines:
        row = row_of(line)
        row.quantity += line.quantity
        row.revenue += line.amount
        if line.delivery_line is not None:
            dl, quantity, key = per_dl.get(line.delivery_line_id or 0, (line.delivery_line, ZERO, row.key))
            per_dl[dl.pk] = (dl, quantity + line.quantity, key)
    returned = _net_costs(set(per_dl))
    for dl, quantity, key in per_dl.values():
        rows[key].cost += matched_cost(dl, quantity, returned[dl.pk])
    ordered = sorted(rows.values(), key=lambda r: (-r.margin, r.label))
    return GrossProfit(by, filters, ordered)


# Order fulfilment -------------------------------------------------------------------------------------------

OPEN_STATES = (OrderStatus.CONFIRMED, OrderStatus.PARTIALLY_DELIVERED, OrderStatus.DELIVERED)


@dataclass
class FulfilmentRow:
    order: SalesOrder
    ordered: Decimal
    delivered: Decimal
    invoiced: Decimal
    invoiced_total: Decimal
    paid: Decimal
    days: int
    late: bool

    @property
    def delivered_percent(self) -> Decimal | None:
        return _percent(self.delivered, self.ordered)

    @property
    def invoiced_percent(self) -> Decimal | None:
        return _percent(self.invoiced, self.ordered)

    @property
    def paid_percent(self) -> Decimal | None:
        return _percent(self.paid, self.order.total)


def _paid(organization: Organization, order_ids: list[int]) -> dict[int, tuple[Decimal, Decimal]]:
    """Per order: (Σ its invoice lines' totals, the settled part of them), each invoice's settled amount shared
    in proportion to the order's part of it (as `invoicing.order_payment_progress` does)."""
    shares: dict[int, dict[int, Decimal]] = defaultdict(lambda: defaultdict(lambda: ZERO))
    invoice_totals: dict[int, Decimal] = {}
    for order_id, invoice_id, total, invoice_total in InvoiceLine.objects.filter(
        organization=organization, order_line__order_id__in=order_ids
    ).values_list("order_line__order_id", "invoice_id", "total", "invoice__total"):
        shares[order_id][invoice_id] += total
        invoice_totals[invoice_id] = invoice_total
    open_of: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for item in with_open_amount(
        OpenItem.objects.filter(
            organization=organization,
            kind=OpenItemKind.RECEIVABLE,
            source_type=INVOICE_SOURCE,
            source_id__in=list(invoice_totals),
        )
    ):
        open_of[item.source_id] += money(item.open_amount)  # type: ignore[attr-defined]
    result: dict[int, tuple[Decimal, Decimal]] = {}
    for order_id, by_invoice in shares.items():
        due = paid = ZERO
        for invoice_id, share in by_invoice.items():
            total = invoice_totals[invoice_id]
            due += share
            if total:
                settled = total - open_of[invoice_id]
                paid += settled if share == total else money(settled * share / total)
        result[order_id] = (due, paid)
    return result


def order_fulfilment(
    *, organization: Organization, filters: Filters, today: datetime.date, late_only: bool = False
) -> list[FulfilmentRow]:
    """Open orders (by order date in the range) with their progress; late ones first, then the oldest."""
    qs = SalesOrder.objects.filter(organization=organization, status__in=OPEN_STATES).exclude(
        Q(status=OrderStatus.DELIVERED) & Q(invoice_progress=Progress.FULL) & Q(payment_progress=Progress.FULL)
    )
    if filters.date_from:
        qs = qs.filter(date__gte=filters.date_from)
    if filters.date_to:
        qs = qs.filter(date__lte=filters.date_to)
    if filters.customer is not None:
        qs = qs.filter(customer=filters.customer)
    if filters.product is not None:
        qs = qs.filter(lines__product=filters.product).distinct()
    if filters.rep is not None:
        qs = qs.filter(salesperson=filters.rep)
    found = list(
        qs.select_related("customer", "salesperson").prefetch_related("lines__product").order_by("date", "pk")[:2000]
    )
    invoiced_amount: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for order_id, amount in InvoiceLine.objects.filter(
        organization=organization, order_line__order_id__in=[o.pk for o in found]
    ).values_list("order_line__order_id", "amount"):
        invoiced_amount[order_id] += amount
    paid = _paid(organization, [o.pk for o in found])
    rows = []
    for order in found:
        lines = list(order.lines.all())
        delivered = sum(
            (money(ln.amount * (ln.delivered_quantity - ln.returned_quantity) / ln.quantity) for ln in lines), ZERO
        )
        to_deliver = order.status != OrderStatus.DELIVERED and any(
            ln.product.is_stocked and ln.delivered_quantity < ln.quantity for ln in lines
        )
        late = bool(order.expected_date and order.expected_date < today and to_deliver)
        if late_only and not late:
            continue
        due, settled = paid.get(order.pk, (ZERO, ZERO))
        rows.append(
            FulfilmentRow(
                order=order,
                ordered=order.amount,
                delivered=delivered,
                invoiced=invoiced_amount[order.pk],
                invoiced_total=due,
                paid=settled,
                days=(today - order.date).days,
                late=late,
            )
        )
    rows.sort(key=lambda r: (not r.late, r.order.date, r.order.pk))
    return rows
