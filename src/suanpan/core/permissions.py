"""Permissions and the role matrix.

One check, `require(membership, perm)`, guards the view, the API endpoint and the service alike. A permission
is a plain string `<app>.<verb>_<thing>`; a role grants a fixed set of them. Owner and admin hold every
permission. The matrix below is the single source of truth; `tests/test_permissions.py` checks UI and API
against it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from suanpan.core.choices import Role
from suanpan.core.exceptions import PermissionRefused

if TYPE_CHECKING:
    from suanpan.core.models import Membership


class P:
    """Permission names."""

    MANAGE_ORGANIZATION = "core.manage_organization"
    VIEW_CUSTOMER = "partners.view_customer"
    CHANGE_CUSTOMER = "partners.change_customer"
    VIEW_SUPPLIER = "partners.view_supplier"
    CHANGE_SUPPLIER = "partners.change_supplier"
    VIEW_PRODUCT = "catalog.view_product"
    CHANGE_PRODUCT = "catalog.change_product"
    VIEW_WAREHOUSE = "inventory.view_warehouse"
    CHANGE_WAREHOUSE = "inventory.change_warehouse"
    MOVE_STOCK = "inventory.move_stock"  # transfers: create, ship, receive, cancel
    COUNT_STOCK = "inventory.count_stock"  # stocktakes: start, enter counts, submit
    APPROVE_STOCKTAKE = "inventory.approve_stocktake"  # approve and post a stocktake's gains and losses
    VIEW_STOCK_REPORTS = "inventory.view_stock_reports"  # in-out-balance, turnover, slow movers, expiring lots
    CHANGE_REORDER = "inventory.change_reorder"  # reorder levels (min/max) and ordering from suggestions
    RUN_COSTING = "inventory.run_costing"  # the month-end costing run (posts the cost-of-goods voucher)
    VIEW_PURCHASE = "purchasing.view_purchase"  # purchase orders, receipts, returns, purchase analysis
    CHANGE_PURCHASE = "purchasing.change_purchase"  # draft purchase orders: create, edit, cancel, close
    APPROVE_PURCHASE = "purchasing.approve_purchase"  # approve a purchase order (commits the money)
    RECEIVE_GOODS = "purchasing.receive_goods"  # post receipts and purchase returns (stock + payable)
    VIEW_PAYABLE = "finance.view_payable"  # open payables, payments, payables aging
    PAY = "finance.pay"  # supplier payments, write-off (核销), applying advances
    VIEW_SALES = "sales.view_sales"  # sales orders, deliveries, returns, invoices, sales reports
    CHANGE_SALES = "sales.change_sales"  # sales orders: create, edit, confirm (reserves stock), cancel, close
    APPROVE_CREDIT = "sales.approve_credit"  # confirm an order beyond the customer's credit limit
    MANAGE_PRICES = "sales.manage_prices"  # price lists and their quantity breaks
    DELIVER_GOODS = "sales.deliver_goods"  # deliveries (stock out, cost of goods), logistics, sales returns
    INVOICE = "sales.invoice"  # issue invoices and credit notes (revenue, output VAT, receivable)
    VIEW_RECEIVABLE = "finance.view_receivable"  # open receivables, receipts, aging, customer statements
    RECEIVE_PAYMENT = "finance.receive_payment"  # customer receipts, write-off (核销), applying advance receipts
    VIEW_CRM = "crm.view_crm"  # leads, follow-ups, pool, opportunities, quotes, contracts, customer 360°, my day
    CHANGE_CRM = "crm.change_crm"  # create and work leads, log follow-ups, claim, opportunities, quotes, contracts
    MANAGE_CRM = "crm.manage_crm"  # channels, stages, assignment and pool rules, reassigning, tag rules
    VIEW_CRM_ANALYTICS = "crm.view_analytics"  # funnel, conversion, RFM, churn list, leaderboard, segments export
    VIEW_LEDGER = "accounting.view_ledger"
    MANAGE_ACCOUNTS = "accounting.manage_accounts"
    ENTER_VOUCHER = "accounting.enter_voucher"
    REVIEW_VOUCHER = "accounting.review_voucher"
    POST_VOUCHER = "accounting.post_voucher"
    CLOSE_PERIOD = "accounting.close_period"
    REOPEN_PERIOD = "accounting.reopen_period"


ALL_PERMISSIONS: frozenset[str] = frozenset(
    value for name, value in vars(P).items() if not name.startswith("_") and isinstance(value, str)
)

ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    Role.OWNER: ALL_PERMISSIONS,
    Role.ADMIN: ALL_PERMISSIONS,
    Role.SALES: frozenset(
        {
            P.VIEW_CUSTOMER,
            P.CHANGE_CUSTOMER,
            P.VIEW_PRODUCT,
            P.VIEW_WAREHOUSE,
            P.VIEW_SALES,
            P.CHANGE_SALES,
            P.VIEW_RECEIVABLE,
            P.VIEW_CRM,
            P.CHANGE_CRM,
        }
    ),
    Role.SERVICE: frozenset({P.VIEW_CUSTOMER, P.VIEW_PRODUCT, P.VIEW_SALES, P.VIEW_CRM}),
    Role.MARKETING: frozenset(
        {P.VIEW_CUSTOMER, P.CHANGE_CUSTOMER, P.VIEW_PRODUCT, P.VIEW_CRM, P.CHANGE_CRM, P.VIEW_CRM_ANALYTICS}
    ),
    Role.PURCHASING: frozenset(
        {
            P.VIEW_SUPPLIER,
            P.CHANGE_SUPPLIER,
            P.VIEW_PRODUCT,
            P.CHANGE_PRODUCT,
            P.VIEW_WAREHOUSE,
            P.VIEW_STOCK_REPORTS,
            P.CHANGE_REORDER,
            P.VIEW_PURCHASE,
            P.CHANGE_PURCHASE,
            P.VIEW_PAYABLE,
        }
    ),
    Role.WAREHOUSE: frozenset(
        {
            P.VIEW_SUPPLIER,
            P.VIEW_PRODUCT,
            P.CHANGE_PRODUCT,
            P.VIEW_WAREHOUSE,
            P.CHANGE_WAREHOUSE,
            P.MOVE_STOCK,
            P.COUNT_STOCK,
            P.VIEW_STOCK_REPORTS,
            P.CHANGE_REORDER,
            P.VIEW_PURCHASE,
            P.RECEIVE_GOODS,
            P.VIEW_CUSTOMER,
            P.VIEW_SALES,
            P.DELIVER_GOODS,
        }
    ),
    Role.FINANCE: frozenset(
        {
            P.VIEW_CUSTOMER,
            P.VIEW_CRM,
            P.VIEW_SUPPLIER,
            P.CHANGE_SUPPLIER,
            P.VIEW_PRODUCT,
            P.VIEW_WAREHOUSE,
            P.APPROVE_STOCKTAKE,
            P.VIEW_STOCK_REPORTS,
            P.RUN_COSTING,
            P.VIEW_LEDGER,
            P.MANAGE_ACCOUNTS,
            P.ENTER_VOUCHER,
            P.REVIEW_VOUCHER,
            P.POST_VOUCHER,
            P.CLOSE_PERIOD,
            P.VIEW_PURCHASE,
            P.VIEW_PAYABLE,
            P.PAY,
            P.VIEW_SALES,
            P.APPROVE_CREDIT,
            P.INVOICE,
            P.VIEW_RECEIVABLE,
            P.RECEIVE_PAYMENT,
        }
    ),
}


def permissions_for_roles(roles: list[str]) -> frozenset[str]:
    granted: set[str] = set()
    for role in roles:
        granted |= ROLE_PERMISSIONS.get(role, frozenset())
    return frozenset(granted)


def has_perm(membership: Membership | None, perm: str) -> bool:
    if membership is None or not membership.is_active:
        return False
    return perm in permissions_for_roles(membership.roles)


def require(membership: Membership | None, perm: str) -> None:
    """Raise PermissionRefused unless the membership's roles grant `perm`."""
    if not has_perm(membership, perm):
        raise PermissionRefused(_("You do not have permission to do this (%(perm)s).") % {"perm": perm})
