"""REST endpoints of sales: orders (with their workflow actions), price lists, what a warehouse can promise of a
product, and a customer's credit exposure. Thin: parse, call one service or selector; the same services as the
pages."""

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router
from ninja.pagination import paginate
from ninja.responses import Status

from suanpan.catalog.models import Product
from suanpan.core.api import ERRORS, Paging, filtered, org_of
from suanpan.core.exceptions import NotFound
from suanpan.core.permissions import P
from suanpan.core.records import get_scoped
from suanpan.inventory.models import Warehouse
from suanpan.partners.models import Partner
from suanpan.sales import order_selectors, orders, pricing
from suanpan.sales import schemas_orders as s
from suanpan.sales.filters import OrderFilter, PriceListFilter
from suanpan.sales.models import PriceList, SalesOrder

router = Router(tags=["sales"])


def _order_data(payload: s.OrderIn) -> dict[str, Any]:
    data: dict[str, Any] = payload.dict()
    return data


@router.get("/sales-orders", response={200: list[s.OrderOut], **ERRORS}, operation_id="sales_orders_list")
@paginate(Paging)
def list_orders(request: HttpRequest, filters: Query[s.OrderQuery]) -> QuerySet[SalesOrder]:
    organization = org_of(request, P.VIEW_SALES)
    return filtered(OrderFilter, request, order_selectors.order_list(organization=organization), filters)  # type: ignore[no-any-return]


@router.post("/sales-orders", response={201: s.OrderOut, **ERRORS}, operation_id="sales_orders_create")
def create_order(request: HttpRequest, payload: s.OrderIn) -> Any:
    organization = org_of(request, P.CHANGE_SALES)
    order = orders.order_create(organization=organization, actor=request.user, data=_order_data(payload))
    return Status(201, order)


@router.get("/sales-orders/{int:order_id}", response={200: s.OrderOut, **ERRORS}, operation_id="sales_orders_get")
def get_order(request: HttpRequest, order_id: int) -> SalesOrder:
    return order_selectors.order_get(organization=org_of(request, P.VIEW_SALES), pk=order_id)


@router.put("/sales-orders/{int:order_id}", response={200: s.OrderOut, **ERRORS}, operation_id="sales_orders_update")
def update_order(request: HttpRequest, order_id: int, payload: s.OrderIn) -> SalesOrder:
    organization = org_of(request, P.CHANGE_SALES)
    return orders.order_update(
        organization=organization, actor=request.user, order_id=order_id, data=_order_data(payload)
    )


@router.post(
    "/sales-orders/{int:order_id}/confirm", response={200: s.OrderOut, **ERRORS}, operation_id="sales_orders_confirm"
)
def confirm_order(request: HttpRequest, order_id: int, payload: s.ConfirmIn | None = None) -> SalesOrder:
    """Reserve the stock and take the number; refused (409) when stock is short or the credit limit would be
    passed, unless `approve_credit` is sent by a member who may approve credit."""
    organization = org_of(request, P.CHANGE_SALES)
    approve = payload.approve_credit if payload is not None else False
    return orders.order_confirm(
        organization=organization, actor=request.user, order_id=order_id, approve_credit=approve
    )


ORDER_ACTIONS = {
    "unconfirm": orders.order_unconfirm,
    "cancel": orders.order_cancel,
    "close": orders.order_close,
}


def _action(name: str) -> None:
    service = ORDER_ACTIONS[name]

    def act(request: HttpRequest, order_id: int) -> SalesOrder:
        organization = org_of(request, P.CHANGE_SALES)
        return service(organization=organization, actor=request.user, order_id=order_id)

    act.__name__ = f"{name}_order"
    router.post(
        f"/sales-orders/{{int:order_id}}/{name}",
        response={200: s.OrderOut, **ERRORS},
        operation_id=f"sales_orders_{name}",
    )(act)


for _name in ORDER_ACTIONS:
    _action(_name)


# Price lists ---------------------------------------------------------------------------------------------------


@router.get("/price-lists", response={200: list[s.PriceListOut], **ERRORS}, operation_id="price_lists_list")
@paginate(Paging)
def list_price_lists(request: HttpRequest, filters: Query[s.PriceListQuery]) -> QuerySet[PriceList]:
    organization = org_of(request, P.VIEW_SALES)
    return filtered(PriceListFilter, request, pricing.price_list_list(organization=organization), filters)  # type: ignore[no-any-return]


@router.post("/price-lists", response={201: s.PriceListOut, **ERRORS}, operation_id="price_lists_create")
def create_price_list(request: HttpRequest, payload: s.PriceListIn) -> Any:
    organization = org_of(request, P.MANAGE_PRICES)
    price_list = pricing.price_list_create(organization=organization, actor=request.user, data=payload.dict())
    return Status(201, price_list)


@router.get(
    "/price-lists/{int:price_list_id}", response={200: s.PriceListOut, **ERRORS}, operation_id="price_lists_get"
)
def get_price_list(request: HttpRequest, price_list_id: int) -> PriceList:
    return pricing.price_list_get(organization=org_of(request, P.VIEW_SALES), pk=price_list_id)


@router.put(
    "/price-lists/{int:price_list_id}", response={200: s.PriceListOut, **ERRORS}, operation_id="price_lists_update"
)
def update_price_list(request: HttpRequest, price_list_id: int, payload: s.PriceListIn) -> PriceList:
    organization = org_of(request, P.MANAGE_PRICES)
    return pricing.price_list_update(
        organization=organization, actor=request.user, price_list_id=price_list_id, data=payload.dict()
    )


@router.delete("/price-lists/{int:price_list_id}", response={204: None, **ERRORS}, operation_id="price_lists_delete")
def delete_price_list(request: HttpRequest, price_list_id: int) -> Any:
    organization = org_of(request, P.MANAGE_PRICES)
    pricing.price_list_delete(organization=organization, actor=request.user, price_list_id=price_list_id)
    return Status(204, None)


# Availability and credit exposure ------------------------------------------------------------------------------


@router.get("/availability", response={200: s.AvailabilityOut, **ERRORS}, operation_id="sales_availability")
def availability(request: HttpRequest, params: Query[s.AvailabilityQuery]) -> Any:
    """On hand, reserved and available (on hand − reserved) of a product in a warehouse, as an order sees it."""
    organization = org_of(request, P.VIEW_SALES)
    product = get_scoped(Product, organization=organization, pk=params.product_id, field="product_id")
    warehouse = get_scoped(Warehouse, organization=organization, pk=params.warehouse_id, field="warehouse_id")
    found = order_selectors.availability(organization=organization, product=product, warehouse=warehouse)
    return {
        "product_id": product.pk,
        "warehouse_id": warehouse.pk,
        "on_hand": found.on_hand,
        "reserved": found.reserved,
        "available": found.available,
    }


@router.get(
    "/customers/{int:customer_id}/exposure", response={200: s.ExposureOut, **ERRORS}, operation_id="customer_exposure"
)
def exposure(request: HttpRequest, customer_id: int) -> Any:
    """What the customer owes (and how much of it is overdue) and has on order, against its credit limit."""
    organization = org_of(request, P.VIEW_RECEIVABLE)
    customer = get_scoped(Partner, organization=organization, pk=customer_id)
    if not customer.is_customer:  # a supplier only: like another organization's row, not found
        raise NotFound(_("Customer not found."))
    found = orders.customer_exposure(organization, customer)
    return {
        "customer_id": customer.pk,
        "credit_limit": found.limit,
        "receivable": found.receivable,
        "overdue": found.overdue,
        "on_order": found.on_order,
        "exposure": found.total,
        "available_credit": found.limit - found.total if found.limit else None,
    }
