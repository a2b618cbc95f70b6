"""The accounts and lines of the vouchers inventory documents post (stocktake gains/losses, transfer shortages)
through `accounting.services.document_voucher_post`, inside the document's own transaction.

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

from decimal import Decimal

from suanpan.accounting.selectors import account_by_code
from suanpan.core.models import Organization

INVENTORY_ACCOUNT = "1405"  # 库存商品
PENDING_LOSS_ACCOUNT = "190101"  # 待处理财产损溢—待处理流动资产损溢


def entry(
    organization: Organization, summary: str, debit: str, credit: str, amount: Decimal
) -> list[dict[str, object]]:
    """Two voucher lines: Dr `debit` / Cr `credit`, `amount` (> 0)."""
    return [
        {"summary": summary, "account": account_by_code(organization=organization, code=debit), "debit": amount},
        {"summary": summary, "account": account_by_code(organization=organization, code=credit), "credit": amount},
    ]
