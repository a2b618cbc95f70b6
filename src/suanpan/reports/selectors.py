"""Cross-domain reads for the dashboard."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count
from django.utils import timezone

from suanpan.catalog.models import Product
from suanpan.core.models import AuditEvent, Organization
from suanpan.inventory.models import Warehouse
from suanpan.partners.models import Partner


@dataclass(frozen=True)
class Overview:
    customers: int
    new_customers_this_month: int
    suppliers: int
    products: int
    stocked_products: int
    warehouses: int
    stores: int
    customers_by_province: list[dict[str, Any]]
    recent_events: list[AuditEvent]


def overview(*, organization: Organization) -> Overview:
    partners = Partner.objects.filter(organization=organization, is_active=True)
    customers = partners.filter(is_customer=True)
    month_start = timezone.localtime().replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    products = Product.objects.filter(organization=organization, is_active=True)
    warehouses = Warehouse.objects.filter(organization=organization, is_active=True)
    by_province = list(
        customers.exclude(province="").values("province").annotate(n=Count("id")).order_by("-n", "province")[:6]
    )
    return Overview(
        customers=customers.count(),
        new_customers_this_month=customers.filter(created_at__gte=month_start).count(),
        suppliers=partners.filter(is_supplier=True).count(),
        products=products.count(),
        stocked_products=products.filter(is_stocked=True).count(),
        warehouses=warehouses.filter(is_store=False).count(),
        stores=warehouses.filter(is_store=True).count(),
        customers_by_province=by_province,
        recent_events=list(AuditEvent.objects.filter(organization=organization).select_related("actor")[:10]),
    )
