"""The sales funnel, lead conversion by channel and the rep leaderboard (reads only).

Funnel (`funnel`)
    The opportunities created in [date_from, date_to] (by the local date of `created_at`), optionally of one owner
    and of one lead channel (the channel of the opportunity's lead; opportunities without a lead have none), and
    only those whose owner the actor may see. One row per open stage (by `seq`), then the won stage(s), then the
    lost stage(s):

    - count / amount: the opportunities that *reached* the stage, and Σ their expected amount. An opportunity
      reached an open stage when it has been in it (its current stage or a `StageChange` row), or in any later
      open stage (a skipped stage counts as passed), or in a won stage (won passes through every open stage). It
      reached a won stage only by being in it. A lost row counts the opportunities now in that lost stage, with a
      summary of their loss reasons (reason, count, amount; most frequent first; an empty reason is "").
    - conversion: of those that reached this open stage, the % that reached the next row (the next open stage;
      after the last open stage, the won stage), to 0.1, half up; None on the won and lost rows or when none
      reached the stage.
    - avg_days: the mean time the opportunities spent in this open stage, in days to 0.1, half up. The time of one
      stay = the next `StageChange.entered_at` − this one's; an opportunity still open in the stage is measured up
      to `now` (so the figure includes deals still sitting there); several stays in one stage are added up per
      opportunity; the mean is over the opportunities with a stay. None on won/lost rows and when nobody stayed.

Lead conversion (`lead_conversion`)
    The leads created in the period (and owned by someone the actor may see), per channel (then "no channel"):
    leads; converted = those now converted; rate = converted ÷ leads × 100 (0.1, half up); won amount = Σ the
    expected amount of their opportunities (linked either way, `Opportunity.lead` or `Lead.opportunity`) now in a
    won stage, whenever won. Every active channel is listed, with zeros when it brought nothing.

Leaderboard (`leaderboard`)
    Per rep, in the period: follow-ups they logged (`FollowUp.user`, by the time it happened); new customers =
    the distinct customers created in the period with the rep as owner, together with the customers of the leads
    the rep owns that were converted in the period (a lead turned into an existing customer counts too; a
    customer counted both ways counts once); opportunities won = the rep's opportunities now in a won stage closed
    in the period (`closed_on`, or the day they entered the stage when unset): count and Σ expected amount. Every
    active member holding the sales role is listed, plus anybody else with a figure; best first (won amount, won
    count, new customers, follow-ups). With a data scope, only the reps the actor may see.
"""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet
from django.utils import timezone

from suanpan.core.choices import Role
from suanpan.core.models import Membership, Organization
from suanpan.core.permissions import P
from suanpan.core.scopes import scoped, visible_owner_ids
from suanpan.core.tenancy import guard
from suanpan.core.types import Actor
from suanpan.crm.choices import LeadStatus, StageKind
from suanpan.crm.models import Channel, FollowUp, Lead, Opportunity, Stage, StageChange
from suanpan.partners.models import Partner

ZERO = Decimal("0.00")  # amounts start from the cent, so that empty sums read 0.00
HUNDRED = Decimal("100")
ONE_DECIMAL = Decimal("0.1")
SECONDS_A_DAY = 86400


def percent(part: int | Decimal, whole: int | Decimal) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * HUNDRED / Decimal(whole)).quantize(ONE_DECIMAL, rounding=ROUND_HALF_UP)


def _seconds(delta: datetime.timedelta) -> int:
    return max(delta.days * SECONDS_A_DAY + delta.seconds, 0)


# Funnel -------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LossReason:
    reason: str
    count: int
    amount: Decimal


@dataclass(frozen=True)
class FunnelRow:
    stage_id: int
    name: str
    kind: str  # a StageKind value
    count: int
    amount: Decimal
    conversion: Decimal | None  # % reaching the next row
    avg_days: Decimal | None
    reasons: tuple[LossReason, ...] = field(default=())


@dataclass
class _Funnel:
    stages: list[Stage]  # open by seq, then won, then lost
    reached: dict[int, list[Opportunity]]  # stage id → opportunities (lost: those now in it)
    stay_seconds: dict[int, dict[int, int]]  # stage id → opportunity id → seconds spent in it


def funnel_opportunities_qs(
    *,
    organization: Organization,
    actor: Actor | None,
    date_from: datetime.date,
    date_to: datetime.date,
    owner_id: int | None = None,
    channel_id: int | None = None,
) -> QuerySet[Opportunity]:
    """The opportunities the funnel counts (see the module docstring)."""
    qs = Opportunity.objects.filter(
        organization=organization, created_at__date__gte=date_from, created_at__date__lte=date_to
    )
    if owner_id is not None:
        qs = qs.filter(owner_id=owner_id)
    if channel_id is not None:
        qs = qs.filter(lead__channel_id=channel_id)
    return scoped(qs, organization, actor).select_related("stage", "customer", "owner")


def _ordered_stages(organization: Organization) -> list[Stage]:
    order = {StageKind.OPEN: 0, StageKind.WON: 1, StageKind.LOST: 2}
    found = Stage.objects.filter(organization=organization)
    return sorted(found, key=lambda s: (order.get(StageKind(s.kind), 3), s.seq, s.pk))


def _build(opportunities: list[Opportunity], stages: list[Stage], now: datetime.datetime) -> _Funnel:
    by_id = {s.pk: s for s in stages}
    history: dict[int, list[tuple[int, datetime.datetime]]] = defaultdict(list)
    rows = StageChange.objects.filter(opportunity__in=[o.pk for o in opportunities]).order_by(
        "opportunity_id", "entered_at", "id"
    )
    for opp_id, stage_id, entered_at in rows.values_list("opportunity_id", "to_stage_id", "entered_at"):
        history[opp_id].append((stage_id, entered_at))
    reached: dict[int, list[Opportunity]] = {s.pk: [] for s in stages}
    stays: dict[int, dict[int, int]] = defaultdict(dict)
    open_stages = [s for s in stages if s.kind == StageKind.OPEN]
    for opp in opportunities:
        visits = history.get(opp.pk) or [(opp.stage_id, opp.stage_entered_at)]
        visited = {stage_id for stage_id, _at in visits} | {opp.stage_id}
        visited_stages = [by_id[i] for i in visited if i in by_id]
        won = any(s.kind == StageKind.WON for s in visited_stages)
        furthest = max((s.seq for s in visited_stages if s.kind == StageKind.OPEN), default=None)
        for stage in open_stages:
            if won or stage.pk in visited or (furthest is not None and stage.seq <= furthest):
                reached[stage.pk].append(opp)
        for stage in stages:
            if (stage.kind == StageKind.WON and stage.pk in visited) or (
                stage.kind == StageKind.LOST and opp.stage_id == stage.pk
            ):
                reached[stage.pk].append(opp)
        for i, (stage_id, entered_at) in enumerate(visits):
            if stage_id not in by_id or by_id[stage_id].kind != StageKind.OPEN:
                continue
            if i + 1 < len(visits):
                until = visits[i + 1][1]
            elif opp.stage_id == stage_id:
                until = now  # still there
            else:
                continue
            stays[stage_id][opp.pk] = stays[stage_id].get(opp.pk, 0) + _seconds(until - entered_at)
    return _Funnel(stages=stages, reached=reached, stay_seconds=stays)


def _compute(
    *,
    organization: Organization,
    actor: Actor | None,
    date_from: datetime.date,
    date_to: datetime.date,
    owner_id: int | None,
    channel_id: int | None,
    now: datetime.datetime | None,
) -> _Funnel:
    guard(organization, actor, P.VIEW_CRM_ANALYTICS)
    opportunities = list(
        funnel_opportunities_qs(
            organization=organization,
            actor=actor,
            date_from=date_from,
            date_to=date_to,
            owner_id=owner_id,
            channel_id=channel_id,
        ).order_by("pk")
    )
    return _build(opportunities, _ordered_stages(organization), now or timezone.now())


def _reasons(opportunities: list[Opportunity]) -> tuple[LossReason, ...]:
    counts: Counter[str] = Counter()
    amounts: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for opp in opportunities:
        reason = opp.loss_reason.strip()
        counts[reason] += 1
        amounts[reason] += opp.amount
    return tuple(
        LossReason(reason, count, amounts[reason])
        for reason, count in sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    )


def funnel(
    *,
    organization: Organization,
    actor: Actor | None = None,
    date_from: datetime.date,
    date_to: datetime.date,
    owner_id: int | None = None,
    channel_id: int | None = None,
    now: datetime.datetime | None = None,
) -> list[FunnelRow]:
    """The funnel rows: open stages, won, lost (see the module docstring)."""
    found = _compute(
        organization=organization,
        actor=actor,
        date_from=date_from,
        date_to=date_to,
        owner_id=owner_id,
        channel_id=channel_id,
        now=now,
    )
    rows: list[FunnelRow] = []
    flowing = [s for s in found.stages if s.kind != StageKind.LOST]
    for i, stage in enumerate(found.stages):
        opps = found.reached[stage.pk]
        count = len(opps)
        conversion = avg = None
        if stage.kind == StageKind.OPEN:
            following = flowing[i + 1] if i + 1 < len(flowing) else None
            if following is not None:
                conversion = percent(len(found.reached[following.pk]), count)
            stays = found.stay_seconds.get(stage.pk, {})
            if stays:
                avg = (Decimal(sum(stays.values())) / (len(stays) * SECONDS_A_DAY)).quantize(
                    ONE_DECIMAL, rounding=ROUND_HALF_UP
                )
        rows.append(
            FunnelRow(
                stage_id=stage.pk,
                name=stage.name,
                kind=stage.kind,
                count=count,
                amount=sum((o.amount for o in opps), ZERO),
                conversion=conversion,
                avg_days=avg,
                reasons=_reasons(opps) if stage.kind == StageKind.LOST else (),
            )
        )
    return [r for r in rows if r.kind != StageKind.LOST or r.count or _is_active(found.stages, r.stage_id)]


def _is_active(stages: list[Stage], stage_id: int) -> bool:
    return any(s.pk == stage_id and s.is_active for s in stages)


def funnel_opportunities(
    *,
    organization: Organization,
    actor: Actor | None = None,
    date_from: datetime.date,
    date_to: datetime.date,
    stage_id: int,
    owner_id: int | None = None,
    channel_id: int | None = None,
    now: datetime.datetime | None = None,
) -> list[Opportunity]:
    """The opportunities behind one funnel row (the drill-down), newest first. `stage_id` must be a stage of the
    organization (else NotFound)."""
    from suanpan.core.records import get_scoped

    stage = get_scoped(Stage, organization=organization, pk=stage_id)
    found = _compute(
        organization=organization,
        actor=actor,
        date_from=date_from,
        date_to=date_to,
        owner_id=owner_id,
        channel_id=channel_id,
        now=now,
    )
    return sorted(found.reached.get(stage.pk, []), key=lambda o: -o.pk)


# Lead conversion ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ConversionRow:
    channel_id: int | None
    name: str
    leads: int
    converted: int
    rate: Decimal | None
    won_amount: Decimal


def conversion_leads_qs(
    *, organization: Organization, actor: Actor | None, date_from: datetime.date, date_to: datetime.date
) -> QuerySet[Lead]:
    qs = Lead.objects.filter(organization=organization, created_at__date__gte=date_from, created_at__date__lte=date_to)
    return scoped(qs, organization, actor)


def lead_conversion(
    *,
    organization: Organization,
    actor: Actor | None = None,
    date_from: datetime.date,
    date_to: datetime.date,
) -> list[ConversionRow]:
    """Leads, converted, rate and won amount per channel (see the module docstring)."""
    guard(organization, actor, P.VIEW_CRM_ANALYTICS)
    leads = list(
        conversion_leads_qs(organization=organization, actor=actor, date_from=date_from, date_to=date_to).values(
            "pk", "channel_id", "status", "opportunity_id"
        )
    )
    channel_of = {row["pk"]: row["channel_id"] for row in leads}
    won = Opportunity.objects.filter(organization=organization, stage__kind=StageKind.WON).filter(
        Q(lead_id__in=list(channel_of)) | Q(pk__in=[r["opportunity_id"] for r in leads if r["opportunity_id"]])
    )
    lead_of_opportunity = {r["opportunity_id"]: r["pk"] for r in leads if r["opportunity_id"]}
    won_amount: dict[int | None, Decimal] = defaultdict(lambda: ZERO)
    for opp_id, lead_id, amount in won.values_list("pk", "lead_id", "amount"):
        source = lead_id if lead_id in channel_of else lead_of_opportunity[opp_id]
        won_amount[channel_of[source]] += amount
    counts: Counter[int | None] = Counter(r["channel_id"] for r in leads)
    converted: Counter[int | None] = Counter(r["channel_id"] for r in leads if r["status"] == LeadStatus.CONVERTED)
    channels = Channel.objects.filter(organization=organization).filter(Q(is_active=True) | Q(pk__in=list(counts)))
    keys: list[tuple[int | None, str]] = [(c.pk, c.name) for c in channels.order_by("seq", "id")]
    if counts.get(None):
        keys.append((None, ""))
    return [
        ConversionRow(
            channel_id=key,
            name=name,
            leads=counts.get(key, 0),
            converted=converted.get(key, 0),
            rate=percent(converted.get(key, 0), counts.get(key, 0)),
            won_amount=won_amount.get(key, ZERO),
        )
        for key, name in keys
    ]


# Leaderboard --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LeaderRow:
    user: Any
    name: str
    follow_ups: int
    new_customers: int
    won_count: int
    won_amount: Decimal


def leaderboard(
    *,
    organization: Organization,
    actor: Actor | None = None,
    date_from: datetime.date,
    date_to: datetime.date,
) -> list[LeaderRow]:
    """Follow-ups, new customers and opportunities won per rep (see the module docstring)."""
    guard(organization, actor, P.VIEW_CRM_ANALYTICS)
    follow_ups: Counter[int] = Counter(
        FollowUp.objects.filter(
            organization=organization, happened_at__date__gte=date_from, happened_at__date__lte=date_to
        ).values_list("user_id", flat=True)
    )
    new: dict[int, set[int]] = defaultdict(set)
    created = Partner.objects.filter(
        organization=organization,
        is_customer=True,
        owner__isnull=False,
        created_at__date__gte=date_from,
        created_at__date__lte=date_to,
    )
    for owner_id, customer_id in created.values_list("owner_id", "pk"):
        new[owner_id].add(customer_id)
    converted = Lead.objects.filter(
        organization=organization,
        status=LeadStatus.CONVERTED,
        owner__isnull=False,
        customer__isnull=False,
        converted_at__date__gte=date_from,
        converted_at__date__lte=date_to,
    )
    for owner_id, customer_id in converted.values_list("owner_id", "customer_id"):
        new[owner_id].add(customer_id)
    closed_in = Q(closed_on__gte=date_from, closed_on__lte=date_to) | Q(
        closed_on__isnull=True, stage_entered_at__date__gte=date_from, stage_entered_at__date__lte=date_to
    )
    won_count: Counter[int] = Counter()
    won_amount: dict[int, Decimal] = defaultdict(lambda: ZERO)
    won = Opportunity.objects.filter(organization=organization, stage__kind=StageKind.WON, owner__isnull=False)
    for owner_id, amount in won.filter(closed_in).values_list("owner_id", "amount"):
        won_count[owner_id] += 1
        won_amount[owner_id] += amount
    reps = {
        m.user_id
        for m in Membership.objects.filter(organization=organization, is_active=True, user__is_active=True)
        if Role.SALES in m.roles
    }
    user_ids = reps | set(follow_ups) | set(new) | set(won_count)
    visible = visible_owner_ids(organization, actor)
    if visible is not None:
        user_ids &= visible
    users = get_user_model().objects.filter(pk__in=user_ids)
    rows = [
        LeaderRow(
            user=user,
            name=str(user.get_full_name() or user.get_username()),
            follow_ups=follow_ups.get(user.pk, 0),
            new_customers=len(new.get(user.pk, ())),
            won_count=won_count.get(user.pk, 0),
            won_amount=won_amount.get(user.pk, ZERO),
        )
        for user in users
    ]
    rows.sort(key=lambda r: (-r.won_amount, -r.won_count, -r.new_customers, -r.follow_ups, r.name, r.user.pk))
    return rows
