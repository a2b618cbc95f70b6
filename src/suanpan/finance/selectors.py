"""Reads of the open items: open amounts (computed from allocations), a partner's open items, payments, aging.
The receivables' own reads (receipts, statements, reminders) are in `finance.receivables`."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import DecimalField, F, OuterRef, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce, Round
from django.utils.translation import gettext as _

from suanpan.core.exceptions import NotFound
from suanpan.core.models import Organization
from suanpan.core.money import ZERO, money
from suanpan.core.records import get_scoped
from suanpan.finance.choices import SUPPLIER_PAYMENT_KINDS, OpenItemKind
from suanpan.finance.models import Allocation, OpenItem, Payment

MONEY: DecimalField[Decimal, Decimal] = DecimalField(max_digits=18, decimal_places=2)


def with_open_amount(qs: QuerySet[OpenItem]) -> QuerySet[OpenItem]:
    """Annotate `allocated` and `open_amount` (= amount − Σ allocations). Rounded to the cent in SQL: SQLite sums
    decimals as binary floats, so 998.16 − (741.25 + 256.91) would not compare equal to 0 there."""
    allocated = (
        Allocation.objects.filter(item=OuterRef("pk"))
        .order_by()
        .values("item")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    return qs.annotate(
        allocated=Coalesce(Subquery(allocated, output_field=MONEY), Value(ZERO), output_field=MONEY)
    ).annotate(open_amount=Round(F("amount") - F("allocated"), 2, output_field=MONEY))


def open_item_list(
    *,
    organization: Organization,
    kind: str = OpenItemKind.PAYABLE,
    partner_id: int | None = None,
    open_only: bool = False,
) -> QuerySet[OpenItem]:
    qs = with_open_amount(OpenItem.objects.filter(organization=organization, kind=kind).select_related("partner"))
    if partner_id is not None:
        qs = qs.filter(partner_id=partner_id)
    if open_only:
        qs = qs.exclude(**{"open_amount": 0})  # the annotation above
    return qs.order_by("due_date", "date", "id")


def open_item_get(*, organization: Organization, pk: object) -> OpenItem:
    item = get_scoped(OpenItem, organization=organization, pk=pk)
    return with_open_amount(OpenItem.objects.filter(pk=item.pk)).select_related("partner").get()


def open_total(*, organization: Organization, kind: str, partner_id: int | None = None) -> Decimal:
    items = OpenItem.objects.filter(organization=organization, kind=kind)
    allocations = Allocation.objects.filter(organization=organization, item__kind=kind)
    if partner_id is not None:
        items = items.filter(partner_id=partner_id)
        allocations = allocations.filter(item__partner_id=partner_id)
    amount = money(items.aggregate(s=Sum("amount"))["s"] or ZERO)  # SQLite sums decimals as floats
    allocated = money(allocations.aggregate(s=Sum("amount"))["s"] or ZERO)
    result: Decimal = amount - allocated
    return result


def payment_list(*, organization: Organization, kinds: Sequence[str] = SUPPLIER_PAYMENT_KINDS) -> QuerySet[Payment]:
    """Supplier payments by default; customer receipts are payments of the receivables' kinds."""
    qs = Payment.objects.filter(organization=organization, kind__in=kinds)
    return qs.select_related("partner", "account", "voucher")


def payment_get(*, organization: Organization, pk: object, kinds: Sequence[str] = SUPPLIER_PAYMENT_KINDS) -> Payment:
    payment = get_scoped(Payment, organization=organization, pk=pk)
    if payment.kind not in kinds:
        raise NotFound(_("%(what)s not found.") % {"what": str(Payment._meta.verbose_name).capitalize()})
    return payment


# Aging ------------------------------------------------------------------------------------------------------

DEFAULT_BUCKETS = (30, 60, 90)


@dataclass
class AgingRow:
    partner_id: int
    partner: str
    not_due: Decimal = ZERO
    buckets: list[Decimal] = field(default_factory=list)
    total: Decimal = ZERO


@dataclass
class Aging:
    on: datetime.date
    bounds: tuple[int, ...]
    labels: list[str]
    rows: list[AgingRow]
    totals: AgingRow


def bucket_labels(bounds: tuple[int, ...]) -> list[str]:
    labels, low = [], 0
    for high in bounds:
        labels.append(f"{low}-{high}" if low == 0 else f"{low + 1}-{high}")
        low = high
    labels.append(f"{low}+")
    return labels


def payables_aging(
    *, organization: Organization, on: datetime.date, bounds: tuple[int, ...] = DEFAULT_BUCKETS
) -> Aging:
    """Open payables per supplier by days overdue on `on`: not yet due, then 0–30, 31–60, 61–90, 90+ (with the
    default bounds). Credits (returns) land in the bucket of their own due date and net against the rest."""
    return open_items_aging(organization=organization, kind=OpenItemKind.PAYABLE, on=on, bounds=bounds)


def open_items_aging(*, organization: Organization, kind: str, on: datetime.date, bounds: tuple[int, ...]) -> Aging:
    """Open items of one kind per partner by days overdue on `on` (see `payables_aging`)."""
    rows: dict[int, AgingRow] = {}
    items = open_item_list(organization=organization, kind=kind, open_only=True).filter(date__lte=on)
    for item in items:
        row = rows.get(item.partner_id)
        if row is None:
            row = rows[item.partner_id] = AgingRow(
                item.partner_id, str(item.partner), buckets=[ZERO] * (len(bounds) + 1)
            )
        amount = money(item.open_amount)  # type: ignore[attr-defined]
        overdue = (on - item.due_date).days
        if overdue <= 0:
            row.not_due += amount
        else:
            index = next((i for i, high in enumerate(bounds) if overdue <= high), len(bounds))
            row.buckets[index] += amount
        row.total += amount
    totals = AgingRow(0, "", buckets=[ZERO] * (len(bounds) + 1))
    for row in rows.values():
        totals.not_due += row.not_due
        totals.total += row.total
        totals.buckets = [a + b for a, b in zip(totals.buckets, row.buckets, strict=True)]
    ordered = sorted((r for r in rows.values() if r.total or any(r.buckets)), key=lambda r: r.partner)
    return Aging(on=on, bounds=bounds, labels=bucket_labels(bounds), rows=ordered, totals=totals)
