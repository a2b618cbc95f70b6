"""Concurrency on PostgreSQL: ten sales reps confirm orders for the last units at the same moment, and nothing is
ever oversold. Each order wants one pen and one ink cartridge (half of them list the ink first, so two
confirmations lock the same stock rows in opposite line order); there are five of each. Exactly five orders are
confirmed, the other five are refused with a clean `DomainError` naming what is short, the reserved quantity
never exceeds what is on hand, and no deadlock escapes (the stock rows are locked in primary-key order). Then
the confirmed orders are unconfirmed while the refused ones are confirmed again, all at once: whatever the
interleaving, the reservations match the open orders and stay within the stock.

SQLite ignores `select_for_update` (it locks the whole database instead), so this runs on PostgreSQL only:
`DATABASE_URL=postgres://postgres@127.0.0.1:5432/suanpan .venv/bin/pytest -m postgres -n 0`.

Why `transaction=True` is safe here: the threads need committed rows; see `test_stock_concurrency.py` (the
flush at teardown is a TRUNCATE on PostgreSQL, which the ledger's row triggers do not see).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection, connections
from django.db.models import Sum
from django.utils import timezone

from suanpan.catalog.models import Unit, VatRate
from suanpan.catalog.services import product_create
from suanpan.core.exceptions import DomainError
from suanpan.core.services import membership_add
from suanpan.inventory.choices import MoveKind
from suanpan.inventory.models import StockLevel
from suanpan.inventory.posting import MoveSpec
from suanpan.inventory.services import stock_post, warehouse_create
from suanpan.onboarding import organization_open
from suanpan.partners.choices import PartnerRole
from suanpan.partners.services import partner_create
from suanpan.sales import orders
from suanpan.sales.choices import OrderStatus
from suanpan.sales.models import SalesOrder, SalesOrderLine
from suanpan.verify import verify_organization

ON_POSTGRES = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        not ON_POSTGRES,
        reason="needs PostgreSQL: SQLite ignores row locks (select_for_update); set DATABASE_URL to a PostgreSQL",
    ),
    pytest.mark.django_db(transaction=True),
]
REPS = 10
UNITS = 5


def race(jobs: list[Callable[[], object]]) -> tuple[list[str], list[BaseException]]:
    """Run the jobs in threads released together; each outcome is "ok" or "refused:<field>"."""
    barrier = threading.Barrier(len(jobs))
    outcomes: list[str] = []
    unexpected: list[BaseException] = []
    lock = threading.Lock()

    def run(job: Callable[[], object]) -> None:
        try:
            barrier.wait(timeout=30)
            try:
                job()
                result = "ok"
            except DomainError as exc:
                result = f"refused:{exc.field}"
            with lock:
                outcomes.append(result)
        except BaseException as exc:  # a deadlock or any other escape fails the test in the main thread
            with lock:
                unexpected.append(exc)
        finally:
            connections.close_all()  # each thread has its own connection: close it

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes, unexpected


def reserved_within_stock(org: object, *products: object) -> None:
    for product in products:
        level = StockLevel.objects.get(organization=org, product=product)
        held = SalesOrderLine.objects.filter(
            product=product, order__status__in=[OrderStatus.CONFIRMED, OrderStatus.PARTIALLY_DELIVERED]
        ).aggregate(total=Sum("reserved_quantity"))["total"] or Decimal(0)
        assert level.on_hand == Decimal(UNITS)
        assert level.reserved == held
        assert Decimal(0) <= level.reserved <= level.on_hand


def test_ten_reps_never_oversell_the_last_units():
    assert connection.vendor == "postgresql"
    users = get_user_model().objects
    owner = users.create_user("race-owner")
    org = organization_open(owner=owner, data={"name": "并发销售公司"})
    reps = [users.create_user(f"rep-{n}") for n in range(REPS)]
    for rep in reps:
        membership_add(organization=org, actor=owner, user=rep, roles=["sales"])
    day = timezone.localdate()
    warehouse = warehouse_create(organization=org, actor=None, data={"code": "W1", "name": "总仓"})
    unit = Unit.objects.filter(organization=org).first()
    vat = VatRate.objects.get(organization=org, rate="0.13")
    pen, ink = (
        product_create(organization=org, actor=None, data={"code": code, "name": name, "unit": unit, "vat_rate": vat})
        for code, name in (("PEN", "笔"), ("INK", "墨盒"))
    )
    stock_post(
        organization=org,
        actor=None,
        date=day,
        moves=[
            MoveSpec(p.pk, warehouse.pk, Decimal(UNITS), MoveKind.RECEIPT, unit_cost=Decimal("2.00"))
            for p in (pen, ink)
        ],
    )
    customer = partner_create(organization=org, actor=None, role=PartnerRole.CUSTOMER, data={"name": "抢购客户"})
    drafts = []
    for n, rep in enumerate(reps):
        first, second = (pen, ink) if n % 2 else (ink, pen)
        data = {
            "customer_id": customer.pk,
            "warehouse_id": warehouse.pk,
            "date": day,
            "lines": [{"product_id": first.pk, "quantity": "1"}, {"product_id": second.pk, "quantity": "1"}],
        }
        drafts.append(orders.order_create(organization=org, actor=rep, data=data))

    outcomes, unexpected = race(
        [
            lambda rep=rep, order=order: orders.order_confirm(organization=org, actor=rep, order_id=order.pk)
            for rep, order in zip(reps, drafts, strict=True)
        ]
    )

    assert unexpected == []
    assert sorted(outcomes) == ["ok"] * UNITS + ["refused:lines"] * (REPS - UNITS)
    confirmed = list(SalesOrder.objects.filter(organization=org, status=OrderStatus.CONFIRMED))
    refused = list(SalesOrder.objects.filter(organization=org, status=OrderStatus.DRAFT))
    assert (len(confirmed), len(refused)) == (UNITS, REPS - UNITS)
    assert all(o.number for o in confirmed)
    assert not any(o.number for o in refused)
    assert len({o.number for o in confirmed}) == UNITS  # gapless numbers, none taken twice
    assert not SalesOrderLine.objects.filter(order__in=refused, reserved_quantity__gt=0).exists()
    reserved_within_stock(org, pen, ink)
    for product in (pen, ink):
        assert StockLevel.objects.get(organization=org, product=product).reserved == Decimal(UNITS)

    # The confirmed orders go back to draft while the refused ones try again, all at once.
    owner_of = {o.pk: reps[[d.pk for d in drafts].index(o.pk)] for o in confirmed + refused}
    outcomes, unexpected = race(
        [
            *(
                lambda o=o: orders.order_unconfirm(organization=org, actor=owner_of[o.pk], order_id=o.pk)
                for o in confirmed
            ),
            *(lambda o=o: orders.order_confirm(organization=org, actor=owner_of[o.pk], order_id=o.pk) for o in refused),
        ]
    )
    assert unexpected == []
    assert len(outcomes) == REPS
    assert set(outcomes) <= {"ok", "refused:lines"}
    assert outcomes.count("ok") >= UNITS  # every unconfirm goes through
    reserved_within_stock(org, pen, ink)
    assert [r.differences for r in verify_organization(org) if r.differences] == []


def test_confirmations_for_one_customer_never_pass_its_credit_limit_together():
    """Six orders of 113.00 each for a customer whose limit is 300.00, confirmed at once: only two fit (226.00);
    the customer's row is locked during the credit check, so the others see them and are refused on `credit`."""
    users = get_user_model().objects
    owner = users.create_user("credit-owner")
    org = organization_open(owner=owner, data={"name": "信用并发公司"})
    reps = [users.create_user(f"credit-rep-{n}") for n in range(6)]
    for rep in reps:
        membership_add(organization=org, actor=owner, user=rep, roles=["sales"])
    day = timezone.localdate()
    warehouse = warehouse_create(organization=org, actor=None, data={"code": "W1", "name": "总仓"})
    unit = Unit.objects.filter(organization=org).first()
    vat = VatRate.objects.get(organization=org, rate="0.13")
    pen = product_create(
        organization=org,
        actor=None,
        data={"code": "PEN", "name": "笔", "unit": unit, "vat_rate": vat, "sale_price": "100.00"},
    )
    stock_post(
        organization=org,
        actor=None,
        date=day,
        moves=[MoveSpec(pen.pk, warehouse.pk, Decimal(100), MoveKind.RECEIPT, unit_cost=Decimal("50.00"))],
    )
    customer = partner_create(
        organization=org, actor=None, role=PartnerRole.CUSTOMER, data={"name": "赊账客户", "credit_limit": "300.00"}
    )
    data = {
        "customer_id": customer.pk,
        "warehouse_id": warehouse.pk,
        "date": day,
        "lines": [{"product_id": pen.pk, "quantity": "1"}],
    }
    drafts = [orders.order_create(organization=org, actor=rep, data=data) for rep in reps]
    outcomes, unexpected = race(
        [
            lambda rep=rep, order=order: orders.order_confirm(organization=org, actor=rep, order_id=order.pk)
            for rep, order in zip(reps, drafts, strict=True)
        ]
    )
    assert unexpected == []
    assert sorted(outcomes) == ["ok", "ok"] + ["refused:credit"] * 4
    assert SalesOrder.objects.filter(organization=org, status=OrderStatus.CONFIRMED).count() == 2
