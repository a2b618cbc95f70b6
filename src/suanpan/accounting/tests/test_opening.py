"""Books set-up and opening balances: services, their refusals and their effect on the ledgers."""

import datetime
from decimal import Decimal

import pytest

from suanpan.accounting import checks, reports
from suanpan.accounting.models import Books, OpeningBalance, Period, Voucher
from suanpan.accounting.opening import (
    books_get,
    books_update,
    opening_balance_list,
    opening_balances_accept,
    opening_balances_save,
    opening_balances_unaccept,
    opening_grid,
    opening_trial_balance,
)
from suanpan.accounting.services import fiscal_year_open, voucher_create, voucher_post, voucher_review
from suanpan.core.exceptions import DomainError, InvalidInput, PermissionRefused
from suanpan.core.models import AuditEvent
from suanpan.partners.choices import PartnerRole
from suanpan.partners.services import partner_create

pytestmark = pytest.mark.django_db

D = Decimal


@pytest.fixture
def partners(org):
    make = lambda role, name: partner_create(organization=org, actor=None, role=role, data={"name": name})  # noqa: E731
    return {
        "a": make(PartnerRole.CUSTOMER, "客户甲"),
        "b": make(PartnerRole.CUSTOMER, "客户乙"),
        "s": make(PartnerRole.SUPPLIER, "供应商丙"),
    }


def balanced_rows(partners):
    """Cash 5,000 + bank 120,000 + AR 11,300 + 2,000 + fixed assets 50,000 = 188,300 debit;
    depreciation 10,000 + AP 8,300 + capital 170,000 = 188,300 credit."""
    return [
        {"account": "1001", "balance": "5000.00"},
        {"account": "1002", "balance": "120000"},
        {"account": "1122", "partner": partners["a"], "balance": "11300.00"},
        {"account": "1122", "partner": partners["b"].pk, "balance": "2000"},
        {"account": "1601", "balance": "50000"},
        {"account": "1602", "balance": "-10000"},
        {"account": "2202", "partner": partners["s"], "balance": "-8300"},
        {"account": "3001", "balance": "-170000"},
    ]


def post_voucher(org, owner, day, lines):
    v = voucher_create(organization=org, actor=None, date=day, lines=lines)
    voucher_review(organization=org, actor=owner, voucher_id=v.pk)
    return voucher_post(organization=org, actor=owner, voucher_id=v.pk)


def cash_to_bank(acc, amount="500.00"):
    return [
        {"summary": "存现", "account": acc("1002"), "debit": amount},
        {"summary": "存现", "account": acc("1001"), "credit": amount},
    ]


# Books -----------------------------------------------------------------------------------------------------


def test_books_are_made_on_first_use(org):
    books = books_get(organization=org)
    year = Period.objects.filter(organization=org).order_by("year").first().year
    assert (books.start.year, books.start.month) == (year, 1)
    assert books.voucher_words == ["记", "收", "付", "转"]
    assert not books.opening_accepted
    assert books_get(organization=org).pk == books.pk
    assert Books.objects.filter(organization=org).count() == 1


def test_books_start_at_the_earliest_year_and_open_one_when_there_is_none(org, other_org):
    Period.objects.filter(organization=org).delete()
    Period.objects.create(
        organization=org, year=2024, month=7, start=datetime.date(2024, 7, 1), end=datetime.date(2024, 7, 31)
    )
    assert str(books_get(organization=org).start) == "2024-07"
    Period.objects.filter(organization=other_org).delete()
    books = books_get(organization=other_org)
    assert books.start.month == 1
    assert Period.objects.filter(organization=other_org).count() == 12


def test_books_update_changes_start_and_words(org, owner, acc):
    books = books_update(organization=org, actor=owner, data={"start": "2026-03", "voucher_words": ["记", "现收"]})
    assert (str(books.start), books.voucher_words) == ("2026-03", ["记", "现收"])
    event = AuditEvent.objects.get(object_type="accounting.books", action="update")
    assert event.changes["start"] == ["2026-01", "2026-03"]
    # vouchers use the organization's words, and none dated before the start
    v = voucher_create(
        organization=org, actor=None, date=datetime.date(2026, 3, 2), lines=cash_to_bank(acc), word="现收"
    )
    assert v.word == "现收"
    with pytest.raises(InvalidInput) as exc:
        voucher_create(organization=org, actor=None, date=datetime.date(2026, 3, 2), lines=cash_to_bank(acc), word="转")
    assert exc.value.errors[0].field == "word"
    with pytest.raises(InvalidInput) as exc:
        voucher_create(organization=org, actor=None, date=datetime.date(2026, 2, 28), lines=cash_to_bank(acc))
    assert exc.value.errors[0].field == "date"
    assert "The books start in 2026-03" in exc.value.errors[0].message


def test_a_later_year_start_opens_that_year(org, owner):
    books = books_update(organization=org, actor=owner, data={"start": "2027-04"})
    assert str(books.start) == "2027-04"
    assert Period.objects.filter(organization=org, year=2027).count() == 12


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"start": "2026-13"}, "start"),
        ({"start": "March"}, "start"),
        ({"start": None}, "start"),
        ({"voucher_words": []}, "voucher_words"),
        ({"voucher_words": "记"}, "voucher_words"),
        ({"voucher_words": ["记账凭证"]}, "voucher_words"),
        ({"voucher_words": ["记", "记"]}, "voucher_words"),
        ({"voucher_words": [""]}, "voucher_words"),
        ({"voucher_words": [1]}, "voucher_words"),
        ({"opening_accepted_at": "2026-01-01"}, "opening_accepted_at"),
    ],
)
def test_books_update_refuses_bad_input(org, owner, data, field):
    before = books_get(organization=org)
    with pytest.raises(InvalidInput) as exc:
        books_update(organization=org, actor=owner, data=data)
    assert exc.value.errors[0].field == field
    after = Books.objects.get(organization=org)
    assert (after.start_id, after.voucher_words) == (before.start_id, before.voucher_words)


def test_a_word_in_use_cannot_be_removed(org, owner, acc):
    voucher_create(organization=org, actor=None, date=datetime.date(2026, 5, 5), lines=cash_to_bank(acc), word="收")
    with pytest.raises(InvalidInput) as exc:
        books_update(organization=org, actor=owner, data={"voucher_words": ["记", "付", "转"]})
    assert exc.value.errors[0].field == "voucher_words"
    assert "收" in exc.value.errors[0].message
    assert books_update(organization=org, actor=owner, data={"voucher_words": ["收", "记"]}).voucher_words == [
        "收",
        "记",
    ]


def test_the_start_is_fixed_once_posted_or_accepted_or_with_earlier_vouchers(org, owner, acc):
    draft = voucher_create(organization=org, actor=None, date=datetime.date(2026, 2, 10), lines=cash_to_bank(acc))
    with pytest.raises(DomainError) as exc:
        books_update(organization=org, actor=owner, data={"start": "2026-03"})
    assert exc.value.field == "start"
    assert "2026-02-10" in exc.value.message
    Voucher.objects.filter(pk=draft.pk).delete()

    opening_balances_accept(organization=org, actor=owner)  # nothing entered: 0 = 0
    with pytest.raises(DomainError, match="accepted"):
        books_update(organization=org, actor=owner, data={"start": "2026-03"})
    opening_balances_unaccept(organization=org, actor=owner)

    post_voucher(org, owner, datetime.date(2026, 4, 1), cash_to_bank(acc))
    with pytest.raises(DomainError, match="posted"):
        books_update(organization=org, actor=owner, data={"start": "2026-03"})
    assert str(books_get(organization=org).start) == "2026-01"
    # the words still change
    assert books_update(organization=org, actor=owner, data={"voucher_words": ["记", "现"]}).voucher_words == [
        "记",
        "现",
    ]


def test_books_update_needs_manage_accounts(org, member):
    with pytest.raises(PermissionRefused):
        books_update(organization=org, actor=member("sales"), data={"voucher_words": ["记"]})
    assert books_update(organization=org, actor=member("finance"), data={"voucher_words": ["记"]}).voucher_words == [
        "记"
    ]


# Opening balances ------------------------------------------------------------------------------------------


def test_save_and_trial_balance_check(org, owner, partners, acc):
    check = opening_balances_save(organization=org, actor=owner, rows=balanced_rows(partners))
    assert (check.debit, check.credit, check.difference) == (D("188300.00"), D("188300.00"), D("0"))
    assert check.balanced
    by_cat = {c.category: (c.debit, c.credit) for c in check.categories}
    assert by_cat["asset"] == (D("188300.00"), D("10000.00"))
    assert by_cat["liability"] == (D("0"), D("8300.00"))
    assert by_cat["equity"] == (D("0"), D("170000.00"))
    # the AR total row is the sum of its partner rows, kept by the service
    ar = {o.partner_id: o.balance for o in OpeningBalance.objects.filter(account=acc("1122"))}
    assert ar == {None: D("13300.00"), partners["a"].pk: D("11300.00"), partners["b"].pk: D("2000.00")}
    event = AuditEvent.objects.get(object_type="accounting.books", action="update")
    assert event.changes["rows"] == 8


def test_rows_upsert_and_zero_removes(org, owner, partners, acc):
    opening_balances_save(organization=org, actor=owner, rows=balanced_rows(partners))
    check = opening_balances_save(
        organization=org,
        actor=owner,
        rows=[
            {"account": "1122", "partner": partners["b"], "balance": "0"},
            {"account": "1001", "balance": "7000"},
        ],
    )
    # AR loses 2,000, cash gains 2,000: still 188,300 on each side
    assert (check.debit, check.credit) == (D("188300.00"), D("188300.00"))
    ar = {o.partner_id: o.balance for o in OpeningBalance.objects.filter(account=acc("1122"))}
    assert ar == {None: D("11300.00"), partners["a"].pk: D("11300.00")}
    opening_balances_save(organization=org, actor=owner, rows=[{"account": "1122", "partner": partners["a"]}])
    assert not OpeningBalance.objects.filter(account=acc("1122")).exists()
    assert opening_trial_balance(organization=org).difference == D("-11300.00")


def _refused(org, owner, rows):
    before = list(OpeningBalance.objects.filter(organization=org).values())
    with pytest.raises(InvalidInput) as exc:
        opening_balances_save(organization=org, actor=owner, rows=rows)
    assert list(OpeningBalance.objects.filter(organization=org).values()) == before
    return {e.field: e.message for e in exc.value.errors}


def test_save_refuses_bad_rows_and_saves_nothing(org, owner, partners, other_org):
    theirs = partner_create(organization=other_org, actor=None, role=PartnerRole.CUSTOMER, data={"name": "别家客户"})
    errors = _refused(
        org,
        owner,
        [
            {"account": "1001", "balance": "100"},  # fine on its own, but the save is all or nothing
            {"account": "1012", "balance": "5"},  # has sub-accounts
            {"account": "9999", "balance": "5"},
            {"account": "1122", "balance": "5"},  # kept by customer: partner required
            {"account": "1002", "partner": partners["a"], "balance": "5"},  # not kept by partner
            {"account": "1002", "balance": "1.005"},
            {"account": "1002", "balance": "abc"},
            {"account": "1122", "partner": theirs.pk, "balance": "5"},
            {"account": "1403", "ytd_debit": "5"},  # the books start in January
            {"account": "1001", "balance": "1"},  # twice
        ],
    )
    assert set(errors) == {
        "rows.2.account",
        "rows.3.account",
        "rows.4.partner",
        "rows.5.partner",
        "rows.6.balance",
        "rows.7.balance",
        "rows.8.partner",
        "rows.9.ytd_debit",
        "rows.10.account",
    }
    assert "1012" in errors["rows.2.account"]
    assert not OpeningBalance.objects.filter(organization=org).exists()


def test_another_organizations_account_code_is_its_own(org, other_org, owner):
    opening_balances_save(organization=org, actor=owner, rows=[{"account": "1001", "balance": "10"}])
    assert not OpeningBalance.objects.filter(organization=other_org).exists()
    assert opening_trial_balance(organization=other_org).debit == 0


def test_save_needs_manage_accounts(org, member):
    with pytest.raises(PermissionRefused):
        opening_balances_save(organization=org, actor=member("sales"), rows=[{"account": "1001", "balance": "1"}])
    assert not OpeningBalance.objects.filter(organization=org).exists()


def test_accept_refuses_an_unbalanced_opening_naming_the_difference(org, owner, partners):
    rows = balanced_rows(partners)
    rows[-1] = {"account": "3001", "balance": "-160000"}
    check = opening_balances_save(organization=org, actor=owner, rows=rows)
    assert check.difference == D("10000.00")
    with pytest.raises(DomainError) as exc:
        opening_balances_accept(organization=org, actor=owner)
    assert "10000.00" in exc.value.message
    assert not books_get(organization=org).opening_accepted
    assert checks.trial_balance_balances(org) == []  # not accepted: work in progress, not a ledger problem


def test_accept_freezes_and_unaccept_needs_reopen_period(org, owner, partners, member, acc):
    opening_balances_save(organization=org, actor=owner, rows=balanced_rows(partners))
    accountant = member("finance")
    books = opening_balances_accept(organization=org, actor=accountant)
    assert books.opening_accepted
    assert books.opening_accepted_by == accountant
    assert AuditEvent.objects.filter(object_type="accounting.books", action="state").count() == 1
    with pytest.raises(DomainError, match="accepted"):
        opening_balances_save(organization=org, actor=owner, rows=[{"account": "1001", "balance": "1"}])
    with pytest.raises(DomainError, match="already"):
        opening_balances_accept(organization=org, actor=owner)
    with pytest.raises(PermissionRefused):  # finance may not reopen
        opening_balances_unaccept(organization=org, actor=accountant)
    assert not opening_balances_unaccept(organization=org, actor=owner).opening_accepted
    opening_balances_accept(organization=org, actor=owner)
    post_voucher(org, owner, datetime.date(2026, 1, 5), cash_to_bank(acc))
    with pytest.raises(DomainError, match="posted"):
        opening_balances_unaccept(organization=org, actor=owner)
    assert books_get(organization=org).opening_accepted
    assert checks.trial_balance_balances(org) == []


def test_openings_show_in_trial_balance_and_detail_ledger(org, owner, partners, acc):
    opening_balances_save(organization=org, actor=owner, rows=balanced_rows(partners))
    opening_balances_accept(organization=org, actor=owner)
    post_voucher(org, owner, datetime.date(2026, 2, 3), cash_to_bank(acc, "1500.00"))
    feb = Period.objects.get(organization=org, year=2026, month=2)
    jan = Period.objects.get(organization=org, year=2026, month=1)
    tb = reports.trial_balance(organization=org, start=feb, end=feb)
    rows = {r.account.code: r for r in tb.rows}
    assert rows["1001"].opening_sides == (D("5000.00"), D("0"))
    assert rows["1001"].closing_sides == (D("3500.00"), D("0"))
    assert rows["1602"].opening_sides == (D("0"), D("10000.00"))
    assert rows["3001"].closing_sides == (D("0"), D("170000.00"))
    assert (tb.total_opening_debit, tb.total_opening_credit) == (D("188300.00"), D("188300.00"))
    assert (tb.total_closing_debit, tb.total_closing_credit) == (D("188300.00"), D("188300.00"))
    assert tb.balanced
    opening, entries = reports.detail_ledger(organization=org, account=acc("1122"), start=jan, end=feb)
    assert (opening, entries) == (D("13300.00"), [])
    opening, _entries = reports.detail_ledger(
        organization=org, account=acc("1122"), start=jan, end=feb, partner_id=partners["b"].pk
    )
    assert opening == D("2000.00")
    opening, entries = reports.detail_ledger(organization=org, account=acc("1001"), start=jan, end=feb)
    assert (opening, entries[-1].balance) == (D("5000.00"), D("3500.00"))
    assert checks.vouchers_balance(org) == []
    assert checks.balances_match_lines(org) == []
    assert checks.trial_balance_balances(org) == []


def test_mid_year_books_carry_year_to_date_amounts(org, owner, acc):
    """Books from March: January–February sold 30,000 for cash (Dr 1002 / Cr 5001) and closed the revenue into
    本年利润 (Dr 5001 / Cr 3103). The opening: bank 30,000 debit, 本年利润 30,000 credit; ytd as moved."""
    books_update(organization=org, actor=owner, data={"start": "2026-03"})
    rows = [
        {"account": "1002", "balance": "30000", "ytd_debit": "30000"},
        {"account": "5001", "ytd_debit": "30000", "ytd_credit": "30000"},
        {"account": "3103", "balance": "-30000", "ytd_credit": "30000"},
    ]
    check = opening_balances_save(organization=org, actor=owner, rows=rows)
    assert (check.ytd_debit, check.ytd_credit, check.balanced) == (D("60000.00"), D("60000.00"), True)
    # an unbalanced ytd is refused at acceptance, naming it
    opening_balances_save(organization=org, actor=owner, rows=[{"account": "3103", "balance": "-30000"}])
    with pytest.raises(DomainError, match="year-to-date"):
        opening_balances_accept(organization=org, actor=owner)
    opening_balances_save(organization=org, actor=owner, rows=[rows[2]])
    opening_balances_accept(organization=org, actor=owner)
    post_voucher(org, owner, datetime.date(2026, 3, 9), cash_to_bank(acc, "500.00"))  # Dr 1002 / Cr 1001
    march = Period.objects.get(organization=org, year=2026, month=3)
    tb = reports.trial_balance(organization=org, start=march, end=march)
    row = {r.account.code: r for r in tb.rows}
    assert (row["1002"].opening, row["1002"].debit, row["1002"].closing) == (D("30000"), D("500"), D("30500"))
    assert (row["1002"].ytd_debit, row["1002"].ytd_credit) == (D("30500.00"), D("0"))
    assert (row["1001"].ytd_debit, row["1001"].ytd_credit) == (D("0"), D("500.00"))
    assert (row["5001"].ytd_debit, row["5001"].ytd_credit) == (D("30000.00"), D("30000.00"))
    assert (tb.total_ytd_debit, tb.total_ytd_credit) == (D("60500.00"), D("60500.00"))
    # the next year no longer counts the opening's year-to-date amounts
    fiscal_year_open(organization=org, year=2027)
    jan = Period.objects.get(organization=org, year=2027, month=1)
    row = {r.account.code: r for r in reports.trial_balance(organization=org, start=jan, end=jan).rows}
    assert (row["1002"].opening, row["1002"].ytd_debit) == (D("30500.00"), D("0"))
    assert checks.trial_balance_balances(org) == []


def test_moving_the_start_to_january_needs_the_ytd_cleared(org, owner):
    books_update(organization=org, actor=owner, data={"start": "2026-03"})
    opening_balances_save(
        organization=org, actor=owner, rows=[{"account": "5001", "ytd_debit": "1", "ytd_credit": "1"}]
    )
    with pytest.raises(DomainError, match="year-to-date"):
        books_update(organization=org, actor=owner, data={"start": "2026-01"})
    opening_balances_save(organization=org, actor=owner, rows=[{"account": "5001"}])
    assert str(books_update(organization=org, actor=owner, data={"start": "2026-01"}).start) == "2026-01"


def test_grid_rolls_parents_up_and_shows_normal_direction(org, owner):
    opening_balances_save(
        organization=org,
        actor=owner,
        rows=[{"account": "22210101", "balance": "130"}, {"account": "101201", "balance": "70"}],
    )
    grid = {r.account.code: r for r in opening_grid(organization=org)}
    assert grid["1012"].leaf is False
    assert grid["1012"].balance == D("70.00")
    # 进项税额 is a debit sub-account of the credit account 应交税费: 130 debit is -130 in 2221's direction
    assert grid["22210101"].shown == D("130.00")
    assert grid["2221"].shown == D("-130.00")
    assert [o.account.code for o in opening_balance_list(organization=org)] == ["101201", "22210101"]


def test_verify_names_a_partner_total_that_drifted(org, owner, partners, acc):
    opening_balances_save(organization=org, actor=owner, rows=balanced_rows(partners))
    assert checks.trial_balance_balances(org) == []
    OpeningBalance.objects.filter(account=acc("1122"), partner=partners["b"]).update(balance=D("2500.00"))
    assert checks.trial_balance_balances(org) == [
        f"account #{acc('1122').pk}: opening total 13300.00 ≠ its partner rows 13800.00"
    ]
