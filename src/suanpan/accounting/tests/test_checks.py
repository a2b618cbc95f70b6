from decimal import Decimal

import pytest
from django.db import connection

from suanpan.accounting.checks import balances_match_lines, trial_balance_balances, vouchers_balance
from suanpan.accounting.models import AccountBalance
from suanpan.accounting.services import voucher_create, voucher_post, voucher_review
from suanpan.accounting.tests.conftest import DAY

pytestmark = pytest.mark.django_db


@pytest.fixture
def posted(org, acc, customer, accountant, reviewer):
    lines = [
        {"summary": "销售", "account": acc("1122"), "debit": "113.00", "partner": customer},
        {"summary": "销售", "account": acc("5001"), "credit": "100.00"},
        {"summary": "销项", "account": acc("22210107"), "credit": "13.00"},
    ]
    v = voucher_create(organization=org, actor=accountant, date=DAY, lines=lines)
    voucher_review(organization=org, actor=reviewer, voucher_id=v.pk)
    return voucher_post(organization=org, actor=reviewer, voucher_id=v.pk)


def test_clean_books_have_no_differences(org, posted):
    assert vouchers_balance(org) == []
    assert balances_match_lines(org) == []
    assert trial_balance_balances(org) == []


def test_a_tampered_balance_row_is_reported(org, acc, posted):
    AccountBalance.objects.filter(account=acc("5001"), partner__isnull=True).update(credit=Decimal("99.00"))
    problems = balances_match_lines(org)
    assert problems == [f"account #{acc('5001').pk} period #{posted.period_id}: balance 0.00/99.00 ≠ lines 0.00/100.00"]
    assert trial_balance_balances(org) == ["all periods: debits 113.00 ≠ credits 112.00"]


def test_a_line_changed_behind_the_triggers_back_is_reported(org, posted):
    with connection.cursor() as cursor:  # simulate a tampered database: drop the guard, change a posted line
        if connection.vendor == "sqlite":
            cursor.execute("DROP TRIGGER accounting_line_posted_no_update")
        else:
            cursor.execute("SET LOCAL session_replication_role = replica")  # triggers off, as a superuser could
        cursor.execute("UPDATE accounting_voucherline SET credit = 90 WHERE voucher_id = %s AND seq = 2", [posted.pk])
    assert vouchers_balance(org) == [
        f"voucher {posted.period} 记-0001: debit 113.00 ≠ credit 103.00",
        f"voucher {posted.period} 记-0001: stored totals 113.00/113.00 ≠ lines 113.00/103.00",
    ]
