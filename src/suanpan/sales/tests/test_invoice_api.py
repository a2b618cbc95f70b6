"""The invoice API: post, read, filter, PDF, the 数电 number, the credit note of a return; errors name their fields;
and who may call each endpoint, role by role."""

from decimal import Decimal

import pytest

from suanpan.core.choices import Role
from suanpan.core.permissions import ROLE_PERMISSIONS, P
from suanpan.sales.choices import EInvoiceStatus, InvoiceKind
from suanpan.sales.models import Invoice

from .conftest import DAY
from .test_invoices import clean, confirmed_order, deliver, delivery_line, invoice, order_line, sales_return

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def delivered(org, customer, warehouse, make_product, stock):
    """Pens 10 × 20.00 ordered, 6 delivered; a service of 2 × 150.00 (6 %)."""
    pen, install = make_product("PEN"), make_product("SVC", rate="0.06", stocked=False)
    stock(pen, warehouse, "10", "8.00")
    so = confirmed_order(org, customer, warehouse, (pen, "10", "20.00"), (install, "2", "150.00"))
    return so, deliver(org, warehouse, (order_line(so, pen), "6")), pen, install


def test_post_read_and_filter_invoices(org, owner_api, customer, delivered):
    so, delivery, pen, install = delivered
    payload = {
        "date": DAY.isoformat(),
        "remarks": "API",
        "lines": [
            {"delivery_line_id": delivery_line(delivery, pen).pk, "quantity": "6"},
            {"order_line_id": order_line(so, install).pk, "quantity": "2"},
        ],
    }
    made = owner_api.post("/invoices", payload)
    assert made.status_code == 201, made.content
    body = made.json()
    # pens 120.00 + 15.60; installation 300.00 + 18.00
    assert (body["number"], body["kind"], body["invoice_type"]) == ("FP202611-0001", "invoice", "normal")
    assert (D(body["amount"]), D(body["tax"]), D(body["total"])) == (D("420.00"), D("33.60"), D("453.60"))
    assert body["due_date"] == "2026-12-05"
    assert [(line["description"], D(line["quantity"])) for line in body["lines"]] == [
        ("商品PEN", D("6")),
        ("商品SVC", D("2")),
    ]
    assert body["voucher_id"] is not None
    assert owner_api.get(f"/invoices/{body['id']}").json()["number"] == "FP202611-0001"
    assert [i["id"] for i in owner_api.get(f"/invoices?customer={customer.pk}").json()["items"]] == [body["id"]]
    assert owner_api.get("/invoices?kind=credit_note").json()["items"] == []
    assert owner_api.get("/invoices?einvoice_status=issued").json()["items"] == []
    assert owner_api.get("/invoices?kind=bogus").status_code == 422
    pdf = owner_api.get(f"/invoices/{body['id']}/pdf")
    assert (pdf.status_code, pdf["Content-Type"]) == (200, "application/pdf")
    assert pdf.content.startswith(b"%PDF-")

    recorded = owner_api.post(f"/invoices/{body['id']}/einvoice", {"einvoice_number": "26312000000135114086"})
    assert recorded.status_code == 200, recorded.content
    assert (recorded.json()["einvoice_number"], recorded.json()["einvoice_status"]) == (
        "26312000000135114086",
        EInvoiceStatus.ISSUED,
    )
    assert [i["id"] for i in owner_api.get("/invoices?einvoice_status=issued").json()["items"]] == [body["id"]]
    assert clean(org)


def test_errors_name_their_fields_and_write_nothing(org, owner_api, delivered):
    so, delivery, pen, _install = delivered
    pens = delivery_line(delivery, pen).pk
    cases = [
        ({"date": DAY.isoformat(), "lines": [{"delivery_line_id": pens, "quantity": "7"}]}, 422, "lines.0.quantity"),
        ({"date": DAY.isoformat(), "lines": [{"delivery_line_id": pens, "quantity": "0"}]}, 422, "lines.0.quantity"),
        (
            {"date": DAY.isoformat(), "lines": [{"delivery_line_id": pens, "quantity": "1.00001"}]},
            422,
            "lines.0.quantity",
        ),
        ({"date": DAY.isoformat(), "lines": [{"quantity": "1"}]}, 422, "lines.0.delivery_line_id"),
        (
            {"date": DAY.isoformat(), "lines": [{"order_line_id": order_line(so, pen).pk, "quantity": "1"}]},
            422,
            "lines.0.order_line_id",
        ),
        (
            {
                "date": DAY.isoformat(),
                "invoice_type": "special",
                "lines": [{"delivery_line_id": pens, "quantity": "1"}],
            },
            422,
            "invoice_type",
        ),
        ({"date": "2026-11-04", "lines": [{"delivery_line_id": pens, "quantity": "1"}]}, 422, "date"),
        ({"date": DAY.isoformat(), "lines": []}, 422, "lines"),
    ]
    for payload, status, field in cases:
        r = owner_api.post("/invoices", payload)
        assert r.status_code == status, (payload, r.content)
        assert field in [e["field"] for e in r.json()["errors"]], (payload, r.json())
    assert not Invoice.objects.exists()
    assert owner_api.get("/invoices/999999").status_code == 404
    made = invoice(org, (delivery_line(delivery, pen), "1"))
    bad = owner_api.post(f"/invoices/{made.pk}/einvoice", {"einvoice_number": "1234"})
    assert (bad.status_code, bad.json()["errors"][0]["field"]) == (422, "einvoice_number")


def test_credit_note_of_a_return(org, owner_api, delivered):
    _so, delivery, pen, _install = delivered
    blue = invoice(org, (delivery_line(delivery, pen), "6"))
    back = sales_return(org, delivery, (delivery_line(delivery, pen), "1"))
    made = owner_api.post(f"/sales-returns/{back.pk}/credit-note", {"date": DAY.isoformat()})
    assert made.status_code == 201, made.content
    body = made.json()
    assert (body["kind"], body["original_id"], body["sales_return_id"], D(body["total"])) == (
        InvoiceKind.CREDIT_NOTE,
        blue.pk,
        back.pk,
        D("-22.60"),
    )
    again = owner_api.post(f"/sales-returns/{back.pk}/credit-note", {"date": DAY.isoformat()})
    assert again.status_code == 409
    assert owner_api.post("/sales-returns/999999/credit-note", {"date": DAY.isoformat()}).status_code == 404
    assert owner_api.post(f"/sales-returns/{back.pk}/credit-note", {"date": "5"}).status_code == 422
    assert Invoice.objects.filter(kind=InvoiceKind.CREDIT_NOTE).count() == 1
    assert clean(org)


@pytest.mark.parametrize("role", list(Role.values))
def test_api_follows_the_roles(role, org, api_as, delivered):
    so, delivery, pen, install = delivered
    made = invoice(org, (delivery_line(delivery, pen), "2"))
    back = sales_return(org, delivery, (delivery_line(delivery, pen), "5"))  # 1 left, 2 invoiced: 1 to credit
    client = api_as(role)
    view, issue = (P.VIEW_SALES in ROLE_PERMISSIONS[role]), (P.INVOICE in ROLE_PERMISSIONS[role])
    assert client.get("/invoices").status_code == (200 if view else 403)
    assert client.get(f"/invoices/{made.pk}").status_code == (200 if view else 403)
    assert client.get(f"/invoices/{made.pk}/pdf").status_code == (200 if view else 403)
    recorded = client.post(f"/invoices/{made.pk}/einvoice", {"einvoice_number": "26312000000135114086"})
    assert recorded.status_code == (200 if issue else 403)
    credited = client.post(f"/sales-returns/{back.pk}/credit-note", {"date": DAY.isoformat()})
    assert credited.status_code == (201 if issue else 403), credited.content
    service = {"date": DAY.isoformat(), "lines": [{"order_line_id": order_line(so, install).pk, "quantity": "1"}]}
    assert client.post("/invoices", service).status_code == (201 if issue else 403)
    assert Invoice.objects.filter(kind=InvoiceKind.INVOICE).count() == 1 + issue
    assert Invoice.objects.filter(kind=InvoiceKind.CREDIT_NOTE).exists() == issue
