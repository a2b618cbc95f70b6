"""Vouchers that documents post on their own (receipts, returns, payments): made, reviewed and posted in the
document's transaction through the books' own services.

Why the review is the system's and not a person's: `accounting.services.voucher_review` refuses a reviewer who
prepared the voucher, and a document's voucher is prepared by the program from a document that went through its
own approval (an approved order, a receipt checked against it, a payment within the open items). It is reviewed
the way `accounting.closing` reviews its carry vouchers: no person is named as reviewer (that would falsely claim
a second pair of eyes), and the audit trail records the review as the document's. The maker is the person who
posted the document; the permission that guards the document guards its voucher (the warehouse clerk who posts a
receipt need not hold `accounting.enter_voucher`).
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from typing import Any

from django.utils.translation import gettext as _

from suanpan.accounting import locks
from suanpan.accounting import services as books
from suanpan.accounting.choices import VOUCHER_FLOW, VoucherStatus
from suanpan.accounting.models import Account, Voucher
from suanpan.accounting.opening import voucher_words
from suanpan.core.audit import audit_record
from suanpan.core.choices import AuditAction
from suanpan.core.exceptions import InvalidInput
from suanpan.core.models import Organization
from suanpan.core.types import Actor


def account(organization: Organization, code: str) -> Account:
    """A postable account of the chart by code; a clear error if the organization split it into sub-accounts."""
    found = Account.objects.filter(organization=organization, code=code).first()
    if found is None or not found.is_active or found.children.exists():
        raise InvalidInput.single(
            None,
            _("Account %(code)s is missing, inactive or has sub-accounts; documents post to %(code)s itself.")
            % {"code": code},
        )
    return found


def word_for(organization: Organization, preferred: str) -> str:
    """The voucher word: `preferred` (付, 转 …) where the organization uses it, else its first word (记)."""
    words = voucher_words(organization=organization)
    return preferred if preferred in words else words[0]


def document_voucher_post(
    *,
    organization: Organization,
    actor: Actor | None,
    date: datetime.date,
    lines: Sequence[Mapping[str, Any]],
    source_type: str,
    source_id: int,
    source_label: str,
    word: str = "转",
) -> Voucher:
    """Create, review (as the system) and post a document's voucher, inside the caller's transaction."""
    voucher = books.voucher_create(
        organization=organization,
        actor=None,
        date=date,
        lines=lines,
        word=word_for(organization, word),
        source_type=source_type,
        source_id=source_id,
        source_label=source_label,
    )
    locked = locks.lock_voucher(voucher.pk)
    VOUCHER_FLOW.check(locked.status, VoucherStatus.REVIEWED)
    locked.status = VoucherStatus.REVIEWED
    locked.maker_id = actor.pk if actor is not None and actor.is_authenticated else None
    locked.reviewer = None
    locked.save(update_fields=["status", "maker", "reviewer", "updated_at"])
    audit_record(
        organization=organization,
        actor=actor,
        obj=locked,
        action=AuditAction.STATE,
        changes={"status": [VoucherStatus.DRAFT, VoucherStatus.REVIEWED], "reviewed_by": source_label},
    )
    return books.voucher_post(organization=organization, actor=None, voucher_id=voucher.pk)
