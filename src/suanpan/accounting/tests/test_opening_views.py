"""Pages of the books' set-up: the opening-balance grid, acceptance, the Excel template and import, settings."""

import io
from decimal import Decimal

import pytest
from openpyxl import Workbook, load_workbook

from suanpan.accounting.models import Books, OpeningBalance
from suanpan.accounting.opening import books_get, books_update, opening_balances_accept, opening_balances_save
from suanpan.core import importing
from suanpan.core.models import ImportBatch
from suanpan.core.permissions import ROLE_PERMISSIONS, P
from suanpan.partners.choices import PartnerRole
from suanpan.partners.services import partner_create

pytestmark = pytest.mark.django_db

D = Decimal
PAGE = "/accounting/opening/"


@pytest.fixture
def customer(org):
    return partner_create(organization=org, actor=None, role=PartnerRole.CUSTOMER, data={"name": "北京星河科技"})


def test_the_grid_shows_leaves_as_inputs_and_parents_as_rollups(org, owner_client, owner, customer):
    opening_balances_save(
        organization=org,
        actor=owner,
        rows=[{"account": "101201", "balance": "70"}, {"account": "1122", "partner": customer, "balance": "300"}],
    )
    html = owner_client.get(PAGE).content.decode()
    assert 'name="a-1001-balance"' in html
    assert 'name="a-1012-balance"' not in html  # a parent: a roll-up, not an input
    assert 'name="a-101201-balance" data-col="balance" inputmode="decimal" autocomplete="off" value="70.00"' in html
    assert f'name="p-1122-0-partner" data-name="partner" value="{customer.pk}"' in html
    assert "ytd_debit" not in html.split('id="opening-grid"')[1]  # books from January: no ytd columns
    assert 'id="opening-accept"' in html
    assert 'id="check-balanced"' in html


def test_saving_the_grid_in_normal_direction(org, owner_client, customer, acc):
    r = owner_client.post(
        PAGE,
        {
            "a-1001-balance": "1,000.50",
            "a-3001-balance": "1300.50",  # a credit account: shown (and entered) as a credit
            "a-1002-balance": "",
            "p-1122-0-partner": str(customer.pk),
            "p-1122-0-balance": "300",
            "p-1122-1-partner": "",
            "p-1122-1-balance": "",
        },
    )
    assert r.status_code == 302
    stored = {(o.account.code, o.partner_id): o.balance for o in OpeningBalance.objects.filter(organization=org)}
    assert stored == {
        ("1001", None): D("1000.50"),
        ("3001", None): D("-1300.50"),
        ("1122", None): D("300.00"),
        ("1122", customer.pk): D("300.00"),
    }
    html = owner_client.get(PAGE).content.decode()
    assert 'id="check-difference">0.00' in html
    assert "✓" in html


def test_a_refused_grid_saves_nothing_and_marks_the_field(org, owner_client):
    r = owner_client.post(
        PAGE, {"a-1001-balance": "100", "a-1002-balance": "1.234", "p-1122-0-partner": "", "p-1122-0-balance": "5"}
    )
    assert r.status_code == 422
    html = r.content.decode()
    assert 'data-field="a-1002-balance"' in html
    assert 'data-field="p-1122-0-partner"' in html
    assert 'value="1.234"' in html  # what was typed stays
    assert not OpeningBalance.objects.filter(organization=org).exists()


def test_accept_and_unaccept_buttons(org, owner_client, owner, member, client_as):
    opening_balances_save(
        organization=org, actor=owner, rows=[{"account": "1001", "balance": "5"}, {"account": "3001", "balance": "-5"}]
    )
    finance = client_as("finance")
    assert finance.post("/accounting/opening/accept/").status_code == 302
    assert books_get(organization=org).opening_accepted
    html = finance.get(PAGE).content.decode()
    assert 'name="a-1001-balance"' not in html  # read-only once accepted
    assert 'id="opening-unaccept"' not in html  # finance may not reopen
    assert finance.post("/accounting/opening/unaccept/").status_code == 403
    r = finance.post(PAGE, {"a-1001-balance": "9"})
    assert r.status_code == 422
    assert "期初余额已审核，不能再修改" in r.content.decode()  # zh-Hans is the default
    assert OpeningBalance.objects.get(account__code="1001", organization=org).balance == D("5.00")
    assert 'id="opening-unaccept"' in owner_client.get(PAGE).content.decode()
    assert owner_client.post("/accounting/opening/unaccept/").status_code == 302
    assert not books_get(organization=org).opening_accepted


def test_accepting_an_unbalanced_opening_shows_the_difference(org, owner_client, owner):
    opening_balances_save(organization=org, actor=owner, rows=[{"account": "1001", "balance": "5"}])
    r = owner_client.post("/accounting/opening/accept/", follow=True)
    assert "5.00" in r.content.decode()
    assert not books_get(organization=org).opening_accepted


def test_mid_year_grid_has_ytd_columns(org, owner_client, owner):
    books_update(organization=org, actor=owner, data={"start": "2026-04"})
    html = owner_client.get(PAGE).content.decode()
    assert 'name="a-5001-ytd_debit"' in html
    assert 'id="check-ytd-difference"' in html
    r = owner_client.post(PAGE, {"a-5001-ytd_debit": "100", "a-5001-ytd_credit": "100"})
    assert r.status_code == 302
    row = OpeningBalance.objects.get(organization=org, account__code="5001")
    assert (row.balance, row.ytd_debit, row.ytd_credit) == (D("0"), D("100.00"), D("100.00"))


def test_trial_balance_page_shows_year_to_date(org, owner_client, owner):
    books_update(organization=org, actor=owner, data={"start": "2026-04"})
    opening_balances_save(
        organization=org,
        actor=owner,
        rows=[
            {"account": "1002", "balance": "4321.09", "ytd_debit": "4321.09"},
            {"account": "3103", "balance": "-4321.09", "ytd_credit": "4321.09"},
        ],
    )
    html = owner_client.get("/accounting/trial-balance/", {"start": "2026-04", "end": "2026-04"}).content.decode()
    row = html.split(">1002</a>")[1].split("</tr>")[0]
    assert row.count("4,321.09") == 3  # opening debit, year-to-date debit, closing debit


@pytest.mark.parametrize("role", ["sales", "warehouse", "finance", "admin"])
def test_pages_follow_the_roles(role, org, client_as):
    client = client_as(role)
    granted = ROLE_PERMISSIONS[role]
    view = 200 if P.VIEW_LEDGER in granted else 403
    change = P.MANAGE_ACCOUNTS in granted
    assert client.get(PAGE).status_code == view
    assert client.get("/accounting/books/").status_code == view
    assert client.get("/accounting/opening/template/").status_code == view
    r = client.post(PAGE, {"a-1001-balance": "1", "a-3001-balance": "1"})
    assert r.status_code == (302 if change else 403)
    assert OpeningBalance.objects.filter(organization=org).exists() == change
    r = client.post("/accounting/books/", {"start": "2026-01", "voucher_words": "记 收"})
    assert r.status_code == (302 if change else 403)
    assert (books_get(organization=org).voucher_words == ["记", "收"]) == change
    assert client.post("/accounting/opening/accept/").status_code == (302 if change else 403)
    assert books_get(organization=org).opening_accepted == change
    reopen = P.REOPEN_PERIOD in granted
    assert client.post("/accounting/opening/unaccept/").status_code == (302 if reopen else 403)


def test_books_settings_page(org, owner_client, acc):
    html = owner_client.get("/accounting/books/").content.decode()
    assert 'value="2026-01"' in html
    assert 'value="记 收 付 转"' in html
    r = owner_client.post("/accounting/books/", {"start": "2026-03", "voucher_words": "记、现收"})
    assert r.status_code == 302
    books = Books.objects.get(organization=org)
    assert (str(books.start), books.voucher_words) == ("2026-03", ["记", "现收"])
    # the voucher entry page offers the organization's words
    html = owner_client.get("/accounting/vouchers/new/").content.decode()
    assert '<option value="现收"' in html
    assert '<option value="付"' not in html
    r = owner_client.post("/accounting/books/", {"start": "2026-3x", "voucher_words": "记账凭证"})
    assert r.status_code == 422
    html = r.content.decode()
    assert 'data-field="start"' in html
    assert Books.objects.get(organization=org).voucher_words == ["记", "现收"]


def test_books_settings_once_accepted_keep_the_start(org, owner_client, owner):
    opening_balances_accept(organization=org, actor=owner)
    html = owner_client.get("/accounting/books/").content.decode()
    assert 'name="start" id="id_start" value="2026-01" disabled' in html
    r = owner_client.post("/accounting/books/", {"voucher_words": "记 转"})  # a disabled field is not sent
    assert r.status_code == 302
    assert books_get(organization=org).voucher_words == ["记", "转"]
    r = owner_client.post("/accounting/books/", {"start": "2026-02", "voucher_words": "记 转"})
    assert r.status_code == 422
    assert 'data-field="start"' in r.content.decode()


# Excel ------------------------------------------------------------------------------------------------------


def _rows(content):
    return list(load_workbook(io.BytesIO(content)).worksheets[0].iter_rows(values_only=True))


def test_template_lists_leaf_accounts_with_their_openings(org, owner_client, owner, customer):
    opening_balances_save(
        organization=org,
        actor=owner,
        rows=[{"account": "3001", "balance": "-500"}, {"account": "1122", "partner": customer, "balance": "500"}],
    )
    rows = _rows(owner_client.get("/accounting/opening/template/").content)
    assert rows[0] == ("科目编码", "科目名称", "方向", "期初余额", "客户/供应商编码")
    by_code = {r[0]: r for r in rows[1:]}
    assert "1012" not in by_code  # parents are not in the template
    assert by_code["3001"][2:4] == ("贷", 500)
    assert by_code["1122"][3:] == (500, customer.code)
    books_update(organization=org, actor=owner, data={"start": "2026-07"})
    assert _rows(owner_client.get("/accounting/opening/template/").content)[0][-2:] == ("本年累计借方", "本年累计贷方")


def _xlsx(rows):
    wb = Workbook()
    for row in rows:
        wb.worksheets[0].append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


HEADER = ["科目编码", "科目名称", "方向", "期初余额", "客户/供应商编码"]


def test_import_a_good_file(org, owner, customer):
    content = _xlsx(
        [
            HEADER,
            ["1001", "库存现金", "借", "1200.50", None],
            ["1122", "应收账款", "借", None, None],  # the template's empty total row changes nothing
            ["1122", "应收账款", "借", 800, customer.code],
            ["1602", "累计折旧", "贷", 1000, None],
            ["3001", "实收资本", None, "1000.50", None],  # blank direction: the account's own (credit)
        ]
    )
    batch = importing.import_workbook(
        organization=org, actor=owner, kind="opening_balances", filename="期初.xlsx", content=content
    )
    assert batch.imported, batch.errors
    stored = {(o.account.code, o.partner_id): o.balance for o in OpeningBalance.objects.filter(organization=org)}
    assert stored == {
        ("1001", None): D("1200.50"),
        ("1122", None): D("800.00"),
        ("1122", customer.pk): D("800.00"),
        ("1602", None): D("-1000.00"),
        ("3001", None): D("-1000.50"),
    }


def test_import_a_bad_file_reports_every_row_and_saves_nothing(org, owner, owner_client, customer):
    content = _xlsx(
        [
            HEADER,
            ["1001", "库存现金", "借", "100", None],
            ["1012", "其他货币资金", "借", "5", None],
            ["1122", "应收账款", "借", "5", None],
            ["1002", "银行存款", "左", "5", None],
            ["1002", "银行存款", "借", "1.234", None],
            ["8888", "", "借", "5", None],
        ]
    )
    r = owner_client.post("/imports/opening_balances/new/", {"file": io.BytesIO(content)}, format="multipart")
    batch = ImportBatch.objects.get(organization=org, kind="opening_balances")
    assert r.status_code == 302
    assert not batch.imported
    problems = {(e["row"], e["field"]) for e in batch.errors}
    assert problems == {(3, "科目编码"), (4, "客户/供应商编码"), (5, "方向"), (6, "期初余额"), (7, "科目编码")}
    assert not OpeningBalance.objects.filter(organization=org).exists()
    assert owner_client.get(f"/imports/{batch.pk}/").status_code == 200


def test_import_needs_manage_accounts(org, client_as):
    assert client_as("sales").get("/imports/opening_balances/new/").status_code == 403
