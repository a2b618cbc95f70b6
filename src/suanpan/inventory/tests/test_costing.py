"""The month-end costing run (全月一次加权平均): a worked example by hand, re-runs, refusals, GL, close check."""

import datetime
from decimal import Decimal

import pytest

from suanpan.accounting import checks as accounting_checks
from suanpan.accounting import closing
from suanpan.accounting import services as accounting
from suanpan.accounting.choices import PeriodStatus, VoucherStatus
from suanpan.accounting.models import Account, Period, Voucher, VoucherLine
from suanpan.core.choices import CostingMethod
from suanpan.core.exceptions import DomainError, InvalidInput, PermissionRefused
from suanpan.inventory import checks as inventory_checks
from suanpan.inventory import costing
from suanpan.inventory.choices import MoveKind
from suanpan.inventory.models import CostingRun, StockLevel, StockMove
from suanpan.inventory.posting import MoveSpec
from suanpan.inventory.services import stock_post

pytestmark = pytest.mark.django_db
D = Decimal
NOV = (2026, 11)


@pytest.fixture
def monthly(org):
    org.costing_method = CostingMethod.MONTHLY_AVERAGE
    org.save()
    return org


@pytest.fixture
def accountant(member):
    return member("finance")


def move(org, product, warehouse, quantity, kind, day, unit_cost=None):
    spec = MoveSpec(product.pk, warehouse.pk, D(quantity), kind, unit_cost=D(unit_cost) if unit_cost else None)
    return stock_post(organization=org, actor=None, date=day, moves=[spec])[0]


def nov(day):
    return datetime.date(2026, 11, day)


def example(org, product, warehouse):
    """Opening (October) 10 @ 10.00 = 100.00; in November: receipt 5 @ 10.30 = 51.50 (2nd), issue 1 (3rd),
    receipt 6 @ 10.70 = 64.20 (10th), issue 1 (12th), issue 2 (20th).

    Provisional (moving average at posting): 151.50/15 = 10.10 → −10.10; 205.60/20 = 10.28 → −10.28;
    195.32 × 2/19 = 20.56 → −20.56. Total 40.94; the pool holds 17 worth 174.76.
    """
    move(org, product, warehouse, "10", MoveKind.OPENING, datetime.date(2026, 10, 15), "10.00")
    move(org, product, warehouse, "5", MoveKind.RECEIPT, nov(2), "10.30")
    first = move(org, product, warehouse, "-1", MoveKind.DELIVERY, nov(3))
    move(org, product, warehouse, "6", MoveKind.RECEIPT, nov(10), "10.70")
    second = move(org, product, warehouse, "-1", MoveKind.DELIVERY, nov(12))
    third = move(org, product, warehouse, "-2", MoveKind.DELIVERY, nov(20))
    assert [m.value for m in (first, second, third)] == [D("-10.10"), D("-10.28"), D("-20.56")]
    assert not any(m.cost_final for m in (first, second, third))
    return first, second, third


def lines_of(voucher):
    return sorted((ln.account.code, ln.debit, ln.credit) for ln in voucher.lines.select_related("account"))


def test_worked_example_remainder_on_the_last_issue(monthly, accountant, warehouse, make_product):
    """Average = (100.00 + 51.50 + 64.20) / (10 + 5 + 6) = 215.70 / 21 = 10.2714285… → 10.271429.
    Issues: 1 × 10.271429 = 10.27, again 10.27; closing 17 × 10.271429 = 174.614293 → 174.61, so the last issue
    takes 215.70 − 10.27 − 10.27 − 174.61 = 20.55 (not 2 × 10.271429 = 20.54: the remainder 0.01 lands on it).
    Σ issues 41.09; difference to the provisional 40.94 = 0.15 → Dr 5401 0.15 / Cr 1405 0.15."""
    pen = make_product()
    first, second, third = example(monthly, pen, warehouse)
    run = costing.costing_run(organization=monthly, actor=accountant, year=2026, month=11)
    for m in (first, second, third):
        m.refresh_from_db()
    assert [(m.unit_cost, m.value) for m in (first, second, third)] == [
        (D("10.271429"), D("-10.27")),
        (D("10.271429"), D("-10.27")),
        (D("10.271429"), D("-20.55")),
    ]
    level = StockLevel.objects.get(product=pen, warehouse=warehouse)
    assert (level.on_hand, level.value) == (D("17"), D("174.61"))
    assert level.value == sum(m.value for m in StockMove.objects.filter(product=pen, warehouse=warehouse))
    assert (run.moves_costed, run.total_value) == (3, D("41.09"))
    assert run.voucher.status == VoucherStatus.POSTED
    assert run.voucher.date == nov(30)
    assert run.voucher.source_type == costing.SOURCE_TYPE
    assert lines_of(run.voucher) == [("1405", D("0"), D("0.15")), ("5401", D("0.15"), D("0"))]
    assert not any(m.cost_final for m in (first, second, third))  # final only once November closes
    assert inventory_checks.levels_match_moves(monthly) == []
    assert accounting_checks.vouchers_balance(monthly) == []
    assert accounting_checks.balances_match_lines(monthly) == []


def test_rerun_after_a_late_receipt_reverses_and_reposts(monthly, accountant, warehouse, make_product):
    """A receipt of 3 @ 11.00 = 33.00 on the 25th after the first run: average = 248.70 / 24 = 10.3625.
    Issues 10.36, 10.36; closing 20 × 10.3625 = 207.25; last = 248.70 − 20.72 − 207.25 = 20.73. Σ 41.45.
    The first voucher (0.15) is reversed in red; the new one carries 41.45 − 40.94 = 0.51."""
    pen = make_product()
    first, second, third = example(monthly, pen, warehouse)
    run1 = costing.costing_run(organization=monthly, actor=accountant, year=2026, month=11)
    move(monthly, pen, warehouse, "3", MoveKind.RECEIPT, nov(25), "11.00")
    run2 = costing.costing_run(organization=monthly, actor=accountant, year=2026, month=11)
    assert [StockMove.objects.get(pk=m.pk).value for m in (first, second, third)] == [
        D("-10.36"),
        D("-10.36"),
        D("-20.73"),
    ]
    level = StockLevel.objects.get(product=pen, warehouse=warehouse)
    assert (level.on_hand, level.value) == (D("20"), D("207.25"))
    reversal = Voucher.objects.get(reverses=run1.voucher)
    assert reversal.status == VoucherStatus.POSTED
    assert lines_of(reversal) == [("1405", D("0"), D("-0.15")), ("5401", D("-0.15"), D("0"))]
    assert lines_of(run2.voucher) == [("1405", D("0"), D("0.51")), ("5401", D("0.51"), D("0"))]
    assert run2.total_value == D("41.45")
    # A third run with nothing new: same costs, the 0.51 voucher reversed and posted again.
    run3 = costing.costing_run(organization=monthly, actor=accountant, year=2026, month=11)
    assert lines_of(run3.voucher) == [("1405", D("0"), D("0.51")), ("5401", D("0.51"), D("0"))]


def _net(org, code):
    rows = VoucherLine.objects.filter(
        organization=org, account__code=code, voucher__status=VoucherStatus.POSTED
    ).values_list("debit", "credit")
    return sum((d - c for d, c in rows), D("0"))


def _post_document_voucher(org, owner, day, rows):
    rows = [{"summary": "单据凭证", **row} for row in rows]
    voucher = accounting.voucher_create(organization=org, actor=None, date=day, lines=rows)
    accounting.voucher_review(organization=org, actor=owner, voucher_id=voucher.pk)
    accounting.voucher_post(organization=org, actor=owner, voucher_id=voucher.pk)


def test_gl_inventory_equals_stock_value_and_cogs_equals_issues(monthly, owner, accountant, warehouse, make_product):
    """With the documents' own vouchers at provisional values (as a delivery posts them), after the run 5401 holds
    exactly the month's costed issues (41.09) and 1405 exactly the stock value (174.61)."""
    pen = make_product()
    example(monthly, pen, warehouse)
    acc = {a.code: a for a in Account.objects.filter(organization=monthly, code__in=["1405", "5401", "3001"])}
    equity = acc["3001"]  # 实收资本: the receipts' own vouchers, simplified (no supplier needed)
    _post_document_voucher(
        monthly,
        owner,
        datetime.date(2026, 10, 15),
        [{"account": acc["1405"], "debit": "100.00"}, {"account": equity, "credit": "100.00"}],
    )
    _post_document_voucher(
        monthly,
        owner,
        nov(10),
        [{"account": acc["1405"], "debit": "115.70"}, {"account": equity, "credit": "115.70"}],
    )
    _post_document_voucher(
        monthly,
        owner,
        nov(20),
        [{"account": acc["5401"], "debit": "40.94"}, {"account": acc["1405"], "credit": "40.94"}],
    )
    costing.costing_run(organization=monthly, actor=accountant, year=2026, month=11)
    assert _net(monthly, "5401") == D("41.09")
    assert _net(monthly, "1405") == D("174.61") == StockLevel.objects.get(product=pen).value


def test_other_kinds_go_to_their_accounts(monthly, accountant, warehouse, make_product):
    """A stocktake loss revalued goes to 190101 待处理流动资产损溢. 10 @ 10.00 in October; November: issue 3 →
    provisional −30.00; receipt 10 @ 13.00; loss 2 → provisional 200.00 × 2/17 = 23.53.
    Average 230.00 / 20 = 11.50: delivery −34.50 (+4.50), loss: closing 15 × 11.50 = 172.50 → 230 − 34.50 −
    172.50 = 23.00 (−0.53)."""
    pen = make_product()
    move(monthly, pen, warehouse, "10", MoveKind.OPENING, datetime.date(2026, 10, 1), "10.00")
    move(monthly, pen, warehouse, "-3", MoveKind.DELIVERY, nov(2))
    move(monthly, pen, warehouse, "10", MoveKind.RECEIPT, nov(3), "13.00")
    loss = move(monthly, pen, warehouse, "-2", MoveKind.STOCKTAKE_LOSS, nov(4))
    assert loss.value == D("-23.53")
    run = costing.costing_run(organization=monthly, actor=accountant, year=2026, month=11)
    loss.refresh_from_db()
    assert loss.value == D("-23.00")
    assert lines_of(run.voucher) == [
        ("1405", D("0"), D("3.97")),
        ("190101", D("-0.53"), D("0")),
        ("5401", D("4.50"), D("0")),
    ]


def test_refused_for_a_closed_period(monthly, accountant, warehouse, make_product):
    pen = make_product()
    example(monthly, pen, warehouse)
    Period.objects.filter(organization=monthly, year=2026, month=11).update(status=PeriodStatus.CLOSED)
    with pytest.raises(DomainError, match="closed"):
        costing.costing_run(organization=monthly, actor=accountant, year=2026, month=11)
    assert not CostingRun.objects.exists()
    # closed months' provisional costs become final at the next run (or the nightly task)
    assert costing.costing_finalize(organization=monthly) == 3
    assert not StockMove.objects.filter(cost_final=False).exists()


def test_refused_for_moving_average_organizations(org, accountant, warehouse, make_product):
    with pytest.raises(DomainError, match="moving weighted average"):
        costing.costing_run(organization=org, actor=accountant, year=2026, month=11)
    assert not CostingRun.objects.exists()


@pytest.mark.parametrize("role", ["warehouse", "purchasing", "sales"])
def test_refused_without_permission(role, monthly, member, warehouse, make_product):
    pen = make_product()
    example(monthly, pen, warehouse)
    with pytest.raises(PermissionRefused):
        costing.costing_run(organization=monthly, actor=member(role), year=2026, month=11)
    assert not CostingRun.objects.exists()
    assert StockMove.objects.filter(value=D("-20.56")).exists()


@pytest.mark.parametrize(("year", "month", "field"), [(2026, 13, "month"), ("x", 1, "year"), (1800, 1, "year")])
def test_bad_month_is_refused_naming_the_field(year, month, field, monthly, accountant):
    with pytest.raises(InvalidInput) as exc:
        costing.costing_run(organization=monthly, actor=accountant, year=year, month=month)
    assert field in {e.field for e in exc.value.errors}


def test_an_earlier_uncosted_month_must_run_first(monthly, accountant, warehouse, make_product):
    pen = make_product()
    move(monthly, pen, warehouse, "10", MoveKind.OPENING, datetime.date(2026, 10, 1), "10.00")
    move(monthly, pen, warehouse, "-1", MoveKind.DELIVERY, datetime.date(2026, 10, 2))
    with pytest.raises(DomainError, match="2026-10"):
        costing.costing_run(organization=monthly, actor=accountant, year=2026, month=11)
    costing.costing_run(organization=monthly, actor=accountant, year=2026, month=10)
    costing.costing_run(organization=monthly, actor=accountant, year=2026, month=11)


def test_close_check(monthly, org, accountant, warehouse, make_product):
    period = Period.objects.get(organization=monthly, year=2026, month=11)
    assert costing.check_costing_run_done(organization=monthly, period=period).ok  # nothing to cost
    pen = make_product()
    example(monthly, pen, warehouse)
    result = costing.check_costing_run_done(organization=monthly, period=period)
    assert not result.ok
    assert result.blocking
    costing.costing_run(organization=monthly, actor=accountant, year=2026, month=11)
    assert costing.check_costing_run_done(organization=monthly, period=period).ok
    move(monthly, pen, warehouse, "1", MoveKind.RECEIPT, nov(28), "9.00")
    assert not costing.check_costing_run_done(organization=monthly, period=period).ok
    codes = {r.code for r in closing.close_checks(organization=monthly, period=period)}
    assert "costing_run" in codes


def test_close_check_silent_for_moving_average(org):
    period = Period.objects.get(organization=org, year=2026, month=11)
    assert costing.check_costing_run_done(organization=org, period=period) is None


# Page and API ----------------------------------------------------------------------------------------------------


def test_page_runs_the_costing(monthly, warehouse, make_product, client_as):
    pen = make_product()
    example(monthly, pen, warehouse)
    client = client_as("finance")
    r = client.get("/inventory/costing/", {"year": "2026", "month": "11"})
    assert r.status_code == 200
    assert "10.271429" in r.content.decode()  # the preview's average
    r = client.post("/inventory/costing/", {"year": "2026", "month": "11"})
    assert r.status_code == 302
    assert CostingRun.objects.get().total_value == D("41.09")
    r = client.post("/inventory/costing/", {"year": "2026", "month": "13"})
    assert r.status_code == 422
    assert CostingRun.objects.count() == 1


@pytest.mark.parametrize(("role", "ok"), [("finance", True), ("warehouse", False), ("purchasing", False)])
def test_page_and_api_follow_the_roles(role, ok, monthly, client_as, api_as):
    assert client_as(role).get("/inventory/costing/").status_code == (200 if ok else 403)
    api = api_as(role)
    assert api.get("/costing-runs").status_code == (200 if ok else 403)
    r = api.post("/costing-runs", {"year": 2026, "month": 11})
    assert r.status_code == (201 if ok else 403)


def test_api(monthly, warehouse, make_product, api_as, org):
    pen = make_product()
    example(monthly, pen, warehouse)
    api = api_as("finance")
    r = api.post("/costing-runs", {"year": 2026, "month": 11})
    assert r.status_code == 201
    assert (r.json()["moves_costed"], D(r.json()["total_value"])) == (3, D("41.09"))
    assert api.post("/costing-runs", {"year": 2026, "month": 13}).status_code == 422
    assert api.post("/costing-runs", {"year": "2026", "month": 11}).status_code == 422
    assert [run["id"] for run in api.get("/costing-runs").json()] == [r.json()["id"]]


def test_api_refuses_moving_average(org, api_as):
    r = api_as("finance").post("/costing-runs", {"year": 2026, "month": 11})
    assert r.status_code == 409
    assert r.json()["errors"][0]["field"] == "costing_method"
    assert not CostingRun.objects.exists()


def test_verify_closed_months_costed(monthly, accountant, warehouse, make_product):
    pen = make_product()
    example(monthly, pen, warehouse)
    november = Period.objects.filter(organization=monthly, year=2026, month=11)
    november.update(status=PeriodStatus.CLOSED)
    assert costing.closed_months_are_costed(monthly) == ["2026-11: closed with issues but no costing run"]
    november.update(status=PeriodStatus.OPEN)
    costing.costing_run(organization=monthly, actor=accountant, year=2026, month=11)
    november.update(status=PeriodStatus.CLOSED)
    assert costing.closed_months_are_costed(monthly) == []


def test_a_run_with_nothing_to_post_leaves_no_voucher_in_force(monthly, accountant, warehouse, make_product):
    """Issues already at the average (10 @ 10.00, issue 4 → 40.00 = 4 × 10.000000): no difference, no voucher;
    a later run still finds nothing to post (it does not re-add an older, already reversed voucher)."""
    pen = make_product()
    move(monthly, pen, warehouse, "10", MoveKind.OPENING, datetime.date(2026, 10, 1), "10.00")
    move(monthly, pen, warehouse, "-4", MoveKind.DELIVERY, nov(2))
    first = costing.costing_run(organization=monthly, actor=accountant, year=2026, month=11)
    assert first.voucher is None
    assert first.total_value == D("40.00")
    second = costing.costing_run(organization=monthly, actor=accountant, year=2026, month=11)
    assert second.voucher is None
    assert not Voucher.objects.filter(source_type=costing.SOURCE_TYPE).exists()
