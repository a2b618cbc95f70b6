"""REST endpoints of deliveries (with their logistics and the signed-for event) and sales returns."""

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Query, Router
from ninja.pagination import paginate
from ninja.responses import Status

from suanpan.core.api import ERRORS, Paging, filtered, org_of
from suanpan.core.permissions import P
from suanpan.sales import deliveries, returns
from suanpan.sales import schemas_deliveries as s
from suanpan.sales.delivery_filters import DeliveryFilter, SalesReturnFilter
from suanpan.sales.models import Delivery, SalesReturn

router = Router(tags=["sales"])


@router.get("/deliveries", response={200: list[s.DeliveryOut], **ERRORS}, operation_id="deliveries_list")
@paginate(Paging)
def list_deliveries(request: HttpRequest, filters: Query[s.DeliveryQuery]) -> QuerySet[Delivery]:
    organization = org_of(request, P.VIEW_SALES)
    return filtered(DeliveryFilter, request, deliveries.delivery_list(organization=organization), filters)  # type: ignore[no-any-return]


@router.post("/deliveries", response={201: s.DeliveryOut, **ERRORS}, operation_id="deliveries_create")
def create_delivery(request: HttpRequest, payload: s.DeliveryIn) -> Any:
    organization = org_of(request, P.DELIVER_GOODS)
    data: dict[str, Any] = payload.dict()
    delivery = deliveries.delivery_post(organization=organization, actor=request.user, data=data)
    return Status(201, delivery)


@router.get("/deliveries/{int:delivery_id}", response={200: s.DeliveryOut, **ERRORS}, operation_id="deliveries_get")
def get_delivery(request: HttpRequest, delivery_id: int) -> Delivery:
    return deliveries.delivery_get(organization=org_of(request, P.VIEW_SALES), pk=delivery_id)


@router.patch(
    "/deliveries/{int:delivery_id}", response={200: s.DeliveryOut, **ERRORS}, operation_id="deliveries_logistics"
)
def update_logistics(request: HttpRequest, delivery_id: int, payload: s.LogisticsIn) -> Delivery:
    """Carrier, tracking number, ship-to, shipped date: only the fields sent change."""
    organization = org_of(request, P.DELIVER_GOODS)
    return deliveries.delivery_update_logistics(
        organization=organization,
        actor=request.user,
        delivery_id=delivery_id,
        data=payload.model_dump(exclude_unset=True),
    )


@router.post(
    "/deliveries/{int:delivery_id}/mark-signed",
    response={200: s.DeliveryOut, **ERRORS},
    operation_id="deliveries_mark_signed",
)
def mark_signed(request: HttpRequest, delivery_id: int, payload: s.SignedIn) -> Delivery:
    """The customer signed for the goods on `date`: schedules the receivable reminder."""
    organization = org_of(request, P.DELIVER_GOODS)
    return deliveries.delivery_mark_signed(
        organization=organization, actor=request.user, delivery_id=delivery_id, date=payload.date
    )


@router.get("/sales-returns", response={200: list[s.ReturnOut], **ERRORS}, operation_id="sales_returns_list")
@paginate(Paging)
def list_returns(request: HttpRequest, filters: Query[s.ReturnQuery]) -> QuerySet[SalesReturn]:
    organization = org_of(request, P.VIEW_SALES)
    return filtered(SalesReturnFilter, request, returns.sales_return_list(organization=organization), filters)  # type: ignore[no-any-return]


@router.post("/sales-returns", response={201: s.ReturnOut, **ERRORS}, operation_id="sales_returns_create")
def create_return(request: HttpRequest, payload: s.ReturnIn) -> Any:
    organization = org_of(request, P.DELIVER_GOODS)
    data: dict[str, Any] = payload.dict()
    document = returns.sales_return_post(organization=organization, actor=request.user, data=data)
    return Status(201, document)


@router.get("/sales-returns/{int:return_id}", response={200: s.ReturnOut, **ERRORS}, operation_id="sales_returns_get")
def get_return(request: HttpRequest, return_id: int) -> SalesReturn:
    return returns.sales_return_get(organization=org_of(request, P.VIEW_SALES), pk=return_id)
