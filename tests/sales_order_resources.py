"""Sales orders and price lists made through the real services, for the cross-cutting suites (isolation,
permissions): each factory brings one document of an organization to the state asked for."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils import timezone

from suanpan.catalog import services as catalog
from suanpan.catalog.models import Product
from suanpan.core.models import Organization
from suanpan.inventory import services as inventory
from suanpan.inventory.choices import MoveKind
from suanpan.inventory.models import StockLevel, Warehouse
from suanpan.inventory.posting import MoveSpec
from suanpan.partners.models import Partner
from suanpan.sales import orders, pricing
from suanpan.sales.models import PriceList, SalesOrder
from tests.resources import make_customer, owner_of, unit, vat


def _warehouse(org: Organization) -> Warehouse:
    found = Warehouse.objects.filter(organization=org, code="W-S").first()
    return found or inventory.warehouse_create(organization=org, actor=None, data={"code": "W-S", "name": "销售仓"})


def _product(org: Organization) -> Product:
    """A stocked product with 1000 units on hand in the sales warehouse (so that orders can be confirmed)."""
    found = Product.objects.filter(organization=org, code="P-SO").first()
    if found is not None:
        return found
    product = catalog.product_create(
        organization=org,
        actor=None,
        data={"code": "P-SO", "name": "销售商品", "unit": unit(org), "vat_rate": vat(org), "sale_price": "20.00"},
    )
    warehouse = _warehouse(org)
    if not StockLevel.objects.filter(product=product, warehouse=warehouse, on_hand__gt=0).exists():
        spec = MoveSpec(product.pk, warehouse.pk, Decimal(1000), MoveKind.OPENING, unit_cost=Decimal("8.00"))
        inventory.stock_post(organization=org, actor=None, date=timezone.localdate(), moves=[spec])
    return product


def _customer(org: Organization) -> Partner:
    found = Partner.objects.filter(organization=org, is_customer=True, name="销售客户").first()
    return found or make_customer(org, "销售客户")


def order_payload(org: Organization) -> dict[str, Any]:
    """A valid API sales order of `org`: 10 at the product's price."""
    return {
        "customer_id": _customer(org).pk,
        "warehouse_id": _warehouse(org).pk,
        "date": timezone.localdate().isoformat(),
        "lines": [{"product_id": _product(org).pk, "quantity": "10"}],
    }


def order_form(org: Organization) -> dict[str, Any]:
    payload = order_payload(org)
    return {
        "customer_id": payload["customer_id"],
        "warehouse_id": payload["warehouse_id"],
        "date": payload["date"],
        "line_count": "1",
        "lines-0-product": payload["lines"][0]["product_id"],
        "lines-0-quantity": "10",
    }


def make_order(org: Organization, state: str = "draft") -> SalesOrder:
    """A sales order of 10 × 20.00 in `state`: draft or confirmed (partially delivered orders come from the
    delivery service)."""
    data = {**order_payload(org), "date": timezone.localdate()}
    order = orders.order_create(organization=org, actor=None, data=data)
    if state == "confirmed":
        order = orders.order_confirm(organization=org, actor=owner_of(org), order_id=order.pk)
    return order


def price_list_payload(org: Organization, name: str = "批发价") -> dict[str, Any]:
    return {"name": name, "items": [{"product_id": _product(org).pk, "min_quantity": "10", "unit_price": "18.50"}]}


def price_list_form(org: Organization, name: str = "批发价") -> dict[str, Any]:
    return {
        "name": name,
        "priority": "0",
        "is_active": "on",
        "line_count": "1",
        "lines-0-product": _product(org).pk,
        "lines-0-min_quantity": "10",
        "lines-0-unit_price": "18.50",
    }


def make_price_list(org: Organization, name: str = "批发价") -> PriceList:
    return pricing.price_list_create(organization=org, actor=None, data=price_list_payload(org, name))
