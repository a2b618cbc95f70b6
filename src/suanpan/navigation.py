"""The menu: each entry shows only to members whose roles grant its permission."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from suanpan.core.permissions import P


@dataclass(frozen=True)
class NavItem:
    label: str | Promise
    url_name: str
    permission: str | None
    icon: str


@dataclass(frozen=True)
class NavGroup:
    label: str | Promise
    items: tuple[NavItem, ...]


NAVIGATION: tuple[NavGroup, ...] = (
    NavGroup(_("Overview"), (NavItem(_("Home"), "home", None, "bi-speedometer2"),)),
    NavGroup(
        _("Customers & sales"),
        (
            NavItem(_("Customers"), "partners:customer_list", P.VIEW_CUSTOMER, "bi-people"),
            NavItem(_("Tags"), "partners:tag_list", P.VIEW_CUSTOMER, "bi-tags"),
        ),
    ),
    NavGroup(
        _("Purchasing"),
        (NavItem(_("Suppliers"), "partners:supplier_list", P.VIEW_SUPPLIER, "bi-truck"),),
    ),
    NavGroup(
        _("Goods"),
        (
            NavItem(_("Products"), "catalog:product_list", P.VIEW_PRODUCT, "bi-box-seam"),
            NavItem(_("Categories"), "catalog:category_list", P.VIEW_PRODUCT, "bi-diagram-3"),
            NavItem(_("Units"), "catalog:unit_list", P.VIEW_PRODUCT, "bi-rulers"),
            NavItem(_("VAT rates"), "catalog:vatrate_list", P.VIEW_PRODUCT, "bi-percent"),
        ),
    ),
    NavGroup(
        _("Inventory"),
        (NavItem(_("Warehouses & stores"), "inventory:warehouse_list", P.VIEW_WAREHOUSE, "bi-building"),),
    ),
    NavGroup(
        _("Finance"),
        (
            NavItem(_("Vouchers"), "accounting:voucher_list", P.VIEW_LEDGER, "bi-journal-text"),
            NavItem(_("New voucher"), "accounting:voucher_create", P.ENTER_VOUCHER, "bi-pencil-square"),
            NavItem(_("Trial balance"), "accounting:trial_balance", P.VIEW_LEDGER, "bi-table"),
            NavItem(_("Chart of accounts"), "accounting:account_list", P.VIEW_LEDGER, "bi-list-ol"),
        ),
    ),
    NavGroup(
        _("Settings"),
        (
            NavItem(_("Organization"), "organization_settings", P.MANAGE_ORGANIZATION, "bi-gear"),
            NavItem(_("Imports"), "import_list", None, "bi-file-earmark-arrow-up"),
            NavItem(_("API tokens"), "token_list", None, "bi-key"),
        ),
    ),
)
