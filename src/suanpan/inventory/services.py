"""Warehouses and stores (the master part of inventory)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from suanpan.core.exceptions import InvalidInput
from suanpan.core.models import Membership
from suanpan.core.permissions import P
from suanpan.core.pinyin import search_text
from suanpan.core.records import MasterData
from suanpan.inventory.models import Warehouse


def _prepare_warehouse(warehouse: Warehouse) -> None:
    warehouse.code = (warehouse.code or "").strip()
    warehouse.name = (warehouse.name or "").strip()
    if (
        warehouse.manager_id
        and not Membership.objects.filter(
            organization_id=warehouse.organization_id, user_id=warehouse.manager_id, is_active=True
        ).exists()
    ):
        raise InvalidInput.single("manager", _("The manager must be a member of this organization."))
    warehouse.search_text = search_text(warehouse.name, warehouse.code, warehouse.address)


warehouses = MasterData(Warehouse, perm=P.CHANGE_WAREHOUSE, prepare=_prepare_warehouse)
warehouse_create = warehouses.create
warehouse_update = warehouses.update
warehouse_delete = warehouses.delete
