"""Financial statements (会小企01/02/03表) on small hand-made books; every expected number is worked out here."""

import datetime
from decimal import Decimal

import pytest

from suanpan.accounting import statements
from suanpan.accounting.choices import PERIOD_CLOSE_SOURCE
from suanpan.accounting.models import Period
from suanpan.accounting.opening import books_update, opening_balances_accept, opening_balances_save
from suanpan.accounting.services import account_update, voucher_create, voucher_post, voucher_review
from suanpan.accounting.statements import (
    BALANCE_SHEET,
    CASH_FLOW,
    INCOME,
    UNASSIGNED,
    balance_sheet,
    cash_flow_statement,
    income_statement,
    layout,
    parse_formula,
)
from suanpan.core.exceptions import InvalidInput, NotFound
from suanpan.partners.choices import PartnerRole
from suanpan.partners.services import partner_create

pytestmark = pytest.mark.django_db
NOV = datetime.date(2026, 11, 5)


def D(text):
    return Decimal(text)


def book(org, owner, day, lines, source_type=""):
    """A posted voucher: lines are (account code, debit, credit, extra fields)."""
    rows = []
    for code, debit, credit, *extra in lines:
        rows.append(
            {
                "summary": "测试",
                "account": code,
                "debit": debit or "",
                "credit": credit or "",
                **(extra[0] if extra else {}),
            }
        )
    v = voucher_create(organization=org, actor=None, date=day, lines=rows, source_type=source_type)
    voucher_review(organization=org, actor=owner, voucher_id=v.pk)
    return voucher_post(organization=org, actor=owner, voucher_id=v.pk)


def period(org, year=2026, month=11):
    return Period.objects.get(organization=org, year=year, month=month)


def amounts(statement, column=0):
    return {line.no: line.amounts[column] for line in statement.lines if line.no is not None}


@pytest.fixture
def partners(org):
    def make(name, role=PartnerRole.CUSTOMER):
        return partner_create(organization=org, actor=None, role=role, data={"name": name})

    return make


@pytest.fixture
def books(org, owner, acc, partners):
    """Capital in, a sale on credit to A, an advance from B, an overpayment by C, office costs, a bank transfer."""
    a, b, c = partners("客户A"), partners("客户B"), partners("客户C")
    pk = lambda code: acc(code).pk  # noqa: E731
    book(org, owner, NOV, [(pk("1002"), "100000", "", {"cash_flow_item": "15"}), (pk("3001"), "", "100000")])
    book(
        org,
        owner,
        NOV,
        [
            (pk("1122"), "11300", "", {"partner": a.pk}),
            (pk("5001"), "", "10000"),
            (pk("22210107"), "", "1300"),
        ],
    )
    book(
        org,
        owner,
        NOV,
        [(pk("1002"), "5000", "", {"cash_flow_item": "1"}), (pk("2203"), "", "5000", {"partner": b.pk})],
    )
    book(
        org,
        owner,
        NOV,
        [(pk("1002"), "2000", "", {"cash_flow_item": "1"}), (pk("1122"), "", "2000", {"partner": c.pk})],
    )
    book(org, owner, NOV, [(pk("560205"), "800", ""), (pk("1002"), "", "800", {"cash_flow_item": "6"})])
    book(org, owner, NOV, [(pk("1001"), "3000", ""), (pk("1002"), "", "3000")])  # cash drawn: no cash flow
    return {"a": a, "b": b, "c": c}


# --- The layouts --------------------------------------------------------------------------------------------


def test_layouts_have_every_line_of_the_forms():
    assert list(layout(BALANCE_SHEET).numbered) == list(range(1, 54))
    assert list(layout(INCOME).numbered) == list(range(1, 33))
    assert list(layout(CASH_FLOW).numbered) == list(range(1, 23))
    bs = layout(BALANCE_SHEET).numbered
    assert (bs[1].label, bs[30].label, bs[51].label, bs[53].label) == (
        "货币资金",
        "资产总计",
        "未分配利润",
        "负债和所有者权益（或股东权益）总计",
    )
    assert {line.part for line in layout(BALANCE_SHEET).lines if line.no and line.no <= 30} == {"assets"}
    assert layout(INCOME).numbered[3].label == "税金及附加"
    assert layout(INCOME).numbered[21].formula == "+L1-L2-L3-L11-L14-L18+L20"  # the form's arithmetic, with +L20
    assert layout(CASH_FLOW).numbered[20].label == "四、现金净增加额"


def test_cash_flow_items_are_the_activity_lines_of_the_cash_flow_statement():
    lines = layout(CASH_FLOW).numbered
    items = statements.cash_flow_items()
    assert sorted(items, key=int) == [str(n) for n, line in lines.items() if line.formula in ("IN", "OUT")]
    for code, item in items.items():
        assert item.name == lines[int(code)].label
        assert item.direction == lines[int(code)].formula.lower()


def test_formulas_are_read_strictly():
    terms = parse_formula("+1001-Dr(1122)+L15+PL")
    assert [(t.sign, t.kind, t.arg) for t in terms] == [
        (1, "account", "1001"),
        (-1, "dr", "1122"),
        (1, "line", "15"),
        (1, "pl", ""),
    ]
    for bad in ("+1001 1002", "+10", "*L1", "+Cr(x)"):
        with pytest.raises(ValueError, match="cannot read"):
            parse_formula(bad)


# --- Balance sheet ------------------------------------------------------------------------------------------


def test_balance_sheet_before_closing(org, books):
    sheet = balance_sheet(organization=org, period=period(org))
    end = amounts(sheet)
    assert end[1] == D("106200")  # 100000 + 5000 + 2000 - 800; the transfer to 1001 changes nothing
    assert end[4] == D("11300")  # A owes 11300; C's overpayment is not netted here
    assert end[34] == D("7000")  # B's advance 5000 + C's credit balance 2000 on 1122
    assert end[36] == D("1300")
    assert end[15] == end[30] == D("117500")
    assert end[41] == end[47] == D("8300")
    assert end[48] == D("100000")
    assert end[51] == D("9200")  # profit not yet carried forward: 10000 - 800
    assert end[52] == D("109200")
    assert end[53] == D("117500")
    assert all(v == 0 for v in amounts(sheet, 1).values())  # nothing at the start of the year
    assert sheet.balanced
    assert [(c.left, c.right) for c in sheet.checks] == [(D("117500"), D("117500")), (D("0"), D("0"))]


def test_balance_sheet_after_closing_is_the_same(org, owner, acc, books):
    book(
        org,
        owner,
        datetime.date(2026, 11, 30),
        [(acc("5001").pk, "10000", ""), (acc("560205").pk, "", "800"), (acc("3103").pk, "", "9200")],
        source_type=PERIOD_CLOSE_SOURCE,
    )
    end = amounts(balance_sheet(organization=org, period=period(org)))
    assert (end[51], end[30], end[53]) == (D("9200"), D("117500"), D("117500"))
    income = amounts(income_statement(organization=org, period=period(org)), 1)
    assert (income[1], income[14], income[32]) == (D("10000"), D("800"), D("9200"))


def test_drill_down_lists_the_accounts_and_partners_behind_a_line(org, books, acc):
    sheet = balance_sheet(organization=org, period=period(org))
    receivable = sheet.sources(34)
    assert [(s.account.code, s.partner, s.amounts[0]) for s in receivable] == [
        ("1122", "客户C", D("2000")),
        ("2203", "客户B", D("5000")),
    ]
    assert [(s.account.code, s.amounts[0]) for s in sheet.sources(1)] == [("1001", D("3000")), ("1002", D("103200"))]
    profit = {s.account.code: s.amounts[0] for s in sheet.sources(51)}
    assert profit == {"5001": D("10000"), "5602": D("-800")}
    with pytest.raises(NotFound):
        sheet.line(99)


def test_a_balance_on_no_line_is_reported(org, owner, acc):
    book(org, owner, NOV, [(acc("430101").pk, "500", ""), (acc("1002").pk, "", "500")])
    sheet = balance_sheet(organization=org, period=period(org))
    assert [a.code for a in sheet.unmapped] == ["430101"]
    assert not sheet.balanced  # 430101 should have gone to 研究费用 before the statements


def test_year_start_column_and_a_new_year(org, owner, acc, books):
    book(
        org,
        owner,
        datetime.date(2027, 1, 10),
        [(acc("1002").pk, "1000", "", {"cash_flow_item": "14"}), (acc("2001").pk, "", "1000")],
    )
    jan = period(org, 2027, 1)
    sheet = balance_sheet(organization=org, period=jan)
    end, start = amounts(sheet), amounts(sheet, 1)
    assert (start[1], start[30], start[51]) == (D("106200"), D("117500"), D("9200"))
    assert (end[1], end[31], end[30]) == (D("107200"), D("1000"), D("118500"))
    assert sheet.balanced
    income = income_statement(organization=org, period=jan)
    assert all(line.amounts == [0, 0] for line in income.lines)  # the year starts afresh
    flows = amounts(cash_flow_statement(organization=org, period=jan))
    assert (flows[14], flows[21], flows[22]) == (D("1000"), D("106200"), D("107200"))


def test_books_starting_mid_year_with_year_to_date_amounts(org, owner, acc):
    books_update(organization=org, actor=None, data={"start": "2026-07"})
    # 表结法: the income accounts keep their year-to-date balance until the year-end.
    opening_balances_save(
        organization=org,
        actor=None,
        rows=[
            {"account": "1002", "balance": "50000", "ytd_debit": "40000"},
            {"account": "3001", "balance": "-10000"},
            {"account": "5001", "balance": "-40000", "ytd_credit": "40000"},
        ],
    )
    opening_balances_accept(organization=org, actor=None)
    book(
        org,
        owner,
        datetime.date(2026, 7, 3),
        [(acc("1002").pk, "500", "", {"cash_flow_item": "1"}), (acc("5001").pk, "", "500")],
    )
    july = period(org, 2026, 7)
    sheet = balance_sheet(organization=org, period=july)
    end, start = amounts(sheet), amounts(sheet, 1)
    assert (end[1], end[48], end[51]) == (D("50500"), D("10000"), D("40500"))
    assert (start[1], start[48], start[51]) == (D("10000"), D("10000"), D("0"))  # 50000 - 40000 of the year
    assert sheet.balanced
    income = income_statement(organization=org, period=july)
    assert (amounts(income)[1], amounts(income, 1)[1]) == (D("40500"), D("500"))
    flows = cash_flow_statement(organization=org, period=july)
    assert (amounts(flows)[1], amounts(flows)[21], amounts(flows)[22]) == (D("500"), D("50000"), D("50500"))
    with pytest.raises(InvalidInput) as exc:
        balance_sheet(organization=org, period=period(org, 2026, 6))
    assert exc.value.errors[0].field == "period"


# --- Income statement ---------------------------------------------------------------------------------------


def test_income_statement_month_and_year(org, owner, acc, books):
    oct5 = datetime.date(2026, 10, 5)
    book(org, owner, oct5, [(acc("1002").pk, "2000", "", {"cash_flow_item": "1"}), (acc("5051").pk, "", "2000")])
    book(org, owner, oct5, [(acc("540309").pk, "30", ""), (acc("1002").pk, "", "30", {"cash_flow_item": "5"})])
    book(org, owner, NOV, [(acc("560301").pk, "", "12"), (acc("1002").pk, "12", "", {"cash_flow_item": "2"})])
    book(org, owner, NOV, [(acc("5801").pk, "2000", ""), (acc("222111").pk, "", "2000")])
    statement = income_statement(organization=org, period=period(org))
    year, month = amounts(statement), amounts(statement, 1)
    assert (month[1], year[1]) == (D("10000"), D("12000"))
    assert (month[3], year[3], year[9]) == (D("0"), D("30"), D("30"))
    assert (month[18], month[19]) == (D("-12"), D("-12"))  # interest income shown with "-"
    assert month[21] == D("10000") - D("800") + D("12")
    assert month[30] == D("9212")
    assert (month[31], month[32]) == (D("2000"), D("7212"))
    assert year[32] == D("12000") - D("30") - D("800") + D("12") - D("2000")
    assert statement.balanced


# --- Cash-flow statement ------------------------------------------------------------------------------------


def test_cash_flow_statement_and_unassigned_cash(org, owner, acc, books):
    book(org, owner, NOV, [(acc("1002").pk, "700", ""), (acc("5051").pk, "", "700")])  # not tagged
    statement = cash_flow_statement(organization=org, period=period(org))
    month = amounts(statement, 1)
    assert (month[1], month[6], month[7]) == (D("7000"), D("800"), D("6200"))
    assert (month[15], month[19], month[20]) == (D("100000"), D("100000"), D("106200"))
    assert (month[21], month[22]) == (D("0"), D("106200"))
    assert statement.unassigned == [D("700"), D("700")]
    assert [c.right for c in statement.checks] == [D("106900"), D("106900")]  # cash accounts' closing balance
    assert statement.balanced
    assert [s.amounts[1] for s in statement.sources(UNASSIGNED)] == [D("700")]
    assert [s.voucher.number for s in statement.sources(1)] == [3, 4]


def test_cash_flow_item_must_be_known_and_on_a_cash_line(org, acc):
    def lines(item_on_cash, item_on_other=""):
        return [
            {"summary": "x", "account": acc("1002"), "debit": "1", "cash_flow_item": item_on_cash},
            {"summary": "x", "account": acc("5001"), "credit": "1", "cash_flow_item": item_on_other},
        ]

    for bad, field in ((lines("7"), "lines.1.cash_flow_item"), (lines("1", "1"), "lines.2.cash_flow_item")):
        with pytest.raises(InvalidInput) as exc:
            voucher_create(organization=org, actor=None, date=NOV, lines=bad)
        assert field in [e.field for e in exc.value.errors]
    assert (
        voucher_create(organization=org, actor=None, date=NOV, lines=lines("1")).lines.get(seq=1).cash_flow_item == "1"
    )


def test_is_cash_flag_is_editable(org, owner, acc):
    account_update(organization=org, actor=owner, account_id=acc("1121").pk, data={"is_cash": True})
    assert acc("1121").is_cash


def test_another_organizations_books_are_never_mixed_in(org, other_org, owner, books, acc):
    from tests.resources import owner_of

    theirs = owner_of(other_org)
    cash = statements.Account.objects.get(organization=other_org, code="1002")
    capital = statements.Account.objects.get(organization=other_org, code="3001")
    book(other_org, theirs, NOV, [(cash.pk, "999", "", {"cash_flow_item": "15"}), (capital.pk, "", "999")])
    assert amounts(balance_sheet(organization=org, period=period(org)))[1] == D("106200")
    assert amounts(cash_flow_statement(organization=org, period=period(org)), 1)[15] == D("100000")
    with pytest.raises(NotFound):
        balance_sheet(organization=org, period=period(other_org))


# --- Pages and API ------------------------------------------------------------------------------------------


def test_statement_pages_show_lines_checks_and_drill_down(org, books, owner_client, acc):
    nov = {"period": "2026-11"}
    page = owner_client.get("/accounting/statements/balance-sheet/", nov)
    html = page.content.decode()
    assert page.status_code == 200
    assert "货币资金" in html
    assert "106,200.00" in html
    assert 'id="statement-status"' in html
    assert owner_client.get("/accounting/statements/", nov).status_code == 200
    income = owner_client.get("/accounting/statements/income/", nov).content.decode()
    assert "9,200.00" in income
    flows = owner_client.get("/accounting/statements/cash-flow/", nov).content.decode()
    assert 'id="cash-unassigned"' in flows
    drill = owner_client.get("/accounting/statements/balance-sheet/line/", {**nov, "line": "34"})
    text = drill.content.decode()
    assert drill.status_code == 200
    ledger = f"/accounting/accounts/{acc('1122').pk}/ledger/?start=2026-01&end=2026-11&partner={books['c'].pk}"
    assert ledger in text
    assert "2,000.00" in text
    partial = owner_client.get("/accounting/statements/income/line/", {**nov, "line": "1"}, HTTP_HX_REQUEST="true")
    assert "<html" not in partial.content.decode()
    assert "5001" in partial.content.decode()
    cash = owner_client.get("/accounting/statements/cash-flow/line/", {**nov, "line": "1"}).content.decode()
    assert "/accounting/vouchers/" in cash
    assert owner_client.get("/accounting/statements/cash-flow/line/", {**nov, "line": "unassigned"}).status_code == 200
    assert owner_client.get("/accounting/statements/balance-sheet/line/", {**nov, "line": "99"}).status_code == 404
    assert owner_client.get("/accounting/statements/balance-sheet/line/", {**nov, "line": "x"}).status_code == 404
    assert owner_client.get("/accounting/statements/nonsense/", nov).status_code == 404


@pytest.mark.parametrize("params", [{"period": "99999999999999999999-1"}, {"period": "-"}, {"period": "2026-13"}, {}])
def test_statement_pages_shrug_off_absurd_periods(params, org, owner_client):
    for kind in ("balance-sheet", "income", "cash-flow"):
        assert owner_client.get(f"/accounting/statements/{kind}/", params).status_code == 200


def test_statement_exports(org, books, owner_client):
    from tests.resources import xlsx_rows

    r = owner_client.get("/accounting/statements/balance-sheet/", {"period": "2026-11", "export": "xlsx"})
    rows = xlsx_rows(r.content)
    assert rows[0] == ("资产", "行次", "期末余额", "年初余额", "负债和所有者权益", "行次", "期末余额", "年初余额")
    cash_row = next(row for row in rows if row[0] == "货币资金")
    assert (cash_row[1], Decimal(str(cash_row[2]))) == (1, D("106200"))
    assert ("编制单位", "测试贸易有限公司", None, None, None) in [row[:5] for row in rows]
    pdf = owner_client.get("/accounting/statements/income/", {"period": "2026-11", "export": "pdf"})
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")


def test_statements_api(org, books, owner_api):
    body = owner_api.get("/statements/balance-sheet", {"period": "2026-11"}).json()
    lines = {line["no"]: line for line in body["lines"]}
    assert (body["form_code"], body["period"], body["columns"]) == ("会小企01表", "2026-11", ["期末余额", "年初余额"])
    assert lines[30]["label"] == "资产总计"
    assert Decimal(lines[30]["amounts"][0]) == D("117500")
    assert isinstance(lines[30]["amounts"][0], str)
    assert body["balanced"]
    assert all(c["ok"] for c in body["checks"])
    income = owner_api.get("/statements/income", {"period": "2026-11"}).json()
    assert Decimal(income["lines"][-1]["amounts"][1]) == D("9200")
    flows = owner_api.get("/statements/cash-flow", {"period": "2026-11"}).json()
    assert [Decimal(a) for a in flows["unassigned"]] == [0, 0]
    bad = owner_api.get("/statements/income", {"period": "2026-1"})
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "period"
    missing = owner_api.get("/statements/income", {"period": "1999-01"})
    assert missing.status_code == 422
    assert missing.json()["errors"][0]["field"] == "period"


@pytest.mark.parametrize("role", ["finance", "sales", "warehouse"])
def test_statements_follow_the_permission_matrix(role, org, client_as, api_as):
    from suanpan.core.permissions import ROLE_PERMISSIONS, P

    expected = 200 if P.VIEW_LEDGER in ROLE_PERMISSIONS[role] else 403
    client, api = client_as(role), api_as(role)
    for kind in ("balance-sheet", "income", "cash-flow"):
        assert client.get(f"/accounting/statements/{kind}/").status_code == expected
        assert client.get(f"/accounting/statements/{kind}/line/", {"line": "1"}).status_code == expected
        assert api.get(f"/statements/{kind}", {"period": "2026-11"}).status_code == expected


def test_statement_pages_show_only_the_organizations_books(org, other_org, owner_client, owner_api):
    from tests.resources import owner_of

    theirs = owner_of(other_org)
    cash = statements.Account.objects.get(organization=other_org, code="1002")
    capital = statements.Account.objects.get(organization=other_org, code="3001")
    book(other_org, theirs, NOV, [(cash.pk, "98765.43", "", {"cash_flow_item": "15"}), (capital.pk, "", "98765.43")])
    for kind in ("balance-sheet", "income", "cash-flow"):
        assert (
            "98,765.43"
            not in owner_client.get(f"/accounting/statements/{kind}/", {"period": "2026-11"}).content.decode()
        )
        assert "98765.43" not in owner_api.get(f"/statements/{kind}", {"period": "2026-11"}).content.decode()
    drill = owner_client.get("/accounting/statements/balance-sheet/line/", {"period": "2026-11", "line": "1"})
    assert "98,765.43" not in drill.content.decode()


def test_voucher_entry_grid_tags_cash_lines(org, owner_client, acc):
    form = owner_client.get("/accounting/vouchers/new/").content.decode()
    assert 'data-name="cash_flow_item"' in form
    assert "15 吸收投资者投资收到的现金" in form
    r = owner_client.post(
        "/accounting/vouchers/new/",
        {
            "date": "2026-11-05",
            "word": "记",
            "attachments": "0",
            "lines-0-summary": "投资款",
            "lines-0-account": acc("1002").pk,
            "lines-0-debit": "5000",
            "lines-0-cash_flow_item": "15",
            "lines-1-summary": "投资款",
            "lines-1-account": acc("3001").pk,
            "lines-1-credit": "5000",
            "lines-1-cash_flow_item": "",
        },
    )
    assert r.status_code == 302
    voucher = statements.Voucher.objects.get(organization=org)
    assert [ln.cash_flow_item for ln in voucher.lines.order_by("seq")] == ["15", ""]
    detail = owner_client.get(f"/accounting/vouchers/{voucher.pk}/").content.decode()
    assert "15 吸收投资者投资收到的现金" in detail
    edit = owner_client.get(f"/accounting/vouchers/{voucher.pk}/edit/").content.decode()
    assert '<option value="15" selected>' in edit
    refused = owner_client.post(
        "/accounting/vouchers/new/",
        {
            "date": "2026-11-05",
            "lines-0-summary": "x",
            "lines-0-account": acc("1002").pk,
            "lines-0-debit": "1",
            "lines-1-summary": "x",
            "lines-1-account": acc("3001").pk,
            "lines-1-credit": "1",
            "lines-1-cash_flow_item": "15",
        },
    )
    assert refused.status_code == 422
    assert 'data-field="lines.2.cash_flow_item"' in refused.content.decode()


def test_api_refuses_a_cash_flow_item_on_a_line_that_is_not_cash(org, owner_api, acc):
    payload = {
        "date": "2026-11-05",
        "lines": [
            {"summary": "x", "account_id": acc("1002").pk, "debit": "1.00", "cash_flow_item": "99"},
            {"summary": "x", "account_id": acc("5001").pk, "credit": "1.00", "cash_flow_item": "1"},
        ],
    }
    r = owner_api.post("/vouchers", payload)
    assert r.status_code == 422
    assert {e["field"] for e in r.json()["errors"]} == {"lines.1.cash_flow_item", "lines.2.cash_flow_item"}
    assert not statements.Voucher.objects.filter(organization=org).exists()
