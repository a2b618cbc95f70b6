"""The books' services. `voucher_post` is the single choke point through which every journal line of the system
becomes part of the ledger: it checks the period, the exact balance, the accounts and dimensions, takes the
voucher number and updates the balances under lock, all in one transaction.
"""

from __future__ import annotations

import calendar
import csv
import datetime
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, cast

from django.db import IntegrityError, models, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from suanpan.accounting import locks
from suanpan.accounting.choices import VOUCHER_FLOW, Dimension, PeriodStatus, VoucherStatus
from suanpan.accounting.models import Account, AccountBalance, Period, Voucher, VoucherLine
from suanpan.accounting.posting import DIMENSION_FIELDS, LineIn, check_lines, totals
from suanpan.accounting.selectors import voucher_get
from suanpan.accounting.statements import cash_flow_items
from suanpan.core.audit import audit_record
from suanpan.core.choices import AuditAction, TaxpayerType
from suanpan.core.exceptions import DomainError, FieldError, InvalidInput
from suanpan.core.models import Organization
from suanpan.core.numbering import next_value
from suanpan.core.permissions import P
from suanpan.core.pinyin import search_text
from suanpan.core.tenancy import guard
from suanpan.core.types import Actor

CHART_FILE = Path(__file__).parent / "data" / "coa_small_enterprise.csv"
# Accounts kept by customer or supplier (辅助核算) and the cash/bank accounts tagged with cash-flow items.
CUSTOMER_ACCOUNTS = {"1122", "2203"}
SUPPLIER_ACCOUNTS = {"2202", "1123"}
CASH_ACCOUNTS = {"1001", "1002", "1012"}
VOUCHER_WORDS = ("记", "收", "付", "转")


# Chart of accounts -----------------------------------------------------------------------------------------


VAT_PAYABLE = "222101"  # 应交税费—应交增值税


def chart_load(*, organization: Organization) -> int:
    """Load the 小企业会计准则 chart for an organization (idempotent). Returns the number of accounts added.

    A small-scale taxpayer keeps 222101 应交增值税 as one account: the sub-accounts 进项税额, 销项税额 … are a general
    taxpayer's (reference/vouchers_china.md §5.2: small-scale sales post Cr 222101), so they are not loaded for it.
    """
    existing = {a.code: a for a in Account.objects.filter(organization=organization)}
    added = 0
    small_scale = organization.taxpayer_type == TaxpayerType.SMALL_SCALE
    with transaction.atomic(), CHART_FILE.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            code = row["code"]
            if code in existing or (small_scale and code.startswith(VAT_PAYABLE) and code != VAT_PAYABLE):
                continue
            top = code[:4]
            dims = (
                [Dimension.CUSTOMER]
                if top in CUSTOMER_ACCOUNTS
                else [Dimension.SUPPLIER]
                if top in SUPPLIER_ACCOUNTS
                else []
            )
            account = Account.objects.create(
                organization=organization,
                code=code,
                name=row["name_zh"],
                category=row["category"],
                normal_balance=row["normal_balance"],
                level=int(row["level"]),
                parent=existing.get(row["parent_code"]) if row["parent_code"] else None,
                dimensions=[str(d) for d in dims],
                is_cash=top in CASH_ACCOUNTS,
                search_text=search_text(row["name_zh"], code),
            )
            existing[code] = account
            added += 1
    return added


def account_create(*, organization: Organization, actor: Actor | None, data: Mapping[str, Any]) -> Account:
    """A sub-account under an existing account: code = parent code + 2 digits; category and side inherited."""
    with transaction.atomic():
        guard(organization, actor, P.MANAGE_ACCOUNTS)
        parent = data.get("parent")
        if not isinstance(parent, Account) or parent.organization_id != organization.pk:
            raise InvalidInput.single("parent", _("Choose the account to add a sub-account under."))
        code = str(data.get("code", "")).strip()
        name = str(data.get("name", "")).strip()
        errors: list[FieldError] = []
        if not (code.startswith(parent.code) and len(code) == len(parent.code) + 2 and code.isdigit()):
            errors.append(FieldError("code", _("A sub-account's code is its parent's code plus two digits.")))
        if not name:
            errors.append(FieldError("name", _("This field cannot be blank.")))
        if Account.objects.filter(organization=organization, code=code).exists():
            errors.append(FieldError("code", _("Another account already has this code.")))
        if errors:
            raise InvalidInput(errors)
        if VoucherLine.objects.filter(account=parent).exists():
            raise DomainError(
                _("Account %(code)s already has postings; it cannot get sub-accounts.") % {"code": parent.code},
                field="parent",
            )
        dims = [str(d) for d in data.get("dimensions", parent.dimensions)]
        unknown = set(dims) - set(Dimension.values)
        if unknown:
            raise InvalidInput.single("dimensions", _("Unknown dimension: %(d)s.") % {"d": ", ".join(sorted(unknown))})
        account = Account.objects.create(
            organization=organization,
            code=code,
            name=name,
            category=parent.category,
            normal_balance=parent.normal_balance,
            level=parent.level + 1,
            parent=parent,
            dimensions=dims,
            is_cash=parent.is_cash,
            search_text=search_text(name, code),
        )
        audit_record(
            organization=organization,
            actor=actor,
            obj=account,
            action=AuditAction.CREATE,
            changes={"code": code, "name": name, "parent": parent.code, "dimensions": dims},
        )
        return account


def account_update(*, organization: Organization, actor: Actor, account_id: int, data: Mapping[str, Any]) -> Account:
    """Rename, change dimensions, (de)activate. Category and code never change once an account exists."""
    with transaction.atomic():
        guard(organization, actor, P.MANAGE_ACCOUNTS)
        account = Account.objects.select_for_update().filter(organization=organization, pk=account_id).first()
        if account is None:
            raise InvalidInput.single("account", _("No such account."))
        allowed = {"name", "dimensions", "is_active", "is_cash"}
        refused = set(data) - allowed
        if refused:
            raise InvalidInput.single(sorted(refused)[0], _("The code and category of an account do not change."))
        before = {k: getattr(account, k) for k in allowed}
        if "name" in data:
            account.name = str(data["name"]).strip()
            if not account.name:
                raise InvalidInput.single("name", _("This field cannot be blank."))
        if "dimensions" in data:
            dims = [str(d) for d in data["dimensions"]]
            if set(dims) - set(Dimension.values):
                raise InvalidInput.single("dimensions", _("Unknown dimension."))
            account.dimensions = dims
        for flag in ("is_active", "is_cash"):
            if flag in data:
                setattr(account, flag, bool(data[flag]))
        account.search_text = search_text(account.name, account.code)
        account.save()
        changes = {k: [before[k], getattr(account, k)] for k in allowed if before[k] != getattr(account, k)}
        if changes:
            audit_record(
                organization=organization, actor=actor, obj=account, action=AuditAction.UPDATE, changes=changes
            )
        return account


def account_delete(*, organization: Organization, actor: Actor, account_id: int) -> None:
    with transaction.atomic():
        guard(organization, actor, P.MANAGE_ACCOUNTS)
        account = Account.objects.select_for_update().filter(organization=organization, pk=account_id).first()
        if account is None:
            raise InvalidInput.single("account", _("No such account."))
        if (
            account.children.exists()
            or VoucherLine.objects.filter(account=account).exists()
            or (account.openings.exists())
        ):
            raise DomainError(
                _("Account %(code)s has sub-accounts or postings and cannot be deleted; deactivate it instead.")
                % {"code": account.code},
                code="in_use",
            )
        audit_record(
            organization=organization,
            actor=actor,
            obj=account,
            action=AuditAction.DELETE,
            changes={"code": account.code, "name": account.name},
        )
        account.delete()


# Periods ---------------------------------------------------------------------------------------------------


def fiscal_year_open(*, organization: Organization, year: int) -> list[Period]:
    """The 12 monthly periods of a year, created open where missing."""
    periods = []
    with transaction.atomic():
        for month in range(1, 13):
            last = calendar.monthrange(year, month)[1]
            period, _created = Period.objects.get_or_create(
                organization=organization,
                year=year,
                month=month,
                defaults={"start": datetime.date(year, month, 1), "end": datetime.date(year, month, last)},
            )
            periods.append(period)
    return periods


def period_for_date(*, organization: Organization, on: datetime.date) -> Period:
    period = Period.objects.filter(organization=organization, year=on.year, month=on.month).first()
    if period is None:
        fiscal_year_open(organization=organization, year=on.year)
        period = Period.objects.get(organization=organization, year=on.year, month=on.month)
    return period


# Vouchers --------------------------------------------------------------------------------------------------


def _decimal(value: object, field: str) -> Decimal:
    if value in (None, ""):
        return Decimal("0")
    if isinstance(value, bool) or not isinstance(value, Decimal | int | str):
        raise InvalidInput.single(field, _("Enter a number."))
    try:
        result = Decimal(str(value).replace(",", "").strip())
    except InvalidOperation:
        raise InvalidInput.single(field, _("Enter a number.")) from None
    if not result.is_finite():
        raise InvalidInput.single(field, _("Enter a number."))
    return result


def _related(model_field: str, organization: Organization, value: object, where: str) -> Any:
    if value in (None, ""):
        return None
    model = cast(type[models.Model], VoucherLine._meta.get_field(model_field).related_model)
    obj: models.Model | None = value if isinstance(value, model) else None
    if obj is None and str(value).isdigit() and len(str(value)) < 19:
        obj = model._default_manager.filter(pk=int(str(value))).first()
    if obj is None or getattr(obj, "organization_id", None) != organization.pk:
        raise InvalidInput.single(where, _("No such %(what)s.") % {"what": model._meta.verbose_name})
    return obj


def _build_lines(organization: Organization, lines: Sequence[Mapping[str, Any]]) -> tuple[list[VoucherLine], Decimal]:
    """VoucherLine objects (unsaved) from input rows, after every check in `posting.check_lines`."""
    built: list[VoucherLine] = []
    checks: list[LineIn] = []
    errors: list[FieldError] = []
    tag_errors: list[FieldError] = []
    # A voucher names the same few accounts and partners on many lines: look each up once per voucher.
    found: dict[tuple[str, object], Any] = {}
    has_children: dict[int, bool] = {}

    def related(model_field: str, value: object, where: str) -> Any:
        key = (model_field, value if isinstance(value, int | str) else getattr(value, "pk", id(value)))
        if key not in found:
            found[key] = _related(model_field, organization, value, where)
        return found[key]

    for n, row in enumerate(lines, start=1):
        where = f"lines.{n}"
        try:
            account = related("account", row.get("account"), f"{where}.account")
            partner = related("partner", row.get("partner"), f"{where}.partner")
            product = related("product", row.get("product"), f"{where}.product")
            debit = _decimal(row.get("debit"), f"{where}.debit")
            credit = _decimal(row.get("credit"), f"{where}.credit")
        except InvalidInput as exc:
            errors.extend(exc.errors)
            continue
        line = VoucherLine(
            organization=organization,
            seq=n,
            summary=str(row.get("summary") or "").strip()[:200],
            account=account,
            debit=debit,
            credit=credit,
            partner=partner,
            product=product,
            employee=str(row.get("employee") or "").strip()[:60],
            department=str(row.get("department") or "").strip()[:60],
            project=str(row.get("project") or "").strip()[:60],
            cash_flow_item=str(row.get("cash_flow_item") or "").strip()[:10],
        )
        tag_errors.extend(_check_cash_flow_item(line.cash_flow_item, account, f"{where}.cash_flow_item"))
        filled = [f for f in set(DIMENSION_FIELDS.values()) if getattr(line, f)]
        if account is not None and account.pk not in has_children:
            has_children[account.pk] = account.children.exists()
        postable = account is not None and account.is_active and not has_children[account.pk]
        checks.append(
            LineIn(
                summary=line.summary,
                account_code=account.code if account else None,
                account_postable=postable,
                account_dimensions=list(account.dimensions) if account else [],
                debit=debit,
                credit=credit,
                filled=filled,
            )
        )
        built.append(line)
    if not errors:
        errors = check_lines(checks)
    errors += tag_errors
    if errors:
        raise InvalidInput(errors)
    total_debit, _total_credit = totals(checks)
    return built, total_debit


def _check_cash_flow_item(item: str, account: Account | None, where: str) -> list[FieldError]:
    """A cash-flow item (现金流量项目, optional) is one of the known items, and only on a cash or bank account."""
    if not item:
        return []
    if item not in cash_flow_items():
        return [FieldError(where, _("Unknown cash-flow item %(item)s.") % {"item": item})]
    if account is not None and not account.is_cash:
        return [
            FieldError(
                where,
                _("Only lines on cash or bank accounts take a cash-flow item; %(code)s is not one.")
                % {"code": account.code},
            )
        ]
    return []


def _check_word(organization: Organization, word: str) -> str:
    from suanpan.accounting.opening import voucher_words  # here: opening imports this module

    words = voucher_words(organization=organization)
    if word not in words:
        raise InvalidInput.single("word", _("Use one of the voucher words %(w)s.") % {"w": "、".join(words)})
    return word


def _open_period(organization: Organization, on: object) -> Period:
    from suanpan.accounting.opening import check_voucher_date  # here: opening imports this module

    if not isinstance(on, datetime.date):
        raise InvalidInput.single("date", _("Enter a valid date."))
    check_voucher_date(organization, on)
    period = period_for_date(organization=organization, on=on)
    if not period.is_open:
        raise InvalidInput.single(
            "date", _("Period %(p)s is closed; nothing can be entered or posted in it.") % {"p": period}
        )
    return period


def voucher_create(
    *,
    organization: Organization,
    actor: Actor | None,
    date: datetime.date,
    lines: Sequence[Mapping[str, Any]],
    word: str = "记",
    attachments: int = 0,
    notes: str = "",
    source_type: str = "",
    source_id: int | None = None,
    source_label: str = "",
) -> Voucher:
    """A draft voucher. It must already balance and meet every line rule; its number is taken when it posts."""
    with transaction.atomic():
        guard(organization, actor, P.ENTER_VOUCHER)
        _check_word(organization, word)
        period = _open_period(organization, date)
        built, total = _build_lines(organization, lines)
        if not 0 <= attachments <= 999:
            raise InvalidInput.single("attachments", _("Between 0 and 999."))
        voucher = Voucher.objects.create(
            organization=organization,
            period=period,
            word=word,
            date=date,
            attachments=attachments,
            notes=notes,
            total_debit=total,
            total_credit=total,
            maker_id=actor.pk if actor is not None and actor.is_authenticated else None,
            source_type=source_type,
            source_id=source_id,
            source_label=source_label,
        )
        for line in built:
            line.voucher = voucher
        VoucherLine.objects.bulk_create(built)
        audit_record(
            organization=organization,
            actor=actor,
            obj=voucher,
            action=AuditAction.CREATE,
            changes={"date": date.isoformat(), "word": word, "total": str(total), "lines": len(built)},
        )
        return voucher


def voucher_update(
    *,
    organization: Organization,
    actor: Actor,
    voucher_id: int,
    date: datetime.date,
    lines: Sequence[Mapping[str, Any]],
    word: str = "记",
    attachments: int = 0,
    notes: str = "",
) -> Voucher:
    """Replace a draft's header and lines. Reviewed vouchers are unreviewed first; posted ones never change."""
    with transaction.atomic():
        guard(organization, actor, P.ENTER_VOUCHER)
        voucher = locks.lock_voucher(voucher_get(organization=organization, pk=voucher_id).pk)
        if voucher.status != VoucherStatus.DRAFT:
            raise DomainError(_("Only a draft voucher can be changed; unreview it first."), field="status")
        _check_word(organization, word)
        period = _open_period(organization, date)
        built, total = _build_lines(organization, lines)
        before = {"date": voucher.date.isoformat(), "total": str(voucher.total_debit)}
        VoucherLine.objects.filter(voucher=voucher).delete()
        voucher.period, voucher.date, voucher.word = period, date, word
        voucher.attachments, voucher.notes = attachments, notes
        voucher.total_debit = voucher.total_credit = total
        voucher.save()
        for line in built:
            line.voucher = voucher
        VoucherLine.objects.bulk_create(built)
        audit_record(
            organization=organization,
            actor=actor,
            obj=voucher,
            action=AuditAction.UPDATE,
            changes={"date": [before["date"], date.isoformat()], "total": [before["total"], str(total)]},
        )
        return voucher


def voucher_delete(*, organization: Organization, actor: Actor, voucher_id: int) -> None:
    with transaction.atomic():
        guard(organization, actor, P.ENTER_VOUCHER)
        voucher = locks.lock_voucher(voucher_get(organization=organization, pk=voucher_id).pk)
        if voucher.status != VoucherStatus.DRAFT:
            raise DomainError(_("Only a draft voucher can be deleted."), field="status")
        audit_record(
            organization=organization,
            actor=actor,
            obj=voucher,
            action=AuditAction.DELETE,
            changes={"date": voucher.date.isoformat(), "total": str(voucher.total_debit)},
        )
        voucher.delete()


def voucher_review(*, organization: Organization, actor: Actor, voucher_id: int) -> Voucher:
    """审核: by someone other than the preparer unless the organization allows self-review."""
    with transaction.atomic():
        guard(organization, actor, P.REVIEW_VOUCHER)
        voucher = locks.lock_voucher(voucher_get(organization=organization, pk=voucher_id).pk)
        VOUCHER_FLOW.check(voucher.status, VoucherStatus.REVIEWED)
        if voucher.maker_id == actor.pk and not organization.allow_self_review:
            raise DomainError(
                _("A voucher is reviewed by someone other than the person who prepared it."), field="reviewer"
            )
        voucher.status = VoucherStatus.REVIEWED
        voucher.reviewer_id = actor.pk
        voucher.save(update_fields=["status", "reviewer", "updated_at"])
        audit_record(
            organization=organization,
            actor=actor,
            obj=voucher,
            action=AuditAction.STATE,
            changes={"status": [VoucherStatus.DRAFT, VoucherStatus.REVIEWED]},
        )
        return voucher


def voucher_unreview(*, organization: Organization, actor: Actor, voucher_id: int) -> Voucher:
    with transaction.atomic():
        guard(organization, actor, P.REVIEW_VOUCHER)
        voucher = locks.lock_voucher(voucher_get(organization=organization, pk=voucher_id).pk)
        VOUCHER_FLOW.check(voucher.status, VoucherStatus.DRAFT)
        voucher.status = VoucherStatus.DRAFT
        voucher.reviewer = None
        voucher.save(update_fields=["status", "reviewer", "updated_at"])
        audit_record(
            organization=organization,
            actor=actor,
            obj=voucher,
            action=AuditAction.STATE,
            changes={"status": [VoucherStatus.REVIEWED, VoucherStatus.DRAFT]},
        )
        return voucher


def _balance_row(account_id: int, period: Period, partner_id: int | None) -> AccountBalance:
    """The locked balance row of account × period (× partner), created when missing."""
    rows = AccountBalance.objects.select_for_update().filter(account_id=account_id, period=period)
    row = rows.filter(partner_id=partner_id).first() if partner_id else rows.filter(partner__isnull=True).first()
    if row is not None:
        return row
    try:
        with transaction.atomic():
            return AccountBalance.objects.create(
                organization_id=period.organization_id, account_id=account_id, period=period, partner_id=partner_id
            )
    except IntegrityError:  # created meanwhile by a concurrent posting: lock theirs
        row = rows.filter(partner_id=partner_id).first() if partner_id else rows.filter(partner__isnull=True).first()
        assert row is not None  # noqa: S101 - the unique constraint that refused us names this row
        return row


def _apply_balances(voucher: Voucher, lines: Iterable[VoucherLine]) -> None:
    sums: dict[tuple[int, int | None], list[Decimal]] = {}
    for line in lines:
        keys: list[tuple[int, int | None]] = [(line.account_id, None)]
        if line.partner_id:
            keys.append((line.account_id, line.partner_id))
        for key in keys:
            total = sums.setdefault(key, [Decimal("0"), Decimal("0")])
            total[0] += line.debit
            total[1] += line.credit
    for (account_id, partner_id), (debit, credit) in sorted(sums.items(), key=lambda kv: (kv[0][0], kv[0][1] or 0)):
        row = _balance_row(account_id, voucher.period, partner_id)
        AccountBalance.objects.filter(pk=row.pk).update(debit=F("debit") + debit, credit=F("credit") + credit)


def voucher_post(*, organization: Organization, actor: Actor | None, voucher_id: int) -> Voucher:
    """记账: the one way lines enter the ledger. Reviewed → posted; checks everything again, numbers, balances."""
    with transaction.atomic():
        guard(organization, actor, P.POST_VOUCHER)
        voucher = locks.lock_voucher(voucher_get(organization=organization, pk=voucher_id).pk)
        VOUCHER_FLOW.check(voucher.status, VoucherStatus.POSTED)
        period = locks.lock_period(voucher.period_id)
        if not period.is_open:
            raise DomainError(_("Period %(p)s is closed; the voucher cannot be posted.") % {"p": period}, field="date")
        lines = list(voucher.lines.select_related("account").order_by("seq"))
        rows = [
            {
                "summary": ln.summary,
                "account": ln.account,
                "debit": ln.debit,
                "credit": ln.credit,
                "partner": ln.partner_id,
                "product": ln.product_id,
                "employee": ln.employee,
                "department": ln.department,
                "project": ln.project,
            }
            for ln in lines
        ]
        _built, total = _build_lines(organization, rows)
        voucher.number = next_value(organization=organization, series=f"voucher:{voucher.word}", period=period.key)
        voucher.status = VoucherStatus.POSTED
        voucher.poster_id = actor.pk if actor is not None and actor.is_authenticated else None
        voucher.posted_at = timezone.now()
        voucher.total_debit = voucher.total_credit = total
        voucher.period = period
        voucher.save()
        _apply_balances(voucher, lines)
        audit_record(
            organization=organization,
            actor=actor,
            obj=voucher,
            action=AuditAction.STATE,
            changes={"status": [VoucherStatus.REVIEWED, VoucherStatus.POSTED], "number": voucher.display_number},
        )
        return voucher


def _reversal_date(organization: Organization) -> datetime.date:
    """Today, or — when today's period is closed already — the first day of the next open period after it."""
    today = timezone.localdate()
    current = period_for_date(organization=organization, on=today)
    if current.is_open:
        return today
    later = (
        Period.objects.filter(organization=organization, status=PeriodStatus.OPEN)
        .filter(models.Q(year__gt=current.year) | models.Q(year=current.year, month__gt=current.month))
        .order_by("year", "month")
        .first()
    )
    return later.start if later is not None else today  # none open: voucher_create names the closed period


def voucher_word(*, organization: Organization, preferred: str) -> str:
    """The 凭证字 of a voucher the program makes: `preferred` (转, 付 …) where the books use it, else their first."""
    from suanpan.accounting.opening import voucher_words  # here: opening imports this module

    words = voucher_words(organization=organization)
    return preferred if preferred in words else words[0]


def voucher_review_by_system(
    *, organization: Organization, actor: Actor | None, voucher_id: int, on_behalf_of: str
) -> Voucher:
    """Mark a voucher the program made reviewed on behalf of what made it (the period close, the costing run, a
    document such as a receipt or a stocktake), in the caller's transaction.

    Why not `voucher_review`: it refuses a reviewer who also prepared the voucher (unless the organization allows
    self-review). The review rule separates the person who enters amounts from the one who checks them; these
    vouchers have no entered amounts — they are computed from vouchers, stock moves or a document that went
    through its own checks and approval, and those are their review. So no person is named as reviewer (it would
    falsely claim a second pair of eyes), and the audit trail records the review as `on_behalf_of`'s.
    """
    locked = locks.lock_voucher(voucher_id)
    VOUCHER_FLOW.check(locked.status, VoucherStatus.REVIEWED)
    locked.status = VoucherStatus.REVIEWED
    locked.reviewer = None
    locked.save(update_fields=["status", "reviewer", "updated_at"])
    audit_record(
        organization=organization,
        actor=actor,
        obj=locked,
        action=AuditAction.STATE,
        changes={"status": [VoucherStatus.DRAFT, VoucherStatus.REVIEWED], "reviewed_by": on_behalf_of},
    )
    return locked


def document_voucher_post(
    *,
    organization: Organization,
    actor: Actor | None,
    date: datetime.date,
    lines: Sequence[Mapping[str, Any]],
    source_type: str,
    source_id: int,
    source_label: str,
    reviewed_by: str,
    word: str = "转",
    maker: Actor | None = None,
) -> Voucher:
    """Create, review (by the system, on behalf of `reviewed_by`) and post the voucher of a business document,
    inside the document's transaction.

    The permission that guards the document guards its voucher (a warehouse clerk posting a receipt need not hold
    `accounting.enter_voucher`), so the bookkeeping permissions are not checked here; `maker` is the person named
    as the voucher's preparer, if any. `actor` is recorded in the audit trail.
    """
    voucher = voucher_create(
        organization=organization,
        actor=None,
        date=date,
        lines=lines,
        word=voucher_word(organization=organization, preferred=word),
        source_type=source_type,
        source_id=source_id,
        source_label=source_label,
    )
    if maker is not None and maker.is_authenticated:
        Voucher.objects.filter(pk=voucher.pk).update(maker_id=maker.pk)
    voucher_review_by_system(organization=organization, actor=actor, voucher_id=voucher.pk, on_behalf_of=reviewed_by)
    return voucher_post(organization=organization, actor=None, voucher_id=voucher.pk)


def voucher_reverse(
    *, organization: Organization, actor: Actor, voucher_id: int, date: datetime.date | None = None
) -> Voucher:
    """红字冲销: a draft voucher with the same lines in red (negative) amounts, linked to the original."""
    with transaction.atomic():
        guard(organization, actor, P.ENTER_VOUCHER)
        original = locks.lock_voucher(voucher_get(organization=organization, pk=voucher_id).pk)
        if original.status != VoucherStatus.POSTED:
            raise DomainError(_("Only a posted voucher is reversed; a draft is simply changed."), field="status")
        if Voucher.objects.filter(reverses=original).exists():
            raise DomainError(_("This voucher has already been reversed."), field="status")
        if original.reverses_id:
            raise DomainError(_("A reversing voucher is not reversed again; enter a new voucher."), field="status")
        rows = [
            {
                "summary": _("Reverse %(no)s: %(summary)s") % {"no": original.display_number, "summary": ln.summary},
                "account": ln.account,
                "debit": -ln.debit,
                "credit": -ln.credit,
                "partner": ln.partner_id,
                "product": ln.product_id,
                "employee": ln.employee,
                "department": ln.department,
                "project": ln.project,
                "cash_flow_item": ln.cash_flow_item,
            }
            for ln in original.lines.select_related("account").order_by("seq")
        ]
        reversal = voucher_create(
            organization=organization,
            actor=actor,
            date=date or _reversal_date(organization),
            lines=rows,
            word=original.word,
            notes=_("Red-ink reversal of %(no)s") % {"no": original.display_number},
        )
        reversal.reverses = original
        reversal.save(update_fields=["reverses"])
        return reversal
