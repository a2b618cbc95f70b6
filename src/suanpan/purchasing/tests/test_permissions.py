"""Who may do what in purchasing and payables: every page and endpoint, role by role, against the matrix."""

import pytest
from django.utils import timezone
from tests import purchasing_resources as pr

from suanpan.core.choices import Role
from suanpan.core.permissions import ROLE_PERMISSIONS, P
from suanpan.finance.models import Payment
from suanpan.purchasing.models import PurchaseOrder, PurchaseReturn, Receipt

pytestmark = pytest.mark.django_db
ROLES = list(Role.values)


def status(allowed: bool, ok: int) -> int:
    return ok if allowed else 403


def grants(role: str, perm: str) -> bool:
    return perm in ROLE_PERMISSIONS[role]


def test_business_expectations():
    """Buyers order, a manager (owner/admin) approves, the warehouse receives and returns, finance pays."""
    assert grants(Role.PURCHASING, P.CHANGE_PURCHASE)
    assert not grants(Role.PURCHASING, P.APPROVE_PURCHASE)
    assert not grants(Role.PURCHASING, P.RECEIVE_GOODS)
    assert not grants(Role.PURCHASING, P.PAY)
    assert grants(Role.WAREHOUSE, P.RECEIVE_GOODS)
    assert not grants(Role.WAREHOUSE, P.CHANGE_PURCHASE)
    assert grants(Role.FINANCE, P.PAY)
    assert grants(Role.FINANCE, P.VIEW_PAYABLE)
    assert not grants(Role.FINANCE, P.APPROVE_PURCHASE)
    for role in (Role.SALES, Role.SERVICE, Role.MARKETING):
        # of finance, a sales rep sees only what customers owe (receivables), never payables or payments
        finance = {p for p in ROLE_PERMISSIONS[role] if p.startswith(("purchasing.", "finance."))}
        assert finance <= {P.VIEW_RECEIVABLE}, role
    for role in (Role.OWNER, Role.ADMIN):
        assert {P.APPROVE_PURCHASE, P.RECEIVE_GOODS, P.PAY} <= ROLE_PERMISSIONS[role]


@pytest.mark.parametrize("role", ROLES)
def test_api_follows_the_roles(role, org, api_as):
    client = api_as(role)
    draft, approved, receipt = pr.make_order(org), pr.make_order(org, "approved"), pr.make_receipt(org)
    can = {
        perm: grants(role, perm)
        for perm in (P.VIEW_PURCHASE, P.CHANGE_PURCHASE, P.APPROVE_PURCHASE, P.RECEIVE_GOODS, P.VIEW_PAYABLE, P.PAY)
    }
    today = timezone.localdate().isoformat()
    assert client.get("/purchase-orders").status_code == status(can[P.VIEW_PURCHASE], 200)
    assert client.get(f"/purchase-orders/{draft.pk}").status_code == status(can[P.VIEW_PURCHASE], 200)
    assert client.get("/purchase-receipts").status_code == status(can[P.VIEW_PURCHASE], 200)
    assert client.get(f"/purchase-receipts/{receipt.pk}").status_code == status(can[P.VIEW_PURCHASE], 200)
    assert client.get("/purchase-returns").status_code == status(can[P.VIEW_PURCHASE], 200)
    analysis = {"date_from": today, "date_to": today}
    assert client.get("/reports/purchase-analysis", analysis).status_code == status(can[P.VIEW_PURCHASE], 200)
    assert client.post("/purchase-orders", pr.order_payload(org)).status_code == status(can[P.CHANGE_PURCHASE], 201)
    assert client._call("put", f"/purchase-orders/{draft.pk}", pr.order_payload(org)).status_code == status(
        can[P.CHANGE_PURCHASE], 200
    )
    assert client.post(f"/purchase-orders/{draft.pk}/approve", {}).status_code == status(can[P.APPROVE_PURCHASE], 200)
    assert client.post(f"/purchase-orders/{approved.pk}/cancel", {}).status_code == status(can[P.CHANGE_PURCHASE], 200)
    line = receipt.lines.get()
    back = {"receipt_id": receipt.pk, "date": today, "lines": [{"receipt_line_id": line.pk, "quantity": "1"}]}
    assert client.post("/purchase-returns", back).status_code == status(can[P.RECEIVE_GOODS], 201)
    assert client.post("/purchase-receipts", pr.receipt_payload(org)).status_code == status(can[P.RECEIVE_GOODS], 201)
    assert client.get("/payables").status_code == status(can[P.VIEW_PAYABLE], 200)
    assert client.get("/payments").status_code == status(can[P.VIEW_PAYABLE], 200)
    assert client.get("/reports/payables-aging").status_code == status(can[P.VIEW_PAYABLE], 200)
    assert client.post("/payments", pr.payment_payload(org)).status_code == status(can[P.PAY], 201)
    apply = {"partner_id": receipt.supplier_id, "date": today}
    assert client.post("/payments/apply-advances", apply).status_code == (409 if can[P.PAY] else 403)

    assert PurchaseOrder.objects.get(pk=draft.pk).status == ("approved" if can[P.APPROVE_PURCHASE] else "draft")
    assert PurchaseOrder.objects.get(pk=approved.pk).status == ("cancelled" if can[P.CHANGE_PURCHASE] else "approved")
    assert PurchaseReturn.objects.exists() == can[P.RECEIVE_GOODS]
    assert Payment.objects.exists() == can[P.PAY]


@pytest.mark.parametrize("role", ROLES)
def test_pages_follow_the_roles(role, org, client_as):
    client = client_as(role)
    draft, approved = pr.make_order(org), pr.make_order(org, "approved")
    receipt = pr.make_receipt(org)
    document, payment = pr.make_return(org), pr.make_payment(org)
    view, change, approve, receive = (
        grants(role, p) for p in (P.VIEW_PURCHASE, P.CHANGE_PURCHASE, P.APPROVE_PURCHASE, P.RECEIVE_GOODS)
    )
    payable, pay = grants(role, P.VIEW_PAYABLE), grants(role, P.PAY)
    for page in (
        "/purchasing/orders/",
        f"/purchasing/orders/{draft.pk}/",
        "/purchasing/receipts/",
        f"/purchasing/receipts/{receipt.pk}/",
        "/purchasing/returns/",
        f"/purchasing/returns/{document.pk}/",
        "/purchasing/analysis/",
    ):
        assert client.get(page).status_code == status(view, 200), page
    assert client.get("/purchasing/orders/new/").status_code == status(change, 200)
    assert client.get(f"/purchasing/orders/{draft.pk}/edit/").status_code == status(change, 200)
    assert client.get(f"/purchasing/orders/{approved.pk}/receive/").status_code == status(receive, 200)
    assert client.get(f"/purchasing/receipts/{receipt.pk}/return/").status_code == status(receive, 200)
    assert client.post(f"/purchasing/orders/{draft.pk}/approve/").status_code == (302 if approve else 403)
    assert PurchaseOrder.objects.get(pk=draft.pk).status == ("approved" if approve else "draft")
    for page in (
        "/finance/payables/",
        "/finance/payables/aging/",
        "/finance/payments/",
        f"/finance/payments/{payment.pk}/",
    ):
        assert client.get(page).status_code == status(payable, 200), page
    assert client.get("/finance/payments/new/").status_code == status(pay, 200)
    r = client.post("/finance/payments/apply-advances/", {"supplier": receipt.supplier_id})
    assert r.status_code == status(pay, 302)
    assert Receipt.objects.count() == 3
