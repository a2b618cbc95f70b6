"""Quotes (报价单): entry with lines and prices, sending, acceptance, rejection, versions, and the sales order.

A quote takes its number (BJ202611-0001 style: `BJ-YYYYMM-0001`) when it is made. Lines are priced like sales
order lines, by the same rounding rule (`sales.orders.line_amounts`): a blank unit price comes from the
customer's price list or the product (`sales.pricing.price_for`), the VAT rate is the product's, the discount is
a percentage of the list price. The quote's amount, tax and total are the sums of its lines.

States (`crm.choices.QUOTE_FLOW`): a draft is edited freely; sent, it is accepted or rejected; accepting is
refused once it expired (`valid_until` before today). Revising a draft, sent or rejected quote makes the next
version — the same number, `version` + 1, a draft copy of its lines — and supersedes the old one: only the
latest version moves. An accepted quote becomes one draft sales order in one step (`quote_to_order`): the same
customer, products, quantities, list prices and discounts, in the customer's usual warehouse; the quote is then
ORDERED and remembers the order, and its opportunity, if still open, moves to the first won stage.

Data scope: a quote belongs to its `owner` (by default the opportunity's or the customer's owner); a rep with
OWN scope sees and works on their own only.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from suanpan.catalog.models import Product
from suanpan.core.audit import audit_record
from suanpan.core.choices import AuditAction
from suanpan.core.exceptions import DomainError, FieldError, InvalidInput, NotFound
from suanpan.core.inputs import date_input, decimal_input, text_input
from suanpan.core.models import Organization
from suanpan.core.money import ZERO, amount_in_words
from suanpan.core.numbering import next_number
from suanpan.core.permissions import P
from suanpan.core.records import get_scoped
from suanpan.core.scopes import may_see, scoped
from suanpan.core.tenancy import guard, user_id
from suanpan.core.types import Actor
from suanpan.crm import opportunities
from suanpan.crm.choices import QUOTE_FLOW, QuoteStatus, StageKind
from suanpan.crm.models import Opportunity, Quote, QuoteLine
from suanpan.inventory.models import Warehouse
from suanpan.inventory.services import normalize
from suanpan.partners.models import Partner
from suanpan.sales.models import PriceList, SalesOrder
from suanpan.sales.orders import MAX_AMOUNT, line_amounts, order_create
from suanpan.sales.pricing import price_for

HUNDRED = Decimal(100)
VALID_DAYS = 30
MAX_LINES = 500
PERCENT_PLACES = Decimal("0.01")


# Selectors ---------------------------------------------------------------------------------------------------------


def quote_list(*, organization: Organization, actor: Actor | None) -> QuerySet[Quote]:
    """The quotes `actor`'s data scope sees (None: every one), every version."""
    qs = Quote.objects.filter(organization=organization).select_related(
        "customer", "owner", "opportunity", "sales_order", "contact"
    )
    return scoped(qs, organization, actor)


def quote_get(*, organization: Organization, actor: Actor | None, pk: object) -> Quote:
    """One quote; another organization's, or one outside `actor`'s data scope, is not found."""
    found = get_scoped(Quote, organization=organization, pk=pk)
    if not may_see(organization, actor, found.owner_id):
        raise NotFound(_("Quote not found."))
    return found


def quote_versions(*, organization: Organization, quote: Quote) -> list[Quote]:
    """Every version of the quote's number, oldest first."""
    return list(
        Quote.objects.filter(organization=organization, number=quote.number)
        .select_related("sales_order")
        .order_by("version")
    )


def is_latest(quote: Quote) -> bool:
    return not Quote.objects.filter(previous=quote).exists()


def quote_is_expired(quote: Quote, today: datetime.date | None = None) -> bool:
    return quote.valid_until < (today or timezone.localdate())


def can_act(quote: Quote, action: str, today: datetime.date | None = None) -> bool:
    """Whether `action` (send, accept, reject, revise, order, edit) is open to the quote in its state."""
    if action == "edit":
        return quote.status == QuoteStatus.DRAFT
    if action == "order":
        return quote.status == QuoteStatus.ACCEPTED and quote.sales_order_id is None
    target = {
        "send": QuoteStatus.SENT,
        "accept": QuoteStatus.ACCEPTED,
        "reject": QuoteStatus.REJECTED,
        "revise": QuoteStatus.SUPERSEDED,
    }.get(action)
    if target is None or not QUOTE_FLOW.can(quote.status, target):
        return False
    return not (action == "accept" and quote_is_expired(quote, today))


# Entry ---------------------------------------------------------------------------------------------------------------


def _discount(value: object, field: str) -> Decimal:
    """A discount typed as a percentage (0 ≤ d < 100, 2 places) → the fraction stored (0.0500)."""
    if value in (None, ""):
        return ZERO
    percent = decimal_input(value, field, 2, positive=False)
    if percent >= HUNDRED:
        raise InvalidInput.single(field, _("A discount is less than 100 %."))
    return percent / HUNDRED


def _header(
    organization: Organization,
    actor: Actor | None,
    data: Mapping[str, Any],
    today: datetime.date,
    quote: Quote | None,
) -> dict[str, Any]:
    errors: list[FieldError] = []
    header: dict[str, Any] = {}
    opportunity: Opportunity | None = None
    if data.get("opportunity_id") not in (None, ""):
        try:
            opportunity = opportunities.opportunity_get(
                organization=organization, actor=actor, pk=data.get("opportunity_id")
            )
        except NotFound:
            errors.append(
                FieldError("opportunity_id", _("No such opportunity: %(pk)s.") % {"pk": data["opportunity_id"]})
            )
    header["opportunity"] = opportunity
    customer_id = data.get("customer_id")
    if customer_id in (None, "") and opportunity is not None:
        customer_id = opportunity.customer_id
    customer = opportunities.customer_input(organization, actor, customer_id, errors)
    if customer is not None and opportunity is not None and opportunity.customer_id != customer.pk:
        errors.append(FieldError("opportunity_id", _("The opportunity is of another customer.")))
    header["customer"] = customer
    header["contact"] = opportunities.contact_input(organization, customer, data.get("contact_id"), errors)
    day = data.get("date")
    header["date"] = today if day in (None, "") else None
    if header["date"] is None:
        try:
            header["date"] = date_input(day, "date")
        except InvalidInput as exc:
            errors += exc.errors
    until = data.get("valid_until")
    header["valid_until"] = None
    if until in (None, ""):
        if header["date"] is not None:
            header["valid_until"] = header["date"] + datetime.timedelta(days=VALID_DAYS)
    else:
        try:
            header["valid_until"] = date_input(until, "valid_until")
        except InvalidInput as exc:
            errors += exc.errors
        else:
            if header["date"] is not None and header["valid_until"] < header["date"]:
                errors.append(FieldError("valid_until", _("A quote cannot expire before its date.")))
    owner = None
    if data.get("owner_id") not in (None, ""):
        owner = opportunities.owner_input(organization, actor, data.get("owner_id"), errors)
    elif quote is not None:
        owner = quote.owner
    elif opportunity is not None and opportunity.owner is not None:
        owner = opportunity.owner
    elif customer is not None and customer.owner is not None:
        owner = customer.owner
    else:
        owner = actor
    header["owner"] = owner
    header["terms"] = text_input(data, "terms", 5000, errors)
    header["notes"] = text_input(data, "notes", 5000, errors)
    if errors:
        raise InvalidInput(errors)
    return header


def _lines(
    organization: Organization, header: Mapping[str, Any], rows: object
) -> tuple[list[QuoteLine], PriceList | None]:
    if not isinstance(rows, Sequence) or isinstance(rows, str) or not all(isinstance(r, Mapping) for r in rows):
        raise InvalidInput.single("lines", _("A list of lines is expected."))
    if not rows:
        raise InvalidInput.single("lines", _("A quote needs at least one line."))
    if len(rows) > MAX_LINES:
        raise InvalidInput.single("lines", _("At most %(n)d lines.") % {"n": MAX_LINES})
    errors: list[FieldError] = []
    lines: list[QuoteLine] = []
    used_list: PriceList | None = None
    for n, row in enumerate(rows):
        where = f"lines.{n}"
        try:
            product = get_scoped(
                Product, organization=organization, pk=row.get("product_id"), field=f"{where}.product_id"
            )
            if not product.is_active:
                raise InvalidInput.single(f"{where}.product_id", _("%(p)s is inactive.") % {"p": product})
            quantity = decimal_input(row.get("quantity"), f"{where}.quantity", 4)
            discount = _discount(row.get("discount"), f"{where}.discount")
            if row.get("unit_price") in (None, ""):
                found = price_for(organization, header["customer"], product, quantity, header["date"])
                list_price = found.unit_price
                used_list = used_list or found.price_list
            else:
                list_price = decimal_input(row.get("unit_price"), f"{where}.unit_price", 6, positive=False)
            description = str(row.get("description") or "").strip()
            if len(description) > 200:
                raise InvalidInput.single(f"{where}.description", _("At most %(n)d characters.") % {"n": 200})
        except InvalidInput as exc:
            errors += exc.errors
            continue
        rate = product.vat_rate.rate
        unit_price, amount, tax, total = line_amounts(quantity, list_price, discount, ZERO, rate)
        if total >= MAX_AMOUNT:
            errors.append(FieldError(f"{where}.quantity", _("The line's amount is too large.")))
            continue
        lines.append(
            QuoteLine(
                organization=organization,
                seq=n + 1,
                product=product,
                description=description,
                quantity=quantity,
                list_price=list_price,
                discount_rate=discount,
                unit_price=unit_price,
                vat_rate=rate,
                amount=amount,
                tax=tax,
                total=total,
            )
        )
    if errors:
        raise InvalidInput(errors)
    return lines, used_list


def _valid(
    organization: Organization,
    actor: Actor | None,
    data: Mapping[str, Any],
    today: datetime.date,
    quote: Quote | None = None,
) -> tuple[dict[str, Any], list[QuoteLine]]:
    """The header and lines of a quote, every error of both reported together."""
    errors: list[FieldError] = []
    header: dict[str, Any] = {}
    try:
        header = _header(organization, actor, data, today, quote)
    except InvalidInput as exc:
        errors += exc.errors
    lines: list[QuoteLine] = []
    if header:
        try:
            lines, used_list = _lines(organization, header, data.get("lines") or [])
            header["price_list"] = used_list
        except InvalidInput as exc:
            errors += exc.errors
    if errors:
        raise InvalidInput(errors)
    return header, lines


def _totals(quote: Quote, lines: Sequence[QuoteLine]) -> None:
    quote.amount = sum((ln.amount for ln in lines), ZERO)
    quote.tax = sum((ln.tax for ln in lines), ZERO)
    quote.total = sum((ln.total for ln in lines), ZERO)


def _save_lines(quote: Quote, lines: Sequence[QuoteLine]) -> None:
    for line in lines:
        line.quote = quote
    QuoteLine.objects.bulk_create(lines)


def quote_create(
    *,
    organization: Organization,
    actor: Actor | None,
    data: Mapping[str, Any],
    today: datetime.date | None = None,
) -> Quote:
    """A draft quote: customer_id (or the opportunity's), opportunity_id?, contact_id?, date? (today),
    valid_until? (date + 30 days), owner_id? (default: the opportunity's or customer's owner, else the actor),
    terms?, notes?, lines [{product_id, quantity, unit_price? (excl. VAT; blank = price list or product),
    discount? (%), description?}]. Takes its number (BJ-YYYYMM-0001)."""
    today = today or timezone.localdate()
    with transaction.atomic():
        guard(organization, actor, P.CHANGE_CRM)
        header, lines = _valid(organization, actor, data, today)
        quote = Quote(organization=organization, created_by_id=user_id(actor), **header)
        quote.number = next_number(organization=organization, series="crm_quote", prefix="BJ-", on=quote.date)
        _totals(quote, lines)
        quote.save()
        _save_lines(quote, lines)
        audit_record(
            organization=organization,
            actor=actor,
            obj=quote,
            action=AuditAction.CREATE,
            changes={"customer": str(quote.customer), "total": str(quote.total), "lines": len(lines)},
        )
        return quote


def lock_quote(organization: Organization, actor: Actor | None, quote_id: object) -> Quote:
    found = quote_get(organization=organization, actor=actor, pk=quote_id)
    return Quote.objects.select_for_update(of=("self",)).get(pk=found.pk)


def _latest_only(quote: Quote) -> None:
    if not is_latest(quote):
        raise DomainError(
            _("%(q)s has a later version: work on the latest one.") % {"q": quote}, field="status", code="superseded"
        )


def quote_update(
    *,
    organization: Organization,
    actor: Actor | None,
    quote_id: object,
    data: Mapping[str, Any],
    today: datetime.date | None = None,
) -> Quote:
    """Replace a draft quote's header and lines (the same keys as `quote_create`)."""
    today = today or timezone.localdate()
    with transaction.atomic():
        guard(organization, actor, P.CHANGE_CRM)
        quote = lock_quote(organization, actor, quote_id)
        _latest_only(quote)
        if quote.status != QuoteStatus.DRAFT:
            raise DomainError(_("Only a draft quote can be changed; revise it for a new version."), field="status")
        header, lines = _valid(organization, actor, data, today, quote)
        for key, value in header.items():
            setattr(quote, key, value)
        _totals(quote, lines)
        quote.save()
        QuoteLine.objects.filter(quote=quote).delete()
        _save_lines(quote, lines)
        audit_record(
            organization=organization,
            actor=actor,
            obj=quote,
            action=AuditAction.UPDATE,
            changes={"total": str(quote.total), "lines": len(lines)},
        )
        return quote


# State changes ---------------------------------------------------------------------------------------------------


def _transition(organization: Organization, actor: Actor | None, quote: Quote, to: str, **extra: Any) -> Quote:
    _latest_only(quote)
    QUOTE_FLOW.check(quote.status, to)
    before = quote.status
    quote.status = to
    quote.save()
    audit_record(
        organization=organization,
        actor=actor,
        obj=quote,
        action=AuditAction.STATE,
        changes={"status": [before, to], **extra},
    )
    return quote


def quote_send(*, organization: Organization, actor: Actor | None, quote_id: object) -> Quote:
    """Draft → sent (to the customer)."""
    with transaction.atomic():
        guard(organization, actor, P.CHANGE_CRM)
        quote = lock_quote(organization, actor, quote_id)
        return _transition(organization, actor, quote, QuoteStatus.SENT)


def quote_accept(
    *, organization: Organization, actor: Actor | None, quote_id: object, today: datetime.date | None = None
) -> Quote:
    """Draft or sent → accepted, while the quote is valid (`valid_until` not before today)."""
    today = today or timezone.localdate()
    with transaction.atomic():
        guard(organization, actor, P.CHANGE_CRM)
        quote = lock_quote(organization, actor, quote_id)
        _latest_only(quote)
        QUOTE_FLOW.check(quote.status, QuoteStatus.ACCEPTED)
        if quote_is_expired(quote, today):
            raise DomainError(
                _("The quote expired on %(d)s: revise it with a new validity.") % {"d": quote.valid_until.isoformat()},
                field="valid_until",
                code="expired",
            )
        return _transition(organization, actor, quote, QuoteStatus.ACCEPTED)


def quote_reject(*, organization: Organization, actor: Actor | None, quote_id: object, reason: str = "") -> Quote:
    """Sent → rejected by the customer (a reason may be noted)."""
    with transaction.atomic():
        guard(organization, actor, P.CHANGE_CRM)
        quote = lock_quote(organization, actor, quote_id)
        text = str(reason or "").strip()
        if len(text) > 300:
            raise InvalidInput.single("reason", _("At most %(n)d characters.") % {"n": 300})
        return _transition(organization, actor, quote, QuoteStatus.REJECTED, **({"reason": text} if text else {}))


def quote_revise(
    *, organization: Organization, actor: Actor | None, quote_id: object, today: datetime.date | None = None
) -> Quote:
    """The next version of a draft, sent or rejected quote: a draft copy (same number, version + 1, dated today,
    as long valid as the old one), the old one superseded. Returns the new version."""
    today = today or timezone.localdate()
    with transaction.atomic():
        guard(organization, actor, P.CHANGE_CRM)
        old = lock_quote(organization, actor, quote_id)
        _latest_only(old)
        _transition(organization, actor, old, QuoteStatus.SUPERSEDED, next_version=old.version + 1)
        validity = max(old.valid_until - old.date, datetime.timedelta(0))
        new = Quote.objects.create(
            organization=organization,
            number=old.number,
            version=old.version + 1,
            previous=old,
            customer=old.customer,
            contact=old.contact,
            opportunity=old.opportunity,
            owner=old.owner,
            date=today,
            valid_until=today + validity,
            price_list=old.price_list,
            amount=old.amount,
            tax=old.tax,
            total=old.total,
            terms=old.terms,
            notes=old.notes,
            created_by_id=user_id(actor),
        )
        lines = list(old.lines.order_by("seq"))
        for line in lines:
            line.pk = None
            line.quote = new
        QuoteLine.objects.bulk_create(lines)
        audit_record(
            organization=organization,
            actor=actor,
            obj=new,
            action=AuditAction.CREATE,
            changes={"revises": str(old), "total": str(new.total), "lines": len(lines)},
        )
        return new


def default_warehouse(organization: Organization, customer: Partner) -> Warehouse | None:
    """Where the customer's orders usually ship from: the warehouse of its latest order, if still active; else the
    first active warehouse."""
    last = (
        SalesOrder.objects.filter(organization=organization, customer=customer, warehouse__is_active=True)
        .order_by("-date", "-id")
        .select_related("warehouse")
        .first()
    )
    if last is not None:
        return last.warehouse
    return Warehouse.objects.filter(organization=organization, is_active=True).order_by("code", "id").first()


def _percent(rate: Decimal) -> str:
    return str((rate * HUNDRED).quantize(PERCENT_PLACES))


def quote_to_order(
    *,
    organization: Organization,
    actor: Actor | None,
    quote_id: object,
    now: datetime.datetime | None = None,
) -> SalesOrder:
    """An accepted quote → one draft sales order with the same customer, products, quantities, list prices and
    discounts (hence the same amounts), in the customer's usual warehouse. The quote becomes ORDERED and keeps the
    order; its opportunity, if open, moves to the first won stage. Once only."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    with transaction.atomic():
        guard(organization, actor, P.CHANGE_CRM)
        guard(organization, actor, P.CHANGE_SALES)
        quote = lock_quote(organization, actor, quote_id)
        _latest_only(quote)
        if quote.sales_order_id is not None:
            raise DomainError(
                _("This quote already became the order %(o)s.") % {"o": quote.sales_order},
                field="status",
                code="already_ordered",
            )
        if quote.status != QuoteStatus.ACCEPTED:
            raise DomainError(_("Only an accepted quote becomes an order."), field="status", code="not_accepted")
        warehouse = default_warehouse(organization, quote.customer)
        if warehouse is None:
            raise DomainError(_("No active warehouse to ship from: create one first."), field="warehouse_id")
        lines = list(quote.lines.order_by("seq"))
        owner_is_member = quote.owner is not None and opportunities.is_member(organization, quote.owner_id)
        data = {
            "customer_id": quote.customer_id,
            "warehouse_id": warehouse.pk,
            "date": today,
            "salesperson_id": quote.owner_id if owner_is_member else None,
            "contact": quote.contact.name[:100] if quote.contact else "",
            "notes": _("From quote %(q)s") % {"q": quote},
            "lines": [
                {
                    "product_id": ln.product_id,
                    "quantity": ln.quantity,
                    "unit_price": ln.list_price,
                    "discount": _percent(ln.discount_rate),
                }
                for ln in lines
            ],
        }
        order = order_create(organization=organization, actor=actor, data=data)
        quote.sales_order = order
        quote.ordered_at = now
        _transition(organization, actor, quote, QuoteStatus.ORDERED, sales_order=order.pk)
        if quote.opportunity_id is not None:
            _win(organization, actor, quote.opportunity_id, now)
        return order


def _win(organization: Organization, actor: Actor | None, opportunity_id: int, now: datetime.datetime) -> None:
    """The quote's opportunity, if still open, is won (whoever owns it: the order is the fact)."""
    opportunity = Opportunity.objects.select_for_update(of=("self",)).select_related("stage").get(pk=opportunity_id)
    won = opportunities.first_won_stage(organization)
    if opportunity.stage.kind != StageKind.OPEN or won is None:
        return
    when = max(now, opportunity.stage_entered_at)
    opportunities.enter_stage(organization, actor, opportunity, won, now=when)


# Print ---------------------------------------------------------------------------------------------------------------


def _shown(rate: Decimal) -> str:
    """A rate as a percentage people read: 0.1300 → 13, 0.0525 → 5.25."""
    return normalize(rate * HUNDRED) if rate else ""


def quote_print(*, organization: Organization, actor: Actor | None, pk: object) -> dict[str, Any]:
    """What the quote PDF (`crm/quote_pdf.html`) shows: the company, the customer, lines, totals in figures and
    words (人民币大写), validity and terms."""
    quote = quote_get(organization=organization, actor=actor, pk=pk)
    return {
        "quote": quote,
        "lines": [
            {
                "line": ln,
                "quantity": normalize(ln.quantity),
                "unit_price": normalize(ln.unit_price),
                "discount": _shown(ln.discount_rate),
                "vat": _shown(ln.vat_rate),
            }
            for ln in quote.lines.select_related("product", "product__unit").order_by("seq")
        ],
        "organization": organization,
        "words": amount_in_words(quote.total),
        "owner": (quote.owner.get_full_name() or quote.owner.get_username()) if quote.owner else "",
    }
