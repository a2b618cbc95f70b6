"""Reads of the receivables — open receivables, customer receipts, aging, the customer statement (对账单) — and the
morning reminders of overdue receivables.

The statement is the customer's account as the documents tell it: receivables (invoices +, credit notes −) and
the cash received (receipts −, whether they settled invoices or became advance receipts). Applying an advance to
an invoice moves nothing between the customer and the business, so it is not a line. The balance is therefore
Σ receivables − Σ cash received = open receivables − open advance receipts: what the customer still owes
(negative: what they have paid ahead). Opening balances entered straight into the books carry no open items and
are not on it.

Reminders: each morning every receivable overdue and still open raises one notification (with its e-mail) to the
customer's owner rep and to the members who receive payments; once per item per day, however often it runs.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from suanpan.core import notifications
from suanpan.core.exceptions import InvalidInput, NotFound
from suanpan.core.models import Notification, Organization
from suanpan.core.money import ZERO, money
from suanpan.core.permissions import P
from suanpan.core.records import get_scoped
from suanpan.core.types import Actor
from suanpan.finance import selectors
from suanpan.finance.choices import CUSTOMER_RECEIPT_KINDS, OpenItemKind, PaymentKind
from suanpan.finance.models import OpenItem, Payment
from suanpan.finance.selectors import DEFAULT_BUCKETS, Aging
from suanpan.partners.models import Partner

REMINDER_KIND = "receivable_overdue"


def customer_get(*, organization: Organization, pk: object) -> Partner:
    """A customer of the organization by id; a supplier-only partner or another organization's is not found."""
    partner = get_scoped(Partner, organization=organization, pk=pk)
    if not partner.is_customer:
        raise NotFound(_("Customer not found."))
    return partner


def receivable_list(
    *,
    organization: Organization,
    customer_id: int | None = None,
    open_only: bool = True,
    overdue_on: datetime.date | None = None,
    kind: str = OpenItemKind.RECEIVABLE,
) -> QuerySet[OpenItem]:
    """Receivables (or advance receipts), oldest due first; with `overdue_on`, only those due before that day and
    still owed."""
    qs = selectors.open_item_list(organization=organization, kind=kind, partner_id=customer_id, open_only=open_only)
    if overdue_on is not None:
        qs = qs.filter(due_date__lt=overdue_on, **{"open_amount__gt": 0})  # the annotation
    return qs


def receipt_list(*, organization: Organization) -> QuerySet[Payment]:
    return selectors.payment_list(organization=organization, kinds=CUSTOMER_RECEIPT_KINDS)


def receipt_get(*, organization: Organization, pk: object) -> Payment:
    return selectors.payment_get(organization=organization, pk=pk, kinds=CUSTOMER_RECEIPT_KINDS)


def receivables_aging(
    *, organization: Organization, on: datetime.date, bounds: tuple[int, ...] = DEFAULT_BUCKETS
) -> Aging:
    """Open receivables per customer by days overdue on `on`: not yet due, then 0–30, 31–60, 61–90, 90+ (with
    the default bounds). Credit notes land in the bucket of their own due date and net against the rest."""
    return selectors.open_items_aging(organization=organization, kind=OpenItemKind.RECEIVABLE, on=on, bounds=bounds)


# The customer statement ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StatementLine:
    date: datetime.date
    kind: str  # Invoice, Credit note, Receipt
    document: str
    note: str  # the due date of an invoice, the reference of a receipt
    debit: Decimal  # what the customer came to owe
    credit: Decimal  # what they paid or were credited
    balance: Decimal  # owed after this line


@dataclass(frozen=True)
class Statement:
    organization: Organization
    customer: Partner
    start: datetime.date
    end: datetime.date
    opening: Decimal
    lines: list[StatementLine]
    debit: Decimal
    credit: Decimal
    closing: Decimal


def customer_statement(
    *, organization: Organization, customer_id: object, start: datetime.date, end: datetime.date
) -> Statement:
    """对账单 of one customer from `start` to `end` (inclusive): the opening balance, every invoice, credit note
    and receipt dated in the range with the running balance, and the closing balance."""
    customer = customer_get(organization=organization, pk=customer_id)
    if start > end:
        raise InvalidInput.single("end", _("The end of the range is before its start."))
    items = OpenItem.objects.filter(organization=organization, partner=customer, kind=OpenItemKind.RECEIVABLE)
    receipts = Payment.objects.filter(organization=organization, partner=customer, kind=PaymentKind.CUSTOMER_RECEIPT)
    opening = sum((i.amount for i in items.filter(date__lt=start)), ZERO) - sum(
        (r.amount for r in receipts.filter(date__lt=start)), ZERO
    )
    entries: list[tuple[tuple[datetime.date, int, int], str, str, str, Decimal]] = []
    for item in items.filter(date__range=(start, end)):
        kind = _("Invoice") if item.amount > 0 else _("Credit note")
        note = _("due %(d)s") % {"d": item.due_date.isoformat()} if item.amount > 0 else ""
        entries.append(((item.date, 0, item.pk), kind, item.source_label, note, item.amount))
    for receipt in receipts.filter(date__range=(start, end)):
        entries.append(
            (
                (receipt.date, 1, receipt.pk),
                pgettext("money received", "Receipt"),
                receipt.number,
                receipt.reference,
                -receipt.amount,
            )
        )
    balance = money(opening)
    lines: list[StatementLine] = []
    for (day, _order, _pk), kind, document, note, change in sorted(entries, key=lambda e: e[0]):
        balance += change
        lines.append(
            StatementLine(
                date=day,
                kind=kind,
                document=document,
                note=note,
                debit=change if change > 0 else ZERO,
                credit=-change if change < 0 else ZERO,
                balance=balance,
            )
        )
    return Statement(
        organization=organization,
        customer=customer,
        start=start,
        end=end,
        opening=money(opening),
        lines=lines,
        debit=sum((ln.debit for ln in lines), ZERO),
        credit=sum((ln.credit for ln in lines), ZERO),
        closing=balance,
    )


# Overdue reminders --------------------------------------------------------------------------------------------


def overdue_reminders_send(*, organization: Organization, on: datetime.date) -> int:
    """Notify (in the app and by e-mail) the owner rep of each customer and the members who receive payments of
    every receivable overdue on `on` and still open; each item once a day. Returns how many items were raised."""
    with transaction.atomic():
        # One run at a time per organization, so that two workers cannot both raise today's reminders.
        Organization.objects.select_for_update().filter(pk=organization.pk).first()
        prefix = f"{on.isoformat()}:"
        done = set(
            Notification.objects.filter(
                organization=organization, kind=REMINDER_KIND, key__startswith=prefix
            ).values_list("key", flat=True)
        )
        collectors = notifications.members_with(organization, P.RECEIVE_PAYMENT)
        raised = 0
        for item in receivable_list(organization=organization, overdue_on=on).select_related("partner__owner"):
            key = f"{prefix}{item.pk}"
            if key in done:
                continue
            users: list[Actor] = list(collectors)
            if item.partner.owner is not None:
                users.append(item.partner.owner)
            open_amount = money(item.open_amount)  # type: ignore[attr-defined]
            notifications.notify(
                organization,
                users,
                REMINDER_KIND,
                _("%(c)s: %(doc)s is %(n)d days overdue")
                % {"c": item.partner.name, "doc": item.source_label, "n": (on - item.due_date).days},
                _("Open %(open)s of %(amount)s, due %(due)s.")
                % {"open": open_amount, "amount": item.amount, "due": item.due_date.isoformat()},
                reverse("finance:receivables") + f"?customer={item.partner_id}&overdue=1",
                key=key,
            )
            raised += 1
        return raised
