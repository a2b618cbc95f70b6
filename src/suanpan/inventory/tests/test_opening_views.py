"""The opening-stock page, its Excel upload and its API: who may see and enter, what a bad row shows."""

import io
from decimal import Decimal

import pytest
from openpyxl import Workbook, load_workbook

from suanpan.accounting.opening import books_update, opening_balances_save
from suanpan.core.permissions import ROLE_PERMISSIONS, P
from suanpan.inventory.models import Lot, StockLevel, StockMove
from suanpan.inventory.opening import ENTER_PERMISSIONS, opening_stock_post

pytestmark = pytest.mark.django_db
D = Decimal
PAGE = "/inventory/opening/"


@pytest.fixture
def books(org, owner):
    books = books_update(organization=org, actor=owner, data={"start": "2026-03"})
    opening_balances_save(
        organization=org,
        actor=owner,
        rows=[{"account": "1405", "balance": D("500.00")}, {"account": "3001", "balance": D("-500.00")}],
    )
    return books


def xlsx(rows):
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    buffer.name = "opening.xlsx"
    return buffer


@pytest.mark.parametrize("role", ["owner", "admin", "warehouse", "finance", "purchasing", "sales", "service"])
def test_page_and_api_follow_the_roles(role, org, books, warehouse, make_product, client_as, api_as):
    paper = make_product("P01")
    may_view = P.VIEW_STOCK_REPORTS in ROLE_PERMISSIONS[role]
    may_enter = any(p in ROLE_PERMISSIONS[role] for p in ENTER_PERMISSIONS)
    client, api = client_as(role), api_as(role)
    page = client.get(PAGE)
    assert page.status_code == (200 if may_view else 403)
    if may_view:
        assert (b'id="opening-form"' in page.content) == may_enter
    assert api.get("/opening-stock").status_code == (200 if may_view else 403)
    row = {"product_id": paper.pk, "warehouse_id": warehouse.pk, "quantity": "2", "unit_cost": "3.5"}
    created = api.post("/opening-stock", {"rows": [row]})
    assert created.status_code == (201 if may_enter else 403), created.content
    posted = client.post(PAGE, {"product_1": paper.pk, "warehouse_1": warehouse.pk, "quantity_1": "1", "amount_1": "4"})
    assert posted.status_code == (302 if may_enter else 403)
    assert StockMove.objects.filter(organization=org).count() == (2 if may_enter else 0)
    if may_enter:
        assert client.post(f"{PAGE}1/reverse/").status_code == 302
        assert api.post("/opening-stock/2/reverse", {}).status_code == 200
        assert StockMove.objects.filter(organization=org).count() == 4
    else:
        assert client.post(f"{PAGE}1/reverse/").status_code == 403


def test_the_page_shows_entries_their_totals_and_the_tie_out(org, owner, books, warehouse, make_product, client_as):
    paper = make_product("P01")
    opening_stock_post(
        organization=org,
        actor=owner,
        rows=[{"product": paper.pk, "warehouse": warehouse.pk, "quantity": "40", "unit_cost": "12.5"}],
    )
    html = client_as("finance").get(PAGE).content.decode()
    assert "QC0001" in html
    assert 'id="stock-value">500.00<' in html
    assert 'id="books-value">500.00<' in html
    assert 'id="tie-difference">0.00<' in html
    assert "2026-02-28" in html
    assert 'action="/inventory/opening/1/reverse/"' in html


def test_a_bad_form_row_is_shown_on_its_input_and_nothing_is_written(org, books, warehouse, make_product, client_as):
    paper = make_product("P01")
    response = client_as("warehouse").post(
        PAGE,
        {
            "product_1": paper.pk,
            "warehouse_1": warehouse.pk,
            "quantity_1": "5",
            "unit_cost_1": "2",
            "product_3": paper.pk,
            "warehouse_3": warehouse.pk,
            "quantity_3": "-1",
            "unit_cost_3": "2",
        },
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert 'is-invalid" name="quantity_3" value="-1"' in html
    assert 'name="quantity_1" value="5"' in html
    assert not StockMove.objects.filter(organization=org).exists()


def test_an_excel_file_is_entered_as_one_batch(org, books, warehouse, store, make_product, client_as):
    paper, tea = make_product("P01"), make_product("T01", batch=True)
    client = client_as("warehouse")
    template = load_workbook(io.BytesIO(client.get(f"{PAGE}template/").content))
    headers = [c.value for c in template.worksheets[0][1]]
    assert headers[:4] == ["商品编码", "商品名称", "仓库", "数量"]
    upload = xlsx(
        [
            ["商品编码", "仓库", "数量", "单位成本", "金额", "批号", "生产日期", "有效期至"],
            ["P01", "WH01", "30", "10", None, None, None, None],
            ["P01", "南京路门店", "2", None, "25.5", None, None, None],
            ["T01", "WH01", "5", "50.4", None, "B2026", "2026-01-05", "2027-01-04"],
        ]
    )
    response = client.post(f"{PAGE}import/", {"file": upload})
    assert response.status_code == 302
    moves = StockMove.objects.filter(organization=org)
    assert {m.source_label for m in moves} == {"QC0001"}
    assert sum(m.value for m in moves) == D("300.00") + D("25.50") + D("252.00")
    assert StockLevel.objects.get(product=paper, warehouse=store).on_hand == D("2")
    assert str(Lot.objects.get(product=tea).expiry_date) == "2027-01-04"


def test_an_excel_file_with_a_bad_row_enters_nothing_and_names_the_row(org, books, warehouse, make_product, client_as):
    make_product("P01")
    make_product("T01", batch=True)
    upload = xlsx(
        [
            ["商品编码", "仓库", "数量", "单位成本", "批号"],
            ["P01", "WH01", "30", "10", None],
            ["T01", "WH01", "5", "50", None],
            ["NOPE", "WH01", "5", "50", None],
        ]
    )
    response = client_as("finance").post(f"{PAGE}import/", {"file": upload})
    assert response.status_code == 422
    html = response.content.decode()
    assert 'id="import-errors"' in html
    assert "NOPE" in html  # no such product
    assert 'data-row="4"' in html
    assert 'data-row="3"' not in html  # the cells of row 3 read well; the service never ran
    assert not StockMove.objects.filter(organization=org).exists()
    upload = xlsx([["商品编码", "仓库", "数量", "单位成本", "批号"], ["T01", "WH01", "5", "50", None]])
    response = client_as("finance").post(f"{PAGE}import/", {"file": upload})
    assert response.status_code == 422
    html = response.content.decode()
    assert 'data-row="2"' in html
    assert "批号" in html  # the service's error shown under the column's header
    assert not StockMove.objects.filter(organization=org).exists()


def test_api_errors_name_the_row_and_field(org, books, warehouse, make_product, owner_api):
    paper = make_product("P01")
    good = {"product_id": paper.pk, "warehouse_id": warehouse.pk, "quantity": "2", "unit_cost": "3.5"}
    response = owner_api.post("/opening-stock", {"rows": [good, good | {"quantity": "1.00001"}]})
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["rows.2.quantity"]
    assert not StockMove.objects.filter(organization=org).exists()
    assert owner_api.post("/opening-stock", {"rows": [good]}).status_code == 201
    body = owner_api.get("/opening-stock").json()
    assert (body["date"], body["stock_value"], body["books_value"], body["ties_out"]) == (
        "2026-02-28",
        "7.00",
        "500.00",
        False,
    )
    assert body["batches"][0]["label"] == "QC0001"
    assert body["batches"][0]["lines"][0]["quantity"] == "2.0000"
    assert owner_api.post("/opening-stock/7/reverse", {}).status_code == 404  # no such batch here


def test_without_books_the_page_says_so_and_offers_no_form(org, client_as):
    html = client_as("warehouse").get(PAGE).content.decode()
    assert 'id="no-books"' in html
    assert 'id="opening-form"' not in html
    assert 'id="no-batches"' in html
