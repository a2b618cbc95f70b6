"""The demo organization's stock and purchasing: opening stock worth the books' 1405, and this month's documents.

Opening stock (`load_opening_stock`, called by `demo_books.load_books` before it accepts the opening balances):
every stocked product in 上海总仓 and most of them in 南京路门店, at the purchase price without VAT, quantities
from a generator seeded per product; the last row (移动硬盘 in the main warehouse) is given as an amount that
brings the total to exactly the opening balance of 1405 (`demo_books.OPENING`). Batch-tracked goods get a lot
with production and expiry dates (bottled water close to its expiry, so the expiring-lots report has something).

This month (`load_stock`), through the real services and acting as the people whose job it is — the buyer
杨帆 orders, the owner 王建国 approves, the warehouse keeper 黄磊 receives, moves and counts, the accountant 周婷
approves the count and pays:
- PO 1 (tea from 西湖龙井) received in full in two receipts with lots, and part of the first sent back;
- PO 2 (stationery from 海曙文具) received in part; PO 3 (toner from 吴中耗材) approved, awaiting the goods;
  PO 4 (water from 千岛湖山泉) a draft;
- a payment to 西湖龙井 that writes off (核销) the first receipt net of the return, and an advance (预付) to
  千岛湖山泉;
- a transfer from the main warehouse to the store received, and another one in transit;
- a stocktake of the store posted with a small gain and a small loss;
- reorder levels for a few products of the store, below which its stock has fallen.

Dates fall within the current month and never after today (`demo_books._day`), in the order above. Idempotent:
each document is looked up by a natural key (its notes, the receipt's notes, the return's reason, the payment's
reference) before it is made, so a second `suanpan demo` changes nothing.
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal

from django.contrib.auth.models import User
from django.utils import timezone

from suanpan.accounting import services as books
from suanpan.accounting.models import Account, Period
from suanpan.catalog.models import Product
from suanpan.core.models import Organization
from suanpan.demo_books import OPENING, _day
from suanpan.finance import services as finance
from suanpan.finance.choices import OpenItemKind
from suanpan.finance.models import OpenItem, Payment
from suanpan.inventory import opening, reorder, stocktakes, transfers
from suanpan.inventory.choices import StocktakeStatus
from suanpan.inventory.models import LotStock, StockLevel, StockRule, Stocktake, Transfer, Warehouse
from suanpan.partners.models import Partner
from suanpan.purchasing import services as purchasing
from suanpan.purchasing.models import PurchaseOrder, PurchaseReturn, Receipt

D = Decimal
CENT = D("0.01")
MAIN, STORE = "WH01", "ST01"
OPENING_STOCK_VALUE = sum(D(amount) for code, amount, _name in OPENING if code == "1405")
BALANCING_PRODUCT = "HD-1T"  # its row takes what brings the total to the books' 1405 exactly
TARGET_VALUE = D("7200")  # a product's opening value in the main warehouse, before its random factor
STORE_SHARE = D("0.12")
# Shelf life in days of the batch-tracked goods, and how long before the opening they were made.
EXPIRING = "WT-550"
SHELF_LIFE = {"TN": 1095, "INK": 1095, "WT": 365, "TEA": 540, "CF": 365, "RC": 365, "OL": 540}

TEA, STATIONERY, TONER, WATER = (
    "杭州西湖龙井茶业有限公司",
    "宁波海曙文具制造有限公司",
    "苏州吴中打印耗材有限公司",
    "千岛湖山泉饮品有限公司",
)


def _rng(key: str) -> random.Random:
    from suanpan.demo import rng_for  # demo imports this module: import at call time

    return rng_for(key)


def _net(product: Product) -> Decimal:
    """The purchase price without VAT, to the cent: what the goods cost."""
    cost: Decimal = (product.purchase_price / (1 + product.vat_rate.rate)).quantize(CENT, rounding=ROUND_HALF_UP)
    return cost


def _nice(quantity: Decimal) -> Decimal:
    """A quantity as a warehouse counts it: whole units, tens above 100, hundreds above 1,000."""
    if quantity >= 1000:
        return (quantity / 100).quantize(D(1), rounding=ROUND_HALF_UP) * 100
    if quantity >= 100:
        return (quantity / 10).quantize(D(1), rounding=ROUND_HALF_UP) * 10
    return max(D(1), quantity.quantize(D(1), rounding=ROUND_HALF_UP))


def _shelf_life(code: str) -> int:
    return next((days for prefix, days in SHELF_LIFE.items() if code.startswith(prefix)), 365)


def _lot(product: Product, on: datetime.date) -> dict[str, object]:
    """The lot the opening stock of a batch-tracked product belongs to."""
    rng = _rng(f"opening-lot:{product.code}")
    life = _shelf_life(product.code)
    made = on - datetime.timedelta(days=rng.randint(20, 120))
    if product.code == EXPIRING:  # expires three weeks from today: the expiring-lots report shows it
        made = timezone.localdate() + datetime.timedelta(days=21 - life)
    return {
        "lot_number": f"{product.code.replace('-', '')}{made:%y%m%d}",
        "production_date": made,
        "expiry_date": made + datetime.timedelta(days=life),
    }


def opening_stock_rows(org: Organization, on: datetime.date) -> list[dict[str, object]]:
    """The rows of the demo's opening stock, worth exactly the opening balance of 1405."""
    places = {w.code: w.pk for w in Warehouse.objects.filter(organization=org)}
    products = list(Product.objects.filter(organization=org, is_stocked=True).select_related("vat_rate").order_by("pk"))
    rows: list[dict[str, object]] = []
    balancing = next(p for p in products if p.code == BALANCING_PRODUCT)
    for product in products:
        if product == balancing:
            continue
        rng = _rng(f"opening:{product.code}")
        cost = _net(product)
        main = _nice(TARGET_VALUE * rng.randint(60, 140) / 100 / cost)
        lot = _lot(product, on) if product.is_batch_tracked else {}
        rows.append({"product": product.pk, "warehouse": places[MAIN], "quantity": main, "unit_cost": cost, **lot})
        if rng.random() < 0.7:
            store = _nice(main * STORE_SHARE)
            rows.append(
                {"product": product.pk, "warehouse": places[STORE], "quantity": store, "unit_cost": cost, **lot}
            )
    rest = OPENING_STOCK_VALUE - sum((D(str(r["quantity"])) * D(str(r["unit_cost"])) for r in rows), D(0))
    quantity = (rest / _net(balancing)).quantize(D(1), rounding=ROUND_HALF_UP)
    if rest <= 0 or quantity <= 0:  # pragma: no cover - the numbers above are fixed
        raise RuntimeError(f"the demo's opening stock exceeds 1405 by {-rest}")
    rows.append({"product": balancing.pk, "warehouse": places[MAIN], "quantity": quantity, "amount": rest})
    return rows


def load_opening_stock(org: Organization, users: dict[str, User]) -> None:
    """Enter the opening stock once (the books' start must be set and the balances not yet accepted)."""
    on = opening.opening_date(organization=org)
    if on is None or opening.opening_stock_tie_out(organization=org).entered:
        return
    opening.opening_stock_post(organization=org, actor=users["warehouse"], rows=opening_stock_rows(org, on))


# This month -------------------------------------------------------------------------------------------------


class _Month:
    """Dates of this month's documents (never after today) and lookups by code and name."""

    def __init__(self, org: Organization) -> None:
        self.org = org
        self.today = timezone.localdate()
        self.period: Period = books.period_for_date(organization=org, on=self.today)
        self.products = {p.code: p for p in Product.objects.filter(organization=org).select_related("vat_rate")}
        self.places = {w.code: w for w in Warehouse.objects.filter(organization=org)}
        self.suppliers = {p.name: p for p in Partner.objects.filter(organization=org, is_supplier=True)}

    def day(self, n: int) -> datetime.date:
        return _day(self.period, n, self.today)


def _order(
    m: _Month,
    users: dict[str, User],
    note: str,
    supplier: str,
    day: int,
    lines: Sequence[tuple[str, str]],
    *,
    approve: bool = True,
) -> PurchaseOrder:
    order = PurchaseOrder.objects.filter(organization=m.org, notes=note).first()
    if order is None:
        order = purchasing.purchase_order_create(
            organization=m.org,
            actor=users["purchasing"],
            data={
                "supplier_id": m.suppliers[supplier].pk,
                "warehouse_id": m.places[MAIN].pk,
                "date": m.day(day),
                "expected_date": m.day(day) + datetime.timedelta(days=7),
                "notes": note,
                "lines": [
                    {"product_id": m.products[code].pk, "quantity": D(qty), "unit_price": _net(m.products[code])}
                    for code, qty in lines
                ],
            },
        )
    if approve and not order.number:
        order = purchasing.purchase_order_approve(organization=m.org, actor=users["owner"], order_id=order.pk)
    return order


def _receive(
    m: _Month,
    users: dict[str, User],
    order: PurchaseOrder,
    note: str,
    day: int,
    lines: Sequence[tuple[str, str, str]],
    invoice: str = "",
) -> Receipt:
    """Receive (code, quantity, lot) lines of an order; lots are dated from the receipt date."""
    found = Receipt.objects.filter(organization=m.org, order=order, notes=note).first()
    if found is not None:
        return found
    by_product = {line.product.code: line for line in order.lines.select_related("product")}
    rows: list[dict[str, object]] = []
    for code, quantity, lot in lines:
        row: dict[str, object] = {"order_line_id": by_product[code].pk, "quantity": D(quantity)}
        if lot:
            made = m.day(day) - datetime.timedelta(days=_rng(f"lot:{lot}").randint(10, 40))
            row |= {
                "lot_number": lot,
                "production_date": made,
                "expiry_date": made + datetime.timedelta(days=_shelf_life(code)),
            }
        rows.append(row)
    return purchasing.receipt_post(
        organization=m.org,
        actor=users["warehouse"],
        order_id=order.pk,
        date=m.day(day),
        invoice_number=invoice,
        notes=note,
        lines=rows,
    )


def _return(m: _Month, users: dict[str, User], receipt: Receipt, code: str, quantity: str, day: int) -> PurchaseReturn:
    reason = "包装破损，退回供应商"
    back = PurchaseReturn.objects.filter(organization=m.org, receipt=receipt, reason=reason).first()
    if back is None:
        line = receipt.lines.get(product__code=code)
        back = purchasing.purchase_return_post(
            organization=m.org,
            actor=users["warehouse"],
            receipt_id=receipt.pk,
            date=m.day(day),
            lines=[{"receipt_line_id": line.pk, "quantity": D(quantity)}],
            reason=reason,
        )
    return back


def _payments(m: _Month, users: dict[str, User], receipt: Receipt, back: PurchaseReturn) -> None:
    bank = Account.objects.get(organization=m.org, code="1002")
    if not Payment.objects.filter(organization=m.org, reference="电汇-西湖龙井-01").exists():
        items = {
            i.source_label: i
            for i in OpenItem.objects.filter(
                organization=m.org, partner=receipt.supplier, kind=OpenItemKind.PAYABLE
            ).filter(source_label__in=[receipt.number, back.number])
        }
        finance.payment_create(
            organization=m.org,
            actor=users["finance"],
            partner_id=receipt.supplier_id,
            date=m.day(9),
            account_id=bank.pk,
            amount=receipt.total - back.total,
            allocations=[
                {"item_id": items[receipt.number].pk, "amount": receipt.total},
                {"item_id": items[back.number].pk, "amount": -back.total},
            ],
            reference="电汇-西湖龙井-01",
            notes="核销第一批到货货款（扣除退货）",
        )
    if not Payment.objects.filter(organization=m.org, reference="电汇-千岛湖-预付").exists():
        finance.payment_create(
            organization=m.org,
            actor=users["finance"],
            partner_id=m.suppliers[WATER].pk,
            date=m.day(10),
            account_id=bank.pk,
            amount=D("5000.00"),
            allow_advance=True,
            reference="电汇-千岛湖-预付",
            notes="预付下月饮用水货款",
        )


def _transfer(
    m: _Month, users: dict[str, User], note: str, day: int, lines: Sequence[tuple[str, str]], *, receive: bool
) -> Transfer:
    keeper = users["warehouse"]
    transfer = Transfer.objects.filter(organization=m.org, notes=note).first()
    if transfer is None:
        rows: list[dict[str, object]] = []
        for code, quantity in lines:
            product = m.products[code]
            row: dict[str, object] = {"product": product.pk, "quantity": D(quantity)}
            if product.is_batch_tracked:  # the lot the main warehouse holds most of
                row["lot"] = _fullest_lot(m.org, product, m.places[MAIN])
            rows.append(row)
        transfer = transfers.transfer_create(
            organization=m.org,
            actor=keeper,
            date=m.day(day),
            from_warehouse=m.places[MAIN].pk,
            to_warehouse=m.places[STORE].pk,
            lines=rows,
            notes=note,
        )
    if not transfer.number:
        transfer = transfers.transfer_ship(organization=m.org, actor=keeper, transfer_id=transfer.pk, date=m.day(day))
    if receive and transfer.received_on is None:
        transfer = transfers.transfer_receive(
            organization=m.org, actor=keeper, transfer_id=transfer.pk, date=m.day(day + 1)
        )
    return transfer


def _fullest_lot(org: Organization, product: Product, warehouse: Warehouse) -> int | None:
    """The lot of the product the warehouse holds most of."""
    return (
        LotStock.objects.filter(organization=org, product=product, warehouse=warehouse, on_hand__gt=0)
        .order_by("-on_hand", "lot_id")
        .values_list("lot_id", flat=True)
        .first()
    )


def _stocktake(m: _Month, users: dict[str, User]) -> None:
    note = "演示：门店月中盘点"
    take = Stocktake.objects.filter(organization=m.org, notes=note).first()
    if take is None:
        take = stocktakes.stocktake_start(
            organization=m.org, actor=users["warehouse"], warehouse=m.places[STORE].pk, date=m.day(11), notes=note
        )
    if take.status == StocktakeStatus.COUNTING:
        gain, loss = m.products["NB-B5"].pk, m.products["GP-05R"].pk
        counts = []
        for line in take.lines.order_by("id"):
            difference = D(2) if line.product_id == gain else D(-3) if line.product_id == loss else D(0)
            counts.append({"line": line.pk, "counted": max(D(0), line.book_quantity + difference)})
        stocktakes.stocktake_count(organization=m.org, actor=users["warehouse"], stocktake_id=take.pk, counts=counts)
        take = stocktakes.stocktake_submit(organization=m.org, actor=users["warehouse"], stocktake_id=take.pk)
    if take.status == StocktakeStatus.SUBMITTED:
        take = stocktakes.stocktake_approve(organization=m.org, actor=users["finance"], stocktake_id=take.pk)
    if take.status == StocktakeStatus.APPROVED:
        stocktakes.stocktake_post(organization=m.org, actor=users["finance"], stocktake_id=take.pk, date=m.day(11))


def _reorder_levels(m: _Month, users: dict[str, User]) -> None:
    """Levels for the store above what it holds of a few products, so the reorder page suggests buying."""
    store = m.places[STORE]
    for code in ("TS-10", "HS-500", "CF-12", "PS-76"):
        product = m.products[code]
        if StockRule.objects.filter(organization=m.org, product=product, warehouse=store).exists():
            continue
        level = StockLevel.objects.filter(organization=m.org, product=product, warehouse=store).first()
        on_hand = level.on_hand if level is not None else D(0)
        minimum = _nice(on_hand * 2 + 10)
        reorder.stock_rule_set(
            organization=m.org,
            actor=users["purchasing"],
            product_id=product.pk,
            warehouse_id=store.pk,
            min_stock=minimum,
            max_stock=minimum * 3,
        )


def load_stock(org: Organization, users: dict[str, User]) -> None:
    """This month's purchasing, payments, transfers, stocktake and reorder levels (see the module docstring), in
    the order of their dates: stock never moves before an item's last move. Needs the opening stock: a demo
    whose books were accepted before it existed gets none of this."""
    if not opening.opening_stock_tie_out(organization=org).entered:
        return
    m = _Month(org)
    month = f"{m.period.year}{m.period.month:02d}"
    tea = _order(m, users, "演示：春茶到货（龙井、普洱）", TEA, 2, (("TEA-LJ", "40"), ("TEA-PE", "60")))
    paper = (("A4-70", "100"), ("GP-05B", "2000"), ("FD-A4", "500"))
    stationery = _order(m, users, "演示：办公纸张和书写工具补货", STATIONERY, 2, paper)
    lots = (("TEA-LJ", "40", f"LJ{month}A"), ("TEA-PE", "30", f"PE{month}A"))
    first = _receive(m, users, tea, "第一批到货", 3, lots, invoice=f"3300{month}0001")
    _transfer(
        m,
        users,
        "演示：门店补货（已到店）",
        4,
        (("A4-80", "10"), ("NB-B5", "60"), ("GP-05B", "200"), ("GP-05R", "100"), ("WT-550", "20")),
        receive=True,
    )
    _receive(m, users, tea, "第二批到货", 6, (("TEA-PE", "30", f"PE{month}B"),), invoice=f"3300{month}0002")
    back = _return(m, users, first, "TEA-PE", "5", 7)
    _receive(m, users, stationery, "部分到货，余货下周送", 8, (("A4-70", "100", ""), ("GP-05B", "1000", "")))
    _payments(m, users, first, back)
    _order(m, users, "演示：硒鼓墨盒备货", TONER, 10, (("TN-88A", "50"), ("INK-845", "30")))
    _stocktake(m, users)
    _order(m, users, "演示：门店饮用水补货（待审批）", WATER, 11, (("WT-550", "200"), ("WT-19L", "100")), approve=False)
    _transfer(
        m, users, "演示：门店补货（在途）", 12, (("TP-18", "100"), ("BC-25", "50"), ("TEA-LJ", "6")), receive=False
    )
    _reorder_levels(m, users)
