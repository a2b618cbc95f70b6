"""RFM scores and churn warnings, read from invoiced sales (`sales.Invoice`; reads only).

Every `sales.Invoice` row is posted when it is made (there is no draft or void state), so each one counts. An
invoice (kind `invoice`) is a purchase; a credit note (红字发票, kind `credit_note`, negative amounts) is not a
purchase but reduces what the customer spent. Invoices dated after `today` are ignored.

RFM (`rfm_scores`)
    Window: the 365 days ending on `today`, i.e. `today - 364 days … today` inclusive. Only customers with at least
    one invoice (not credit note) in the window are scored; others are absent from the result.

    - recency_days = today − the date of the customer's last invoice in the window;
    - frequency = the number of invoices in the window (credit notes do not count);
    - monetary = Σ amount excl. VAT of the invoices and credit notes dated in the window (net; may be ≤ 0).

    Scores 1..5 are rank-based quintiles among the n scored customers. For each measure, a customer's rank is the
    number of scored customers strictly *worse* than them (recency: more days since the last invoice; frequency
    and monetary: smaller). score = 1 + floor(5 × rank ÷ n), which is 1..5 since rank ≤ n − 1. Equal values get
    equal ranks, hence equal scores; the result never depends on the order rows come from the database. With
    n = 5 and distinct values the scores are 1, 2, 3, 4, 5; with n = 1 the one customer scores 1, 1, 1.

    Classes, tested in this order:

    - 高价值 high_value: R ≥ 4 and F ≥ 4 and M ≥ 4 — bought lately, often and much;
    - 潜力 potential: R ≥ 4 (and not high value) — bought lately, not yet often or much;
    - 流失风险 churn_risk: R ≤ 2 and (F ≥ 3 or M ≥ 3) — used to buy often or much, not lately;
    - 一般 general: everyone else.

Churn warning (`churn_list`)
    Over the customer's whole invoice history up to `today`: purchase days = the distinct dates of their invoices
    (credit notes excluded). A customer with at least 3 purchase days has a usual interval = the MEAN of the days
    between consecutive purchase days = (last − first) ÷ (purchase days − 1). The warning is raised when
    days since the last purchase > `crm_settings(org).churn_multiple` × usual interval (compared exactly, in
    integers and Decimals; the shown interval is rounded to 0.1 day and the ratio to 0.01, half up). Lifetime
    value = Σ amount excl. VAT of all their invoices and credit notes up to `today`. Rows come sorted by ratio,
    highest first. With an actor, only customers whose owner the actor may see (`core.scopes`) are listed.
"""

from __future__ import annotations

import datetime
from bisect import bisect_left
from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, Max, Q, Sum
from django.utils import timezone

from suanpan.core.models import Organization
from suanpan.core.money import ZERO, money
from suanpan.core.permissions import P
from suanpan.core.scopes import scoped
from suanpan.core.tenancy import guard
from suanpan.core.types import Actor
from suanpan.crm.choices import RfmClass
from suanpan.crm.setup import crm_settings
from suanpan.partners.models import Partner
from suanpan.sales.choices import InvoiceKind
from suanpan.sales.models import Invoice

WINDOW_DAYS = 365
MIN_PURCHASES = 3
ONE_DECIMAL = Decimal("0.1")
TWO_DECIMALS = Decimal("0.01")


@dataclass(frozen=True)
class RfmScore:
    customer_id: int
    last_purchase: datetime.date | None
    recency_days: int
    frequency: int
    monetary: Decimal
    r: int
    f: int
    m: int
    rfm_class: str  # a `RfmClass` value


@dataclass(frozen=True)
class ChurnRow:
    customer: Partner
    owner: Any  # the customer's sales rep (a user) or None (in the pool)
    last_purchase: datetime.date
    purchases: int  # distinct purchase days
    usual_interval: Decimal  # days, to 0.1
    days_since: int
    ratio: Decimal  # days_since ÷ usual interval, to 0.01
    lifetime_value: Decimal


def window_start(today: datetime.date) -> datetime.date:
    """The first day of the RFM window ending on `today` (365 days inclusive)."""
    return today - datetime.timedelta(days=WINDOW_DAYS - 1)


def quintile_scores(values: dict[int, Any]) -> dict[int, int]:
    """Score 1..5 for each key by its value, higher values scoring higher: 1 + floor(5 × rank ÷ n) where rank =
    how many values are strictly smaller (ties share a rank and a score)."""
    n = len(values)
    ordered = sorted(values.values())
    scores: dict[int, int] = {}
    for key, value in values.items():
        rank = _count_below(ordered, value)
        scores[key] = 1 + (5 * rank) // n
    return scores


def _count_below(ordered: list[Any], value: Any) -> int:
    return bisect_left(ordered, value)


def rfm_class(r: int, f: int, m: int) -> str:
    if r >= 4 and f >= 4 and m >= 4:
        return RfmClass.HIGH_VALUE.value
    if r >= 4:
        return RfmClass.POTENTIAL.value
    if r <= 2 and (f >= 3 or m >= 3):
        return RfmClass.CHURN_RISK.value
    return RfmClass.GENERAL.value


def rfm_scores(*, organization: Organization, today: datetime.date | None = None) -> dict[int, RfmScore]:
    """RFM of every customer with an invoice in the 365 days ending `today` (see the module docstring), keyed by
    customer id."""
    today = today or timezone.localdate()
    is_invoice = Q(kind=InvoiceKind.INVOICE)
    rows = (
        Invoice.objects.filter(organization=organization, date__gte=window_start(today), date__lte=today)
        .values("customer_id")
        .annotate(last=Max("date", filter=is_invoice), frequency=Count("id", filter=is_invoice), net=Sum("amount"))
        .filter(frequency__gt=0)
        .order_by("customer_id")
    )
    found = {
        row["customer_id"]: (row["last"], int(row["frequency"]), money(row["net"] if row["net"] is not None else ZERO))
        for row in rows
    }
    if not found:
        return {}
    recency = {cid: (today - last).days for cid, (last, _f, _m) in found.items()}
    r_scores = quintile_scores({cid: -days for cid, days in recency.items()})  # fewer days = better
    f_scores = quintile_scores({cid: frequency for cid, (_l, frequency, _m) in found.items()})
    m_scores = quintile_scores({cid: net for cid, (_l, _f, net) in found.items()})
    return {
        cid: RfmScore(
            customer_id=cid,
            last_purchase=last,
            recency_days=recency[cid],
            frequency=frequency,
            monetary=net,
            r=r_scores[cid],
            f=f_scores[cid],
            m=m_scores[cid],
            rfm_class=rfm_class(r_scores[cid], f_scores[cid], m_scores[cid]),
        )
        for cid, (last, frequency, net) in found.items()
    }


def churn_list(
    *, organization: Organization, actor: Actor | None = None, today: datetime.date | None = None
) -> list[ChurnRow]:
    """Customers who have gone quiet for longer than `churn_multiple` × their usual interval between purchases
    (see the module docstring), highest ratio first."""
    guard(organization, actor, P.VIEW_CRM_ANALYTICS)
    today = today or timezone.localdate()
    multiple = crm_settings(organization).churn_multiple
    invoices = Invoice.objects.filter(organization=organization, date__lte=today)
    days: dict[int, set[datetime.date]] = defaultdict(set)
    for customer_id, date in invoices.filter(kind=InvoiceKind.INVOICE).values_list("customer_id", "date"):
        days[customer_id].add(date)
    candidates: dict[int, tuple[datetime.date, int, int, int]] = {}  # id → (last, purchases, span, days since)
    for customer_id, dates in days.items():
        if len(dates) < MIN_PURCHASES:
            continue
        first, last = min(dates), max(dates)
        span, since = (last - first).days, (today - last).days
        # days_since > multiple × span ÷ (k − 1), without rounding
        if Decimal(since) * (len(dates) - 1) > multiple * span:
            candidates[customer_id] = (last, len(dates), span, since)
    if not candidates:
        return []
    customers = scoped(
        Partner.objects.filter(organization=organization, pk__in=candidates).select_related("owner"),
        organization,
        actor,
    )
    lifetime = {
        row["customer_id"]: money(row["net"] if row["net"] is not None else ZERO)
        for row in invoices.filter(customer_id__in=candidates).values("customer_id").annotate(net=Sum("amount"))
    }
    rows = []
    for customer in customers:
        last, purchases, span, since = candidates[customer.pk]
        interval = Decimal(span) / (purchases - 1)
        rows.append(
            ChurnRow(
                customer=customer,
                owner=customer.owner,
                last_purchase=last,
                purchases=purchases,
                usual_interval=interval.quantize(ONE_DECIMAL, rounding=ROUND_HALF_UP),
                days_since=since,
                ratio=(Decimal(since * (purchases - 1)) / span).quantize(TWO_DECIMALS, rounding=ROUND_HALF_UP),
                lifetime_value=lifetime.get(customer.pk, ZERO),
            )
        )
    rows.sort(key=lambda r: (-r.ratio, -r.days_since, r.customer.pk))
    return rows


CLASS_ORDER = (RfmClass.HIGH_VALUE, RfmClass.POTENTIAL, RfmClass.CHURN_RISK, RfmClass.GENERAL)


@dataclass(frozen=True)
class RfmRow:
    customer: Partner
    score: RfmScore


def rfm_list(
    *,
    organization: Organization,
    actor: Actor | None = None,
    today: datetime.date | None = None,
    rfm_class: str | None = None,
) -> list[RfmRow]:
    """The scored customers the actor may see (optionally of one class): by class (high value, potential, churn
    risk, general), then monetary, highest first."""
    guard(organization, actor, P.VIEW_CRM_ANALYTICS)
    scores = rfm_scores(organization=organization, today=today)
    if rfm_class:
        scores = {pk: s for pk, s in scores.items() if s.rfm_class == rfm_class}
    customers = scoped(
        Partner.objects.filter(organization=organization, pk__in=list(scores)).select_related("owner"),
        organization,
        actor,
    )
    order = {c.value: i for i, c in enumerate(CLASS_ORDER)}
    rows = [RfmRow(customer=c, score=scores[c.pk]) for c in customers]
    rows.sort(key=lambda r: (order[r.score.rfm_class], -r.score.monetary, r.customer.pk))
    return rows
