"""Customer segments (客户分群) and rule-based tags.

`customer_filter` is the one reading of segment filters, shared by saved segments, tag rules, the segment pages and
the API. Filter keys (all optional; several narrow together):

- `province`, `city`, `industry`: equal to the customer's (ignoring case and surrounding spaces);
- `tag_ids`: the customer has ALL these tags;
- `owner_id`: owned by this member; `in_pool`: true → without an owner (公海), false → with one;
- `rfm_class`: the customer's class in `crm.rfm.rfm_scores` (customers without an invoice in the RFM window have
  no class and never match);
- `last_purchase_within_days`: the last invoice (not credit note) is at most N days before today;
- `no_purchase_for_days`: the customer bought before, but the last invoice is more than N days before today
  (customers who never bought are not in it);
- `min_lifetime_value`: lifetime value ≥ this (Σ amount excl. VAT of their invoices net of credit notes up to
  today, as `crm.rfm` reads monetary value).

A bad value is an `InvalidInput` naming its key; an unknown key too. Only active customers are listed, and only
those the actor's data scope sees (`partners.selectors.partner_list`).

Segments are shared in the organization (anyone with CHANGE_CRM edits them). A tag rule gives its tag to the
customers matching its filters and takes it from those that no longer match (`tag_rules_apply`, daily and on
demand); only tags with a rule are touched, and manual tags stay as they are.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import DecimalField, Max, OuterRef, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce, Round
from django.utils import timezone
from django.utils.translation import gettext as _

from suanpan.core.audit import audit_record, diff, snapshot
from suanpan.core.choices import AuditAction
from suanpan.core.exceptions import DomainError, FieldError, InvalidInput
from suanpan.core.inputs import decimal_input
from suanpan.core.models import Membership, Organization
from suanpan.core.money import ZERO, money
from suanpan.core.permissions import P
from suanpan.core.records import get_scoped
from suanpan.core.tenancy import guard, user_id
from suanpan.core.types import Actor
from suanpan.crm.choices import RfmClass
from suanpan.crm.models import Segment, TagRule
from suanpan.crm.rfm import RfmScore, rfm_scores
from suanpan.partners.choices import PartnerRole
from suanpan.partners.models import Partner, Tag
from suanpan.partners.selectors import partner_list
from suanpan.sales.choices import InvoiceKind
from suanpan.sales.models import Invoice

MAX_ID = 2**63
MAX_DAYS = 36500
MAX_TAGS = 50
TEXT_KEYS = ("province", "city", "industry")
FILTER_KEYS = (
    "province",
    "city",
    "industry",
    "tag_ids",
    "owner_id",
    "in_pool",
    "rfm_class",
    "last_purchase_within_days",
    "no_purchase_for_days",
    "min_lifetime_value",
)
MONEY: DecimalField[Decimal, Decimal] = DecimalField(max_digits=18, decimal_places=2)
TRUE, FALSE = {"1", "true", "yes", "on"}, {"0", "false", "no", "off"}


# Filters --------------------------------------------------------------------------------------------------------------


def _int(value: object, key: str, *, low: int, high: int) -> int:
    if isinstance(value, bool | float):  # a bool is an int to Python; a float is inexact
        raise InvalidInput.single(key, _("Enter a whole number."))
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        raise InvalidInput.single(key, _("Enter a whole number.")) from None
    if not low <= number <= high:
        raise InvalidInput.single(key, _("Enter a number from %(low)d to %(high)d.") % {"low": low, "high": high})
    return number


def _ids(value: object, key: str) -> list[int]:
    if isinstance(value, str):
        value = [v for v in value.replace("，", ",").split(",") if v.strip()]
    if not isinstance(value, list | tuple | set):
        raise InvalidInput.single(key, _("A list of ids is expected."))
    if len(value) > MAX_TAGS:
        raise InvalidInput.single(key, _("At most %(n)d tags.") % {"n": MAX_TAGS})
    return sorted({_int(v, key, low=1, high=MAX_ID - 1) for v in value})


def _bool(value: object, key: str) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in TRUE:
        return True
    if text in FALSE:
        return False
    raise InvalidInput.single(key, _("Enter true or false."))


def clean_filters(organization: Organization, filters: Mapping[str, Any] | None) -> dict[str, Any]:
    """The filters, checked and normalised to JSON values (empty ones dropped); every bad key reported at once."""
    if filters is None:
        return {}
    if not isinstance(filters, Mapping):
        raise InvalidInput.single("filters", _("The filters are an object of keys and values."))
    errors: list[FieldError] = []
    clean: dict[str, Any] = {}
    for key, value in filters.items():
        if key not in FILTER_KEYS:
            errors.append(FieldError(str(key), _("Unknown filter.")))
            continue
        if value is None or value == "" or (isinstance(value, list | tuple) and not value and key == "tag_ids"):
            continue
        try:
            clean[key] = _clean_one(organization, key, value)
        except InvalidInput as exc:
            errors += exc.errors
    if errors:
        raise InvalidInput(errors)
    return clean


def _clean_one(organization: Organization, key: str, value: Any) -> Any:
    if key in TEXT_KEYS:
        text = str(value).strip()
        if len(text) > 60 or "\x00" in text:
            raise InvalidInput.single(key, _("At most %(n)d characters.") % {"n": 60})
        return text
    if key == "tag_ids":
        ids = _ids(value, key)
        known = set(Tag.objects.filter(organization=organization, pk__in=ids).values_list("pk", flat=True))
        if known != set(ids):
            raise InvalidInput.single(key, _("No such tag: %(ids)s.") % {"ids": sorted(set(ids) - known)})
        return ids
    if key == "owner_id":
        uid = _int(value, key, low=1, high=MAX_ID - 1)
        if not Membership.objects.filter(organization=organization, user_id=uid).exists():
            raise InvalidInput.single(key, _("No such member of this organization."))
        return uid
    if key == "in_pool":
        return _bool(value, key)
    if key == "rfm_class":
        if str(value) not in RfmClass.values:
            raise InvalidInput.single(key, _("Choose one of: %(classes)s.") % {"classes": ", ".join(RfmClass.values)})
        return str(value)
    if key in ("last_purchase_within_days", "no_purchase_for_days"):
        return _int(value, key, low=0, high=MAX_DAYS)
    # min_lifetime_value
    return str(decimal_input(value, key, 2, positive=False))


def with_purchases(qs: QuerySet[Partner], today: datetime.date) -> QuerySet[Partner]:
    """Annotate `last_purchase` (date of the last invoice up to `today`) and `lifetime_value` (Σ amount excl. VAT
    of invoices net of credit notes up to `today`, rounded to the cent in SQL)."""
    invoices = Invoice.objects.filter(customer=OuterRef("pk"), date__lte=today).order_by().values("customer")
    last = invoices.filter(kind=InvoiceKind.INVOICE).annotate(last=Max("date")).values("last")
    value = invoices.annotate(total=Sum("amount")).values("total")
    return qs.annotate(
        last_purchase=Subquery(last),
        lifetime_value=Round(Coalesce(Subquery(value, output_field=MONEY), Value(ZERO), output_field=MONEY), 2),
    )


def customer_filter(
    *,
    organization: Organization,
    actor: Actor | None,
    filters: Mapping[str, Any] | None,
    today: datetime.date | None = None,
    rfm: Mapping[int, RfmScore] | None = None,
) -> QuerySet[Partner]:
    """The active customers matching `filters` (see the module docstring) that `actor` sees, annotated with
    `last_purchase` and `lifetime_value`. `rfm`: scores already computed for `today` (else read when needed)."""
    clean = clean_filters(organization, filters)
    today = today or timezone.localdate()
    qs = with_purchases(
        partner_list(organization=organization, role=PartnerRole.CUSTOMER, actor=actor).filter(is_active=True), today
    )
    for key in TEXT_KEYS:
        if key in clean:
            qs = qs.filter(**{f"{key}__iexact": clean[key]})
    for tag_id in clean.get("tag_ids", []):
        qs = qs.filter(tags=tag_id)
    if "owner_id" in clean:
        qs = qs.filter(owner_id=clean["owner_id"])
    if "in_pool" in clean:
        qs = qs.filter(owner__isnull=clean["in_pool"])
    if "rfm_class" in clean:
        scores = rfm if rfm is not None else rfm_scores(organization=organization, today=today)
        qs = qs.filter(pk__in=[cid for cid, s in scores.items() if s.rfm_class == clean["rfm_class"]])
    if "last_purchase_within_days" in clean:
        since = today - datetime.timedelta(days=clean["last_purchase_within_days"])
        qs = qs.filter(**{"last_purchase__gte": since})  # the annotation
    if "no_purchase_for_days" in clean:
        before = today - datetime.timedelta(days=clean["no_purchase_for_days"])
        qs = qs.filter(**{"last_purchase__lt": before})
    if "min_lifetime_value" in clean:
        qs = qs.filter(**{"lifetime_value__gte": Decimal(clean["min_lifetime_value"])})
    return qs


def filters_text(organization: Organization, filters: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The filters as (label, value) pairs people read (tag and member names, class labels)."""
    labels = {
        "province": _("Province"),
        "city": _("City"),
        "industry": _("Industry"),
        "tag_ids": _("Tags (all of)"),
        "owner_id": _("Owner"),
        "in_pool": _("In the pool"),
        "rfm_class": _("RFM class"),
        "last_purchase_within_days": _("Bought within (days)"),
        "no_purchase_for_days": _("No purchase for (days)"),
        "min_lifetime_value": _("Lifetime value at least"),
    }
    shown: list[tuple[str, str]] = []
    for key in FILTER_KEYS:
        if key not in filters:
            continue
        value = filters[key]
        if key == "tag_ids":
            text = "、".join(Tag.objects.filter(organization=organization, pk__in=value).values_list("name", flat=True))
        elif key == "owner_id":
            member = Membership.objects.filter(organization=organization, user_id=value).select_related("user").first()
            text = (member.user.get_full_name() or member.user.get_username()) if member else str(value)
        elif key == "in_pool":
            text = _("Yes") if value else _("No")
        elif key == "rfm_class":
            text = str(RfmClass(value).label) if value in RfmClass.values else str(value)
        else:
            text = str(value)
        shown.append((str(labels[key]), text))
    return shown


# Rows for pages and exports -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SegmentRow:
    customer: Partner
    contact: str
    mobile: str
    region: str
    owner: Any
    tags: list[str]
    rfm_class: str  # a RfmClass value, or "" without a score
    last_purchase: datetime.date | None
    lifetime_value: Decimal

    @property
    def rfm_label(self) -> str:
        return str(RfmClass(self.rfm_class).label) if self.rfm_class else ""


def segment_rows(customers: Iterable[Partner], rfm: Mapping[int, RfmScore]) -> list[SegmentRow]:
    """Rows of customers from `customer_filter` (which prefetches tags): the primary contact, region, class…"""
    found = list(customers)
    from suanpan.partners.models import Contact

    contacts: dict[int, Contact] = {}
    for found_contact in Contact.objects.filter(partner_id__in=[c.pk for c in found]).order_by(
        "-is_primary", "name", "pk"
    ):
        contacts.setdefault(found_contact.partner_id, found_contact)
    rows = []
    for customer in found:
        contact = contacts.get(customer.pk)
        score = rfm.get(customer.pk)
        rows.append(
            SegmentRow(
                customer=customer,
                contact=contact.name if contact else "",
                mobile=(contact.mobile or contact.phone) if contact else customer.phone,
                region=" ".join(p for p in dict.fromkeys((customer.province, customer.city)) if p),
                owner=customer.owner,
                tags=[t.name for t in customer.tags.all()],
                rfm_class=score.rfm_class if score else "",
                last_purchase=getattr(customer, "last_purchase", None),
                lifetime_value=money(getattr(customer, "lifetime_value", None) or ZERO),
            )
        )
    return rows


# Segments -------------------------------------------------------------------------------------------------------------


def segment_list(*, organization: Organization) -> QuerySet[Segment]:
    return Segment.objects.filter(organization=organization).select_related("created_by")


def segment_get(*, organization: Organization, pk: object) -> Segment:
    return get_scoped(Segment, organization=organization, pk=pk)


def _name(data: Mapping[str, Any], errors: list[FieldError]) -> str:
    name = str(data.get("name") or "").strip()
    if not name:
        errors.append(FieldError("name", _("This field is required.")))
    elif len(name) > 100 or "\x00" in name:
        errors.append(FieldError("name", _("At most %(n)d characters.") % {"n": 100}))
    return name


def _segment_fields(organization: Organization, data: Mapping[str, Any], segment: Segment | None) -> dict[str, Any]:
    errors: list[FieldError] = []
    name = _name(data, errors)
    clean: dict[str, Any] = {}
    try:
        clean = clean_filters(organization, data.get("filters") or {})
    except InvalidInput as exc:
        errors += [FieldError(f"filters.{e.field}" if e.field != "filters" else e.field, e.message) for e in exc.errors]
    if name and not errors:
        clash = Segment.objects.filter(organization=organization, name=name)
        if segment is not None:
            clash = clash.exclude(pk=segment.pk)
        if clash.exists():
            errors.append(FieldError("name", _("Another segment already has this name.")))
    if errors:
        raise InvalidInput(errors)
    return {"name": name, "filters": clean}


def segment_create(*, organization: Organization, actor: Actor | None, data: Mapping[str, Any]) -> Segment:
    """A saved segment: name, filters (see `customer_filter`)."""
    with transaction.atomic():
        guard(organization, actor, P.CHANGE_CRM)
        segment = Segment(
            organization=organization, created_by_id=user_id(actor), **_segment_fields(organization, data, None)
        )
        segment.save()
        audit_record(
            organization=organization, actor=actor, obj=segment, action=AuditAction.CREATE, changes=snapshot(segment)
        )
        return segment


def segment_update(
    *, organization: Organization, actor: Actor | None, segment_id: object, data: Mapping[str, Any]
) -> Segment:
    with transaction.atomic():
        guard(organization, actor, P.CHANGE_CRM)
        found = segment_get(organization=organization, pk=segment_id)
        segment = Segment.objects.select_for_update().get(pk=found.pk)
        before = snapshot(segment)
        for key, value in _segment_fields(organization, data, segment).items():
            setattr(segment, key, value)
        segment.save()
        changes = diff(before, snapshot(segment))
        if changes:
            audit_record(
                organization=organization, actor=actor, obj=segment, action=AuditAction.UPDATE, changes=changes
            )
        return segment


def segment_delete(*, organization: Organization, actor: Actor | None, segment_id: object) -> None:
    with transaction.atomic():
        guard(organization, actor, P.CHANGE_CRM)
        segment = segment_get(organization=organization, pk=segment_id)
        before = snapshot(segment)
        pk = segment.pk
        segment.delete()
        segment.pk = pk
        audit_record(organization=organization, actor=actor, obj=segment, action=AuditAction.DELETE, changes=before)


def segment_customers(
    *, organization: Organization, actor: Actor | None, segment_id: object, today: datetime.date | None = None
) -> QuerySet[Partner]:
    """The customers of a saved segment that `actor` sees."""
    guard(organization, actor, P.VIEW_CRM)
    segment = segment_get(organization=organization, pk=segment_id)
    return customer_filter(organization=organization, actor=actor, filters=segment.filters, today=today)


# Tag rules ------------------------------------------------------------------------------------------------------------


def tag_rule_list(*, organization: Organization) -> QuerySet[TagRule]:
    return TagRule.objects.filter(organization=organization).select_related("tag").order_by("tag__name")


def tag_rule_get(*, organization: Organization, pk: object) -> TagRule:
    return get_scoped(TagRule, organization=organization, pk=pk)


def rule_tag_ids(organization: Organization) -> set[int]:
    """The tags given by a rule (active or not): they are not added or removed by hand."""
    return set(TagRule.objects.filter(organization=organization).values_list("tag_id", flat=True))


def _rule_tag(
    organization: Organization, actor: Actor | None, data: Mapping[str, Any], errors: list[FieldError]
) -> Tag | None:
    """The rule's tag: `tag_id` of an existing tag, or `tag_name` (found or made)."""
    if data.get("tag_id") not in (None, ""):
        try:
            return get_scoped(Tag, organization=organization, pk=data.get("tag_id"), field="tag_id")
        except InvalidInput as exc:
            errors += exc.errors
            return None
    name = str(data.get("tag_name") or "").strip()
    if not name:
        errors.append(FieldError("tag_id", _("Choose a tag or type the name of a new one.")))
        return None
    if len(name) > 40 or "\x00" in name:
        errors.append(FieldError("tag_name", _("At most %(n)d characters.") % {"n": 40}))
        return None
    found = Tag.objects.filter(organization=organization, name=name).first()
    if found is None:
        found = Tag.objects.create(organization=organization, name=name)
        audit_record(
            organization=organization, actor=actor, obj=found, action=AuditAction.CREATE, changes=snapshot(found)
        )
    return found


def _rule_fields(
    organization: Organization, actor: Actor | None, data: Mapping[str, Any], rule: TagRule | None
) -> dict[str, Any]:
    errors: list[FieldError] = []
    tag = _rule_tag(organization, actor, data, errors)
    clean: dict[str, Any] = {}
    try:
        clean = clean_filters(organization, data.get("filters") or {})
    except InvalidInput as exc:
        errors += [FieldError(f"filters.{e.field}" if e.field != "filters" else e.field, e.message) for e in exc.errors]
    if not clean and not errors:
        errors.append(FieldError("filters", _("A rule needs at least one filter.")))
    if tag is not None:
        clash = TagRule.objects.filter(organization=organization, tag=tag)
        if rule is not None:
            clash = clash.exclude(pk=rule.pk)
        if clash.exists():
            errors.append(FieldError("tag_id", _("The tag “%(tag)s” has a rule already.") % {"tag": tag}))
    if errors:
        raise InvalidInput(errors)
    active = data.get("is_active", True)
    return {"tag": tag, "filters": clean, "is_active": bool(True if active is None else active)}


def tag_rule_create(*, organization: Organization, actor: Actor | None, data: Mapping[str, Any]) -> TagRule:
    """A rule-based tag: tag_id (or tag_name for a new tag), filters, is_active."""
    with transaction.atomic():
        guard(organization, actor, P.MANAGE_CRM)
        rule = TagRule(organization=organization, **_rule_fields(organization, actor, data, None))
        rule.save()
        audit_record(
            organization=organization, actor=actor, obj=rule, action=AuditAction.CREATE, changes=snapshot(rule)
        )
        return rule


def tag_rule_update(
    *, organization: Organization, actor: Actor | None, rule_id: object, data: Mapping[str, Any]
) -> TagRule:
    with transaction.atomic():
        guard(organization, actor, P.MANAGE_CRM)
        found = tag_rule_get(organization=organization, pk=rule_id)
        rule = TagRule.objects.select_for_update().get(pk=found.pk)
        before = snapshot(rule)
        for key, value in _rule_fields(organization, actor, data, rule).items():
            setattr(rule, key, value)
        rule.save()
        changes = diff(before, snapshot(rule))
        if changes:
            audit_record(organization=organization, actor=actor, obj=rule, action=AuditAction.UPDATE, changes=changes)
        return rule


def tag_rule_delete(*, organization: Organization, actor: Actor | None, rule_id: object) -> None:
    """Delete a rule; its tag and the customers holding it stay (it becomes a manual tag)."""
    with transaction.atomic():
        guard(organization, actor, P.MANAGE_CRM)
        rule = tag_rule_get(organization=organization, pk=rule_id)
        before = snapshot(rule)
        pk = rule.pk
        rule.delete()
        rule.pk = pk
        audit_record(organization=organization, actor=actor, obj=rule, action=AuditAction.DELETE, changes=before)


def tag_rules_apply(
    *, organization: Organization, today: datetime.date | None = None, actor: Actor | None = None
) -> int:
    """Give each active rule's tag to the customers matching its filters and take it from those that do not;
    returns the number of customers whose tags changed (added + removed). The daily job runs it as the system;
    a member holding MANAGE_CRM may run it on demand."""
    guard(organization, actor, P.MANAGE_CRM)
    today = today or timezone.localdate()
    changes = 0
    with transaction.atomic():
        rules = list(
            TagRule.objects.select_for_update(of=("self",))
            .filter(organization=organization, is_active=True)
            .select_related("tag")
            .order_by("pk")
        )
        rfm: dict[int, RfmScore] | None = None
        if any("rfm_class" in rule.filters for rule in rules):
            rfm = rfm_scores(organization=organization, today=today)
        for rule in rules:
            try:
                matching = set(
                    customer_filter(organization=organization, actor=None, filters=rule.filters, today=today, rfm=rfm)
                    .order_by()
                    .values_list("pk", flat=True)
                )
            except InvalidInput:  # a tag or member it names is gone: leave the tag as it is
                continue
            holding = set(
                Partner.objects.filter(organization=organization, is_customer=True, tags=rule.tag).values_list(
                    "pk", flat=True
                )
            )
            added, removed = sorted(matching - holding), sorted(holding - matching)
            if added:
                rule.tag.partners.add(*added)
            if removed:
                rule.tag.partners.remove(*removed)
            rule.last_run_at = timezone.now()
            rule.save(update_fields=["last_run_at", "updated_at"])
            if added or removed:
                audit_record(
                    organization=organization,
                    actor=actor,
                    obj=rule,
                    action=AuditAction.UPDATE,
                    changes={"added": len(added), "removed": len(removed)},
                )
            changes += len(added) + len(removed)
    return changes


def check_manual_tag(organization: Organization, tag: Tag) -> None:
    """A tag given by a rule is not added or removed by hand."""
    if tag.pk in rule_tag_ids(organization):
        raise DomainError(_("“%(tag)s” is given by a rule; change the rule instead.") % {"tag": tag}, field="tag")
