from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from suanpan.core.permissions import P
from suanpan.core.ui import Column, RecordDeleteView, RecordDetailView, RecordFormView, RecordListView
from suanpan.inventory import selectors, services
from suanpan.inventory.filters import WarehouseFilter
from suanpan.inventory.forms import WarehouseForm
from suanpan.inventory.models import Warehouse

WAREHOUSE_COLUMNS = (
    Column("code", _("Code"), sort="code", link=True),
    Column("name", _("Name"), sort="name", link=True),
    Column("is_store", _("Store")),
    Column("address", _("Address"), phone_hidden=True),
    Column("phone", _("Phone"), phone_hidden=True),
    Column("manager", _("Manager"), phone_hidden=True),
    Column("is_active", _("Active"), phone_hidden=True),
)


class WarehouseListView(RecordListView):
    permission = P.VIEW_WAREHOUSE
    change_permission = P.CHANGE_WAREHOUSE
    title = _("Warehouses & stores")
    columns = WAREHOUSE_COLUMNS
    filterset_class = WarehouseFilter
    default_sort = "code"
    create_url = "inventory:warehouse_create"
    detail_url = "inventory:warehouse_detail"
    export_name = "warehouses"

    def queryset(self) -> QuerySet[Warehouse]:
        return selectors.warehouse_list(organization=self.organization)


class WarehouseDetailView(RecordDetailView):
    permission = P.VIEW_WAREHOUSE
    change_permission = P.CHANGE_WAREHOUSE
    model = Warehouse
    fields = WAREHOUSE_COLUMNS
    edit_url = "inventory:warehouse_edit"
    delete_url = "inventory:warehouse_delete"
    list_url = "inventory:warehouse_list"


class WarehouseFormView(RecordFormView):
    permission = P.CHANGE_WAREHOUSE
    service = services.warehouses
    form_class = WarehouseForm
    title_create = _("New warehouse or store")
    title_edit = _("Edit warehouse or store")
    cancel_url = "inventory:warehouse_list"
    detail_url = "inventory:warehouse_detail"


class WarehouseDeleteView(RecordDeleteView):
    permission = P.CHANGE_WAREHOUSE
    service = services.warehouses
    list_url = "inventory:warehouse_list"
    detail_url_name = "inventory:warehouse_detail"
