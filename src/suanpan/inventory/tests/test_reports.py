"""Stock reports: numbers by hand, the in-out-balance summary equal to the ledger, pages, Excel and API."""

import datetime
from decimal import Decimal

import pytest
from tests.resources import xlsx_rows

from suanpan.core.exceptions import InvalidInput
from suanpan.inventory import reports
from suanpan.inventory.choices import MoveKind
from suanpan.inventory.models import Lot, StockLevel, StockMove
from suanpan.inventory.posting import MoveSpec
from suanpan.inventory.services import stock_post, warehouse_create

pytestmark = pytest.mark.django_db
D = Decimal
NOV1, NOV30 = datetime.date(2026, 11, 1), datetime.date(2026, 11, 30)


def post(org, product, warehouse, quantity, kind, day, unit_cost=None, lot=None):
    spec = MoveSpec(
        product.pk, warehouse.pk, D(quantity), kind, lot_id=lot, unit_cost=D(unit_cost) if unit_cost else None
    )
    return stock_post(organization=org, actor=None, date=day, moves=[spec])[0]


@pytest.fixture
def books(org, warehouse, store, make_product):
    """pen: Oct 10 in 10 @ 5.00 = 50.00; Nov 2 in 4 @ 6.50 = 26.00 (14 worth 76.00); Nov 3 delivery 7 →
    76.00 × 7/14 = 38.00. ink: Nov 4 in 3 @ 2.00 = 6.00 at the store."""
    pen, ink = make_product("P01"), make_product("P02")
    post(org, pen, warehouse, "10", MoveKind.RECEIPT, datetime.date(2026, 10, 10), "5.00")
    post(org, pen, warehouse, "4", MoveKind.RECEIPT, datetime.date(2026, 11, 2), "6.50")
    post(org, pen, warehouse, "-7", MoveKind.DELIVERY, datetime.date(2026, 11, 3))
    post(org, ink, store, "3", MoveKind.RECEIPT, datetime.date(2026, 11, 4), "2.00")
    return pen, ink


def row_tuple(r):
    return (
        r.opening_quantity,
        r.opening_value,
        r.in_quantity,
        r.in_value,
        r.out_quantity,
        r.out_value,
        r.closing_quantity,
        r.closing_value,
    )


def test_in_out_balance_by_hand(org, books):
    pen, ink = books
    report = reports.in_out_balance(organization=org, start=NOV1, end=NOV30)
    assert [r.product for r in report.rows] == [pen, ink]
    assert row_tuple(report.rows[0]) == (D(10), D("50.00"), D(4), D("26.00"), D(7), D("38.00"), D(7), D("38.00"))
    assert row_tuple(report.rows[1]) == (D(0), D(0), D(3), D("6.00"), D(0), D(0), D(3), D("6.00"))
    assert row_tuple(report.total) == (D(10), D("50.00"), D(7), D("32.00"), D(7), D("38.00"), D(10), D("44.00"))


def test_in_out_balance_equals_the_ledger(org, books, warehouse, store):
    """Σ closing = Σ of every move up to the end = Σ stock levels; Σ in − Σ out = Σ of the range's moves."""
    report = reports.in_out_balance(organization=org, start=NOV1, end=NOV30)
    moves = StockMove.objects.filter(organization=org)
    in_range = moves.filter(date__gte=NOV1, date__lte=NOV30)
    assert report.total.closing_quantity == sum(m.quantity for m in moves)
    assert (
        report.total.closing_value
        == sum(m.value for m in moves)
        == sum(lv.value for lv in StockLevel.objects.filter(organization=org))
    )
    assert report.total.in_value - report.total.out_value == sum(m.value for m in in_range)
    assert report.total.opening_value == sum(m.value for m in moves.filter(date__lt=NOV1))


def test_in_out_balance_filters(org, books, store):
    pen, ink = books
    only_store = reports.in_out_balance(organization=org, start=NOV1, end=NOV30, warehouse=store)
    assert [r.product for r in only_store.rows] == [ink]
    october = reports.in_out_balance(
        organization=org, start=datetime.date(2026, 10, 1), end=datetime.date(2026, 10, 31), product=pen
    )
    assert row_tuple(october.rows[0]) == (D(0), D(0), D(10), D("50.00"), D(0), D(0), D(10), D("50.00"))
    with pytest.raises(InvalidInput):
        reports.in_out_balance(organization=org, start=NOV30, end=NOV1)


def test_turnover_days_by_hand(org, books):
    """pen: average (50.00 + 38.00)/2 = 44.00; cost of sales 38.00 over 30 days = 1.2667/day → 34.7 days.
    ink: nothing sold → no turnover days."""
    pen, ink = books
    rows = reports.turnover(organization=org, start=NOV1, end=NOV30)
    by_product = {r.product: r for r in rows}
    assert by_product[pen].average_value == D("44.00")
    assert by_product[pen].cost_of_sales == D("38.00")
    assert by_product[pen].turnover_days == D("34.7")
    assert by_product[ink].turnover_days is None
    assert rows[0].product == pen  # products that sold first


def test_slow_movers(org, books, warehouse, store):
    pen, ink = books
    today = datetime.date(2026, 12, 31)
    slow = reports.slow_movers(organization=org, days=30, today=today)
    assert [(r.product, r.warehouse, r.on_hand, r.value, r.last_out) for r in slow] == [
        (ink, store, D(3), D("6.00"), None),
        (pen, warehouse, D(7), D("38.00"), datetime.date(2026, 11, 3)),
    ]
    assert slow[1].idle_days == 58
    assert [r.product for r in reports.slow_movers(organization=org, days=90, today=today)] == [ink]


def test_expiring_lots(org, warehouse, store, make_product):
    milk = make_product("M01", batch=True)
    soon = Lot.objects.create(organization=org, product=milk, number="L1", expiry_date=datetime.date(2026, 12, 10))
    later = Lot.objects.create(organization=org, product=milk, number="L2", expiry_date=datetime.date(2027, 6, 1))
    day = datetime.date(2026, 11, 20)
    post(org, milk, warehouse, "5", MoveKind.RECEIPT, day, "3.00", lot=soon.pk)
    post(org, milk, store, "2", MoveKind.RECEIPT, day, "3.00", lot=soon.pk)
    post(org, milk, warehouse, "8", MoveKind.RECEIPT, day, "3.00", lot=later.pk)
    rows = reports.expiring_lots(organization=org, days=30, today=datetime.date(2026, 12, 1))
    assert [(r.lot_number, r.warehouse, r.quantity, r.days_left) for r in rows] == [
        ("L1", store, D(2), 9),
        ("L1", warehouse, D(5), 9),
    ]  # by expiry, product, lot, then warehouse code (ST01 before WH01)
    assert {r.lot_number for r in reports.expiring_lots(organization=org, days=365, today=day)} == {"L1", "L2"}
    only = reports.expiring_lots(organization=org, days=30, today=datetime.date(2026, 12, 1), warehouse=store)
    assert [(r.quantity, r.warehouse) for r in only] == [(D(2), store)]


# Pages, Excel and API --------------------------------------------------------------------------------------------

PAGES = ["in-out-balance", "turnover", "slow-movers", "expiring-lots"]


@pytest.mark.parametrize("kind", PAGES)
def test_pages_and_excel(kind, org, books, owner_client):
    r = owner_client.get(f"/inventory/reports/{kind}/", {"start": "2026-11-01", "end": "2026-11-30", "days": "30"})
    assert r.status_code == 200
    x = owner_client.get(
        f"/inventory/reports/{kind}/", {"start": "2026-11-01", "end": "2026-11-30", "days": "30", "export": "xlsx"}
    )
    assert x.status_code == 200
    assert x["Content-Type"].startswith("application/vnd.openxmlformats")


def test_in_out_balance_excel_numbers(org, books, owner_client):
    x = owner_client.get(
        "/inventory/reports/in-out-balance/", {"start": "2026-11-01", "end": "2026-11-30", "export": "xlsx"}
    )
    rows = xlsx_rows(x.content)
    assert rows[1][:2] == ("P01", "商品P01")
    assert [D(str(v)) for v in rows[1][2:]] == [D(10), D(50), D(4), D(26), D(7), D(38), D(7), D(38)]
    assert [D(str(v)) for v in rows[-1][2:]] == [D(10), D(50), D(7), D(32), D(7), D(38), D(10), D(44)]


@pytest.mark.parametrize("role", ["warehouse", "purchasing", "finance"])
def test_roles_that_see_reports(role, client_as, api_as):
    assert client_as(role).get("/inventory/reports/in-out-balance/").status_code == 200
    assert api_as(role).get("/stock-reports/turnover").status_code == 200


@pytest.mark.parametrize("role", ["sales", "service", "marketing"])
def test_roles_that_do_not(role, client_as, api_as):
    assert client_as(role).get("/inventory/reports/in-out-balance/").status_code == 403
    assert api_as(role).get("/stock-reports/turnover").status_code == 403


def test_api_in_out_balance(org, books, owner_api):
    r = owner_api.get("/stock-reports/in-out-balance", {"start": "2026-11-01", "end": "2026-11-30"})
    assert r.status_code == 200
    body = r.json()
    assert [row["product_code"] for row in body["rows"]] == ["P01", "P02"]
    assert D(body["total"]["closing_value"]) == D("44.00")
    assert D(body["rows"][0]["out_value"]) == D("38.00")


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"start": "2026-13-01"}, "start"),
        ({"start": "2026-11-30", "end": "2026-11-01"}, "end"),
        ({"warehouse": "abc"}, "warehouse"),
        ({"product": "999999"}, "product"),
    ],
)
def test_api_bad_parameters(params, field, org, owner_api, owner_client):
    r = owner_api.get("/stock-reports/in-out-balance", params)
    assert r.status_code == 422
    assert field in {e["field"] for e in r.json()["errors"]}
    assert owner_client.get("/inventory/reports/in-out-balance/", params).status_code == 422


def test_another_organizations_warehouse_is_refused(org, other_org, books, owner_api, owner_client):
    theirs = warehouse_create(organization=other_org, actor=None, data={"code": "X", "name": "别家仓"})
    r = owner_api.get("/stock-reports/slow-movers", {"warehouse": theirs.pk})
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "warehouse"


def test_bad_days(owner_api):
    assert owner_api.get("/stock-reports/slow-movers", {"days": "-1"}).status_code == 422
    assert owner_api.get("/stock-reports/expiring-lots", {"days": "x"}).status_code == 422
