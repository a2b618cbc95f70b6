"""The role matrix: each role can do exactly what ROLE_PERMISSIONS grants, in the UI and in the API.

The expected answers are derived from ROLE_PERMISSIONS and the resource table (`tests.resources`), never
written out per role; `test_business_expectations` then pins a few rules stated in words, so that a change to
the matrix is a conscious one. Walkers fail when an API operation or a guarded page is not in the matrix.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from suanpan.accounting.models import Account, Voucher
from suanpan.api import api
from suanpan.core import scopes
from suanpan.core.choices import Role
from suanpan.core.models import Membership, Organization
from suanpan.core.permissions import ALL_PERMISSIONS, ROLE_PERMISSIONS, P
from suanpan.core.services import api_token_create, api_token_revoke, membership_add, membership_update
from suanpan.core.ui import OrgView
from suanpan.partners.choices import PartnerRole
from suanpan.partners.models import Contact
from tests import crm_cases
from tests.resources import (
    BY_NAME,
    RESOURCES,
    Resource,
    make_contact,
    make_customer,
    make_supplier,
    make_voucher,
    voucher_payload,
)

pytestmark = pytest.mark.django_db
ROLES = list(Role.values)


@pytest.fixture(autouse=True)
def _every_role_sees_all_records(monkeypatch: pytest.MonkeyPatch) -> None:
    """The matrix is about permissions; whose customers a rep sees (data scope) is tests/test_data_scope.py's."""
    monkeypatch.setattr(scopes, "OWN_SCOPE_ROLES", frozenset())


def status(granted: bool, ok: int) -> int:
    return ok if granted else 403


# --- The matrix over every resource, derived from ROLE_PERMISSIONS -------------------------------------------

CASES = [(role, r) for role in ROLES for r in RESOURCES]
CASE_IDS = [f"{role}-{r.name}" for role, r in CASES]


@pytest.mark.parametrize(("role", "resource"), CASES, ids=CASE_IDS)
def test_api_follows_the_matrix(role: str, resource: Resource, org: Organization, api_as: Callable[..., Any]):
    can_view = resource.view_perm in ROLE_PERMISSIONS[role]
    can_change = resource.change_perm in ROLE_PERMISSIONS[role]
    client = api_as(role)
    row = resource.make(org)
    count = resource.model.objects.count()

    assert client.get(resource.api).status_code == status(can_view, 200)
    assert client.get(f"{resource.api}{row.pk}").status_code == status(can_view, 200)
    created = client.post(resource.api, resource.payload(org))
    assert created.status_code == status(can_change, 201), created.content
    if not can_change:
        assert created.json()["detail"]
    assert resource.model.objects.count() == count + can_change
    changed = client.patch(f"{resource.api}{row.pk}", {"name": "改名"})
    assert changed.status_code == status(can_change, 200), changed.content
    assert (resource.model.objects.get(pk=row.pk).name == "改名") == can_change  # type: ignore[attr-defined]
    assert client.delete(f"{resource.api}{row.pk}").status_code == status(can_change, 204)
    assert resource.model.objects.filter(pk=row.pk).exists() != can_change


@pytest.mark.parametrize(("role", "resource"), CASES, ids=CASE_IDS)
def test_ui_follows_the_matrix(role: str, resource: Resource, org: Organization, client_as: Callable[..., Any]):
    can_view = resource.view_perm in ROLE_PERMISSIONS[role]
    can_change = resource.change_perm in ROLE_PERMISSIONS[role]
    client = client_as(role)
    row = resource.make(org)
    count = resource.model.objects.count()
    detail = f"{resource.ui}{row.pk}/"

    page = client.get(resource.ui)
    assert page.status_code == status(can_view, 200)
    page = client.get(detail)
    assert page.status_code == status(can_view, 200)
    if can_view:
        assert (f'href="{detail}edit/"' in page.content.decode()) == can_change
        assert (f'href="{resource.ui}new/"' in client.get(resource.ui).content.decode()) == can_change

    assert client.get(f"{resource.ui}new/").status_code == status(can_change, 200)
    assert client.get(f"{detail}edit/").status_code == status(can_change, 200)
    created = client.post(f"{resource.ui}new/", resource.ui_form(org))
    assert created.status_code == status(can_change, 302), created.content.decode()[:2000]
    assert resource.model.objects.count() == count + can_change
    edited = client.post(f"{detail}edit/", {**resource.ui_form(org), resource.unique or "code": "EDITED"})
    assert edited.status_code == status(can_change, 302)
    assert client.post(f"{detail}delete/").status_code == status(can_change, 302)
    assert resource.model.objects.filter(pk=row.pk).exists() != can_change


CONTACT_CASES = [(role, partner_role) for role in ROLES for partner_role in PartnerRole]


@pytest.mark.parametrize(("role", "partner_role"), CONTACT_CASES, ids=[f"{r}-{p}" for r, p in CONTACT_CASES])
def test_contacts_follow_their_partners_permissions(role, partner_role, org, api_as, client_as):
    resource = BY_NAME["customers" if partner_role == PartnerRole.CUSTOMER else "suppliers"]
    can_view = resource.view_perm in ROLE_PERMISSIONS[role]
    can_change = resource.change_perm in ROLE_PERMISSIONS[role]
    partner, contact = make_contact(org, partner_role)
    base = f"{resource.api}{partner.pk}/contacts"
    api_client = api_as(role)

    assert api_client.get(base).status_code == status(can_view, 200)
    assert api_client.post(base, {"name": "新联系人"}).status_code == status(can_change, 201)
    assert api_client.patch(f"{base}/{contact.pk}", {"name": "改名"}).status_code == status(can_change, 200)
    ui = client_as(role)
    page = f"{resource.ui}{partner.pk}/contacts/"
    assert ui.get(f"{page}new/").status_code == status(can_change, 200)
    assert ui.post(f"{page}new/", {"name": "页面联系人"}).status_code == status(can_change, 302)
    assert ui.post(f"{page}{contact.pk}/delete/").status_code == status(can_change, 302)
    assert Contact.objects.filter(partner=partner).count() == (2 if can_change else 1)
    assert api_client.delete(f"{base}/{contact.pk}").status_code == (404 if can_change else 403)


@pytest.mark.parametrize("role", ROLES)
def test_organization_settings_follow_the_matrix(role, org, owner, client_as):
    can_manage = P.MANAGE_ORGANIZATION in ROLE_PERMISSIONS[role]
    client = client_as(role)
    owner_membership = Membership.objects.get(organization=org, user=owner)
    assert client.get("/settings/organization/").status_code == status(can_manage, 200)
    assert client.get("/settings/members/new/").status_code == status(can_manage, 200)
    assert client.get(f"/settings/members/{owner_membership.pk}/").status_code == status(can_manage, 200)
    r = client.post("/settings/organization/", {"name": "改名公司", "taxpayer_type": "general"})
    assert r.status_code == status(can_manage, 302)
    r = client.post("/settings/members/new/", {"username": "newbie", "password": "long-enough-1", "roles": ["sales"]})
    assert r.status_code == status(can_manage, 302)
    org.refresh_from_db()
    assert (org.name == "改名公司") == can_manage
    assert Membership.objects.filter(organization=org, user__username="newbie").exists() == can_manage


@pytest.mark.parametrize("role", ROLES)
def test_navigation_shows_what_the_role_may_open(role, client_as):
    html = client_as(role).get("/").content.decode()
    granted = ROLE_PERMISSIONS[role]
    for resource in RESOURCES:
        assert (f'href="{resource.ui}"' in html) == (resource.view_perm in granted), resource.name
    assert ('href="/settings/organization/"' in html) == (P.MANAGE_ORGANIZATION in granted)


@pytest.mark.parametrize("role", ROLES)
def test_me_reports_the_roles_permissions(role, api_as):
    me = api_as(role).get("/me").json()
    assert me["roles"] == [role]
    assert set(me["permissions"]) == ROLE_PERMISSIONS[role]


# --- The books -----------------------------------------------------------------------------------------------


def _books(role: str) -> tuple[bool, bool, bool, bool]:
    granted = ROLE_PERMISSIONS[role]
    return tuple(p in granted for p in (P.VIEW_LEDGER, P.ENTER_VOUCHER, P.REVIEW_VOUCHER, P.POST_VOUCHER))  # type: ignore[return-value]


def _this_month() -> dict[str, str]:
    today = timezone.localdate()
    return {"start": f"{today.year}-{today.month:02d}", "end": f"{today.year}-{today.month:02d}"}


@pytest.mark.parametrize("role", ROLES)
def test_accounting_api_follows_the_matrix(role, org, api_as):
    view, enter, review, post = _books(role)
    client = api_as(role)
    draft, to_delete = make_voucher(org), make_voucher(org)
    reviewed, to_post, posted = (make_voucher(org, state=s) for s in ("reviewed", "reviewed", "posted"))
    count = Voucher.objects.count()

    assert client.get("/accounts").status_code == status(view, 200)
    assert client.get("/vouchers").status_code == status(view, 200)
    assert client.get(f"/vouchers/{draft.pk}").status_code == status(view, 200)
    assert client.get("/trial-balance", _this_month()).status_code == status(view, 200)
    for kind in ("balance-sheet", "income", "cash-flow"):
        assert client.get(f"/statements/{kind}", {"period": _this_month()["end"]}).status_code == status(view, 200)
    month = _this_month()
    ledger_range = {"account": "1001", "from": month["start"], "to": month["end"]}
    assert client.get("/ledgers/general", ledger_range).status_code == status(view, 200)
    assert client.get("/ledgers/auxiliary", {**ledger_range, "account": "1122"}).status_code == status(view, 200)
    assert client.get(f"/vouchers/{posted.pk}/pdf").status_code == status(view, 200)
    assert client.post("/vouchers", voucher_payload(org)).status_code == status(enter, 201)
    assert client._call("put", f"/vouchers/{draft.pk}", voucher_payload(org)).status_code == status(enter, 200)
    assert client.post(f"/vouchers/{draft.pk}/review", {}).status_code == status(review, 200)
    assert client.post(f"/vouchers/{reviewed.pk}/unreview", {}).status_code == status(review, 200)
    assert client.post(f"/vouchers/{to_post.pk}/post", {}).status_code == status(post, 200)
    assert client.post(f"/vouchers/{posted.pk}/reverse", {}).status_code == status(enter, 201)
    assert client.delete(f"/vouchers/{to_delete.pk}").status_code == status(enter, 204)

    states = {v.pk: v.status for v in Voucher.objects.all()}
    assert states[draft.pk] == ("reviewed" if review else "draft")
    assert states[reviewed.pk] == ("draft" if review else "reviewed")
    assert states[to_post.pk] == ("posted" if post else "reviewed")
    assert (to_delete.pk in states) != enter
    assert len(states) == count + (2 - 1 if enter else 0)  # one created, one reversal, one deleted


@pytest.mark.parametrize("role", ROLES)
def test_accounting_pages_follow_the_matrix(role, org, client_as):
    view, enter, review, post = _books(role)
    client = client_as(role)
    draft, reviewed, posted = (make_voucher(org, state=s) for s in ("draft", "reviewed", "posted"))
    cash = Account.objects.get(organization=org, code="1001")
    month = _this_month()

    for page in ("/accounting/vouchers/", f"/accounting/vouchers/{draft.pk}/", "/accounting/accounts/"):
        assert client.get(page).status_code == status(view, 200), page
    assert client.get(f"/accounting/accounts/{cash.pk}/ledger/").status_code == status(view, 200)
    assert client.get("/accounting/trial-balance/", month).status_code == status(view, 200)
    for page in ("/accounting/statements/", "/accounting/statements/cash-flow/"):
        assert client.get(page, {"period": month["end"]}).status_code == status(view, 200), page
    line = {"period": month["end"], "line": "1"}
    assert client.get("/accounting/statements/income/line/", line).status_code == status(view, 200)
    for page in (
        "/accounting/ledgers/general/",
        "/accounting/ledgers/auxiliary/",
        f"/accounting/vouchers/{posted.pk}/print/",
    ):
        assert client.get(page, month).status_code == status(view, 200), page
    assert client.get("/accounting/vouchers/print/", {"ids": posted.pk}).status_code == status(view, 200)
    assert client.get("/accounting/vouchers/new/").status_code == status(enter, 200)
    assert client.get(f"/accounting/vouchers/{draft.pk}/edit/").status_code == status(enter, 200)
    assert (client.post("/accounting/vouchers/new/", {}).status_code == 403) != enter

    base = "/accounting/vouchers/"
    assert client.post(f"{base}{reviewed.pk}/post/").status_code == status(post, 302)
    assert client.post(f"{base}{draft.pk}/review/").status_code == status(review, 302)
    assert client.post(f"{base}{posted.pk}/reverse/").status_code == status(enter, 302)
    draft.refresh_from_db()
    reviewed.refresh_from_db()
    assert draft.status == ("reviewed" if review else "draft")
    assert reviewed.status == ("posted" if post else "reviewed")
    assert Voucher.objects.filter(reverses=posted).exists() == enter
    to_delete = make_voucher(org)
    assert client.post(f"{base}{to_delete.pk}/delete/").status_code == status(enter, 302)
    assert Voucher.objects.filter(pk=to_delete.pk).exists() != enter


def test_books_business_expectations():
    """Only finance (and owner/admin) keep the books; reopening a closed month is not finance's."""
    books = {P.VIEW_LEDGER, P.MANAGE_ACCOUNTS, P.ENTER_VOUCHER, P.REVIEW_VOUCHER, P.POST_VOUCHER, P.CLOSE_PERIOD}
    assert books <= ROLE_PERMISSIONS[Role.FINANCE]
    assert P.REOPEN_PERIOD not in ROLE_PERMISSIONS[Role.FINANCE]
    for role in (Role.SALES, Role.SERVICE, Role.MARKETING, Role.PURCHASING, Role.WAREHOUSE):
        assert not {p for p in ROLE_PERMISSIONS[role] if p.startswith("accounting.")}, role


def test_roles_add_up(org, member, api_as):
    client = api_as("sales", "warehouse")
    assert client.post("/customers/", {"name": "x"}).status_code == 201
    assert client.post("/warehouses/", {"code": "W9", "name": "w"}).status_code == 201
    assert client.post("/suppliers/", {"name": "x"}).status_code == 403
    assert client.get("/suppliers/").status_code == 200  # warehouse may view suppliers


# --- The matrix covers everything that is guarded ------------------------------------------------------------


def _matrix_api_operations() -> set[tuple[str, str]]:
    ops = {("/me", "get")}
    for r in RESOURCES:
        ops |= {(r.api, "get"), (r.api, "post")}
        ops |= {(f"{r.api}{{}}", m) for m in ("get", "patch", "delete")}
    for r in (BY_NAME["customers"], BY_NAME["suppliers"]):
        ops |= {(f"{r.api}{{}}/contacts", "get"), (f"{r.api}{{}}/contacts", "post")}
        ops |= {(f"{r.api}{{}}/contacts/{{}}", "patch"), (f"{r.api}{{}}/contacts/{{}}", "delete")}
    ops |= {("/accounts", "get"), ("/vouchers", "get"), ("/vouchers", "post"), ("/trial-balance", "get")}
    ops |= {("/vouchers/{}", m) for m in ("get", "put", "delete")}
    ops |= {("/ledgers/general", "get"), ("/ledgers/auxiliary", "get"), ("/vouchers/{}/pdf", "get")}
    ops |= {(f"/statements/{kind}", "get") for kind in ("balance-sheet", "income", "cash-flow")}
    ops |= {(f"/vouchers/{{}}/{action}", "post") for action in ("review", "unreview", "post", "reverse")}
    # month-end close: role matrix in accounting/tests/test_closing_views.py (test_pages_and_api_follow_the_role_matrix)
    ops |= {("/periods", "get"), ("/periods/{}/close-checks", "get")}
    ops |= {("/periods/{}/close", "post"), ("/periods/{}/reopen", "post")}
    # books set-up: role matrix in accounting/tests/test_opening_api.py (test_api_follows_the_roles)
    ops |= {("/books", "get"), ("/books", "put"), ("/opening-balances", "get"), ("/opening-balances", "put")}
    ops |= {("/opening-balances/check", "get")}
    ops |= {("/opening-balances/accept", "post"), ("/opening-balances/unaccept", "post")}
    # stock reports, costing, reorder, notifications: roles in inventory/tests/test_reports.py, test_costing.py,
    # test_reorder.py (test_*_follow_the_roles); the inbox is every member's own
    ops |= {(f"/stock-reports/{k}", "get") for k in ("in-out-balance", "turnover", "slow-movers", "expiring-lots")}
    ops |= {("/costing-runs", "get"), ("/costing-runs", "post"), ("/reorder/levels", "get"), ("/reorder/levels", "put")}
    ops |= {("/reorder/levels/{}", "delete"), ("/reorder/suggestions", "get"), ("/reorder/orders", "post")}
    ops |= {("/notifications", "get"), ("/notifications/{}/read", "post"), ("/notifications/read-all", "post")}
    # purchasing and payables: roles in purchasing/tests/test_permissions.py (test_api_follows_the_roles)
    ops |= {("/purchase-orders", m) for m in ("get", "post")} | {("/purchase-orders/{}", m) for m in ("get", "put")}
    ops |= {(f"/purchase-orders/{{}}/{action}", "post") for action in ("approve", "cancel", "close")}
    ops |= {("/purchase-receipts", "get"), ("/purchase-receipts", "post"), ("/purchase-receipts/{}", "get")}
    ops |= {("/purchase-returns", "get"), ("/purchase-returns", "post"), ("/purchase-returns/{}", "get")}
    ops |= {("/reports/purchase-analysis", "get"), ("/reports/payables-aging", "get"), ("/payables", "get")}
    ops |= {("/payments", "get"), ("/payments", "post"), ("/payments/{}", "get"), ("/payments/apply-advances", "post")}
    # receivables, customer receipts: roles in finance/tests/test_receivables.py (test_pages_and_api_follow_the_roles)
    ops |= {("/receivables", "get"), ("/receivables-aging", "get"), ("/customers/{}/statement", "get")}
    ops |= {("/receipts", "get"), ("/receipts", "post"), ("/receipts/{}", "get"), ("/advance-receipts/apply", "post")}
    # stock, lots, transfers, stocktakes: roles in inventory/tests/test_stock_views.py
    # (test_pages_and_api_follow_the_role_matrix)
    ops |= {(f"/stock/{k}", "get") for k in ("balances", "lots", "ledger", "in-transit")}
    ops |= {("/lots", "get"), ("/lots/first-expiry", "get"), ("/lots/{}", "get")}
    ops |= {("/transfers", "get"), ("/transfers", "post"), ("/transfers/{}", "get")}
    ops |= {(f"/transfers/{{}}/{a}", "post") for a in ("ship", "receive", "cancel")}
    ops |= {("/stocktakes", "get"), ("/stocktakes", "post"), ("/stocktakes/{}", "get")}
    ops |= {(f"/stocktakes/{{}}/{a}", "post") for a in ("counts", "submit", "reopen", "approve", "cancel", "post")}
    # opening stock: roles in inventory/tests/test_opening_views.py (test_page_and_api_follow_the_roles)
    ops |= {("/opening-stock", "get"), ("/opening-stock", "post"), ("/opening-stock/{}/reverse", "post")}
    # sales orders, price lists, availability, credit exposure: roles in sales/tests/test_order_api.py
    # (test_api_follows_the_roles)
    ops |= {("/sales-orders", m) for m in ("get", "post")} | {("/sales-orders/{}", m) for m in ("get", "put")}
    ops |= {(f"/sales-orders/{{}}/{a}", "post") for a in ("confirm", "unconfirm", "cancel", "close")}
    ops |= {("/price-lists", m) for m in ("get", "post")} | {("/price-lists/{}", m) for m in ("get", "put", "delete")}
    ops |= {("/availability", "get"), ("/customers/{}/exposure", "get")}
    # deliveries and sales returns: roles in sales/tests/test_delivery_api.py (test_api_follows_the_roles)
    ops |= {("/deliveries", "get"), ("/deliveries", "post"), ("/deliveries/{}", "get"), ("/deliveries/{}", "patch")}
    ops |= {("/deliveries/{}/mark-signed", "post")}
    ops |= {("/sales-returns", "get"), ("/sales-returns", "post"), ("/sales-returns/{}", "get")}
    # invoices and credit notes: roles in sales/tests/test_invoice_api.py (test_api_follows_the_roles)
    ops |= {("/invoices", "get"), ("/invoices", "post"), ("/invoices/{}", "get"), ("/invoices/{}/pdf", "get")}
    ops |= {("/invoices/{}/einvoice", "post"), ("/sales-returns/{}/credit-note", "post")}
    # sales reports: roles in sales/tests/test_reports.py (test_reports_follow_the_roles)
    ops |= {(f"/reports/{k}", "get") for k in ("sales-analysis", "gross-profit", "order-fulfilment")}
    ops |= crm_cases.API_OPS  # CRM: each area names its own role tests in tests/crm_cases_<area>.py
    return ops


def test_every_api_operation_is_in_the_matrix():
    schema = api.get_openapi_schema()
    operations = {
        (re.sub(r"\{[^}]+\}", "{}", path.removeprefix("/api/v1")), method)
        for path, ops in schema["paths"].items()
        for method in ops
    }
    assert operations - _matrix_api_operations() == set(), "add these operations to the matrix tests"


def _guarded_pages() -> dict[str, set[str]]:
    """Each page whose view declares a permission → the permissions it declares."""
    pages: dict[str, set[str]] = {}

    def walk(patterns: list[Any], prefix: str) -> None:
        for p in patterns:
            if isinstance(p, URLResolver):
                walk(p.url_patterns, prefix + str(p.pattern))
            elif isinstance(p, URLPattern):
                view = getattr(p.callback, "view_class", None)
                if view is not None and issubclass(view, OrgView) and view.permission:
                    pages["/" + prefix + str(p.pattern)] = {view.permission, getattr(view, "change_permission", "")}

    walk(get_resolver().url_patterns, "")
    return pages


def _matrix_pages() -> set[str]:
    pages = {"/settings/organization/", "/settings/members/new/", "/settings/members/<int:pk>/"}
    for r in RESOURCES:
        pages |= {r.ui, f"{r.ui}new/", f"{r.ui}<int:pk>/", f"{r.ui}<int:pk>/edit/", f"{r.ui}<int:pk>/delete/"}
    for r in (BY_NAME["customers"], BY_NAME["suppliers"]):
        contacts = f"{r.ui}<int:pk>/contacts/"
        pages |= {f"{contacts}new/", f"{contacts}<int:contact_id>/edit/", f"{contacts}<int:contact_id>/delete/"}
    books = "/accounting/"
    pages |= {
        f"{books}vouchers/",
        f"{books}vouchers/new/",
        f"{books}vouchers/<int:pk>/",
        f"{books}vouchers/<int:pk>/edit/",
    }
    pages |= {f"{books}accounts/", f"{books}accounts/<int:pk>/ledger/", f"{books}trial-balance/"}
    pages |= {f"{books}ledgers/general/", f"{books}ledgers/auxiliary/"}
    pages |= {f"{books}statements/"}
    pages |= {f"{books}statements/{k}/{p}" for k in ("balance-sheet", "income", "cash-flow") for p in ("", "line/")}
    pages |= {f"{books}vouchers/<int:pk>/print/", f"{books}vouchers/print/"}
    pages |= {f"{books}periods/", f"{books}periods/<int:pk>/close/", f"{books}periods/<int:pk>/reopen/"}
    # books set-up: role matrix in accounting/tests/test_opening_views.py (test_pages_follow_the_roles)
    pages |= {f"{books}opening/", f"{books}opening/accept/", f"{books}opening/unaccept/"}
    pages |= {f"{books}opening/template/", f"{books}books/"}
    # stock reports, costing, reorder: roles in inventory/tests/test_reports.py, test_costing.py, test_reorder.py
    stock = "/inventory/"
    pages |= {f"{stock}reports/{k}/" for k in ("in-out-balance", "turnover", "slow-movers", "expiring-lots")}
    pages |= {f"{stock}costing/", f"{stock}reorder/", f"{stock}reorder/levels/"}
    # purchasing and payables: roles in purchasing/tests/test_permissions.py (test_pages_follow_the_roles)
    buy = "/purchasing/"
    pages |= {f"{buy}orders/", f"{buy}orders/new/", f"{buy}orders/<int:pk>/", f"{buy}orders/<int:pk>/edit/"}
    pages |= {f"{buy}orders/<int:pk>/receive/", f"{buy}orders/<int:pk>/<str:action>/", f"{buy}analysis/"}
    pages |= {f"{buy}receipts/", f"{buy}receipts/<int:pk>/", f"{buy}receipts/<int:pk>/return/"}
    pages |= {f"{buy}returns/", f"{buy}returns/<int:pk>/"}
    pay = "/finance/"
    pages |= {f"{pay}payables/", f"{pay}payables/aging/", f"{pay}payments/", f"{pay}payments/new/"}
    pages |= {f"{pay}payments/apply-advances/", f"{pay}payments/<int:pk>/"}
    # receivables, customer receipts: roles in finance/tests/test_receivables.py (test_pages_and_api_follow_the_roles)
    pages |= {f"{pay}receivables/{p}" for p in ("", "aging/", "statement/")}
    pages |= {f"{pay}receipts/{p}" for p in ("", "new/", "apply-advances/", "<int:pk>/")}
    # stock, lots, transfers, stocktakes: roles in inventory/tests/test_stock_views.py
    # (test_pages_and_api_follow_the_role_matrix)
    pages |= {f"{stock}stock/", f"{stock}stock/in-transit/", f"{stock}stock/products/<int:pk>/ledger/"}
    pages |= {f"{stock}stock/products/<int:pk>/panel/", f"{stock}lots/", f"{stock}lots/<int:pk>/"}
    pages |= {f"{stock}transfers/", f"{stock}transfers/new/", f"{stock}transfers/<int:pk>/"}
    pages |= {f"{stock}transfers/<int:pk>/<str:action>/", f"{stock}stocktakes/", f"{stock}stocktakes/new/"}
    pages |= {f"{stock}stocktakes/<int:pk>/{p}" for p in ("", "print/", "sheet/", "<str:action>/")}
    # opening stock: roles in inventory/tests/test_opening_views.py (test_page_and_api_follow_the_roles)
    pages |= {f"{stock}opening/{p}" for p in ("", "import/", "template/", "<int:number>/reverse/")}
    # sales orders and price lists: roles in sales/tests/test_order_views.py (test_pages_follow_the_roles)
    orders = "/sales/orders/"
    pages |= {f"{orders}{p}" for p in ("", "new/", "line/", "line-info/", "exposure/")}
    pages |= {f"{orders}<int:pk>/{p}" for p in ("", "edit/", "<str:action>/")}
    pages |= {f"/sales/price-lists/{p}" for p in ("", "new/", "<int:pk>/", "<int:pk>/edit/", "<int:pk>/delete/")}
    # deliveries and sales returns: roles in sales/tests/test_delivery_views.py (test_pages_follow_the_roles)
    sell = "/sales/"
    pages |= {f"{sell}deliveries/", f"{sell}deliveries/new/", f"{sell}returns/", f"{sell}returns/<int:pk>/"}
    pages |= {f"{sell}deliveries/<int:pk>/{p}" for p in ("", "print/", "logistics/", "sign/", "return/")}
    # invoices and credit notes: roles in sales/tests/test_invoice_views.py (test_pages_follow_the_roles)
    pages |= {f"{sell}invoices/{p}" for p in ("", "new/", "<int:pk>/", "<int:pk>/einvoice/", "<int:pk>/pdf/")}
    pages |= {f"{sell}credit-notes/new/"}
    # sales reports: roles in sales/tests/test_reports.py (test_reports_follow_the_roles)
    pages |= {f"{sell}reports/{k}/" for k in ("sales", "gross-profit", "fulfilment")}
    pages |= crm_cases.PAGES  # CRM: each area names its own role tests in tests/crm_cases_<area>.py
    return pages


def test_every_guarded_page_is_in_the_matrix():
    assert set(_guarded_pages()) - _matrix_pages() == set(), "add these pages to the matrix tests"


def test_every_permission_that_guards_a_page_is_exercised():
    """A permission the matrix tests do not exercise may guard services only (checked by their own tests),
    never a page: a page it guarded would be untested here."""
    exercised = {P.MANAGE_ORGANIZATION, P.VIEW_LEDGER, P.ENTER_VOUCHER, P.REVIEW_VOUCHER, P.POST_VOUCHER}
    exercised |= {P.CLOSE_PERIOD, P.REOPEN_PERIOD}  # accounting/tests/test_closing_views.py, role by role
    # inventory/tests/test_reports.py, test_costing.py, test_reorder.py, role by role
    exercised |= {P.VIEW_STOCK_REPORTS, P.RUN_COSTING, P.CHANGE_REORDER}
    # purchasing/tests/test_permissions.py, role by role
    exercised |= {P.VIEW_PURCHASE, P.CHANGE_PURCHASE, P.APPROVE_PURCHASE, P.RECEIVE_GOODS, P.VIEW_PAYABLE, P.PAY}
    exercised |= {P.VIEW_RECEIVABLE, P.RECEIVE_PAYMENT}  # finance/tests/test_receivables.py, role by role
    # inventory/tests/test_stock_views.py, role by role
    exercised |= {P.MOVE_STOCK, P.COUNT_STOCK, P.APPROVE_STOCKTAKE}
    exercised |= {P.VIEW_SALES, P.INVOICE}  # sales/tests/test_invoice_views.py, role by role
    # sales/tests/test_order_views.py, role by role
    exercised |= {P.VIEW_SALES, P.CHANGE_SALES, P.MANAGE_PRICES, P.VIEW_RECEIVABLE}
    # sales/tests/test_delivery_views.py, role by role
    exercised |= {P.VIEW_SALES, P.DELIVER_GOODS}
    exercised |= {r.view_perm for r in RESOURCES} | {r.change_perm for r in RESOURCES}
    exercised |= crm_cases.EXERCISED
    on_pages = set().union(*_guarded_pages().values()) - {""}
    assert on_pages <= exercised
    assert exercised <= ALL_PERMISSIONS
    assert set(ROLE_PERMISSIONS) == set(Role.values)
    assert all(perms <= ALL_PERMISSIONS for perms in ROLE_PERMISSIONS.values())


# --- Business expectations, written by hand ------------------------------------------------------------------


@dataclass(frozen=True)
class Expectation:
    role: str
    resource: str
    can_view: bool
    can_change: bool

    def __str__(self) -> str:
        return f"{self.role}-{self.resource}"


EXPECTATIONS = [
    Expectation(Role.SALES, "customers", can_view=True, can_change=True),
    Expectation(Role.SALES, "suppliers", can_view=False, can_change=False),
    Expectation(Role.SALES, "products", can_view=True, can_change=False),
    Expectation(Role.WAREHOUSE, "warehouses", can_view=True, can_change=True),
    # the warehouse delivers to customers (address, contact) but does not maintain them
    Expectation(Role.WAREHOUSE, "customers", can_view=True, can_change=False),
    Expectation(Role.FINANCE, "products", can_view=True, can_change=False),
    Expectation(Role.PURCHASING, "suppliers", can_view=True, can_change=True),
    Expectation(Role.MARKETING, "suppliers", can_view=False, can_change=False),
    *(
        Expectation(Role.SERVICE, r.name, can_view=r.name not in ("suppliers", "warehouses"), can_change=False)
        for r in RESOURCES
    ),
    *(
        Expectation(role, r.name, can_view=True, can_change=True)
        for role in (Role.OWNER, Role.ADMIN)
        for r in RESOURCES
    ),
]


@pytest.mark.parametrize("expected", EXPECTATIONS, ids=str)
def test_business_expectations(expected: Expectation, org, api_as, client_as):
    resource = BY_NAME[expected.resource]
    granted = ROLE_PERMISSIONS[expected.role]
    assert (resource.view_perm in granted) == expected.can_view
    assert (resource.change_perm in granted) == expected.can_change
    api_client = api_as(expected.role)
    assert api_client.get(resource.api).status_code == (200 if expected.can_view else 403)
    assert api_client.post(resource.api, resource.payload(org)).status_code == (201 if expected.can_change else 403)
    ui = client_as(expected.role)
    assert ui.get(resource.ui).status_code == (200 if expected.can_view else 403)
    assert ui.get(f"{resource.ui}new/").status_code == (200 if expected.can_change else 403)


def test_only_owner_and_admin_manage_the_organization():
    assert {role for role, perms in ROLE_PERMISSIONS.items() if P.MANAGE_ORGANIZATION in perms} == {
        Role.OWNER,
        Role.ADMIN,
    }


# --- Who the request is: anonymous, revoked, deactivated, another organization -------------------------------


def _api_operations() -> list[tuple[str, str]]:
    schema = api.get_openapi_schema()
    return [(path, method) for path, ops in schema["paths"].items() for method in ops]


@pytest.mark.parametrize(("path", "method"), _api_operations(), ids=lambda v: str(v))
def test_anonymous_api_requests_get_401_json(path, method, org):
    url = re.sub(r"\{[^}]+\}", "1", path)
    kwargs: dict[str, Any] = {"content_type": "application/json", "data": "{}"} if method in ("post", "patch") else {}
    r = getattr(Client(), method)(url, **kwargs)
    assert r.status_code == 401
    assert r["Content-Type"].startswith("application/json")
    assert r.json()["detail"]


@pytest.mark.parametrize("page", sorted(_matrix_pages()))
def test_anonymous_pages_redirect_to_login(page, org):
    url = re.sub(r"<int:\w+>", "1", page)
    r = Client().get(url)
    assert r.status_code == 302
    assert r["Location"].startswith("/login/?next=")


def test_bad_tokens_get_401(org, owner):
    for header in ("Bearer sp_nonsense", "Bearer nonsense", "Token sp_x", "Bearer "):
        r = Client().get("/api/v1/customers/", headers={"Authorization": header})
        assert r.status_code == 401, header
        assert r.json()["detail"]


def test_revoked_token_and_deactivated_member(org, owner, member):
    token, secret = api_token_create(organization=org, actor=owner, name="t")
    headers = {"Authorization": f"Bearer {secret}"}
    assert Client().get("/api/v1/me", headers=headers).status_code == 200
    api_token_revoke(organization=org, actor=owner, token_id=token.pk)
    assert Client().get("/api/v1/me", headers=headers).status_code == 401

    rep = member("sales")
    _token, rep_secret = api_token_create(organization=org, actor=rep, name="t")
    rep_headers = {"Authorization": f"Bearer {rep_secret}"}
    assert Client().get("/api/v1/customers/", headers=rep_headers).status_code == 200
    rep_membership = Membership.objects.get(organization=org, user=rep)
    membership_update(organization=org, actor=owner, membership_id=rep_membership.pk, roles=["sales"], is_active=False)
    assert Client().get("/api/v1/customers/", headers=rep_headers).status_code == 401
    client = Client()
    client.force_login(rep)
    page = client.get("/partners/customers/")
    assert page.status_code == 403


def test_a_deactivated_user_loses_the_api(org, member):
    rep = member("sales")
    _token, secret = api_token_create(organization=org, actor=rep, name="t")
    rep.is_active = False
    rep.save()
    assert Client().get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"}).status_code == 401


def test_a_token_acts_only_in_its_own_organization(org, other_org, member):
    """A user in A (sales) and B (owner): a token made in A acts in A with A's roles; B stays out of reach."""
    user = member("sales")
    membership_add(organization=other_org, actor=None, user=user, roles=["owner"])
    _token, secret = api_token_create(organization=org, actor=user, name="A")
    client = Client(headers={"Authorization": f"Bearer {secret}"})
    theirs, their_supplier = make_customer(other_org, name="B的客户"), make_supplier(other_org)

    assert client.get("/api/v1/me").json()["organization"]["id"] == org.pk
    assert client.get(f"/api/v1/customers/{theirs.pk}").status_code == 404
    assert (
        client.patch(f"/api/v1/customers/{theirs.pk}", {"name": "x"}, content_type="application/json").status_code
        == 404
    )
    assert "B的客户" not in client.get("/api/v1/customers/").content.decode()
    assert client.get(f"/api/v1/suppliers/{their_supplier.pk}").status_code == 403  # A's roles: no suppliers
    created = client.post("/api/v1/customers/", {"name": "A的客户"}, content_type="application/json")
    assert created.status_code == 201
    assert BY_NAME["customers"].scope(org).filter(pk=created.json()["id"]).exists()
    theirs.refresh_from_db()
    assert theirs.name == "B的客户"


def test_session_api_needs_csrf_for_writes(org, owner):
    client = Client(enforce_csrf_checks=True)
    client.force_login(owner)
    assert client.get("/api/v1/customers/").status_code == 200
    r = client.post("/api/v1/customers/", {"name": "x"}, content_type="application/json")
    assert r.status_code in (401, 403)
    assert BY_NAME["customers"].scope(org).count() == 0
