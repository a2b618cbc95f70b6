"""Opening stock (期初库存): entered in batches before the opening balances are accepted, reversed (never deleted),
and tied out with the opening balance of 1405."""

import datetime
from decimal import Decimal

import pytest

from suanpan.accounting.models import Books
from suanpan.accounting.opening import books_update, opening_balances_accept, opening_balances_save
from suanpan.catalog.services import product_create
from suanpan.core.exceptions import DomainError, InvalidInput, NotFound, PermissionRefused
from suanpan.core.models import AuditEvent
from suanpan.inventory.choices import MoveKind
from suanpan.inventory.models import Lot, LotStock, StockLevel, StockMove
from suanpan.inventory.opening import (
    SOURCE_TYPE,
    opening_stock_batches,
    opening_stock_post,
    opening_stock_reverse,
    opening_stock_tie_out,
)
from suanpan.inventory.posting import MoveSpec
from suanpan.inventory.services import stock_post
from suanpan.verify import verify_organization

pytestmark = pytest.mark.django_db
D = Decimal
START = datetime.date(2026, 3, 1)
OPENING_DAY = datetime.date(2026, 2, 28)


@pytest.fixture
def books(org, owner):
    return books_update(organization=org, actor=owner, data={"start": "2026-03"})


def clean(org):
    problems = {r.check: r.differences for r in verify_organization(org) if r.differences}
    assert problems == {}


def level(product, warehouse):
    return StockLevel.objects.filter(product=product, warehouse=warehouse).first()


def post(org, actor, rows):
    return opening_stock_post(organization=org, actor=actor, rows=rows)


def test_entering_opening_stock_posts_opening_moves_the_day_before_the_books_start(
    org, owner, books, warehouse, store, make_product
):
    paper, tea = make_product("P01"), make_product("T01", batch=True)
    batch = post(
        org,
        owner,
        [
            {"product": paper.pk, "warehouse": warehouse.pk, "quantity": "120", "unit_cost": "113.274336"},
            {"product": paper.pk, "warehouse": store.pk, "quantity": "8", "amount": "906.19"},
            {
                "product": tea.pk,
                "warehouse": warehouse.pk,
                "quantity": "30",
                "unit_cost": "106.2",
                "lot_number": "LJ2026-01",
                "production_date": datetime.date(2026, 1, 10),
                "expiry_date": "2027-01-09",
            },
        ],
    )
    assert batch.label == "QC0001"
    assert (batch.rows, batch.date, batch.reversed) == (3, OPENING_DAY, False)
    # 120 × 113.274336 = 13592.92032 → 13592.92; 906.19 as given (unit 113.27375); 30 × 106.2 = 3186.00
    assert batch.value == D("13592.92") + D("906.19") + D("3186.00")
    moves = list(StockMove.objects.filter(organization=org).order_by("id"))
    assert [(m.kind, m.date, m.source_type, m.source_id, m.source_label) for m in moves] == [
        (MoveKind.OPENING, OPENING_DAY, SOURCE_TYPE, 1, "QC0001")
    ] * 3
    assert [(m.quantity, m.unit_cost, m.value) for m in moves] == [
        (D("120"), D("113.274336"), D("13592.92")),
        (D("8"), D("113.273750"), D("906.19")),
        (D("30"), D("106.200000"), D("3186.00")),
    ]
    assert (level(paper, warehouse).on_hand, level(paper, warehouse).value) == (D("120"), D("13592.92"))
    assert (level(paper, store).on_hand, level(paper, store).value) == (D("8"), D("906.19"))
    lot = Lot.objects.get(organization=org, product=tea)
    assert (lot.number, lot.production_date, lot.expiry_date) == (
        "LJ2026-01",
        datetime.date(2026, 1, 10),
        datetime.date(2027, 1, 9),
    )
    assert LotStock.objects.get(lot=lot, warehouse=warehouse).on_hand == D("30")
    assert AuditEvent.objects.filter(organization=org, changes__opening_stock="QC0001").exists()
    clean(org)


def test_a_second_batch_takes_the_next_number_and_stock_can_move_on_afterwards(
    org, owner, books, warehouse, make_product
):
    paper = make_product("P01")
    post(org, owner, [{"product": paper.pk, "warehouse": warehouse.pk, "quantity": "10", "unit_cost": "5"}])
    second = post(org, owner, [{"product": paper.pk, "warehouse": warehouse.pk, "quantity": "2", "unit_cost": "8"}])
    assert second.label == "QC0002"
    assert (level(paper, warehouse).on_hand, level(paper, warehouse).value) == (D("12"), D("66.00"))
    out = MoveSpec(paper.pk, warehouse.pk, D("-6"), MoveKind.DELIVERY)
    move = stock_post(organization=org, actor=None, date=START, moves=[out])[0]
    assert move.value == D("-33.00")  # the moving average of the opening stock: 66.00 / 12 × 6
    assert [b.label for b in opening_stock_batches(organization=org)] == ["QC0002", "QC0001"]
    clean(org)


ROW_ERRORS = [
    ({"product": ""}, "rows.1.product"),
    ({"product": "999999"}, "rows.1.product"),
    ({"warehouse": ""}, "rows.1.warehouse"),
    ({"warehouse": "999999"}, "rows.1.warehouse"),
    ({"quantity": "0"}, "rows.1.quantity"),
    ({"quantity": "-3"}, "rows.1.quantity"),
    ({"quantity": "1.00001"}, "rows.1.quantity"),
    ({"quantity": "abc"}, "rows.1.quantity"),
    ({"unit_cost": "-1"}, "rows.1.unit_cost"),
    ({"unit_cost": "1.0000001"}, "rows.1.unit_cost"),
    ({"unit_cost": "", "amount": "10.001"}, "rows.1.amount"),
    ({"unit_cost": "", "amount": "-10"}, "rows.1.amount"),
    ({"amount": "10"}, "rows.1.amount"),  # unit cost and amount both given
    ({"unit_cost": ""}, "rows.1.unit_cost"),  # neither
    ({"lot_number": "L1"}, "rows.1.lot_number"),  # not batch-tracked
    ({"colour": "red"}, "rows.1.colour"),
]


@pytest.mark.parametrize(("change", "field"), ROW_ERRORS, ids=[f"{f}-{sorted(c.items())}" for c, f in ROW_ERRORS])
def test_a_bad_field_is_refused_by_name_and_nothing_is_written(
    org, owner, books, warehouse, make_product, change, field
):
    paper = make_product("P01")
    row = {"product": str(paper.pk), "warehouse": str(warehouse.pk), "quantity": "5", "unit_cost": "2.5"} | change
    with pytest.raises(InvalidInput) as exc:
        post(org, owner, [row])
    assert field in [e.field for e in exc.value.errors]
    assert not StockMove.objects.filter(organization=org).exists()


def test_every_row_is_checked_and_one_bad_row_writes_nothing(org, owner, books, warehouse, make_product):
    paper, tea = make_product("P01"), make_product("T01", batch=True)
    good = {"product": paper.pk, "warehouse": warehouse.pk, "quantity": "5", "unit_cost": "2"}
    rows = [
        good,
        {"product": tea.pk, "warehouse": warehouse.pk, "quantity": "5", "unit_cost": "2"},  # no lot
        {
            "product": tea.pk,
            "warehouse": warehouse.pk,
            "quantity": "5",
            "unit_cost": "2",
            "lot_number": "L1",
            "production_date": "2026-02-01",
            "expiry_date": "2026-01-31",
        },
        good,
    ]
    with pytest.raises(InvalidInput) as exc:
        post(org, owner, rows)
    assert [e.field for e in exc.value.errors] == ["rows.2.lot_number", "rows.3.expiry_date"]
    assert not StockMove.objects.filter(organization=org).exists()
    assert not Lot.objects.filter(organization=org).exists()
    assert not AuditEvent.objects.filter(organization=org, changes__has_key="opening_stock").exists()


def test_services_foreign_rows_and_a_lot_recorded_with_other_dates_are_refused(
    org, other_org, owner, books, warehouse, make_product
):
    from suanpan.catalog.models import Unit, VatRate

    service = product_create(
        organization=org,
        actor=None,
        data={
            "code": "SV1",
            "name": "安装服务",
            "unit": Unit.objects.filter(organization=org).first(),
            "vat_rate": VatRate.objects.get(organization=org, rate="0.06"),
            "sale_price": "100",
            "is_stocked": False,
        },
    )
    foreign = product_create(
        organization=other_org,
        actor=None,
        data={
            "code": "X1",
            "name": "别家商品",
            "unit": Unit.objects.filter(organization=other_org).first(),
            "vat_rate": VatRate.objects.get(organization=other_org, rate="0.13"),
            "sale_price": "1",
        },
    )
    tea = make_product("T01", batch=True)
    Lot.objects.create(organization=org, product=tea, number="L1", expiry_date=datetime.date(2027, 5, 1))
    base = {"warehouse": warehouse.pk, "quantity": "1", "unit_cost": "1"}
    with pytest.raises(InvalidInput) as exc:
        post(
            org,
            owner,
            [
                base | {"product": service.pk},
                base | {"product": foreign.pk},
                base | {"product": tea.pk, "lot_number": "L1", "expiry_date": "2027-06-01"},
                base | {"product": tea.pk, "lot_number": "L2", "expiry_date": "2027-06-01"},
                base | {"product": tea.pk, "lot_number": "L2", "expiry_date": "2027-07-01"},
            ],
        )
    assert [e.field for e in exc.value.errors] == [
        "rows.1.product",
        "rows.2.product",
        "rows.5.expiry_date",
        "rows.3.expiry_date",
    ]
    assert not StockMove.objects.filter(organization=org).exists()


def test_books_without_a_start_and_accepted_books_are_refused(org, owner, warehouse, make_product):
    paper = make_product("P01")
    row = {"product": paper.pk, "warehouse": warehouse.pk, "quantity": "1", "unit_cost": "1"}
    with pytest.raises(DomainError) as exc:
        post(org, owner, [row])
    assert exc.value.field == "books"
    books_update(organization=org, actor=owner, data={"start": "2026-03"})
    opening_balances_accept(organization=org, actor=owner)
    with pytest.raises(DomainError) as exc:
        post(org, owner, [row])
    assert exc.value.field == "opening_accepted"
    assert not StockMove.objects.filter(organization=org).exists()


def test_who_may_enter_opening_stock(org, books, member, warehouse, make_product):
    paper = make_product("P01")
    row = {"product": paper.pk, "warehouse": warehouse.pk, "quantity": "1", "unit_cost": "1"}
    for role in ("warehouse", "finance", "admin"):
        post(org, member(role), [row])
    for role in ("purchasing", "sales"):
        with pytest.raises(PermissionRefused):
            post(org, member(role), [row])
    assert StockMove.objects.filter(organization=org).count() == 3


def test_a_batch_is_reversed_by_opposite_moves_once_and_entered_again(org, owner, books, warehouse, make_product):
    paper, tea = make_product("P01"), make_product("T01", batch=True)
    wrong = post(
        org,
        owner,
        [
            {"product": paper.pk, "warehouse": warehouse.pk, "quantity": "10", "unit_cost": "3.333333"},
            {"product": tea.pk, "warehouse": warehouse.pk, "quantity": "4", "amount": "100", "lot_number": "L1"},
        ],
    )
    reversed_batch = opening_stock_reverse(organization=org, actor=owner, number=wrong.number)
    assert reversed_batch.reversed
    moves = list(StockMove.objects.filter(organization=org).order_by("id"))
    assert len(moves) == 4  # nothing deleted
    assert [(m.quantity, m.value, m.date, m.source_label) for m in moves[2:]] == [
        (D("-10"), D("-33.33"), OPENING_DAY, "QC0001"),
        (D("-4"), D("-100.00"), OPENING_DAY, "QC0001"),
    ]
    assert (level(paper, warehouse).on_hand, level(paper, warehouse).value) == (D("0"), D("0"))
    assert LotStock.objects.get(product=tea, warehouse=warehouse).on_hand == 0
    with pytest.raises(DomainError):
        opening_stock_reverse(organization=org, actor=owner, number=wrong.number)
    with pytest.raises(NotFound):  # no such batch in this organization
        opening_stock_reverse(organization=org, actor=owner, number=99)
    post(org, owner, [{"product": paper.pk, "warehouse": warehouse.pk, "quantity": "10", "unit_cost": "3.5"}])
    assert (level(paper, warehouse).on_hand, level(paper, warehouse).value) == (D("10"), D("35.00"))
    clean(org)


def test_a_batch_whose_goods_moved_since_is_not_reversed(org, owner, books, warehouse, make_product):
    paper = make_product("P01")
    batch = post(org, owner, [{"product": paper.pk, "warehouse": warehouse.pk, "quantity": "10", "unit_cost": "2"}])
    stock_post(
        organization=org,
        actor=None,
        date=START,
        moves=[MoveSpec(paper.pk, warehouse.pk, D("-1"), MoveKind.DELIVERY)],
    )
    with pytest.raises(DomainError) as exc:
        opening_stock_reverse(organization=org, actor=owner, number=batch.number)
    assert exc.value.field == "number"
    assert StockMove.objects.filter(organization=org).count() == 2


def test_opening_balances_are_accepted_only_when_the_opening_stock_ties_out_with_1405(
    org, owner, books, warehouse, make_product
):
    paper = make_product("P01")
    opening_balances_save(
        organization=org,
        actor=owner,
        rows=[{"account": "1405", "balance": D("1000.00")}, {"account": "3001", "balance": D("-1000.00")}],
    )
    batch = post(org, owner, [{"product": paper.pk, "warehouse": warehouse.pk, "quantity": "10", "unit_cost": "99"}])
    tie = opening_stock_tie_out(organization=org)
    assert (tie.stock_value, tie.books_value, tie.difference, tie.entered, tie.ok) == (
        D("990.00"),
        D("1000.00"),
        D("-10.00"),
        True,
        False,
    )
    with pytest.raises(DomainError) as exc:
        opening_balances_accept(organization=org, actor=owner)
    assert exc.value.field == "opening_stock"
    assert "990.00" in exc.value.message
    assert not Books.objects.get(organization=org).opening_accepted
    opening_stock_reverse(organization=org, actor=owner, number=batch.number)
    post(org, owner, [{"product": paper.pk, "warehouse": warehouse.pk, "quantity": "10", "amount": "1000"}])
    assert opening_stock_tie_out(organization=org).ok
    opening_balances_accept(organization=org, actor=owner)
    assert Books.objects.get(organization=org).opening_accepted
    with pytest.raises(DomainError):
        opening_stock_reverse(organization=org, actor=owner, number=2)
    clean(org)


def test_without_opening_stock_the_balances_are_accepted_as_before(org, owner, books, warehouse, make_product):
    opening_balances_save(
        organization=org,
        actor=owner,
        rows=[{"account": "1405", "balance": D("1000.00")}, {"account": "3001", "balance": D("-1000.00")}],
    )
    paper = make_product("P01")
    batch = post(org, owner, [{"product": paper.pk, "warehouse": warehouse.pk, "quantity": "1", "unit_cost": "1"}])
    opening_stock_reverse(organization=org, actor=owner, number=batch.number)  # every batch reversed: none entered
    assert not opening_stock_tie_out(organization=org).entered
    opening_balances_accept(organization=org, actor=owner)
    assert Books.objects.get(organization=org).opening_accepted


def test_a_batch_entered_before_the_start_moved_holds_up_acceptance(org, owner, books, warehouse, make_product):
    opening_balances_save(
        organization=org,
        actor=owner,
        rows=[{"account": "1405", "balance": D("10.00")}, {"account": "3001", "balance": D("-10.00")}],
    )
    paper = make_product("P01")
    post(org, owner, [{"product": paper.pk, "warehouse": warehouse.pk, "quantity": "1", "unit_cost": "10"}])
    books_update(organization=org, actor=owner, data={"start": "2026-04"})
    with pytest.raises(DomainError) as exc:
        opening_balances_accept(organization=org, actor=owner)
    assert "QC0001" in exc.value.message


def test_verify_reports_an_opening_stock_sequence_behind_the_batches(org, owner, books, warehouse, make_product):
    from suanpan.core.models import NumberSequence

    paper = make_product("P01")
    post(org, owner, [{"product": paper.pk, "warehouse": warehouse.pk, "quantity": "1", "unit_cost": "1"}])
    clean(org)
    NumberSequence.objects.filter(organization=org, series="inventory.opening_stock").update(last_number=0)
    problems = {r.check: r.differences for r in verify_organization(org) if r.differences}
    assert problems == {
        "number sequences are ahead of the numbers in use": [
            "sequence inventory.opening_stock stands at 0, but QC0001 is already in use"
        ]
    }
