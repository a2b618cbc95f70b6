"""REST endpoints for products, units, categories and VAT rates."""

from suanpan.catalog import schemas as s
from suanpan.catalog import selectors, services
from suanpan.catalog.filters import CategoryFilter, ProductFilter, UnitFilter, VatRateFilter
from suanpan.core.api import crud_router
from suanpan.core.permissions import P

_perms = {"view_perm": P.VIEW_PRODUCT, "change_perm": P.CHANGE_PRODUCT}

products_router = crud_router(
    name="products",
    service=services.products,
    list_selector=selectors.product_list,
    filterset_class=ProductFilter,
    schema_in=s.ProductIn,
    schema_patch=s.ProductPatch,
    schema_out=s.ProductOut,
    schema_query=s.ProductQuery,
    **_perms,
)
units_router = crud_router(
    name="units",
    service=services.units,
    list_selector=selectors.unit_list,
    filterset_class=UnitFilter,
    schema_in=s.UnitIn,
    schema_patch=s.UnitPatch,
    schema_out=s.UnitOut,
    schema_query=s.UnitQuery,
    **_perms,
)
categories_router = crud_router(
    name="categories",
    service=services.categories,
    list_selector=selectors.category_list,
    filterset_class=CategoryFilter,
    schema_in=s.CategoryIn,
    schema_patch=s.CategoryPatch,
    schema_out=s.CategoryOut,
    schema_query=s.CategoryQuery,
    **_perms,
)
vat_rates_router = crud_router(
    name="vat-rates",
    service=services.vat_rates,
    list_selector=selectors.vat_rate_list,
    filterset_class=VatRateFilter,
    schema_in=s.VatRateIn,
    schema_patch=s.VatRatePatch,
    schema_out=s.VatRateOut,
    schema_query=s.VatRateQuery,
    **_perms,
)
