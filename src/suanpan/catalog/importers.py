"""Excel import of products (registered in CatalogConfig.ready)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
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


def _vat_rate(org: Organization, raw: str) -> VatRate | None:
    """“13%”, “13”, “0.13” or the rate's name."""
    if not raw:
        return None
    rates = VatRate.objects.filter(organization=org)
    by_name = rates.filter(name=raw).first()
    if by_name is not None:
        return by_name
    try:
        number = Decimal(raw.rstrip("%").strip())
    except InvalidOperation:
        number = None
    if number is not None:
        rate = number / 100 if raw.endswith("%") or number > 1 else number
        found = rates.filter(rate=rate).first()
        if found is not None:
            return found
    raise im.CellError(_("No VAT rate “%(raw)s”; use e.g. 13%%.") % {"raw": raw})


def _create(organization: Organization, actor: Actor | None, data: dict[str, Any]) -> models.Model:
    return product_create(organization=organization, actor=actor, data=data)


PRODUCTS = im.Importer(
    kind="products",
    title=gettext_lazy("Products"),
    permission=P.CHANGE_PRODUCT,
    columns=(
        im.Column("code", "编码", im.text(40), required=True, example="A4-70"),
        im.Column("name", "名称", im.text(200), required=True, example="A4复印纸"),
        im.Column("specification", "规格型号", im.text(200), example="70g 500张/包"),
        im.Column("unit", "单位", im.reference(Unit, "code", "name"), required=True, example="包"),
        im.Column("category", "分类", im.reference(Category, "code", "name"), example="办公用品"),
        im.Column("barcode", "条码", im.text(40), example="6900000000017"),
        im.Column("sale_price", "销售价", im.decimal, example="25.00"),
        im.Column("purchase_price", "采购价", im.decimal, example="18.50"),
        im.Column("vat_rate", "税率", _vat_rate, required=True, example="13%"),
        im.Column("is_stocked", "库存商品", im.boolean, example="是"),
        im.Column("is_batch_tracked", "批次管理", im.boolean, example="否"),
        im.Column("min_stock", "最低库存", im.decimal, example="20"),
        im.Column("max_stock", "最高库存", im.decimal, example="200"),
        im.Column("notes", "备注", im.text(2000)),
    ),
    create=_create,
)
