"""Books set-up (建账) and opening balances (期初余额): services and selectors.

Invariants:
- one `Books` row per organization, made on first use: it starts at the first period of the earliest fiscal
  year the organization has, with the voucher words 记/收/付/转;
- opening balances sit on leaf accounts only; an account kept by customer or supplier has one row per partner
  and a total row (partner empty) that always equals the sum of its partner rows — the service keeps it so;
- year-to-date debit/credit (`ytd_*`) exist only when the books start after January;
- opening balances change only until they are accepted, and they are accepted only when Σ debit balances =
  Σ credit balances and Σ ytd debit = Σ ytd credit, exactly; the start of the books changes only while they are
  not accepted and nothing is posted. Acceptance is withdrawn only by a role that may reopen periods, and only
  while nothing is posted;
- other apps may refuse the acceptance with checks registered by `register_accept_check` (e.g. inventory: the
  opening stock entered must equal the opening balance of 1405); accounting imports none of them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, cast

from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from suanpan.accounting import services
from suanpan.accounting.choices import AccountCategory, Dimension, Side, VoucherStatus
from suanpan.accounting.models import Account, Books, OpeningBalance, Period, Voucher
from suanpan.accounting.reports import sides
from suanpan.core.audit import audit_record
from suanpan.core.choices import AuditAction
from suanpan.core.exceptions import DomainError, FieldError, InvalidInput
from suanpan.core.models import Organization
from suanpan.core.permissions import P
from suanpan.core.tenancy import guard
from suanpan.core.types import Actor

ZERO = Decimal("0.00")
CENT = Decimal("0.01")
MAX_AMOUNT = Decimal("10") ** 16  # MoneyField: 18 digits, 2 of them places
MAX_WORDS = 10
PARTNER_DIMENSIONS = frozenset({Dimension.CUSTOMER.value, Dimension.SUPPLIER.value})
_PERIOD = re.compile(r"^(\d{4})-(\d{1,2})$")


# Books -----------------------------------------------------------------------------------------------------


def books_get(*, organization: Organization) -> Books:
    """The organization's books, made on first use (start: first period of its earliest fiscal year)."""
    books = Books.objects.filter(organization=organization).select_related("start").first()
    if books is not None and books.start_id is not None:
        return books
    first = Period.objects.filter(organization=organization).order_by("year", "month").first()
    if first is None:
        services.fiscal_year_open(organization=organization, year=timezone.localdate().year)
        first = Period.objects.filter(organization=organization).order_by("year", "month").first()
    if books is not None:  # a row without a start (made elsewhere): give it one
        books.start = first
        books.save(update_fields=["start", "updated_at"])
        return books
    try:
        with transaction.atomic():
            return Books.objects.create(
                organization=organization, start=first, voucher_words=list(services.VOUCHER_WORDS)
            )
    except IntegrityError:  # made meanwhile by a concurrent request
        return Books.objects.select_related("start").get(organization=organization)


def voucher_words(*, organization: Organization) -> list[str]:
    """The 凭证字 the organization uses, in its order."""
    return list(books_get(organization=organization).voucher_words or services.VOUCHER_WORDS)


def _lock_books(organization: Organization) -> Books:
    books_get(organization=organization)
    return Books.objects.select_for_update(of=("self",)).select_related("start").get(organization=organization)


def _anything_posted(organization: Organization) -> bool:
    return Voucher.objects.filter(organization=organization, status=VoucherStatus.POSTED).exists()


def _parse_start(organization: Organization, value: object) -> Period:
    if isinstance(value, Period):
        if value.organization_id != organization.pk:
            raise InvalidInput.single("start", _("No such period."))
        return value
    match = _PERIOD.match(str(value or "").strip())
    if not match or not 1990 <= int(match.group(1)) <= 2200 or not 1 <= int(match.group(2)) <= 12:
        raise InvalidInput.single("start", _("Enter the first period as year and month, e.g. 2026-03."))
    year, month = int(match.group(1)), int(match.group(2))
    services.fiscal_year_open(organization=organization, year=year)
    return Period.objects.get(organization=organization, year=year, month=month)


def _parse_words(value: object) -> list[str]:
    if not isinstance(value, list | tuple) or not value:
        raise InvalidInput.single("voucher_words", _("Give at least one voucher word."))
    if len(value) > MAX_WORDS:
        raise InvalidInput.single("voucher_words", _("At most %(n)d voucher words.") % {"n": MAX_WORDS})
    words: list[str] = []
    for item in value:
        word = item.strip() if isinstance(item, str) else ""
        if not 1 <= len(word) <= 2 or not word.isprintable():
            raise InvalidInput.single("voucher_words", _("A voucher word is one or two characters, e.g. 记 or 现收."))
        if word in words:
            raise InvalidInput.single("voucher_words", _("The voucher word %(w)s is given twice.") % {"w": word})
        words.append(word)
    return words


def books_update(*, organization: Organization, actor: Actor | None, data: Mapping[str, Any]) -> Books:
    """Change where the books start (year and month) and their voucher words."""
    with transaction.atomic():
        guard(organization, actor, P.MANAGE_ACCOUNTS)
        books = _lock_books(organization)
        refused = set(data) - {"start", "voucher_words"}
        if refused:
            raise InvalidInput.single(sorted(refused)[0], _("Only the start and the voucher words can be changed."))
        changes: dict[str, list[Any]] = {}
        if "start" in data:
            start = _parse_start(organization, data["start"])
            if start.pk != books.start_id:
                _check_start_change(organization, books, start)
                changes["start"] = [str(books.start), str(start)]
                books.start = start
        if "voucher_words" in data:
            words = _parse_words(data["voucher_words"])
            removed = [w for w in (books.voucher_words or services.VOUCHER_WORDS) if w not in words]
            used = sorted(
                set(Voucher.objects.filter(organization=organization, word__in=removed).values_list("word", flat=True))
            )
            if used:
                raise InvalidInput.single(
                    "voucher_words",
                    _("The voucher word %(w)s is used by vouchers and cannot be removed.") % {"w": "、".join(used)},
                )
            if words != list(books.voucher_words):
                changes["voucher_words"] = [list(books.voucher_words), words]
                books.voucher_words = words
        if changes:
            books.save()
            audit_record(organization=organization, actor=actor, obj=books, action=AuditAction.UPDATE, changes=changes)
        return books


def _check_start_change(organization: Organization, books: Books, start: Period) -> None:
    if books.opening_accepted:
        raise DomainError(
            _("The opening balances are accepted; the start of the books no longer changes."), field="start"
        )
    if _anything_posted(organization):
        raise DomainError(_("Vouchers are posted; the start of the books no longer changes."), field="start")
    earlier = Voucher.objects.filter(organization=organization, date__lt=start.start).order_by("date").first()
    if earlier is not None:
        raise DomainError(
            _("Voucher %(no)s is dated %(date)s, before %(p)s; change or delete it first.")
            % {"no": earlier.display_number, "date": earlier.date.isoformat(), "p": start},
            field="start",
        )
    if (
        start.month == 1
        and OpeningBalance.objects.filter(organization=organization).exclude(ytd_debit=0, ytd_credit=0).exists()
    ):
        raise DomainError(
            _("Books that start in January have no year-to-date amounts; clear them from the opening balances first."),
            field="start",
        )


def check_voucher_date(organization: Organization, on: Any) -> None:
    """Refuse a voucher date before the start of the books (called by `services._open_period`)."""
    start = books_get(organization=organization).start
    if start is not None and on < start.start:
        raise InvalidInput.single(
            "date",
            _("The books start in %(p)s; a voucher cannot be dated before it.") % {"p": start},
        )


# Opening balances: saving ----------------------------------------------------------------------------------


@dataclass
class _Row:
    n: int
    account: Account
    partner: Any  # a partners.Partner (accounting imports no other app) or None
    balance: Decimal
    ytd_debit: Decimal
    ytd_credit: Decimal

    @property
    def empty(self) -> bool:
        return self.balance == 0 and self.ytd_debit == 0 and self.ytd_credit == 0


def _amount(value: object, where: str) -> Decimal:
    if value in (None, ""):
        return ZERO
    if isinstance(value, bool) or not isinstance(value, Decimal | int | str):
        raise InvalidInput.single(where, _("Enter a number."))
    try:
        result = Decimal(str(value).replace(",", "").strip())
    except InvalidOperation:
        raise InvalidInput.single(where, _("Enter a number.")) from None
    if not result.is_finite():
        raise InvalidInput.single(where, _("Enter a number."))
    if result != result.quantize(CENT):
        raise InvalidInput.single(where, _("At most 2 decimal places."))
    if abs(result) >= MAX_AMOUNT:
        raise InvalidInput.single(where, _("The amount is too large."))
    return result.quantize(CENT)


def _partner_model() -> type[models.Model]:
    return cast(type[models.Model], OpeningBalance._meta.get_field("partner").related_model)


def _account(organization: Organization, value: object, accounts: dict[str, Account], where: str) -> Account:
    if isinstance(value, Account):
        if value.organization_id != organization.pk:
            raise InvalidInput.single(where, _("No such account."))
        return value
    code = str(value or "").strip()
    if not code:
        raise InvalidInput.single(where, _("Give the account code."))
    found = accounts.get(code)
    if found is None:
        raise InvalidInput.single(where, _("No account %(code)s in the chart.") % {"code": code[:20]})
    return found


def _partner(organization: Organization, value: object, where: str) -> models.Model | None:
    if value in (None, ""):
        return None
    model = _partner_model()
    obj: models.Model | None = value if isinstance(value, model) else None
    if obj is None and str(value).isdigit() and len(str(value)) < 19:
        obj = model._default_manager.filter(organization=organization, pk=int(str(value))).first()
    if obj is None or getattr(obj, "organization_id", None) != organization.pk:
        raise InvalidInput.single(where, _("No such customer or supplier."))
    return obj


def needs_partner(account: Account) -> bool:
    """Accounts kept by customer or supplier take their opening balance per partner."""
    return bool(PARTNER_DIMENSIONS & set(account.dimensions or []))


def _parse_rows(organization: Organization, books: Books, rows: Sequence[Mapping[str, Any]]) -> list[_Row]:
    accounts = {a.code: a for a in Account.objects.filter(organization=organization)}
    parents = set(
        Account.objects.filter(organization=organization, parent__isnull=False).values_list("parent_id", flat=True)
    )
    mid_year = books.start is not None and books.start.month > 1
    parsed: list[_Row] = []
    errors: list[FieldError] = []
    seen: dict[tuple[int, int | None], int] = {}
    for n, raw in enumerate(rows, start=1):
        where = f"rows.{n}"
        row_errors: list[FieldError] = []

        def take(fn: Any, *args: Any, errs: list[FieldError] = row_errors) -> Any:
            try:
                return fn(*args)
            except InvalidInput as exc:
                errs.extend(exc.errors)
                return None

        if not isinstance(raw, Mapping):
            errors.append(FieldError(where, _("Each row is an object with an account code and amounts.")))
            continue
        account = take(_account, organization, raw.get("account"), accounts, f"{where}.account")
        partner = take(_partner, organization, raw.get("partner"), f"{where}.partner")
        balance = take(_amount, raw.get("balance"), f"{where}.balance")
        ytd = {key: take(_amount, raw.get(key), f"{where}.{key}") for key in ("ytd_debit", "ytd_credit")}
        for key, value in ytd.items():
            if value is not None and value < 0:
                row_errors.append(FieldError(f"{where}.{key}", _("Year-to-date amounts are not negative.")))
            elif value and not mid_year:
                row_errors.append(
                    FieldError(
                        f"{where}.{key}",
                        _("The books start in January: there are no year-to-date amounts before them."),
                    )
                )
        if account is not None and account.pk in parents:
            row_errors.append(
                FieldError(
                    f"{where}.account",
                    _("Account %(code)s has sub-accounts; enter its opening balance on them.") % {"code": account.code},
                )
            )
        if row_errors or account is None:
            errors.extend(row_errors)
            continue
        row = _Row(n, account, partner, balance or ZERO, ytd["ytd_debit"] or ZERO, ytd["ytd_credit"] or ZERO)
        if needs_partner(account) and partner is None:
            if not row.empty:
                errors.append(
                    FieldError(
                        f"{where}.partner",
                        _("Account %(code)s is kept by customer or supplier: give the partner of this amount.")
                        % {"code": account.code},
                    )
                )
            continue  # an empty total row of such an account (e.g. from the template) changes nothing
        if partner is not None and not needs_partner(account):
            errors.append(
                FieldError(
                    f"{where}.partner",
                    _("Account %(code)s is not kept by customer or supplier.") % {"code": account.code},
                )
            )
            continue
        pair = (account.pk, partner.pk if partner is not None else None)
        if pair in seen:
            errors.append(
                FieldError(
                    f"{where}.account",
                    _("Row %(a)d already gives this account (and partner).") % {"a": seen[pair]},
                )
            )
            continue
        seen[pair] = n
        parsed.append(row)
    if errors:
        raise InvalidInput(errors)
    return parsed


def _refuse_if_accepted(books: Books) -> None:
    if books.opening_accepted:
        raise DomainError(
            _("The opening balances are accepted and no longer change; corrections go through vouchers."),
            field="opening_accepted",
        )


def opening_balances_save(
    *, organization: Organization, actor: Actor | None, rows: Sequence[Mapping[str, Any]]
) -> OpeningCheck:
    """Set the opening balance of each (account, partner) a row names; all rows or none.

    A row: `account` (code), `partner` (customer/supplier, required for accounts kept by partner),
    `balance` (debit positive, credit negative), `ytd_debit`, `ytd_credit` (only when the books start after
    January). A row whose amounts are all zero removes that opening balance; accounts not named keep theirs.
    Returns the trial-balance check after the save.
    """
    with transaction.atomic():
        guard(organization, actor, P.MANAGE_ACCOUNTS)
        books = _lock_books(organization)
        _refuse_if_accepted(books)
        parsed = _parse_rows(organization, books, rows)
        existing = {
            (o.account_id, o.partner_id): o
            for o in OpeningBalance.objects.select_for_update()
            .filter(organization=organization, account_id__in={r.account.pk for r in parsed})
            .order_by("pk")
        }
        changed: list[dict[str, str]] = []
        by_partner: set[int] = set()
        for row in parsed:
            partner_id = row.partner.pk if row.partner is not None else None
            current = existing.get((row.account.pk, partner_id))
            before = (current.balance, current.ytd_debit, current.ytd_credit) if current else (ZERO, ZERO, ZERO)
            after = (row.balance, row.ytd_debit, row.ytd_credit)
            if partner_id is not None:
                by_partner.add(row.account.pk)
            if before == after:
                continue
            if row.empty:
                if current is not None:
                    current.delete()
            elif current is None:
                OpeningBalance.objects.create(
                    organization=organization,
                    account=row.account,
                    partner=row.partner,
                    balance=row.balance,
                    ytd_debit=row.ytd_debit,
                    ytd_credit=row.ytd_credit,
                )
            else:
                current.balance, current.ytd_debit, current.ytd_credit = after
                current.save(update_fields=["balance", "ytd_debit", "ytd_credit", "updated_at"])
            changed.append(
                {
                    "account": row.account.code,
                    "partner": str(row.partner) if row.partner is not None else "",
                    "balance": f"{before[0]} → {after[0]}",
                    "ytd": f"{before[1]}/{before[2]} → {after[1]}/{after[2]}",
                }
            )
        for account_id in sorted(by_partner):
            _sync_total(organization, account_id)
        if changed:
            audit_record(
                organization=organization,
                actor=actor,
                obj=books,
                action=AuditAction.UPDATE,
                changes={"opening_balances": changed[:200], "rows": len(changed)},
            )
        return opening_trial_balance(organization=organization)


def _sync_total(organization: Organization, account_id: int) -> None:
    """The total row of a partner-kept account = Σ its partner rows (none when they are all gone)."""
    partner_rows = OpeningBalance.objects.filter(organization=organization, account_id=account_id).exclude(
        partner__isnull=True
    )
    sums = partner_rows.aggregate(b=models.Sum("balance"), d=models.Sum("ytd_debit"), c=models.Sum("ytd_credit"))
    total = OpeningBalance.objects.filter(organization=organization, account_id=account_id, partner__isnull=True)
    if sums["b"] is None:
        total.delete()
        return
    OpeningBalance.objects.update_or_create(
        organization=organization,
        account_id=account_id,
        partner=None,
        defaults={"balance": sums["b"], "ytd_debit": sums["d"], "ytd_credit": sums["c"]},
    )


# Opening balances: the trial-balance check and acceptance --------------------------------------------------

AcceptCheck = Callable[..., "FieldError | None"]  # fn(*, organization) → why acceptance is refused, or None
_ACCEPT_CHECKS: list[AcceptCheck] = []


def register_accept_check(fn: AcceptCheck) -> AcceptCheck:
    """Add a check the opening balances must pass before they are accepted (registering twice is a no-op).

    Called as `fn(organization=…)` inside the acceptance's transaction, with the books row locked; it returns a
    `FieldError` naming what to correct, or None. Other apps register theirs in their `AppConfig.ready()`.
    """
    if fn not in _ACCEPT_CHECKS:
        _ACCEPT_CHECKS.append(fn)
    return fn


def accept_checks(*, organization: Organization) -> list[FieldError]:
    """What the registered checks say against accepting now, in registration order."""
    results = (check(organization=organization) for check in _ACCEPT_CHECKS)
    return [r for r in results if r is not None]


@dataclass
class CategoryTotal:
    category: str
    label: str
    debit: Decimal = ZERO
    credit: Decimal = ZERO

    @property
    def net(self) -> Decimal:
        return self.debit - self.credit


@dataclass
class OpeningCheck:
    """试算平衡 of the opening balances: Σ debit balances vs Σ credit balances (and the year-to-date sums)."""

    debit: Decimal = ZERO
    credit: Decimal = ZERO
    ytd_debit: Decimal = ZERO
    ytd_credit: Decimal = ZERO
    categories: list[CategoryTotal] = field(default_factory=list)

    @property
    def difference(self) -> Decimal:
        return self.debit - self.credit

    @property
    def ytd_difference(self) -> Decimal:
        return self.ytd_debit - self.ytd_credit

    @property
    def balanced(self) -> bool:
        return self.difference == 0 and self.ytd_difference == 0


def opening_trial_balance(*, organization: Organization) -> OpeningCheck:
    """Σ debit balances vs Σ credit balances of the accounts' opening (total rows), per category too."""
    check = OpeningCheck(categories=[CategoryTotal(c.value, str(c.label)) for c in AccountCategory])
    by_category = {c.category: c for c in check.categories}
    totals = OpeningBalance.objects.filter(organization=organization, partner__isnull=True).select_related("account")
    for row in totals:
        debit, credit = sides(row.balance)
        check.debit += debit
        check.credit += credit
        check.ytd_debit += row.ytd_debit
        check.ytd_credit += row.ytd_credit
        category = by_category[row.account.category]
        category.debit += debit
        category.credit += credit
    return check


def opening_balances_accept(*, organization: Organization, actor: Actor | None) -> Books:
    """Accept the opening balances once they balance; from then on they are fixed."""
    with transaction.atomic():
        guard(organization, actor, P.MANAGE_ACCOUNTS)
        books = _lock_books(organization)
        if books.opening_accepted:
            raise DomainError(_("The opening balances are already accepted."), field="opening_accepted")
        check = opening_trial_balance(organization=organization)
        if check.difference != 0:
            raise DomainError(
                _(
                    "The opening balances do not balance: debit %(d)s, credit %(c)s, difference %(diff)s. "
                    "Correct them before accepting."
                )
                % {"d": check.debit, "c": check.credit, "diff": check.difference},
                field="balance",
            )
        if check.ytd_difference != 0:
            raise DomainError(
                _(
                    "The year-to-date amounts do not balance: debit %(d)s, credit %(c)s, difference %(diff)s. "
                    "Correct them before accepting."
                )
                % {"d": check.ytd_debit, "c": check.ytd_credit, "diff": check.ytd_difference},
                field="ytd_debit",
            )
        refused = accept_checks(organization=organization)
        if refused:
            raise DomainError(" ".join(r.message for r in refused), field=refused[0].field or "opening_accepted")
        books.opening_accepted_at = timezone.now()
        books.opening_accepted_by_id = actor.pk if actor is not None and actor.is_authenticated else None
        books.save(update_fields=["opening_accepted_at", "opening_accepted_by", "updated_at"])
        audit_record(
            organization=organization,
            actor=actor,
            obj=books,
            action=AuditAction.STATE,
            changes={
                "opening_accepted": [False, True],
                "debit": str(check.debit),
                "credit": str(check.credit),
                "ytd": f"{check.ytd_debit}/{check.ytd_credit}",
            },
        )
        return books


def opening_balances_unaccept(*, organization: Organization, actor: Actor | None) -> Books:
    """Withdraw the acceptance (by a role that may reopen periods), only while no voucher is posted."""
    with transaction.atomic():
        guard(organization, actor, P.REOPEN_PERIOD)
        books = _lock_books(organization)
        if not books.opening_accepted:
            raise DomainError(_("The opening balances are not accepted."), field="opening_accepted")
        if _anything_posted(organization):
            raise DomainError(
                _("Vouchers are posted; the opening balances stay accepted. Correct them with vouchers."),
                field="opening_accepted",
            )
        books.opening_accepted_at = None
        books.opening_accepted_by = None
        books.save(update_fields=["opening_accepted_at", "opening_accepted_by", "updated_at"])
        audit_record(
            organization=organization,
            actor=actor,
            obj=books,
            action=AuditAction.STATE,
            changes={"opening_accepted": [True, False]},
        )
        return books


# Selectors ------------------------------------------------------------------------------------------------


def opening_balance_list(*, organization: Organization) -> models.QuerySet[OpeningBalance]:
    """Stored opening balances: per account, and for partner-kept accounts per partner plus the total."""
    return (
        OpeningBalance.objects.filter(organization=organization)
        .select_related("account", "partner")
        .order_by("account__code", "partner__code", "pk")
    )


@dataclass
class GridRow:
    """One line of the opening-balance grid: an account with its (rolled-up) opening and partner sub-rows."""

    account: Account
    leaf: bool
    balance: Decimal = ZERO
    ytd_debit: Decimal = ZERO
    ytd_credit: Decimal = ZERO
    partners: list[OpeningBalance] = field(default_factory=list)

    @property
    def by_partner(self) -> bool:
        return self.leaf and needs_partner(self.account)

    @property
    def shown(self) -> Decimal:
        """The balance in the account's normal direction (a credit account's credit balance is positive)."""
        return self.balance if self.account.normal_balance == Side.DEBIT else -self.balance


def opening_grid(*, organization: Organization) -> list[GridRow]:
    """Every account in code order; parents carry the sums of their sub-accounts (read-only roll-ups)."""
    accounts = list(Account.objects.filter(organization=organization).order_by("code"))
    parents = {a.parent_id for a in accounts if a.parent_id}
    rows = {a.pk: GridRow(account=a, leaf=a.pk not in parents) for a in accounts}
    for opening in opening_balance_list(organization=organization):
        row = rows[opening.account_id]
        if opening.partner_id is not None:
            row.partners.append(opening)
            continue
        row.balance += opening.balance
        row.ytd_debit += opening.ytd_debit
        row.ytd_credit += opening.ytd_credit
    for account in sorted(accounts, key=lambda a: -a.level):
        if account.parent_id:
            parent, child = rows[account.parent_id], rows[account.pk]
            parent.balance += child.balance
            parent.ytd_debit += child.ytd_debit
            parent.ytd_credit += child.ytd_credit
    return [rows[a.pk] for a in accounts]


def signed_balance(account: Account, shown: Decimal) -> Decimal:
    """An amount entered in the account's normal direction, as the stored debit-positive balance."""
    return shown if account.normal_balance == Side.DEBIT else -shown
