"""Vouchers that inventory documents post (stocktake gains/losses, transfer shortages) through the one GL
choke point, `accounting.services.voucher_create` + `voucher_post`, inside the document's own transaction.

Who makes and reviews them: the system, on behalf of the document. The person who approves a stocktake or
receives a transfer is guarded by the document's permission (inventory.approve_stocktake,
inventory.move_stock), not by the bookkeeping ones (enter/review/post voucher) that a warehouse keeper does not
hold; the voucher's amounts are not typed by anyone — they are the values of the stock moves posted in the same
transaction — so the approval of the document is its review. This follows `accounting.closing` (the period
close's carry vouchers): reviewed by the system with no person named as reviewer, and the audit trail records
that the review was the document's. The voucher's source (`source_type`, `source_id`, `source_label`) points
back at the document; `inventory.checks` ties its 1405 lines to the document's stock moves.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from decimal import Decimal

from django.utils.translation import gettext as _

from suanpan.accounting import locks as accounting_locks
from suanpan.accounting import services as accounting
from suanpan.accounting.choices import VOUCHER_FLOW, VoucherStatus
from suanpan.accounting.closing import books_of
from suanpan.accounting.models import Account, Voucher
from suanpan.core.audit import audit_record
from suanpan.core.choices import AuditAction
from suanpan.core.exceptions import DomainError
from suanpan.core.models import Organization
from suanpan.core.types import Actor

INVENTORY_ACCOUNT = "1405"  # 库存商品
PENDING_LOSS_ACCOUNT = "190101"  # 待处理财产损溢—待处理流动资产损溢


def account(organization: Organization, code: str) -> Account:
    found = Account.objects.filter(organization=organization, code=code).first()
    if found is None:
        raise DomainError(_("The chart of accounts has no account %(code)s.") % {"code": code}, field="account")
    return found


def _word(organization: Organization) -> str:
    books = books_of(organization)
    words = list((books.voucher_words if books is not None else None) or ["记"])
    return "转" if "转" in words else str(words[0])


def entry(
    organization: Organization, summary: str, debit: str, credit: str, amount: Decimal
) -> list[dict[str, object]]:
    """Two voucher lines: Dr `debit` / Cr `credit`, `amount` (> 0)."""
    return [
        {"summary": summary, "account": account(organization, debit), "debit": amount},
        {"summary": summary, "account": account(organization, credit), "credit": amount},
    ]


def document_voucher_post(
    *,
    organization: Organization,
    actor: Actor | None,
    date: datetime.date,
    lines: Sequence[dict[str, object]],
    source_type: str,
    source_id: int,
    source_label: str,
    reviewed_by: str,
) -> Voucher:
    """Create, review (as the system, on behalf of `reviewed_by`) and post a document's voucher; caller's
    transaction. The bookkeeping permission checks are the document's (see the module docstring)."""
    voucher = accounting.voucher_create(
        organization=organization,
        actor=None,
        date=date,
        lines=lines,
        word=_word(organization),
        source_type=source_type,
        source_id=source_id,
        source_label=source_label,
    )
    locked = accounting_locks.lock_voucher(voucher.pk)
    VOUCHER_FLOW.check(locked.status, VoucherStatus.REVIEWED)
    locked.status = VoucherStatus.REVIEWED
    locked.reviewer = None
    locked.save(update_fields=["status", "reviewer", "updated_at"])
    audit_record(
        organization=organization,
        actor=actor,
        obj=locked,
        action=AuditAction.STATE,
        changes={"status": [VoucherStatus.DRAFT, VoucherStatus.REVIEWED], "reviewed_by": reviewed_by},
    )
    return accounting.voucher_post(organization=organization, actor=None, voucher_id=voucher.pk)
