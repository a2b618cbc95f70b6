"""Invoices and credit notes made through the real services, for the cross-cutting suites (isolation,
permissions): each maker opens what it needs in the given organization (a delivery of a confirmed order)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from suanpan.core.models import Organization
from suanpan.sales import invoicing
from suanpan.sales.models import Invoice, SalesReturn
from tests import delivery_resources
from tests.resources import owner_of


def invoice_payload(org: Organization) -> dict[str, Any]:
    """A valid API invoice of a new delivery of `org` (4 × 9.00)."""
    delivery = delivery_resources.make_delivery(org)
    return {
        "date": timezone.localdate().isoformat(),
        "lines": [{"delivery_line_id": delivery.lines.get().pk, "quantity": "4"}],
    }


def make_invoice(org: Organization) -> Invoice:
    payload = invoice_payload(org)
    return invoicing.invoice_post(organization=org, actor=owner_of(org), data={**payload, "date": timezone.localdate()})


def make_invoiced_return(org: Organization) -> SalesReturn:
    """A return of 1 of an invoiced delivery: its credit note is still to make."""
    from suanpan.sales import returns

    invoice = make_invoice(org)
    line = invoice.lines.get().delivery_line
    return returns.sales_return_post(
        organization=org,
        actor=owner_of(org),
        data={
            "delivery_id": line.delivery_id,
            "date": timezone.localdate(),
            "lines": [{"delivery_line_id": line.pk, "quantity": "1"}],
        },
    )
