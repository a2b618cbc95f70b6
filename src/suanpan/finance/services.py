"""Payables: open items written by documents, supplier payments with write-off (核销), prepayments.

Every state change here is one transaction: permission first, then the supplier's open items locked in
primary-key order, allocations checked against their computed open amounts, the payment and its allocations
written, the voucher posted, the event audited. Nothing is ever edited: open amounts are amount − Σ allocations.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from suanpan.accounting.models import Account
from suanpan.accounting.services import document_voucher_post
from suanpan.accounting.statements import cash_flow_items
from suanpan.core.audit import audit_record
from suanpan.core.choices import AuditAction
from suanpan.core.exceptions import DomainError, FieldError, InvalidInput
from suanpan.core.models import Organization
from suanpan.core.money import ZERO, money
from suanpan.core.numbering import next_number
from suanpan.core.permissions import P
from suanpan.core.records import get_scoped
from suanpan.core.tenancy import check_perm
from suanpan.core.types import Actor
from suanpan.finance import posting
from suanpan.finance.choices import SUPPLIER_PAYMENT_CASH_FLOW, OpenItemKind, PaymentKind
from suanpan.finance.models import Allocation, OpenItem, Payment
from suanpan.finance.selectors import with_open_amount
from suanpan.finance.vouchers import account as ledger_account
from suanpan.partners.models import Partner


def _guard(organization: Organization, actor: Actor | None, perm: str) -> None:
    """`actor=None` only for set-up commands run by the operator (demo, seeding), recorded as the system."""
    if actor is not None:
        check_perm(organization=organization, actor=actor, perm=perm)


def _user_id(actor: Actor | None) -> int | None:
    return actor.pk if actor is not None and actor.is_authenticated else None


def open_item_add(
    *,
    organization: Organization,
    actor: Actor | None,
    partner: Partner,
    kind: str,
    date: datetime.date,
    due_date: datetime.date,
    amount: Decimal,
    source_type: str,
    source_id: int,
    source_label: str,
) -> OpenItem:
    """Write one open item for a posted document, in the document's transaction (its service checked the
    permission). Amount signed: − for a credit (a return)."""
    return OpenItem.objects.create(
        organization=organization,
        partner=partner,
        kind=kind,
        date=date,
        due_date=due_date,
        amount=money(amount),
        source_type=source_type,
        source_id=source_id,
        source_label=source_label,
        created_by_id=_user_id(actor),
    )


def _places(value: Decimal, field: str) -> Decimal:
    if not value.is_finite():
        raise InvalidInput.single(field, _("Enter a number."))
    if value != money(value):
        raise InvalidInput.single(field, _("An amount has at most 2 decimal places."))
    return money(value)


def _supplier(organization: Organization, partner_id: object) -> Partner:
    partner = get_scoped(Partner, organization=organization, pk=partner_id, field="partner")
    if not partner.is_supplier:
        raise InvalidInput.single("partner", _("%(p)s is not a supplier.") % {"p": partner})
    return partner


def _cash_account(organization: Organization, account_id: object) -> Account:
    account = get_scoped(Account, organization=organization, pk=account_id, field="account")
    if not account.code.startswith(("1001", "1002")) or not account.is_active or account.children.exists():
        raise InvalidInput.single(
            "account",
            _("Pay from a cash or bank account (1001/1002) without sub-accounts; %(a)s is not one.")
            % {"a": f"{account.code} {account.name}"},
        )
    return account


def _lock_items(organization: Organization, partner: Partner, kinds: Sequence[str]) -> list[OpenItem]:
    """The supplier's items of these kinds, locked in primary-key order, with their open amounts (read after the
    lock, so two payments of the same supplier settle one after the other)."""
    ids = list(
        OpenItem.objects.select_for_update()
        .filter(organization=organization, partner=partner, kind__in=kinds)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    items = list(with_open_amount(OpenItem.objects.filter(pk__in=ids)).order_by("due_date", "date", "id"))
    for item in items:
        item.open_amount = money(item.open_amount)  # type: ignore[attr-defined]  # exact cents on SQLite too
    return items


@dataclass(frozen=True)
class _Plan:
    allocations: list[tuple[OpenItem, Decimal]]
    advance: Decimal


def _oldest_first(items: list[OpenItem], cash: Decimal) -> list[tuple[OpenItem, Decimal]]:
    """Default write-off: the supplier's credits (returns) first, as far as there are payables to net them
    against, then the cash and those credits to the payables, oldest due first."""
    debts = [i for i in items if i.open_amount > 0]  # type: ignore[attr-defined]
    credits = [i for i in items if i.open_amount < 0]  # type: ignore[attr-defined]
    owed = sum((i.open_amount for i in debts), ZERO)  # type: ignore[attr-defined]
    plan: list[tuple[OpenItem, Decimal]] = []
    used = ZERO
    for item in credits:
        take = min(-item.open_amount, owed - used)  # type: ignore[attr-defined]
        if take <= 0:
            break
        plan.append((item, -take))
        used += take
    pool = cash + used
    for item in debts:
        take = min(item.open_amount, pool)  # type: ignore[attr-defined]
        if take <= 0:
            break
        plan.append((item, take))
        pool -= take
    return plan


def _chosen(items: list[OpenItem], rows: Sequence[Mapping[str, Any]]) -> list[tuple[OpenItem, Decimal]]:
    by_id = {i.pk: i for i in items}
    plan: list[tuple[OpenItem, Decimal]] = []
    errors: list[FieldError] = []
    seen: set[int] = set()
    for n, row in enumerate(rows):
        where = f"allocations.{n}"
        item = by_id.get(row.get("item_id"))  # type: ignore[arg-type]
        if item is None or item.pk in seen:
            errors.append(FieldError(f"{where}.item_id", _("Not an open payable of this supplier.")))
            continue
        seen.add(item.pk)
        try:
            amount = _places(Decimal(str(row.get("amount"))), f"{where}.amount")
        except (ArithmeticError, ValueError, InvalidInput):
            errors.append(FieldError(f"{where}.amount", _("Enter an amount with at most 2 decimal places.")))
            continue
        open_amount: Decimal = item.open_amount  # type: ignore[attr-defined]
        if amount == 0 or (amount > 0) != (open_amount > 0) or abs(amount) > abs(open_amount):
            errors.append(
                FieldError(
                    f"{where}.amount",
                    _("Allocate between 0 and the open amount %(open)s of %(item)s.")
                    % {"open": open_amount, "item": item.source_label},
                )
            )
            continue
        plan.append((item, amount))
    if errors:
        raise InvalidInput(errors)
    return plan


def payment_create(
    *,
    organization: Organization,
    actor: Actor | None,
    partner_id: object,
    date: datetime.date,
    account_id: object,
    amount: Decimal,
    allocations: Sequence[Mapping[str, Any]] | None = None,
    allow_advance: bool = False,
    cash_flow_item: str = SUPPLIER_PAYMENT_CASH_FLOW,
    reference: str = "",
    notes: str = "",
) -> Payment:
    """付款: pay a supplier from a cash/bank account and settle open payables (oldest first, or `allocations`
    [{item_id, amount}]). What the payables do not take is an advance (预付, to 1123) — only with
    `allow_advance`; otherwise paying more than is open is refused. Voucher Dr 2202 (/1123) / Cr 1001/1002."""
    with transaction.atomic():
        _guard(organization, actor, P.PAY)
        partner = _supplier(organization, partner_id)
        cash = _cash_account(organization, account_id)
        amount = _places(amount, "amount")
        if amount <= 0:
            raise InvalidInput.single("amount", _("The amount paid must be more than zero."))
        if cash_flow_item not in cash_flow_items():
            raise InvalidInput.single(
                "cash_flow_item", _("Unknown cash-flow item %(item)s.") % {"item": cash_flow_item}
            )
        items = _lock_items(organization, partner, [OpenItemKind.PAYABLE])
        plan = _oldest_first(items, amount) if allocations is None else _chosen(items, allocations)
        settled = sum((a for _i, a in plan), ZERO)
        if settled > amount:
            raise InvalidInput.single(
                "allocations",
                _("The allocations (%(s)s) are more than the payment (%(a)s).") % {"s": settled, "a": amount},
            )
        if settled < 0:
            raise InvalidInput.single(
                "allocations", _("The allocations net to a credit; add payables to set it against.")
            )
        advance = amount - settled
        if advance and not allow_advance:
            raise InvalidInput.single(
                "amount",
                _(
                    "%(a)s is more than the %(open)s open for %(p)s; "
                    "mark the rest as an advance payment (预付) or pay less."
                )
                % {"a": amount, "open": settled, "p": partner},
            )
        return _record(
            organization=organization,
            actor=actor,
            kind=PaymentKind.SUPPLIER_PAYMENT,
            partner=partner,
            date=date,
            cash=cash,
            amount=amount,
            advance=advance,
            plan=plan,
            cash_flow_item=cash_flow_item,
            reference=reference,
            notes=notes,
        )


def prepayment_apply(
    *, organization: Organization, actor: Actor | None, partner_id: object, date: datetime.date
) -> Payment:
    """Apply a supplier's open advances (预付) to their open payables, oldest first: Dr 2202 / Cr 1123."""
    with transaction.atomic():
        _guard(organization, actor, P.PAY)
        partner = _supplier(organization, partner_id)
        items = _lock_items(organization, partner, [OpenItemKind.PAYABLE, OpenItemKind.PREPAYMENT])
        advances = [i for i in items if i.kind == OpenItemKind.PREPAYMENT and i.open_amount > 0]  # type: ignore[attr-defined]
        payables = [i for i in items if i.kind == OpenItemKind.PAYABLE]
        available = sum((i.open_amount for i in advances), ZERO)  # type: ignore[attr-defined]
        plan = _oldest_first(payables, available)
        settled = sum((a for _i, a in plan), ZERO)
        if settled <= 0:
            raise DomainError(_("%(p)s has no advance and open payable to set against each other.") % {"p": partner})
        rest = settled
        for item in advances:
            take = min(item.open_amount, rest)  # type: ignore[attr-defined]
            if take <= 0:
                break
            plan.append((item, take))
            rest -= take
        return _record(
            organization=organization,
            actor=actor,
            kind=PaymentKind.PREPAYMENT_APPLICATION,
            partner=partner,
            date=date,
            cash=None,
            amount=ZERO,
            advance=ZERO,
            plan=plan,
            cash_flow_item="",
            reference="",
            notes="",
        )


def _record(
    *,
    organization: Organization,
    actor: Actor | None,
    kind: str,
    partner: Partner,
    date: datetime.date,
    cash: Account | None,
    amount: Decimal,
    advance: Decimal,
    plan: list[tuple[OpenItem, Decimal]],
    cash_flow_item: str,
    reference: str,
    notes: str,
) -> Payment:
    payment = Payment.objects.create(
        organization=organization,
        number=next_number(organization=organization, series="payment", prefix="FK", on=date),
        kind=kind,
        date=date,
        partner=partner,
        account=cash,
        amount=amount,
        advance=advance,
        cash_flow_item=cash_flow_item if cash is not None else "",
        reference=reference.strip()[:100],
        notes=notes,
        created_by_id=_user_id(actor),
    )
    Allocation.objects.bulk_create(
        [Allocation(organization=organization, payment=payment, item=item, amount=a, date=date) for item, a in plan]
    )
    if advance:
        open_item_add(
            organization=organization,
            actor=actor,
            partner=partner,
            kind=OpenItemKind.PREPAYMENT,
            date=date,
            due_date=date,
            amount=advance,
            source_type="finance.payment",
            source_id=payment.pk,
            source_label=payment.number,
        )
    settled = sum((a for item, a in plan if item.kind == OpenItemKind.PAYABLE), ZERO)
    applied = sum((a for item, a in plan if item.kind == OpenItemKind.PREPAYMENT), ZERO)
    summary = (
        _("Payment to %(p)s %(no)s") if kind == PaymentKind.SUPPLIER_PAYMENT else _("Advance applied for %(p)s %(no)s")
    ) % {"p": partner, "no": payment.number}
    lines = posting.payment_lines(
        summary=summary,
        partner=partner,
        payable=ledger_account(organization, "2202"),
        prepayment=ledger_account(organization, "1123"),
        cash=cash,
        settled=settled,
        advance=advance,
        applied=applied,
        paid=amount,
        cash_flow_item=cash_flow_item,
    )
    if len(lines) >= 2:
        payment.voucher = document_voucher_post(
            organization=organization,
            actor=actor,
            date=date,
            lines=lines,
            source_type="finance.payment",
            source_id=payment.pk,
            source_label=payment.number,
            reviewed_by=payment.number,
            word="付" if cash is not None else "转",
            maker=actor,
        )
        payment.save(update_fields=["voucher", "updated_at"])
    audit_record(
        organization=organization,
        actor=actor,
        obj=payment,
        action=AuditAction.CREATE,
        changes={
            "kind": kind,
            "partner": str(partner),
            "amount": str(amount),
            "advance": str(advance),
            "allocations": [[item.source_label, str(a)] for item, a in plan],
        },
    )
    return payment
