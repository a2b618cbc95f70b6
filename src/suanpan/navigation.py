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
        _("CRM"),
        (
            NavItem(_("My day"), "crm:my_day", P.VIEW_CRM, "bi-sunrise"),
            NavItem(_("Leads"), "crm:lead_list", P.VIEW_CRM, "bi-person-plus"),
            NavItem(_("Follow-ups"), "crm:followup_list", P.VIEW_CRM, "bi-chat-left-text"),
            NavItem(_("Opportunities"), "crm:opportunity_board", P.VIEW_CRM, "bi-kanban"),
            NavItem(_("Quotes"), "crm:quote_list", P.VIEW_CRM, "bi-file-earmark-text"),
            NavItem(_("Contracts"), "crm:contract_list", P.VIEW_CRM, "bi-file-earmark-check"),
            NavItem(_("Customer pool"), "crm:pool_list", P.VIEW_CRM, "bi-water"),
            NavItem(_("Segments"), "crm:segment_list", P.VIEW_CRM, "bi-funnel"),
            NavItem(_("CRM analytics"), "crm:analytics", P.VIEW_CRM_ANALYTICS, "bi-pie-chart"),
            NavItem(_("CRM settings"), "crm:settings", P.MANAGE_CRM, "bi-sliders"),
        ),
    ),
    NavGroup(
        _("Customers & sales"),
        (
            NavItem(_("Customers"), "partners:customer_list", P.VIEW_CUSTOMER, "bi-people"),
            NavItem(_("Tags"), "partners:tag_list", P.VIEW_CUSTOMER, "bi-tags"),
            NavItem(_("Sales orders"), "sales:order_list", P.VIEW_SALES, "bi-bag-check"),
            NavItem(_("Price lists"), "sales:price_list_list", P.VIEW_SALES, "bi-currency-yen"),
            NavItem(_("Deliveries"), "sales:delivery_list", P.VIEW_SALES, "bi-truck-front"),
            NavItem(_("Sales returns"), "sales:return_list", P.VIEW_SALES, "bi-arrow-counterclockwise"),
            NavItem(_("Invoices"), "sales:invoice_list", P.VIEW_SALES, "bi-receipt"),
            NavItem(_("Sales analysis"), "sales:report_sales", P.VIEW_SALES, "bi-bar-chart-line"),
            NavItem(_("Gross profit"), "sales:report_profit", P.VIEW_SALES, "bi-graph-up-arrow"),
            NavItem(_("Order fulfilment"), "sales:report_fulfilment", P.VIEW_SALES, "bi-list-check"),
        ),
    ),
    NavGroup(
        _("Purchasing"),
        (
            NavItem(_("Suppliers"), "partners:supplier_list", P.VIEW_SUPPLIER, "bi-truck"),
            NavItem(_("Purchase orders"), "purchasing:order_list", P.VIEW_PURCHASE, "bi-cart"),
            NavItem(_("Purchase receipts"), "purchasing:receipt_list", P.VIEW_PURCHASE, "bi-box-arrow-in-down"),
            NavItem(_("Purchase returns"), "purchasing:return_list", P.VIEW_PURCHASE, "bi-arrow-return-left"),
            NavItem(_("Purchase analysis"), "purchasing:analysis", P.VIEW_PURCHASE, "bi-bar-chart"),
        ),
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
        (
            NavItem(_("Warehouses & stores"), "inventory:warehouse_list", P.VIEW_WAREHOUSE, "bi-building"),
            NavItem(_("Stock balance"), "inventory:stock_balance", P.VIEW_STOCK_REPORTS, "bi-boxes"),
            NavItem(_("Transfers"), "inventory:transfer_list", P.VIEW_WAREHOUSE, "bi-arrow-left-right"),
            NavItem(_("Stocktakes"), "inventory:stocktake_list", P.VIEW_WAREHOUSE, "bi-clipboard-check"),
            NavItem(_("Lots"), "inventory:lot_list", P.VIEW_WAREHOUSE, "bi-upc-scan"),
            NavItem(_("Opening stock"), "inventory:opening_stock", P.VIEW_STOCK_REPORTS, "bi-box-arrow-in-right"),
            NavItem(_("Stock reports"), "inventory:report_in-out-balance", P.VIEW_STOCK_REPORTS, "bi-clipboard-data"),
            NavItem(_("Reorder"), "inventory:reorder", P.CHANGE_REORDER, "bi-cart-plus"),
            NavItem(_("Month-end costing"), "inventory:costing", P.RUN_COSTING, "bi-calculator"),
        ),
    ),
    NavGroup(
        _("Finance"),
        (
            NavItem(_("Open payables"), "finance:payables", P.VIEW_PAYABLE, "bi-receipt"),
            NavItem(_("Supplier payments"), "finance:payment_list", P.VIEW_PAYABLE, "bi-cash-coin"),
            NavItem(_("Payables aging"), "finance:aging", P.VIEW_PAYABLE, "bi-hourglass-split"),
            NavItem(_("Open receivables"), "finance:receivables", P.VIEW_RECEIVABLE, "bi-receipt-cutoff"),
            NavItem(_("Customer receipts"), "finance:receipt_list", P.VIEW_RECEIVABLE, "bi-piggy-bank"),
            NavItem(_("Receivables aging"), "finance:receivables_aging", P.VIEW_RECEIVABLE, "bi-hourglass-bottom"),
            NavItem(_("Customer statements"), "finance:customer_statement", P.VIEW_RECEIVABLE, "bi-file-earmark-text"),
            NavItem(_("Vouchers"), "accounting:voucher_list", P.VIEW_LEDGER, "bi-journal-text"),
            NavItem(_("New voucher"), "accounting:voucher_create", P.ENTER_VOUCHER, "bi-pencil-square"),
            NavItem(_("Trial balance"), "accounting:trial_balance", P.VIEW_LEDGER, "bi-table"),
            NavItem(_("General ledger"), "accounting:general_ledger", P.VIEW_LEDGER, "bi-journal-bookmark"),
            NavItem(
                _("Ledger by customer/supplier"), "accounting:auxiliary_ledger", P.VIEW_LEDGER, "bi-person-lines-fill"
            ),
            NavItem(_("Financial statements"), "accounting:statements", P.VIEW_LEDGER, "bi-file-earmark-bar-graph"),
            NavItem(_("Chart of accounts"), "accounting:account_list", P.VIEW_LEDGER, "bi-list-ol"),
            NavItem(_("Opening balances"), "accounting:opening", P.VIEW_LEDGER, "bi-box-arrow-in-right"),
            NavItem(_("Books settings"), "accounting:books_settings", P.VIEW_LEDGER, "bi-sliders"),
            NavItem(_("Month-end close"), "accounting:period_list", P.VIEW_LEDGER, "bi-calendar-check"),
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
