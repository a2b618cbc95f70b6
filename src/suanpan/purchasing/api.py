"""REST endpoints of purchasing: orders (with their workflow actions), receipts, returns, purchase analysis."""

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router
from ninja.pagination import paginate
from ninja.responses import Status

from suanpan.core.api import ERRORS, Paging, filtered, org_of
from suanpan.core.exceptions import InvalidInput
from suanpan.core.permissions import P
from suanpan.purchasing import schemas as s
from suanpan.purchasing import selectors, services
from suanpan.purchasing.filters import OrderFilter, ReceiptFilter, ReturnFilter
from suanpan.purchasing.models import PurchaseOrder, PurchaseReturn, Receipt

router = Router(tags=["purchasing"])


def _order_data(payload: s.OrderIn) -> dict[str, Any]:
    data: dict[str, Any] = payload.dict()
    return data


@router.get("/purchase-orders", response={200: list[s.OrderOut], **ERRORS}, operation_id="purchase_orders_list")
@paginate(Paging)
def list_orders(request: HttpRequest, filters: Query[s.OrderQuery]) -> QuerySet[PurchaseOrder]:
    organization = org_of(request, P.VIEW_PURCHASE)
    return filtered(OrderFilter, request, selectors.order_list(organization=organization), filters)  # type: ignore[no-any-return]


@router.post("/purchase-orders", response={201: s.OrderOut, **ERRORS}, operation_id="purchase_orders_create")
def create_order(request: HttpRequest, payload: s.OrderIn) -> Any:
    organization = org_of(request, P.CHANGE_PURCHASE)
    order = services.purchase_order_create(organization=organization, actor=request.user, data=_order_data(payload))
    return Status(201, order)


@router.get("/purchase-orders/{int:order_id}", response={200: s.OrderOut, **ERRORS}, operation_id="purchase_orders_get")
def get_order(request: HttpRequest, order_id: int) -> PurchaseOrder:
    return selectors.order_get(organization=org_of(request, P.VIEW_PURCHASE), pk=order_id)


@router.put(
    "/purchase-orders/{int:order_id}", response={200: s.OrderOut, **ERRORS}, operation_id="purchase_orders_update"
)
def update_order(request: HttpRequest, order_id: int, payload: s.OrderIn) -> PurchaseOrder:
    organization = org_of(request, P.CHANGE_PURCHASE)
    return services.purchase_order_update(
        organization=organization, actor=request.user, order_id=order_id, data=_order_data(payload)
    )


ORDER_ACTIONS = {
    "approve": (P.APPROVE_PURCHASE, services.purchase_order_approve),
    "cancel": (P.CHANGE_PURCHASE, services.purchase_order_cancel),
    "close": (P.CHANGE_PURCHASE, services.purchase_order_close),
}


def _action(name: str) -> None:
    perm, service = ORDER_ACTIONS[name]

    def act(request: HttpRequest, order_id: int) -> PurchaseOrder:
        organization = org_of(request, perm)
        return service(organization=organization, actor=request.user, order_id=order_id)

    act.__name__ = f"{name}_order"
    router.post(
        f"/purchase-orders/{{int:order_id}}/{name}",
        response={200: s.OrderOut, **ERRORS},
        operation_id=f"purchase_orders_{name}",
    )(act)


for _name in ORDER_ACTIONS:
    _action(_name)


@router.get("/purchase-receipts", response={200: list[s.ReceiptOut], **ERRORS}, operation_id="purchase_receipts_list")
@paginate(Paging)
def list_receipts(request: HttpRequest, filters: Query[s.DocumentQuery]) -> QuerySet[Receipt]:
    organization = org_of(request, P.VIEW_PURCHASE)
    return filtered(ReceiptFilter, request, selectors.receipt_list(organization=organization), filters)  # type: ignore[no-any-return]


@router.post("/purchase-receipts", response={201: s.ReceiptOut, **ERRORS}, operation_id="purchase_receipts_create")
def create_receipt(request: HttpRequest, payload: s.ReceiptIn) -> Any:
    organization = org_of(request, P.RECEIVE_GOODS)
    receipt = services.receipt_post(
        organization=organization,
        actor=request.user,
        order_id=payload.order_id,
        date=payload.date,
        warehouse_id=payload.warehouse_id,
        invoice_number=payload.invoice_number,
        notes=payload.notes,
        lines=[line.dict() for line in payload.lines],
    )
    return Status(201, receipt)


@router.get(
    "/purchase-receipts/{int:receipt_id}", response={200: s.ReceiptOut, **ERRORS}, operation_id="purchase_receipts_get"
)
def get_receipt(request: HttpRequest, receipt_id: int) -> Receipt:
    return selectors.receipt_get(organization=org_of(request, P.VIEW_PURCHASE), pk=receipt_id)


@router.get("/purchase-returns", response={200: list[s.ReturnOut], **ERRORS}, operation_id="purchase_returns_list")
@paginate(Paging)
def list_returns(request: HttpRequest, filters: Query[s.DocumentQuery]) -> QuerySet[PurchaseReturn]:
    organization = org_of(request, P.VIEW_PURCHASE)
    return filtered(ReturnFilter, request, selectors.return_list(organization=organization), filters)  # type: ignore[no-any-return]


@router.post("/purchase-returns", response={201: s.ReturnOut, **ERRORS}, operation_id="purchase_returns_create")
def create_return(request: HttpRequest, payload: s.ReturnIn) -> Any:
    organization = org_of(request, P.RECEIVE_GOODS)
    document = services.purchase_return_post(
        organization=organization,
        actor=request.user,
        receipt_id=payload.receipt_id,
        date=payload.date,
        reason=payload.reason,
        lines=[line.dict() for line in payload.lines],
    )
    return Status(201, document)


@router.get(
    "/purchase-returns/{int:return_id}", response={200: s.ReturnOut, **ERRORS}, operation_id="purchase_returns_get"
)
def get_return(request: HttpRequest, return_id: int) -> PurchaseReturn:
    return selectors.return_get(organization=org_of(request, P.VIEW_PURCHASE), pk=return_id)


@router.get("/reports/purchase-analysis", response={200: s.AnalysisOut, **ERRORS}, operation_id="purchase_analysis")
def purchase_analysis(request: HttpRequest, params: Query[s.AnalysisQuery]) -> Any:
    organization = org_of(request, P.VIEW_PURCHASE)
    if params.date_to < params.date_from:
        raise InvalidInput.single("date_to", _("The end of the range comes before its start."))
    return selectors.purchase_analysis(
        organization=organization, date_from=params.date_from, date_to=params.date_to, by=params.by
    )
