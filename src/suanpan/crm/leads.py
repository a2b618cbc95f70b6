"""Leads (线索): channels, entry with duplicate detection, assignment rules, the status flow, bulk reassignment and
the one-step conversion to customer + contact + opportunity.

Data scope: a member with OWN (or TEAM) scope sees the leads they (or their team) own; leads without an owner are
seen by members with ALL scope and by those who manage the CRM (they hand them out). A lead outside the scope is
not found — in pages, API and services alike (`lead_get`).

Owner of a new lead: the one given (a member who works leads; a rep may only give it to someone they see), else the
creating rep's own when the rep's scope is limited, else the first matching active assignment rule's next assignee
(round-robin), else nobody (the managers see it and hand it out). Rules with a province take that province's leads
before any rule without a province (lowest `seq` first within each group); the rule rows are locked while one is
chosen, so two leads created at once go to two different reps.

Duplicates: mobile/phone, unified social credit code and company name are compared exactly, ignoring case, spaces,
dashes and brackets, against the organization's other leads, its customers and their contacts. A duplicate is
refused (`DuplicateFound`, an `InvalidInput` naming the field and the existing record) unless the caller confirms
with `allow_duplicate`.

Conversion (`lead_convert`) is one transaction: the customer (new, or an existing one given by `customer_id`), the
contact from the lead's contact fields, optionally the opportunity (through `crm.opportunities.opportunity_create`),
then the lead becomes CONVERTED pointing at them. A refusal anywhere leaves nothing behind.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Func, Q, QuerySet, Value
from django.db.models.functions import Lower, Replace, Upper
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from suanpan.core.audit import audit_record
from suanpan.core.choices import AuditAction
from suanpan.core.exceptions import DomainError, FieldError, InvalidInput, NotFound
from suanpan.core.inputs import date_input, decimal_input
from suanpan.core.models import Membership, Organization
from suanpan.core.numbering import next_number
from suanpan.core.permissions import P, has_perm
from suanpan.core.pinyin import search_text
from suanpan.core.records import apply, get_scoped, record_create, record_delete, record_update
from suanpan.core.scopes import may_see, visible_owner_ids
from suanpan.core.tenancy import guard, membership_for, user_id
from suanpan.core.types import Actor
from suanpan.crm.choices import LEAD_FLOW, LeadStatus
from suanpan.crm.models import AssignmentRule, Channel, Lead, Opportunity
from suanpan.crm.setup import channels_ensure, stages_ensure
from suanpan.partners.choices import PartnerKind, PartnerRole
from suanpan.partners.models import Contact, Partner
from suanpan.partners.selectors import partner_get
from suanpan.partners.services import contact_create, partner_create

MAX_ID = 2**63
LEAD_TEXT_FIELDS = (
    "company",
    "contact_name",
    "title",
    "mobile",
    "phone",
    "email",
    "wechat",
    "credit_code",
    "province",
    "city",
    "address",
    "industry",
    "notes",
)
ASSIGNED_KIND = "crm.lead_assigned"
REASON_MAX = 200
# Suffixes dropped when a rule's province is compared with a lead's: 广东 = 广东省, 上海 = 上海市.
REGION_SUFFIXES = ("维吾尔自治区", "壮族自治区", "回族自治区", "特别行政区", "自治区", "省", "市")
# Left out when contact numbers and names are compared for duplicates.
SQUEEZED = (" ", "\u3000", "-", "(", ")", "（", "）")


# Reading ------------------------------------------------------------------------------------------------------


def _manages(organization: Organization, actor: Actor | None) -> bool:
    return actor is None or has_perm(membership_for(organization=organization, user=actor), P.MANAGE_CRM)


def lead_scope(qs: QuerySet[Lead], organization: Organization, actor: Actor | None) -> QuerySet[Lead]:
    """`qs` narrowed to the leads `actor` may see (see the module docstring)."""
    ids = visible_owner_ids(organization, actor)
    if ids is None:
        return qs
    condition = Q(owner_id__in=ids)
    if _manages(organization, actor):
        condition |= Q(owner__isnull=True)
    return qs.filter(condition)


def may_see_lead(organization: Organization, actor: Actor | None, lead: Lead) -> bool:
    if lead.owner_id is None:
        return visible_owner_ids(organization, actor) is None or _manages(organization, actor)
    return may_see(organization, actor, lead.owner_id)


def lead_list(*, organization: Organization, actor: Actor | None = None) -> QuerySet[Lead]:
    qs = Lead.objects.filter(organization=organization).select_related("channel", "owner")
    return lead_scope(qs, organization, actor).order_by("-id")


def lead_get(*, organization: Organization, pk: object, actor: Actor | None = None) -> Lead:
    """One lead of this organization that `actor` may see; otherwise not found."""
    lead = get_scoped(Lead, organization=organization, pk=pk)
    if not may_see_lead(organization, actor, lead):
        raise NotFound(_("Lead not found."))
    return lead


def _lock_lead(organization: Organization, actor: Actor | None, lead_id: object) -> Lead:
    found = lead_get(organization=organization, pk=lead_id, actor=actor)
    return Lead.objects.select_for_update(of=("self",)).get(pk=found.pk)


def channel_list(*, organization: Organization, active_only: bool = False) -> QuerySet[Channel]:
    channels_ensure(organization)
    qs = Channel.objects.filter(organization=organization)
    return qs.filter(is_active=True) if active_only else qs


def channel_get(*, organization: Organization, pk: object) -> Channel:
    return get_scoped(Channel, organization=organization, pk=pk)


def assignment_rule_list(*, organization: Organization) -> QuerySet[AssignmentRule]:
    return (
        AssignmentRule.objects.filter(organization=organization)
        .select_related("last_assigned")
        .prefetch_related("assignees")
    )


def assignment_rule_get(*, organization: Organization, pk: object) -> AssignmentRule:
    return get_scoped(AssignmentRule, organization=organization, pk=pk)


def lead_workers(organization: Organization) -> list[Any]:
    """The active members who may work leads (hold CHANGE_CRM): owners and assignees are chosen among them."""
    memberships = Membership.objects.filter(organization=organization, is_active=True, user__is_active=True)
    return [
        m.user
        for m in memberships.select_related("user").order_by("user__first_name", "user__username")
        if has_perm(m, P.CHANGE_CRM)
    ]


def _worker(organization: Organization, value: object, field: str) -> Any:
    """The member `value` (an id or a user) if they may work leads; otherwise an input error on `field`."""
    raw = getattr(value, "pk", value)
    try:
        pk = int(str(raw))
    except ValueError:
        pk = 0
    membership = (
        Membership.objects.filter(organization=organization, user_id=pk, is_active=True, user__is_active=True)
        .select_related("user")
        .first()
        if 0 < pk < MAX_ID
        else None
    )
    if membership is None:
        raise InvalidInput.single(field, _("No such member of this organization."))
    if not has_perm(membership, P.CHANGE_CRM):
        raise InvalidInput.single(field, _("%(user)s may not work leads.") % {"user": _user_label(membership.user)})
    return membership.user


def _user_label(user: Any) -> str:
    return str(user.get_full_name() or user.get_username()) if user is not None else ""


# Duplicates ---------------------------------------------------------------------------------------------------


def squeeze(value: str | None) -> str:
    """The form in which duplicates are compared: lower case, without spaces, dashes and brackets."""
    text = (value or "").lower()
    for ch in SQUEEZED:
        text = text.replace(ch, "")
    return text


def _squeezed(field: str) -> Func:
    expression: Func = Lower(field)
    for ch in SQUEEZED:
        expression = Replace(expression, Value(ch), Value(""))
    return expression


@dataclass(frozen=True)
class Duplicate:
    """An existing lead, customer or customer contact sharing `field` with the lead being checked."""

    field: str  # the checked lead's field: mobile, phone, credit_code or company
    kind: str  # "lead", "customer" or "contact"
    record: Lead | Partner | Contact

    @property
    def customer(self) -> Partner | None:
        if isinstance(self.record, Partner):
            return self.record
        if isinstance(self.record, Contact):
            return self.record.partner
        return None

    @property
    def label(self) -> str:
        if isinstance(self.record, Contact):
            return f"{self.record.partner} ({self.record.name})"
        return str(self.record)

    @property
    def message(self) -> str:
        values = {"record": self.label}
        if self.kind == "lead":
            return _("Already on lead %(record)s.") % values
        if self.kind == "contact":
            return _("Already on a contact of customer %(record)s.") % values
        return _("Already on customer %(record)s.") % values


class DuplicateFound(InvalidInput):
    """The lead repeats an existing lead or customer; confirm with `allow_duplicate` to save it anyway."""

    def __init__(self, duplicates: Sequence[Duplicate], errors: Iterable[FieldError] | None = None) -> None:
        self.duplicates = list(duplicates)
        super().__init__(errors if errors is not None else [FieldError(d.field, d.message) for d in self.duplicates])


def find_duplicates(
    *,
    organization: Organization,
    mobile: str = "",
    phone: str = "",
    credit_code: str = "",
    company: str = "",
    exclude_lead_id: int | None = None,
    leads: bool = True,
) -> list[Duplicate]:
    """Leads (unless `leads=False`), customers and customer contacts that share a number, the credit code or the
    company name with the values given."""
    numbers = {"mobile": squeeze(mobile), "phone": squeeze(phone)}
    wanted_numbers = {v for v in numbers.values() if v}
    code = (credit_code or "").replace(" ", "").upper()
    name = squeeze(company)
    found: list[Duplicate] = []

    def fields_of(number_values: Iterable[str], code_value: str, name_value: str) -> list[str]:
        hits = [f for f, v in numbers.items() if v and v in set(number_values)]
        if code and code_value == code:
            hits.append("credit_code")
        if name and name_value == name:
            hits.append("company")
        return hits

    if leads and (wanted_numbers or code or name):
        condition = Q()
        if wanted_numbers:
            condition |= Q(m__in=wanted_numbers) | Q(p__in=wanted_numbers)
        if code:
            condition |= Q(cc=code)
        if name:
            condition |= Q(c=name)
        rows = (
            Lead.objects.filter(organization=organization)
            .exclude(pk=exclude_lead_id or 0)
            .annotate(m=_squeezed("mobile"), p=_squeezed("phone"), cc=Upper("credit_code"), c=_squeezed("company"))
            .filter(condition)
            .order_by("pk")[:20]
        )
        for lead in rows:
            for field in fields_of((lead.m, lead.p), lead.cc, lead.c):
                found.append(Duplicate(field, "lead", lead))
    if wanted_numbers or code or name:
        condition = Q()
        if wanted_numbers:
            condition |= Q(p__in=wanted_numbers)
        if code:
            condition |= Q(cc=code)
        if name:
            condition |= Q(c=name)
        customers = (
            Partner.objects.filter(organization=organization, is_customer=True)
            .annotate(p=_squeezed("phone"), cc=Upper("credit_code"), c=_squeezed("name"))
            .filter(condition)
            .order_by("pk")[:20]
        )
        for customer in customers:
            for field in fields_of((customer.p,), customer.cc, customer.c):
                found.append(Duplicate(field, "customer", customer))
    if wanted_numbers:
        contacts = (
            Contact.objects.filter(organization=organization, partner__is_customer=True)
            .annotate(m=_squeezed("mobile"), p=_squeezed("phone"))
            .filter(Q(m__in=wanted_numbers) | Q(p__in=wanted_numbers))
            .select_related("partner")
            .order_by("pk")[:20]
        )
        seen = {d.record.pk for d in found if d.kind == "customer"}
        for contact in contacts:
            if contact.partner_id in seen:
                continue
            for field in fields_of((contact.m, contact.p), "", ""):
                found.append(Duplicate(field, "contact", contact))
    return found


def lead_duplicates(*, organization: Organization, actor: Actor | None, lead_id: object) -> list[Duplicate]:
    """The possible duplicates of a lead the actor may see."""
    guard(organization, actor, P.VIEW_CRM)
    lead = lead_get(organization=organization, pk=lead_id, actor=actor)
    found = find_duplicates(
        organization=organization,
        mobile=lead.mobile,
        phone=lead.phone,
        credit_code=lead.credit_code,
        company=lead.company,
        exclude_lead_id=lead.pk,
    )
    if lead.customer_id:  # the customer it became is not a duplicate of it
        found = [d for d in found if d.customer is None or d.customer.pk != lead.customer_id]
    return found


# Assignment ---------------------------------------------------------------------------------------------------


def region(value: str | None) -> str:
    """A province as compared by the rules: 广东省 → 广东, 上海市 → 上海."""
    text = (value or "").strip()
    for suffix in REGION_SUFFIXES:
        if text.endswith(suffix) and len(text) > len(suffix):
            return text[: -len(suffix)]
    return text


def _next_assignee(organization: Organization, rule: AssignmentRule) -> Any | None:
    """The assignee after `rule.last_assigned` (by user id, wrapping round), among those who still may work leads."""
    eligible = {u.pk: u for u in lead_workers(organization)}
    ids = sorted(pk for pk in rule.assignees.values_list("pk", flat=True) if pk in eligible)
    if not ids:
        return None
    last = rule.last_assigned_id or 0
    later = [pk for pk in ids if pk > last]
    return eligible[later[0] if later else ids[0]]


def assign_by_rules(organization: Organization, province: str) -> Any | None:
    """Pick the owner of a new lead from the rules (in the caller's transaction; the rule rows stay locked until it
    ends) and move that rule's pointer on. None when no active rule matches or none has an assignee left."""
    rules = list(
        AssignmentRule.objects.select_for_update().filter(organization=organization, is_active=True).order_by("pk")
    )
    wanted = region(province)
    matching = [r for r in rules if not r.province.strip() or (wanted and region(r.province) == wanted)]
    matching.sort(key=lambda r: (not r.province.strip(), r.seq, r.pk))
    for rule in matching:
        user = _next_assignee(organization, rule)
        if user is not None:
            rule.last_assigned = user
            rule.save(update_fields=["last_assigned", "updated_at"])
            return user
    return None


def _lead_link(lead: Lead) -> str:
    return reverse("crm:lead_detail", args=[lead.pk])


def _notify_assigned(organization: Organization, actor: Actor | None, leads: Sequence[Lead], owner: Any) -> None:
    from suanpan.core.notifications import notify

    if owner is None or (actor is not None and owner.pk == actor.pk) or not leads:
        return
    if len(leads) == 1:
        lead = leads[0]
        title = _("New lead for you: %(lead)s") % {"lead": lead}
        body = " ".join(part for part in (lead.contact_name, lead.mobile or lead.phone, lead.province) if part)
        notify(organization, [owner], ASSIGNED_KIND, title, body, _lead_link(lead), key=f"lead:{lead.pk}")
    else:
        title = _("%(n)d leads were assigned to you.") % {"n": len(leads)}
        body = ", ".join(str(lead.number) for lead in leads[:20])
        notify(organization, [owner], ASSIGNED_KIND, title, body, reverse("crm:lead_list"), key="")


# Entry --------------------------------------------------------------------------------------------------------


def _text(value: object) -> str:
    return "" if value is None else str(value).strip()


def _channel(organization: Organization, data: Mapping[str, Any], current: Channel | None) -> tuple[bool, Any]:
    """(given, channel) from `channel_id` or a channel's name in `channel`."""
    channel: Channel | None
    if "channel_id" in data and data["channel_id"] not in (None, ""):
        channel = get_scoped(Channel, organization=organization, pk=data["channel_id"], field="channel_id")
        field = "channel_id"
    elif "channel" in data and _text(data["channel"]):
        name = _text(data["channel"])
        channels_ensure(organization)
        channel = Channel.objects.filter(organization=organization, name__iexact=name).first()
        field = "channel"
        if channel is None:
            raise InvalidInput.single("channel", _("No lead channel named “%(name)s”.") % {"name": name[:40]})
    elif "channel_id" in data or "channel" in data:
        return True, None
    else:
        return False, None
    if not channel.is_active and (current is None or current.pk != channel.pk):
        raise InvalidInput.single(field, _("The channel %(c)s is inactive.") % {"c": channel})
    return True, channel


def _apply_lead(organization: Organization, lead: Lead, data: Mapping[str, Any]) -> None:
    """Set the lead's plain fields and channel from `data` (only the keys present), normalised."""
    errors: list[FieldError] = []
    for key in LEAD_TEXT_FIELDS:
        if key in data:
            value = _text(data[key])
            if key == "credit_code":
                value = value.replace(" ", "").upper()
            elif key == "email":
                value = value.lower()
            setattr(lead, key, value)
    try:
        given, channel = _channel(organization, data, lead.channel)
        if given:
            lead.channel = channel
    except InvalidInput as exc:
        errors += exc.errors
    if not lead.company and not lead.contact_name:
        errors.append(FieldError("company", _("A lead needs a company or a contact name.")))
    if errors:
        raise InvalidInput(errors)
    lead.search_text = search_text(lead.number, lead.company, lead.contact_name, lead.mobile, lead.phone, lead.wechat)


DUPLICATE_FIELDS = ("mobile", "phone", "credit_code", "company")


def _check_duplicates(
    organization: Organization, lead: Lead, data: Mapping[str, Any], before: Mapping[str, str] | None = None
) -> None:
    """Refuse a duplicate unless `allow_duplicate`. On a change (`before` given) only the fields that changed are
    checked: a duplicate once accepted does not block every later edit."""
    if data.get("allow_duplicate") is True:
        return
    values = {f: getattr(lead, f) for f in DUPLICATE_FIELDS}
    if before is not None:
        values = {f: v for f, v in values.items() if squeeze(v) != squeeze(before.get(f))}
        if not values:
            return
    found = find_duplicates(organization=organization, exclude_lead_id=lead.pk, **values)
    if found:
        raise DuplicateFound(found)


def _validate(organization: Organization, lead: Lead) -> None:
    """The model's own checks (lengths, phone and credit code formats, e-mail), naming the fields."""
    try:
        lead.full_clean(exclude=["number", "organization"], validate_constraints=False)
    except ValidationError as exc:
        raise InvalidInput.from_validation_error(exc) from None


def lead_create(
    *, organization: Organization, actor: Actor | None, data: Mapping[str, Any], today: datetime.date | None = None
) -> Lead:
    """A new lead: company, contact_name (one of them), title, mobile, phone, email, wechat, credit_code, province,
    city, address, industry, notes, channel_id or channel (a channel's name), owner_id?, allow_duplicate?.
    Numbered XS-YYYYMM-0001 by `today` (default: the local date); its owner chosen as the module docstring says."""
    with transaction.atomic():
        guard(organization, actor, P.CHANGE_CRM)
        today = today or timezone.localdate()
        lead = Lead(organization=organization, created_by_id=user_id(actor), status=LeadStatus.NEW)
        errors: list[FieldError] = []
        try:
            _apply_lead(organization, lead, data)
        except InvalidInput as exc:
            errors += exc.errors
        owner = None
        if data.get("owner_id") not in (None, ""):
            try:
                owner = _worker(organization, data["owner_id"], "owner_id")
                if not _manages(organization, actor) and not may_see(organization, actor, owner.pk):
                    raise InvalidInput.single("owner_id", _("You may only take leads yourself."))
            except InvalidInput as exc:
                errors += exc.errors
        if errors:
            raise InvalidInput(errors)
        _validate(organization, lead)
        _check_duplicates(organization, lead, data)
        by_rule = False
        if owner is None and actor is not None and visible_owner_ids(organization, actor) is not None:
            owner = actor  # a rep who sees only their own leads keeps what they enter
        if owner is None:
            owner = assign_by_rules(organization, lead.province)
            by_rule = owner is not None
        lead.owner = owner
        lead.number = next_number(organization=organization, series="crm.lead", prefix="XS-", on=today)
        lead.search_text = search_text(
            lead.number, lead.company, lead.contact_name, lead.mobile, lead.phone, lead.wechat
        )
        record_create(lead, organization=organization, actor=actor)
        if by_rule or (owner is not None and actor is not None and owner.pk != actor.pk):
            _notify_assigned(organization, actor, [lead], owner)
        return lead


def lead_update(*, organization: Organization, actor: Actor | None, lead_id: object, data: Mapping[str, Any]) -> Lead:
    """Change a lead's fields (the keys present in `data`, as `lead_create` takes them; not its owner or status).
    A converted lead is history and cannot change."""
    with transaction.atomic():
        guard(organization, actor, P.CHANGE_CRM)
        lead = _lock_lead(organization, actor, lead_id)
        if lead.status == LeadStatus.CONVERTED:
            raise DomainError(_("A converted lead cannot be changed."), field="status")

        before = {f: getattr(lead, f) for f in DUPLICATE_FIELDS}

        def prepare(row: Lead) -> None:
            _apply_lead(organization, row, data)
            _validate(organization, row)
            _check_duplicates(organization, row, data, before)

        return record_update(lead, organization=organization, actor=actor, data={}, prepare=prepare)


# Status flow --------------------------------------------------------------------------------------------------


def _transition(organization: Organization, actor: Actor | None, lead: Lead, to: str, **extra: Any) -> Lead:
    LEAD_FLOW.check(lead.status, to)
    before = lead.status
    lead.status = to
    lead.save()
    audit_record(
        organization=organization,
        actor=actor,
        obj=lead,
        action=AuditAction.STATE,
        changes={"status": [before, to], **extra},
    )
    return lead


def lead_contact(*, organization: Organization, actor: Actor | None, lead_id: object) -> Lead:
    """New → contacting: the rep is in touch."""
    with transaction.atomic():
        guard(organization, actor, P.CHANGE_CRM)
        lead = _lock_lead(organization, actor, lead_id)
        return _transition(organization, actor, lead, LeadStatus.CONTACTING)


def lead_qualify(*, organization: Organization, actor: Actor | None, lead_id: object) -> Lead:
    """New or contacting → qualified: a real need, worth converting."""
    with transaction.atomic():
        guard(organization, actor, P.CHANGE_CRM)
        lead = _lock_lead(organization, actor, lead_id)
        return _transition(organization, actor, lead, LeadStatus.QUALIFIED)


def lead_invalidate(*, organization: Organization, actor: Actor | None, lead_id: object, reason: object) -> Lead:
    """Any open lead → invalid, with the reason (wrong number, no need, competitor …)."""
    with transaction.atomic():
        guard(organization, actor, P.CHANGE_CRM)
        lead = _lock_lead(organization, actor, lead_id)
        text = _text(reason)
        if not text:
            raise InvalidInput.single("reason", _("Say why the lead is invalid."))
        if len(text) > REASON_MAX:
            raise InvalidInput.single("reason", _("At most %(n)d characters.") % {"n": REASON_MAX})
        if "\x00" in text:
            raise InvalidInput.single("reason", _("Null characters are not allowed."))
        LEAD_FLOW.check(lead.status, LeadStatus.INVALID)
        lead.invalid_reason = text
        return _transition(organization, actor, lead, LeadStatus.INVALID, reason=text)


def lead_reopen(*, organization: Organization, actor: Actor | None, lead_id: object) -> Lead:
    """Invalid → contacting (the reason stays in the history)."""
    with transaction.atomic():
        guard(organization, actor, P.CHANGE_CRM)
        lead = _lock_lead(organization, actor, lead_id)
        if lead.status != LeadStatus.INVALID:
            raise DomainError(_("Only an invalid lead can be reopened."), field="status", code="illegal_transition")
        lead.invalid_reason = ""
        return _transition(organization, actor, lead, LeadStatus.CONTACTING)


def lead_reassign(
    *, organization: Organization, actor: Actor | None, lead_ids: Iterable[object], owner_id: object
) -> int:
    """Give the leads to another member (who may work leads); converted leads are history and are refused. Returns
    how many leads changed owner; the new owner is told once."""
    with transaction.atomic():
        guard(organization, actor, P.MANAGE_CRM)
        owner = _worker(organization, owner_id, "owner_id")
        ids: set[int] = set()
        for value in lead_ids or ():
            try:
                pk = int(str(value))
            except ValueError:
                pk = 0
            if not 0 < pk < MAX_ID:
                raise InvalidInput.single("lead_ids", _("No such lead: %(pk)s.") % {"pk": str(value)[:20]})
            ids.add(pk)
        if not ids:
            raise InvalidInput.single("lead_ids", _("Choose the leads to reassign."))
        leads = list(
            lead_scope(Lead.objects.filter(organization=organization, pk__in=ids), organization, actor)
            .select_for_update(of=("self",))
            .order_by("pk")
        )
        missing = ids - {lead.pk for lead in leads}
        if missing:
            raise InvalidInput.single(
                "lead_ids", _("No such lead: %(pk)s.") % {"pk": ", ".join(str(pk) for pk in sorted(missing)[:10])}
            )
        converted = [lead.number for lead in leads if lead.status == LeadStatus.CONVERTED]
        if converted:
            raise InvalidInput.single(
                "lead_ids", _("Converted leads cannot be reassigned: %(n)s.") % {"n": ", ".join(converted[:10])}
            )
        changed = [lead for lead in leads if lead.owner_id != owner.pk]
        for lead in changed:
            before = _user_label(lead.owner)
            lead.owner = owner
            lead.save(update_fields=["owner", "updated_at"])
            audit_record(
                organization=organization,
                actor=actor,
                obj=lead,
                action=AuditAction.UPDATE,
                changes={"owner": [before or None, _user_label(owner)]},
            )
        _notify_assigned(organization, actor, changed, owner)
        return len(changed)


# Conversion ---------------------------------------------------------------------------------------------------


def _existing_customer(organization: Organization, actor: Actor | None, value: object) -> Partner:
    try:
        customer = partner_get(organization=organization, role=PartnerRole.CUSTOMER, pk=value, actor=actor)
    except NotFound:
        raise InvalidInput.single("customer_id", _("No such customer: %(pk)s.") % {"pk": str(value)[:20]}) from None
    if not customer.is_active:
        raise InvalidInput.single("customer_id", _("%(p)s is inactive.") % {"p": customer})
    return customer


def _opportunity_data(value: object, lead: Lead) -> dict[str, Any] | None:
    """The opportunity part of a conversion: None, or {name, amount?, expected_close_on?} checked."""
    if value in (None, False, ""):
        return None
    if not isinstance(value, Mapping):
        raise InvalidInput.single("opportunity", _("Give the opportunity's name, amount and close date."))
    errors: list[FieldError] = []
    name = _text(value.get("name")) or lead.display_name
    if len(name) > 200:
        errors.append(FieldError("opportunity.name", _("At most %(n)d characters.") % {"n": 200}))
    found: dict[str, Any] = {"name": name}
    if value.get("amount") not in (None, ""):
        try:
            found["amount"] = decimal_input(value.get("amount"), "opportunity.amount", 2, positive=False)
        except InvalidInput as exc:
            errors += exc.errors
    if value.get("expected_close_on") not in (None, ""):
        try:
            found["expected_close_on"] = date_input(value.get("expected_close_on"), "opportunity.expected_close_on")
        except InvalidInput as exc:
            errors += exc.errors
    if errors:
        raise InvalidInput(errors)
    return found


def _customer_from_lead(
    organization: Organization, actor: Actor | None, lead: Lead, owner: Any, allow_duplicate: bool
) -> Partner:
    if not allow_duplicate:
        found = [
            d
            for d in find_duplicates(
                organization=organization, credit_code=lead.credit_code, company=lead.company, leads=False
            )
            if d.kind == "customer"
        ]
        if found:
            customers = list({d.record.pk: d.record for d in found}.values())
            message = _(
                "A customer with the same name or credit code exists: %(c)s. Link the lead to it, or convert anyway."
            ) % {"c": ", ".join(str(c) for c in customers)}
            raise DuplicateFound(found, [FieldError("customer_id", message)])
    data = {
        "kind": PartnerKind.COMPANY if lead.company else PartnerKind.PERSON,
        "name": lead.company or lead.contact_name,
        "credit_code": lead.credit_code,
        "phone": lead.phone or lead.mobile,
        "email": lead.email,
        "province": lead.province,
        "city": lead.city,
        "address": lead.address,
        "industry": lead.industry,
        "owner_id": owner.pk if owner is not None else None,
        "notes": _("From lead %(n)s.") % {"n": lead.number},
    }
    return partner_create(organization=organization, actor=actor, role=PartnerRole.CUSTOMER, data=data)


def _contact_from_lead(
    organization: Organization, actor: Actor | None, lead: Lead, customer: Partner
) -> Contact | None:
    if not lead.contact_name:
        return None
    same = Contact.objects.filter(organization=organization, partner=customer, name__iexact=lead.contact_name).first()
    if same is not None:
        return same
    data = {
        "name": lead.contact_name,
        "title": lead.title,
        "mobile": lead.mobile,
        "phone": lead.phone,
        "email": lead.email,
        "wechat": lead.wechat,
        "is_primary": not Contact.objects.filter(partner=customer, is_primary=True).exists(),
    }
    return contact_create(
        organization=organization, actor=actor, role=PartnerRole.CUSTOMER, partner_id=customer.pk, data=data
    )


def lead_convert(
    *, organization: Organization, actor: Actor | None, lead_id: object, data: Mapping[str, Any]
) -> tuple[Partner, Contact | None, Opportunity | None]:
    """Convert an open lead in one step. `data`: customer_id? (link to this existing customer instead of creating
    one), allow_duplicate? (create the customer although one with the same credit code or name exists),
    opportunity? ({name?, amount?, expected_close_on?}: also open an opportunity). The customer and opportunity
    belong to the lead's owner (or the actor when it has none)."""
    with transaction.atomic():
        guard(organization, actor, P.CHANGE_CRM)
        lead = _lock_lead(organization, actor, lead_id)
        LEAD_FLOW.check(lead.status, LeadStatus.CONVERTED)
        opportunity_data = _opportunity_data(data.get("opportunity"), lead)
        owner = lead.owner or actor
        if data.get("customer_id") not in (None, ""):
            customer = _existing_customer(organization, actor, data["customer_id"])
        else:
            customer = _customer_from_lead(organization, actor, lead, owner, data.get("allow_duplicate") is True)
        contact = _contact_from_lead(organization, actor, lead, customer)
        opportunity = None
        if opportunity_data is not None:
            from suanpan.crm.opportunities import opportunity_create

            stages_ensure(organization)
            try:
                opportunity = opportunity_create(
                    organization=organization,
                    actor=actor,
                    data={
                        **opportunity_data,
                        "customer_id": customer.pk,
                        "owner_id": owner.pk if owner is not None else None,
                        "contact_id": contact.pk if contact is not None else None,
                        "lead_id": lead.pk,
                    },
                )
            except InvalidInput as exc:  # named as the conversion's input names them
                raise InvalidInput(
                    FieldError(f"opportunity.{e.field}" if e.field in opportunity_data else e.field, e.message)
                    for e in exc.errors
                ) from None
        lead.customer = customer
        lead.opportunity = opportunity
        lead.converted_at = timezone.now()
        _transition(
            organization,
            actor,
            lead,
            LeadStatus.CONVERTED,
            customer=str(customer),
            contact=str(contact) if contact else None,
            opportunity=str(opportunity) if opportunity else None,
        )
        return customer, contact, opportunity


# Channels -----------------------------------------------------------------------------------------------------


def _channel_fields(data: Mapping[str, Any]) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    if "name" in data:
        fields["name"] = _text(data["name"])
    for key in ("seq", "is_active"):
        if key in data and data[key] is not None:
            fields[key] = data[key]
    return fields


def _check_channel_name(organization: Organization, channel: Channel) -> None:
    if not channel.name:
        raise InvalidInput.single("name", _("Give the channel a name."))
    clash = Channel.objects.filter(organization=organization, name__iexact=channel.name).exclude(pk=channel.pk or 0)
    if clash.exists():
        raise InvalidInput.single("name", _("Another channel is already called “%(n)s”.") % {"n": channel.name})


def channel_create(*, organization: Organization, actor: Actor | None, data: Mapping[str, Any]) -> Channel:
    """A lead channel: name, seq (order in lists), is_active."""
    with transaction.atomic():
        guard(organization, actor, P.MANAGE_CRM)
        channels_ensure(organization)
        channel = Channel(organization=organization)
        apply(channel, _channel_fields(data))
        _check_channel_name(organization, channel)
        return record_create(channel, organization=organization, actor=actor)


def channel_update(
    *, organization: Organization, actor: Actor | None, channel_id: object, data: Mapping[str, Any]
) -> Channel:
    with transaction.atomic():
        guard(organization, actor, P.MANAGE_CRM)
        found = channel_get(organization=organization, pk=channel_id)
        channel = Channel.objects.select_for_update().get(pk=found.pk)
        return record_update(
            channel,
            organization=organization,
            actor=actor,
            data=_channel_fields(data),
            prepare=lambda c: _check_channel_name(organization, c),
        )


def channel_deactivate(*, organization: Organization, actor: Actor | None, channel_id: object) -> Channel:
    """The channel is no longer offered for new leads; its leads keep it."""
    return channel_update(organization=organization, actor=actor, channel_id=channel_id, data={"is_active": False})


# Assignment rules ---------------------------------------------------------------------------------------------


def _rule_fields(organization: Organization, data: Mapping[str, Any]) -> tuple[dict[str, Any], list[Any] | None]:
    fields: dict[str, Any] = {}
    errors: list[FieldError] = []
    if "name" in data:
        fields["name"] = _text(data["name"])
        if not fields["name"]:
            errors.append(FieldError("name", _("Give the rule a name.")))
    if "province" in data:
        fields["province"] = _text(data["province"])
    for key in ("seq", "is_active"):
        if key in data and data[key] is not None:
            fields[key] = data[key]
    assignees = None
    if "assignee_ids" in data:
        assignees = []
        for n, value in enumerate(data["assignee_ids"] or ()):
            try:
                user = _worker(organization, value, f"assignee_ids.{n}")
            except InvalidInput as exc:
                errors += exc.errors
                continue
            if user not in assignees:
                assignees.append(user)
        if not assignees and not errors:
            errors.append(FieldError("assignee_ids", _("Choose at least one assignee.")))
    if errors:
        raise InvalidInput(errors)
    return fields, assignees


def assignment_rule_create(
    *, organization: Organization, actor: Actor | None, data: Mapping[str, Any]
) -> AssignmentRule:
    """A rule: name, seq, province ("" = any region), assignee_ids (members who may work leads), is_active."""
    with transaction.atomic():
        guard(organization, actor, P.MANAGE_CRM)
        fields, assignees = _rule_fields(organization, {"assignee_ids": [], **data})
        rule = AssignmentRule(organization=organization)
        apply(rule, fields)
        return record_create(rule, organization=organization, actor=actor, m2m={"assignees": assignees or []})


def assignment_rule_update(
    *, organization: Organization, actor: Actor | None, rule_id: object, data: Mapping[str, Any]
) -> AssignmentRule:
    with transaction.atomic():
        guard(organization, actor, P.MANAGE_CRM)
        found = assignment_rule_get(organization=organization, pk=rule_id)
        rule = AssignmentRule.objects.select_for_update().get(pk=found.pk)
        fields, assignees = _rule_fields(organization, data)
        m2m = {"assignees": assignees} if assignees is not None else None
        return record_update(rule, organization=organization, actor=actor, data=fields, m2m=m2m)


def assignment_rule_delete(*, organization: Organization, actor: Actor | None, rule_id: object) -> None:
    with transaction.atomic():
        guard(organization, actor, P.MANAGE_CRM)
        rule = assignment_rule_get(organization=organization, pk=rule_id)
        record_delete(rule, organization=organization, actor=actor)
