"""Deliveries and sales returns made through the real services, for the cross-cutting suites (isolation,
permissions): each maker opens what it needs in the given organization (a confirmed order against stock)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils import timezone

from suanpan.catalog import services as catalog
from suanpan.catalog.models import Product
from suanpan.core.models import Organization
from suanpan.inventory.choices import MoveKind
from suanpan.inventory.models import Warehouse
from suanpan.inventory.posting import MoveSpec
from suanpan.inventory.services import stock_post, warehouse_create
from suanpan.partners.models import Partner
from suanpan.sales import deliveries, orders, returns
from suanpan.sales.models import Delivery, SalesOrder, SalesReturn
from tests.resources import make_customer, owner_of, unit, vat


def _warehouse(org: Organization) -> Warehouse:
    found = Warehouse.objects.filter(organization=org, code="W-S").first()
    return found or warehouse_create(organization=org, actor=None, data={"code": "W-S", "name": "销售仓"})


def _product(org: Organization) -> Product:
    """The product sold, with 100 more @ 5.00 in the sales warehouse each time it is asked for."""
    product = Product.objects.filter(organization=org, code="P-SO").first() or catalog.product_create(
        organization=org,
        actor=None,
        data={"code": "P-SO", "name": "销售商品", "unit": unit(org), "vat_rate": vat(org), "sale_price": "9.00"},
    )
    stock_post(
        organization=org,
        actor=None,
        date=timezone.localdate(),
        moves=[MoveSpec(product.pk, _warehouse(org).pk, Decimal("100"), MoveKind.OPENING, unit_cost=Decimal("5.00"))],
    )
    return product


def _customer(org: Organization) -> Partner:
    found = Partner.objects.filter(organization=org, is_customer=True, name="出库客户").first()
    return found or make_customer(org, "出库客户")


def make_order(org: Organization, quantity: str = "10") -> SalesOrder:
    """A confirmed sales order of `quantity` × 9.00, reserved in the sales warehouse."""
    order = orders.order_create(
        organization=org,
        actor=None,
        data={
            "customer_id": _customer(org).pk,
            "warehouse_id": _warehouse(org).pk,
            "date": timezone.localdate(),
            "lines": [{"product_id": _product(org).pk, "quantity": quantity}],
        },
    )
    return orders.order_confirm(organization=org, actor=owner_of(org), order_id=order.pk)


def delivery_payload(org: Organization, quantity: str = "4") -> dict[str, Any]:
    """A valid API delivery of a new confirmed order of `org`."""
    line = make_order(org).lines.get()
    return {
        "date": timezone.localdate().isoformat(),
        "warehouse_id": line.warehouse_id,
        "lines": [{"order_line_id": line.pk, "quantity": quantity}],
    }


def delivery_form(org: Organization) -> dict[str, Any]:
    payload = delivery_payload(org)
    return {
        "date": payload["date"],
        "warehouse_id": payload["warehouse_id"],
        "line_count": "1",
        "lines-0-order_line_id": payload["lines"][0]["order_line_id"],
        "lines-0-quantity": payload["lines"][0]["quantity"],
    }


def make_delivery(org: Organization, quantity: str = "4") -> Delivery:
    payload = delivery_payload(org, quantity)
    return deliveries.delivery_post(
        organization=org, actor=owner_of(org), data={**payload, "date": timezone.localdate()}
    )


def return_payload(org: Organization) -> dict[str, Any]:
    delivery = make_delivery(org)
    return {
        "delivery_id": delivery.pk,
        "date": timezone.localdate().isoformat(),
        "lines": [{"delivery_line_id": delivery.lines.get().pk, "quantity": "1"}],
    }


def make_return(org: Organization) -> SalesReturn:
    payload = return_payload(org)
    return returns.sales_return_post(
        organization=org, actor=owner_of(org), data={**payload, "date": timezone.localdate()}
    )
