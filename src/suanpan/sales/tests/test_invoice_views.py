"""Invoice pages: the list and its filters, the new-invoice form from a customer's (or a delivery's) lines, the
invoice with its voucher, open amount and credit notes, recording the 数电 number, the PDF, the credit-note form;
and who may open each page, role by role."""

import subprocess
from decimal import Decimal

import pytest

from suanpan.core.choices import Role
from suanpan.core.permissions import ROLE_PERMISSIONS, P
from suanpan.sales import invoicing
from suanpan.sales.choices import EInvoiceStatus, InvoiceKind
from suanpan.sales.models import Invoice

from .conftest import DAY
from .test_invoices import clean, confirmed_order, deliver, delivery_line, invoice, order_line, sales_return

pytestmark = pytest.mark.django_db
D = Decimal


def pdf_text(content: bytes) -> str:
    assert content.startswith(b"%PDF-"), content[:200]
    done = subprocess.run(["pdftotext", "-layout", "-", "-"], input=content, capture_output=True, check=True)  # noqa: S607
    return done.stdout.decode()


@pytest.fixture
def delivered(org, customer, warehouse, make_product, stock):
    """Pens 10 × 20.00 ordered and delivered in two deliveries (6, then 4); a service of 2 × 150.00 (6 %)."""
    pen, install = make_product("PEN"), make_product("SVC", rate="0.06", stocked=False)
    stock(pen, warehouse, "10", "8.00")
    so = confirmed_order(org, customer, warehouse, (pen, "10", "20.00"), (install, "2", "150.00"))
    first = deliver(org, warehouse, (order_line(so, pen), "6"))
    second = deliver(org, warehouse, (order_line(so, pen), "4"))
    return so, first, second, pen, install


def test_new_invoice_from_a_customers_lines(org, owner_client, customer, delivered):
    so, first, second, pen, install = delivered
    page = owner_client.get(f"/sales/invoices/new/?customer={customer.pk}")
    assert page.status_code == 200
    html = page.content.decode()
    # both deliveries' pen lines and the service, each filled with what is left to invoice
    assert html.count('name="lines-') == 6
    assert f'value="d{delivery_line(first, pen).pk}"' in html
    assert f'value="o{order_line(so, install).pk}"' in html
    assert 'name="lines-0-quantity" value="6"' in html
    assert 'name="lines-2-quantity" value="2"' in html

    form = {
        "customer": customer.pk,
        "date": DAY.isoformat(),
        "invoice_type": "normal",
        "remarks": "十一月货款",
        "line_count": "3",
        "lines-0-source": f"d{delivery_line(first, pen).pk}",
        "lines-0-quantity": "6",
        "lines-1-source": f"d{delivery_line(second, pen).pk}",
        "lines-1-quantity": "",
        "lines-2-source": f"o{order_line(so, install).pk}",
        "lines-2-quantity": "1",
    }
    made = owner_client.post("/sales/invoices/new/", form)
    assert made.status_code == 302
    invoice = Invoice.objects.get()
    assert made["Location"] == f"/sales/invoices/{invoice.pk}/"
    # pens 6 × 20.00 = 120.00 + 15.60; installation 150.00 + 9.00
    assert (invoice.amount, invoice.tax, invoice.total, invoice.remarks) == (
        D("270.00"),
        D("24.60"),
        D("294.60"),
        "十一月货款",
    )
    assert clean(org)


def test_new_invoice_from_a_delivery_fills_only_its_lines(owner_client, delivered):
    _so, _first, second, _pen, _install = delivered
    html = owner_client.get(f"/sales/invoices/new/?delivery={second.pk}").content.decode()
    assert 'name="lines-0-quantity" value=""' in html  # the first delivery's line, left blank
    assert 'name="lines-1-quantity" value="4"' in html
    assert 'name="lines-2-quantity" value=""' in html  # the service


def test_a_refused_invoice_shows_the_errors_beside_the_lines(owner_client, customer, delivered):
    _so, first, _second, pen, _install = delivered
    form = {
        "customer": customer.pk,
        "date": DAY.isoformat(),
        "invoice_type": "special",
        "line_count": "1",
        "lines-0-source": f"d{delivery_line(first, pen).pk}",
        "lines-0-quantity": "7",
    }
    refused = owner_client.post("/sales/invoices/new/", form)
    assert refused.status_code == 422
    html = refused.content.decode()
    assert 'id="form-errors"' in html
    assert html.count("invalid-feedback d-block") == 1  # the quantity, beside its line
    assert 'name="lines-0-quantity" value="7"' in html  # what was typed stays
    assert not Invoice.objects.exists()
    nothing = owner_client.post("/sales/invoices/new/", {**form, "lines-0-quantity": ""})
    assert nothing.status_code == 422
    assert not Invoice.objects.exists()


def test_list_detail_einvoice_and_pdf(org, owner, owner_client, customer, delivered):
    _so, first, _second, pen, _install = delivered
    customer.credit_code = "91110108MA01ABCD1E"
    customer.save()
    made = invoice(org, (delivery_line(first, pen), "6"), actor=owner, invoice_type="special")
    listed = owner_client.get("/sales/invoices/")
    assert listed.status_code == 200
    assert made.number in listed.content.decode()
    for query, shown in (
        (f"customer={customer.pk}", True),
        ("kind=credit_note", False),
        ("einvoice_status=issued", False),
        ("einvoice_status=not_issued", True),
        ("invoice_type=special", True),
        (f"q={made.number}", True),
    ):
        page = owner_client.get(f"/sales/invoices/?{query}")
        assert (made.number in page.content.decode()) == shown, query

    detail = owner_client.get(f"/sales/invoices/{made.pk}/")
    assert detail.status_code == 200
    html = detail.content.decode()
    assert f'href="/accounting/vouchers/{made.voucher_id}/"' in html
    assert '<dd id="open-amount">135.60</dd>' in html
    assert 'id="einvoice-form"' in html

    bad = owner_client.post(f"/sales/invoices/{made.pk}/einvoice/", {"einvoice_number": "123"})
    assert bad.status_code == 302
    made.refresh_from_db()
    assert made.einvoice_status == EInvoiceStatus.NOT_ISSUED
    good = owner_client.post(f"/sales/invoices/{made.pk}/einvoice/", {"einvoice_number": "26312000000135114086"})
    assert good.status_code == 302
    made.refresh_from_db()
    assert (made.einvoice_number, made.einvoice_status) == ("26312000000135114086", EInvoiceStatus.ISSUED)
    assert 'id="einvoice-form"' not in owner_client.get(f"/sales/invoices/{made.pk}/").content.decode()

    pdf = owner_client.get(f"/sales/invoices/{made.pk}/pdf/")
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    text = pdf_text(pdf.content)
    assert "电子发票（增值税专用发票）" in text
    assert "26312000000135114086" in text
    assert "北京星河科技有限公司" in text
    assert "91110108MA01ABCD1E" in text
    assert "壹佰叁拾伍元陆角" in text  # 135.60
    assert "135.60" in text


def test_credit_note_page_from_a_return(org, owner, owner_client, customer, delivered):
    _so, first, _second, pen, _install = delivered
    blue = invoice(org, (delivery_line(first, pen), "6"))
    back = sales_return(org, first, (delivery_line(first, pen), "2"))
    page = owner_client.get(f"/sales/credit-notes/new/?return={back.pk}")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="credit-lines"' in html
    assert '<th class="sp-num text-danger" id="credit-total">-45.20</th>' in html  # 2 × 20.00 + 13 %
    posted = owner_client.post("/sales/credit-notes/new/", {"return": back.pk, "date": DAY.isoformat()})
    assert posted.status_code == 302
    red = Invoice.objects.get(kind=InvoiceKind.CREDIT_NOTE)
    assert posted["Location"] == f"/sales/invoices/{red.pk}/"
    assert (red.original_id, red.total) == (blue.pk, D("-45.20"))
    again = owner_client.get(f"/sales/credit-notes/new/?return={back.pk}").content.decode()
    assert 'id="credit-exists"' in again
    refused = owner_client.post("/sales/credit-notes/new/", {"return": back.pk, "date": DAY.isoformat()})
    assert refused.status_code == 422
    assert Invoice.objects.filter(kind=InvoiceKind.CREDIT_NOTE).count() == 1
    # the blue invoice lists its credit note; the red one links back and prints in red ink
    assert f'href="/sales/invoices/{red.pk}/"' in owner_client.get(f"/sales/invoices/{blue.pk}/").content.decode()
    assert 'id="original-link"' in owner_client.get(f"/sales/invoices/{red.pk}/").content.decode()
    text = pdf_text(owner_client.get(f"/sales/invoices/{red.pk}/pdf/").content)
    assert "红字发票" in text
    assert "（负数）肆拾伍元贰角" in text
    assert blue.number in text
    assert clean(org)


def test_credit_note_page_for_a_return_of_goods_not_invoiced(org, owner_client, delivered):
    _so, first, _second, pen, _install = delivered
    back = sales_return(org, first, (delivery_line(first, pen), "2"))
    html = owner_client.get(f"/sales/credit-notes/new/?return={back.pk}").content.decode()
    assert 'id="nothing-to-credit"' in html
    assert 'id="credit-form"' not in html
    assert owner_client.get("/sales/credit-notes/new/?return=999999").status_code == 200
    assert (
        owner_client.post("/sales/credit-notes/new/", {"return": "999999", "date": DAY.isoformat()}).status_code == 422
    )


@pytest.mark.parametrize("role", list(Role.values))
def test_pages_follow_the_roles(role, org, client_as, customer, delivered):
    _so, first, _second, pen, _install = delivered
    made = invoice(org, (delivery_line(first, pen), "6"))
    back = sales_return(org, first, (delivery_line(first, pen), "1"))
    client = client_as(role)
    view, issue = (P.VIEW_SALES in ROLE_PERMISSIONS[role]), (P.INVOICE in ROLE_PERMISSIONS[role])
    for page in ("/sales/invoices/", f"/sales/invoices/{made.pk}/", f"/sales/invoices/{made.pk}/pdf/"):
        assert client.get(page).status_code == (200 if view else 403), page
    for page in (f"/sales/invoices/new/?customer={customer.pk}", f"/sales/credit-notes/new/?return={back.pk}"):
        assert client.get(page).status_code == (200 if issue else 403), page
    recorded = client.post(f"/sales/invoices/{made.pk}/einvoice/", {"einvoice_number": "26312000000135114086"})
    assert recorded.status_code == (302 if issue else 403)
    credited = client.post("/sales/credit-notes/new/", {"return": back.pk, "date": DAY.isoformat()})
    assert credited.status_code == (302 if issue else 403)
    made.refresh_from_db()
    assert (made.einvoice_status == EInvoiceStatus.ISSUED) == issue
    assert Invoice.objects.filter(kind=InvoiceKind.CREDIT_NOTE).exists() == issue
    assert invoicing.invoice_open_amount(made) == D("135.60")
