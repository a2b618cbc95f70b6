"""The benchmark's small run as a test: the work really happens (documents and ledger rows counted) and the books
stay clean. Never timed: `suanpan bench` measures, tests do not."""

import io
import json

import pytest
from django.core.management import call_command

from suanpan import bench
from suanpan.core.models import Organization
from suanpan.finance.choices import OpenItemKind
from suanpan.finance.selectors import open_total
from suanpan.sales.models import Delivery, SalesOrder

pytestmark = pytest.mark.django_db


def test_o2c_small_run_does_the_work_and_stays_clean():
    result = bench.o2c(orders_count=5, seed=7, err=io.StringIO())
    assert result["verify"] == "clean"
    org = result["organization"]
    assert SalesOrder.objects.filter(organization_id=org, status="delivered").count() == 5
    assert Delivery.objects.filter(organization_id=org).count() == 5
    assert result["counts"]["invoices"] == 5
    # per order: 3 delivery moves; plus the 200 products' receipt moves
    assert result["counts"]["stock_moves"] == 200 + 5 * 3
    # one voucher for the opening receipt, three per order (cost of goods, invoice, receipt)
    assert result["counts"]["vouchers"] == 1 + 5 * 3
    # every invoice was paid in full: nothing is owed
    assert open_total(organization=Organization.objects.get(pk=org), kind=OpenItemKind.RECEIVABLE) == 0
    assert set(result["reports_ms"]) == {
        "trial_balance",
        "stock_on_hand",
        "receivables_aging",
        "balance_sheet",
        "income_statement",
    }


def test_the_command_prints_one_json_line():
    out, err = io.StringIO(), io.StringIO()
    call_command("bench", "o2c", "--orders", "2", stdout=out, stderr=err)
    lines = out.getvalue().strip().splitlines()
    assert len(lines) == 1
    fields = json.loads(lines[0])
    assert (fields["workload"], fields["orders"], fields["verify"]) == ("o2c", 2, "clean")
    assert fields["backend"] in ("sqlite", "postgresql")
    assert "2/2 orders" in err.getvalue()
