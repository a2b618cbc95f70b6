"""Gapless document numbers, per organization, series and period.

`next_number` locks the sequence row (select_for_update) and increments it inside the caller's transaction:
if the transaction rolls back, the number is given back, so numbers have no gaps. Two organizations never
share a sequence. Must be called inside `transaction.atomic()`.
"""

from __future__ import annotations

import datetime

from django.db import IntegrityError, transaction
from django.db.models import F

from suanpan.core.models import NumberSequence, Organization


def period_key(on: datetime.date | None) -> str:
    return on.strftime("%Y%m") if on else ""


def next_value(*, organization: Organization, series: str, period: str = "") -> int:
    """Take the next integer of a series. The row is locked until the caller's transaction ends."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("next_value must run inside transaction.atomic()")
    seq = (
        NumberSequence.objects.select_for_update()
        .filter(organization=organization, series=series, period=period)
        .first()
    )
    if seq is None:
        try:
            with transaction.atomic():
                seq = NumberSequence.objects.create(organization=organization, series=series, period=period)
        except IntegrityError:
            # Another transaction created it first; lock theirs.
            seq = NumberSequence.objects.select_for_update().get(
                organization=organization, series=series, period=period
            )
    NumberSequence.objects.filter(pk=seq.pk).update(last_number=F("last_number") + 1)
    seq.refresh_from_db(fields=["last_number"])
    return seq.last_number


def next_number(
    *, organization: Organization, series: str, prefix: str, on: datetime.date | None = None, width: int = 4
) -> str:
    """Format the next number, e.g. prefix 'SO', on 2026-11-05 → 'SO202611-0001'; no date → 'C0001'."""
    period = period_key(on)
    value = next_value(organization=organization, series=series, period=period)
    if period:
        return f"{prefix}{period}-{value:0{width}d}"
    return f"{prefix}{value:0{width}d}"
