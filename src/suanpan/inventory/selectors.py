from __future__ import annotations

from django.db.models import QuerySet

from suanpan.core.models import Organization
from suanpan.core.records import get_scoped
from suanpan.inventory.models import Warehouse


def warehouse_list(*, organization: Organization) -> QuerySet[Warehouse]:
    return Warehouse.objects.filter(organization=organization).select_related("manager")


def warehouse_get(*, organization: Organization, pk: object) -> Warehouse:
    return get_scoped(Warehouse, organization=organization, pk=pk)
