"""What the cross-cutting suites must know of the CRM customer area — contracts, the customer 360° page, segments
and tag rules (see tests/crm_cases.py) — and the makers its tests share. Everything is made through the real
services.

Role by role: src/suanpan/crm/tests/test_contract_views.py::test_pages_follow_the_roles and
test_contract_api.py::test_api_follows_the_roles (contracts), test_customer360.py::test_pages_and_api_follow_the_roles
(360° and tags), test_segments.py::test_pages_and_api_follow_the_roles (segments, tag rules).
"""

from __future__ import annotations

import datetime
import tempfile
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.utils import timezone

from suanpan.catalog import services as catalog
from suanpan.catalog.models import Product
from suanpan.core.models import Organization
from suanpan.core.permissions import P
from suanpan.crm import contracts, segments
from suanpan.crm.models import Contract, ContractAttachment, Segment, TagRule
from suanpan.inventory.choices import MoveKind
from suanpan.inventory.models import StockLevel, Warehouse
from suanpan.inventory.posting import MoveSpec
from suanpan.inventory.services import stock_post, warehouse_create
from suanpan.partners.choices import PartnerRole
from suanpan.partners.models import Partner, Tag
from suanpan.partners.services import partner_create
from suanpan.sales import orders
from suanpan.sales.models import SalesOrder
from tests.isolation_cases import ApiCase, PageCase
from tests.resources import make_tag, unit, vat

# Makers ---------------------------------------------------------------------------------------------------------------


def customer(org: Organization, name: str = "合同客户", **data: Any) -> Partner:
    found = Partner.objects.filter(organization=org, is_customer=True, name=name).first()
    return found or partner_create(organization=org, actor=None, role=PartnerRole.CUSTOMER, data={"name": name, **data})


def warehouse(org: Organization) -> Warehouse:
    found = Warehouse.objects.filter(organization=org, code="W-C").first()
    return found or warehouse_create(organization=org, actor=None, data={"code": "W-C", "name": "合同仓"})


def product(
    org: Organization,
    code: str = "P-CT",
    *,
    price: str = "100.00",
    stocked: bool = True,
    on: datetime.date | None = None,
) -> Product:
    """A product with 1000 on hand in the contract warehouse (stocked ones), received on `on` (the 1st of this
    month)."""
    found = Product.objects.filter(organization=org, code=code).first()
    if found is not None:
        return found
    made = catalog.product_create(
        organization=org,
        actor=None,
        data={
            "code": code,
            "name": f"合同商品{code}",
            "unit": unit(org),
            "vat_rate": vat(org),
            "sale_price": price,
            "is_stocked": stocked,
        },
    )
    if stocked and not StockLevel.objects.filter(product=made, warehouse=warehouse(org), on_hand__gt=0).exists():
        spec = MoveSpec(made.pk, warehouse(org).pk, Decimal(1000), MoveKind.OPENING, unit_cost=Decimal("40.00"))
        stock_post(organization=org, actor=None, date=on or timezone.localdate().replace(day=1), moves=[spec])
    return made


def make_order(
    org: Organization,
    buyer: Partner | None = None,
    quantity: str = "10",
    *,
    day: datetime.date | None = None,
    item: Product | None = None,
    confirm: bool = True,
) -> SalesOrder:
    """A sales order of `quantity` × 100.00 excl. VAT (13 %: 113.00 each incl.), confirmed unless asked not to."""
    order = orders.order_create(
        organization=org,
        actor=None,
        data={
            "customer_id": (buyer or customer(org)).pk,
            "warehouse_id": warehouse(org).pk,
            "date": day or timezone.localdate(),
            "lines": [{"product_id": (item or product(org)).pk, "quantity": quantity}],
        },
    )
    return orders.order_confirm(organization=org, actor=None, order_id=order.pk) if confirm else order


def contract_payload(org: Organization, buyer: Partner | None = None, **changes: Any) -> dict[str, Any]:
    today = timezone.localdate()
    return {
        "title": "年度供货合同",
        "customer_id": (buyer or customer(org)).pk,
        "amount": "1130.00",
        "start_on": today,
        "end_on": today + datetime.timedelta(days=364),
        "milestones": [
            {"name": "预付款", "due_on": today, "amount": "339.00"},
            {"name": "尾款", "due_on": today + datetime.timedelta(days=60), "amount": "791.00"},
        ],
        **changes,
    }


def api_contract(org: Organization) -> dict[str, Any]:
    data = contract_payload(org)
    return {
        **data,
        "start_on": data["start_on"].isoformat(),
        "end_on": data["end_on"].isoformat(),
        "milestones": [{**m, "due_on": m["due_on"].isoformat()} for m in data["milestones"]],
    }


def contract_form(org: Organization) -> dict[str, Any]:
    data = contract_payload(org)
    form = {
        "title": data["title"],
        "customer_id": data["customer_id"],
        "amount": data["amount"],
        "start_on": data["start_on"].isoformat(),
        "end_on": data["end_on"].isoformat(),
        "row_count": str(len(data["milestones"])),
    }
    for i, m in enumerate(data["milestones"]):
        form.update({f"milestones-{i}-name": m["name"], f"milestones-{i}-due_on": m["due_on"].isoformat()})
        form[f"milestones-{i}-amount"] = m["amount"]
    return form


def make_contract(org: Organization, buyer: Partner | None = None, *, state: str = "draft", **changes: Any) -> Contract:
    contract = contracts.contract_create(organization=org, actor=None, data=contract_payload(org, buyer, **changes))
    if state in ("active", "completed"):
        contracts.contract_activate(organization=org, actor=None, contract_id=contract.pk)
    if state == "completed":
        contracts.contract_complete(organization=org, actor=None, contract_id=contract.pk)
    contract.refresh_from_db()
    return contract


def upload(name: str = "合同扫描件.pdf", content: bytes = b"%PDF-1.4 contract") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def make_attachment(org: Organization, contract: Contract | None = None) -> ContractAttachment:
    """An attachment stored under the present MEDIA_ROOT (tests point it at a temporary directory)."""
    contract = contract or make_contract(org)
    return contracts.contract_attachment_add(organization=org, actor=None, contract_id=contract.pk, upload=upload())


def throwaway_attachment(org: Organization) -> ContractAttachment:
    """An attachment stored in a throwaway MEDIA_ROOT (the cross-cutting suites do not set one)."""
    with override_settings(MEDIA_ROOT=tempfile.mkdtemp(prefix="suanpan-media-")):
        return make_attachment(org)


def linked_order(org: Organization) -> tuple[Contract, SalesOrder]:
    contract = make_contract(org)
    order = make_order(org, contract.customer)
    contracts.contract_order_link(organization=org, actor=None, contract_id=contract.pk, order_id=order.pk)
    return contract, order


def make_segment(org: Organization, name: str = "华东客户") -> Segment:
    return segments.segment_create(organization=org, actor=None, data={"name": name, "filters": {"province": "上海"}})


def make_tag_rule(org: Organization, name: str = "规则标签") -> TagRule:
    return segments.tag_rule_create(
        organization=org, actor=None, data={"tag_name": name, "filters": {"min_lifetime_value": "1000"}}
    )


def tagged_customer(org: Organization) -> tuple[Partner, Tag]:
    buyer = customer(org, "标签客户")
    tag = make_tag(org, "手工标签")
    buyer.tags.add(tag)
    return buyer, tag


# The cross-cutting suites -------------------------------------------------------------------------------------------

API_OPS: set[tuple[str, str]] = {
    ("/contracts", "get"),
    ("/contracts", "post"),
    ("/contracts/{}", "get"),
    ("/contracts/{}", "put"),
    ("/contracts/{}/activate", "post"),
    ("/contracts/{}/complete", "post"),
    ("/contracts/{}/terminate", "post"),
    ("/contracts/{}/attachments", "post"),
    ("/contracts/{}/attachments/{}", "get"),
    ("/contracts/{}/attachments/{}", "delete"),
    ("/contracts/{}/orders", "post"),
    ("/contracts/{}/orders/{}", "delete"),
    ("/contracts/{}/progress", "get"),
    ("/customers/{}/360", "get"),
    ("/segments", "get"),
    ("/segments", "post"),
    ("/segments/{}", "get"),
    ("/segments/{}", "put"),
    ("/segments/{}", "delete"),
    ("/segments/{}/customers", "get"),
    ("/segments/{}/export", "get"),
    ("/tag-rules", "get"),
    ("/tag-rules", "post"),
    ("/tag-rules/apply", "post"),
    ("/tag-rules/{}", "get"),
    ("/tag-rules/{}", "put"),
    ("/tag-rules/{}", "delete"),
}

PAGES: set[str] = {
    "/crm/customers/<int:pk>/",
    "/crm/customers/<int:pk>/timeline/",
    "/crm/customers/<int:pk>/tags/",
    "/crm/customers/<int:pk>/tags/<int:tag_id>/remove/",
    "/crm/contracts/",
    "/crm/contracts/new/",
    "/crm/contracts/<int:pk>/",
    "/crm/contracts/<int:pk>/edit/",
    "/crm/contracts/<int:pk>/attachments/",
    "/crm/contracts/<int:pk>/attachments/<int:attachment_id>/",
    "/crm/contracts/<int:pk>/attachments/<int:attachment_id>/delete/",
    "/crm/contracts/<int:pk>/orders/",
    "/crm/contracts/<int:pk>/orders/<int:order_id>/unlink/",
    "/crm/contracts/<int:pk>/<str:action>/",
    "/crm/segments/",
    "/crm/segments/new/",
    "/crm/segments/<int:pk>/",
    "/crm/segments/<int:pk>/edit/",
    "/crm/segments/<int:pk>/delete/",
    "/crm/segments/<int:pk>/export/",
    "/crm/tag-rules/",
    "/crm/tag-rules/new/",
    "/crm/tag-rules/apply/",
    "/crm/tag-rules/<int:pk>/edit/",
    "/crm/tag-rules/<int:pk>/delete/",
}

EXERCISED: set[str] = {P.VIEW_CRM, P.CHANGE_CRM, P.MANAGE_CRM, P.VIEW_CRM_ANALYTICS, P.CHANGE_CUSTOMER}


def _theirs(make: Any) -> Any:
    def ids(mine: Organization, theirs: Organization) -> tuple[int, ...]:
        return (make(theirs).pk,)

    return ids


def _their_attachment(mine: Organization, theirs: Organization) -> tuple[int, ...]:
    attachment = throwaway_attachment(theirs)
    return (attachment.contract_id, attachment.pk)


def _my_contract_their_attachment(mine: Organization, theirs: Organization) -> tuple[int, ...]:
    return (make_contract(mine).pk, throwaway_attachment(theirs).pk)


def _their_link(mine: Organization, theirs: Organization) -> tuple[int, ...]:
    contract, order = linked_order(theirs)
    return (contract.pk, order.pk)


def _my_contract_their_order(mine: Organization, theirs: Organization) -> tuple[int, ...]:
    return (make_contract(mine).pk, make_order(theirs).pk)


def _active(org: Organization) -> Contract:
    return make_contract(org, state="active")


def _order_body(org: Organization) -> dict[str, Any]:
    return {"order_id": make_order(org).pk}


API_CASES: list[Any] = [
    ApiCase("/contracts/{}", "get", _theirs(make_contract)),
    ApiCase("/contracts/{}", "put", _theirs(make_contract), api_contract),
    ApiCase("/contracts/{}/activate", "post", _theirs(make_contract)),
    ApiCase("/contracts/{}/complete", "post", _theirs(_active)),
    ApiCase("/contracts/{}/terminate", "post", _theirs(make_contract), lambda org: {"reason": "x"}),
    ApiCase("/contracts/{}/attachments", "post", _theirs(make_contract)),
    ApiCase("/contracts/{}/attachments/{}", "get", _their_attachment),
    ApiCase("/contracts/{}/attachments/{}", "get", _my_contract_their_attachment, label="their attachment"),
    ApiCase("/contracts/{}/attachments/{}", "delete", _their_attachment),
    ApiCase("/contracts/{}/orders", "post", _theirs(make_contract), _order_body),
    ApiCase("/contracts/{}/orders/{}", "delete", _their_link),
    ApiCase("/contracts/{}/progress", "get", _theirs(make_contract)),
    ApiCase("/customers/{}/360", "get", _theirs(customer)),
    ApiCase("/segments/{}", "get", _theirs(make_segment)),
    ApiCase("/segments/{}", "put", _theirs(make_segment), lambda org: {"name": "改名"}),
    ApiCase("/segments/{}", "delete", _theirs(make_segment)),
    ApiCase("/segments/{}/customers", "get", _theirs(make_segment)),
    ApiCase("/segments/{}/export", "get", _theirs(make_segment)),
    ApiCase("/tag-rules/{}", "get", _theirs(make_tag_rule)),
    ApiCase(
        "/tag-rules/{}", "put", _theirs(make_tag_rule), lambda org: {"tag_name": "改", "filters": {"city": "上海"}}
    ),
    ApiCase("/tag-rules/{}", "delete", _theirs(make_tag_rule)),
]


def _page_theirs(make: Any) -> Any:
    def ids(mine: Organization, theirs: Organization) -> dict[str, Any]:
        return {"pk": make(theirs).pk}

    return ids


def _page_attachment(mine: Organization, theirs: Organization) -> dict[str, Any]:
    attachment = throwaway_attachment(theirs)
    return {"pk": attachment.contract_id, "attachment_id": attachment.pk}


def _page_link(mine: Organization, theirs: Organization) -> dict[str, Any]:
    contract, order = linked_order(theirs)
    return {"pk": contract.pk, "order_id": order.pk}


def _page_action(action: str, make: Any = make_contract) -> Any:
    def ids(mine: Organization, theirs: Organization) -> dict[str, Any]:
        return {"pk": make(theirs).pk, "action": action}

    return ids


def _page_tag(mine: Organization, theirs: Organization) -> dict[str, Any]:
    buyer, tag = tagged_customer(theirs)
    return {"pk": buyer.pk, "tag_id": tag.pk}


def _segment_form(org: Organization) -> dict[str, Any]:
    return {"name": "我方分群", "province": "浙江"}


def _rule_form(org: Organization) -> dict[str, Any]:
    return {"tag_name": "我方规则", "city": "杭州", "is_active": "on"}


PAGE_CASES: list[Any] = [
    PageCase("crm/customers/<int:pk>/", "get", _page_theirs(customer)),
    PageCase("crm/customers/<int:pk>/timeline/", "get", _page_theirs(customer)),
    PageCase("crm/customers/<int:pk>/tags/", "post", _page_theirs(customer), lambda org: {"name": "新标签"}),
    PageCase("crm/customers/<int:pk>/tags/<int:tag_id>/remove/", "post", _page_tag),
    PageCase("crm/contracts/<int:pk>/", "get", _page_theirs(make_contract)),
    PageCase("crm/contracts/<int:pk>/edit/", "get", _page_theirs(make_contract)),
    PageCase("crm/contracts/<int:pk>/edit/", "post", _page_theirs(make_contract), contract_form),
    PageCase("crm/contracts/<int:pk>/attachments/", "post", _page_theirs(make_contract)),
    PageCase("crm/contracts/<int:pk>/attachments/<int:attachment_id>/", "get", _page_attachment),
    PageCase("crm/contracts/<int:pk>/attachments/<int:attachment_id>/delete/", "post", _page_attachment),
    PageCase("crm/contracts/<int:pk>/orders/", "post", _page_theirs(make_contract), _order_body),
    PageCase("crm/contracts/<int:pk>/orders/<int:order_id>/unlink/", "post", _page_link),
    PageCase("crm/contracts/<int:pk>/<str:action>/", "post", _page_action("activate")),
    PageCase("crm/contracts/<int:pk>/<str:action>/", "post", _page_action("complete", _active), label="complete"),
    PageCase("crm/contracts/<int:pk>/<str:action>/", "post", _page_action("terminate"), label="terminate"),
    PageCase("crm/segments/<int:pk>/", "get", _page_theirs(make_segment)),
    PageCase("crm/segments/<int:pk>/edit/", "get", _page_theirs(make_segment)),
    PageCase("crm/segments/<int:pk>/edit/", "post", _page_theirs(make_segment), _segment_form),
    PageCase("crm/segments/<int:pk>/delete/", "post", _page_theirs(make_segment)),
    PageCase("crm/segments/<int:pk>/export/", "get", _page_theirs(make_segment)),
    PageCase("crm/tag-rules/<int:pk>/edit/", "get", _page_theirs(make_tag_rule)),
    PageCase("crm/tag-rules/<int:pk>/edit/", "post", _page_theirs(make_tag_rule), _rule_form),
    PageCase("crm/tag-rules/<int:pk>/delete/", "post", _page_theirs(make_tag_rule)),
]
