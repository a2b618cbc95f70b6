"""The month-end costing run (全月一次加权平均) for organizations costing by monthly weighted average.

Under monthly weighted average an outgoing move posts at the pool's moving average as a *provisional* cost
(`cost_final` false, see `services.stock_post`); the documents that issue stock post that provisional value to
the books like any other move, so the inventory account equals the stock value at every moment. At month end
`costing_run` revalues the month's provisional moves and posts the difference.

The rule, per product × warehouse that has provisional outgoing moves in the month:

1. opening = Σ quantity and Σ value of every move dated before the month's first day;
   incoming = Σ quantity and Σ value of the month's moves with quantity > 0 (receipts, transfers in, gains …);
2. average = (opening value + incoming value) / (opening quantity + incoming quantity), rounded half-up to 6
   places (a unit cost); when that quantity is zero or less there is nothing to average and the item keeps its
   provisional costs;
3. each provisional outgoing move of the month (in date, id order) gets unit_cost = average and
   value = −(|quantity| × average) rounded half-up to 0.01 — except the month's last one, which takes the
   rounding remainder: its value is whatever makes
   closing value = closing quantity × average (rounded half-up to 0.01), where closing = opening + every move of
   the month. Outgoing moves whose cost is already final (transfers out: their value moved into the other
   warehouse) keep it; their difference from the average also lands on that last move, so the closing stock is
   valued at the month's average exactly;
4. StockLevel.value moves by the same total delta, under the level's row lock (`locks.lock_levels`).

The voucher (word 转, dated the month's last day, source `inventory.costing_run`): per kind of the revalued
moves, the difference between their new values and the values their documents posted (the "baseline", i.e.
their provisional values before the month's first run) — Dr the kind's account / Cr 1405 库存商品 (a negative
difference in red ink on the same sides). The kind → account mapping (`KIND_ACCOUNTS`): deliveries → 5401 主营业务
成本; stocktake losses and adjustments → 190101 待处理流动资产损溢 (they are cleared from there by whoever approves
the loss); purchase returns → 5401 (the payable was reversed at the supplier's price when the return posted;
the cost difference is a cost of goods). A re-run reverses the previous run's voucher (红字冲销, same date) and
posts a new one against the same baseline: new difference = (new − current values) + what the previous voucher
posted.

Refused: a closed period, an organization costing by moving average (its cost is final at posting), an
earlier open month with provisional moves that no run has costed, no permission.

When costs become final: a closed period cannot change (stock_post, voucher_post and this run refuse it), so
closing is what makes a month's costs final in effect. The flag itself (`cost_final` true) is set by
`costing_finalize`, which the next costing run calls first and a nightly task calls too: a close check is also
called by the read-only close page, so it must not write, and `accounting` cannot call into `inventory`.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Max, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from suanpan.accounting import closing
from suanpan.accounting import locks as accounting_locks
from suanpan.accounting import services as accounting
from suanpan.accounting.choices import PeriodStatus
from suanpan.accounting.models import Account, Period, Voucher
from suanpan.core.audit import audit_record
from suanpan.core.choices import AuditAction, CostingMethod
from suanpan.core.exceptions import DomainError, FieldError, InvalidInput
from suanpan.core.models import Organization
from suanpan.core.money import ZERO, money, price, qty
from suanpan.core.permissions import P
from suanpan.core.tenancy import check_perm
from suanpan.core.types import Actor
from suanpan.inventory import locks
from suanpan.inventory.choices import MoveKind
from suanpan.inventory.models import CostingRun, StockMove

SOURCE_TYPE = "inventory.costing_run"
INVENTORY_ACCOUNT = "1405"  # 库存商品
KIND_ACCOUNTS: dict[str, str] = {
    MoveKind.DELIVERY: "5401",  # 主营业务成本
    MoveKind.PURCHASE_RETURN: "5401",
    MoveKind.STOCKTAKE_LOSS: "190101",  # 待处理财产损溢—待处理流动资产损溢
    MoveKind.ADJUSTMENT: "190101",
}
DEFAULT_ACCOUNT = "5401"


@dataclass(frozen=True)
class ItemCost:
    """What the run found for one product × warehouse."""

    product_id: int
    warehouse_id: int
    opening_quantity: Decimal
    opening_value: Decimal
    incoming_quantity: Decimal
    incoming_value: Decimal
    average: Decimal | None
    closing_quantity: Decimal
    closing_value: Decimal
    moves: int


def _month(year: object, month: object) -> tuple[int, int]:
    errors = []
    try:
        y = int(str(year))
        if not 1990 <= y <= 2200:
            raise ValueError
    except (TypeError, ValueError):
        errors.append(("year", _("Give a year between 1990 and 2200.")))
        y = 0
    try:
        m = int(str(month))
        if not 1 <= m <= 12:
            raise ValueError
    except (TypeError, ValueError):
        errors.append(("month", _("Give a month from 1 to 12.")))
        m = 0
    if errors:
        raise InvalidInput([FieldError(f, msg) for f, msg in errors])
    return y, m


def _period(organization: Organization, year: int, month: int) -> Period:
    period = Period.objects.filter(organization=organization, year=year, month=month).first()
    if period is None:
        raise InvalidInput.single(
            "month", _("The books have no period %(y)d-%(m)02d; open its fiscal year first.") % {"y": year, "m": month}
        )
    return period


def costing_finalize(*, organization: Organization) -> int:
    """Mark the provisional moves dated in closed periods final (their month can no longer change). Returns how
    many moves it marked."""
    closed = Period.objects.filter(organization=organization, status=PeriodStatus.CLOSED)
    query = Q()
    for start, end in closed.values_list("start", "end"):
        query |= Q(date__gte=start, date__lte=end)
    if not query:
        return 0
    return StockMove.objects.filter(organization=organization, cost_final=False).filter(query).update(cost_final=True)


def _post(organization: Organization, actor: Actor, voucher: Voucher) -> Voucher:
    accounting.voucher_review_by_system(
        organization=organization, actor=actor, voucher_id=voucher.pk, on_behalf_of="costing run"
    )
    return accounting.voucher_post(organization=organization, actor=actor, voucher_id=voucher.pk)


def _accounts(organization: Organization, codes: set[str]) -> dict[str, Account]:
    found = {a.code: a for a in Account.objects.filter(organization=organization, code__in=codes)}
    missing = sorted(codes - set(found))
    if missing:
        raise DomainError(
            _("The chart of accounts has no account %(code)s.") % {"code": ", ".join(missing)}, field="account"
        )
    return found


def _previous_amounts(voucher: Voucher | None) -> dict[str, Decimal]:
    """What a previous run's voucher posted per debit account (debit positive)."""
    amounts: dict[str, Decimal] = defaultdict(lambda: ZERO)
    if voucher is None:
        return amounts
    for line in voucher.lines.select_related("account"):
        if line.account.code != INVENTORY_ACCOUNT:
            amounts[line.account.code] += line.debit - line.credit  # stored figures, added in Python: exact
    return amounts


def _check_earlier_months(organization: Organization, period: Period) -> None:
    earlier = (
        StockMove.objects.filter(organization=organization, cost_final=False, date__lt=period.start)
        .values_list("date", flat=True)
        .distinct()
    )
    months = sorted({(d.year, d.month) for d in earlier})
    ran = set(CostingRun.objects.filter(organization=organization).values_list("year", "month").distinct())
    for year, month in months:
        before = Period.objects.filter(organization=organization, year=year, month=month).first()
        if before is not None and before.is_open and (year, month) not in ran:
            raise DomainError(
                _("Run the costing of %(p)s first: its issues are not costed yet.") % {"p": before}, field="month"
            )


def _cost_item(
    moves: list[StockMove], opening_quantity: Decimal, opening_value: Decimal
) -> tuple[list[tuple[StockMove, Decimal, Decimal]], ItemCost | None]:
    """(move, new unit cost, new value) for each provisional outgoing move of one item's month, per the rule."""
    incoming = [m for m in moves if m.quantity > 0]
    in_q = sum((m.quantity for m in incoming), ZERO)
    in_v = sum((m.value for m in incoming), ZERO)
    base_q, base_v = opening_quantity + in_q, opening_value + in_v
    provisional = [m for m in moves if m.quantity < 0 and not m.cost_final]
    if not provisional or base_q <= 0:
        return [], None
    average = price(base_v / base_q)
    fixed_out = sum((m.value for m in moves if m.quantity < 0 and m.cost_final), ZERO)
    closing_q = base_q + sum((m.quantity for m in moves if m.quantity < 0), ZERO)
    closing_v = money(closing_q * average)
    result: list[tuple[StockMove, Decimal, Decimal]] = []
    taken = ZERO
    for move in provisional[:-1]:
        value = -money(-move.quantity * average)
        result.append((move, average, value))
        taken += value
    last_value = closing_v - (base_v + fixed_out + taken)
    result.append((provisional[-1], average, last_value))
    first = moves[0]
    return result, ItemCost(
        product_id=first.product_id,
        warehouse_id=first.warehouse_id,
        opening_quantity=opening_quantity,
        opening_value=opening_value,
        incoming_quantity=in_q,
        incoming_value=in_v,
        average=average,
        closing_quantity=closing_q,
        closing_value=closing_v,
        moves=len(provisional),
    )


def costing_run(*, organization: Organization, actor: Actor, year: object, month: object) -> CostingRun:
    """Cost the month's provisional outgoing moves at the monthly weighted average and post the difference to the
    books (see the module's docstring for the exact rule). Re-runnable while the period is open."""
    with transaction.atomic():
        check_perm(organization=organization, actor=actor, perm=P.RUN_COSTING)
        y, m = _month(year, month)
        if organization.costing_method != CostingMethod.MONTHLY_AVERAGE:
            raise DomainError(
                _(
                    "This organization costs by moving weighted average: every issue takes its cost when it posts, "
                    "so there is no month-end costing run."
                ),
                field="costing_method",
            )
        period = accounting_locks.lock_period(_period(organization, y, m).pk)
        if not period.is_open:
            raise DomainError(
                _("Period %(p)s is closed; its costs are final.") % {"p": period}, field="month", code="closed"
            )
        costing_finalize(organization=organization)
        _check_earlier_months(organization, period)
        month_moves = StockMove.objects.filter(organization=organization, date__gte=period.start, date__lte=period.end)
        keys = sorted(
            set(month_moves.filter(quantity__lt=0, cost_final=False).values_list("product_id", "warehouse_id"))
        )
        levels = locks.lock_levels(organization, keys) if keys else {}
        # Each run reverses its predecessor's voucher, so only the latest run's voucher (if any) is still in force.
        previous = (
            CostingRun.objects.filter(organization=organization, year=y, month=m)
            .select_related("voucher")
            .order_by("-ran_at", "-pk")
            .first()
        )
        # Lock the month's moves of those items (the rows this run rewrites), in primary-key order.
        by_item: dict[tuple[int, int], list[StockMove]] = defaultdict(list)
        for move in (
            month_moves.filter(
                Q(*[Q(product_id=p, warehouse_id=w) for p, w in keys], _connector=Q.OR) if keys else Q(pk__in=[])
            )
            .select_for_update()
            .order_by("pk")
        ):
            by_item[(move.product_id, move.warehouse_id)].append(move)
        opening = {
            (row["product_id"], row["warehouse_id"]): (qty(row["q"] or ZERO), money(row["v"] or ZERO))
            for row in StockMove.objects.filter(organization=organization, date__lt=period.start)
            .filter(product_id__in={k[0] for k in keys}, warehouse_id__in={k[1] for k in keys})
            .values("product_id", "warehouse_id")
            .annotate(q=Sum("quantity"), v=Sum("value"))
        }
        difference: dict[str, Decimal] = defaultdict(lambda: ZERO)  # debit account → (new − current) values
        costed = 0
        total = ZERO
        for key in keys:
            moves = sorted(by_item[key], key=lambda mv: (mv.date, mv.pk))
            oq, ov = opening.get(key, (ZERO, ZERO))
            changes, _item = _cost_item(moves, oq, ov)
            delta_level = ZERO
            for move, unit_cost, value in changes:
                delta = value - move.value
                delta_level += delta
                difference[KIND_ACCOUNTS.get(move.kind, DEFAULT_ACCOUNT)] -= delta  # a bigger issue: debit more
                costed += 1
                total += -value
                if unit_cost != move.unit_cost or value != move.value:
                    StockMove.objects.filter(pk=move.pk).update(unit_cost=unit_cost, value=value)
            if delta_level:
                level = levels[key]
                level.value += delta_level
                level.save(update_fields=["value", "updated_at"])
        amounts = _previous_amounts(previous.voucher if previous else None)
        for code, amount in difference.items():
            amounts[code] += amount
        if previous is not None and previous.voucher is not None:
            _reverse(organization, actor, previous.voucher, period)
        voucher = _voucher(organization, actor, period, {c: a for c, a in amounts.items() if a != ZERO})
        run = CostingRun.objects.create(
            organization=organization,
            year=y,
            month=m,
            ran_at=timezone.now(),
            ran_by=actor if actor.is_authenticated else None,
            voucher=voucher,
            moves_costed=costed,
            total_value=money(total),
        )
        audit_record(
            organization=organization,
            actor=actor,
            obj=run,
            action=AuditAction.CREATE,
            changes={
                "month": f"{y}-{m:02d}",
                "moves": costed,
                "value": str(money(total)),
                "voucher": voucher.display_number if voucher else None,
                "reversed": previous.voucher.display_number if previous and previous.voucher else None,
            },
        )
        return run


def _reverse(organization: Organization, actor: Actor, voucher: Voucher, period: Period) -> None:
    if Voucher.objects.filter(reverses=voucher).exists():
        return
    reversal = accounting.voucher_reverse(
        organization=organization, actor=actor, voucher_id=voucher.pk, date=period.end
    )
    _post(organization, actor, reversal)


def _voucher(organization: Organization, actor: Actor, period: Period, amounts: dict[str, Decimal]) -> Voucher | None:
    if not amounts:
        return None
    accounts = _accounts(organization, {*amounts, INVENTORY_ACCOUNT})
    label = f"{period.year}-{period.month:02d}"
    rows: list[dict[str, Any]] = []
    for code in sorted(amounts):
        summary = _("Cost of goods issued in %(m)s (monthly weighted average)") % {"m": label}
        rows.append({"summary": summary, "account": accounts[code], "debit": amounts[code]})
    rows.append(
        {
            "summary": _("Inventory issued in %(m)s, costing run") % {"m": label},
            "account": accounts[INVENTORY_ACCOUNT],
            "credit": sum(amounts.values(), ZERO),
        }
    )
    rows = [r for r in rows if r.get("debit", ZERO) != ZERO or r.get("credit", ZERO) != ZERO]
    voucher = accounting.voucher_create(
        organization=organization,
        actor=actor,
        date=period.end,
        lines=rows,
        word=accounting.voucher_word(organization=organization, preferred="转"),
        source_type=SOURCE_TYPE,
        source_id=period.pk,
        source_label=_("Costing run %(m)s") % {"m": label},
    )
    return _post(organization, actor, voucher)


# Reads ---------------------------------------------------------------------------------------------------------


def costing_run_list(*, organization: Organization) -> list[CostingRun]:
    return list(CostingRun.objects.filter(organization=organization).select_related("voucher", "ran_by")[:200])


def costing_preview(*, organization: Organization, year: int, month: int) -> list[ItemCost]:
    """What a run would compute now, per item (read-only: for the costing page)."""
    period = Period.objects.filter(organization=organization, year=year, month=month).first()
    if period is None:
        return []
    moves = StockMove.objects.filter(organization=organization, date__gte=period.start, date__lte=period.end)
    keys = sorted(set(moves.filter(quantity__lt=0, cost_final=False).values_list("product_id", "warehouse_id")))
    found = []
    for product_id, warehouse_id in keys:
        item_moves = list(moves.filter(product_id=product_id, warehouse_id=warehouse_id).order_by("date", "pk"))
        before = StockMove.objects.filter(
            organization=organization, product_id=product_id, warehouse_id=warehouse_id, date__lt=period.start
        ).aggregate(q=Sum("quantity"), v=Sum("value"))
        _changes, item = _cost_item(item_moves, qty(before["q"] or ZERO), money(before["v"] or ZERO))
        if item is not None:
            found.append(item)
    return found


# The close check -----------------------------------------------------------------------------------------------


def last_run(organization: Organization, year: int, month: int) -> CostingRun | None:
    return CostingRun.objects.filter(organization=organization, year=year, month=month).order_by("-ran_at").first()


@closing.register_close_check
def check_costing_run_done(*, organization: Organization, period: Period) -> closing.CheckResult | None:
    """Monthly-average organizations: a costing run of the period after its last stock move."""
    if organization.costing_method != CostingMethod.MONTHLY_AVERAGE:
        return None
    label = _("Costing run done after the month's last stock move")
    link = closing.Link(_("Costing run"), "inventory:costing", query=f"year={period.year}&month={period.month}")
    moves = StockMove.objects.filter(organization=organization, date__gte=period.start, date__lte=period.end)
    if not moves.filter(quantity__lt=0, cost_final=False).exists():
        return closing.CheckResult("costing_run", label, ok=True, message=_("No issue to cost in the period."))
    last_move = moves.aggregate(at=Max("created_at"))["at"]
    run = last_run(organization, period.year, period.month)
    if run is None:
        return closing.CheckResult(
            "costing_run", label, ok=False, message=_("Run the month's costing first."), links=(link,)
        )
    if last_move is not None and run.ran_at < last_move:
        return closing.CheckResult(
            "costing_run",
            label,
            ok=False,
            message=_("Stock moved after the last costing run (%(at)s): run it again.")
            % {"at": timezone.localtime(run.ran_at).strftime("%Y-%m-%d %H:%M")},
            links=(link,),
        )
    return closing.CheckResult("costing_run", label, ok=True, links=(link,))


# `suanpan verify` ----------------------------------------------------------------------------------------------


def closed_months_are_costed(org: Organization) -> list[str]:
    """Monthly-average organizations: every closed period with issues was costed after its last stock move, and
    no closed period keeps a provisional cost that its costing run would change."""
    if org.costing_method != CostingMethod.MONTHLY_AVERAGE:
        return []
    problems = []
    for period in Period.objects.filter(organization=org, status=PeriodStatus.CLOSED).order_by("year", "month"):
        moves = StockMove.objects.filter(organization=org, date__gte=period.start, date__lte=period.end)
        issues = moves.filter(quantity__lt=0).exclude(kind__in=(MoveKind.TRANSFER_OUT,))
        if not issues.exists():
            continue
        run = last_run(org, period.year, period.month)
        last_move = moves.aggregate(at=Max("created_at"))["at"]
        if run is None:
            problems.append(f"{period}: closed with issues but no costing run")
        elif last_move is not None and run.ran_at < last_move:
            problems.append(f"{period}: stock moved after its last costing run")
    return problems
