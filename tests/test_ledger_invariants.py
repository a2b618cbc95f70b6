"""Hypothesis drives random sequences of voucher entry, review, posting, red-ink reversal and month-end close
through the real services, and checks after every step that the books keep their invariants:

1. every posted voucher balances and its stored totals equal its lines (`checks.vouchers_balance`);
2. every balance row equals the sums of the posted lines behind it (`checks.balances_match_lines`);
3. the trial balance balances (`checks.trial_balance_balances`);
4. for every closed period: the income and expense accounts hold nothing at its end, and the closing balances
   satisfy the accounting equation Σ (asset + cost) = Σ (liability + equity).

A refused operation (a `DomainError`: period closed, drafts left, nothing to review…) is a valid outcome, and
must leave the books as they were. Each example opens a fresh organization: the examples share one test
transaction, so nothing else would separate them.
"""

from __future__ import annotations

import datetime
import itertools
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from suanpan.accounting import checks, closing, reports, services
from suanpan.accounting.choices import AccountCategory, VoucherStatus
from suanpan.accounting.models import Account, AccountBalance, Period, Voucher
from suanpan.accounting.opening import opening_balances_accept
from suanpan.core.exceptions import DomainError
from suanpan.core.services import membership_add
from suanpan.onboarding import organization_open

pytestmark = pytest.mark.django_db

LEAVES = ("1001", "1002", "1403", "224101", "3001", "400101", "5001", "5051", "5401", "560205")
ZERO = Decimal("0")
_names = itertools.count()

amounts = st.integers(min_value=1, max_value=10_000_000).map(lambda cents: Decimal(cents) / 100)
pairs = st.lists(st.tuples(st.sampled_from(LEAVES), st.sampled_from(LEAVES), amounts), min_size=1, max_size=3)
operations = st.one_of(
    st.tuples(st.just("enter"), st.integers(1, 3), st.integers(1, 28), pairs),
    st.tuples(st.just("review"), st.integers(0, 50)),
    st.tuples(st.just("post"), st.integers(0, 50)),
    st.tuples(st.just("reverse"), st.integers(0, 50)),
    st.tuples(st.just("close")),
    st.tuples(st.just("reopen")),
)


class Books:
    """One fresh organization with an owner, an accountant and a reviewer, and the steps applied to it."""

    def __init__(self) -> None:
        user = get_user_model().objects.create_user
        n = next(_names)
        self.owner = user(f"inv-owner-{n}")
        self.org = organization_open(owner=self.owner, data={"name": f"不变量公司{n}"})
        self.accountant, self.reviewer = user(f"inv-acc-{n}"), user(f"inv-rev-{n}")
        for who in (self.accountant, self.reviewer):
            membership_add(organization=self.org, actor=None, user=who, roles=["finance"])
        opening_balances_accept(organization=self.org, actor=self.owner)
        self.year = timezone.localdate().year
        self.accounts = {a.code: a for a in Account.objects.filter(organization=self.org, code__in=LEAVES)}

    def _pick(self, status: str, k: int, **extra: Any) -> Voucher | None:
        found = list(Voucher.objects.filter(organization=self.org, status=status, **extra).order_by("pk"))
        return found[k % len(found)] if found else None

    def apply(self, op: tuple[Any, ...]) -> None:
        kind, *args = op
        org = self.org
        if kind == "enter":
            month, day, legs = args
            lines = []
            for debit, credit, amount in legs:
                lines.append({"summary": "随机", "account": self.accounts[debit], "debit": amount})
                lines.append({"summary": "随机", "account": self.accounts[credit], "credit": amount})
            services.voucher_create(
                organization=org, actor=self.accountant, date=datetime.date(self.year, month, day), lines=lines
            )
        elif kind == "review" and (v := self._pick(VoucherStatus.DRAFT, args[0])):
            services.voucher_review(organization=org, actor=self.reviewer, voucher_id=v.pk)
        elif kind == "post" and (v := self._pick(VoucherStatus.REVIEWED, args[0])):
            services.voucher_post(organization=org, actor=self.reviewer, voucher_id=v.pk)
        elif kind == "reverse" and (v := self._pick(VoucherStatus.POSTED, args[0], reverses__isnull=True)):
            services.voucher_reverse(organization=org, actor=self.accountant, voucher_id=v.pk)
        elif kind == "close" and (p := closing.next_period_to_close(organization=org)):
            closing.period_close(organization=org, actor=self.accountant, period_id=p.pk)
        elif kind == "reopen" and (p := closing.latest_closed_period(organization=org)):
            closing.period_reopen(organization=org, actor=self.owner, period_id=p.pk, reason="随机反结账")

    def snapshot(self) -> tuple[Any, ...]:
        return (
            sorted(Voucher.objects.filter(organization=self.org).values_list("pk", "status", "number")),
            sorted(AccountBalance.objects.filter(organization=self.org).values_list("pk", "debit", "credit")),
            sorted(Period.objects.filter(organization=self.org).values_list("pk", "status")),
        )

    def assert_invariants(self) -> None:
        org = self.org
        assert checks.vouchers_balance(org) == []
        assert checks.balances_match_lines(org) == []
        assert checks.trial_balance_balances(org) == []
        for period in Period.objects.filter(organization=org, status="closed"):
            assert closing.pnl_remaining(organization=org, period=period) == [], period
            tb = reports.trial_balance(organization=org, start=period, end=period)
            by_category = dict.fromkeys(AccountCategory.values, ZERO)
            for row in tb.rows:
                if row.account.level == 1:
                    by_category[row.account.category] += row.closing
            assert by_category[AccountCategory.INCOME] == by_category[AccountCategory.EXPENSE] == ZERO, period
            assets = by_category[AccountCategory.ASSET] + by_category[AccountCategory.COST]
            claims = -(by_category[AccountCategory.LIABILITY] + by_category[AccountCategory.EQUITY])
            assert assets == claims, period


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=st.lists(operations, min_size=1, max_size=14))
def test_random_operations_keep_the_ledger_invariants(db: None, steps: list[tuple[Any, ...]]) -> None:
    books = Books()
    for step in steps:
        before = books.snapshot()
        try:
            books.apply(step)
        except DomainError:
            event(f"{step[0]} refused")
            assert books.snapshot() == before, f"a refused {step[0]} changed the books"
        else:
            event(f"{step[0]} done")
        books.assert_invariants()


def test_a_known_sequence_closes_with_the_equation_holding(db: None) -> None:
    """A fixed example (also a fast smoke test): revenue and costs in January, closed, then the equation."""
    books = Books()
    steps: list[tuple[Any, ...]] = [
        ("enter", 1, 5, [("1002", "3001", Decimal("50000.00"))]),
        ("enter", 1, 9, [("1001", "5001", Decimal("1200.50")), ("5401", "1403", Decimal("700.25"))]),
        ("enter", 1, 20, [("560205", "1001", Decimal("99.99"))]),
    ]
    steps += [("review", 0), ("post", 0)] * 3
    steps += [("close",)]
    for step in steps:
        books.apply(step)
        books.assert_invariants()
    jan = Period.objects.get(organization=books.org, year=books.year, month=1)
    assert jan.status == "closed"
    profit = reports.trial_balance(organization=books.org, start=jan, end=jan)
    retained = {r.account.code: r.closing for r in profit.rows}
    assert retained["3103"] == -(Decimal("1200.50") - Decimal("700.25") - Decimal("99.99"))  # credit 400.26
