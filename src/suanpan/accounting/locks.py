"""Locking reads: rows a service will change are locked first, each group in primary-key order."""

from __future__ import annotations

from suanpan.accounting.models import Period, Voucher


def lock_voucher(voucher_id: int) -> Voucher:
    return Voucher.objects.select_for_update().select_related("period").get(pk=voucher_id)


def lock_period(period_id: int) -> Period:
    return Period.objects.select_for_update().get(pk=period_id)
