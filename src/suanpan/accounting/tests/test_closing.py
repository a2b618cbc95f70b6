"""Month-end close: checks, 结转损益, year-end carry, close/reopen. Amounts below are worked out by hand."""

import datetime
from decimal import Decimal

import pytest
from django.db.models import Sum
from django.utils import timezone

from suanpan.accounting import checks
from suanpan.accounting.choices import PERIOD_CLOSE_SOURCE, YEAR_END_SOURCE
from suanpan.accounting.closing import (
    _CHECKS,
    CheckResult,
    CloseRefused,
    close_checks,
    period_carry_forward,
    period_close,
    period_reopen,
    register_close_check,
)
from suanpan.accounting.models import AccountBalance, Period, Voucher, VoucherLine
from suanpan.accounting.opening import books_update, opening_balances_accept, opening_balances_unaccept
from suanpan.accounting.services import (
    account_update,
    voucher_create,
    voucher_post,
    voucher_reverse,
    voucher_review,
)
from suanpan.core.exceptions import DomainError, InvalidInput, NotFound, PermissionRefused
from suanpan.core.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def books_accepted(org, owner):
    """The books as set up by the owner: no opening balances, accepted (words 记/收/付/转)."""
    return opening_balances_accept(organization=org, actor=owner)


NOV = datetime.date(2026, 11, 5)
DEC = datetime.date(2026, 12, 10)


def period(org, year, month):
    return Period.objects.get(organization=org, year=year, month=month)


def book(org, maker, checker, day, *lines, word="记"):
    """Enter, review (by someone else) and post a voucher; lines are (code, debit, credit[, extra])."""
    rows = []
    for code, debit, credit, *extra in lines:
        rows.append(
            {"summary": "业务", "account": code, "debit": debit, "credit": credit, **(extra[0] if extra else {})}
        )
    v = voucher_create(organization=org, actor=maker, date=day, lines=rows, word=word)
    voucher_review(organization=org, actor=checker, voucher_id=v.pk)
    return voucher_post(organization=org, actor=checker, voucher_id=v.pk)


def close_until(org, actor, year, month):
    """Close every period of `year` from January up to and including `month` (nothing posted before it)."""
    for m in range(1, month + 1):
        p = period(org, year, m)
        if p.is_open:
            period_close(organization=org, actor=actor, period_id=p.pk)


def period_net(org, acc, code, p):
    """Debit-positive movement of an account in a period, from the posted lines."""
    sums = VoucherLine.objects.filter(
        organization=org, account=acc(code), voucher__status="posted", voucher__period=p
    ).aggregate(d=Sum("debit"), c=Sum("credit"))
    return (sums["d"] or 0) - (sums["c"] or 0)


def november_trading(org, acc, accountant, reviewer):
    """Revenue 10000 − return 500 = 9500; expenses 6000 + 850.50 + 12.30 = 6862.80; profit 2637.20."""
    book(
        org,
        accountant,
        reviewer,
        NOV,
        (acc("1002"), "11300.00", ""),
        (acc("5001"), "", "10000.00"),
        (acc("22210107"), "", "1300.00"),
    )
    book(org, accountant, reviewer, NOV, (acc("5001"), "500.00", ""), (acc("1002"), "", "500.00"))
    book(org, accountant, reviewer, NOV, (acc("5401"), "6000.00", ""), (acc("1405"), "", "6000.00"))
    book(org, accountant, reviewer, NOV, (acc("560205"), "850.50", ""), (acc("1001"), "", "850.50"))
    book(org, accountant, reviewer, NOV, (acc("560302"), "12.30", ""), (acc("1002"), "", "12.30"))


PNL = ("5001", "5401", "560205", "560302")


def test_close_carries_profit_and_loss_into_3103(org, acc, accountant, reviewer):
    close_until(org, accountant, 2026, 10)
    november_trading(org, acc, accountant, reviewer)
    nov = period(org, 2026, 11)

    closed = period_close(organization=org, actor=accountant, period_id=nov.pk)

    assert closed.status == "closed"
    carry = Voucher.objects.get(organization=org, source_type=PERIOD_CLOSE_SOURCE)
    assert (carry.status, carry.date, carry.source_id) == ("posted", datetime.date(2026, 11, 30), nov.pk)
    assert carry.word == "转"  # among the books' words
    assert carry.maker == accountant
    assert carry.reviewer is None  # reviewed by the close itself, see services.voucher_review_by_system
    assert carry.total_debit == Decimal("9500.00")  # 5001 debited; the rest credited: 6862.80 + 2637.20
    lines = {ln.account.code: (ln.debit, ln.credit) for ln in carry.lines.select_related("account")}
    assert lines == {
        "5001": (Decimal("9500.00"), Decimal("0")),
        "5401": (Decimal("0"), Decimal("6000.00")),
        "560205": (Decimal("0"), Decimal("850.50")),
        "560302": (Decimal("0"), Decimal("12.30")),
        "3103": (Decimal("0"), Decimal("2637.20")),
    }
    assert carry.lines.first().summary == "Carry forward the period's profit and loss"
    for code in PNL:
        assert period_net(org, acc, code, nov) == 0, code
    assert period_net(org, acc, "3103", nov) == Decimal("-2637.20")
    for problems in (
        checks.vouchers_balance(org),
        checks.balances_match_lines(org),
        checks.trial_balance_balances(org),
    ):
        assert problems == []
    event = AuditEvent.objects.get(object_type="accounting.period", object_id=str(nov.pk))
    assert event.changes["status"] == ["open", "closed"]
    assert event.changes["carry_voucher"] == carry.display_number
    results = {r.code: r.ok for r in close_checks(organization=org, period=nov)}
    assert all(results.values())  # other apps' registered checks (payables, stock) pass too
    accounting_codes = ("previous_period", "opening_balances", "unposted_vouchers", "trial_balance", "profit_and_loss")
    assert {code: results[code] for code in accounting_codes} == {
        "previous_period": True,
        "opening_balances": True,
        "unposted_vouchers": True,
        "trial_balance": True,
        "profit_and_loss": True,
    }


def test_carry_is_idempotent_and_carries_only_what_remains(org, acc, accountant, reviewer):
    november_trading(org, acc, accountant, reviewer)
    nov = period(org, 2026, 11)
    first = period_carry_forward(organization=org, actor=accountant, period_id=nov.pk)
    assert first is not None
    assert period_carry_forward(organization=org, actor=accountant, period_id=nov.pk) is None
    book(org, accountant, reviewer, NOV, (acc("560302"), "7.70", ""), (acc("1002"), "", "7.70"))
    second = period_carry_forward(organization=org, actor=accountant, period_id=nov.pk)
    lines = {ln.account.code: (ln.debit, ln.credit) for ln in second.lines.select_related("account")}
    assert lines == {"560302": (Decimal("0"), Decimal("7.70")), "3103": (Decimal("7.70"), Decimal("0"))}
    assert (first.display_number, second.display_number) == ("转-0001", "转-0002")  # 记 numbers run apart
    assert period_net(org, acc, "3103", nov) == Decimal("-2629.50")  # 2637.20 − 7.70
    assert Voucher.objects.filter(source_type=PERIOD_CLOSE_SOURCE).count() == 2


def test_carry_uses_the_word_and_keeps_dimensions_per_value(org, acc, accountant, reviewer):
    books_update(organization=org, actor=accountant, data={"voucher_words": ["付", "收"]})
    account_update(organization=org, actor=accountant, account_id=acc("560205").pk, data={"dimensions": ["department"]})
    book(
        org,
        accountant,
        reviewer,
        NOV,
        (acc("560205"), "100.00", "", {"department": "销售部"}),
        (acc("560205"), "200.00", "", {"department": "财务部"}),
        (acc("1001"), "", "300.00"),
        word="付",
    )
    book(
        org,
        accountant,
        reviewer,
        NOV,
        (acc("560205"), "", "30.00", {"department": "销售部"}),
        (acc("1001"), "30.00", ""),
        word="收",
    )
    nov = period(org, 2026, 11)
    carry = period_carry_forward(organization=org, actor=accountant, period_id=nov.pk)
    assert carry.word == "付"  # no 转 among the books' words: the first one
    rows = sorted((ln.account.code, ln.department, ln.debit, ln.credit) for ln in carry.lines.select_related("account"))
    assert rows == [
        ("3103", "", Decimal("270.00"), Decimal("0")),
        ("560205", "财务部", Decimal("0"), Decimal("200.00")),
        ("560205", "销售部", Decimal("0"), Decimal("70.00")),
    ]


def test_books_start_and_opening_acceptance(org, acc, accountant, owner):
    nov = period(org, 2026, 11)
    opening_balances_unaccept(organization=org, actor=owner)
    books_update(organization=org, actor=accountant, data={"start": "2026-11"})
    with pytest.raises(CloseRefused) as exc:
        period_close(organization=org, actor=accountant, period_id=nov.pk)
    assert [e.field for e in exc.value.errors] == ["checks.opening_balances"]
    opening_balances_accept(organization=org, actor=owner)
    period_close(organization=org, actor=accountant, period_id=nov.pk)  # the first period: no previous needed
    with pytest.raises(CloseRefused) as exc:
        period_close(organization=org, actor=accountant, period_id=period(org, 2026, 10).pk)
    assert "books start in 2026-11" in exc.value.message


def test_refused_while_vouchers_are_unposted_listing_them(org, acc, accountant, reviewer):
    close_until(org, accountant, 2026, 10)
    november_trading(org, acc, accountant, reviewer)
    draft = voucher_create(
        organization=org,
        actor=accountant,
        date=NOV,
        lines=[
            {"summary": "草稿", "account": acc("560302"), "debit": "1.00"},
            {"summary": "草稿", "account": acc("1002"), "credit": "1.00"},
        ],
    )
    nov = period(org, 2026, 11)
    results = {r.code: r for r in close_checks(organization=org, period=nov)}
    assert not results["unposted_vouchers"].ok
    assert [link.url for link in results["unposted_vouchers"].links] == [f"/accounting/vouchers/{draft.pk}/"]
    assert results["profit_and_loss"].automatic
    with pytest.raises(CloseRefused) as exc:
        period_close(organization=org, actor=accountant, period_id=nov.pk)
    assert [e.field for e in exc.value.errors] == ["checks.unposted_vouchers"]
    nov.refresh_from_db()
    assert nov.is_open
    assert not Voucher.objects.filter(source_type=PERIOD_CLOSE_SOURCE).exists()


def test_refused_while_the_previous_period_is_open(org, accountant):
    nov = period(org, 2026, 11)
    with pytest.raises(CloseRefused) as exc:
        period_close(organization=org, actor=accountant, period_id=nov.pk)
    assert [e.field for e in exc.value.errors] == ["checks.previous_period"]
    assert "Close 2026-10 first" in exc.value.errors[0].message
    assert not AuditEvent.objects.filter(object_type="accounting.period").exists()


def test_refused_when_the_trial_balance_does_not_balance(org, acc, accountant, reviewer):
    close_until(org, accountant, 2026, 10)
    book(org, accountant, reviewer, NOV, (acc("1002"), "100.00", ""), (acc("5001"), "", "100.00"))
    nov = period(org, 2026, 11)
    AccountBalance.objects.filter(account=acc("1002"), period=nov).update(debit=Decimal("90.00"))  # corruption
    with pytest.raises(CloseRefused) as exc:
        period_close(organization=org, actor=accountant, period_id=nov.pk)
    assert [e.field for e in exc.value.errors] == ["checks.trial_balance"]
    assert not Voucher.objects.filter(source_type=PERIOD_CLOSE_SOURCE).exists()


def test_a_registered_check_can_refuse(org, accountant):
    def no_january(*, organization, period):
        return CheckResult("demo", "Demo", ok=period.month != 1, message="January is refused")

    register_close_check(no_january)
    register_close_check(no_january)  # twice is once
    try:
        with pytest.raises(CloseRefused) as exc:
            period_close(organization=org, actor=accountant, period_id=period(org, 2026, 1).pk)
        assert [e.field for e in exc.value.errors] == ["checks.demo"]
    finally:
        _CHECKS.remove(no_january)
    assert no_january not in _CHECKS


@pytest.mark.parametrize("role", ["sales", "warehouse", "purchasing"])
def test_roles_without_close_permission_are_refused(org, member, role):
    with pytest.raises(PermissionRefused):
        period_close(organization=org, actor=member(role), period_id=period(org, 2026, 1).pk)
    with pytest.raises(PermissionRefused):
        period_carry_forward(organization=org, actor=member(role), period_id=period(org, 2026, 1).pk)
    assert period(org, 2026, 1).is_open


def test_another_organizations_period_is_not_found(org, other_org, owner):
    theirs = period(other_org, 2026, 1)
    with pytest.raises(NotFound):
        period_close(organization=org, actor=owner, period_id=theirs.pk)
    with pytest.raises(NotFound):
        period_reopen(organization=org, actor=owner, period_id=theirs.pk, reason="x")
    assert theirs.is_open


def test_closing_twice_is_refused(org, accountant):
    jan = period(org, 2026, 1)
    period_close(organization=org, actor=accountant, period_id=jan.pk)
    with pytest.raises(DomainError, match="already closed"):
        period_close(organization=org, actor=accountant, period_id=jan.pk)


def test_december_carries_the_year_and_opens_the_next(org, acc, accountant, reviewer):
    close_until(org, accountant, 2026, 10)
    november_trading(org, acc, accountant, reviewer)  # profit 2637.20
    period_close(organization=org, actor=accountant, period_id=period(org, 2026, 11).pk)
    # December: revenue 1000, expense 3000 → loss 2000; year's profit 2637.20 − 2000 = 637.20
    book(org, accountant, reviewer, DEC, (acc("1002"), "1000.00", ""), (acc("5001"), "", "1000.00"))
    book(org, accountant, reviewer, DEC, (acc("560205"), "3000.00", ""), (acc("1002"), "", "3000.00"))
    assert not Period.objects.filter(organization=org, year=2027).exists()
    dec = period(org, 2026, 12)

    period_close(organization=org, actor=accountant, period_id=dec.pk)

    carry = Voucher.objects.get(source_type=PERIOD_CLOSE_SOURCE, period=dec)
    assert {ln.account.code: (ln.debit, ln.credit) for ln in carry.lines.select_related("account")}["3103"] == (
        Decimal("2000.00"),
        Decimal("0"),
    )
    year_end = Voucher.objects.get(source_type=YEAR_END_SOURCE)
    assert (year_end.date, year_end.status, year_end.source_id) == (datetime.date(2026, 12, 31), "posted", dec.pk)
    assert {ln.account.code: (ln.debit, ln.credit) for ln in year_end.lines.select_related("account")} == {
        "3103": (Decimal("637.20"), Decimal("0")),
        "310405": (Decimal("0"), Decimal("637.20")),
    }
    year_3103 = AccountBalance.objects.filter(account=acc("3103"), partner__isnull=True).aggregate(
        d=Sum("debit"), c=Sum("credit")
    )
    assert year_3103["d"] == year_3103["c"]
    assert Period.objects.filter(organization=org, year=2027, status="open").count() == 12
    assert {r.code for r in close_checks(organization=org, period=dec)} >= {"year_profit"}
    assert all(r.ok for r in close_checks(organization=org, period=dec))


def test_reopen_the_latest_and_close_again_carries_only_the_change(org, acc, accountant, reviewer, owner):
    close_until(org, accountant, 2026, 10)
    november_trading(org, acc, accountant, reviewer)
    nov, oct_ = period(org, 2026, 11), period(org, 2026, 10)
    period_close(organization=org, actor=accountant, period_id=nov.pk)

    with pytest.raises(PermissionRefused):  # finance closes but does not reopen
        period_reopen(organization=org, actor=accountant, period_id=nov.pk, reason="补录")
    with pytest.raises(InvalidInput) as exc:
        period_reopen(organization=org, actor=owner, period_id=nov.pk, reason="  ")
    assert exc.value.errors[0].field == "reason"
    with pytest.raises(DomainError, match="reopen 2026-11 first"):
        period_reopen(organization=org, actor=owner, period_id=oct_.pk, reason="补录")
    with pytest.raises(DomainError, match="not closed"):
        period_reopen(organization=org, actor=owner, period_id=period(org, 2026, 12).pk, reason="补录")
    assert period(org, 2026, 11).status == period(org, 2026, 10).status == "closed"

    period_reopen(organization=org, actor=owner, period_id=nov.pk, reason="补录漏记的手续费")
    event = AuditEvent.objects.filter(object_type="accounting.period", object_id=str(nov.pk)).latest("pk")
    assert event.changes == {"status": ["closed", "open"], "reason": "补录漏记的手续费"}
    assert Voucher.objects.filter(source_type=PERIOD_CLOSE_SOURCE).count() == 1  # the carry stays
    book(org, accountant, reviewer, NOV, (acc("560302"), "20.00", ""), (acc("1002"), "", "20.00"))
    period_close(organization=org, actor=accountant, period_id=nov.pk)
    second = Voucher.objects.filter(source_type=PERIOD_CLOSE_SOURCE).latest("pk")
    assert {ln.account.code: (ln.debit, ln.credit) for ln in second.lines.select_related("account")} == {
        "560302": (Decimal("0"), Decimal("20.00")),
        "3103": (Decimal("20.00"), Decimal("0")),
    }
    assert period_net(org, acc, "3103", nov) == Decimal("-2617.20")


def test_closed_periods_refuse_entry_posting_and_reversal_into_them(org, acc, accountant, reviewer):
    close_until(org, accountant, 2026, 9)
    posted = book(
        org, accountant, reviewer, datetime.date(2026, 10, 8), (acc("1002"), "50.00", ""), (acc("5001"), "", "50.00")
    )
    waiting = voucher_create(
        organization=org,
        actor=accountant,
        date=datetime.date(2026, 10, 9),
        lines=[
            {"summary": "x", "account": acc("1002"), "debit": "5.00"},
            {"summary": "x", "account": acc("5001"), "credit": "5.00"},
        ],
    )
    voucher_review(organization=org, actor=reviewer, voucher_id=waiting.pk)
    with pytest.raises(CloseRefused):  # a reviewed, unposted voucher holds October open
        period_close(organization=org, actor=accountant, period_id=period(org, 2026, 10).pk)
    voucher_post(organization=org, actor=reviewer, voucher_id=waiting.pk)
    period_close(organization=org, actor=accountant, period_id=period(org, 2026, 10).pk)

    lines = [
        {"summary": "x", "account": acc("1002"), "debit": "1.00"},
        {"summary": "x", "account": acc("5001"), "credit": "1.00"},
    ]
    with pytest.raises(InvalidInput) as exc:
        voucher_create(organization=org, actor=accountant, date=datetime.date(2026, 10, 31), lines=lines)
    assert exc.value.errors[0].field == "date"
    with pytest.raises(InvalidInput) as exc:
        voucher_reverse(organization=org, actor=accountant, voucher_id=posted.pk, date=datetime.date(2026, 10, 31))
    assert exc.value.errors[0].field == "date"

    red = voucher_reverse(organization=org, actor=accountant, voucher_id=posted.pk)  # dated in an open period
    assert red.period.is_open
    assert red.date == timezone.localdate()
    assert red.lines.get(account=acc("1002")).debit == Decimal("-50.00")


def test_reversal_defaults_to_an_open_period_when_today_is_closed(org, acc, accountant, reviewer):
    posted = book(
        org, accountant, reviewer, datetime.date(2026, 1, 8), (acc("1002"), "50.00", ""), (acc("5001"), "", "50.00")
    )
    today = timezone.localdate()
    close_until(org, accountant, today.year, today.month)
    red = voucher_reverse(organization=org, actor=accountant, voucher_id=posted.pk)
    assert red.period.is_open
    assert (red.period.year, red.period.month) > (today.year, today.month)
    assert red.date == red.period.start
