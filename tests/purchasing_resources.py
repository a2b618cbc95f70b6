"""Purchase documents and payments made through the real services, for the cross-cutting suites (isolation,
permissions): each factory brings one document of an organization to the state asked for."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils import timezone

from suanpan.accounting.models import Account
from suanpan.catalog import services as catalog
from suanpan.catalog.models import Product
from suanpan.core.models import Organization
from suanpan.finance import services as finance
from suanpan.finance.models import Payment
from suanpan.inventory import services as inventory
from suanpan.inventory.models import Warehouse
from suanpan.partners.models import Partner
from suanpan.purchasing import services as purchasing
from suanpan.purchasing.models import PurchaseOrder, PurchaseReturn, Receipt
from tests.resources import make_supplier, owner_of, unit, vat


def _warehouse(org: Organization) -> Warehouse:
    found = Warehouse.objects.filter(organization=org, code="W-P").first()
    return found or inventory.warehouse_create(organization=org, actor=None, data={"code": "W-P", "name": "采购仓"})


def _product(org: Organization) -> Product:
    found = Product.objects.filter(organization=org, code="P-PO").first()
    return found or catalog.product_create(
        organization=org, actor=None, data={"code": "P-PO", "name": "采购商品", "unit": unit(org), "vat_rate": vat(org)}
    )


def _supplier(org: Organization) -> Partner:
    found = Partner.objects.filter(organization=org, is_supplier=True, name="采购供应商").first()
    return found or make_supplier(org, "采购供应商")


def order_payload(org: Organization) -> dict[str, Any]:
    """A valid API purchase order of `org`."""
    return {
        "supplier_id": _supplier(org).pk,
        "warehouse_id": _warehouse(org).pk,
        "date": timezone.localdate().isoformat(),
        "lines": [{"product_id": _product(org).pk, "quantity": "10", "unit_price": "8.50"}],
    }


def order_form(org: Organization) -> dict[str, Any]:
    payload = order_payload(org)
    line = payload["lines"][0]
    return {
        "supplier_id": payload["supplier_id"],
        "warehouse_id": payload["warehouse_id"],
        "date": payload["date"],
        "line_count": "1",
        "lines-0-product": line["product_id"],
        "lines-0-quantity": line["quantity"],
        "lines-0-unit_price": line["unit_price"],
    }


def make_order(org: Organization, state: str = "draft") -> PurchaseOrder:
    """A purchase order of 10 × 8.50 in `state`: draft, approved, partially_received or received."""
    data = {**order_payload(org), "date": timezone.localdate()}
    order = purchasing.purchase_order_create(organization=org, actor=None, data=data)
    if state != "draft":
        order = purchasing.purchase_order_approve(organization=org, actor=owner_of(org), order_id=order.pk)
    if state in ("partially_received", "received"):
        make_receipt(org, order=order, quantity="10" if state == "received" else "4")
        order.refresh_from_db()
    return order


def make_receipt(org: Organization, order: PurchaseOrder | None = None, quantity: str = "4") -> Receipt:
    order = order or make_order(org, "approved")
    line = order.lines.get()
    return purchasing.receipt_post(
        organization=org,
        actor=owner_of(org),
        order_id=order.pk,
        date=timezone.localdate(),
        lines=[{"order_line_id": line.pk, "quantity": Decimal(quantity)}],
    )


def make_return(org: Organization) -> PurchaseReturn:
    receipt = make_receipt(org)
    return purchasing.purchase_return_post(
        organization=org,
        actor=owner_of(org),
        receipt_id=receipt.pk,
        date=timezone.localdate(),
        lines=[{"receipt_line_id": receipt.lines.get().pk, "quantity": Decimal("1")}],
    )


def bank(org: Organization) -> Account:
    return Account.objects.get(organization=org, code="1002")


def make_payment(org: Organization) -> Payment:
    receipt = make_receipt(org)
    return finance.payment_create(
        organization=org,
        actor=owner_of(org),
        partner_id=receipt.supplier_id,
        date=timezone.localdate(),
        account_id=bank(org).pk,
        amount=Decimal("10.00"),
    )


def receipt_payload(org: Organization) -> dict[str, Any]:
    order = make_order(org, "approved")
    return {
        "order_id": order.pk,
        "date": timezone.localdate().isoformat(),
        "lines": [{"order_line_id": order.lines.get().pk, "quantity": "2"}],
    }


def payment_payload(org: Organization) -> dict[str, Any]:
    receipt = make_receipt(org)
    return {
        "partner_id": receipt.supplier_id,
        "date": timezone.localdate().isoformat(),
        "account_id": bank(org).pk,
        "amount": "5.00",
    }
