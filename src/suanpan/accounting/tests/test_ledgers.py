"""总账 and 辅助账: figures worked out by hand from a few posted vouchers and opening balances.

The scenario: the books start in July 2026 with 应收账款 (1122) at 5,000.00 debit — customer A 3,000.00,
customer B 2,000.00 — and 8,000.00 debit / 3,000.00 credit already moved on it this year before the books;
实收资本 (3001) 5,000.00 credit balances it. Then:
  V1 2026-10-10  Dr 1122 (A) 1,130.00 / Cr 5001 1,000.00 / Cr 22210107 130.00
  V2 2026-11-05  Dr 1002 2,000.00 / Cr 1122 (B) 2,000.00
  V3 2026-11-20  Dr 1122 (B) 565.00 / Cr 5001 500.00 / Cr 22210107 65.00
"""

import datetime
import subprocess
from decimal import Decimal

import pytest
from django.conf import settings
from django.utils import translation
from tests.resources import account, make_voucher, xlsx_rows

from suanpan.accounting import checks, ledgers
from suanpan.accounting.models import Books, OpeningBalance, Period
from suanpan.accounting.services import voucher_create, voucher_post, voucher_review
from suanpan.core.exceptions import InvalidInput
from suanpan.partners.choices import PartnerRole
from suanpan.partners.services import partner_create

pytestmark = pytest.mark.django_db

D = Decimal


def pdf_text(content: bytes) -> str:
    """The text of a PDF, as poppler's pdftotext reads it (layout kept, so columns stay on their line)."""
    assert content.startswith(b"%PDF-"), content[:200]
    done = subprocess.run(["pdftotext", "-layout", "-", "-"], input=content, capture_output=True, check=True)  # noqa: S607
    return done.stdout.decode()


def period(org, year, month):
    return Period.objects.get(organization=org, year=year, month=month)


def book(org, maker, checker, day, lines):
    voucher = voucher_create(organization=org, actor=maker, date=day, lines=lines)
    voucher_review(organization=org, actor=checker, voucher_id=voucher.pk)
    return voucher_post(organization=org, actor=checker, voucher_id=voucher.pk)


@pytest.fixture
def scene(org, acc, member):
    from suanpan.accounting.services import fiscal_year_open

    fiscal_year_open(organization=org, year=2026)
    a = partner_create(organization=org, actor=None, role=PartnerRole.CUSTOMER, data={"name": "客户甲"})
    b = partner_create(organization=org, actor=None, role=PartnerRole.CUSTOMER, data={"name": "客户乙"})
    Books.objects.update_or_create(organization=org, defaults={"start": period(org, 2026, 7)})
    ob = OpeningBalance.objects.create
    ob(organization=org, account=acc("1122"), balance=D("5000"), ytd_debit=D("8000"), ytd_credit=D("3000"))
    ob(organization=org, account=acc("1122"), partner=a, balance=D("3000"))
    ob(organization=org, account=acc("1122"), partner=b, balance=D("2000"))
    ob(organization=org, account=acc("3001"), balance=D("-5000"))
    maker, checker = member("finance"), member("finance")
    book(
        org,
        maker,
        checker,
        datetime.date(2026, 10, 10),
        [
            {"summary": "销售", "account": acc("1122"), "debit": "1130.00", "partner": a},
            {"summary": "销售", "account": acc("5001"), "credit": "1000.00"},
            {"summary": "销项", "account": acc("22210107"), "credit": "130.00"},
        ],
    )
    book(
        org,
        maker,
        checker,
        datetime.date(2026, 11, 5),
        [
            {"summary": "收款", "account": acc("1002"), "debit": "2000.00"},
            {"summary": "收款", "account": acc("1122"), "credit": "2000.00", "partner": b},
        ],
    )
    book(
        org,
        maker,
        checker,
        datetime.date(2026, 11, 20),
        [
            {"summary": "销售", "account": acc("1122"), "debit": "565.00", "partner": b},
            {"summary": "销售", "account": acc("5001"), "credit": "500.00"},
            {"summary": "销项", "account": acc("22210107"), "credit": "65.00"},
        ],
    )
    return {"a": a, "b": b, "oct": period(org, 2026, 10), "nov": period(org, 2026, 11)}


def rows_of(gl):
    return [(line.kind, str(line.period), line.debit, line.credit, line.balance) for line in gl.lines]


def test_general_ledger_of_a_receivable_by_hand(org, acc, scene):
    gl = ledgers.general_ledger(organization=org, account=acc("1122"), start=scene["oct"], end=scene["nov"])
    assert rows_of(gl) == [
        ("opening", "2026-10", D("0"), D("0"), D("5000")),
        ("period", "2026-10", D("1130"), D("0"), D("6130")),
        ("year", "2026-10", D("9130"), D("3000"), D("6130")),  # 1130 + 8000 before the books; 0 + 3000
        ("period", "2026-11", D("565"), D("2000"), D("4695")),
        ("year", "2026-11", D("9695"), D("5000"), D("4695")),
    ]
    assert (gl.opening, gl.closing) == (D("5000"), D("4695"))
    assert [line.side for line in gl.lines] == ["Dr"] * 5
    assert [line.label for line in gl.lines[:3]] == ["Opening balance", "Total for the period", "Year to date"]


def test_general_ledger_of_a_parent_account_rolls_up_its_children(org, acc, scene):
    gl = ledgers.general_ledger(organization=org, account=acc("2221"), start=scene["nov"], end=scene["nov"])
    assert rows_of(gl) == [
        ("opening", "2026-11", D("0"), D("0"), D("-130")),
        ("period", "2026-11", D("0"), D("65"), D("-195")),
        ("year", "2026-11", D("0"), D("195"), D("-195")),
    ]
    assert gl.lines[-1].side == "Cr"
    assert gl.lines[-1].amount == D("195")


def test_general_ledger_before_the_books_year_leaves_out_their_ytd(org, acc, scene):
    """Periods of a year the books did not start in count only their own postings."""
    from suanpan.accounting.services import fiscal_year_open

    fiscal_year_open(organization=org, year=2027)
    jan = period(org, 2027, 1)
    gl = ledgers.general_ledger(organization=org, account=acc("1122"), start=jan, end=jan)
    assert rows_of(gl) == [
        ("opening", "2027-01", D("0"), D("0"), D("4695")),
        ("period", "2027-01", D("0"), D("0"), D("4695")),
        ("year", "2027-01", D("0"), D("0"), D("4695")),
    ]


def test_general_summary_of_first_level_accounts(org, acc, scene):
    summary = ledgers.general_summary(organization=org, start=scene["oct"], end=scene["nov"])
    by_code = {r.account.code: r for r in summary.rows}
    assert set(by_code) == {"1002", "1122", "2221", "3001", "5001"}
    r = by_code["1122"]
    assert (r.opening, r.debit, r.credit, r.ytd_debit, r.ytd_credit, r.closing) == (
        D("5000"),
        D("1695"),
        D("2000"),
        D("9695"),
        D("5000"),
        D("4695"),
    )
    assert (by_code["5001"].credit, by_code["5001"].closing, by_code["5001"].closing_side) == (
        D("1500"),
        D("-1500"),
        "Cr",
    )
    assert (by_code["3001"].opening_side, by_code["3001"].opening_amount) == ("Cr", D("5000"))
    assert summary.total_debit == summary.total_credit == D("1130") + D("2000") + D("565")
    assert all(r.account.level == 1 for r in summary.rows)


def test_auxiliary_ledger_by_customer(org, acc, scene):
    aux = ledgers.auxiliary_ledger(organization=org, account=acc("1122"), start=scene["oct"], end=scene["nov"])
    assert [(r.partner_name, r.opening, r.debit, r.credit, r.closing) for r in aux.rows] == [
        ("客户甲", D("3000"), D("1130"), D("0"), D("4130")),
        ("客户乙", D("2000"), D("565"), D("2000"), D("565")),
    ]
    total = aux.total
    assert (total.opening, total.debit, total.credit, total.closing) == (D("5000"), D("1695"), D("2000"), D("4695"))
    nov = ledgers.auxiliary_ledger(organization=org, account=acc("1122"), start=scene["nov"], end=scene["nov"])
    assert [(r.partner_name, r.opening, r.debit, r.credit, r.closing) for r in nov.rows] == [
        ("客户甲", D("4130"), D("0"), D("0"), D("4130")),
        ("客户乙", D("2000"), D("565"), D("2000"), D("565")),
    ]


def test_auxiliary_ledger_shows_what_no_partner_holds(org, acc, scene):
    OpeningBalance.objects.create(organization=org, account=acc("2202"), balance=D("-800"))
    aux = ledgers.auxiliary_ledger(organization=org, account=acc("2202"), start=scene["oct"], end=scene["nov"])
    assert [(r.partner_id, r.opening, r.closing, r.closing_side) for r in aux.rows] == [
        (None, D("-800"), D("-800"), "Cr")
    ]


def test_refusals_name_the_account_field(org, other_org, acc, scene):
    with pytest.raises(InvalidInput) as exc:
        ledgers.auxiliary_ledger(organization=org, account=acc("1002"), start=scene["oct"], end=scene["nov"])
    assert exc.value.errors[0].field == "account"
    with pytest.raises(InvalidInput) as exc:
        ledgers.account_by_code(organization=org, code="9999")
    assert exc.value.errors[0].field == "account"
    theirs = account(other_org, "1122")
    for read in (ledgers.general_ledger, ledgers.auxiliary_ledger):
        with pytest.raises(InvalidInput):
            read(organization=org, account=theirs, start=scene["oct"], end=scene["nov"])


def test_partner_accounts_are_the_ones_kept_by_customer_or_supplier(org):
    codes = set(ledgers.partner_accounts(organization=org).values_list("code", flat=True))
    assert {"1122", "1123", "2202", "2203"} <= codes
    assert "1002" not in codes
    assert "5001" not in codes


def test_the_books_stay_clean(org, scene):
    for check in (checks.vouchers_balance, checks.balances_match_lines, checks.trial_balance_balances):
        assert check(org) == [], check.__name__


# --- Pages and API -------------------------------------------------------------------------------------------


RANGE = {"start": "2026-10", "end": "2026-11"}


@pytest.fixture
def english(owner_client):
    """The owner's browser, switched to English (pages are Chinese by default)."""
    owner_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return owner_client


def test_general_ledger_page_excel_and_pdf(org, acc, scene, english):
    owner_client = english
    page = owner_client.get("/accounting/ledgers/general/", {**RANGE, "account": "1122"})
    assert page.status_code == 200
    assert page.context["ledger"].closing == D("4695")
    assert 'id="general-ledger"' in page.content.decode()
    summary = owner_client.get("/accounting/ledgers/general/", RANGE)
    assert summary.status_code == 200
    assert 'id="general-summary"' in summary.content.decode()
    assert 'href="?account=1122&start=2026-10&amp;end=2026-11"' in summary.content.decode()

    rows = xlsx_rows(
        owner_client.get("/accounting/ledgers/general/", {**RANGE, "account": "1122", "export": "xlsx"}).content
    )
    assert rows[0] == ("Period", "Summary", "Debit", "Credit", "Dr/Cr", "Balance")
    assert len(rows) == 1 + 5
    assert rows[-1] == ("2026-11", "Year to date", 9695, 5000, "Dr", 4695)
    all_rows = xlsx_rows(owner_client.get("/accounting/ledgers/general/", {**RANGE, "export": "xlsx"}).content)
    assert ("1122", "应收账款", "Dr", 5000, 1695, 2000, 9695, 5000, "Dr", 4695) in all_rows

    pdf = owner_client.get("/accounting/ledgers/general/", {**RANGE, "account": "1122", "export": "pdf"})
    assert pdf["Content-Type"] == "application/pdf"
    text = pdf_text(pdf.content)
    assert "应收账款" in text
    assert "4,695.00" in text
    assert "9,695.00" in text
    text = pdf_text(owner_client.get("/accounting/ledgers/general/", {**RANGE, "export": "pdf"}).content)
    assert "主营业务收入" in text
    assert "1,500.00" in text


def test_general_ledger_page_with_an_unknown_account_shows_the_summary(org, scene, owner_client):
    page = owner_client.get("/accounting/ledgers/general/", {**RANGE, "account": "9999"})
    assert page.status_code == 200
    assert page.context["ledger"] is None
    assert "9999" in page.content.decode()


def test_auxiliary_ledger_page_links_to_the_detail_ledger(org, acc, scene, english):
    owner_client = english
    page = owner_client.get("/accounting/ledgers/auxiliary/", {**RANGE, "account": "1122"})
    assert page.status_code == 200
    html = page.content.decode()
    link = f"/accounting/accounts/{acc('1122').pk}/ledger/?start=2026-10&amp;end=2026-11&partner={scene['b'].pk}"
    assert link in html
    detail = owner_client.get(
        f"/accounting/accounts/{acc('1122').pk}/ledger/", {**RANGE, "partner": scene["b"].pk}
    ).context
    assert (detail["opening"], detail["closing"]) == (D("2000"), D("565"))  # the aux row's opening and closing
    default = owner_client.get("/accounting/ledgers/auxiliary/", RANGE)
    assert default.context["aux"].account.code == "1122"  # the first account kept by customer/supplier
    rows = xlsx_rows(
        owner_client.get("/accounting/ledgers/auxiliary/", {**RANGE, "account": "1122", "export": "xlsx"}).content
    )
    assert rows[1][1:] == ("客户甲", "Dr", 3000, 1130, 0, "Dr", 4130)
    assert rows[-1][1:] == ("Total", "Dr", 5000, 1695, 2000, "Dr", 4695)
    refused = owner_client.get("/accounting/ledgers/auxiliary/", {**RANGE, "account": "1002"})
    assert refused.status_code == 200
    assert refused.context["aux"] is None


def test_detail_ledger_and_trial_balance_exports(org, acc, scene, english):
    owner_client = english
    url = f"/accounting/accounts/{acc('1122').pk}/ledger/"
    rows = xlsx_rows(owner_client.get(url, {**RANGE, "export": "xlsx"}).content)
    assert rows[1][2:] == ("Opening balance", None, None, None, "Dr", 5000)
    assert [r[1] for r in rows[2:-1]] == ["记-0001", "记-0001", "记-0002"]  # numbered per period
    assert rows[2][3:6] == ("客户甲", 1130, None)
    assert rows[-1][2:] == ("Closing balance", None, None, None, "Dr", 4695)
    text = pdf_text(owner_client.get(url, {**RANGE, "export": "pdf"}).content)
    assert "记-0002" in text
    assert "4,695.00" in text
    tb = owner_client.get("/accounting/trial-balance/", {**RANGE, "export": "pdf"})
    assert tb["Content-Type"] == "application/pdf"
    text = pdf_text(tb.content)
    assert "应交增值税" in text
    assert "3,695.00" in text  # total movements: 1,130 + 2,000 + 565


def test_ledger_pages_speak_chinese_sides_through_i18n(org, acc, scene, owner_client):
    """Pages are Chinese by default; the side of a balance comes from the catalog, in the page's language."""
    with translation.override("zh-hans"):
        dr, opening = translation.pgettext("balance side", "Dr"), translation.gettext("Opening balance")
    for page in (f"/accounting/accounts/{acc('1122').pk}/ledger/", "/accounting/ledgers/general/"):
        html = owner_client.get(page, {**RANGE, "account": "1122"}).content.decode()
        assert f"<td>{dr}</td>" in html, page
        assert opening in html, page


def test_api_general_and_auxiliary(org, acc, scene, owner_api, other_org):
    r = owner_api.get("/ledgers/general", {"account": "1122", "from": "2026-10", "to": "2026-11"})
    assert r.status_code == 200, r.content
    body = r.json()
    assert (body["account_code"], D(body["opening"]), D(body["closing"])) == ("1122", D("5000"), D("4695"))
    assert [(ln["kind"], D(ln["debit"]), D(ln["credit"])) for ln in body["lines"]][-1] == ("year", D("9695"), D("5000"))
    r = owner_api.get("/ledgers/auxiliary", {"account": "1122", "from": "2026-10", "to": "2026-11"})
    assert r.status_code == 200, r.content
    assert [(row["partner_name"], D(row["closing"])) for row in r.json()["rows"]] == [
        ("客户甲", D("4130")),
        ("客户乙", D("565")),
    ]
    assert D(r.json()["total"]["closing"]) == D("4695")


@pytest.mark.parametrize(
    ("path", "params", "field"),
    [
        ("/ledgers/general", {"account": "9999", "from": "2026-10", "to": "2026-11"}, "account"),
        ("/ledgers/general", {"account": "1122", "from": "1999-10", "to": "2026-11"}, "from"),
        ("/ledgers/general", {"account": "1122", "from": "2026-11", "to": "2026-10"}, "to"),
        ("/ledgers/general", {"account": "1122", "from": "2026-1", "to": "2026-11"}, "from"),
        ("/ledgers/auxiliary", {"account": "1002", "from": "2026-10", "to": "2026-11"}, "account"),
        ("/ledgers/auxiliary", {"from": "2026-10", "to": "2026-11"}, "account"),
    ],
)
def test_api_refusals_name_the_field(path, params, field, org, scene, owner_api):
    r = owner_api.get(path, params)
    assert r.status_code == 422, r.content
    assert field in [e["field"] for e in r.json()["errors"]]


def test_ledgers_need_view_ledger(org, scene, client_as, api_as):
    params = {"account": "1122", "from": "2026-10", "to": "2026-11"}
    assert api_as("sales").get("/ledgers/general", params).status_code == 403
    assert api_as("sales").get("/ledgers/auxiliary", params).status_code == 403
    assert api_as("finance").get("/ledgers/general", params).status_code == 200
    sales = client_as("sales")
    assert sales.get("/accounting/ledgers/general/").status_code == 403
    assert sales.get("/accounting/ledgers/auxiliary/").status_code == 403
    assert client_as("finance").get("/accounting/ledgers/auxiliary/").status_code == 200


def test_another_organizations_postings_stay_out(org, other_org, owner_client):
    make_voucher(other_org, name="别家凭证", state="posted")
    page = owner_client.get("/accounting/ledgers/general/").content.decode()
    assert "10.00" not in page
    rows = xlsx_rows(owner_client.get("/accounting/ledgers/general/", {"export": "xlsx"}).content)
    assert rows[1:] == []


def test_trial_balance_exports_and_api_carry_the_year_to_date(org, acc, scene, english, api_as):
    """本年累计 of 1122: the opening's year-to-date 8,000 / 3,000 plus October–November's 1,695 / 2,000 → 9,695 /
    5,000 (the same figures as the general ledger's 'year' line) — on the page, in Excel, in the PDF and the API."""
    rows = xlsx_rows(english.get("/accounting/trial-balance/", {**RANGE, "export": "xlsx"}).content)
    assert rows[0][6:8] == ("Year-to-date debit", "Year-to-date credit")
    receivable = next(r for r in rows if r[0] == "1122")
    assert (receivable[6], receivable[7]) == (9695, 5000)
    text = pdf_text(english.get("/accounting/trial-balance/", {**RANGE, "export": "pdf"}).content)
    assert "Year to date" in text
    assert "9,695.00" in text
    body = api_as("finance").get("/trial-balance", RANGE).json()
    row = next(r for r in body["rows"] if r["code"] == "1122")
    assert (D(row["ytd_debit"]), D(row["ytd_credit"])) == (D("9695"), D("5000"))
    # totals: the opening's year-to-date (8,000 / 3,000, this fixture enters 1122's only) + movements 3,695 each side
    assert (D(body["total_ytd_debit"]), D(body["total_ytd_credit"])) == (D("11695"), D("6695"))
