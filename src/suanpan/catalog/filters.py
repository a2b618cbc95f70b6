from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from suanpan.catalog.models import Category, Product, Unit, VatRate
from suanpan.core.filters import SearchFilterSet


class ProductFilter(SearchFilterSet):
    category = django_filters.ModelChoiceFilter(
        queryset=Category.objects.all(), method="filter_category", label=_("Category")
    )
    vat_rate = django_filters.ModelChoiceFilter(queryset=VatRate.objects.all(), label=_("VAT rate"))
    is_stocked = django_filters.BooleanFilter(label=_("Stocked goods"))
    is_batch_tracked = django_filters.BooleanFilter(label=_("Batch tracked"))
    is_active = django_filters.BooleanFilter(label=_("Active"))

    class Meta:
        model = Product
        fields = ["q", "category", "vat_rate", "is_stocked", "is_batch_tracked", "is_active"]

    def filter_category(self, queryset: QuerySet[Any], name: str, value: Category) -> QuerySet[Any]:
        """A category includes its sub-categories."""
        ids = {value.pk}
        frontier = {value.pk}
        while frontier:
            frontier = (
                set(
                    Category.objects.filter(organization_id=value.organization_id, parent_id__in=frontier).values_list(
                        "pk", flat=True
                    )
                )
                - ids
            )
            ids |= frontier
        return queryset.filter(category_id__in=ids)


class UnitFilter(SearchFilterSet):
    search_fields = ("code", "name")
    is_active = django_filters.BooleanFilter(label=_("Active"))

    class Meta:
        model = Unit
        fields = ["q", "is_active"]


class CategoryFilter(SearchFilterSet):
    parent = django_filters.ModelChoiceFilter(queryset=Category.objects.all(), label=_("Parent category"))

    class Meta:
        model = Category
        fields = ["q", "parent"]


class VatRateFilter(SearchFilterSet):
    search_fields = ("name",)
    is_active = django_filters.BooleanFilter(label=_("Active"))

    class Meta:
        model = VatRate
        fields = ["q", "is_active"]


__all__ = ["CategoryFilter", "ProductFilter", "UnitFilter", "VatRateFilter"]
