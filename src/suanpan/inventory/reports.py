"""Stock reports, read straight from the stock ledger (every number is a sum of `StockMove` rows).

Sums are quantized (values to 0.01, quantities to 0.0001) after the database adds them up: SQLite adds decimal
columns in floating point, and the rounding brings back the exact sum of the 2- and 4-place figures.

- In-out-balance summary (收发存汇总表), per product for a date range (optionally one warehouse):
  opening = Σ moves dated before the start; in = Σ moves of the range with quantity > 0; out = −Σ moves of the
  range with quantity < 0 (shown positive); closing = opening + in − out = Σ moves up to the end. Quantities and
  values alike, so the report matches the ledger exactly. Without a warehouse filter a transfer appears both as
  an out (from one warehouse) and an in (to the other).
- Turnover days per product over a range:
      average stock value = (opening value + closing value) / 2
      cost of goods sold  = value of the range's deliveries − value of its sales returns
      turnover days       = average stock value ÷ (cost of goods sold ÷ days in the range),
  rounded half-up to 0.1 day; none when nothing was sold.
- Slow movers: products × warehouses with stock on hand and no outgoing move (of any kind) in the last N days,
  with on-hand quantity and value and the date of the last outgoing move.
- Expiring lots: lots with stock whose expiry date falls within the next N days (already expired included),
  quantity per warehouse.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Max, Q, Sum
from django.utils.translation import gettext as _

from suanpan.catalog.models import Product
from suanpan.core.exceptions import InvalidInput
from suanpan.core.models import Organization
from suanpan.core.money import ZERO, money, qty
from suanpan.inventory.choices import MoveKind
from suanpan.inventory.models import LotStock, StockLevel, StockMove, Warehouse

MAX_DAYS = 3660


def check_range(start: datetime.date, end: datetime.date) -> None:
    if end < start:
        raise InvalidInput.single("end", _("The end date cannot be before the start date."))


def check_days(days: int) -> None:
    if not 0 <= days <= MAX_DAYS:
        raise InvalidInput.single("days", _("Give a number of days from 0 to %(n)d.") % {"n": MAX_DAYS})


@dataclass
class BalanceRow:
    product: Product
    opening_quantity: Decimal = ZERO
    opening_value: Decimal = ZERO
    in_quantity: Decimal = ZERO
    in_value: Decimal = ZERO
    out_quantity: Decimal = ZERO
    out_value: Decimal = ZERO

    @property
    def closing_quantity(self) -> Decimal:
        return self.opening_quantity + self.in_quantity - self.out_quantity

    @property
    def closing_value(self) -> Decimal:
        return self.opening_value + self.in_value - self.out_value


@dataclass
class BalanceReport:
    start: datetime.date
    end: datetime.date
    warehouse: Warehouse | None
    rows: list[BalanceRow]

    @property
    def total(self) -> BalanceRow:
        total = BalanceRow(product=None)  # type: ignore[arg-type]
        for row in self.rows:
            total.opening_quantity += row.opening_quantity
            total.opening_value += row.opening_value
            total.in_quantity += row.in_quantity
            total.in_value += row.in_value
            total.out_quantity += row.out_quantity
            total.out_value += row.out_value
        return total


def _moves(organization: Organization, warehouse: Warehouse | None, product: Product | None = None) -> Q:
    query = Q(organization=organization)
    if warehouse is not None:
        query &= Q(warehouse=warehouse)
    if product is not None:
        query &= Q(product=product)
    return query


def in_out_balance(
    *,
    organization: Organization,
    start: datetime.date,
    end: datetime.date,
    warehouse: Warehouse | None = None,
    product: Product | None = None,
) -> BalanceReport:
    """收发存汇总表 (see the module's docstring): one row per product that had stock or moved."""
    check_range(start, end)
    base = StockMove.objects.filter(_moves(organization, warehouse, product), date__lte=end)
    sums = base.values("product_id").annotate(
        oq=Sum("quantity", filter=Q(date__lt=start)),
        ov=Sum("value", filter=Q(date__lt=start)),
        iq=Sum("quantity", filter=Q(date__gte=start, quantity__gt=0)),
        iv=Sum("value", filter=Q(date__gte=start, quantity__gt=0)),
        xq=Sum("quantity", filter=Q(date__gte=start, quantity__lt=0)),
        xv=Sum("value", filter=Q(date__gte=start, quantity__lt=0)),
    )
    products = Product.objects.in_bulk({r["product_id"] for r in sums})
    rows = []
    for r in sums:
        row = BalanceRow(
            product=products[r["product_id"]],
            opening_quantity=qty(r["oq"] or ZERO),
            opening_value=money(r["ov"] or ZERO),
            in_quantity=qty(r["iq"] or ZERO),
            in_value=money(r["iv"] or ZERO),
            out_quantity=qty(-(r["xq"] or ZERO)),
            out_value=money(-(r["xv"] or ZERO)),
        )
        if any(
            (row.opening_quantity, row.opening_value, row.in_quantity, row.out_quantity, row.in_value, row.out_value)
        ):
            rows.append(row)
    rows.sort(key=lambda r: r.product.code)
    return BalanceReport(start, end, warehouse, rows)


@dataclass
class TurnoverRow:
    product: Product
    opening_value: Decimal
    closing_value: Decimal
    cost_of_sales: Decimal
    days: int

    @property
    def average_value(self) -> Decimal:
        return money((self.opening_value + self.closing_value) / 2)

    @property
    def turnover_days(self) -> Decimal | None:
        if self.cost_of_sales <= 0:
            return None
        per_day = self.cost_of_sales / self.days
        return (self.average_value / per_day).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def turnover(
    *,
    organization: Organization,
    start: datetime.date,
    end: datetime.date,
    warehouse: Warehouse | None = None,
) -> list[TurnoverRow]:
    """Turnover days per product (formula in the module's docstring), slowest first; never-sold products last."""
    check_range(start, end)
    days = (end - start).days + 1
    sums = (
        StockMove.objects.filter(_moves(organization, warehouse), date__lte=end)
        .values("product_id")
        .annotate(
            ov=Sum("value", filter=Q(date__lt=start)),
            cv=Sum("value"),
            sold=Sum("value", filter=Q(date__gte=start, kind=MoveKind.DELIVERY)),
            returned=Sum("value", filter=Q(date__gte=start, kind=MoveKind.SALES_RETURN)),
        )
    )
    products = Product.objects.in_bulk({r["product_id"] for r in sums})
    rows = [
        TurnoverRow(
            product=products[r["product_id"]],
            opening_value=money(r["ov"] or ZERO),
            closing_value=money(r["cv"] or ZERO),
            cost_of_sales=money(-(r["sold"] or ZERO) - (r["returned"] or ZERO)),
            days=days,
        )
        for r in sums
    ]
    rows = [r for r in rows if r.opening_value or r.closing_value or r.cost_of_sales]
    rows.sort(key=lambda r: (r.turnover_days is None, -(r.turnover_days or 0), r.product.code))
    return rows


@dataclass
class SlowRow:
    product: Product
    warehouse: Warehouse
    on_hand: Decimal
    value: Decimal
    last_out: datetime.date | None
    today: datetime.date

    @property
    def idle_days(self) -> int | None:
        return (self.today - self.last_out).days if self.last_out else None


def slow_movers(
    *, organization: Organization, days: int, today: datetime.date, warehouse: Warehouse | None = None
) -> list[SlowRow]:
    """Stock on hand with no outgoing move in the last `days` days (dated after today − days), most idle first."""
    check_days(days)
    since = today - datetime.timedelta(days=days)
    levels = StockLevel.objects.filter(organization=organization, on_hand__gt=0).select_related("product", "warehouse")
    if warehouse is not None:
        levels = levels.filter(warehouse=warehouse)
    last = {
        (r["product_id"], r["warehouse_id"]): r["at"]
        for r in StockMove.objects.filter(organization=organization, quantity__lt=0)
        .values("product_id", "warehouse_id")
        .annotate(at=Max("date"))
    }
    rows = []
    for level in levels:
        last_out = last.get((level.product_id, level.warehouse_id))
        if last_out is None or last_out <= since:
            rows.append(SlowRow(level.product, level.warehouse, level.on_hand, level.value, last_out, today))
    rows.sort(key=lambda r: (r.last_out or datetime.date.min, r.product.code, r.warehouse.code))
    return rows


@dataclass
class LotRow:
    lot_number: str
    product: Product
    warehouse: Warehouse
    quantity: Decimal
    production_date: datetime.date | None
    expiry_date: datetime.date
    today: datetime.date

    @property
    def days_left(self) -> int:
        return (self.expiry_date - self.today).days


def expiring_lots(
    *, organization: Organization, days: int, today: datetime.date, warehouse: Warehouse | None = None
) -> list[LotRow]:
    """Lots with stock expiring on or before today + `days` (expired ones first), per warehouse."""
    check_days(days)
    stocks = LotStock.objects.filter(
        organization=organization,
        on_hand__gt=0,
        lot__expiry_date__isnull=False,
        lot__expiry_date__lte=today + datetime.timedelta(days=days),
    ).select_related("lot", "product", "warehouse")
    if warehouse is not None:
        stocks = stocks.filter(warehouse=warehouse)
    rows = [
        LotRow(
            s.lot.number,
            s.product,
            s.warehouse,
            s.on_hand,
            s.lot.production_date,
            s.lot.expiry_date,  # type: ignore[arg-type]
            today,
        )
        for s in stocks
    ]
    rows.sort(key=lambda r: (r.expiry_date, r.product.code, r.lot_number, r.warehouse.code))
    return rows
