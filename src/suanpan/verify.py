"""`suanpan verify`: recompute what can be recomputed and check the invariants the services maintain.

Each check takes one organization and returns the differences it found, as readable lines. A clean install
returns none. Ledger checks (trial balance, stock = Σ moves, control accounts = Σ open items) join this list
as the ledgers arrive; each is a plain function added to CHECKS.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from suanpan.catalog.models import Category, Product
from suanpan.core.choices import AuditAction
from suanpan.core.models import AuditEvent, Membership, Organization
from suanpan.core.validators import is_valid_credit_code
from suanpan.inventory.models import Warehouse
from suanpan.partners.models import Contact, Partner


@dataclass(frozen=True)
class Check:
    name: str
    run: Callable[[Organization], list[str]]


def _members(org: Organization) -> set[int]:
    return set(Membership.objects.filter(organization=org, is_active=True).values_list("user_id", flat=True))


def references_stay_inside(org: Organization) -> list[str]:
    """Every reference of a business row points to a row of the same organization (or an active member)."""
    members = _members(org)
    products = Product.objects.filter(organization=org)
    tagged = Partner.tags.through.objects.filter(partner__organization=org).exclude(tag__organization=org)
    offenders: list[tuple[str, Iterable[object]]] = [
        (
            "partner {}: owner is not an active member",
            Partner.objects.filter(organization=org, owner__isnull=False)
            .exclude(owner_id__in=members)
            .values_list("code", flat=True),
        ),
        ("partner {}: has a tag of another organization", tagged.values_list("partner__code", flat=True)),
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


def category_tree_has_no_cycles(org: Organization) -> list[str]:
    parents = dict(Category.objects.filter(organization=org).values_list("pk", "parent_id"))
    codes = dict(Category.objects.filter(organization=org).values_list("pk", "code"))
    problems = []
    for start in parents:
        seen: set[int] = set()
        node: int | None = start
        while node is not None:
            if node in seen:
                problems.append(f"category {codes[start]}: its parent chain loops")
                break
            seen.add(node)
            node = parents.get(node)
    return problems


def partners_have_a_role(org: Organization) -> list[str]:
    bad = Partner.objects.filter(organization=org, is_customer=False, is_supplier=False)
    return [f"partner {p.code}: neither customer nor supplier" for p in bad]


def credit_codes_are_valid(org: Organization) -> list[str]:
    rows: Iterable[tuple[str, str]] = (
        Partner.objects.filter(organization=org).exclude(credit_code="").values_list("code", "credit_code")
    )
    problems = [f"partner {code}: invalid credit code {cc}" for code, cc in rows if not is_valid_credit_code(cc)]
    if org.credit_code and not is_valid_credit_code(org.credit_code):
        problems.append(f"organization: invalid credit code {org.credit_code}")
    return problems


def rows_have_their_creation_audited(org: Organization) -> list[str]:
    """Every master-data row was created through a service, which records who created it."""
    problems = []
    for model in (Partner, Contact, Product, Category, Warehouse):
        label = model._meta.label_lower
        audited = set(
            AuditEvent.objects.filter(organization=org, object_type=label, action=AuditAction.CREATE).values_list(
                "object_id", flat=True
            )
        )
        for pk in model._default_manager.filter(organization=org).values_list("pk", flat=True):
            if str(pk) not in audited:
                problems.append(f"{label} #{pk}: no audit record of its creation")
    return problems


CHECKS: tuple[Check, ...] = (
    Check("references stay inside the organization", references_stay_inside),
    Check("category tree has no cycles", category_tree_has_no_cycles),
    Check("every partner is a customer or a supplier", partners_have_a_role),
    Check("stored credit codes are valid", credit_codes_are_valid),
    Check("every record's creation is audited", rows_have_their_creation_audited),
)


def verify(organizations: Iterable[Organization]) -> dict[str, dict[str, list[str]]]:
    """{organization name: {check name: differences}} for every check that found something."""
    report: dict[str, dict[str, list[str]]] = {}
    for org in organizations:
        for check in CHECKS:
            found = check.run(org)
            if found:
                report.setdefault(f"#{org.pk} {org.name}", {})[check.name] = found
    return report
