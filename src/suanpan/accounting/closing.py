"""Month-end close (期末结账): the checks a period must pass, 结转损益, the year-end carry of 本年利润, and closing
and reopening periods.

Invariants:
1. periods close in order: a period closes only when the one before it is closed, except the books' first
   period (`Books.start`; without a `Books` row, the earliest period of the organization);
2. a closed period holds no draft or reviewed voucher, its trial balance balances, and every income and expense
   leaf account (per value of each auxiliary dimension it requires) nets to zero in it: the close moves what
   they hold into 3103 本年利润 with one voucher (source `PERIOD_CLOSE_SOURCE`, dated the period's last day);
3. after December closes, 3103 holds nothing: the year's profit moved to 310405 未分配利润 (source
   `YEAR_END_SOURCE`), and the next fiscal year is open;
4. carry vouchers are made and posted through `services.voucher_create` + `voucher_post` like every other
   voucher, and never removed: reopening keeps them, and closing again carries only what changed since;
5. only the latest closed period can be reopened, with a reason that goes into the audit trail.

Other apps add their own checks (e.g. "no draft delivery dated in the period") with `register_close_check`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Q, Sum
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from suanpan.accounting import locks, reports, services
from suanpan.accounting.choices import (
    PERIOD_CLOSE_SOURCE,
    YEAR_END_SOURCE,
    AccountCategory,
    Dimension,
    PeriodStatus,
    VoucherStatus,
)
from suanpan.accounting.models import Account, AccountBalance, Books, OpeningBalance, Period, Voucher, VoucherLine
from suanpan.accounting.posting import DIMENSION_FIELDS
from suanpan.accounting.selectors import account_by_code
from suanpan.core.audit import audit_record
from suanpan.core.choices import AuditAction
from suanpan.core.exceptions import DomainError, FieldError, InvalidInput
from suanpan.core.models import Organization
from suanpan.core.permissions import P
from suanpan.core.records import get_scoped
from suanpan.core.tenancy import check_perm
from suanpan.core.types import Actor

ZERO = Decimal("0")
PROFIT_ACCOUNT = "3103"  # 本年利润
RETAINED_ACCOUNT = "310405"  # 利润分配—未分配利润
PNL_CATEGORIES = (AccountCategory.INCOME, AccountCategory.EXPENSE)
REASON_MAX = 500
# The dimension fields a carry line repeats from the lines it carries (partner covers customer and supplier).
_DIMENSION_ORDER = ("partner", "product", "employee", "department", "project")


# Check results and the registry -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Link:
    """A link to an offending record: a URL name and its arguments, resolved only when shown (services do not
    depend on the URL configuration)."""

    label: str
    name: str
    args: tuple[object, ...] = ()
    query: str = ""

    @property
    def url(self) -> str:
        try:
            url = reverse(self.name, args=self.args)
        except NoReverseMatch:  # a page of an app that is not wired (yet): no link rather than a 500
            return ""
        return f"{url}?{self.query}" if self.query else url


@dataclass(frozen=True)
class CheckResult:
    """One line of the close check list. `automatic`: the close itself puts this right (it carries), so the
    check does not stop a close before the carry, only after it."""

    code: str
    label: str
    ok: bool
    message: str = ""
    links: tuple[Link, ...] = ()
    automatic: bool = False

    @property
    def blocking(self) -> bool:
        return not self.ok and not self.automatic


CloseCheck = Callable[..., "CheckResult | None"]  # fn(*, organization, period) → result, or None if not relevant
_CHECKS: list[CloseCheck] = []


def register_close_check(fn: CloseCheck) -> CloseCheck:
    """Add a check every period must pass before it closes (usable as a decorator; registering twice is a no-op).

    The function is called as `fn(organization=…, period=…)` and returns a `CheckResult`, or None when it has
    nothing to say about that period. Other apps register theirs in their `AppConfig.ready()`.
    """
    if fn not in _CHECKS:
        _CHECKS.append(fn)
    return fn


def close_checks(*, organization: Organization, period: Period) -> list[CheckResult]:
    """Every registered check's result for `period`, in registration order."""
    results = (check(organization=organization, period=period) for check in _CHECKS)
    return [r for r in results if r is not None]


def period_close_checks(*, organization: Organization, period_id: object) -> list[CheckResult]:
    return close_checks(organization=organization, period=get_scoped(Period, organization=organization, pk=period_id))


class CloseRefused(DomainError):
    """The period cannot close; `errors` names each failing check (`checks.<code>`)."""

    def __init__(self, period: Period, failures: list[CheckResult]) -> None:
        self.failures = failures
        super().__init__(
            _("Period %(p)s cannot be closed: %(why)s")
            % {"p": period, "why": "; ".join(f"{f.label}: {f.message}" for f in failures)},
            field="checks",
            code="close_refused",
        )

    @property
    def errors(self) -> list[FieldError]:
        return [FieldError(f"checks.{f.code}", f"{f.label}: {f.message}") for f in self.failures]


# Reads ---------------------------------------------------------------------------------------------------------


def _after(period: Period) -> Q:
    return Q(year__gt=period.year) | Q(year=period.year, month__gt=period.month)


def _up_to(period: Period) -> Q:
    return Q(period__year__lt=period.year) | Q(period__year=period.year, period__month__lte=period.month)


def books_of(organization: Organization) -> Books | None:
    return Books.objects.filter(organization=organization).select_related("start").first()


def books_start(organization: Organization) -> Period | None:
    """The first period of the books: `Books.start`, or the earliest period when the books are not set up."""
    books = books_of(organization)
    if books is not None and books.start is not None:
        return books.start
    return Period.objects.filter(organization=organization).order_by("year", "month").first()


def previous_period(period: Period) -> Period | None:
    year, month = (period.year, period.month - 1) if period.month > 1 else (period.year - 1, 12)
    return Period.objects.filter(organization_id=period.organization_id, year=year, month=month).first()


def period_list(*, organization: Organization, year: int | None = None) -> list[Period]:
    periods = Period.objects.filter(organization=organization)
    if year is not None:
        periods = periods.filter(year=year)
    return list(periods.order_by("year", "month"))


def next_period_to_close(*, organization: Organization) -> Period | None:
    """The earliest open period from the books' start on."""
    start = books_start(organization)
    if start is None:
        return None
    periods = Period.objects.filter(organization=organization, status=PeriodStatus.OPEN)
    return periods.filter(Q(pk=start.pk) | _after(start)).order_by("year", "month").first()


def latest_closed_period(*, organization: Organization) -> Period | None:
    return Period.objects.filter(organization=organization, status=PeriodStatus.CLOSED).order_by("year", "month").last()


@dataclass(frozen=True)
class CloseOverview:
    """What the month-end close page shows: a year's periods, the next period to close and its checks."""

    year: int
    years: list[int]
    periods: list[Period]
    next_period: Period | None
    checks: list[CheckResult]
    latest_closed: Period | None

    @property
    def ready(self) -> bool:
        return self.next_period is not None and not any(c.blocking for c in self.checks)


def close_overview(*, organization: Organization, year: int | None = None) -> CloseOverview:
    """The periods of `year` (default: the year of the next period to close, else the latest year)."""
    upcoming = next_period_to_close(organization=organization)
    years = sorted(set(Period.objects.filter(organization=organization).values_list("year", flat=True)))
    if year not in years:
        year = upcoming.year if upcoming is not None else (years[-1] if years else None)
    return CloseOverview(
        year=year or 0,
        years=years,
        periods=period_list(organization=organization, year=year) if year else [],
        next_period=upcoming,
        checks=close_checks(organization=organization, period=upcoming) if upcoming is not None else [],
        latest_closed=latest_closed_period(organization=organization),
    )


@dataclass
class Remainder:
    """What a P&L leaf account holds in a period (debit positive), per value of the dimensions it requires."""

    account: Account
    dims: dict[str, Any] = field(default_factory=dict)
    net: Decimal = ZERO


def _required_fields(account: Account) -> list[str]:
    wanted = {DIMENSION_FIELDS[d] for d in account.dimensions if d in Dimension.values}
    return [f for f in _DIMENSION_ORDER if f in wanted]


def pnl_remaining(*, organization: Organization, period: Period) -> list[Remainder]:
    """The posted amounts of the period still on income and expense accounts, per required dimension value."""
    rows = (
        VoucherLine.objects.filter(
            organization=organization,
            voucher__status=VoucherStatus.POSTED,
            voucher__period=period,
            account__category__in=PNL_CATEGORIES,
        )
        .values("account_id", "partner_id", "product_id", "employee", "department", "project")
        .annotate(d=Sum("debit"), c=Sum("credit"))
    )
    accounts = {a.pk: a for a in Account.objects.filter(organization=organization, category__in=PNL_CATEGORIES)}
    found: dict[tuple[Any, ...], Remainder] = {}
    for row in rows:
        account = accounts[row["account_id"]]
        dims = {f: row[f"{f}_id" if f in ("partner", "product") else f] for f in _required_fields(account)}
        key = (account.code, *((f, dims[f]) for f in sorted(dims)))
        remainder = found.setdefault(key, Remainder(account=account, dims=dims))
        remainder.net += row["d"] - row["c"]
    return [found[k] for k in sorted(found, key=str) if found[k].net != ZERO]


def account_balance_through(*, organization: Organization, code: str, period: Period) -> Decimal:
    """The closing balance (debit positive) of an account at the end of `period`, opening balances included."""
    moved = AccountBalance.objects.filter(organization=organization, account__code=code, partner__isnull=True).filter(
        _up_to(period)
    )
    sums = moved.aggregate(d=Sum("debit"), c=Sum("credit"))
    opening = OpeningBalance.objects.filter(
        organization=organization, account__code=code, partner__isnull=True
    ).aggregate(b=Sum("balance"))["b"]
    return (sums["d"] or ZERO) - (sums["c"] or ZERO) + (opening or ZERO)


# The accounting checks ---------------------------------------------------------------------------------------


def _periods_link(period: Period) -> Link:
    return Link(str(period), "accounting:period_list", query=f"year={period.year}")


@register_close_check
def check_previous_period_closed(*, organization: Organization, period: Period) -> CheckResult:
    label = _("Previous period closed")
    start = books_start(organization)
    if start is not None and (period.year, period.month) < (start.year, start.month):
        return CheckResult(
            "previous_period",
            label,
            ok=False,
            message=_("The books start in %(start)s; a period before it is not closed.") % {"start": start},
        )
    if start is not None and start.pk == period.pk:
        return CheckResult("previous_period", label, ok=True, message=_("The first period of the books."))
    before = previous_period(period)
    if before is None:
        return CheckResult("previous_period", label, ok=False, message=_("The previous period does not exist."))
    if before.is_open:
        return CheckResult(
            "previous_period",
            label,
            ok=False,
            message=_("Close %(p)s first.") % {"p": before},
            links=(_periods_link(before),),
        )
    return CheckResult("previous_period", label, ok=True, message=_("%(p)s is closed.") % {"p": before})


@register_close_check
def check_opening_balances_accepted(*, organization: Organization, period: Period) -> CheckResult:
    label = _("Opening balances accepted")
    books = books_of(organization)
    if books is not None and books.opening_accepted:
        return CheckResult("opening_balances", label, ok=True)
    if books is None and not OpeningBalance.objects.filter(organization=organization).exists():
        return CheckResult("opening_balances", label, ok=True, message=_("The books have no opening balances."))
    return CheckResult(
        "opening_balances",
        label,
        ok=False,
        message=_("Check and accept the opening balances first."),
        links=(Link(_("Opening balances"), "accounting:opening"),),
    )


@register_close_check
def check_no_unposted_vouchers(*, organization: Organization, period: Period) -> CheckResult:
    label = _("All vouchers posted")
    waiting = list(
        Voucher.objects.filter(
            organization=organization, period=period, status__in=(VoucherStatus.DRAFT, VoucherStatus.REVIEWED)
        ).order_by("date", "id")
    )
    if not waiting:
        return CheckResult("unposted_vouchers", label, ok=True)
    return CheckResult(
        "unposted_vouchers",
        label,
        ok=False,
        message=_("%(n)d voucher(s) dated in the period are not posted: post or delete them.") % {"n": len(waiting)},
        links=tuple(
            Link(f"{v.display_number} {v.date:%Y-%m-%d}", "accounting:voucher_detail", (v.pk,)) for v in waiting[:50]
        ),
    )


@register_close_check
def check_trial_balance(*, organization: Organization, period: Period) -> CheckResult:
    label = _("Trial balance balances")
    tb = reports.trial_balance(organization=organization, start=period, end=period)
    key = f"{period.year}-{period.month:02d}"
    link = Link(_("Trial balance"), "accounting:trial_balance", query=f"start={key}&end={key}")
    if tb.balanced:
        return CheckResult("trial_balance", label, ok=True, links=(link,))
    return CheckResult(
        "trial_balance",
        label,
        ok=False,
        message=_("Debits %(d)s ≠ credits %(c)s.") % {"d": tb.total_debit, "c": tb.total_credit},
        links=(link,),
    )


@register_close_check
def check_profit_and_loss_carried(*, organization: Organization, period: Period) -> CheckResult:
    label = _("Profit and loss carried forward")
    remaining = pnl_remaining(organization=organization, period=period)
    if not remaining:
        return CheckResult("profit_and_loss", label, ok=True)
    key = f"{period.year}-{period.month:02d}"
    accounts = {r.account.pk: r.account for r in remaining}
    return CheckResult(
        "profit_and_loss",
        label,
        ok=False,
        automatic=True,
        message=_("%(n)d income or expense account(s) still hold amounts; closing carries them to %(to)s.")
        % {"n": len(accounts), "to": PROFIT_ACCOUNT},
        links=tuple(
            Link(str(a), "accounting:ledger", (a.pk,), query=f"start={key}&end={key}") for a in accounts.values()
        ),
    )


@register_close_check
def check_year_profit_carried(*, organization: Organization, period: Period) -> CheckResult | None:
    if period.month != 12:
        return None
    left = account_balance_through(organization=organization, code=PROFIT_ACCOUNT, period=period)
    label = _("Year's profit carried to retained earnings")
    if left == ZERO:
        return CheckResult("year_profit", label, ok=True)
    return CheckResult(
        "year_profit",
        label,
        ok=False,
        automatic=True,
        message=_("%(from)s holds %(amount)s; closing December carries it to %(to)s.")
        % {"from": PROFIT_ACCOUNT, "amount": -left, "to": RETAINED_ACCOUNT},
    )


# Carrying ----------------------------------------------------------------------------------------------------


def _side(net: Decimal) -> dict[str, Decimal]:
    """The line that brings an account holding `net` (debit positive) to zero."""
    return {"credit": net} if net > 0 else {"debit": -net}


def _post_carry(
    organization: Organization,
    actor: Actor,
    period: Period,
    rows: list[dict[str, Any]],
    source_type: str,
    label: str,
) -> Voucher:
    voucher = services.voucher_create(
        organization=organization,
        actor=actor,
        date=period.end,
        lines=rows,
        word=services.voucher_word(organization=organization, preferred="转"),
        source_type=source_type,
        source_id=period.pk,
        source_label=f"{label} {period}",
    )
    services.voucher_review_by_system(
        organization=organization, actor=actor, voucher_id=voucher.pk, on_behalf_of="period close"
    )
    return services.voucher_post(organization=organization, actor=actor, voucher_id=voucher.pk)


def _carry_pnl(organization: Organization, actor: Actor, period: Period) -> Voucher | None:
    remaining = pnl_remaining(organization=organization, period=period)
    if not remaining:
        return None
    summary = _("Carry forward the period's profit and loss")
    rows: list[dict[str, Any]] = [
        {"summary": summary, "account": r.account, **_side(r.net), **r.dims} for r in remaining
    ]
    total = sum((r.net for r in remaining), ZERO)
    if total != ZERO:  # income and expenses that cancel out leave nothing to move into 本年利润
        rows.append(
            {
                "summary": summary,
                "account": account_by_code(organization=organization, code=PROFIT_ACCOUNT),
                **_side(-total),
            }
        )
    return _post_carry(organization, actor, period, rows, PERIOD_CLOSE_SOURCE, _("Period close"))


def _carry_year(organization: Organization, actor: Actor, period: Period) -> Voucher | None:
    left = account_balance_through(organization=organization, code=PROFIT_ACCOUNT, period=period)
    if left == ZERO:
        return None
    summary = _("Carry the year's profit to retained earnings")
    rows = [
        {"summary": summary, "account": account_by_code(organization=organization, code=PROFIT_ACCOUNT), **_side(left)},
        {
            "summary": summary,
            "account": account_by_code(organization=organization, code=RETAINED_ACCOUNT),
            **_side(-left),
        },
    ]
    return _post_carry(organization, actor, period, rows, YEAR_END_SOURCE, _("Year-end close"))


def _lock_open_period(organization: Organization, period_id: object) -> Period:
    period = locks.lock_period(get_scoped(Period, organization=organization, pk=period_id).pk)
    if not period.is_open:
        raise DomainError(_("Period %(p)s is already closed.") % {"p": period}, field="period")
    return period


def period_carry_forward(*, organization: Organization, actor: Actor, period_id: object) -> Voucher | None:
    """结转损益: one posted voucher moving what the income and expense accounts hold in the period into 3103
    本年利润 (per dimension value where an account requires one). Carries only what remains; None when nothing
    does."""
    with transaction.atomic():
        check_perm(organization=organization, actor=actor, perm=P.CLOSE_PERIOD)
        period = _lock_open_period(organization, period_id)
        return _carry_pnl(organization, actor, period)


def period_close(*, organization: Organization, actor: Actor, period_id: object) -> Period:
    """结账: checks → carry forward (and in December the year-end carry) → checks again → closed, audited.

    Refuses with `CloseRefused` listing the failing checks; then nothing is written.
    """
    with transaction.atomic():
        check_perm(organization=organization, actor=actor, perm=P.CLOSE_PERIOD)
        period = _lock_open_period(organization, period_id)
        blocking = [r for r in close_checks(organization=organization, period=period) if r.blocking]
        if blocking:
            raise CloseRefused(period, blocking)
        carry = _carry_pnl(organization, actor, period)
        year_end = _carry_year(organization, actor, period) if period.month == 12 else None
        failing = [r for r in close_checks(organization=organization, period=period) if not r.ok]
        if failing:
            raise CloseRefused(period, failing)
        period.status = PeriodStatus.CLOSED
        period.save(update_fields=["status", "updated_at"])
        audit_record(
            organization=organization,
            actor=actor,
            obj=period,
            action=AuditAction.STATE,
            changes={
                "status": [PeriodStatus.OPEN, PeriodStatus.CLOSED],
                "carry_voucher": carry.display_number if carry else None,
                "year_end_voucher": year_end.display_number if year_end else None,
            },
        )
        if period.month == 12:
            services.fiscal_year_open(organization=organization, year=period.year + 1)
        return period


def period_reopen(*, organization: Organization, actor: Actor, period_id: object, reason: str) -> Period:
    """反结账: the latest closed period opens again. The carry vouchers stay; closing again carries what changed."""
    with transaction.atomic():
        check_perm(organization=organization, actor=actor, perm=P.REOPEN_PERIOD)
        period = locks.lock_period(get_scoped(Period, organization=organization, pk=period_id).pk)
        reason = reason.strip() if isinstance(reason, str) else ""
        if not reason:
            raise InvalidInput.single("reason", _("Give the reason for reopening the period."))
        if len(reason) > REASON_MAX:
            raise InvalidInput.single("reason", _("At most %(n)d characters.") % {"n": REASON_MAX})
        if period.is_open:
            raise DomainError(_("Period %(p)s is not closed.") % {"p": period}, field="period")
        later = (
            Period.objects.filter(organization=organization, status=PeriodStatus.CLOSED)
            .filter(_after(period))
            .order_by("year", "month")
            .last()
        )
        if later is not None:
            raise DomainError(_("A later period is closed: reopen %(later)s first.") % {"later": later}, field="period")
        period.status = PeriodStatus.OPEN
        period.save(update_fields=["status", "updated_at"])
        audit_record(
            organization=organization,
            actor=actor,
            obj=period,
            action=AuditAction.STATE,
            changes={"status": [PeriodStatus.CLOSED, PeriodStatus.OPEN], "reason": reason},
        )
        return period
