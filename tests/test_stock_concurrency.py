"""Concurrency on PostgreSQL: eight threads take the same scarce product at once — half by bare issues through
`stock_post`, half by shipping transfers — and the stock never goes negative: exactly as many succeed as there
are units, the others are refused with a clean `DomainError` (code "short"), and the ledger still balances.

SQLite ignores `select_for_update` (it locks the whole database instead), so this runs on PostgreSQL only:
`DATABASE_URL=postgres://postgres@127.0.0.1:5432/suanpan .venv/bin/pytest -m postgres -n 0`.

Why `transaction=True` is safe here: the threads need committed rows, so the test cannot run inside one test
transaction. Django flushes a TransactionTestCase's tables at teardown; on PostgreSQL that flush is one
`TRUNCATE … CASCADE`, which does not fire the row-level `BEFORE UPDATE OR DELETE` immutability triggers of
stock moves and posted voucher lines (only TRUNCATE triggers would, and there are none), so the flush succeeds
and the next test starts from empty tables. On SQLite the flush is a DELETE per table, which the triggers
refuse — one more reason the module is skipped there (at collection, so no transactional fixture is set up).
"""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection, connections
from django.utils import timezone

from suanpan.catalog.models import Unit, VatRate
from suanpan.catalog.services import product_create
from suanpan.core.exceptions import DomainError
from suanpan.inventory import checks, transfers
from suanpan.inventory.choices import MoveKind
from suanpan.inventory.models import StockLevel, StockMove
from suanpan.inventory.posting import MoveSpec
from suanpan.inventory.services import stock_post, warehouse_create
from suanpan.onboarding import organization_open

ON_POSTGRES = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        not ON_POSTGRES,
        reason="needs PostgreSQL: SQLite ignores row locks (select_for_update); set DATABASE_URL to a PostgreSQL",
    ),
    pytest.mark.django_db(transaction=True),
]
THREADS = 8
UNITS = 5


def test_eight_threads_never_drive_scarce_stock_negative():
    assert connection.vendor == "postgresql"
    owner = get_user_model().objects.create_user("race-owner")
    org = organization_open(owner=owner, data={"name": "并发测试公司"})
    day = timezone.localdate()
    main = warehouse_create(organization=org, actor=None, data={"code": "W1", "name": "总仓"})
    store = warehouse_create(organization=org, actor=None, data={"code": "S1", "name": "门店"})
    unit = Unit.objects.filter(organization=org).first()
    vat = VatRate.objects.get(organization=org, rate="0.13")
    pen = product_create(
        organization=org, actor=None, data={"code": "PEN", "name": "笔", "unit": unit, "vat_rate": vat}
    )
    stock_post(
        organization=org,
        actor=None,
        date=day,
        moves=[MoveSpec(pen.pk, main.pk, Decimal(UNITS), MoveKind.RECEIPT, unit_cost=Decimal("2.00"))],
    )
    drafts = [
        transfers.transfer_create(
            organization=org,
            actor=owner,
            date=day,
            from_warehouse=main.pk,
            to_warehouse=store.pk,
            lines=[{"product": pen.pk, "quantity": "1"}],
        )
        for _ in range(THREADS // 2)
    ]

    barrier = threading.Barrier(THREADS)
    outcomes: list[str] = []
    unexpected: list[BaseException] = []
    lock = threading.Lock()

    def take(n: int) -> None:
        try:
            barrier.wait(timeout=30)
            try:
                if n % 2:
                    transfers.transfer_ship(organization=org, actor=owner, transfer_id=drafts[n // 2].pk, date=day)
                else:
                    spec = MoveSpec(pen.pk, main.pk, Decimal("-1"), MoveKind.DELIVERY)
                    stock_post(organization=org, actor=None, date=day, moves=[spec])
                result = "ok"
            except DomainError as exc:
                result = f"refused:{exc.code}"
            with lock:
                outcomes.append(result)
        except BaseException as exc:  # anything else is a failure the main thread reports
            with lock:
                unexpected.append(exc)
        finally:
            connections.close_all()  # each thread has its own connection: close it

    threads = [threading.Thread(target=take, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert unexpected == []
    assert sorted(outcomes) == ["ok"] * UNITS + ["refused:short"] * (THREADS - UNITS)
    level = StockLevel.objects.get(product=pen, warehouse=main)
    assert level.on_hand == Decimal("0")
    assert level.value == Decimal("0.00")
    assert StockMove.objects.filter(organization=org, quantity__lt=0).count() == UNITS
    assert checks.levels_match_moves(org) == []
    assert checks.no_negative_stock(org) == []
    assert checks.inventory_account_matches_documents(org) == []
