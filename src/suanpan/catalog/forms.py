from __future__ import annotations

from django import forms

from suanpan.catalog.models import Category, Product, Unit, VatRate
from suanpan.core.forms import OrgModelForm


class ProductForm(OrgModelForm):
    class Meta:
        model = Product
        fields = [
            "code",
            "name",
            "specification",
            "unit",
            "category",
            "barcode",
            "sale_price",
            "purchase_price",
            "vat_rate",
            "min_stock",
            "max_stock",
            "is_stocked",
            "is_batch_tracked",
            "is_active",
            "notes",
        ]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}


class UnitForm(OrgModelForm):
    class Meta:
        model = Unit
        fields = ["code", "name", "is_active"]


class CategoryForm(OrgModelForm):
    class Meta:
        model = Category
        fields = ["code", "name", "parent"]


class VatRateForm(OrgModelForm):
    class Meta:
        model = VatRate
        fields = ["name", "rate", "is_active"]
