"""`suanpan verify`: recompute what can be recomputed and check the invariants the services maintain.

A check is a plain function `(organization) -> list of differences` (readable lines; none when all is well),
registered with `@check("name")`. `suanpan verify` runs every registered check for every organization and
exits 1 on any difference. The services keep these invariants on every write; a difference means a row was
written behind their back (a manual SQL fix, a faulty migration, a restored backup) or a service has a bug.

Checked today, master data:
- every reference of a business row stays inside its organization (users: active members);
- the category tree has no cycles;
- every partner is a customer, a supplier or both;
- stored 统一社会信用代码 are valid (format and check character);
- number sequences are ahead of the numbers already in use (`NUMBERED_SERIES`);
- every master-data row's creation is in the audit trail.

Ledgers (each ledger's checks live with it, e.g. `accounting/checks.py`, and are registered at the end of this
module): every posted voucher balances and matches its stored totals; account balances = Σ posted lines; the
trial balance balances. Stock (`inventory/checks.py`): stock levels and lot stock = Σ stock moves, no negative
on-hand unless allowed, and the inventory account 1405 = the stock moves (+ goods in transit) of each document
that posts vouchers (the rule is stated there). Still to come as their ledgers arrive: receivable/payable
control accounts = Σ open items; document totals = Σ lines. Documents numbered per period add their series to
`NUMBERED_SERIES`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db import models

from suanpan.accounting import checks as accounting_checks
from suanpan.catalog.models import Category, Product, Unit, VatRate
from suanpan.core.choices import AuditAction
from suanpan.core.models import AuditEvent, Membership, NumberSequence, Organization
from suanpan.core.validators import is_valid_credit_code
from suanpan.finance import checks as finance_checks
from suanpan.finance.models import Payment
from suanpan.inventory import checks as inventory_checks
from suanpan.inventory import costing as inventory_costing
from suanpan.inventory.models import StockMove, Stocktake, Transfer, Warehouse
from suanpan.partners.models import Contact, Partner, Tag
from suanpan.purchasing import checks as purchasing_checks
from suanpan.purchasing.models import PurchaseOrder, PurchaseReturn, Receipt
from suanpan.sales import checks as sales_checks
from suanpan.sales import invoice_checks as sales_invoice_checks
from suanpan.sales.models import Delivery, Invoice, SalesOrder, SalesReturn

CheckFunction = Callable[[Organization], list[str]]


@dataclass(frozen=True)
class Check:
    name: str
    run: CheckFunction


@dataclass(frozen=True)
class CheckResult:
    check: str
    differences: list[str]


CHECKS: list[Check] = []


def check(name: str) -> Callable[[CheckFunction], CheckFunction]:
    """Register a check under a readable name; checks run in the order they are registered."""

    def register(function: CheckFunction) -> CheckFunction:
        CHECKS.append(Check(name, function))
        return function

    return register


def _members(org: Organization) -> set[int]:
    return set(Membership.objects.filter(organization=org, is_active=True).values_list("user_id", flat=True))


@check("references stay inside the organization")
def references_stay_inside(org: Organization) -> list[str]:
    """Every reference of a business row points to a row of the same organization, and users are its members."""
    members = _members(org)
    products = Product.objects.filter(organization=org)
    partner_tags = Partner.tags.through.objects.filter(partner__organization=org).exclude(tag__organization=org)
    offenders: list[tuple[str, Iterable[object]]] = [
        (
            "partner {}: owner is not an active member",
            Partner.objects.filter(organization=org, owner__isnull=False)
            .exclude(owner_id__in=members)
            .values_list("code", flat=True),
        ),
        ("partner {}: has a tag of another organization", partner_tags.values_list("partner__code", flat=True)),
        (
            "contact #{}: its partner belongs to another organization",
            Contact.objects.filter(organization=org).exclude(partner__organization=org).values_list("pk", flat=True),
        ),
        (
            "product {}: unit belongs to another organization",
            products.exclude(unit__organization=org).values_list("code", flat=True),
        ),
        (
            "product {}: VAT rate belongs to another organization",
            products.exclude(vat_rate__organization=org).values_list("code", flat=True),
        ),
        (
            "product {}: category belongs to another organization",
            products.filter(category__isnull=False).exclude(category__organization=org).values_list("code", flat=True),
        ),
        (
            "category {}: parent belongs to another organization",
            Category.objects.filter(organization=org, parent__isnull=False)
            .exclude(parent__organization=org)
            .values_list("code", flat=True),
        ),
        (
            "warehouse {}: manager is not an active member",
            Warehouse.objects.filter(organization=org, manager__isnull=False)
            .exclude(manager_id__in=members)
            .values_list("code", flat=True),
        ),
    ]
    return [message.format(key) for message, keys in offenders for key in keys]


@check("category tree has no cycles")
def category_tree_has_no_cycles(org: Organization) -> list[str]:
    rows = list(Category.objects.filter(organization=org).order_by("code").values_list("pk", "code", "parent_id"))
    parents = {pk: parent for pk, _code, parent in rows}
    problems = []
    for start, code, _parent in rows:
        seen: set[int] = set()
        node: int | None = start
        while node is not None:
            if node in seen:
                problems.append(f"category {code}: its parent chain loops")
                break
            seen.add(node)
            node = parents.get(node)
    return problems


@check("every partner is a customer or a supplier")
def partners_have_a_role(org: Organization) -> list[str]:
    bad = Partner.objects.filter(organization=org, is_customer=False, is_supplier=False).order_by("code")
    return [f"partner {code}: neither customer nor supplier" for code in bad.values_list("code", flat=True)]


@check("stored credit codes are valid")
def credit_codes_are_valid(org: Organization) -> list[str]:
    rows = Partner.objects.filter(organization=org).exclude(credit_code="").order_by("code")
    problems = [
        f"partner {code}: invalid credit code {cc}"
        for code, cc in rows.values_list("code", "credit_code")
        if not is_valid_credit_code(cc)
    ]
    if org.credit_code and not is_valid_credit_code(org.credit_code):
        problems.append(f"organization: invalid credit code {org.credit_code}")
    return problems


@dataclass(frozen=True)
class NumberedSeries:
    """Where the numbers of one `core.numbering` series end up: `model.field`, matching `pattern`.

    `pattern` has a group `number` and, for series numbered per period, a group `period` (e.g. 202611).
    `prefix` narrows the rows read from the database.
    """

    series: str
    model: type[models.Model]
    field: str
    prefix: str
    pattern: re.Pattern[str]


NUMBERED_SERIES: tuple[NumberedSeries, ...] = (
    NumberedSeries("partner.customer", Partner, "code", "C", re.compile(r"^C(?P<number>\d{5,})$")),
    NumberedSeries("partner.supplier", Partner, "code", "S", re.compile(r"^S(?P<number>\d{5,})$")),
    NumberedSeries(
        "inventory.transfer", Transfer, "number", "TR", re.compile(r"^TR(?P<period>\d{6})-(?P<number>\d{4,})$")
    ),
    NumberedSeries(
        "inventory.stocktake", Stocktake, "number", "PD", re.compile(r"^PD(?P<period>\d{6})-(?P<number>\d{4,})$")
    ),
    NumberedSeries(  # opening-stock batches: their number is the label of their moves
        "inventory.opening_stock", StockMove, "source_label", "QC", re.compile(r"^QC(?P<number>\d{4,})$")
    ),
    NumberedSeries(
        "purchase_order", PurchaseOrder, "number", "PO", re.compile(r"^PO(?P<period>\d{6})-(?P<number>\d{4,})$")
    ),
    NumberedSeries(
        "purchase_receipt", Receipt, "number", "GR", re.compile(r"^GR(?P<period>\d{6})-(?P<number>\d{4,})$")
    ),
    NumberedSeries(
        "purchase_return", PurchaseReturn, "number", "PR", re.compile(r"^PR(?P<period>\d{6})-(?P<number>\d{4,})$")
    ),
    NumberedSeries("payment", Payment, "number", "FK", re.compile(r"^FK(?P<period>\d{6})-(?P<number>\d{4,})$")),
    NumberedSeries(
        "customer_receipt", Payment, "number", "SK", re.compile(r"^SK(?P<period>\d{6})-(?P<number>\d{4,})$")
    ),
    NumberedSeries("sales_order", SalesOrder, "number", "SO", re.compile(r"^SO(?P<period>\d{6})-(?P<number>\d{4,})$")),
    NumberedSeries("sales_delivery", Delivery, "number", "CK", re.compile(r"^CK(?P<period>\d{6})-(?P<number>\d{4,})$")),
    NumberedSeries(
        "sales_return", SalesReturn, "number", "XT", re.compile(r"^XT(?P<period>\d{6})-(?P<number>\d{4,})$")
    ),
    NumberedSeries("sales_invoice", Invoice, "number", "FP", re.compile(r"^FP(?P<period>\d{6})-(?P<number>\d{4,})$")),
)


@check("number sequences are ahead of the numbers in use")
def sequences_are_ahead(org: Organization) -> list[str]:
    """A sequence behind the numbers already used would hand out a number again."""
    problems = []
    for spec in NUMBERED_SERIES:
        highest: dict[str, tuple[int, str]] = {}
        values = (
            spec.model._default_manager.filter(organization=org, **{f"{spec.field}__startswith": spec.prefix})
            .values_list(spec.field, flat=True)
            .distinct()
        )
        for value in values:
            match = spec.pattern.match(str(value))
            if match is None:
                continue
            period = match.groupdict().get("period") or ""
            number = int(match["number"])
            if number > highest.get(period, (0, ""))[0]:
                highest[period] = (number, str(value))
        taken = dict(
            NumberSequence.objects.filter(organization=org, series=spec.series).values_list("period", "last_number")
        )
        for period, (number, value) in sorted(highest.items()):
            last = taken.get(period, 0)
            if last < number:
                where = f"{spec.series} {period}".rstrip()
                problems.append(f"sequence {where} stands at {last}, but {value} is already in use")
    return problems


AUDITED_MODELS: tuple[type[models.Model], ...] = (Partner, Contact, Tag, Product, Category, Unit, VatRate, Warehouse)


@check("every record's creation is audited")
def rows_have_their_creation_audited(org: Organization) -> list[str]:
    """Every master-data row was created through a service, which records who created it."""
    problems = []
    for model in AUDITED_MODELS:
        label = model._meta.label_lower
        audited = set(
            AuditEvent.objects.filter(organization=org, object_type=label, action=AuditAction.CREATE).values_list(
                "object_id", flat=True
            )
        )
        for pk in model._default_manager.filter(organization=org).order_by("pk").values_list("pk", flat=True):
            if str(pk) not in audited:
                problems.append(f"{label} #{pk}: no audit record of its creation")
    return problems


# Ledger checks live with their ledgers and are registered here, so that this module is the one list.
check("posted vouchers balance (Σ debit = Σ credit = stored totals)")(accounting_checks.vouchers_balance)
check("account balances = Σ posted voucher lines")(accounting_checks.balances_match_lines)
check("trial balance balances")(accounting_checks.trial_balance_balances)
check("stock levels = Σ stock moves (quantity and value)")(inventory_checks.levels_match_moves)
check("lot stock = Σ stock moves of the lot")(inventory_checks.lots_match_moves)
check("no negative stock unless allowed")(inventory_checks.no_negative_stock)
check("inventory account 1405 = stock moves (+ in transit) of each vouchered document")(
    inventory_checks.inventory_account_matches_documents
)
check("payables 2202 / advances 1123 = Σ open items, per supplier")(finance_checks.control_accounts_match_open_items)
check("receivables 1122 / advance receipts 2203 = Σ open items, per customer")(
    finance_checks.receivable_accounts_match_open_items
)
check("no open item settled beyond its amount")(finance_checks.items_not_over_settled)
check("purchase order lines: received/returned = Σ receipts/returns")(purchasing_checks.received_matches_receipts)
check("purchase documents: totals = Σ lines")(purchasing_checks.totals_match_lines)
check("sales invoices: invoiced quantities of delivery/order lines = Σ invoice lines")(
    sales_invoice_checks.invoiced_matches_invoice_lines
)
check("sales invoices and credit notes: totals = Σ lines")(sales_invoice_checks.invoice_totals_match_lines)
check("sales invoices: one receivable item each, for the total")(sales_invoice_checks.invoices_have_their_receivable)
check("reserved stock = Σ reservations of open sales order lines")(sales_checks.reserved_matches_open_orders)
check("sales order lines: delivered/returned = Σ deliveries/returns")(sales_checks.delivered_matches_deliveries)
check("deliveries and sales returns: totals = Σ lines")(sales_checks.delivery_totals_match_lines)
check("monthly weighted average: closed months costed after their last move")(
    inventory_costing.closed_months_are_costed
)


def verify_organization(org: Organization) -> list[CheckResult]:
    """Every check's result for one organization, in the order the checks are registered."""
    return [CheckResult(c.name, c.run(org)) for c in CHECKS]


def verify(organizations: Iterable[Organization]) -> dict[str, dict[str, list[str]]]:
    """{"#id name": {check name: differences}} for every check that found something; {} when clean."""
    report: dict[str, dict[str, list[str]]] = {}
    for org in organizations:
        for result in verify_organization(org):
            if result.differences:
                report.setdefault(f"#{org.pk} {org.name}", {})[result.check] = result.differences
    return report
