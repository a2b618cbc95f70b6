from __future__ import annotations

from django.db.models import QuerySet

from suanpan.catalog.models import Category, Product, Unit, VatRate
from suanpan.core.models import Organization
from suanpan.core.records import get_scoped


def product_list(*, organization: Organization) -> QuerySet[Product]:
    return Product.objects.filter(organization=organization).select_related("unit", "category", "vat_rate")


def product_get(*, organization: Organization, pk: object) -> Product:
    return get_scoped(Product, organization=organization, pk=pk)


def unit_list(*, organization: Organization) -> QuerySet[Unit]:
    return Unit.objects.filter(organization=organization)


def unit_get(*, organization: Organization, pk: object) -> Unit:
    return get_scoped(Unit, organization=organization, pk=pk)


def category_list(*, organization: Organization) -> QuerySet[Category]:
    return Category.objects.filter(organization=organization).select_related("parent")


def category_get(*, organization: Organization, pk: object) -> Category:
    return get_scoped(Category, organization=organization, pk=pk)


def vat_rate_list(*, organization: Organization) -> QuerySet[VatRate]:
    return VatRate.objects.filter(organization=organization)


def vat_rate_get(*, organization: Organization, pk: object) -> VatRate:
    return get_scoped(VatRate, organization=organization, pk=pk)
