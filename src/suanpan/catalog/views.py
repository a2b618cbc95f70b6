from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from suanpan.catalog import selectors, services
from suanpan.catalog.filters import CategoryFilter, ProductFilter, UnitFilter, VatRateFilter
from suanpan.catalog.forms import CategoryForm, ProductForm, UnitForm, VatRateForm
from suanpan.catalog.models import Category, Product, Unit, VatRate
from suanpan.core.permissions import P
from suanpan.core.ui import Column, RecordDeleteView, RecordDetailView, RecordFormView, RecordListView

PRODUCT_COLUMNS = (
    Column("code", _("Code"), sort="code", link=True),
    Column("name", _("Name"), sort="name", link=True),
    Column("specification", _("Specification"), phone_hidden=True),
    Column("unit", _("Unit"), phone_hidden=True),
    Column("category", _("Category"), sort="category__code", phone_hidden=True),
    Column("sale_price", _("Sale price"), sort="sale_price", numeric=True),
    Column("purchase_price", _("Purchase price"), sort="purchase_price", numeric=True, phone_hidden=True),
    Column("vat_rate", _("VAT"), phone_hidden=True),
    Column("is_batch_tracked", _("Batches"), phone_hidden=True),
    Column("is_active", _("Active"), phone_hidden=True),
)
PRODUCT_FIELDS = (
    Column("code", _("Code")),
    Column("name", _("Name")),
    Column("specification", _("Specification")),
    Column("barcode", _("Barcode")),
    Column("unit", _("Unit")),
    Column("category.path", _("Category")),
    Column("sale_price", _("Sale price (incl. VAT)")),
    Column("purchase_price", _("Purchase price (incl. VAT)")),
    Column("vat_rate", _("VAT rate")),
    Column("min_stock", _("Minimum stock")),
    Column("max_stock", _("Maximum stock")),
    Column("is_stocked", _("Stocked goods")),
    Column("is_batch_tracked", _("Batch tracked")),
    Column("is_active", _("Active")),
    Column("notes", _("Notes")),
)


class ProductListView(RecordListView):
    permission = P.VIEW_PRODUCT
    change_permission = P.CHANGE_PRODUCT
    title = _("Products")
    columns = PRODUCT_COLUMNS
    filterset_class = ProductFilter
    default_sort = "code"
    create_url = "catalog:product_create"
    detail_url = "catalog:product_detail"
    import_kind = "products"
    export_name = "products"

    def queryset(self) -> QuerySet[Product]:
        return selectors.product_list(organization=self.organization)


class ProductDetailView(RecordDetailView):
    permission = P.VIEW_PRODUCT
    change_permission = P.CHANGE_PRODUCT
    model = Product
    fields = PRODUCT_FIELDS
    edit_url = "catalog:product_edit"
    delete_url = "catalog:product_delete"
    list_url = "catalog:product_list"
    template_name = "catalog/product_detail.html"

    def extra_context(self, obj: Product) -> dict[str, object]:
        # The stock panel (on hand / reserved / available per warehouse) is an inventory page loaded into this
        # one: catalog does not import inventory (layers).
        return {"can_see_stock": self.can(P.VIEW_WAREHOUSE)}


class ProductFormView(RecordFormView):
    permission = P.CHANGE_PRODUCT
    service = services.products
    form_class = ProductForm
    title_create = _("New product")
    title_edit = _("Edit product")
    cancel_url = "catalog:product_list"
    detail_url = "catalog:product_detail"


class ProductDeleteView(RecordDeleteView):
    permission = P.CHANGE_PRODUCT
    service = services.products
    list_url = "catalog:product_list"
    detail_url_name = "catalog:product_detail"


class UnitListView(RecordListView):
    permission = P.VIEW_PRODUCT
    change_permission = P.CHANGE_PRODUCT
    title = _("Units")
    columns = (
        Column("code", _("Code"), sort="code", link=True),
        Column("name", _("Name"), sort="name", link=True),
        Column("is_active", _("Active")),
    )
    filterset_class = UnitFilter
    default_sort = "code"
    create_url = "catalog:unit_create"
    detail_url = "catalog:unit_detail"
    export_name = "units"

    def queryset(self) -> QuerySet[Unit]:
        return selectors.unit_list(organization=self.organization)


class UnitDetailView(RecordDetailView):
    permission = P.VIEW_PRODUCT
    change_permission = P.CHANGE_PRODUCT
    model = Unit
    fields = (Column("code", _("Code")), Column("name", _("Name")), Column("is_active", _("Active")))
    edit_url = "catalog:unit_edit"
    delete_url = "catalog:unit_delete"
    list_url = "catalog:unit_list"


class UnitFormView(RecordFormView):
    permission = P.CHANGE_PRODUCT
    service = services.units
    form_class = UnitForm
    title_create = _("New unit")
    title_edit = _("Edit unit")
    cancel_url = "catalog:unit_list"
    detail_url = "catalog:unit_detail"


class UnitDeleteView(RecordDeleteView):
    permission = P.CHANGE_PRODUCT
    service = services.units
    list_url = "catalog:unit_list"
    detail_url_name = "catalog:unit_detail"


class CategoryListView(RecordListView):
    permission = P.VIEW_PRODUCT
    change_permission = P.CHANGE_PRODUCT
    title = _("Categories")
    columns = (
        Column("code", _("Code"), sort="code", link=True),
        Column("name", _("Name"), sort="name", link=True),
        Column("path", _("Path")),
    )
    filterset_class = CategoryFilter
    default_sort = "code"
    create_url = "catalog:category_create"
    detail_url = "catalog:category_detail"
    export_name = "categories"

    def queryset(self) -> QuerySet[Category]:
        return selectors.category_list(organization=self.organization)


class CategoryDetailView(RecordDetailView):
    permission = P.VIEW_PRODUCT
    change_permission = P.CHANGE_PRODUCT
    model = Category
    fields = (Column("code", _("Code")), Column("name", _("Name")), Column("path", _("Path")))
    edit_url = "catalog:category_edit"
    delete_url = "catalog:category_delete"
    list_url = "catalog:category_list"


class CategoryFormView(RecordFormView):
    permission = P.CHANGE_PRODUCT
    service = services.categories
    form_class = CategoryForm
    title_create = _("New category")
    title_edit = _("Edit category")
    cancel_url = "catalog:category_list"
    detail_url = "catalog:category_detail"


class CategoryDeleteView(RecordDeleteView):
    permission = P.CHANGE_PRODUCT
    service = services.categories
    list_url = "catalog:category_list"
    detail_url_name = "catalog:category_detail"


class VatRateListView(RecordListView):
    permission = P.VIEW_PRODUCT
    change_permission = P.CHANGE_PRODUCT
    title = _("VAT rates")
    columns = (
        Column("name", _("Name"), sort="name", link=True),
        Column("rate", _("Rate"), sort="rate", numeric=True),
        Column("is_active", _("Active")),
    )
    filterset_class = VatRateFilter
    default_sort = "-rate"
    create_url = "catalog:vatrate_create"
    detail_url = "catalog:vatrate_detail"
    export_name = "vat-rates"

    def queryset(self) -> QuerySet[VatRate]:
        return selectors.vat_rate_list(organization=self.organization)


class VatRateDetailView(RecordDetailView):
    permission = P.VIEW_PRODUCT
    change_permission = P.CHANGE_PRODUCT
    model = VatRate
    fields = (Column("name", _("Name")), Column("rate", _("Rate")), Column("is_active", _("Active")))
    edit_url = "catalog:vatrate_edit"
    delete_url = "catalog:vatrate_delete"
    list_url = "catalog:vatrate_list"


class VatRateFormView(RecordFormView):
    permission = P.CHANGE_PRODUCT
    service = services.vat_rates
    form_class = VatRateForm
    title_create = _("New VAT rate")
    title_edit = _("Edit VAT rate")
    cancel_url = "catalog:vatrate_list"
    detail_url = "catalog:vatrate_detail"


class VatRateDeleteView(RecordDeleteView):
    permission = P.CHANGE_PRODUCT
    service = services.vat_rates
    list_url = "catalog:vatrate_list"
    detail_url_name = "catalog:vatrate_detail"
