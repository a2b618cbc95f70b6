"""The pages: order form → approve → receive (with a lot) → return → analysis; payables, payment, aging; Excel."""

import datetime
from decimal import Decimal

import pytest
from tests.resources import xlsx_rows

from suanpan.accounting.models import Account
from suanpan.finance.models import Payment
from suanpan.purchasing.models import PurchaseOrder, PurchaseReturn, Receipt

from .conftest import DAY

pytestmark = pytest.mark.django_db
D = Decimal


def test_purchase_pages_end_to_end(org, owner_client, supplier, warehouse, make_product):
    ink, pen = make_product("INK", batch=True), make_product("PEN")
    c = owner_client
    assert c.get("/purchasing/orders/").status_code == 200
    assert c.get("/purchasing/orders/new/").status_code == 200
    form = {
        "supplier_id": supplier.pk,
        "warehouse_id": warehouse.pk,
        "date": DAY.isoformat(),
        "line_count": "3",
        "lines-0-product": ink.pk,
        "lines-0-quantity": "10",
        "lines-0-unit_price": "12.5",
        "lines-1-product": pen.pk,
        "lines-1-quantity": "1.23456",  # too many decimals
        "lines-1-unit_price": "2",
    }
    r = c.post("/purchasing/orders/new/", form)
    assert r.status_code == 422
    assert "最多 4 位小数。" in r.content.decode()  # zh-Hans is the default
    assert not PurchaseOrder.objects.exists()
    form["lines-1-quantity"] = "4"
    r = c.post("/purchasing/orders/new/", form)
    assert r.status_code == 302
    order = PurchaseOrder.objects.get()
    assert order.total == D("150.29")  # 125.00 + 16.25 + 8.00 + 1.04
    assert c.get(f"/purchasing/orders/{order.pk}/").status_code == 200
    assert c.get(f"/purchasing/orders/{order.pk}/edit/").status_code == 200
    assert c.post(f"/purchasing/orders/{order.pk}/approve/").status_code == 302
    order.refresh_from_db()
    assert order.status == "approved"
    ink_line, pen_line = order.lines.order_by("seq")
    assert c.get(f"/purchasing/orders/{order.pk}/receive/").status_code == 200
    receive = {
        "date": DAY.isoformat(),
        "warehouse_id": warehouse.pk,
        "line_count": "2",
        "lines-0-order_line_id": ink_line.pk,
        "lines-0-quantity": "10",
        "lines-0-lot_number": "",
        "lines-1-order_line_id": pen_line.pk,
        "lines-1-quantity": "4",
    }
    r = c.post(f"/purchasing/orders/{order.pk}/receive/", receive)
    assert r.status_code == 422
    assert "batch-tracked: give the lot number" in r.content.decode() or "批次" in r.content.decode()
    receive["lines-0-lot_number"] = "L9"
    receive["lines-0-production_date"] = "2026-10-01"
    receive["lines-0-expiry_date"] = "2026-09-01"
    r = c.post(f"/purchasing/orders/{order.pk}/receive/", receive)
    assert r.status_code == 422
    assert not Receipt.objects.exists()
    receive["lines-0-expiry_date"] = "2027-10-01"
    r = c.post(f"/purchasing/orders/{order.pk}/receive/", receive)
    assert r.status_code == 302, r.content.decode()[:3000]
    receipt = Receipt.objects.get()
    assert receipt.total == order.total
    assert c.get(f"/purchasing/receipts/{receipt.pk}/").status_code == 200
    assert c.get("/purchasing/receipts/").status_code == 200
    assert c.get(f"/purchasing/receipts/{receipt.pk}/return/").status_code == 200
    line = receipt.lines.get(product=ink)
    r = c.post(
        f"/purchasing/receipts/{receipt.pk}/return/",
        {"date": DAY.isoformat(), "line_count": "1", "lines-0-receipt_line_id": line.pk, "lines-0-quantity": "11"},
    )
    assert r.status_code == 422
    r = c.post(
        f"/purchasing/receipts/{receipt.pk}/return/",
        {"date": DAY.isoformat(), "line_count": "1", "lines-0-receipt_line_id": line.pk, "lines-0-quantity": "2"},
    )
    assert r.status_code == 302
    document = PurchaseReturn.objects.get()
    assert document.total == D("28.25")
    assert c.get(f"/purchasing/returns/{document.pk}/").status_code == 200
    assert c.get("/purchasing/returns/").status_code == 200
    r = c.get("/purchasing/analysis/", {"date_from": "2026-11-01", "date_to": "2026-11-30", "by": "product"})
    assert r.status_code == 200
    rows = xlsx_rows(
        c.get("/purchasing/analysis/", {"date_from": "2026-11-01", "date_to": "2026-11-30", "export": "xlsx"}).content
    )
    assert rows[1][:2] == (supplier.code, supplier.name)
    assert rows[1][3] == 133.0 or D(str(rows[1][3])) == D("133.00")
    assert xlsx_rows(c.get("/purchasing/orders/", {"export": "xlsx"}).content)[1][0] == order.number

    # Payables and payments
    assert c.get("/finance/payables/").status_code == 200
    assert c.get("/finance/payables/", {"supplier": supplier.pk, "all": "1"}).status_code == 200
    assert c.get("/finance/payments/new/", {"supplier": supplier.pk}).status_code == 200
    bank = Account.objects.get(organization=org, code="1002")
    pay = {
        "partner_id": supplier.pk,
        "date": (DAY + datetime.timedelta(days=1)).isoformat(),
        "account_id": bank.pk,
        "amount": "500.00",
        "cash_flow_item": "3",
    }
    r = c.post("/finance/payments/new/", pay)
    assert r.status_code == 422
    assert not Payment.objects.exists()
    pay["allow_advance"] = "on"
    assert c.post("/finance/payments/new/", pay).status_code == 302
    payment = Payment.objects.get()
    assert (payment.amount, payment.advance) == (D("500.00"), D("500.00") - D("122.04"))
    assert c.get(f"/finance/payments/{payment.pk}/").status_code == 200
    assert c.get("/finance/payments/").status_code == 200
    assert c.get("/finance/payables/aging/", {"buckets": "15,45"}).status_code == 200
    assert c.get("/finance/payables/aging/", {"buckets": "x"}).status_code == 200
    assert xlsx_rows(c.get("/finance/payables/aging/", {"export": "xlsx"}).content)[0][0]
