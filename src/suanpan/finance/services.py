"""Open items written by documents, and the cash that settles them: supplier payments with write-off (核销) and
prepayments here; customer receipts and advance receipts (预收) in `finance.receipts`, through the same machinery.

Every state change here is one transaction: permission first, then the partner's open items locked in
primary-key order, allocations checked against their computed open amounts, the payment and its allocations
written, the voucher posted, the event audited. Nothing is ever edited: open amounts are amount − Σ allocations.

The two sides differ only in what a `Ledger` says: which kinds of items they settle and advance, their accounts
(2202/1123 or 1122/2203), the direction of the voucher lines, the number series and the messages.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

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
from suanpan.core.tenancy import guard, user_id
from suanpan.core.types import Actor
from suanpan.finance import posting
from suanpan.finance.choices import CONTROL_ACCOUNT, SUPPLIER_PAYMENT_CASH_FLOW, OpenItemKind, PaymentKind
from suanpan.finance.models import Allocation, OpenItem, Payment
from suanpan.finance.selectors import with_open_amount
from suanpan.finance.vouchers import account as ledger_account
from suanpan.partners.models import Partner


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
    permission). Amount signed: − for a credit (a return, a credit note)."""
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
        created_by_id=user_id(actor),
    )


@dataclass(frozen=True)
class Ledger:
    """One side of the open items and the cash that settles them (see the module docstring)."""

    items: OpenItemKind  # the kind the cash settles
    advances: OpenItemKind  # the kind the rest of the cash becomes
    cash_kind: PaymentKind  # with cash
    apply_kind: PaymentKind  # applying advances to items
    perm: str
    partner_role: str  # the Partner flag the partner must have: is_supplier / is_customer
    source_type: str  # of the vouchers and the advances' open items
    series: str
    prefix: str
    word: str  # of the cash voucher; applying advances is 转
    lines: Callable[[posting.Settlement], list[dict[str, Any]]]
    cash_summary: Promise  # "… %(p)s %(no)s"
    apply_summary: Promise
    not_partner: Promise  # "%(p)s is not a …"
    not_cash: Promise  # "%(a)s" is not a cash or bank account
    not_open: Promise  # a chosen item is not an open item of this partner
    too_much: Promise  # more cash than is open, without an advance
    net_credit: Promise  # the chosen allocations net to a credit
    nothing_to_apply: Promise  # "%(p)s has no advance and open item …"


PAYABLES = Ledger(
    items=OpenItemKind.PAYABLE,
    advances=OpenItemKind.PREPAYMENT,
    cash_kind=PaymentKind.SUPPLIER_PAYMENT,
    apply_kind=PaymentKind.PREPAYMENT_APPLICATION,
    perm=P.PAY,
    partner_role="is_supplier",
    source_type="finance.payment",
    series="payment",
    prefix="FK",
    word="付",
    lines=posting.payment_lines,
    cash_summary=gettext_lazy("Payment to %(p)s %(no)s"),
    apply_summary=gettext_lazy("Advance applied for %(p)s %(no)s"),
    not_partner=gettext_lazy("%(p)s is not a supplier."),
    not_cash=gettext_lazy("Pay from a cash or bank account (1001/1002) without sub-accounts; %(a)s is not one."),
    not_open=gettext_lazy("Not an open payable of this supplier."),
    too_much=gettext_lazy(
        "%(a)s is more than the %(open)s open for %(p)s; mark the rest as an advance payment (预付) or pay less."
    ),
    net_credit=gettext_lazy("The allocations net to a credit; add payables to set it against."),
    nothing_to_apply=gettext_lazy("%(p)s has no advance and open payable to set against each other."),
)


def places(value: Decimal, field: str) -> Decimal:
    if not value.is_finite():
        raise InvalidInput.single(field, _("Enter a number."))
    if value != money(value):
        raise InvalidInput.single(field, _("An amount has at most 2 decimal places."))
    return money(value)


def partner_for(organization: Organization, ledger: Ledger, partner_id: object, field: str) -> Partner:
    """The supplier (customer) the cash is for; another organization's, or one of the other role, is refused."""
    partner = get_scoped(Partner, organization=organization, pk=partner_id, field=field)
    if not getattr(partner, ledger.partner_role):
        raise InvalidInput.single(field, str(ledger.not_partner) % {"p": partner})
    return partner


def cash_account_for(organization: Organization, ledger: Ledger, account_id: object, field: str) -> Account:
    account = get_scoped(Account, organization=organization, pk=account_id, field=field)
    if not account.code.startswith(("1001", "1002")) or not account.is_active or account.children.exists():
        raise InvalidInput.single(field, str(ledger.not_cash) % {"a": f"{account.code} {account.name}"})
    return account


def _lock_items(organization: Organization, partner: Partner, kinds: Sequence[str]) -> list[OpenItem]:
    """The partner's items of these kinds, locked in primary-key order, with their open amounts (read after the
    lock, so two payments of the same partner settle one after the other)."""
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


def _oldest_first(items: list[OpenItem], cash: Decimal) -> list[tuple[OpenItem, Decimal]]:
    """Default write-off: the partner's credits (returns, credit notes) first, as far as there are debts to net
    them against, then the cash and those credits to the debts, oldest due first."""
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


def _chosen(
    items: list[OpenItem], rows: Sequence[Mapping[str, Any]], not_open: Promise
) -> list[tuple[OpenItem, Decimal]]:
    by_id = {i.pk: i for i in items}
    plan: list[tuple[OpenItem, Decimal]] = []
    errors: list[FieldError] = []
    seen: set[int] = set()
    for n, row in enumerate(rows):
        where = f"allocations.{n}"
        item = by_id.get(row.get("item_id"))  # type: ignore[arg-type]
        if item is None or item.pk in seen:
            errors.append(FieldError(f"{where}.item_id", str(not_open)))
            continue
        seen.add(item.pk)
        try:
            amount = places(Decimal(str(row.get("amount"))), f"{where}.amount")
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


def settle(
    *,
    organization: Organization,
    actor: Actor | None,
    ledger: Ledger,
    partner: Partner,
    date: datetime.date,
    cash: Account,
    amount: Decimal,
    allocations: Sequence[Mapping[str, Any]] | None,
    allow_advance: bool,
    cash_flow_item: str,
    reference: str,
    notes: str,
) -> Payment:
    """The write-off shared by payments and receipts, in the caller's transaction once it has checked the
    permission and parsed its input: settle the partner's open items oldest first (or `allocations`
    [{item_id, amount}]); what they do not take is an advance, only with `allow_advance`."""
    if cash_flow_item not in cash_flow_items():
        raise InvalidInput.single("cash_flow_item", _("Unknown cash-flow item %(item)s.") % {"item": cash_flow_item})
    items = _lock_items(organization, partner, [ledger.items])
    plan = _oldest_first(items, amount) if allocations is None else _chosen(items, allocations, ledger.not_open)
    settled = sum((a for _i, a in plan), ZERO)
    if settled > amount:
        raise InvalidInput.single(
            "allocations",
            _("The allocations (%(s)s) are more than the payment (%(a)s).") % {"s": settled, "a": amount},
        )
    if settled < 0:
        raise InvalidInput.single("allocations", str(ledger.net_credit))
    advance = amount - settled
    if advance and not allow_advance:
        raise InvalidInput.single("amount", str(ledger.too_much) % {"a": amount, "open": settled, "p": partner})
    return _record(
        organization=organization,
        actor=actor,
        ledger=ledger,
        kind=ledger.cash_kind,
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


def advances_apply(
    *, organization: Organization, actor: Actor | None, ledger: Ledger, partner: Partner, date: datetime.date
) -> Payment:
    """Apply the partner's open advances to their open items, oldest first, in the caller's transaction."""
    items = _lock_items(organization, partner, [ledger.items, ledger.advances])
    advances = [i for i in items if i.kind == ledger.advances and i.open_amount > 0]  # type: ignore[attr-defined]
    available = sum((i.open_amount for i in advances), ZERO)  # type: ignore[attr-defined]
    plan = _oldest_first([i for i in items if i.kind == ledger.items], available)
    settled = sum((a for _i, a in plan), ZERO)
    if settled <= 0:
        raise DomainError(str(ledger.nothing_to_apply) % {"p": partner})
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
        ledger=ledger,
        kind=ledger.apply_kind,
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
        guard(organization, actor, P.PAY)
        partner = partner_for(organization, PAYABLES, partner_id, "partner")
        cash = cash_account_for(organization, PAYABLES, account_id, "account")
        amount = places(amount, "amount")
        if amount <= 0:
            raise InvalidInput.single("amount", _("The amount paid must be more than zero."))
        return settle(
            organization=organization,
            actor=actor,
            ledger=PAYABLES,
            partner=partner,
            date=date,
            cash=cash,
            amount=amount,
            allocations=allocations,
            allow_advance=allow_advance,
            cash_flow_item=cash_flow_item,
            reference=reference,
            notes=notes,
        )


def prepayment_apply(
    *, organization: Organization, actor: Actor | None, partner_id: object, date: datetime.date
) -> Payment:
    """Apply a supplier's open advances (预付) to their open payables, oldest first: Dr 2202 / Cr 1123."""
    with transaction.atomic():
        guard(organization, actor, P.PAY)
        partner = partner_for(organization, PAYABLES, partner_id, "partner")
        return advances_apply(organization=organization, actor=actor, ledger=PAYABLES, partner=partner, date=date)


def _record(
    *,
    organization: Organization,
    actor: Actor | None,
    ledger: Ledger,
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
        number=next_number(organization=organization, series=ledger.series, prefix=ledger.prefix, on=date),
        kind=kind,
        date=date,
        partner=partner,
        account=cash,
        amount=amount,
        advance=advance,
        cash_flow_item=cash_flow_item if cash is not None else "",
        reference=reference.strip()[:100],
        notes=notes,
        created_by_id=user_id(actor),
    )
    Allocation.objects.bulk_create(
        [Allocation(organization=organization, payment=payment, item=item, amount=a, date=date) for item, a in plan]
    )
    if advance:
        open_item_add(
            organization=organization,
            actor=actor,
            partner=partner,
            kind=ledger.advances,
            date=date,
            due_date=date,
            amount=advance,
            source_type=ledger.source_type,
            source_id=payment.pk,
            source_label=payment.number,
        )
    summary = str(ledger.cash_summary if cash is not None else ledger.apply_summary) % {
        "p": partner,
        "no": payment.number,
    }
    lines = ledger.lines(
        posting.Settlement(
            summary=summary,
            partner=partner,
            control=ledger_account(organization, CONTROL_ACCOUNT[ledger.items]),
            advances=ledger_account(organization, CONTROL_ACCOUNT[ledger.advances]),
            cash=cash,
            settled=sum((a for item, a in plan if item.kind == ledger.items), ZERO),
            advance=advance,
            applied=sum((a for item, a in plan if item.kind == ledger.advances), ZERO),
            cash_amount=amount,
            cash_flow_item=cash_flow_item,
        )
    )
    if len(lines) >= 2:
        payment.voucher = document_voucher_post(
            organization=organization,
            actor=actor,
            date=date,
            lines=lines,
            source_type=ledger.source_type,
            source_id=payment.pk,
            source_label=payment.number,
            reviewed_by=payment.number,
            word=ledger.word if cash is not None else "转",
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
