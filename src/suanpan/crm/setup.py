"""Each organization's CRM defaults, made on first use: its settings row, lead channels and opportunity stages."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction

from suanpan.core.models import Organization
from suanpan.crm.choices import StageKind
from suanpan.crm.models import Channel, CrmSettings, Stage

DEFAULT_CHANNELS = ("展会", "官网", "客户介绍", "微信", "抖音", "电话", "其他")
DEFAULT_STAGES = (
    ("初步接洽", Decimal("10"), StageKind.OPEN),
    ("需求确认", Decimal("30"), StageKind.OPEN),
    ("方案报价", Decimal("50"), StageKind.OPEN),
    ("谈判", Decimal("70"), StageKind.OPEN),
    ("赢单", Decimal("100"), StageKind.WON),
    ("输单", Decimal("0"), StageKind.LOST),
)


def crm_settings(organization: Organization) -> CrmSettings:
    found = CrmSettings.objects.filter(organization=organization).first()
    if found is not None:
        return found
    with transaction.atomic():
        found, _created = CrmSettings.objects.get_or_create(organization=organization)
        return found


def channels_ensure(organization: Organization) -> None:
    """The default lead channels, when the organization has none yet."""
    if not Channel.objects.filter(organization=organization).exists():
        Channel.objects.bulk_create(
            Channel(organization=organization, name=name, seq=i * 10) for i, name in enumerate(DEFAULT_CHANNELS, 1)
        )


def stages_ensure(organization: Organization) -> None:
    """The default opportunity stages, when the organization has none yet."""
    if not Stage.objects.filter(organization=organization).exists():
        Stage.objects.bulk_create(
            Stage(organization=organization, name=name, seq=i * 10, probability=p, kind=kind)
            for i, (name, p, kind) in enumerate(DEFAULT_STAGES, 1)
        )
