"""`suanpan bench o2c`: order to cash end to end, as `bench/WORKLOAD.md` of the project brief describes.

Setup (timed apart): a fresh organization (小企业会计准则 chart, open periods), 100 customers, 50 suppliers, 200
stocked goods (cost 10–100, sale price = cost × 1.3, VAT 13 %), one warehouse, and opening stock of 10,000 units
of every product received through one posted purchase receipt (stock moves, voucher, payable).

Workload: N orders from a seeded generator; each a random customer with 3 distinct random products, 1–5 units
each. Per order, each step its own transaction through the same service functions the UI and API call:
create (draft, product prices, 13 % VAT) → confirm (availability + reservation) → deliver in full (moves at
moving-average cost, cost-of-goods voucher) → invoice (revenue + output VAT voucher, receivable) → receive the
full amount into the bank and write it off (receipt voucher).

Then the reports, each timed: trial balance of the period, stock on hand of all products, receivables aging,
balance sheet, income statement; then `verify`, which must be clean. The result is one JSON line on stdout;
progress goes to stderr. A benchmark is a measurement: it never fails on time.

It runs in whatever database is configured (a throwaway one is best: `SUANPAN_VAR_DIR=$(mktemp -d)` for
SQLite, a scratch database in `DATABASE_URL` for PostgreSQL) and leaves its organization there to look at.
"""

from __future__ import annotations

import os
import platform
import random
import sys
import time
from collections.abc import Callable
from decimal import Decimal
from typing import Any, Protocol

from django.contrib.auth import get_user_model
from django.db import connection
from django.utils import timezone

from suanpan.accounting import reports as ledger_reports
from suanpan.accounting import statements
from suanpan.accounting.models import Account, Period, Voucher, VoucherLine
from suanpan.catalog.models import Unit, VatRate
from suanpan.catalog.services import product_create
from suanpan.core.models import Organization
from suanpan.finance import receipts, receivables
from suanpan.finance.models import OpenItem
from suanpan.inventory import selectors as stock_selectors
from suanpan.inventory.models import StockMove
from suanpan.inventory.services import warehouse_create
from suanpan.onboarding import organization_open
from suanpan.partners.choices import PartnerRole
from suanpan.partners.services import partner_create
from suanpan.purchasing import services as purchasing
from suanpan.sales import deliveries, invoicing, orders
from suanpan.sales.models import Invoice
from suanpan.verify import verify_organization


class Writer(Protocol):
    def write(self, text: str) -> Any: ...

    def flush(self) -> Any: ...


BANK = "1002"
VAT = "0.13"


def _say(err: Writer, text: str) -> None:
    err.write(text + "\n")
    err.flush()


def _timed(fn: Callable[[], Any]) -> float:
    started = time.perf_counter()
    fn()
    return round((time.perf_counter() - started) * 1000, 1)


def setup(*, seed: int, customers: int = 100, suppliers: int = 50, products: int = 200) -> dict[str, Any]:
    """The fresh organization and its master data, opening stock received through one purchase receipt."""
    rng = random.Random(seed)  # noqa: S311 - a reproducible workload, not a secret
    users = get_user_model().objects
    stamp = timezone.now().strftime("%Y%m%d%H%M%S%f")
    owner = users.create_user(f"bench-{stamp}", password=None)
    org = organization_open(owner=owner, data={"name": f"基准测试公司 {stamp}"})
    warehouse = warehouse_create(organization=org, actor=None, data={"code": "WH01", "name": "基准仓"})
    unit = Unit.objects.filter(organization=org).first()
    rate = VatRate.objects.get(organization=org, rate=VAT)
    customer_ids = [
        partner_create(
            organization=org,
            actor=None,
            role=PartnerRole.CUSTOMER,
            data={"name": f"客户{n:03d}有限公司", "payment_terms_days": 30},
        ).pk
        for n in range(1, customers + 1)
    ]
    supplier_ids = [
        partner_create(
            organization=org,
            actor=None,
            role=PartnerRole.SUPPLIER,
            data={"name": f"供应商{n:03d}有限公司", "payment_terms_days": 30},
        ).pk
        for n in range(1, suppliers + 1)
    ]
    product_ids = []
    order_lines = []
    for n in range(1, products + 1):
        cost = Decimal(rng.randint(1000, 10000)) / 100
        product = product_create(
            organization=org,
            actor=None,
            data={
                "code": f"B{n:04d}",
                "name": f"商品{n:04d}",
                "unit": unit,
                "vat_rate": rate,
                "purchase_price": cost,
                "sale_price": (cost * Decimal("1.3")).quantize(Decimal("0.01")),
            },
        )
        product_ids.append(product.pk)
        order_lines.append({"product_id": product.pk, "quantity": "10000", "unit_price": str(cost)})
    today = timezone.localdate()
    po = purchasing.purchase_order_create(
        organization=org,
        actor=None,
        data={"supplier_id": supplier_ids[0], "warehouse_id": warehouse.pk, "date": today, "lines": order_lines},
    )
    purchasing.purchase_order_approve(organization=org, actor=None, order_id=po.pk)
    purchasing.receipt_post(
        organization=org,
        actor=None,
        order_id=po.pk,
        date=today,
        warehouse_id=warehouse.pk,
        lines=[{"order_line_id": line.pk, "quantity": "10000"} for line in po.lines.order_by("seq")],
    )
    bank = Account.objects.get(organization=org, code=BANK)
    return {
        "org": org,
        "warehouse": warehouse.pk,
        "customers": customer_ids,
        "products": product_ids,
        "bank": bank.pk,
        "today": today,
    }


def one_order(world: dict[str, Any], rng: random.Random) -> None:
    """Order → confirm → deliver → invoice → receive, each step its own transaction."""
    org, today = world["org"], world["today"]
    customer = rng.choice(world["customers"])
    lines = [{"product_id": p, "quantity": str(rng.randint(1, 5))} for p in rng.sample(world["products"], 3)]
    order = orders.order_create(
        organization=org,
        actor=None,
        data={"customer_id": customer, "warehouse_id": world["warehouse"], "date": today, "lines": lines},
    )
    orders.order_confirm(organization=org, actor=None, order_id=order.pk)
    order_lines = list(order.lines.order_by("seq"))
    delivery = deliveries.delivery_post(
        organization=org,
        actor=None,
        data={
            "date": today,
            "warehouse_id": world["warehouse"],
            "lines": [{"order_line_id": ln.pk, "quantity": str(ln.quantity)} for ln in order_lines],
        },
    )
    invoice = invoicing.invoice_post(
        organization=org,
        actor=None,
        data={
            "date": today,
            "invoice_type": "normal",
            "lines": [{"delivery_line_id": dl.pk, "quantity": str(dl.quantity)} for dl in delivery.lines.all()],
        },
    )
    receipts.receipt_post(
        organization=org,
        actor=None,
        data={
            "customer_id": customer,
            "date": today,
            "account_id": world["bank"],
            "amount": str(invoice.total),
            "allocations": None,
            "advance": False,
        },
    )


def reports(world: dict[str, Any]) -> dict[str, float]:
    org, today = world["org"], world["today"]
    period = Period.objects.get(organization=org, year=today.year, month=today.month)
    return {
        "trial_balance": _timed(lambda: ledger_reports.trial_balance(organization=org, start=period, end=period)),
        "stock_on_hand": _timed(lambda: list(stock_selectors.stock_level_list(organization=org))),
        "receivables_aging": _timed(lambda: receivables.receivables_aging(organization=org, on=today)),
        "balance_sheet": _timed(lambda: statements.balance_sheet(organization=org, period=period)),
        "income_statement": _timed(lambda: statements.income_statement(organization=org, period=period)),
    }


def counts(org: Organization) -> dict[str, int]:
    return {
        "stock_moves": StockMove.objects.filter(organization=org).count(),
        "journal_lines": VoucherLine.objects.filter(voucher__organization=org).count(),
        "open_items": OpenItem.objects.filter(organization=org).count(),
        "invoices": Invoice.objects.filter(organization=org).count(),
        "vouchers": Voucher.objects.filter(organization=org).count(),
    }


def o2c(*, orders_count: int = 1000, seed: int = 1, err: Writer = sys.stderr) -> dict[str, Any]:
    """Run the o2c workload; returns the JSON fields of WORKLOAD.md."""
    _say(err, "setup: organization, 100 customers, 50 suppliers, 200 products, opening stock …")
    started = time.perf_counter()
    world = setup(seed=seed)
    setup_s = time.perf_counter() - started
    _say(err, f"setup done in {setup_s:.1f} s; {orders_count} orders …")
    rng = random.Random(seed)  # noqa: S311 - a reproducible workload, not a secret
    started = time.perf_counter()
    step = max(1, orders_count // 10)
    for n in range(1, orders_count + 1):
        one_order(world, rng)
        if n % step == 0:
            _say(err, f"  {n}/{orders_count} orders, {n / (time.perf_counter() - started):.1f}/s")
    workload_s = time.perf_counter() - started
    _say(err, "reports …")
    timings = reports(world)
    _say(err, "verify …")
    problems = {r.check: r.differences for r in verify_organization(world["org"]) if r.differences}
    return {
        "workload": "o2c",
        "backend": "postgresql" if connection.vendor == "postgresql" else connection.vendor,
        "orders": orders_count,
        "setup_s": round(setup_s, 2),
        "workload_s": round(workload_s, 2),
        "orders_per_s": round(orders_count / workload_s, 2) if workload_s else None,
        "ms_per_order": round(workload_s * 1000 / orders_count, 2) if orders_count else None,
        "reports_ms": timings,
        "counts": counts(world["org"]),
        "verify": problems or "clean",
        "python": platform.python_version(),
        "machine": {"cores": os.cpu_count()},
        "organization": world["org"].pk,
    }
