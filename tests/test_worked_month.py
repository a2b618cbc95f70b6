"""A worked month of a small trading company (商贸小企业), November 2026, from opening balances to the three statements.

The books start in November 2026 (no year-to-date amounts). Every voucher goes through the real services
(create → review → post); the balance sheet, the income statement and the cash-flow statement are worked out by
hand below, line by line, and compared with what the statements compute.

Opening balances on 2026-11-01                          Dr            Cr
  1001 库存现金                                       5,000.00
  1002 银行存款                                     200,000.00
  1122 应收账款 — 客户甲                              30,000.00
  1405 库存商品                                      80,000.00
  1601 固定资产                                     120,000.00
  1602 累计折旧                                                  20,000.00
  2202 应付账款 — 供应商乙                                       40,000.00
  222102 未交增值税 (October's VAT)                               5,000.00
  3001 实收资本                                                 300,000.00
  310405 未分配利润                                              70,000.00
                                                    435,000.00   435,000.00
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest

from suanpan.accounting.choices import PERIOD_CLOSE_SOURCE
from suanpan.accounting.models import Account, Period
from suanpan.accounting.opening import books_update, opening_balances_accept, opening_balances_save
from suanpan.accounting.services import voucher_create, voucher_post, voucher_review
from suanpan.accounting.statements import balance_sheet, cash_flow_statement, income_statement
from suanpan.core.models import Organization
from tests.resources import make_customer, make_supplier, owner_of

pytestmark = pytest.mark.django_db
D = Decimal


def post(org: Organization, day: int, summary: str, *lines: tuple[Any, ...], source_type: str = "") -> None:
    """Lines: (account code, debit, credit[, extra fields])."""
    rows = []
    for code, debit, credit, *extra in lines:
        account = Account.objects.get(organization=org, code=code)
        rows.append(
            {"summary": summary, "account": account, "debit": debit, "credit": credit, **(extra[0] if extra else {})}
        )
    voucher = voucher_create(
        organization=org, actor=None, date=datetime.date(2026, 11, day), lines=rows, source_type=source_type
    )
    voucher_review(organization=org, actor=owner_of(org), voucher_id=voucher.pk)
    voucher_post(organization=org, actor=owner_of(org), voucher_id=voucher.pk)


def cf(item: str) -> dict[str, str]:
    return {"cash_flow_item": item}


@pytest.fixture
def november(org: Organization) -> Period:
    customer, supplier = make_customer(org, "客户甲"), make_supplier(org, "供应商乙")
    books_update(organization=org, actor=None, data={"start": "2026-11"})
    opening_balances_save(
        organization=org,
        actor=None,
        rows=[
            {"account": "1001", "balance": "5000"},
            {"account": "1002", "balance": "200000"},
            {"account": "1122", "partner": customer.pk, "balance": "30000"},
            {"account": "1405", "balance": "80000"},
            {"account": "1601", "balance": "120000"},
            {"account": "1602", "balance": "-20000"},
            {"account": "2202", "partner": supplier.pk, "balance": "-40000"},
            {"account": "222102", "balance": "-5000"},
            {"account": "3001", "balance": "-300000"},
            {"account": "310405", "balance": "-70000"},
        ],
    )
    opening_balances_accept(organization=org, actor=None)
    c, s = {"partner": customer.pk}, {"partner": supplier.pk}
    post(org, 2, "股东增资", ("1002", "100000", "", cf("15")), ("3001", "", "100000"))
    post(org, 3, "购进商品", ("1405", "50000", ""), ("22210101", "6500", ""), ("2202", "", "56500", s))
    post(org, 5, "支付前欠货款", ("2202", "40000", "", s), ("1002", "", "40000", cf("3")))
    post(org, 8, "销售商品", ("1122", "113000", "", c), ("5001", "", "100000"), ("22210107", "", "13000"))
    post(org, 12, "收到货款", ("1002", "80000", "", cf("1")), ("1122", "", "80000", c))
    post(org, 12, "结转销售成本", ("5401", "60000", ""), ("1405", "", "60000"))
    post(org, 15, "计提工资", ("560202", "15000", ""), ("560101", "10000", ""), ("221101", "", "25000"))
    post(org, 15, "缴纳上月增值税", ("222102", "5000", ""), ("1002", "", "5000", cf("5")))
    post(org, 16, "提取备用金", ("1001", "2000", ""), ("1002", "", "2000"))  # between cash accounts: no cash flow
    post(org, 20, "发放工资", ("221101", "25000", ""), ("1002", "", "25000", cf("4")))
    post(org, 25, "支付房租", ("560210", "6000", ""), ("1002", "", "6000", cf("6")))
    post(org, 28, "银行手续费", ("560302", "50", ""), ("1002", "", "50", cf("6")))
    post(org, 30, "计提折旧", ("560207", "2000", ""), ("1602", "", "2000"))
    # profit before tax 6,950.00 (see the income statement below); small low-profit enterprise: 5 % of it
    post(org, 30, "计提所得税", ("5801", "347.50", ""), ("222111", "", "347.50"))
    return Period.objects.get(organization=org, year=2026, month=11)


def numbered(statement: Any, column: int) -> dict[int, Decimal]:
    return {line.no: line.amounts[column] for line in statement.lines if line.no is not None}


# By hand: every line with an amount; all others are zero.
BALANCE_SHEET_END = {
    1: D(
        "308950.00"
    ),  # 1001 5,000 + 2,000; 1002 200,000 + 100,000 - 40,000 + 80,000 - 5,000 - 2,000 - 25,000 - 6,000 - 50
    4: D("63000.00"),  # 客户甲 30,000 + 113,000 - 80,000
    9: D("70000.00"),  # 1405 80,000 + 50,000 - 60,000
    12: D("70000.00"),
    15: D("441950.00"),  # 308,950 + 63,000 + 70,000
    18: D("120000.00"),
    19: D("22000.00"),  # 20,000 + 2,000
    20: D("98000.00"),
    29: D("98000.00"),
    30: D("539950.00"),
    33: D("56500.00"),  # 供应商乙 40,000 + 56,500 - 40,000
    36: D("6847.50"),  # output 13,000 - input 6,500 + income tax 347.50; 未交增值税 5,000 paid
    41: D("63347.50"),
    47: D("63347.50"),
    48: D("400000.00"),
    51: D("76602.50"),  # 70,000 + this month's profit not yet carried forward 6,602.50
    52: D("476602.50"),
    53: D("539950.00"),
}
BALANCE_SHEET_START = {  # the books start in November without year-to-date amounts: the openings
    1: D("205000.00"),
    4: D("30000.00"),
    9: D("80000.00"),
    12: D("80000.00"),
    15: D("315000.00"),
    18: D("120000.00"),
    19: D("20000.00"),
    20: D("100000.00"),
    29: D("100000.00"),
    30: D("415000.00"),
    33: D("40000.00"),
    36: D("5000.00"),
    41: D("45000.00"),
    47: D("45000.00"),
    48: D("300000.00"),
    51: D("70000.00"),
    52: D("370000.00"),
    53: D("415000.00"),
}
INCOME = {
    1: D("100000.00"),
    2: D("60000.00"),
    11: D("10000.00"),
    14: D("23000.00"),  # wages 15,000 + rent 6,000 + depreciation 2,000
    18: D("50.00"),
    21: D("6950.00"),  # 100,000 - 60,000 - 10,000 - 23,000 - 50
    30: D("6950.00"),
    31: D("347.50"),
    32: D("6602.50"),
}
CASH_FLOW = {
    1: D("80000.00"),
    3: D("40000.00"),
    4: D("25000.00"),
    5: D("5000.00"),
    6: D("6050.00"),  # rent 6,000 + bank fees 50
    7: D("3950.00"),  # 80,000 - 40,000 - 25,000 - 5,000 - 6,050
    15: D("100000.00"),
    19: D("100000.00"),
    20: D("103950.00"),
    21: D("205000.00"),
    22: D("308950.00"),  # = 货币资金 at the end of the month
}


def expected(values: dict[int, Decimal], count: int) -> dict[int, Decimal]:
    return {n: values.get(n, D("0")) for n in range(1, count + 1)}


def test_balance_sheet_of_the_month(org, november):
    sheet = balance_sheet(organization=org, period=november)
    assert numbered(sheet, 0) == expected(BALANCE_SHEET_END, 53)
    assert numbered(sheet, 1) == expected(BALANCE_SHEET_START, 53)
    assert sheet.balanced
    assert sheet.unmapped == []


def test_income_statement_of_the_month(org, november):
    statement = income_statement(organization=org, period=november)
    assert numbered(statement, 1) == expected(INCOME, 32)  # 本月金额
    assert numbered(statement, 0) == expected(INCOME, 32)  # 本年累计金额: the books start this month
    assert statement.balanced


def test_cash_flow_statement_of_the_month(org, november):
    statement = cash_flow_statement(organization=org, period=november)
    assert numbered(statement, 1) == expected(CASH_FLOW, 22)
    assert numbered(statement, 0) == expected(CASH_FLOW, 22)
    assert statement.unassigned == [D("0"), D("0")]
    assert statement.balanced
    assert CASH_FLOW[22] == BALANCE_SHEET_END[1]


def test_carrying_the_profit_forward_changes_no_statement(org, november):
    """结转损益 (a closing voucher): the P&L accounts are emptied into 本年利润; the statements stay the same."""
    post(
        org,
        30,
        "结转损益",
        ("5001", "100000", ""),
        ("5401", "", "60000"),
        ("560101", "", "10000"),
        ("560202", "", "15000"),
        ("560210", "", "6000"),
        ("560207", "", "2000"),
        ("560302", "", "50"),
        ("5801", "", "347.50"),
        ("3103", "", "6602.50"),
        source_type=PERIOD_CLOSE_SOURCE,
    )
    assert numbered(balance_sheet(organization=org, period=november), 0) == expected(BALANCE_SHEET_END, 53)
    assert numbered(income_statement(organization=org, period=november), 1) == expected(INCOME, 32)
    assert numbered(cash_flow_statement(organization=org, period=november), 1) == expected(CASH_FLOW, 22)


def test_the_statement_pages_of_the_month(org, november, owner_client, owner_api):
    page = owner_client.get("/accounting/statements/balance-sheet/", {"period": "2026-11"}).content.decode()
    assert "539,950.00" in page
    assert "76,602.50" in page
    body = owner_api.get("/statements/income", {"period": "2026-11"}).json()
    assert {line["no"]: D(line["amounts"][1]) for line in body["lines"]} == expected(INCOME, 32)
