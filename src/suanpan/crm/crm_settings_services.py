"""The organization's CRM rules (`CrmSettings`): pool return days, claim limit, churn multiple, contract expiry
reminder days. Read by everyone in the CRM; changed by a manager (`MANAGE_CRM`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import transaction

from suanpan.core.models import Organization
from suanpan.core.permissions import P
from suanpan.core.records import record_update
from suanpan.core.tenancy import guard
from suanpan.core.types import Actor
from suanpan.crm.models import CrmSettings
from suanpan.crm.setup import crm_settings

FIELDS = ("pool_return_days", "claim_limit", "churn_multiple", "contract_expiry_days")


def crm_settings_get(*, organization: Organization, actor: Actor | None) -> CrmSettings:
    guard(organization, actor, P.VIEW_CRM)
    return crm_settings(organization)


def crm_settings_update(*, organization: Organization, actor: Actor | None, data: Mapping[str, Any]) -> CrmSettings:
    """Change the fields given in `data` (others stay); each is validated against its bounds, naming the field."""
    with transaction.atomic():
        guard(organization, actor, P.MANAGE_CRM)
        row = CrmSettings.objects.select_for_update().get(pk=crm_settings(organization).pk)
        changes = {key: data[key] for key in FIELDS if key in data}
        return record_update(row, organization=organization, actor=actor, data=changes)
