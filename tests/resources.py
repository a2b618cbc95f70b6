"""One table of every resource, shared by the isolation, permission and bad-input suites.

Each entry knows how to make a row through the real services in a given organization, the API path and UI
pages of the resource, the permissions that guard it and a valid API payload. Adding a resource here puts it
under every cross-cutting test.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import models

from suanpan.catalog import services as catalog
from suanpan.catalog.models import Category, Product, Unit, VatRate
from suanpan.core.models import Organization
from suanpan.core.permissions import P
from suanpan.inventory import services as inventory
from suanpan.inventory.models import Warehouse
from suanpan.partners import services as partners
from suanpan.partners.choices import PartnerRole
from suanpan.partners.models import Contact, Partner, Tag


def unit(org: Organization) -> Unit:
    return Unit.objects.get(organization=org, code="PCS")


def vat(org: Organization) -> VatRate:
    return VatRate.objects.get(organization=org, name="13%")


def make_customer(org: Organization) -> Partner:
    return partners.partner_create(organization=org, actor=None, role=PartnerRole.CUSTOMER, data={"name": "客户甲"})


def make_supplier(org: Organization) -> Partner:
    return partners.partner_create(organization=org, actor=None, role=PartnerRole.SUPPLIER, data={"name": "供应商乙"})


def make_product(org: Organization) -> Product:
    return catalog.product_create(
        organization=org, actor=None, data={"code": "P-X", "name": "商品", "unit": unit(org), "vat_rate": vat(org)}
    )


@dataclass(frozen=True)
class Resource:
    name: str
    model: type[models.Model]
    make: Callable[[Organization], models.Model]
    api: str  # list path under /api/v1
    ui: str  # list page; detail is f"{ui}{pk}/"
    view_perm: str
    change_perm: str
    payload: Callable[[Organization], dict[str, Any]]
    ui_form: Callable[[Organization], dict[str, Any]]
    name_field: str = "name"


RESOURCES: tuple[Resource, ...] = (
    Resource(
        "customers",
        Partner,
        make_customer,
        "/customers/",
        "/partners/customers/",
        P.VIEW_CUSTOMER,
        P.CHANGE_CUSTOMER,
        lambda org: {"name": "新客户"},
        lambda org: {"kind": "company", "name": "新客户", "credit_limit": "0", "payment_terms_days": "30"},
    ),
    Resource(
        "suppliers",
        Partner,
        make_supplier,
        "/suppliers/",
        "/partners/suppliers/",
        P.VIEW_SUPPLIER,
        P.CHANGE_SUPPLIER,
        lambda org: {"name": "新供应商"},
        lambda org: {"kind": "company", "name": "新供应商", "credit_limit": "0", "payment_terms_days": "30"},
    ),
    Resource(
        "tags",
        Tag,
        lambda org: partners.tag_create(organization=org, actor=None, data={"name": "标签X"}),
        "/tags/",
        "/partners/tags/",
        P.VIEW_CUSTOMER,
        P.CHANGE_CUSTOMER,
        lambda org: {"name": "新标签"},
        lambda org: {"name": "新标签", "color": "primary"},
    ),
    Resource(
        "products",
        Product,
        make_product,
        "/products/",
        "/catalog/products/",
        P.VIEW_PRODUCT,
        P.CHANGE_PRODUCT,
        lambda org: {"code": "NEW-1", "name": "新商品", "unit_id": unit(org).pk, "vat_rate_id": vat(org).pk},
        lambda org: {
            "code": "NEW-1",
            "name": "新商品",
            "unit": unit(org).pk,
            "vat_rate": vat(org).pk,
            "sale_price": "1",
            "purchase_price": "1",
            "min_stock": "0",
            "max_stock": "0",
            "is_stocked": "on",
            "is_active": "on",
        },
    ),
    Resource(
        "units",
        Unit,
        lambda org: catalog.unit_create(organization=org, actor=None, data={"code": "U-X", "name": "单位X"}),
        "/units/",
        "/catalog/units/",
        P.VIEW_PRODUCT,
        P.CHANGE_PRODUCT,
        lambda org: {"code": "NEWU", "name": "新单位"},
        lambda org: {"code": "NEWU", "name": "新单位", "is_active": "on"},
    ),
    Resource(
        "categories",
        Category,
        lambda org: catalog.category_create(organization=org, actor=None, data={"code": "C-X", "name": "分类X"}),
        "/categories/",
        "/catalog/categories/",
        P.VIEW_PRODUCT,
        P.CHANGE_PRODUCT,
        lambda org: {"code": "NEWC", "name": "新分类"},
        lambda org: {"code": "NEWC", "name": "新分类"},
    ),
    Resource(
        "vat-rates",
        VatRate,
        lambda org: catalog.vat_rate_create(organization=org, actor=None, data={"name": "X%", "rate": "0.11"}),
        "/vat-rates/",
        "/catalog/vat-rates/",
        P.VIEW_PRODUCT,
        P.CHANGE_PRODUCT,
        lambda org: {"name": "11%", "rate": "0.11"},
        lambda org: {"name": "11%", "rate": "0.11", "is_active": "on"},
    ),
    Resource(
        "warehouses",
        Warehouse,
        lambda org: inventory.warehouse_create(organization=org, actor=None, data={"code": "W-X", "name": "仓库X"}),
        "/warehouses/",
        "/inventory/warehouses/",
        P.VIEW_WAREHOUSE,
        P.CHANGE_WAREHOUSE,
        lambda org: {"code": "NEWW", "name": "新仓库"},
        lambda org: {"code": "NEWW", "name": "新仓库", "is_active": "on"},
    ),
)


def make_contact(org: Organization) -> tuple[Partner, Contact]:
    customer = make_customer(org)
    contact = partners.contact_create(
        organization=org, actor=None, role=PartnerRole.CUSTOMER, partner_id=customer.pk, data={"name": "联系人"}
    )
    return customer, contact
