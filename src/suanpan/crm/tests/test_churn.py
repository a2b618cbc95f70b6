"""Churn warnings: a worked example computed by hand (today 2026-06-30; churn multiple 2.00 unless changed)."""

import datetime
from decimal import Decimal

import pytest

from suanpan.core.exceptions import PermissionRefused
from suanpan.core.models import Membership
from suanpan.crm.models import CrmSettings
from suanpan.crm.rfm import churn_list
from suanpan.crm.setup import crm_settings

from . import analytics_resources as res

pytestmark = pytest.mark.django_db
D = Decimal
TODAY = datetime.date(2026, 6, 30)


def day(text):
    return datetime.date.fromisoformat(text)


@pytest.fixture
def reps(member):
    return member("sales"), member("sales")


@pytest.fixture
def customers(org, reps):
    """
    customer  purchase days (invoices)                       gaps     usual   last        since  ratio
    H (rep1)  2026-01-01, 01-31, 03-02 (goods 1000);         30, 30   30.0    2026-03-02  120    4.00  warned
              credit note of 200 on 06-20 — not a purchase
    I (rep2)  2026-04-01, 05-01, 06-01                        30, 31   30.5    2026-06-01   29    0.95  no
    J (rep1)  2025-01-01, 2025-02-01: only two purchases                                              no
    K (rep2)  2025-10-01 (twice: one purchase day), 11-10,    40, 70   55.0    2026-01-19  162    2.95  warned
              2026-01-19
    L (rep1)  2026-04-11, 05-01, 05-21                        20, 20   20.0    2026-05-21   40    2.00  no: 40 > 2 × 20
                                                                                                    is false
    """
    rep1, rep2 = reps
    owners = zip("HIJKL", (rep1, rep2, rep1, rep2, rep1), strict=True)
    made = {name: res.customer(org, f"客户{name}", rep) for name, rep in owners}
    res.sell(org, made["H"], "500.00", day("2026-01-01"))
    res.sell(org, made["H"], "500.00", day("2026-01-31"))
    res.sell_and_credit(
        org, made["H"], quantity="10", price="100.00", day=day("2026-03-02"), returned="2", credit_day=day("2026-06-20")
    )
    for text in ("2026-04-01", "2026-05-01", "2026-06-01"):
        res.sell(org, made["I"], "300.00", day(text))
    for text in ("2025-01-01", "2025-02-01"):
        res.sell(org, made["J"], "800.00", day(text))
    for text in ("2025-10-01", "2025-10-01", "2025-11-10", "2026-01-19"):
        res.sell(org, made["K"], "250.00", day(text))
    for text in ("2026-04-11", "2026-05-01", "2026-05-21"):
        res.sell(org, made["L"], "100.00", day(text))
    return made


def rows_of(found):
    return [
        (
            r.customer.name,
            r.owner.pk,
            r.last_purchase,
            r.purchases,
            r.usual_interval,
            r.days_since,
            r.ratio,
            r.lifetime_value,
        )
        for r in found
    ]


def test_worked_example_by_hand(org, customers, reps):
    rep1, rep2 = reps
    assert crm_settings(org).churn_multiple == D("2.00")
    # H: 120 > 2 × 30 → ratio 120 / 30 = 4.00; lifetime 500 + 500 + 1000 − 200 = 1800
    # K: 162 > 2 × 55 → ratio 162 / 55 = 2.945… → 2.95; lifetime 4 × 250 = 1000
    assert rows_of(churn_list(organization=org, today=TODAY)) == [
        ("客户H", rep1.pk, day("2026-03-02"), 3, D("30.0"), 120, D("4.00"), D("1800.00")),
        ("客户K", rep2.pk, day("2026-01-19"), 3, D("55.0"), 162, D("2.95"), D("1000.00")),
    ]


def test_the_multiple_comes_from_the_settings(org, customers):
    crm_settings(org)
    CrmSettings.objects.filter(organization=org).update(churn_multiple=D("1.50"))
    # L: 40 > 1.5 × 20 = 30 → warned, ratio 40 / 20 = 2.00; I: 29 > 45.75 no; H, K still
    names = [r.customer.name for r in churn_list(organization=org, today=TODAY)]
    assert names == ["客户H", "客户K", "客户L"]
    CrmSettings.objects.filter(organization=org).update(churn_multiple=D("4.00"))
    # H: 120 > 4 × 30 = 120 is false; K: 162 > 220 false
    assert churn_list(organization=org, today=TODAY) == []


def test_follows_the_data_scope(org, customers, reps, member):
    rep1, _rep2 = reps
    Membership.objects.filter(organization=org, user=rep1).update(roles=["sales", "marketing"], data_scope="own")
    assert [r.customer.name for r in churn_list(organization=org, actor=rep1, today=TODAY)] == ["客户H"]
    assert len(churn_list(organization=org, actor=member("marketing"), today=TODAY)) == 2
    with pytest.raises(PermissionRefused):
        churn_list(organization=org, actor=member("sales"), today=TODAY)


def test_other_organizations_and_earlier_days(org, other_org, customers):
    assert churn_list(organization=other_org, today=TODAY) == []
    # on 2026-03-15 H has bought three times (last 03-02, 13 days ago): not yet
    assert churn_list(organization=org, today=day("2026-03-15")) == []
