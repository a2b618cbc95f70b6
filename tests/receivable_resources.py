"""Receivables and customer receipts made through the real services, for the finance tests and the cross-cutting
suites (isolation, permissions).

Until sales invoices exist everywhere, a receivable is made the way an invoice makes one: a posted voucher
Dr 1122 (customer) / Cr 5001 and an open item of the same amount, both under the source type `STAND_IN`, which
the finance tests' conftest adds to the sources `verify` reconciles 1122 with.
"""

from __future__ import annotations

import datetime
import itertools
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from suanpan.accounting.models import Account
from suanpan.accounting.services import document_voucher_post
from suanpan.core.models import Organization
from suanpan.finance import receipts, services
from suanpan.finance.choices import OpenItemKind
from suanpan.finance.models import OpenItem, Payment
from suanpan.partners.models import Partner
from tests.resources import make_customer, owner_of

STAND_IN = "test.invoice"
_numbers = itertools.count(1)


def customer(org: Organization) -> Partner:
    found = Partner.objects.filter(organization=org, is_customer=True, name="应收客户").first()
    return found or make_customer(org, "应收客户")


def bank(org: Organization) -> Account:
    return Account.objects.get(organization=org, code="1002")


def make_invoice(
    org: Organization,
    amount: str = "100.00",
    *,
    partner: Partner | None = None,
    day: datetime.date | None = None,
    due: datetime.date | None = None,
) -> OpenItem:
    """A receivable of `amount` (negative: a credit note) dated `day` (today), due `due` (30 days later)."""
    partner = partner or customer(org)
    day = day or timezone.localdate()
    value = Decimal(amount)
    number = next(_numbers)
    label = f"INV-{number:04d}"
    side = "debit" if value > 0 else "credit"
    other = "credit" if value > 0 else "debit"
    with transaction.atomic():
        document_voucher_post(
            organization=org,
            actor=None,
            date=day,
            lines=[
                {
                    "summary": label,
                    "account": Account.objects.get(organization=org, code="1122"),
                    "partner": partner.pk,
                    side: abs(value),
                },
                {"summary": label, "account": Account.objects.get(organization=org, code="5001"), other: abs(value)},
            ],
            source_type=STAND_IN,
            source_id=number,
            source_label=label,
            reviewed_by=label,
        )
        return services.open_item_add(
            organization=org,
            actor=None,
            partner=partner,
            kind=OpenItemKind.RECEIVABLE,
            date=day,
            due_date=due or day + datetime.timedelta(days=30),
            amount=value,
            source_type=STAND_IN,
            source_id=number,
            source_label=label,
        )


def receipt_payload(org: Organization, **changes: Any) -> dict[str, Any]:
    """A valid API receipt: 5.00 from the customer, the part nothing open takes kept as an advance."""
    return {
        "customer_id": customer(org).pk,
        "date": timezone.localdate().isoformat(),
        "account_id": bank(org).pk,
        "amount": "5.00",
        "advance": True,
        **changes,
    }


def make_receipt(org: Organization) -> Payment:
    """A customer receipt of 5.00: it settles what is open, oldest first, and keeps the rest as an advance (预收)."""
    data = {**receipt_payload(org), "date": timezone.localdate()}
    return receipts.receipt_post(organization=org, actor=owner_of(org), data=data)
