from suanpan.catalog import views as v
from suanpan.core.ui import record_urls

app_name = "catalog"

urlpatterns = [
    *record_urls(
        "products",
        "product",
        list_view=v.ProductListView,
        detail=v.ProductDetailView,
        form=v.ProductFormView,
        delete=v.ProductDeleteView,
    ),
    *record_urls(
        "units", "unit", list_view=v.UnitListView, detail=v.UnitDetailView, form=v.UnitFormView, delete=v.UnitDeleteView
    ),
    *record_urls(
        "categories",
        "category",
        list_view=v.CategoryListView,
        detail=v.CategoryDetailView,
        form=v.CategoryFormView,
        delete=v.CategoryDeleteView,
    ),
    *record_urls(
        "vat-rates",
        "vatrate",
        list_view=v.VatRateListView,
        detail=v.VatRateDetailView,
        form=v.VatRateFormView,
        delete=v.VatRateDeleteView,
    ),
]
