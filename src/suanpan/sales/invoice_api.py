"""REST endpoints of invoices and credit notes: list, post, get, PDF, the 数电发票 number recorded back, and the
credit note of a sales return."""

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from ninja import Query, Router
from ninja.pagination import paginate
from ninja.responses import Status

from suanpan.core.api import ERRORS, Paging, filtered, org_of
from suanpan.core.pdf import pdf_response
from suanpan.core.permissions import P
from suanpan.sales import invoicing
from suanpan.sales import schemas_invoices as s
from suanpan.sales.invoice_filters import InvoiceFilter
from suanpan.sales.models import Invoice

router = Router(tags=["sales"])

PDF_RESPONSE = {
    "responses": {
        200: {
            "description": "The invoice in the 数电发票 layout (PDF), a copy: the legal invoice is the platform's.",
            "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
        }
    }
}


@router.get("/invoices", response={200: list[s.InvoiceOut], **ERRORS}, operation_id="invoices_list")
@paginate(Paging)
def list_invoices(request: HttpRequest, filters: Query[s.InvoiceQuery]) -> QuerySet[Invoice]:
    organization = org_of(request, P.VIEW_SALES)
    return filtered(InvoiceFilter, request, invoicing.invoice_list(organization=organization), filters)  # type: ignore[no-any-return]


@router.post("/invoices", response={201: s.InvoiceOut, **ERRORS}, operation_id="invoices_create")
def create_invoice(request: HttpRequest, payload: s.InvoiceIn) -> Any:
    """Invoice delivered goods (delivery lines) and ordered services (order lines) of one customer: posts the
    revenue, the output VAT and the receivable."""
    organization = org_of(request, P.INVOICE)
    data: dict[str, Any] = payload.dict()
    data["lines"] = [{k: v for k, v in line.items() if v is not None} for line in data["lines"]]
    invoice = invoicing.invoice_post(organization=organization, actor=request.user, data=data)
    return Status(201, invoice)


@router.get("/invoices/{int:invoice_id}", response={200: s.InvoiceOut, **ERRORS}, operation_id="invoices_get")
def get_invoice(request: HttpRequest, invoice_id: int) -> Invoice:
    return invoicing.invoice_get(organization=org_of(request, P.VIEW_SALES), pk=invoice_id)


@router.get("/invoices/{int:invoice_id}/pdf", response=ERRORS, operation_id="invoices_pdf", openapi_extra=PDF_RESPONSE)
def invoice_pdf(request: HttpRequest, invoice_id: int) -> HttpResponse:
    context = invoicing.invoice_print(organization=org_of(request, P.VIEW_SALES), pk=invoice_id)
    return pdf_response("sales/invoice_pdf.html", context, f"{context['invoice'].number}.pdf", request)


@router.post(
    "/invoices/{int:invoice_id}/einvoice", response={200: s.InvoiceOut, **ERRORS}, operation_id="invoices_einvoice"
)
def record_einvoice(request: HttpRequest, invoice_id: int, payload: s.EInvoiceIn) -> Invoice:
    """Record the 20-digit number the tax bureau's platform gave the 数电发票: the invoice becomes issued."""
    organization = org_of(request, P.INVOICE)
    return invoicing.invoice_record_einvoice(
        organization=organization,
        actor=request.user,
        invoice_id=invoice_id,
        einvoice_number=payload.einvoice_number,
        red_confirmation_number=payload.red_confirmation_number,
    )


@router.post(
    "/sales-returns/{int:return_id}/credit-note",
    response={201: s.InvoiceOut, **ERRORS},
    operation_id="sales_returns_credit_note",
)
def credit_note(request: HttpRequest, return_id: int, payload: s.CreditNoteIn) -> Any:
    """The red invoice of a return: the returned goods that had been invoiced, at the invoiced prices."""
    organization = org_of(request, P.INVOICE)
    credit = invoicing.credit_note_for_return(
        organization=organization, actor=request.user, return_id=return_id, date=payload.date
    )
    return Status(201, credit)
