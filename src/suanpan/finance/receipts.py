"""Customer receipts (收款) with write-off (核销) against receivables, and advance receipts (预收).

A receipt mirrors a supplier payment (`finance.services`, through the same `settle`): the customer's receivables
are locked, settled oldest due first (credit notes netted first) or as chosen, partly if the money falls short;
what they do not take becomes an advance receipt on 2203 — only when asked for, otherwise a receipt larger than
what is open is refused. Voucher (收): Dr the cash/bank account (cash-flow item 1, 销售产成品、商品、提供劳务收到的
现金) / Cr 1122 (customer) [/ Cr 2203]. An advance is applied to later receivables by `advance_receipt_apply`
(转: Dr 2203 / Cr 1122). Source "finance.receipt" on the vouchers and on the advances' open items.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from suanpan.core.exceptions import FieldError, InvalidInput
from suanpan.core.inputs import date_input, decimal_input
from suanpan.core.models import Organization
from suanpan.core.permissions import P
from suanpan.core.tenancy import guard
from suanpan.core.types import Actor
from suanpan.finance import posting
from suanpan.finance.choices import CUSTOMER_RECEIPT_CASH_FLOW, OpenItemKind, PaymentKind
from suanpan.finance.models import Payment
from suanpan.finance.services import Ledger, advances_apply, cash_account_for, partner_for, settle
from suanpan.finance.signals import receivables_settled

T = TypeVar("T")

RECEIVABLES = Ledger(
    items=OpenItemKind.RECEIVABLE,
    advances=OpenItemKind.ADVANCE_RECEIPT,
    cash_kind=PaymentKind.CUSTOMER_RECEIPT,
    apply_kind=PaymentKind.ADVANCE_RECEIPT_APPLICATION,
    perm=P.RECEIVE_PAYMENT,
    partner_role="is_customer",
    source_type="finance.receipt",
    series="customer_receipt",
    prefix="SK",
    word="收",
    lines=posting.receipt_lines,
    cash_summary=gettext_lazy("Receipt from %(p)s %(no)s"),
    apply_summary=gettext_lazy("Advance receipt applied for %(p)s %(no)s"),
    not_partner=gettext_lazy("%(p)s is not a customer."),
    not_cash=gettext_lazy("Receive into a cash or bank account (1001/1002) without sub-accounts; %(a)s is not one."),
    not_open=gettext_lazy("Not an open receivable of this customer."),
    too_much=gettext_lazy(
        "%(a)s is more than the %(open)s open for %(p)s; mark the rest as an advance receipt (预收) or receive less."
    ),
    net_credit=gettext_lazy("The allocations net to a credit; add receivables to set it against."),
    nothing_to_apply=gettext_lazy("%(p)s has no advance receipt and open receivable to set against each other."),
)

TEXT_LIMITS = {"reference": 100, "notes": 2000, "cash_flow_item": 10}


def _text(data: Mapping[str, Any], key: str, default: str, errors: list[FieldError]) -> str:
    value = data.get(key, default)
    if value is None:
        return default
    if not isinstance(value, str):
        errors.append(FieldError(key, _("Enter text.")))
        return default
    if len(value) > TEXT_LIMITS[key]:
        errors.append(FieldError(key, _("At most %(n)d characters.") % {"n": TEXT_LIMITS[key]}))
    return value.strip()


def _allocations(value: object, errors: list[FieldError]) -> list[Mapping[str, Any]] | None:
    if value is None:
        return None
    if not isinstance(value, list | tuple) or not all(isinstance(row, Mapping) for row in value):
        errors.append(
            FieldError("allocations", _("Give a list of item_id and amount, or none to settle oldest first."))
        )
        return None
    if not value:
        errors.append(FieldError("allocations", _("Choose at least one item, or nothing to settle oldest first.")))
    return list(value)


def _parsed(field: str, parse: Callable[[object], T], value: object, errors: list[FieldError]) -> T | None:
    """`parse(value)`, or None with its errors collected, so that every bad field is named at once."""
    try:
        return parse(value)
    except InvalidInput as exc:
        errors.extend(FieldError(e.field or field, e.message) for e in exc.errors)
        return None


def receipt_post(*, organization: Organization, actor: Actor | None, data: Mapping[str, Any]) -> Payment:
    """收款: receive money from a customer and write it off against open receivables.

    `data`: {"customer_id", "date", "account_id" (1001/1002…), "amount": "100.00", "allocations":
    [{"item_id", "amount"}] | None (None: oldest first), "advance": bool (the rest becomes an advance receipt),
    "cash_flow_item" (default 1), "reference", "notes"}. Every bad field is named; nothing is written then."""
    with transaction.atomic():
        guard(organization, actor, P.RECEIVE_PAYMENT)
        errors: list[FieldError] = []
        customer = _parsed(
            "customer_id",
            lambda v: partner_for(organization, RECEIVABLES, v, "customer_id"),
            data.get("customer_id"),
            errors,
        )
        day = _parsed("date", lambda v: date_input(v, "date"), data.get("date"), errors)
        cash = _parsed(
            "account_id",
            lambda v: cash_account_for(organization, RECEIVABLES, v, "account_id"),
            data.get("account_id"),
            errors,
        )
        amount = _parsed("amount", lambda v: decimal_input(v, "amount", 2), data.get("amount"), errors)
        advance = data.get("advance", False)
        if not isinstance(advance, bool):
            errors.append(FieldError("advance", _("Enter true or false.")))
        allocations = _allocations(data.get("allocations"), errors)
        reference = _text(data, "reference", "", errors)
        notes = _text(data, "notes", "", errors)
        cash_flow_item = _text(data, "cash_flow_item", CUSTOMER_RECEIPT_CASH_FLOW, errors)
        if errors or customer is None or day is None or cash is None or amount is None:
            raise InvalidInput(errors)
        receipt = settle(
            organization=organization,
            actor=actor,
            ledger=RECEIVABLES,
            partner=customer,
            date=day,
            cash=cash,
            amount=amount,
            allocations=allocations,
            allow_advance=advance is True,
            cash_flow_item=cash_flow_item,
            reference=reference,
            notes=notes,
        )
        receivables_settled.send(sender=Payment, organization=organization, partner=customer)
        return receipt


def advance_receipt_apply(
    *, organization: Organization, actor: Actor | None, customer_id: object, date: datetime.date
) -> Payment:
    """Apply a customer's open advance receipts (预收) to their open receivables, oldest first: Dr 2203 / Cr 1122."""
    with transaction.atomic():
        guard(organization, actor, P.RECEIVE_PAYMENT)
        customer = partner_for(organization, RECEIVABLES, customer_id, "customer_id")
        day = date_input(date, "date")
        applied = advances_apply(organization=organization, actor=actor, ledger=RECEIVABLES, partner=customer, date=day)
        receivables_settled.send(sender=Payment, organization=organization, partner=customer)
        return applied
