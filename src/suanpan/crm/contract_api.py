"""REST endpoints of contracts: entry, the state actions, attachments (multipart upload, download, delete), linked
orders and the receivable progress. Thin: parse, call one service or selector; the same services as the pages."""

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.utils.translation import gettext as _
from ninja import File, Query, Router
from ninja.files import UploadedFile
from ninja.pagination import paginate
from ninja.responses import Status

from suanpan.core.api import ERRORS, Paging, filtered, org_of
from suanpan.core.exceptions import NotFound
from suanpan.core.permissions import P
from suanpan.crm import contract_schemas as s
from suanpan.crm import contracts
from suanpan.crm.contract_filters import ContractFilter
from suanpan.crm.contract_views import attachment_response
from suanpan.crm.models import Contract, ContractAttachment

router = Router(tags=["crm"])

FILE_RESPONSE = {
    "responses": {
        200: {
            "description": "The attached file, as a download.",
            "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}},
        }
    }
}


def _data(payload: s.ContractIn) -> dict[str, Any]:
    data: dict[str, Any] = payload.dict()
    if data.get("owner_id") is None:
        data.pop("owner_id", None)
    return data


@router.get("/contracts", response={200: list[s.ContractOut], **ERRORS}, operation_id="contracts_list")
@paginate(Paging)
def list_contracts(request: HttpRequest, filters: Query[s.ContractQuery]) -> QuerySet[Contract]:
    organization = org_of(request, P.VIEW_CRM)
    qs = contracts.contract_list(organization=organization, actor=request.user)
    return filtered(ContractFilter, request, qs, filters)  # type: ignore[no-any-return]


@router.post("/contracts", response={201: s.ContractOut, **ERRORS}, operation_id="contracts_create")
def create_contract(request: HttpRequest, payload: s.ContractIn) -> Any:
    organization = org_of(request, P.CHANGE_CRM)
    contract = contracts.contract_create(organization=organization, actor=request.user, data=_data(payload))
    return Status(201, contract)


@router.get("/contracts/{int:contract_id}", response={200: s.ContractOut, **ERRORS}, operation_id="contracts_get")
def get_contract(request: HttpRequest, contract_id: int) -> Contract:
    organization = org_of(request, P.VIEW_CRM)
    return contracts.contract_get(organization=organization, actor=request.user, pk=contract_id)


@router.put("/contracts/{int:contract_id}", response={200: s.ContractOut, **ERRORS}, operation_id="contracts_update")
def update_contract(request: HttpRequest, contract_id: int, payload: s.ContractIn) -> Contract:
    organization = org_of(request, P.CHANGE_CRM)
    return contracts.contract_update(
        organization=organization, actor=request.user, contract_id=contract_id, data=_data(payload)
    )


@router.post(
    "/contracts/{int:contract_id}/activate", response={200: s.ContractOut, **ERRORS}, operation_id="contracts_activate"
)
def activate_contract(request: HttpRequest, contract_id: int) -> Contract:
    """Draft → in force; refused (409, field `milestones`) unless the payment plan adds up to the amount."""
    organization = org_of(request, P.CHANGE_CRM)
    return contracts.contract_activate(organization=organization, actor=request.user, contract_id=contract_id)


@router.post(
    "/contracts/{int:contract_id}/complete", response={200: s.ContractOut, **ERRORS}, operation_id="contracts_complete"
)
def complete_contract(request: HttpRequest, contract_id: int) -> Contract:
    organization = org_of(request, P.CHANGE_CRM)
    return contracts.contract_complete(organization=organization, actor=request.user, contract_id=contract_id)


@router.post(
    "/contracts/{int:contract_id}/terminate",
    response={200: s.ContractOut, **ERRORS},
    operation_id="contracts_terminate",
)
def terminate_contract(request: HttpRequest, contract_id: int, payload: s.TerminateIn | None = None) -> Contract:
    organization = org_of(request, P.CHANGE_CRM)
    reason = payload.reason if payload is not None else ""
    return contracts.contract_terminate(
        organization=organization, actor=request.user, contract_id=contract_id, reason=reason
    )


# Attachments -----------------------------------------------------------------------------------------------------


@router.post(
    "/contracts/{int:contract_id}/attachments",
    response={201: s.AttachmentOut, **ERRORS},
    operation_id="contracts_attachment_add",
)
def add_attachment(
    request: HttpRequest,
    contract_id: int,
    file: File[UploadedFile | None] = None,
) -> Any:
    """Upload one file (multipart field `file`): PDF, JPEG, PNG, Word or Excel, at most 10 MB."""
    organization = org_of(request, P.CHANGE_CRM)
    attachment = contracts.contract_attachment_add(
        organization=organization, actor=request.user, contract_id=contract_id, upload=file
    )
    return Status(201, attachment)


@router.get(
    "/contracts/{int:contract_id}/attachments/{int:attachment_id}",
    response=ERRORS,
    operation_id="contracts_attachment_get",
    openapi_extra=FILE_RESPONSE,
)
def download_attachment(request: HttpRequest, contract_id: int, attachment_id: int) -> HttpResponseBase:
    organization = org_of(request, P.VIEW_CRM)
    attachment: ContractAttachment = contracts.attachment_get(
        organization=organization, actor=request.user, contract_id=contract_id, attachment_id=attachment_id
    )
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        raise NotFound(_("The file is missing from the storage.")) from None
    return attachment_response(handle, attachment.name)


@router.delete(
    "/contracts/{int:contract_id}/attachments/{int:attachment_id}",
    response={204: None, **ERRORS},
    operation_id="contracts_attachment_delete",
)
def delete_attachment(request: HttpRequest, contract_id: int, attachment_id: int) -> Any:
    organization = org_of(request, P.CHANGE_CRM)
    contracts.contract_attachment_delete(
        organization=organization, actor=request.user, contract_id=contract_id, attachment_id=attachment_id
    )
    return Status(204, None)


# Linked orders and progress ------------------------------------------------------------------------------------------


@router.post(
    "/contracts/{int:contract_id}/orders", response={200: s.ContractOut, **ERRORS}, operation_id="contracts_order_link"
)
def link_order(request: HttpRequest, contract_id: int, payload: s.OrderLinkIn) -> Contract:
    """Link a sales order of the same customer that is in no other contract."""
    organization = org_of(request, P.CHANGE_CRM)
    return contracts.contract_order_link(
        organization=organization, actor=request.user, contract_id=contract_id, order_id=payload.order_id
    )


@router.delete(
    "/contracts/{int:contract_id}/orders/{int:order_id}",
    response={200: s.ContractOut, **ERRORS},
    operation_id="contracts_order_unlink",
)
def unlink_order(request: HttpRequest, contract_id: int, order_id: int) -> Contract:
    organization = org_of(request, P.CHANGE_CRM)
    return contracts.contract_order_unlink(
        organization=organization, actor=request.user, contract_id=contract_id, order_id=order_id
    )


@router.get(
    "/contracts/{int:contract_id}/progress", response={200: s.ProgressOut, **ERRORS}, operation_id="contracts_progress"
)
def contract_progress(request: HttpRequest, contract_id: int) -> dict[str, Any]:
    """Receivable progress against the payment plan: per milestone the plan due up to its date and what was
    invoiced and received on the linked orders by then."""
    organization = org_of(request, P.VIEW_CRM)
    contract = contracts.contract_get(organization=organization, actor=request.user, pk=contract_id)
    found = contracts.contract_progress(organization=organization, contract=contract)
    return {
        "contract_id": contract.pk,
        "today": found.today,
        "amount": found.amount,
        "planned": found.planned,
        "due": found.due,
        "invoiced": found.invoiced,
        "received": found.received,
        "overdue": found.overdue,
        "received_percent": found.received_percent,
        "milestones": [
            {
                "milestone_id": row.milestone.pk,
                "seq": row.milestone.seq,
                "name": row.milestone.name,
                "due_on": row.milestone.due_on,
                "amount": row.milestone.amount,
                "due": row.due,
                "invoiced": row.invoiced,
                "received": row.received,
                "paid": row.paid,
                "overdue": row.overdue,
            }
            for row in found.milestones
        ],
    }
