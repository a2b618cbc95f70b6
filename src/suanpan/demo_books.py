"""The demo organization's books: opening balances, last month entered, posted and closed, this month in progress.

The books start on the first day of last month, so a newcomer finds a closed month with its three statements
and an open one with vouchers in every state (posted, reviewed, draft). When last month is not January the
company "started mid-year": the opening balances carry the year-to-date movements, as a real switch-over does.

All of it goes through the real services (opening balances, voucher entry/review/posting, the month-end close),
acting as the accountant 周婷 (prepares and posts) and the owner 王建国 (reviews). Idempotent: a voucher is looked up
by its date and first summary line before it is made; the opening balances are entered only until accepted; a
closed month is left alone.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth.models import User
from django.utils import timezone

from suanpan.accounting import closing, opening
from suanpan.accounting import services as books
from suanpan.accounting.choices import VoucherStatus
from suanpan.accounting.models import Account, Period, Voucher
from suanpan.core.models import Organization
from suanpan.partners.models import Partner

D = Decimal


@dataclass(frozen=True)
class Line:
    account: str
    debit: str = "0"
    credit: str = "0"
    partner: str = ""  # a partner's name, for accounts kept by customer or supplier
    cash_flow: str = ""  # the cash-flow item of a cash or bank line


@dataclass(frozen=True)
class Entry:
    day: int
    summary: str
    lines: tuple[Line, ...]
    word: str = "记"
    attachments: int = 1
    state: str = VoucherStatus.POSTED


# Balances at the start of the books (debit positive). Customers and suppliers are the demo's own.
CUSTOMER_A, CUSTOMER_B, CUSTOMER_C = "北京星河科技有限公司", "上海东方文具贸易有限公司", "广州天宇商贸有限公司"
SUPPLIER_X, SUPPLIER_Y = "宁波海曙文具制造有限公司", "上海金钱文化用品有限公司"
OPENING: tuple[tuple[str, str, str], ...] = (
    ("1001", "8000.00", ""),
    ("1002", "1256000.00", ""),
    ("1122", "86500.00", CUSTOMER_A),
    ("1122", "45200.00", CUSTOMER_B),
    ("1122", "23800.00", CUSTOMER_C),
    ("1405", "420000.00", ""),
    ("1601", "260000.00", ""),
    ("1602", "-58000.00", ""),
    ("2202", "-98000.00", SUPPLIER_X),
    ("2202", "-64500.00", SUPPLIER_Y),
    ("221101", "-86000.00", ""),
    ("222102", "-32000.00", ""),
    ("3001", "-1500000.00", ""),
    ("3103", "-181000.00", ""),
    ("310405", "-80000.00", ""),
)
# Year-to-date movements up to the start of the books (debit, credit): the P&L accounts were carried into 本年利润
# every month, and the bank account took the money in and out.
YEAR_TO_DATE: tuple[tuple[str, str, str], ...] = (
    ("1002", "1450000.00", "1269000.00"),
    ("5001", "1450000.00", "1450000.00"),
    ("5401", "1120000.00", "1120000.00"),
    ("540303", "15000.00", "15000.00"),
    ("560101", "62000.00", "62000.00"),
    ("560202", "68000.00", "68000.00"),
    ("560302", "4000.00", "4000.00"),
    ("3103", "1269000.00", "1450000.00"),
)

LAST_MONTH: tuple[Entry, ...] = (
    Entry(
        3,
        "收到北京星河科技货款",
        (Line("1002", debit="50000.00", cash_flow="1"), Line("1122", credit="50000.00", partner=CUSTOMER_A)),
        word="收",
    ),
    Entry(
        5,
        "采购海曙文具办公用品一批",
        (
            Line("1405", debit="80000.00"),
            Line("22210101", debit="10400.00"),
            Line("2202", credit="90400.00", partner=SUPPLIER_X),
        ),
        word="转",
        attachments=2,
    ),
    Entry(
        8,
        "销售办公用品给上海东方文具",
        (
            Line("1122", debit="113000.00", partner=CUSTOMER_B),
            Line("5001", credit="100000.00"),
            Line("22210107", credit="13000.00"),
        ),
        word="转",
        attachments=2,
    ),
    Entry(
        8, "结转上海东方文具订单销售成本", (Line("5401", debit="72000.00"), Line("1405", credit="72000.00")), word="转"
    ),
    Entry(
        10,
        "发放上月工资",
        (Line("221101", debit="86000.00"), Line("1002", credit="86000.00", cash_flow="4")),
        word="付",
    ),
    Entry(
        12,
        "缴纳上月增值税",
        (Line("222102", debit="32000.00"), Line("1002", credit="32000.00", cash_flow="5")),
        word="付",
    ),
    Entry(
        15,
        "支付金钱文化货款",
        (Line("2202", debit="64500.00", partner=SUPPLIER_Y), Line("1002", credit="64500.00", cash_flow="3")),
        word="付",
    ),
    Entry(
        18,
        "报销销售部差旅费",
        (Line("560109", debit="3260.00"), Line("1001", credit="3260.00", cash_flow="6")),
        word="付",
        attachments=6,
    ),
    Entry(
        20,
        "支付本月仓库租金",
        (Line("560210", debit="15000.00"), Line("1002", credit="15000.00", cash_flow="6")),
        word="付",
    ),
    Entry(25, "银行手续费", (Line("560302", debit="120.00"), Line("1002", credit="120.00", cash_flow="6")), word="付"),
    Entry(
        28,
        "计提本月工资",
        (Line("560101", debit="52000.00"), Line("560202", debit="38000.00"), Line("221101", credit="90000.00")),
        word="转",
    ),
    Entry(31, "计提本月固定资产折旧", (Line("560207", debit="4300.00"), Line("1602", credit="4300.00")), word="转"),
    Entry(31, "结转本月未交增值税", (Line("22210104", debit="2600.00"), Line("222102", credit="2600.00")), word="转"),
    Entry(31, "计提城市维护建设税", (Line("540303", debit="182.00"), Line("222117", credit="182.00")), word="转"),
)

THIS_MONTH: tuple[Entry, ...] = (
    Entry(
        2,
        "收到上海东方文具货款",
        (Line("1002", debit="113000.00", cash_flow="1"), Line("1122", credit="113000.00", partner=CUSTOMER_B)),
        word="收",
    ),
    Entry(
        4,
        "销售办公设备给广州天宇商贸",
        (
            Line("1122", debit="67800.00", partner=CUSTOMER_C),
            Line("5001", credit="60000.00"),
            Line("22210107", credit="7800.00"),
        ),
        word="转",
        attachments=2,
    ),
    Entry(
        4, "结转广州天宇商贸订单销售成本", (Line("5401", debit="43500.00"), Line("1405", credit="43500.00")), word="转"
    ),
    Entry(6, "提取备用金", (Line("1001", debit="5000.00"), Line("1002", credit="5000.00")), word="付"),
    Entry(
        9,
        "发放上月工资",
        (Line("221101", debit="90000.00"), Line("1002", credit="90000.00", cash_flow="4")),
        word="付",
        state=VoucherStatus.REVIEWED,
    ),
    Entry(
        11,
        "支付海曙文具货款",
        (Line("2202", debit="50000.00", partner=SUPPLIER_X), Line("1002", credit="50000.00", cash_flow="3")),
        word="付",
        state=VoucherStatus.REVIEWED,
    ),
    Entry(
        12,
        "报销业务招待费",
        (Line("560203", debit="1860.00"), Line("1001", credit="1860.00", cash_flow="6")),
        word="付",
        attachments=3,
        state=VoucherStatus.DRAFT,
    ),
)


def _day(period: Period, day: int, today: datetime.date) -> datetime.date:
    """The entry's day within the period, never after the period's end or today."""
    date = period.start.replace(day=min(day, period.end.day))
    return min(date, today) if period.start <= today else date


def _rows(org: Organization, lines: Sequence[Line]) -> list[dict[str, object]]:
    names = {ln.partner for ln in lines if ln.partner}
    partners = {p.name: p for p in Partner.objects.filter(organization=org, name__in=names)}
    accounts = dict(
        Account.objects.filter(organization=org, code__in={ln.account for ln in lines}).values_list("code", "pk")
    )
    rows = []
    for ln in lines:
        row: dict[str, object] = {"account": accounts[ln.account], "debit": D(ln.debit), "credit": D(ln.credit)}
        if ln.partner:
            row["partner"] = partners[ln.partner].pk
        if ln.cash_flow:
            row["cash_flow_item"] = ln.cash_flow
        rows.append(row)
    return rows


def _enter(
    org: Organization, period: Period, entries: Sequence[Entry], users: dict[str, User], today: datetime.date
) -> None:
    accountant, reviewer = users["finance"], users["owner"]
    for entry in entries:
        date = _day(period, entry.day, today)
        if Voucher.objects.filter(organization=org, date=date, lines__seq=1, lines__summary=entry.summary).exists():
            continue
        rows = _rows(org, entry.lines)
        for row in rows:
            row["summary"] = entry.summary
        voucher = books.voucher_create(
            organization=org, actor=accountant, date=date, lines=rows, word=entry.word, attachments=entry.attachments
        )
        if entry.state in (VoucherStatus.REVIEWED, VoucherStatus.POSTED):
            books.voucher_review(organization=org, actor=reviewer, voucher_id=voucher.pk)
        if entry.state == VoucherStatus.POSTED:
            books.voucher_post(organization=org, actor=accountant, voucher_id=voucher.pk)


def _opening(first: Period) -> tuple[tuple[str, str, str], ...]:
    """Books that start in January have no profit of the year yet: last year's sits in 未分配利润."""
    if first.month > 1:
        return OPENING
    profit = sum(D(amount) for code, amount, _name in OPENING if code == "3103")
    return tuple(
        (code, str(D(amount) + profit) if code == "310405" else amount, name)
        for code, amount, name in OPENING
        if code != "3103"
    )


def load_books(org: Organization, users: dict[str, User], *, before_accept: Callable[[], None] | None = None) -> None:
    """Open the demo's books last month, enter and close it, and start this month. `before_accept` runs once the
    books' start and opening balances are set, before they are accepted (the demo's opening stock goes there)."""
    today = timezone.localdate()
    last = (today.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
    first = books.period_for_date(organization=org, on=last)
    current = books.period_for_date(organization=org, on=today)
    setup = opening.books_get(organization=org)
    accountant = users["finance"]
    if not setup.opening_accepted:
        if setup.start_id != first.pk:
            opening.books_update(
                organization=org, actor=users["admin"], data={"start": f"{first.year}-{first.month:02d}"}
            )
        names = {name for _code, _amount, name in OPENING if name}
        partners = {p.name: p.pk for p in Partner.objects.filter(organization=org, name__in=names)}
        ytd = {code: (D(d), D(c)) for code, d, c in YEAR_TO_DATE} if first.month > 1 else {}
        rows: list[dict[str, object]] = []
        for code, amount, name in _opening(first):
            row: dict[str, object] = {"account": code, "balance": D(amount)}
            if name:
                row["partner"] = partners[name]
            if code in ytd and not name:
                row["ytd_debit"], row["ytd_credit"] = ytd.pop(code)
            rows.append(row)
        rows += [{"account": code, "balance": D(0), "ytd_debit": d, "ytd_credit": c} for code, (d, c) in ytd.items()]
        opening.opening_balances_save(organization=org, actor=accountant, rows=rows)
        if before_accept is not None:
            before_accept()
        opening.opening_balances_accept(organization=org, actor=users["admin"])
    if first.is_open:
        _enter(org, first, LAST_MONTH, users, today)
        closing.period_close(organization=org, actor=accountant, period_id=first.pk)
    _enter(org, current, THIS_MONTH, users, today)
