from decimal import Decimal

import pytest

from suanpan.accounting.models import Period
from suanpan.accounting.reports import detail_ledger, trial_balance
from suanpan.accounting.services import voucher_create, voucher_post, voucher_review
from suanpan.accounting.tests.conftest import DAY

pytestmark = pytest.mark.django_db


def book(org, accountant, reviewer, day, lines):
    v = voucher_create(organization=org, actor=accountant, date=day, lines=lines)
    voucher_review(organization=org, actor=reviewer, voucher_id=v.pk)
    return voucher_post(organization=org, actor=reviewer, voucher_id=v.pk)


def test_trial_balance_of_a_small_month(org, acc, customer, accountant, reviewer):
    october, november = DAY.replace(month=10), DAY
    book(
        org,
        accountant,
        reviewer,
        october,
        [
            {"summary": "股东投入", "account": acc("1002"), "debit": "100000"},
            {"summary": "股东投入", "account": acc("3001"), "credit": "100000"},
        ],
    )
    book(
        org,
        accountant,
        reviewer,
        november,
        [
            {"summary": "销售", "account": acc("1122"), "debit": "11300", "partner": customer},
            {"summary": "销售", "account": acc("5001"), "credit": "10000"},
            {"summary": "销项", "account": acc("22210107"), "credit": "1300"},
        ],
    )
    book(
        org,
        accountant,
        reviewer,
        november,
        [
            {"summary": "收款", "account": acc("1002"), "debit": "5000"},
            {"summary": "收款", "account": acc("1122"), "credit": "5000", "partner": customer},
        ],
    )
    nov = Period.objects.get(organization=org, year=2026, month=11)
    tb = trial_balance(organization=org, start=nov, end=nov)
    by_code = {r.account.code: r for r in tb.rows}
    assert by_code["1002"].opening == Decimal("100000")
    assert (by_code["1002"].debit, by_code["1002"].closing) == (Decimal("5000"), Decimal("105000"))
    assert by_code["1122"].closing == Decimal("6300")
    assert by_code["2221"].closing_sides == (Decimal("0.00"), Decimal("1300"))
    assert by_code["222101"].credit == Decimal("1300")  # rolled up from 22210107
    assert (tb.total_opening_debit, tb.total_opening_credit) == (Decimal("100000"), Decimal("100000"))
    assert (tb.total_debit, tb.total_credit) == (Decimal("16300"), Decimal("16300"))
    assert (tb.total_closing_debit, tb.total_closing_credit) == (Decimal("111300"), Decimal("111300"))
    assert tb.balanced
    assert "1001" not in by_code  # empty accounts are left out

    opening, entries = detail_ledger(organization=org, account=acc("1122"), start=nov, end=nov)
    assert opening == Decimal("0")
    assert [(e.debit, e.credit, e.balance) for e in entries] == [
        (Decimal("11300.00"), Decimal("0.00"), Decimal("11300.00")),
        (Decimal("0.00"), Decimal("5000.00"), Decimal("6300.00")),
    ]
    _, by_customer = detail_ledger(organization=org, account=acc("1122"), start=nov, end=nov, partner_id=customer.pk)
    assert [e.partner for e in by_customer] == ["北京星河科技有限公司", "北京星河科技有限公司"]
