"""Reads of purchase documents and the purchase analysis."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, QuerySet, Sum

from suanpan.core.models import Organization
from suanpan.core.money import ZERO, money, qty
from suanpan.core.records import get_scoped
from suanpan.purchasing.models import PurchaseOrder, PurchaseReturn, PurchaseReturnLine, Receipt, ReceiptLine


def order_list(*, organization: Organization) -> QuerySet[PurchaseOrder]:
    return PurchaseOrder.objects.filter(organization=organization).select_related("supplier", "warehouse")


def order_get(*, organization: Organization, pk: object) -> PurchaseOrder:
    return get_scoped(PurchaseOrder, organization=organization, pk=pk)


def receipt_list(*, organization: Organization) -> QuerySet[Receipt]:
    return Receipt.objects.filter(organization=organization).select_related("supplier", "warehouse", "order")


def receipt_get(*, organization: Organization, pk: object) -> Receipt:
    return get_scoped(Receipt, organization=organization, pk=pk)


def return_list(*, organization: Organization) -> QuerySet[PurchaseReturn]:
    return PurchaseReturn.objects.filter(organization=organization).select_related("supplier", "warehouse", "receipt")


def return_get(*, organization: Organization, pk: object) -> PurchaseReturn:
    return get_scoped(PurchaseReturn, organization=organization, pk=pk)


@dataclass
class AnalysisRow:
    key_id: int
    code: str
    name: str
    quantity: Decimal = ZERO
    amount: Decimal = ZERO
    tax: Decimal = ZERO
    total: Decimal = ZERO
    returned_amount: Decimal = ZERO
    receipts: int = 0

    @property
    def net_amount(self) -> Decimal:
        return self.amount - self.returned_amount


@dataclass
class Analysis:
    date_from: datetime.date
    date_to: datetime.date
    by: str
    rows: list[AnalysisRow] = field(default_factory=list)

    @property
    def total_amount(self) -> Decimal:
        return sum((r.amount for r in self.rows), ZERO)

    @property
    def total_net_amount(self) -> Decimal:
        return sum((r.net_amount for r in self.rows), ZERO)


def purchase_analysis(
    *, organization: Organization, date_from: datetime.date, date_to: datetime.date, by: str = "supplier"
) -> Analysis:
    """What was bought (received) in [date_from, date_to] by supplier or by product: quantity (net of returns, by
    product only), amount excl. VAT, VAT, total, returns (amount excl. VAT) in the range and net amount."""
    key = "receipt__supplier" if by == "supplier" else "product"
    return_key = "purchase_return__supplier" if by == "supplier" else "product"
    received = (
        ReceiptLine.objects.filter(organization=organization, receipt__date__gte=date_from, receipt__date__lte=date_to)
        .values(f"{key}_id", f"{key}__code", f"{key}__name")
        .annotate(
            quantity=Sum("quantity"),
            amount=Sum("amount"),
            tax=Sum("tax"),
            total=Sum("total"),
            receipts=Count("receipt", distinct=True),
        )
        .order_by()
    )
    rows: dict[int, AnalysisRow] = {}
    for r in received:
        rows[r[f"{key}_id"]] = AnalysisRow(
            r[f"{key}_id"],
            r[f"{key}__code"],
            r[f"{key}__name"],
            quantity=qty(r["quantity"]) if by == "product" else ZERO,
            amount=money(r["amount"]),  # quantized: SQLite sums decimals as floats
            tax=money(r["tax"]),
            total=money(r["total"]),
            receipts=r["receipts"],
        )
    returned = (
        PurchaseReturnLine.objects.filter(
            organization=organization, purchase_return__date__gte=date_from, purchase_return__date__lte=date_to
        )
        .values(f"{return_key}_id", f"{return_key}__code", f"{return_key}__name")
        .annotate(quantity=Sum("quantity"), amount=Sum("amount"))
        .order_by()
    )
    for r in returned:
        row = rows.setdefault(
            r[f"{return_key}_id"],
            AnalysisRow(r[f"{return_key}_id"], r[f"{return_key}__code"], r[f"{return_key}__name"]),
        )
        row.returned_amount += money(r["amount"])
        if by == "product":
            row.quantity -= qty(r["quantity"])
    ordered = sorted(rows.values(), key=lambda r: (-r.net_amount, r.code))
    return Analysis(date_from, date_to, by, ordered)
