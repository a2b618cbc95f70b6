"""Hypothesis drives random order lifecycles through the real sales and finance services — orders entered and
confirmed (some beyond the stock), partial deliveries, invoices of what left, returns, credit notes, receipts
(partial, oldest first, some with an advance), unconfirms, cancels and closes — and checks after every step that
every ledger keeps its invariants, by running the whole of `suanpan verify` (stock levels = moves, reserved =
Σ open reservations, 1405 per document, 1122 = Σ open receivables, order lines = Σ their documents, totals =
Σ lines …) plus what no check can see alone:

1. nothing is oversold: on hand ≥ 0 and reserved ≤ on hand at every product × warehouse (negative stock is not
   allowed in this organization);
2. Σ debits = Σ credits over every posted voucher;
3. what a customer owes (open receivables) = invoiced − credited − received, and what was received beyond the
   open items sits as advance receipts.

A refused operation (a `DomainError` or `InvalidInput`: not enough stock, nothing to invoice …) is a valid
outcome and must write nothing. Each example opens a fresh organization.
"""

from __future__ import annotations

import itertools
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.db.models import Sum
from django.utils import timezone
from hypothesis import HealthCheck, Phase, event, given, settings
from hypothesis import strategies as st

from suanpan.accounting.models import Account, VoucherLine
from suanpan.catalog.models import Unit, VatRate
from suanpan.catalog.services import product_create
from suanpan.core.exceptions import DomainError, InvalidInput
from suanpan.core.money import money
from suanpan.finance import receipts
from suanpan.finance import selectors as open_items
from suanpan.finance.choices import OpenItemKind
from suanpan.inventory.choices import MoveKind
from suanpan.inventory.models import StockLevel, StockMove
from suanpan.inventory.posting import MoveSpec
from suanpan.inventory.services import stock_post, warehouse_create
from suanpan.onboarding import organization_open
from suanpan.partners.choices import PartnerRole
from suanpan.partners.services import partner_create
from suanpan.sales import deliveries, invoicing, orders, returns
from suanpan.sales.choices import DELIVERABLE_STATES
from suanpan.sales.models import Delivery, DeliveryLine, Invoice, SalesOrder, SalesReturn
from suanpan.verify import verify_organization

pytestmark = pytest.mark.django_db
ZERO = Decimal("0")
_names = itertools.count()

picks = st.integers(0, 1000)  # which order / delivery / line, modulo what exists
amounts = st.integers(1, 30)
operations = st.one_of(
    st.tuples(
        st.just("order"), st.integers(0, 1), st.lists(st.tuples(st.integers(0, 2), amounts), min_size=1, max_size=3)
    ),
    st.tuples(st.just("confirm"), picks),
    st.tuples(st.just("deliver"), picks, st.integers(1, 4)),
    st.tuples(st.just("invoice"), picks),
    st.tuples(st.just("receive"), st.integers(0, 1), st.integers(1, 400), st.booleans()),
    st.tuples(st.just("return"), picks, st.integers(1, 3)),
    st.tuples(st.just("credit"), picks),
    st.tuples(st.just("unconfirm"), picks),
    st.tuples(st.just("cancel"), picks),
    st.tuples(st.just("close"), picks),
)


def _pick(rows: list[Any], n: int) -> Any:
    return rows[n % len(rows)] if rows else None


class Shop:
    """A fresh organization: one warehouse, two customers, three products with 40 / 25 / 10 units in stock."""

    def __init__(self) -> None:
        n = next(_names)
        self.owner = get_user_model().objects.create_user(f"o2c-inv-{n}")
        self.org = organization_open(owner=self.owner, data={"name": f"销售不变量{n}"})
        self.day = timezone.localdate()
        self.warehouse = warehouse_create(organization=self.org, actor=None, data={"code": "W1", "name": "仓"})
        unit = Unit.objects.filter(organization=self.org).first()
        vat = VatRate.objects.get(organization=self.org, rate="0.13")
        self.products = []
        for code, price, cost, held in (
            ("A", "19.99", "7.3333", "40"),
            ("B", "5.00", "2.10", "25"),
            ("C", "120", "88", "10"),
        ):
            product = product_create(
                organization=self.org,
                actor=None,
                data={"code": code, "name": code, "unit": unit, "vat_rate": vat, "sale_price": price},
            )
            spec = MoveSpec(product.pk, self.warehouse.pk, Decimal(held), MoveKind.OPENING, unit_cost=Decimal(cost))
            stock_post(organization=self.org, actor=None, date=self.day, moves=[spec])
            self.products.append(product)
        self.customers = [
            partner_create(
                organization=self.org,
                actor=None,
                role=PartnerRole.CUSTOMER,
                data={"name": name, "payment_terms_days": 30},
            )
            for name in ("甲公司", "乙公司")
        ]
        self.bank = Account.objects.get(organization=self.org, code="1002")

    def orders(self, *states: str) -> list[SalesOrder]:
        query = SalesOrder.objects.filter(organization=self.org).order_by("pk")
        return list(query.filter(status__in=states) if states else query)

    def apply(self, op: tuple[Any, ...]) -> None:
        kind, *args = op
        org, day, actor = self.org, self.day, self.owner
        if kind == "order":
            who, lines = args
            orders.order_create(
                organization=org,
                actor=actor,
                data={
                    "customer_id": self.customers[who].pk,
                    "warehouse_id": self.warehouse.pk,
                    "date": day,
                    "lines": [{"product_id": self.products[p].pk, "quantity": str(q)} for p, q in lines],
                },
            )
        elif kind == "confirm":
            order = _pick(self.orders("draft"), args[0])
            if order is not None:
                orders.order_confirm(organization=org, actor=actor, order_id=order.pk)
        elif kind in ("unconfirm", "cancel", "close"):
            order = _pick(self.orders(), args[0])
            if order is not None:
                service = {"unconfirm": orders.order_unconfirm, "cancel": orders.order_cancel}.get(
                    kind, orders.order_close
                )
                service(organization=org, actor=actor, order_id=order.pk)
        elif kind == "deliver":
            order = _pick(self.orders(*DELIVERABLE_STATES), args[0])
            if order is not None:
                lines = [ln for ln in order.lines.order_by("seq") if ln.open_quantity > 0]
                deliveries.delivery_post(
                    organization=org,
                    actor=actor,
                    data={
                        "date": day,
                        "warehouse_id": self.warehouse.pk,
                        "lines": [
                            {"order_line_id": ln.pk, "quantity": str(max(Decimal(1), ln.open_quantity // args[1]))}
                            for ln in lines
                        ],
                    },
                )
        elif kind == "invoice":
            delivery = _pick(list(Delivery.objects.filter(organization=org).order_by("pk")), args[0])
            if delivery is not None:
                lines = [
                    dl
                    for dl in delivery.lines.order_by("pk")
                    if dl.quantity - dl.returned_quantity - dl.invoiced_quantity > 0
                ]
                invoicing.invoice_post(
                    organization=org,
                    actor=actor,
                    data={
                        "date": day,
                        "invoice_type": "normal",
                        "lines": [
                            {
                                "delivery_line_id": dl.pk,
                                "quantity": str(dl.quantity - dl.returned_quantity - dl.invoiced_quantity),
                            }
                            for dl in lines
                        ],
                    },
                )
        elif kind == "return":
            line = _pick(list(DeliveryLine.objects.filter(organization=org).order_by("pk")), args[0])
            if line is not None:
                returns.sales_return_post(
                    organization=org,
                    actor=actor,
                    data={
                        "delivery_id": line.delivery_id,
                        "date": day,
                        "lines": [{"delivery_line_id": line.pk, "quantity": str(args[1])}],
                    },
                )
        elif kind == "credit":
            back = _pick(list(SalesReturn.objects.filter(organization=org).order_by("pk")), args[0])
            if back is not None:
                invoicing.credit_note_for_return(organization=org, actor=actor, return_id=back.pk, date=day)
        elif kind == "receive":
            who, amount, advance = args
            receipts.receipt_post(
                organization=org,
                actor=actor,
                data={
                    "customer_id": self.customers[who].pk,
                    "date": day,
                    "account_id": self.bank.pk,
                    "amount": f"{amount}.50",
                    "advance": advance,
                },
            )

    def footprint(self) -> tuple[int, int, int]:
        return (
            StockMove.objects.filter(organization=self.org).count(),
            VoucherLine.objects.filter(voucher__organization=self.org).count(),
            SalesOrder.objects.filter(organization=self.org).exclude(status="draft").count(),
        )

    def check(self) -> None:
        org = self.org
        assert {r.check: r.differences for r in verify_organization(org) if r.differences} == {}
        for level in StockLevel.objects.filter(organization=org):
            assert level.on_hand >= 0
            assert 0 <= level.reserved <= level.on_hand
        lines = VoucherLine.objects.filter(voucher__organization=org, voucher__status="posted")
        totals = lines.aggregate(d=Sum("debit"), c=Sum("credit"))
        assert money(totals["d"] or ZERO) == money(totals["c"] or ZERO)
        for customer in self.customers:
            invoiced = sum(
                Invoice.objects.filter(organization=org, customer=customer).values_list("total", flat=True), ZERO
            )
            received = sum(
                receipts_of(org, customer),
                ZERO,
            )
            owed = open_items.open_total(organization=org, kind=OpenItemKind.RECEIVABLE, partner_id=customer.pk)
            advance = open_items.open_total(organization=org, kind=OpenItemKind.ADVANCE_RECEIPT, partner_id=customer.pk)
            assert owed - advance == invoiced - received


def receipts_of(org: Any, customer: Any) -> list[Decimal]:
    from suanpan.finance.models import Payment

    return list(
        Payment.objects.filter(organization=org, partner=customer, kind="customer_receipt").values_list(
            "amount", flat=True
        )
    )


@given(st.lists(operations, min_size=1, max_size=14))
@settings(
    max_examples=20,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],  # no shrinking: each example opens an organization
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.function_scoped_fixture],
)
def test_random_order_lifecycles_keep_every_ledger_in_step(ops: list[tuple[Any, ...]]) -> None:
    shop = Shop()
    for op in ops:
        before = shop.footprint()
        try:
            shop.apply(op)
            event(f"{op[0]} done")
        except (DomainError, InvalidInput):
            event(f"{op[0]} refused")
            assert shop.footprint() == before  # a refusal writes nothing
        shop.check()


def test_a_fixed_lifecycle_touches_every_operation() -> None:
    """Every kind of operation at least once, in an order where each one succeeds."""
    shop = Shop()
    for op in (
        ("order", 0, [(0, 10), (1, 5)]),
        ("confirm", 0),
        ("deliver", 0, 2),
        ("invoice", 0),
        ("receive", 0, 50, False),
        ("return", 0, 1),
        ("credit", 0),
        ("deliver", 0, 1),
        ("invoice", 1),
        ("receive", 0, 400, True),
        ("order", 1, [(2, 4)]),
        ("confirm", 0),
        ("unconfirm", 1),
        ("cancel", 1),
    ):
        shop.apply(op)
        shop.check()
    assert SalesOrder.objects.get(organization=shop.org, customer=shop.customers[0]).status == "delivered"
