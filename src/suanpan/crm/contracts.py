"""Contracts (合同): entry while draft, the payment plan (milestones), attachments, linked sales orders, the states
(`CONTRACT_FLOW`), the receivable progress against the plan and the expiry reminders.

Rules
    - A contract is numbered when it is made (HT-202611-0001, `core.numbering`, by the month it is entered).
    - Its customer must be one the actor sees (`partners.selectors.partner_get` with the actor's data scope); an
      opportunity or quote it names must be of the same customer.
    - Header, plan and attachments change only while it is a draft. Activating needs a plan whose milestones add
      up to the contract amount exactly (the refusal names `milestones`).
    - A linked sales order is of the same customer, not cancelled, and in no other contract; orders are linked and
      unlinked while the contract is a draft or in force.
    - Attachments: at most 10 MB, of the types in `ATTACHMENT_TYPES`; stored by Django's default storage (under
      MEDIA_ROOT) and served only through permission-checked views, never as public media URLs.

Data scope: a contract belongs to its `owner`; a rep with OWN scope sees and changes only their own, another's is
"not found" as another organization's.

Receivable progress (`contract_progress`)
    Read from the sales invoices (and credit notes) of the linked orders and the settlement of their receivable
    items, as `sales.invoicing` reads an order's payment progress: an order's share of an invoice is the sum of
    that invoice's lines made from the order's lines; what was received of the invoice is what was allocated
    against its receivable item (receipts, advances applied, credit notes netted — a credit note's own
    allocations are negative, so netting cancels out), taken in proportion to the order's share. For each
    milestone: the plan due up to its date (cumulative), and what was invoiced and received up to that date.
    A milestone is overdue when its date has passed and what was received by today is less than the plan due up
    to it.

Expiry reminders (`contract_expiry_reminders`): each contract in force ending within
`crm_settings(org).contract_expiry_days` days from `today` notifies its owner once (`expiry_notified_on`);
contracts without an owner notify the members who manage the CRM.
"""

from __future__ import annotations

import datetime
import os
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import QuerySet, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from suanpan.core import notifications
from suanpan.core.audit import audit_record, diff, snapshot
from suanpan.core.choices import AuditAction
from suanpan.core.exceptions import DomainError, FieldError, InvalidInput, NotFound
from suanpan.core.inputs import date_input, decimal_input, id_input, text_input
from suanpan.core.models import Membership, Organization
from suanpan.core.money import ZERO, money
from suanpan.core.numbering import next_number
from suanpan.core.permissions import P
from suanpan.core.records import get_scoped
from suanpan.core.scopes import may_see, scoped
from suanpan.core.tenancy import guard, user_id
from suanpan.core.types import Actor
from suanpan.crm.choices import CONTRACT_FLOW, ContractStatus
from suanpan.crm.models import Contract, ContractAttachment, ContractMilestone, Opportunity, Quote
from suanpan.crm.setup import crm_settings
from suanpan.finance.choices import OpenItemKind
from suanpan.finance.models import Allocation, OpenItem
from suanpan.partners.choices import PartnerRole
from suanpan.partners.models import Partner
from suanpan.partners.selectors import partner_get
from suanpan.sales.choices import OrderStatus
from suanpan.sales.invoicing import SOURCE as INVOICE_SOURCE
from suanpan.sales.models import InvoiceLine, SalesOrder

SERIES, PREFIX = "crm_contract", "HT-"
MAX_MILESTONES = 100
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
ATTACHMENT_TYPES = {
    "pdf": "application/pdf",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "png": "image/png",
    "doc": "application/msword",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xls": "application/vnd.ms-excel",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
EXPIRY_KIND = "crm.contract_expiring"
EDITABLE = frozenset({ContractStatus.DRAFT})
LINKABLE = frozenset({ContractStatus.DRAFT, ContractStatus.ACTIVE})
UPLOADABLE = frozenset({ContractStatus.DRAFT, ContractStatus.ACTIVE})


# Selectors ------------------------------------------------------------------------------------------------------------


def contract_list(*, organization: Organization, actor: Actor | None) -> QuerySet[Contract]:
    """The contracts `actor`'s data scope sees (None: every one)."""
    qs = Contract.objects.filter(organization=organization).select_related("customer", "owner")
    return scoped(qs, organization, actor)


def contract_get(*, organization: Organization, actor: Actor | None, pk: object) -> Contract:
    """One contract; another organization's, or one outside `actor`'s data scope, is not found."""
    found = get_scoped(Contract, organization=organization, pk=pk)
    if not may_see(organization, actor, found.owner_id):
        raise NotFound(_("Contract not found."))
    return found


def _lock(organization: Organization, actor: Actor | None, contract_id: object) -> Contract:
    found = contract_get(organization=organization, actor=actor, pk=contract_id)
    return Contract.objects.select_for_update(of=("self",)).select_related("customer").get(pk=found.pk)


def attachment_get(
    *, organization: Organization, actor: Actor | None, contract_id: object, attachment_id: object
) -> ContractAttachment:
    """One attachment of a contract the actor sees (of another contract or organization: not found)."""
    contract = contract_get(organization=organization, actor=actor, pk=contract_id)
    attachment = get_scoped(ContractAttachment, organization=organization, pk=attachment_id)
    if attachment.contract_id != contract.pk:
        raise NotFound(_("Attachment not found."))
    return attachment


# Input ----------------------------------------------------------------------------------------------------------------


def _date(value: object, field: str, errors: list[FieldError], *, required: bool) -> datetime.date | None:
    if value in (None, ""):
        if required:
            errors.append(FieldError(field, _("This field is required.")))
        return None
    try:
        return date_input(value, field)
    except InvalidInput as exc:
        errors += exc.errors
        return None


def _customer(organization: Organization, actor: Actor | None, value: object, errors: list[FieldError]) -> Any:
    try:
        customer = partner_get(organization=organization, role=PartnerRole.CUSTOMER, pk=value, actor=actor)
    except NotFound:
        errors.append(FieldError("customer_id", _("No such customer: %(pk)s.") % {"pk": value}))
        return None
    if not customer.is_active:
        errors.append(FieldError("customer_id", _("%(p)s is inactive.") % {"p": customer}))
        return None
    return customer


def _owner(organization: Organization, actor: Actor | None, value: object, errors: list[FieldError]) -> Any:
    """The owner named by `owner_id`: an active member whose records the actor sees."""
    uid = id_input(value)
    membership = (
        Membership.objects.filter(organization=organization, user_id=uid, is_active=True, user__is_active=True)
        .select_related("user")
        .first()
        if uid is not None
        else None
    )
    if membership is None:
        errors.append(FieldError("owner_id", _("No such member of this organization.")))
        return None
    if not may_see(organization, actor, membership.user_id):
        errors.append(FieldError("owner_id", _("You may only give contracts to members whose records you see.")))
        return None
    return membership.user


def _same_customer(
    model: type[Opportunity] | type[Quote],
    organization: Organization,
    value: object,
    field: str,
    customer: Partner | None,
    errors: list[FieldError],
) -> Any:
    if value in (None, ""):
        return None
    try:
        row = get_scoped(model, organization=organization, pk=value, field=field)
    except InvalidInput as exc:
        errors += exc.errors
        return None
    if customer is not None and row.customer_id != customer.pk:
        errors.append(FieldError(field, _("%(obj)s is of another customer.") % {"obj": row}))
        return None
    return row


def _milestones(organization: Organization, rows: object, errors: list[FieldError]) -> list[ContractMilestone]:
    if rows in (None, ""):
        return []
    if not isinstance(rows, Sequence) or isinstance(rows, str | bytes):
        errors.append(FieldError("milestones", _("A list of milestones is expected.")))
        return []
    if len(rows) > MAX_MILESTONES:
        errors.append(FieldError("milestones", _("At most %(n)d milestones.") % {"n": MAX_MILESTONES}))
        return []
    found: list[ContractMilestone] = []
    for n, row in enumerate(rows):
        where = f"milestones.{n}"
        if not isinstance(row, Mapping):
            errors.append(FieldError(where, _("A milestone has a name, a date and an amount.")))
            continue
        before = len(errors)
        name = text_input(row, "name", 100, [])
        if not name:
            errors.append(FieldError(f"{where}.name", _("This field is required.")))
        elif len(name) > 100 or "\x00" in name:
            errors.append(FieldError(f"{where}.name", _("At most %(n)d characters.") % {"n": 100}))
        due_on = _date(row.get("due_on"), f"{where}.due_on", errors, required=True)
        try:
            amount = decimal_input(row.get("amount"), f"{where}.amount", 2)
        except InvalidInput as exc:
            errors += exc.errors
            continue
        if len(errors) > before or due_on is None:
            continue
        found.append(
            ContractMilestone(organization=organization, seq=n + 1, name=name[:100], due_on=due_on, amount=amount)
        )
    return found


def _fields(
    organization: Organization, actor: Actor | None, data: Mapping[str, Any], *, creating: bool
) -> tuple[dict[str, Any], list[ContractMilestone]]:
    """The header fields and milestones of `data`, every field at fault reported at once."""
    errors: list[FieldError] = []
    header: dict[str, Any] = {
        "title": text_input(data, "title", 200, errors, required=True),
        "notes": text_input(data, "notes", 5000, errors),
    }
    customer = _customer(organization, actor, data.get("customer_id"), errors)
    header["customer"] = customer
    try:
        header["amount"] = decimal_input(data.get("amount"), "amount", 2)
    except InvalidInput as exc:
        errors += exc.errors
    header["start_on"] = _date(data.get("start_on"), "start_on", errors, required=True)
    header["end_on"] = _date(data.get("end_on"), "end_on", errors, required=True)
    if header["start_on"] and header["end_on"] and header["end_on"] < header["start_on"]:
        errors.append(FieldError("end_on", _("A contract cannot end before it starts.")))
    header["signed_on"] = _date(data.get("signed_on"), "signed_on", errors, required=False)
    header["opportunity"] = _same_customer(
        Opportunity, organization, data.get("opportunity_id"), "opportunity_id", customer, errors
    )
    header["quote"] = _same_customer(Quote, organization, data.get("quote_id"), "quote_id", customer, errors)
    if data.get("owner_id") not in (None, ""):
        header["owner"] = _owner(organization, actor, data.get("owner_id"), errors)
    elif creating:
        header["owner"] = actor if actor is not None else (customer.owner if customer is not None else None)
    milestones = _milestones(organization, data.get("milestones"), errors)
    if errors:
        raise InvalidInput(errors)
    return header, milestones


def _summary(contract: Contract, milestones: Sequence[ContractMilestone]) -> dict[str, Any]:
    return {
        **snapshot(contract, exclude=("orders",)),
        "milestones": [f"{m.due_on.isoformat()} {m.name} {m.amount}" for m in milestones],
    }


# Entry ----------------------------------------------------------------------------------------------------------------


def contract_create(*, organization: Organization, actor: Actor | None, data: Mapping[str, Any]) -> Contract:
    """A draft contract: title, customer_id, amount, start_on, end_on, signed_on?, owner_id? (default: the actor,
    or the customer's owner for the system), opportunity_id?, quote_id?, notes?, milestones? [{name, due_on,
    amount}]."""
    with transaction.atomic():
        guard(organization, actor, P.CHANGE_CRM)
        header, milestones = _fields(organization, actor, data, creating=True)
        contract = Contract(organization=organization, created_by_id=user_id(actor), **header)
        contract.number = next_number(organization=organization, series=SERIES, prefix=PREFIX, on=timezone.localdate())
        contract.save()
        for milestone in milestones:
            milestone.contract = contract
        ContractMilestone.objects.bulk_create(milestones)
        audit_record(
            organization=organization,
            actor=actor,
            obj=contract,
            action=AuditAction.CREATE,
            changes=_summary(contract, milestones),
        )
        return contract


def contract_update(
    *, organization: Organization, actor: Actor | None, contract_id: object, data: Mapping[str, Any]
) -> Contract:
    """Replace a draft contract's header and payment plan (same keys as `contract_create`)."""
    with transaction.atomic():
        guard(organization, actor, P.CHANGE_CRM)
        contract = _lock(organization, actor, contract_id)
        if contract.status not in EDITABLE:
            raise DomainError(_("Only a draft contract can be changed."), field="status")
        before = _summary(contract, list(contract.milestones.all()))
        header, milestones = _fields(organization, actor, data, creating=False)
        if contract.orders.exclude(customer=header["customer"]).exists():
            raise InvalidInput.single(
                "customer_id", _("Orders of the present customer are linked: unlink them before changing it.")
            )
        for key, value in header.items():
            setattr(contract, key, value)
        contract.save()
        ContractMilestone.objects.filter(contract=contract).delete()
        for milestone in milestones:
            milestone.contract = contract
        ContractMilestone.objects.bulk_create(milestones)
        changes = diff(before, _summary(contract, milestones))
        if changes:
            audit_record(
                organization=organization, actor=actor, obj=contract, action=AuditAction.UPDATE, changes=changes
            )
        return contract


# States ---------------------------------------------------------------------------------------------------------------


def _transition(organization: Organization, actor: Actor | None, contract: Contract, to: str, **extra: Any) -> Contract:
    CONTRACT_FLOW.check(contract.status, to)
    before = contract.status
    contract.status = to
    contract.save()
    audit_record(
        organization=organization,
        actor=actor,
        obj=contract,
        action=AuditAction.STATE,
        changes={"status": [before, to], **extra},
    )
    return contract


def contract_activate(*, organization: Organization, actor: Actor | None, contract_id: object) -> Contract:
    """Draft → in force, once the payment plan adds up to the contract amount; signed today unless a date is set."""
    with transaction.atomic():
        guard(organization, actor, P.CHANGE_CRM)
        contract = _lock(organization, actor, contract_id)
        CONTRACT_FLOW.check(contract.status, ContractStatus.ACTIVE)
        planned = money(contract.milestones.aggregate(s=Sum("amount"))["s"] or ZERO)  # SQLite sums floats
        if not contract.milestones.exists():
            raise DomainError(_("A contract needs a payment plan: add its milestones."), field="milestones")
        if planned != contract.amount:
            raise DomainError(
                _("The milestones add up to %(planned)s, not the contract amount %(amount)s.")
                % {"planned": planned, "amount": contract.amount},
                field="milestones",
            )
        if contract.signed_on is None:
            contract.signed_on = timezone.localdate()
        return _transition(organization, actor, contract, ContractStatus.ACTIVE, signed_on=str(contract.signed_on))


def contract_complete(*, organization: Organization, actor: Actor | None, contract_id: object) -> Contract:
    """In force → completed."""
    with transaction.atomic():
        guard(organization, actor, P.CHANGE_CRM)
        contract = _lock(organization, actor, contract_id)
        return _transition(organization, actor, contract, ContractStatus.COMPLETED)


def contract_terminate(
    *, organization: Organization, actor: Actor | None, contract_id: object, reason: str = ""
) -> Contract:
    """Draft or in force → terminated, with an optional reason (kept in the history)."""
    with transaction.atomic():
        guard(organization, actor, P.CHANGE_CRM)
        contract = _lock(organization, actor, contract_id)
        reason = str(reason or "").strip()
        if len(reason) > 200 or "\x00" in reason:
            raise InvalidInput.single("reason", _("At most %(n)d characters.") % {"n": 200})
        return _transition(organization, actor, contract, ContractStatus.TERMINATED, reason=reason)


CONTRACT_ACTIONS: dict[str, Callable[..., Contract]] = {
    "activate": contract_activate,
    "complete": contract_complete,
    "terminate": contract_terminate,
}


# Linked orders --------------------------------------------------------------------------------------------------------


def contract_order_link(
    *, organization: Organization, actor: Actor | None, contract_id: object, order_id: object
) -> Contract:
    """Link a sales order of the contract's customer that is in no other contract."""
    with transaction.atomic():
        guard(organization, actor, P.CHANGE_CRM)
        contract = _lock(organization, actor, contract_id)
        if contract.status not in LINKABLE:
            raise DomainError(_("Orders are linked to a draft contract or one in force."), field="status")
        found = get_scoped(SalesOrder, organization=organization, pk=order_id, field="order_id")
        order = SalesOrder.objects.select_for_update(of=("self",)).get(pk=found.pk)
        if order.customer_id != contract.customer_id:
            raise InvalidInput.single("order_id", _("%(o)s is an order of another customer.") % {"o": order})
        if order.status == OrderStatus.CANCELLED:
            raise InvalidInput.single("order_id", _("%(o)s is cancelled.") % {"o": order})
        other = order.contracts.exclude(pk=contract.pk).first()
        if other is not None:
            raise InvalidInput.single(
                "order_id", _("%(o)s is linked to contract %(c)s already.") % {"o": order, "c": other.number}
            )
        contract.orders.add(order)
        audit_record(
            organization=organization,
            actor=actor,
            obj=contract,
            action=AuditAction.UPDATE,
            changes={"orders": ["", f"+{order}"]},
        )
        return contract


def contract_order_unlink(
    *, organization: Organization, actor: Actor | None, contract_id: object, order_id: object
) -> Contract:
    with transaction.atomic():
        guard(organization, actor, P.CHANGE_CRM)
        contract = _lock(organization, actor, contract_id)
        if contract.status not in LINKABLE:
            raise DomainError(_("Orders are unlinked from a draft contract or one in force."), field="status")
        order = contract.orders.filter(pk=id_input(order_id) or 0).first()
        if order is None:
            raise NotFound(_("This order is not linked to the contract."))
        contract.orders.remove(order)
        audit_record(
            organization=organization,
            actor=actor,
            obj=contract,
            action=AuditAction.UPDATE,
            changes={"orders": [f"-{order}", ""]},
        )
        return contract


# Attachments ----------------------------------------------------------------------------------------------------------


def attachment_extension(name: str) -> str:
    return os.path.splitext(name)[1].lower().lstrip(".")


def _clean_name(name: str) -> str:
    base = os.path.basename(str(name or "").replace("\\", "/")).replace("\x00", "").strip()
    if len(base) <= 200:
        return base
    stem, ext = os.path.splitext(base)
    return stem[: 200 - len(ext)] + ext


def contract_attachment_add(
    *, organization: Organization, actor: Actor | None, contract_id: object, upload: UploadedFile | None
) -> ContractAttachment:
    """Attach a file (PDF, image, Word or Excel; at most 10 MB) to a draft contract or one in force."""
    with transaction.atomic():
        guard(organization, actor, P.CHANGE_CRM)
        contract = _lock(organization, actor, contract_id)
        if contract.status not in UPLOADABLE:
            raise DomainError(_("Files are attached to a draft contract or one in force."), field="status")
        if upload is None:
            raise InvalidInput.single("file", _("Choose a file."))
        name = _clean_name(upload.name or "")
        extension = attachment_extension(name)
        if extension not in ATTACHMENT_TYPES:
            raise InvalidInput.single(
                "file",
                _("This type of file cannot be attached; allowed: %(types)s.")
                % {"types": ", ".join(sorted(ATTACHMENT_TYPES))},
            )
        size = upload.size or 0
        if size <= 0:
            raise InvalidInput.single("file", _("The file is empty."))
        if size > MAX_ATTACHMENT_BYTES:
            raise InvalidInput.single(
                "file", _("The file is larger than %(mb)d MB.") % {"mb": MAX_ATTACHMENT_BYTES // (1024 * 1024)}
            )
        upload.name = name
        attachment = ContractAttachment(
            organization=organization, contract=contract, name=name, size=size, uploaded_by_id=user_id(actor)
        )
        attachment.file.save(f"{contract.number}.{extension}", upload, save=False)
        stored = attachment.file.name
        try:
            attachment.save()
        except Exception:
            default_storage.delete(stored)
            raise
        audit_record(
            organization=organization,
            actor=actor,
            obj=contract,
            action=AuditAction.UPDATE,
            changes={"attachments": ["", f"+{name}"]},
        )
        return attachment


def contract_attachment_delete(
    *, organization: Organization, actor: Actor | None, contract_id: object, attachment_id: object
) -> None:
    """Remove a file from a draft contract; the stored file goes once the deletion commits."""
    with transaction.atomic():
        guard(organization, actor, P.CHANGE_CRM)
        contract = _lock(organization, actor, contract_id)
        attachment = attachment_get(
            organization=organization, actor=actor, contract_id=contract.pk, attachment_id=attachment_id
        )
        if contract.status not in EDITABLE:
            raise DomainError(_("Files are removed only from a draft contract."), field="status")
        stored = attachment.file.name
        attachment.delete()
        audit_record(
            organization=organization,
            actor=actor,
            obj=contract,
            action=AuditAction.UPDATE,
            changes={"attachments": [f"-{attachment.name}", ""]},
        )
        transaction.on_commit(lambda: default_storage.delete(stored))


# Receivable progress --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MilestoneProgress:
    milestone: ContractMilestone
    due: Decimal  # the plan due up to this milestone's date (cumulative)
    invoiced: Decimal  # invoiced on the linked orders up to its date (cumulative, net of credit notes)
    received: Decimal  # received of those invoices up to its date (cumulative)
    paid: bool  # what was received by today covers the plan up to this milestone
    overdue: bool  # its date has passed and it is not paid

    @property
    def short(self) -> Decimal:
        """What was missing on its date (plan due − received by then), if anything."""
        return max(self.due - self.received, ZERO)


@dataclass(frozen=True)
class ContractProgress:
    contract: Contract
    today: datetime.date
    amount: Decimal
    planned: Decimal  # Σ milestones
    due: Decimal  # of the plan, due by today
    invoiced: Decimal  # by today
    received: Decimal  # by today
    milestones: list[MilestoneProgress]

    @property
    def overdue(self) -> Decimal:
        return max(self.due - self.received, ZERO)

    @property
    def received_percent(self) -> int:
        return _percent(self.received, self.amount)

    @property
    def invoiced_percent(self) -> int:
        return _percent(self.invoiced, self.amount)

    @property
    def due_percent(self) -> int:
        return _percent(self.due, self.amount)


def _percent(part: Decimal, whole: Decimal) -> int:
    if whole <= 0:
        return 0
    return max(0, min(100, int(part * 100 / whole)))


@dataclass(frozen=True)
class _Invoiced:
    date: datetime.date
    share: Decimal  # of the invoice's total, what the linked orders' lines make
    total: Decimal


def _invoiced(organization: Organization, order_ids: Sequence[int]) -> dict[int, _Invoiced]:
    """Each invoice or credit note with lines of these orders: its date, the orders' share and its total."""
    found: dict[int, _Invoiced] = {}
    rows = (
        InvoiceLine.objects.filter(organization=organization, order_line__order_id__in=order_ids)
        .values("invoice_id", "invoice__date", "invoice__total")
        .annotate(share=Sum("total"))
        .order_by("invoice_id")
    )
    for row in rows:
        found[row["invoice_id"]] = _Invoiced(
            date=row["invoice__date"], share=money(row["share"] or ZERO), total=row["invoice__total"]
        )
    return found


def _settlements(
    organization: Organization, invoice_ids: Sequence[int]
) -> dict[int, list[tuple[datetime.date, Decimal]]]:
    """Each invoice's allocations (date, amount) against its receivable item."""
    items = OpenItem.objects.filter(
        organization=organization,
        kind=OpenItemKind.RECEIVABLE,
        source_type=INVOICE_SOURCE,
        source_id__in=list(invoice_ids),
    )
    found: dict[int, list[tuple[datetime.date, Decimal]]] = defaultdict(list)
    for source_id, day, amount in Allocation.objects.filter(organization=organization, item__in=items).values_list(
        "item__source_id", "date", "amount"
    ):
        found[int(source_id)].append((day, amount))
    return found


def _as_of(
    day: datetime.date,
    invoices: Mapping[int, _Invoiced],
    settled: Mapping[int, list[tuple[datetime.date, Decimal]]],
) -> tuple[Decimal, Decimal]:
    """(invoiced, received) on the linked orders up to and including `day`."""
    invoiced, received = ZERO, ZERO
    for invoice_id, inv in invoices.items():
        if inv.date <= day:
            invoiced += inv.share
        paid = sum((amount for when, amount in settled.get(invoice_id, []) if when <= day), ZERO)
        if paid and inv.total:
            received += paid if inv.share == inv.total else money(paid * inv.share / inv.total)
    return invoiced, received


def contract_progress(
    *, organization: Organization, contract: Contract, today: datetime.date | None = None
) -> ContractProgress:
    """The receivable progress of a contract against its payment plan (see the module docstring)."""
    today = today or timezone.localdate()
    order_ids = list(contract.orders.exclude(status=OrderStatus.CANCELLED).values_list("pk", flat=True))
    invoices = _invoiced(organization, order_ids) if order_ids else {}
    settled = _settlements(organization, list(invoices)) if invoices else {}
    invoiced_now, received_now = _as_of(today, invoices, settled)
    rows: list[MilestoneProgress] = []
    cumulative = ZERO
    for milestone in contract.milestones.order_by("due_on", "seq"):
        cumulative += milestone.amount
        invoiced, received = _as_of(milestone.due_on, invoices, settled)
        paid = received_now >= cumulative
        rows.append(
            MilestoneProgress(
                milestone=milestone,
                due=cumulative,
                invoiced=invoiced,
                received=received,
                paid=paid,
                overdue=milestone.due_on < today and not paid,
            )
        )
    due_now = sum((r.milestone.amount for r in rows if r.milestone.due_on <= today), ZERO)
    return ContractProgress(
        contract=contract,
        today=today,
        amount=contract.amount,
        planned=cumulative,
        due=due_now,
        invoiced=invoiced_now,
        received=received_now,
        milestones=sorted(rows, key=lambda r: r.milestone.seq),
    )


# Expiry reminders -----------------------------------------------------------------------------------------------------


def contract_expiry_reminders(*, organization: Organization, today: datetime.date) -> int:
    """Notify the owner of each contract in force that ends within the organization's reminder days, once per
    contract; returns how many contracts were notified."""
    days = crm_settings(organization).contract_expiry_days
    with transaction.atomic():
        due = list(
            Contract.objects.select_for_update(of=("self",))
            .filter(
                organization=organization,
                status=ContractStatus.ACTIVE,
                end_on__gte=today,
                end_on__lte=today + datetime.timedelta(days=days),
                expiry_notified_on__isnull=True,
            )
            .select_related("owner", "customer")
            .order_by("pk")
        )
        managers: list[Actor] | None = None
        for contract in due:
            if contract.owner is not None and contract.owner.is_active:
                users: list[Actor] = [contract.owner]
            else:
                if managers is None:
                    managers = notifications.members_with(organization, P.MANAGE_CRM)
                users = managers
            left = (contract.end_on - today).days
            notifications.notify(
                organization,
                users,
                EXPIRY_KIND,
                _("Contract %(number)s ends in %(days)d days") % {"number": contract.number, "days": left},
                _("%(title)s with %(customer)s ends on %(end)s; amount %(amount)s.")
                % {
                    "title": contract.title,
                    "customer": contract.customer.name,
                    "end": contract.end_on.isoformat(),
                    "amount": contract.amount,
                },
                reverse("crm:contract_detail", args=[contract.pk]),
                f"contract:{contract.pk}",
            )
            contract.expiry_notified_on = today
            contract.save(update_fields=["expiry_notified_on", "updated_at"])
        return len(due)
