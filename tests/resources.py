"""One table of every resource, shared by the isolation, permission and bad-input suites.

Each entry knows how to make a row through the real services in a given organization, the API path and UI
pages of the resource, the permissions that guard it, a valid API payload and UI form, and its API input
schema (from which the bad-input suite derives wrong types, missing fields and over-long strings). Adding a
resource here puts it under every cross-cutting test; the walkers in `test_isolation.py` fail until it is.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.db import connection, models
from django.utils import timezone
from ninja import Schema
from openpyxl import load_workbook

from suanpan.accounting import closing, opening
from suanpan.accounting import services as accounting
from suanpan.accounting.models import Account, Period, Voucher
from suanpan.catalog import schemas as catalog_schemas
from suanpan.catalog import services as catalog
from suanpan.catalog.models import Category, Product, Unit, VatRate
from suanpan.core.models import ApiToken, Membership, Organization
from suanpan.core.permissions import P
from suanpan.inventory import schemas as inventory_schemas
from suanpan.inventory import services as inventory
from suanpan.inventory.models import Warehouse
from suanpan.partners import schemas as partner_schemas
from suanpan.partners import services as partners
from suanpan.partners.choices import PartnerRole
from suanpan.partners.models import Contact, Partner, Tag


def unit(org: Organization) -> Unit:
    return Unit.objects.get(organization=org, code="PCS")


def vat(org: Organization) -> VatRate:
    return VatRate.objects.get(organization=org, name="13%")


def make_customer(org: Organization, name: str = "客户甲") -> Partner:
    return partners.partner_create(organization=org, actor=None, role=PartnerRole.CUSTOMER, data={"name": name})


def make_supplier(org: Organization, name: str = "供应商乙") -> Partner:
    return partners.partner_create(organization=org, actor=None, role=PartnerRole.SUPPLIER, data={"name": name})


def make_product(org: Organization, name: str = "商品") -> Product:
    return catalog.product_create(
        organization=org, actor=None, data={"code": "P-X", "name": name, "unit": unit(org), "vat_rate": vat(org)}
    )


def make_tag(org: Organization, name: str = "标签X") -> Tag:
    return partners.tag_create(organization=org, actor=None, data={"name": name})


def make_unit(org: Organization, name: str = "单位X") -> Unit:
    return catalog.unit_create(organization=org, actor=None, data={"code": "U-X", "name": name})


def make_category(org: Organization, name: str = "分类X") -> Category:
    return catalog.category_create(organization=org, actor=None, data={"code": "C-X", "name": name})


def make_vat_rate(org: Organization, name: str = "X%") -> VatRate:
    return catalog.vat_rate_create(organization=org, actor=None, data={"name": name, "rate": "0.11"})


def make_warehouse(org: Organization, name: str = "仓库X") -> Warehouse:
    return inventory.warehouse_create(organization=org, actor=None, data={"code": "W-X", "name": name})


def make_contact(org: Organization, role: PartnerRole = PartnerRole.CUSTOMER) -> tuple[Partner, Contact]:
    partner = make_customer(org) if role == PartnerRole.CUSTOMER else make_supplier(org)
    contact = partners.contact_create(
        organization=org, actor=None, role=role, partner_id=partner.pk, data={"name": "联系人"}
    )
    return partner, contact


def owner_of(org: Organization) -> Any:
    """The user who opened the organization."""
    return Membership.objects.filter(organization=org).order_by("pk").first().user  # type: ignore[union-attr]


def account(org: Organization, code: str) -> Account:
    return Account.objects.get(organization=org, code=code)


def voucher_payload(org: Organization, summary: str = "接口凭证") -> dict[str, Any]:
    """A valid API voucher: cash received as revenue, in today's (open) period."""
    return {
        "date": timezone.localdate().isoformat(),
        "lines": [
            {"summary": summary, "account_id": account(org, "1001").pk, "debit": "10.00"},
            {"summary": summary, "account_id": account(org, "5001").pk, "credit": "10.00"},
        ],
    }


def make_voucher(org: Organization, name: str = "凭证摘要", state: str = "draft") -> Voucher:
    """A voucher with no maker (set-up), brought to `state` (draft, reviewed, posted) by the owner."""
    lines = [
        {"summary": name, "account": account(org, "1001"), "debit": "10.00"},
        {"summary": name, "account": account(org, "5001"), "credit": "10.00"},
    ]
    voucher = accounting.voucher_create(organization=org, actor=None, date=timezone.localdate(), lines=lines)
    if state in ("reviewed", "posted"):
        accounting.voucher_review(organization=org, actor=owner_of(org), voucher_id=voucher.pk)
    if state == "posted":
        accounting.voucher_post(organization=org, actor=owner_of(org), voucher_id=voucher.pk)
    voucher.refresh_from_db()
    return voucher


def closable_period(org: Organization) -> Period:
    """The first period of the books, ready to close (opening balances accepted by the owner)."""
    if not opening.books_get(organization=org).opening_accepted:
        opening.opening_balances_accept(organization=org, actor=owner_of(org))
    return Period.objects.filter(organization=org).order_by("year", "month").first()  # type: ignore[return-value]


def closed_period(org: Organization) -> Period:
    """The first period, closed by the owner (the latest closed period: the one a reopen may take)."""
    period = closable_period(org)
    return closing.period_close(organization=org, actor=owner_of(org), period_id=period.pk)


@dataclass(frozen=True)
class Resource:
    name: str
    model: type[models.Model]
    make: Callable[..., models.Model]  # make(org, name=...) through the real service
    api: str  # list path under /api/v1; one row is f"{api}{pk}"
    ui: str  # list page; detail f"{ui}{pk}/", plus edit/ and delete/
    view_perm: str
    change_perm: str
    payload: Callable[[Organization], dict[str, Any]]  # a valid API create payload
    ui_form: Callable[[Organization], dict[str, Any]]  # a valid UI form post
    schema_in: type[Schema]
    scope: Callable[[Organization], models.QuerySet[Any]]  # the rows the lists of `org` show
    unique: str | None = "code"  # the field whose duplicate within an organization is refused

    def __str__(self) -> str:
        return self.name


def _partner_form(name: str, role: PartnerRole) -> Callable[[Organization], dict[str, Any]]:
    flag = "is_customer" if role == PartnerRole.CUSTOMER else "is_supplier"
    return lambda org: {
        "kind": "company",
        "name": name,
        "credit_limit": "0",
        "payment_terms_days": "30",
        flag: "on",
        "is_active": "on",
    }


def _product_form(org: Organization) -> dict[str, Any]:
    return {
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
    }


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
        _partner_form("新客户", PartnerRole.CUSTOMER),
        partner_schemas.PartnerIn,
        lambda org: Partner.objects.filter(organization=org, is_customer=True),
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
        _partner_form("新供应商", PartnerRole.SUPPLIER),
        partner_schemas.PartnerIn,
        lambda org: Partner.objects.filter(organization=org, is_supplier=True),
    ),
    Resource(
        "tags",
        Tag,
        make_tag,
        "/tags/",
        "/partners/tags/",
        P.VIEW_CUSTOMER,
        P.CHANGE_CUSTOMER,
        lambda org: {"name": "新标签"},
        lambda org: {"name": "新标签", "color": "primary"},
        partner_schemas.TagIn,
        lambda org: Tag.objects.filter(organization=org),
        unique="name",
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
        _product_form,
        catalog_schemas.ProductIn,
        lambda org: Product.objects.filter(organization=org),
    ),
    Resource(
        "units",
        Unit,
        make_unit,
        "/units/",
        "/catalog/units/",
        P.VIEW_PRODUCT,
        P.CHANGE_PRODUCT,
        lambda org: {"code": "NEWU", "name": "新单位"},
        lambda org: {"code": "NEWU", "name": "新单位", "is_active": "on"},
        catalog_schemas.UnitIn,
        lambda org: Unit.objects.filter(organization=org),
    ),
    Resource(
        "categories",
        Category,
        make_category,
        "/categories/",
        "/catalog/categories/",
        P.VIEW_PRODUCT,
        P.CHANGE_PRODUCT,
        lambda org: {"code": "NEWC", "name": "新分类"},
        lambda org: {"code": "NEWC", "name": "新分类"},
        catalog_schemas.CategoryIn,
        lambda org: Category.objects.filter(organization=org),
    ),
    Resource(
        "vat-rates",
        VatRate,
        make_vat_rate,
        "/vat-rates/",
        "/catalog/vat-rates/",
        P.VIEW_PRODUCT,
        P.CHANGE_PRODUCT,
        lambda org: {"name": "11%", "rate": "0.11"},
        lambda org: {"name": "11%", "rate": "0.11", "is_active": "on"},
        catalog_schemas.VatRateIn,
        lambda org: VatRate.objects.filter(organization=org),
        unique="name",
    ),
    Resource(
        "warehouses",
        Warehouse,
        make_warehouse,
        "/warehouses/",
        "/inventory/warehouses/",
        P.VIEW_WAREHOUSE,
        P.CHANGE_WAREHOUSE,
        lambda org: {"code": "NEWW", "name": "新仓库"},
        lambda org: {"code": "NEWW", "name": "新仓库", "is_active": "on"},
        inventory_schemas.WarehouseIn,
        lambda org: Warehouse.objects.filter(organization=org),
    ),
)
BY_NAME = {r.name: r for r in RESOURCES}


def _scoped(model: Any) -> bool:
    return any(f.name == "organization" for f in model._meta.get_fields())


def org_state(org: Organization) -> dict[str, list[dict[str, Any]]]:
    """Every row of every model that belongs to `org` (tokens through their membership), for before/after
    comparisons: 'nothing changed in that organization' means this is equal."""
    state: dict[str, list[dict[str, Any]]] = {}
    tables = set(connection.introspection.table_names())
    for model in apps.get_models(include_auto_created=True):
        if model._meta.db_table not in tables:  # an app whose migrations are still being written
            continue
        names = {f.name for f in model._meta.get_fields()}
        if "organization" in names:
            qs = model._default_manager.filter(organization=org)
        elif model is ApiToken:
            qs = model._default_manager.filter(membership__organization=org)
        elif model._meta.auto_created:  # a many-to-many table: by its first organization-scoped side
            fk = next(
                (f for f in model._meta.concrete_fields if f.is_relation and _scoped(f.related_model)),
                None,
            )
            if fk is None:
                continue
            qs = model._default_manager.filter(**{f"{fk.name}__organization": org})
        else:
            continue
        state[model._meta.label] = list(qs.order_by("pk").values())
    for row in state.get("core.ApiToken", []):
        row.pop("last_used_at")  # a token of that organization may be used; that is not a change of data
    return state


def xlsx_rows(content: bytes) -> list[tuple[Any, ...]]:
    """The rows of the first worksheet of an Excel file, header included."""
    return list(load_workbook(io.BytesIO(content)).worksheets[0].iter_rows(values_only=True))
