"""RFM: a worked example computed by hand, from invoices and a credit note posted through the sales services."""

import datetime
from decimal import Decimal

import pytest

from suanpan.crm.choices import RfmClass
from suanpan.crm.rfm import quintile_scores, rfm_class, rfm_scores, window_start
from suanpan.verify import verify_organization

from . import analytics_resources as res

pytestmark = pytest.mark.django_db
D = Decimal
TODAY = datetime.date(2026, 6, 30)  # the window: 2025-07-01 … 2026-06-30


def day(text):
    return datetime.date.fromisoformat(text)


@pytest.fixture
def customers(org):
    """Six customers with invoices in the window, one with invoices only before it.

    customer  invoices excl. VAT (date: amount)                                   R days  F  M
    A         2025-12-01: 1000, 2026-03-01: 1000, 2026-05-10: 1000, 2026-06-27: 1000   3   4  4000
    B         2026-06-25: 500 (and 2026-07-01: 700, after today: ignored)              5   1   500
    C         2025-08-01: 3000, 2025-09-01: 3000, 2025-10-01: 2000                   272   3  8000
    D         2026-04-30: 200, 2026-05-30: 300                                        31   2   500
    E         2025-06-30: 5000 (before the window), 2025-07-01: 100 (its first day)  364   1   100
    F         2026-01-15: goods 10 × 100 = 1000, credited 3 × 100 on 2026-02-01,
              2026-06-28: 1500 — the credit note is no purchase but nets M           2   2  2200
    G         2025-05-01: 900 (before the window): not scored
    """
    made = {name: res.customer(org, f"客户{name}") for name in "ABCDEFG"}
    for text in ("2025-12-01", "2026-03-01", "2026-05-10", "2026-06-27"):
        res.sell(org, made["A"], "1000.00", day(text))
    res.sell(org, made["B"], "500.00", day("2026-06-25"))
    res.sell(org, made["B"], "700.00", day("2026-07-01"))
    res.sell(org, made["C"], "3000.00", day("2025-08-01"))
    res.sell(org, made["C"], "3000.00", day("2025-09-01"))
    res.sell(org, made["C"], "2000.00", day("2025-10-01"))
    res.sell(org, made["D"], "200.00", day("2026-04-30"))
    res.sell(org, made["D"], "300.00", day("2026-05-30"))
    res.sell(org, made["E"], "5000.00", day("2025-06-30"))
    res.sell(org, made["E"], "100.00", day("2025-07-01"))
    res.sell_and_credit(
        org, made["F"], quantity="10", price="100.00", day=day("2026-01-15"), returned="3", credit_day=day("2026-02-01")
    )
    res.sell(org, made["F"], "1500.00", day("2026-06-28"))
    res.sell(org, made["G"], "900.00", day("2025-05-01"))
    return made


def test_window_is_the_365_days_ending_today():
    assert window_start(TODAY) == day("2025-07-01")
    assert (TODAY - window_start(TODAY)).days + 1 == 365


def test_worked_example_by_hand(org, customers):
    scores = rfm_scores(organization=org, today=TODAY)
    # n = 6 scored customers; score = 1 + floor(5 × rank / 6), rank = how many are strictly worse.
    # R (fewer days better): days F2 A3 B5 D31 C272 E364 → ranks F5 A4 B3 D2 C1 E0
    #   → F 1+⌊25/6⌋=5, A 1+⌊20/6⌋=4, B 1+⌊15/6⌋=3, D 1+⌊10/6⌋=2, C 1+⌊5/6⌋=1, E 1
    # F (more better): A4 C3 D2 F2 B1 E1 → ranks A5 C4 D2 F2 B0 E0 → A5 C4 D2 F2 B1 E1 (ties share a score)
    # M (more better): C8000 A4000 F2200 B500 D500 E100 → ranks C5 A4 F3 B1 D1 E0 → C5 A4 F3 B1 D1 E1
    # Classes: A (4,5,4) high value; F (5,2,3) potential (recent, not often/much); C (1,4,5) churn risk (used to
    # buy much, not lately); B (3,1,1), D (2,2,1: R ≤ 2 but F, M < 3), E (1,1,1) general.
    expected = {
        "A": (day("2026-06-27"), 3, 4, D("4000.00"), 4, 5, 4, RfmClass.HIGH_VALUE),
        "B": (day("2026-06-25"), 5, 1, D("500.00"), 3, 1, 1, RfmClass.GENERAL),
        "C": (day("2025-10-01"), 272, 3, D("8000.00"), 1, 4, 5, RfmClass.CHURN_RISK),
        "D": (day("2026-05-30"), 31, 2, D("500.00"), 2, 2, 1, RfmClass.GENERAL),
        "E": (day("2025-07-01"), 364, 1, D("100.00"), 1, 1, 1, RfmClass.GENERAL),
        "F": (day("2026-06-28"), 2, 2, D("2200.00"), 5, 2, 3, RfmClass.POTENTIAL),
    }
    got = {
        name: (s.last_purchase, s.recency_days, s.frequency, s.monetary, s.r, s.f, s.m, s.rfm_class)
        for name, partner in customers.items()
        if (s := scores.get(partner.pk)) is not None
    }
    assert got == expected
    assert customers["G"].pk not in scores
    assert all(s.customer_id == pk for pk, s in scores.items())
    assert {r.check: r.differences for r in verify_organization(org) if r.differences} == {}


def test_scores_do_not_depend_on_the_order_of_rows():
    values = {1: 5, 2: 3, 3: 3, 4: 9, 5: 1}
    # n = 5: 1 has rank 0 → 1; 3s rank 1 → 2; 5 rank 3 → 4; 9 rank 4 → 5
    assert quintile_scores(values) == {1: 4, 2: 2, 3: 2, 4: 5, 5: 1}
    assert quintile_scores(dict(reversed(values.items()))) == {1: 4, 2: 2, 3: 2, 4: 5, 5: 1}
    assert quintile_scores({7: D("10")}) == {7: 1}
    assert quintile_scores({1: 2, 2: 2, 3: 2}) == {1: 1, 2: 1, 3: 1}


@pytest.mark.parametrize(
    ("r", "f", "m", "expected"),
    [
        (4, 4, 4, RfmClass.HIGH_VALUE),
        (5, 5, 3, RfmClass.POTENTIAL),
        (4, 1, 1, RfmClass.POTENTIAL),
        (3, 5, 5, RfmClass.GENERAL),
        (2, 3, 1, RfmClass.CHURN_RISK),
        (1, 1, 3, RfmClass.CHURN_RISK),
        (2, 2, 2, RfmClass.GENERAL),
    ],
)
def test_class_boundaries(r, f, m, expected):
    assert rfm_class(r, f, m) == expected


def test_no_invoices_no_scores(org, other_org, customers):
    assert rfm_scores(organization=other_org, today=TODAY) == {}
    assert rfm_scores(organization=org, today=day("2024-01-01")) == {}
