from __future__ import annotations

from suanpan.core.forms import OrgModelForm
from suanpan.inventory.models import Warehouse


class WarehouseForm(OrgModelForm):
    user_fields = ("manager",)

    class Meta:
        model = Warehouse
        fields = ["code", "name", "is_store", "address", "phone", "manager", "is_active"]
