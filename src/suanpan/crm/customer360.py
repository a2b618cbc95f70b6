"""The customer 360° view (客户360): key figures, one timeline of everything that happened with the customer, the
products they buy with the stock available now, and their tags (added and removed by hand here).

Reads only, except the two tag services. Each part reads the ledgers it comes from:

- receivable balance and overdue: `sales.orders.customer_exposure` (open receivable items, as the credit check and
  `/customers/{id}/exposure` read them);
- lifetime value: Σ amount excl. VAT of the customer's invoices net of credit notes up to today, and the last
  purchase: the date of the last invoice — both as `crm.rfm` reads them; the RFM class from `crm.rfm.rfm_scores`;
- the timeline: follow-ups (on the customer and its opportunities), opportunities' stage changes, quotes,
  contracts, sales orders (not drafts), deliveries, invoices and credit notes, sales returns and receipts; each
  kind only for members who may see it (CRM records: VIEW_CRM, within the data scope for opportunities, quotes and
  contracts; sales documents: VIEW_SALES; receipts: VIEW_RECEIVABLE). Newest first, by document date then time
  entered; read a page at a time (each source reads at most one page beyond the offset);
- top products: ordered amount excl. VAT on the customer's orders (not drafts, not cancelled) in the 365 days up
  to today, with what is available now in every warehouse (on hand − reserved,
  `inventory.selectors.product_stock_by_warehouse`).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Count, Max, Q, Sum
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from suanpan.catalog.models import Product
from suanpan.core.audit import audit_record
from suanpan.core.choices import AuditAction
from suanpan.core.exceptions import InvalidInput
from suanpan.core.models import Organization
from suanpan.core.money import ZERO, money
from suanpan.core.permissions import P, has_perm
from suanpan.core.records import get_scoped
from suanpan.core.scopes import scoped
from suanpan.core.tenancy import guard, membership_for
from suanpan.core.types import Actor
from suanpan.crm.models import Contract, FollowUp, Opportunity, Quote, StageChange
from suanpan.crm.rfm import RfmScore, rfm_scores
from suanpan.crm.segments import check_manual_tag
from suanpan.finance.choices import PaymentKind
from suanpan.finance.models import Payment
from suanpan.inventory.selectors import ProductStock, product_stock_by_warehouse
from suanpan.partners import services as partner_services
from suanpan.partners.choices import PartnerRole
from suanpan.partners.models import Partner, Tag
from suanpan.partners.selectors import partner_get
from suanpan.sales.choices import InvoiceKind, OrderStatus
from suanpan.sales.models import Delivery, Invoice, SalesOrder, SalesOrderLine, SalesReturn
from suanpan.sales.orders import customer_exposure

TOP_DAYS = 365
TOP_PRODUCTS = 5
PAGE = 20
SUMMARY_MAX = 120

KIND_PERMS = {
    "follow_up": P.VIEW_CRM,
    "stage": P.VIEW_CRM,
    "quote": P.VIEW_CRM,
    "contract": P.VIEW_CRM,
    "order": P.VIEW_SALES,
    "delivery": P.VIEW_SALES,
    "invoice": P.VIEW_SALES,
    "credit_note": P.VIEW_SALES,
    "return": P.VIEW_SALES,
    "receipt": P.VIEW_RECEIVABLE,
}
ICONS = {
    "follow_up": "chat-dots",
    "stage": "signpost-split",
    "quote": "file-earmark-text",
    "contract": "file-earmark-check",
    "order": "cart",
    "delivery": "truck",
    "invoice": "receipt",
    "credit_note": "receipt-cutoff",
    "return": "arrow-return-left",
    "receipt": "cash-coin",
}


def customer_for(*, organization: Organization, actor: Actor | None, pk: object) -> Partner:
    """The customer of the page: one the actor's data scope sees (else not found)."""
    guard(organization, actor, P.VIEW_CRM)
    return partner_get(organization=organization, role=PartnerRole.CUSTOMER, pk=pk, actor=actor)


def visible_kinds(organization: Organization, actor: Actor | None) -> frozenset[str]:
    """The timeline kinds the actor may see (the system: all)."""
    if actor is None:
        return frozenset(KIND_PERMS)
    membership = membership_for(organization=organization, user=actor)
    return frozenset(kind for kind, perm in KIND_PERMS.items() if has_perm(membership, perm))


# Key figures ----------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class KeyFigures:
    receivable: Decimal | None  # None: the actor may not see receivables
    overdue: Decimal | None
    credit_limit: Decimal
    lifetime_value: Decimal
    orders: int
    last_purchase: datetime.date | None
    rfm: RfmScore | None

    @property
    def rfm_label(self) -> str:
        from suanpan.crm.choices import RfmClass

        return str(RfmClass(self.rfm.rfm_class).label) if self.rfm else ""


def key_figures(
    *, organization: Organization, actor: Actor | None, customer: Partner, today: datetime.date | None = None
) -> KeyFigures:
    today = today or timezone.localdate()
    may_see_receivables = actor is None or has_perm(
        membership_for(organization=organization, user=actor), P.VIEW_RECEIVABLE
    )
    receivable = overdue = None
    if may_see_receivables:
        exposure = customer_exposure(organization, customer)
        receivable, overdue = exposure.receivable, exposure.overdue
    invoices = Invoice.objects.filter(organization=organization, customer=customer, date__lte=today)
    sums = invoices.aggregate(net=Sum("amount"), last=Max("date", filter=Q(kind=InvoiceKind.INVOICE)))
    orders = (
        SalesOrder.objects.filter(organization=organization, customer=customer)
        .exclude(status__in=(OrderStatus.DRAFT, OrderStatus.CANCELLED))
        .count()
    )
    return KeyFigures(
        receivable=receivable,
        overdue=overdue,
        credit_limit=customer.credit_limit,
        lifetime_value=money(sums["net"] if sums["net"] is not None else ZERO),  # SQLite sums decimals as floats
        orders=orders,
        last_purchase=sums["last"],
        rfm=rfm_scores(organization=organization, today=today).get(customer.pk),
    )


# Top products ---------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TopProduct:
    product: Product
    quantity: Decimal
    amount: Decimal
    available: Decimal | None  # None: not stocked (a service)
    warehouses: list[ProductStock]


def top_products(
    *, organization: Organization, customer: Partner, today: datetime.date | None = None, limit: int = TOP_PRODUCTS
) -> list[TopProduct]:
    """The products the customer ordered most (amount excl. VAT, last 365 days) and what is available of each."""
    today = today or timezone.localdate()
    rows = list(
        SalesOrderLine.objects.filter(
            organization=organization,
            order__customer=customer,
            order__date__gt=today - datetime.timedelta(days=TOP_DAYS),
            order__date__lte=today,
        )
        .exclude(order__status__in=(OrderStatus.DRAFT, OrderStatus.CANCELLED))
        .values("product_id")
        .annotate(amount=Sum("amount"), quantity=Sum("quantity"), orders=Count("order", distinct=True))
        .order_by("-amount", "product_id")[:limit]
    )
    products = Product.objects.filter(organization=organization, pk__in=[r["product_id"] for r in rows]).select_related(
        "unit"
    )
    by_id = {p.pk: p for p in products}
    found = []
    for row in rows:
        product = by_id[row["product_id"]]
        stock = product_stock_by_warehouse(organization=organization, product=product) if product.is_stocked else []
        found.append(
            TopProduct(
                product=product,
                quantity=row["quantity"].quantize(Decimal("0.0001")).normalize(),
                amount=money(row["amount"]),
                available=sum((s.available for s in stock), ZERO) if product.is_stocked else None,
                warehouses=stock,
            )
        )
    return found


# Timeline -------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TimelineEntry:
    day: datetime.date
    at: datetime.datetime  # orders the entries of one day
    kind: str
    number: str
    summary: str
    amount: Decimal | None
    href: str

    @property
    def label(self) -> str:
        return str(KIND_LABELS[self.kind]())

    @property
    def icon(self) -> str:
        return ICONS[self.kind]


KIND_LABELS: dict[str, Callable[[], str]] = {
    "follow_up": lambda: _("Follow-up"),
    "stage": lambda: _("Opportunity stage"),
    "quote": lambda: _("Quote"),
    "contract": lambda: _("Contract"),
    "order": lambda: _("Sales order"),
    "delivery": lambda: _("Delivery"),
    "invoice": lambda: _("Invoice"),
    "credit_note": lambda: _("Credit note"),
    "return": lambda: _("Sales return"),
    "receipt": lambda: pgettext("money received", "Receipt"),
}


@dataclass(frozen=True)
class Timeline:
    entries: list[TimelineEntry]
    offset: int
    has_more: bool

    @property
    def next_offset(self) -> int:
        return self.offset + len(self.entries)


def _url(name: str, pk: int) -> str:
    try:
        return reverse(name, args=[pk])
    except NoReverseMatch:
        return ""


def _short(text: str) -> str:
    text = " ".join(str(text or "").split())
    return text if len(text) <= SUMMARY_MAX else text[: SUMMARY_MAX - 1] + "…"


def _local(at: datetime.datetime) -> datetime.date:
    return timezone.localtime(at).date()


def _sources(
    organization: Organization, actor: Actor | None, customer: Partner, kinds: frozenset[str], take: int
) -> Iterable[TimelineEntry]:
    """Up to `take` newest entries of each kind the actor sees."""
    if "follow_up" in kinds:
        for f in (
            FollowUp.objects.filter(organization=organization)
            .filter(Q(customer=customer) | Q(opportunity__customer=customer))
            .select_related("user", "opportunity")
            .order_by("-happened_at", "-id")[:take]
        ):
            who = f.user.get_full_name() or f.user.get_username()
            yield TimelineEntry(
                day=_local(f.happened_at),
                at=f.happened_at,
                kind="follow_up",
                number=f.get_kind_display(),
                summary=_short(f"{who}: {f.content}"),
                amount=None,
                href=f"/crm/opportunities/{f.opportunity_id}/" if f.opportunity_id else "",
            )
    if "stage" in kinds:
        visible = scoped(Opportunity.objects.filter(organization=organization, customer=customer), organization, actor)
        for s in (
            StageChange.objects.filter(organization=organization, opportunity__in=visible)
            .select_related("opportunity", "from_stage", "to_stage")
            .order_by("-entered_at", "-id")[:take]
        ):
            move = f"{s.from_stage.name} → {s.to_stage.name}" if s.from_stage else f"→ {s.to_stage.name}"
            yield TimelineEntry(
                day=_local(s.entered_at),
                at=s.entered_at,
                kind="stage",
                number=s.opportunity.number,
                summary=_short(f"{s.opportunity.name}: {move}"),
                amount=s.opportunity.amount,
                href=f"/crm/opportunities/{s.opportunity_id}/",
            )
    if "quote" in kinds:
        for q in scoped(
            Quote.objects.filter(organization=organization, customer=customer), organization, actor
        ).order_by("-date", "-created_at", "-id")[:take]:
            yield TimelineEntry(
                day=q.date,
                at=q.created_at,
                kind="quote",
                number=str(q),
                summary=q.get_status_display(),
                amount=q.total,
                href=f"/crm/quotes/{q.pk}/",
            )
    if "contract" in kinds:
        for c in scoped(
            Contract.objects.filter(organization=organization, customer=customer), organization, actor
        ).order_by("-created_at", "-id")[:take]:
            yield TimelineEntry(
                day=c.signed_on or _local(c.created_at),
                at=c.created_at,
                kind="contract",
                number=c.number,
                summary=_short(f"{c.title} · {c.get_status_display()}"),
                amount=c.amount,
                href=_url("crm:contract_detail", c.pk),
            )
    yield from _sales_sources(organization, customer, kinds, take)


def _sales_sources(
    organization: Organization, customer: Partner, kinds: frozenset[str], take: int
) -> Iterable[TimelineEntry]:
    if "order" in kinds:
        for o in (
            SalesOrder.objects.filter(organization=organization, customer=customer)
            .exclude(status=OrderStatus.DRAFT)
            .order_by("-date", "-created_at", "-id")[:take]
        ):
            yield TimelineEntry(
                day=o.date,
                at=o.created_at,
                kind="order",
                number=str(o),
                summary=o.get_status_display(),
                amount=o.total,
                href=_url("sales:order_detail", o.pk),
            )
    if "delivery" in kinds:
        for d in Delivery.objects.filter(organization=organization, customer=customer).order_by(
            "-date", "-created_at", "-id"
        )[:take]:
            yield TimelineEntry(
                day=d.date,
                at=d.created_at,
                kind="delivery",
                number=d.number,
                summary=_short(" ".join(p for p in (d.carrier, d.tracking_number) if p)),
                amount=d.total,
                href=_url("sales:delivery_detail", d.pk),
            )
    invoice_kinds = [
        k for k, kind in ((InvoiceKind.INVOICE, "invoice"), (InvoiceKind.CREDIT_NOTE, "credit_note")) if kind in kinds
    ]
    if invoice_kinds:
        for i in Invoice.objects.filter(organization=organization, customer=customer, kind__in=invoice_kinds).order_by(
            "-date", "-created_at", "-id"
        )[:take]:
            kind = "invoice" if i.kind == InvoiceKind.INVOICE else "credit_note"
            yield TimelineEntry(
                day=i.date,
                at=i.created_at,
                kind=kind,
                number=i.number,
                summary=_("due %(d)s") % {"d": i.due_date.isoformat()} if kind == "invoice" else "",
                amount=i.total,
                href=_url("sales:invoice_detail", i.pk),
            )
    if "return" in kinds:
        for r in SalesReturn.objects.filter(organization=organization, customer=customer).order_by(
            "-date", "-created_at", "-id"
        )[:take]:
            yield TimelineEntry(
                day=r.date,
                at=r.created_at,
                kind="return",
                number=r.number,
                summary=_short(r.reason),
                amount=r.total,
                href=_url("sales:return_detail", r.pk),
            )
    if "receipt" in kinds:
        for p in Payment.objects.filter(
            organization=organization, partner=customer, kind=PaymentKind.CUSTOMER_RECEIPT
        ).order_by("-date", "-created_at", "-id")[:take]:
            yield TimelineEntry(
                day=p.date,
                at=p.created_at,
                kind="receipt",
                number=p.number,
                summary=_short(p.reference),
                amount=p.amount,
                href=_url("finance:receipt_detail", p.pk),
            )


def customer_timeline(
    *, organization: Organization, actor: Actor | None, customer: Partner, offset: int = 0, limit: int = PAGE
) -> Timeline:
    """One page of the customer's timeline, newest first (see the module docstring)."""
    offset, limit = max(0, offset), max(1, min(limit, 200))
    kinds = visible_kinds(organization, actor)
    take = offset + limit + 1
    entries = sorted(
        _sources(organization, actor, customer, kinds, take), key=lambda e: (e.day, e.at, e.kind), reverse=True
    )
    return Timeline(entries=entries[offset : offset + limit], offset=offset, has_more=len(entries) > offset + limit)


# Tags -----------------------------------------------------------------------------------------------------------------


def _tag_names(customer: Partner) -> list[str]:
    return sorted(customer.tags.values_list("name", flat=True))


def customer_tag_add(
    *, organization: Organization, actor: Actor | None, customer_id: object, tag_id: object = None, name: str = ""
) -> Tag:
    """Give the customer a tag: an existing one (`tag_id`) or one by name (made when new). Tags given by a rule
    are left to the rule."""
    with transaction.atomic():
        guard(organization, actor, P.CHANGE_CUSTOMER)
        found = partner_get(organization=organization, role=PartnerRole.CUSTOMER, pk=customer_id, actor=actor)
        customer = Partner.objects.select_for_update().get(pk=found.pk)
        if tag_id not in (None, ""):
            tag = get_scoped(Tag, organization=organization, pk=tag_id, field="tag_id")
        else:
            text = str(name or "").strip()
            if not text:
                raise InvalidInput.single("name", _("Choose a tag or type a new one."))
            existing = Tag.objects.filter(organization=organization, name=text).first()
            tag = existing or partner_services.tag_create(organization=organization, actor=actor, data={"name": text})
        check_manual_tag(organization, tag)
        before = _tag_names(customer)
        customer.tags.add(tag)
        after = _tag_names(customer)
        if after != before:
            audit_record(
                organization=organization,
                actor=actor,
                obj=customer,
                action=AuditAction.UPDATE,
                changes={"tags": [before, after]},
            )
        return tag


def customer_tag_remove(
    *, organization: Organization, actor: Actor | None, customer_id: object, tag_id: object
) -> None:
    with transaction.atomic():
        guard(organization, actor, P.CHANGE_CUSTOMER)
        found = partner_get(organization=organization, role=PartnerRole.CUSTOMER, pk=customer_id, actor=actor)
        customer = Partner.objects.select_for_update().get(pk=found.pk)
        tag = get_scoped(Tag, organization=organization, pk=tag_id)
        check_manual_tag(organization, tag)
        before = _tag_names(customer)
        customer.tags.remove(tag)
        after = _tag_names(customer)
        if after != before:
            audit_record(
                organization=organization,
                actor=actor,
                obj=customer,
                action=AuditAction.UPDATE,
                changes={"tags": [before, after]},
            )


# The whole view -------------------------------------------------------------------------------------------------------


def customer_360(
    *, organization: Organization, actor: Actor | None, customer_id: object, today: datetime.date | None = None
) -> dict[str, Any]:
    """Everything the page and `/customers/{id}/360` show, read for `actor`."""
    customer = customer_for(organization=organization, actor=actor, pk=customer_id)
    today = today or timezone.localdate()
    return {
        "customer": customer,
        "figures": key_figures(organization=organization, actor=actor, customer=customer, today=today),
        "contacts": list(customer.contacts.order_by("-is_primary", "name", "pk")),
        "tags": list(customer.tags.order_by("name")),
        "timeline": customer_timeline(organization=organization, actor=actor, customer=customer),
        "top_products": top_products(organization=organization, customer=customer, today=today),
    }
