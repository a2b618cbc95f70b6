from django.urls import path

from suanpan.core.ui import record_urls
from suanpan.inventory import opening_views as ov
from suanpan.inventory import report_views as rv
from suanpan.inventory import stock_views as sv
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
urlpatterns += [
    *(path(f"reports/{kind}/", rv.report_view(kind), name=f"report_{kind}") for kind in rv.REPORTS),
    path("costing/", rv.CostingView.as_view(), name="costing"),
    path("reorder/", rv.ReorderView.as_view(), name="reorder"),
    path("reorder/levels/", rv.ReorderRulesView.as_view(), name="reorder_rules"),
]
# Stock pages, lots, transfers, stocktakes (stock_views.py)
urlpatterns += [
    path("stock/", sv.StockBalanceView.as_view(), name="stock_balance"),
    path("stock/in-transit/", sv.InTransitView.as_view(), name="in_transit"),
    path("stock/products/<int:pk>/ledger/", sv.StockLedgerView.as_view(), name="stock_ledger"),
    path("stock/products/<int:pk>/panel/", sv.ProductStockPanelView.as_view(), name="product_stock"),
    path("lots/", sv.LotListView.as_view(), name="lot_list"),
    path("lots/<int:pk>/", sv.LotDetailView.as_view(), name="lot_detail"),
    path("transfers/", sv.TransferListView.as_view(), name="transfer_list"),
    path("transfers/new/", sv.TransferCreateView.as_view(), name="transfer_create"),
    path("transfers/<int:pk>/", sv.TransferDetailView.as_view(), name="transfer_detail"),
    path("transfers/<int:pk>/<str:action>/", sv.TransferActionView.as_view(), name="transfer_action"),
    path("stocktakes/", sv.StocktakeListView.as_view(), name="stocktake_list"),
    path("stocktakes/new/", sv.StocktakeCreateView.as_view(), name="stocktake_create"),
    path("stocktakes/<int:pk>/", sv.StocktakeDetailView.as_view(), name="stocktake_detail"),
    path("stocktakes/<int:pk>/print/", sv.StocktakePrintView.as_view(), name="stocktake_print"),
    path("stocktakes/<int:pk>/sheet/", sv.StocktakeSheetView.as_view(), name="stocktake_sheet"),
    path("stocktakes/<int:pk>/<str:action>/", sv.StocktakeActionView.as_view(), name="stocktake_action"),
]
# Opening stock (opening_views.py)
urlpatterns += [
    path("opening/", ov.OpeningStockView.as_view(), name="opening_stock"),
    path("opening/import/", ov.OpeningStockImportView.as_view(), name="opening_stock_import"),
    path("opening/template/", ov.OpeningStockTemplateView.as_view(), name="opening_stock_template"),
    path("opening/<int:number>/reverse/", ov.OpeningStockReverseView.as_view(), name="opening_stock_reverse"),
]
