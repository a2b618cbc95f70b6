"""Excel import of products (registered in CatalogConfig.ready); every row goes through `product_create`."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from suanpan.catalog.models import Category, Unit, VatRate
from suanpan.catalog.services import product_create
from suanpan.core import importing as im
from suanpan.core.models import Organization
from suanpan.core.permissions import P
from suanpan.core.types import Actor


def _vat_rate(ctx: im.Context, raw: str) -> VatRate | None:
    """One of the organization's VAT rates: by name ("13%"), or by rate written as "13%", "13" or "0.13"."""
    if not raw:
        return None
    key = ("vat_rate", raw)
    if key not in ctx.cache:
        rates = VatRate.objects.filter(organization=ctx.organization)
        found = rates.filter(name=raw).first()
        if found is None:
            try:
                rate = im.fraction(ctx, raw)
            except im.CellError:
                rate = None
            if rate is not None and 0 <= rate <= 1:
                found = rates.filter(rate=rate).order_by("-is_active", "pk").first()
        if found is None:
            raise im.CellError(_("No VAT rate “%(raw)s”; use e.g. 13%%.") % {"raw": raw})
        ctx.cache[key] = found
    vat_rate: VatRate = ctx.cache[key]
    return vat_rate


def _create(organization: Organization, actor: Actor | None, data: dict[str, Any]) -> models.Model:
    return product_create(organization=organization, actor=actor, data=data)


PRODUCTS = im.Importer(
    kind="products",
    title=gettext_lazy("Products"),
    permission=P.CHANGE_PRODUCT,
    columns=(
        im.Column("code", "编码", im.text(40), required=True, example="A4-70", hint=gettext_lazy("SKU; unique.")),
        im.Column("name", "名称", im.text(200), required=True, example="A4复印纸"),
        im.Column("specification", "规格型号", im.text(200), example="70g 500张/包"),
        im.Column(
            "unit",
            "单位",
            im.reference(Unit, "code", "name", "code__iexact"),
            required=True,
            example="袋",
            hint=gettext_lazy("Code or name of one of the organization's units, e.g. 个, 箱, PCS."),
        ),
        im.Column(
            "category",
            "分类",
            im.reference(Category, "code", "name", "code__iexact"),
            hint=gettext_lazy("Code or name of an existing category."),
        ),
        im.Column(
            "barcode",
            "条码",
            im.text(40),
            example="6900000000017",
            hint=gettext_lazy("Format the column as text in Excel: long numbers lose digits."),
        ),
        im.Column(
            "sale_price",
            "销售价",
            im.decimal,
            example="25.00",
            hint=gettext_lazy("Including VAT, in yuan; not negative."),
        ),
        im.Column(
            "purchase_price",
            "采购价",
            im.decimal,
            example="18.50",
            hint=gettext_lazy("Including VAT, in yuan; not negative."),
        ),
        im.Column(
            "vat_rate",
            "税率",
            _vat_rate,
            required=True,
            example="13%",
            hint=gettext_lazy("One of the organization's VAT rates: 13%, 9%, 6%… (also 0.13 or 13)."),
        ),
        im.Column(
            "is_batch_tracked",
            "批次管理",
            im.boolean,
            example="否",
            hint=gettext_lazy("是 or 否; blank means 否."),
        ),
        im.Column(
            "min_stock",
            "最低库存",
            im.decimal,
            example="20",
            hint=gettext_lazy("Quantity in the product's unit; not negative."),
        ),
        im.Column(
            "max_stock",
            "最高库存",
            im.decimal,
            example="200",
            hint=gettext_lazy("Quantity; 0 means no maximum, otherwise not below the minimum."),
        ),
        im.Column(
            "is_stocked",
            "库存商品",
            im.boolean,
            example="是",
            hint=gettext_lazy("否 for services and other items without stock; blank means 是."),
        ),
        im.Column("notes", "备注", im.text(2000)),
    ),
    create=_create,
)
