"""The demo organization's sales: a dealers' price list, and this month's orders in every state with their
deliveries, invoices, receipts, a return with its credit note.

All through the real services, acting as the people whose job it is — the reps 李娜 / 张伟 take and confirm the
orders, the warehouse keeper delivers and takes back, the accountant invoices and receives the money:
- 经销商价 (dealers, customers tagged 经销商): a few stationery items below the list price, cheaper again from 500;
- order 1 (北京星河科技): delivered in full, signed for, invoiced, paid in part;
- order 2 (上海东方文具): delivered in part, invoiced; two calculators came back and got a credit note;
- order 3 (广州天宇商贸): confirmed, its stock reserved, nothing delivered yet;
- order 4 (北京华远办公设备): a draft the rep is still working on;
- a receipt from 上海浦江电子商务 in advance (预收) of an order to come.

Dates fall after the stock documents of the month (`demo_stock`, days 2–12) and never after today; a month that
has not reached them yet gets its sales on today's date. Idempotent: each order is looked up by its notes, each
later document by the order or delivery it belongs to, the advance receipt by its reference.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from decimal import Decimal

from django.contrib.auth.models import User
from django.utils import timezone

from suanpan.accounting import services as books
from suanpan.accounting.models import Account
from suanpan.catalog.models import Product
from suanpan.core.models import Organization
from suanpan.demo_books import _day
from suanpan.finance import receipts
from suanpan.finance.models import Payment
from suanpan.inventory.models import Warehouse
from suanpan.partners.models import Partner, Tag
from suanpan.sales import deliveries, invoicing, orders, pricing, returns
from suanpan.sales.models import Delivery, Invoice, PriceList, SalesOrder, SalesReturn

D = Decimal
MAIN = "WH01"
DEALERS = "经销商价"


class _Month:
    def __init__(self, org: Organization) -> None:
        self.org = org
        self.today = timezone.localdate()
        self.period = books.period_for_date(organization=org, on=self.today)
        self.products = {p.code: p for p in Product.objects.filter(organization=org)}
        self.customers = {p.name: p for p in Partner.objects.filter(organization=org, is_customer=True)}
        self.main = Warehouse.objects.get(organization=org, code=MAIN)
        self.bank = Account.objects.get(organization=org, code="1002")

    def day(self, n: int) -> datetime.date:
        return _day(self.period, n, self.today)


def _price_list(m: _Month, users: dict[str, User]) -> None:
    if PriceList.objects.filter(organization=m.org, name=DEALERS).exists():
        return
    tag = Tag.objects.filter(organization=m.org, name="经销商").first()
    items = []
    for code, price, bulk in (("A4-70", "158.00", "152.00"), ("GP-05B", "1.45", "1.30"), ("NB-A5", "13.50", "12.80")):
        product = m.products[code]
        items.append({"product_id": product.pk, "min_quantity": "0", "unit_price": price})
        items.append({"product_id": product.pk, "min_quantity": "500", "unit_price": bulk})
    pricing.price_list_create(
        organization=m.org,
        actor=users["owner"],
        data={
            "name": DEALERS,
            "tag_id": tag.pk if tag else None,
            "valid_from": m.period.start,
            "priority": 10,
            "items": items,
        },
    )


def _order(
    m: _Month, rep: User, note: str, customer: str, day: int, lines: Sequence[tuple[str, str]], *, confirm: bool = True
) -> SalesOrder:
    order = SalesOrder.objects.filter(organization=m.org, notes=note).first()
    if order is None:
        order = orders.order_create(
            organization=m.org,
            actor=rep,
            data={
                "customer_id": m.customers[customer].pk,
                "warehouse_id": m.main.pk,
                "date": m.day(day),
                "expected_date": m.day(day) + datetime.timedelta(days=3),
                "salesperson_id": rep.pk,
                "notes": note,
                "lines": [{"product_id": m.products[code].pk, "quantity": quantity} for code, quantity in lines],
            },
        )
    if confirm and order.status == "draft":
        # the owner confirms: he may go past a credit limit the demo's random limits might set too low
        order = (
            orders.order_confirm(organization=m.org, actor=rep, order_id=order.pk, approve_credit=False)
            if (_within_credit(m, order))
            else orders.order_confirm(organization=m.org, actor=None, order_id=order.pk, approve_credit=True)
        )
    return order


def _within_credit(m: _Month, order: SalesOrder) -> bool:
    exposure = orders.customer_exposure(m.org, order.customer, excluding=order)
    return not exposure.limit or exposure.total + order.total <= exposure.limit


def _deliver(
    m: _Month, keeper: User, order: SalesOrder, day: int, quantities: dict[str, str] | None = None, **logistics: object
) -> Delivery:
    done = Delivery.objects.filter(organization=m.org, lines__order_line__order=order).distinct().first()
    if done is not None:
        return done
    lines = []
    for line in order.lines.select_related("product").order_by("seq"):
        quantity = (quantities or {}).get(line.product.code, str(line.open_quantity))
        lines.append({"order_line_id": line.pk, "quantity": quantity})
    return deliveries.delivery_post(
        organization=m.org,
        actor=keeper,
        data={"date": m.day(day), "warehouse_id": m.main.pk, "lines": lines, "ship_to": order.ship_to, **logistics},
    )


def _invoice(m: _Month, accountant: User, delivery: Delivery, day: int) -> Invoice:
    done = Invoice.objects.filter(organization=m.org, lines__delivery_line__delivery=delivery).distinct().first()
    if done is not None:
        return done
    return invoicing.invoice_post(
        organization=m.org,
        actor=accountant,
        data={
            "date": m.day(day),
            "invoice_type": "special",
            "lines": [{"delivery_line_id": dl.pk, "quantity": str(dl.quantity)} for dl in delivery.lines.all()],
        },
    )


def _receive(
    m: _Month, accountant: User, customer: Partner, amount: str, day: int, reference: str, **kw: object
) -> None:
    if Payment.objects.filter(organization=m.org, reference=reference).exists():
        return
    receipts.receipt_post(
        organization=m.org,
        actor=accountant,
        data={
            "customer_id": customer.pk,
            "date": m.day(day),
            "account_id": m.bank.pk,
            "amount": amount,
            "reference": reference,
            **kw,
        },
    )


def load_sales(org: Organization, users: dict[str, User]) -> None:
    """This month's sales (see the module docstring), in the order of their dates."""
    m = _Month(org)
    rep, rep2, keeper, accountant = users["sales"], users["sales2"], users["warehouse"], users["finance"]
    _price_list(m, users)
    xinghe = "北京星河科技有限公司"
    first = _order(
        m, rep, "演示：星河科技办公用品月度采购", xinghe, 13, (("A4-70", "20"), ("GP-05B", "300"), ("ST-12", "10"))
    )
    delivered = _deliver(
        m, keeper, first, 14, carrier="顺丰速运", tracking_number="SF1402611530021", shipped_date=m.day(14)
    )
    if delivered.signed_date is None:
        deliveries.delivery_mark_signed(organization=org, actor=keeper, delivery_id=delivered.pk, date=m.day(16))
    invoice = _invoice(m, accountant, delivered, 15)
    half = (invoice.total / 2).quantize(D("0.01"))
    _receive(m, accountant, first.customer, str(half), 20, "演示：星河科技首付款")

    dongfang = "上海东方文具贸易有限公司"
    second = _order(m, rep2, "演示：东方文具计算器和笔记本", dongfang, 14, (("NB-A5", "80"), ("CA-12", "30")))
    part = _deliver(
        m, keeper, second, 16, {"NB-A5": "50", "CA-12": "30"}, carrier="德邦物流", tracking_number="DPK660215573"
    )
    _invoice(m, accountant, part, 17)
    back = SalesReturn.objects.filter(organization=org, delivery=part).first()
    if back is None:
        calculators = part.lines.get(product__code="CA-12")
        back = returns.sales_return_post(
            organization=org,
            actor=keeper,
            data={
                "delivery_id": part.pk,
                "date": m.day(19),
                "reason": "屏幕显示不全，客户退回",
                "lines": [{"delivery_line_id": calculators.pk, "quantity": "2"}],
            },
        )
    if not back.credit_notes.exists():
        invoicing.credit_note_for_return(organization=org, actor=accountant, return_id=back.pk, date=m.day(19))

    _order(m, rep, "演示：天宇商贸硒鼓备货", "广州天宇商贸有限公司", 18, (("TN-12A", "6"), ("RB-630", "20")))
    _order(
        m,
        rep,
        "演示：华远办公设备询价中",
        "北京华远办公设备有限公司",
        20,
        (("CA-12", "15"), ("SC-17", "40")),
        confirm=False,
    )
    pujiang = m.customers["上海浦江电子商务有限公司"]
    _receive(m, accountant, pujiang, "8000.00", 21, "演示：浦江电商预付货款", advance=True)
