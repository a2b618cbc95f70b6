"""Opening a new organization: the tenant itself, then each app's starting data, called explicitly in order."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from suanpan.accounting.services import chart_load, fiscal_year_open
from suanpan.catalog.services import catalog_seed
from suanpan.core.models import Organization
from suanpan.core.services import organization_create


def organization_open(*, owner: User, data: Mapping[str, Any]) -> Organization:
    with transaction.atomic():
        organization = organization_create(owner=owner, data=data)
        catalog_seed(organization=organization)
        chart_load(organization=organization)
        fiscal_year_open(organization=organization, year=timezone.localdate().year)
    return organization
