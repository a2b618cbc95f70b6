"""Products, units, categories and VAT rates: every write goes through here."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from suanpan.catalog.models import Category, Product, Unit, VatRate
from suanpan.core.exceptions import InvalidInput
from suanpan.core.models import Organization
from suanpan.core.permissions import P
from suanpan.core.pinyin import search_text
from suanpan.core.records import MasterData, record_create

# The VAT rates of Chinese VAT (tax_china.md): 13% goods, 9% transport/farm produce…, 6% services,
# 5%/3%/1% simplified collection, 0% exports and exempt.
STANDARD_VAT_RATES: tuple[tuple[str, Decimal], ...] = (
    ("13%", Decimal("0.13")),
    ("9%", Decimal("0.09")),
    ("6%", Decimal("0.06")),
    ("5%", Decimal("0.05")),
    ("3%", Decimal("0.03")),
    ("1%", Decimal("0.01")),
    ("0%", Decimal("0")),
)
STANDARD_UNITS: tuple[tuple[str, str], ...] = (
    ("PCS", "个"),
    ("BOX", "箱"),
    ("KG", "千克"),
    ("SET", "套"),
    ("PC", "件"),
    ("BTL", "瓶"),
    ("BAG", "袋"),
    ("M", "米"),
    ("T", "吨"),
    ("H", "小时"),
)


def catalog_seed(*, organization: Organization) -> None:
    """Standard VAT rates and units for a new organization (idempotent)."""
    with transaction.atomic():
        for name, rate in STANDARD_VAT_RATES:
            if not VatRate.objects.filter(organization=organization, name=name).exists():
                record_create(
                    VatRate(organization=organization, name=name, rate=rate), organization=organization, actor=None
                )
        for code, name in STANDARD_UNITS:
            if not Unit.objects.filter(organization=organization, code=code).exists():
                record_create(
                    Unit(organization=organization, code=code, name=name), organization=organization, actor=None
                )


# Products ----------------------------------------------------------------------------------------------


def _prepare_product(product: Product) -> None:
    product.code = (product.code or "").strip()
    product.name = (product.name or "").strip()
    product.search_text = search_text(product.name, product.code, product.specification, product.barcode)


def _prepare_unit(unit: Unit) -> None:
    unit.code = (unit.code or "").strip()
    unit.name = (unit.name or "").strip()


def _prepare_category(category: Category) -> None:
    category.code = (category.code or "").strip()
    category.name = (category.name or "").strip()
    node = category.parent
    while node is not None:
        if category.pk is not None and node.pk == category.pk:
            raise InvalidInput.single("parent", _("A category cannot sit below itself or one of its children."))
        node = node.parent
    category.search_text = search_text(category.name, category.code)


def _prepare_vat_rate(rate: VatRate) -> None:
    rate.name = (rate.name or "").strip()


products = MasterData(Product, perm=P.CHANGE_PRODUCT, prepare=_prepare_product)
product_create = products.create
product_update = products.update
product_delete = products.delete

units = MasterData(Unit, perm=P.CHANGE_PRODUCT, prepare=_prepare_unit)
unit_create = units.create
unit_update = units.update
unit_delete = units.delete

categories = MasterData(Category, perm=P.CHANGE_PRODUCT, prepare=_prepare_category)
category_create = categories.create
category_update = categories.update
category_delete = categories.delete

vat_rates = MasterData(VatRate, perm=P.CHANGE_PRODUCT, prepare=_prepare_vat_rate)
vat_rate_create = vat_rates.create
vat_rate_update = vat_rates.update
vat_rate_delete = vat_rates.delete
