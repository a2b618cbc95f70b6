"""REST endpoints for warehouses and stores."""

from suanpan.core.api import crud_router
from suanpan.core.permissions import P
from suanpan.inventory import schemas as s
from suanpan.inventory import selectors, services
from suanpan.inventory.filters import WarehouseFilter

warehouses_router = crud_router(
    name="warehouses",
    service=services.warehouses,
    list_selector=selectors.warehouse_list,
    filterset_class=WarehouseFilter,
    view_perm=P.VIEW_WAREHOUSE,
    change_perm=P.CHANGE_WAREHOUSE,
    schema_in=s.WarehouseIn,
    schema_patch=s.WarehousePatch,
    schema_out=s.WarehouseOut,
    schema_query=s.WarehouseQuery,
)
