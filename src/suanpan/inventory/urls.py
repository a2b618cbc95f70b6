from suanpan.core.ui import record_urls
from suanpan.inventory import views as v

app_name = "inventory"

urlpatterns = record_urls(
    "warehouses",
    "warehouse",
    list_view=v.WarehouseListView,
    detail=v.WarehouseDetailView,
    form=v.WarehouseFormView,
    delete=v.WarehouseDeleteView,
)
