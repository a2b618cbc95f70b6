"""The purchasing API: the flow through JSON, errors in the project's shape naming the payload's fields, another
organization's documents are 404 and change nothing."""

import pytest
from django.utils import timezone
from tests import purchasing_resources as pr
from tests.resources import org_state

from suanpan.purchasing.models import PurchaseOrder, Receipt

pytestmark = pytest.mark.django_db


def test_order_receive_return_and_analysis(org, owner_api):
    r = owner_api.post("/purchase-orders", pr.order_payload(org))
    assert r.status_code == 201, r.content
    order = r.json()
    assert (order["status"], order["number"], order["total"]) == ("draft", "", "96.05")  # 85.00 + 11.05
    r = owner_api.post(f"/purchase-orders/{order['id']}/approve", {})
    assert (r.status_code, r.json()["status"]) == (200, "approved")
    line_id = r.json()["lines"][0]["id"]
    today = timezone.localdate().isoformat()
    over = {"order_id": order["id"], "date": today, "lines": [{"order_line_id": line_id, "quantity": "11"}]}
    r = owner_api.post("/purchase-receipts", over)
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "lines.0.quantity"
    assert "拒绝超额入库" in r.json()["detail"]  # zh-Hans is the default
    r = owner_api.post("/purchase-receipts", {**over, "lines": [{"order_line_id": line_id, "quantity": "1.00001"}]})
    assert r.status_code == 422
    r = owner_api.post("/purchase-receipts", {**over, "lines": [{"order_line_id": line_id, "quantity": "6"}]})
    assert r.status_code == 201, r.content
    receipt = r.json()
    assert (receipt["total"], receipt["number"]) == ("57.63", f"GR{today[:4]}{today[5:7]}-0001")
    r = owner_api.post(
        "/purchase-returns",
        {
            "receipt_id": receipt["id"],
            "date": today,
            "lines": [{"receipt_line_id": receipt["lines"][0]["id"], "quantity": "2"}],
        },
    )
    assert r.status_code == 201, r.content
    assert r.json()["total"] == "19.21"  # 2/6 of 51.00 = 17.00, VAT 2/6 of 6.63 = 2.21
    assert owner_api.get("/purchase-orders", {"status": "partially_received"}).json()["count"] == 1
    assert owner_api.get("/purchase-receipts", {"supplier": receipt["supplier_id"]}).json()["count"] == 1
    r = owner_api.get("/reports/purchase-analysis", {"date_from": today, "date_to": today, "by": "product"})
    assert [(row["quantity"], row["amount"], row["net_amount"]) for row in r.json()["rows"]] == [
        ("4.0000", "51.00", "34.00")
    ]
    assert owner_api.post(f"/purchase-orders/{order['id']}/close", {}).json()["status"] == "closed"


def test_another_organizations_documents(org, other_org, owner_api):
    theirs = pr.make_order(other_org, "approved")
    before = org_state(other_org)
    line = theirs.lines.get()
    today = timezone.localdate().isoformat()
    r = owner_api.post(
        "/purchase-receipts",
        {"order_id": theirs.pk, "date": today, "lines": [{"order_line_id": line.pk, "quantity": "1"}]},
    )
    assert r.status_code == 404
    assert r.json()["detail"]
    r = owner_api.post("/purchase-orders", {**pr.order_payload(org), "supplier_id": pr._supplier(other_org).pk})
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "supplier_id"
    assert org_state(other_org) == before
    assert not PurchaseOrder.objects.filter(organization=org).exists()
    assert not Receipt.objects.exists()
