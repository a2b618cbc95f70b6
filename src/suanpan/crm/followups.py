"""Follow-ups (跟进记录): what happened with a lead, a customer or an opportunity, and the next step it sets.

Rules:
- A follow-up is about exactly one subject, which the actor must see (data scope: the subject's owner is in the
  actor's scope; a customer in the pool is outside every OWN/TEAM scope). Otherwise it is not found.
- Follow-ups are history: they are added, never edited. The member who logged one may delete it on the same day
  (a typo, the wrong customer).
- The next step of a subject is the one of its latest follow-up: logging a follow-up closes the open next steps of
  the earlier ones (`next_done_at`); deleting the latest reopens the one before it.
- A NEW lead becomes CONTACTING with its first follow-up.
- `followup_reminders` (08:00, `crm.tasks`) tells each member about their open next steps due today or overdue,
  once a day per step (`reminded_on`), for subjects they still see.

Follow-ups of a customer's opportunities belong to the opportunity (`opportunity`), not to the customer; the
customer's timeline and its last activity read both (`customer_followups_q`).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from suanpan.core.audit import audit_record
from suanpan.core.choices import AuditAction
from suanpan.core.exceptions import DomainError, FieldError, InvalidInput, NotFound
from suanpan.core.models import Membership, Organization
from suanpan.core.notifications import notifications_resolve, notify
from suanpan.core.permissions import P, has_perm
from suanpan.core.records import get_scoped
from suanpan.core.scopes import may_see, visible_owner_ids
from suanpan.core.tenancy import guard, membership_for
from suanpan.core.types import Actor
from suanpan.crm.choices import LEAD_FLOW, FollowUpKind, LeadStatus
from suanpan.crm.models import FollowUp, Lead, Opportunity
from suanpan.partners.choices import PartnerRole
from suanpan.partners.models import Partner
from suanpan.partners.selectors import partner_get

DUE_KIND = "crm.followup_due"
CONTENT_MAX = 4000
ACTION_MAX = 200
SUBJECT_KEYS = ("lead", "customer", "opportunity")
MAX_ID = 2**63


# Subjects --------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Subject:
    """What a follow-up is about: one lead, customer or opportunity."""

    lead: Lead | None = None
    customer: Partner | None = None
    opportunity: Opportunity | None = None

    @property
    def key(self) -> str:
        return "lead" if self.lead is not None else "opportunity" if self.opportunity is not None else "customer"

    @property
    def obj(self) -> Lead | Partner | Opportunity:
        found = self.lead or self.opportunity or self.customer
        assert found is not None  # noqa: S101  # a Subject is only made with one row
        return found

    @property
    def pk(self) -> int:
        return int(self.obj.pk)

    @property
    def label(self) -> str:
        if self.lead is not None:
            return self.lead.display_name
        if self.opportunity is not None:
            return self.opportunity.name
        return self.customer.name if self.customer is not None else ""

    @property
    def owner_id(self) -> int | None:
        owner: int | None = self.obj.owner_id
        return owner

    @property
    def query(self) -> str:
        """The query string naming this subject (`customer=12`) for the follow-up pages."""
        return f"{self.key}={self.pk}"

    def own_q(self) -> Q:
        """Follow-ups logged on this subject itself."""
        return Q(**{self.key: self.obj})

    def timeline_q(self) -> Q:
        """Follow-ups shown on the subject's timeline: a customer's include its opportunities'."""
        if self.customer is not None:
            return customer_followups_q(self.customer)
        return self.own_q()

    @property
    def url(self) -> str:
        return subject_url(self.key, self.pk)


def customer_followups_q(customer: Partner | int) -> Q:
    """Follow-ups on the customer or on one of its opportunities."""
    return Q(customer=customer) | Q(opportunity__customer=customer)


def _first_url(candidates: tuple[tuple[str, int], ...]) -> str:
    for name, pk in candidates:
        try:
            return reverse(name, args=[pk])
        except NoReverseMatch:
            continue
    return ""


def subject_url(key: str, pk: int) -> str:
    """The page of a subject (the CRM page when it exists, else the customer card)."""
    if key == "lead":
        return _first_url((("crm:lead_detail", pk),))
    if key == "opportunity":
        return _first_url((("crm:opportunity_detail", pk),))
    return _first_url((("crm:customer_360", pk), ("partners:customer_detail", pk)))


def subject_of(followup: FollowUp) -> Subject:
    return Subject(lead=followup.lead, customer=followup.customer, opportunity=followup.opportunity)


def _id(value: object) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return value if 0 < value < MAX_ID else 0
    text = str(value).strip() if value is not None else ""
    if not text:
        return None
    return int(text) if text.isdigit() and int(text) < MAX_ID else 0


def subject_get(
    *,
    organization: Organization,
    actor: Actor | None,
    lead: object = None,
    customer: object = None,
    opportunity: object = None,
) -> Subject:
    """The one subject named (a row or its id); another organization's, or one outside the actor's data scope, is
    not found. Naming none or several is an input error on `subject`."""
    given = {
        key: value.pk if hasattr(value, "pk") else _id(value)
        for key, value in (("lead", lead), ("customer", customer), ("opportunity", opportunity))
    }
    named = {key: pk for key, pk in given.items() if pk is not None}
    if len(named) != 1:
        raise InvalidInput.single(
            "subject", _("Name exactly one of a lead, a customer or an opportunity for the follow-up.")
        )
    key, pk = next(iter(named.items()))
    if key == "customer":
        return Subject(customer=partner_get(organization=organization, role=PartnerRole.CUSTOMER, pk=pk, actor=actor))
    if key == "lead":
        found_lead = get_scoped(Lead, organization=organization, pk=pk)
        if not _may_see_lead(organization, actor, found_lead.owner_id):
            raise NotFound(_("Lead not found."))
        return Subject(lead=found_lead)
    found = get_scoped(Opportunity, organization=organization, pk=pk)
    if not may_see(organization, actor, found.owner_id):
        raise NotFound(_("Opportunity not found."))
    return Subject(opportunity=found)


# Reads -----------------------------------------------------------------------------------------------------------


def _manages(organization: Organization, actor: Actor | None) -> bool:
    return actor is None or has_perm(membership_for(organization=organization, user=actor), P.MANAGE_CRM)


def _may_see_lead(organization: Organization, actor: Actor | None, owner_id: int | None) -> bool:
    """As the lead pages decide: a lead in scope, and an unassigned one for a manager (who assigns it)."""
    if owner_id is None:
        return visible_owner_ids(organization, actor) is None or _manages(organization, actor)
    return may_see(organization, actor, owner_id)


def may_see_subject(organization: Organization, actor: Actor | None, subject: Subject) -> bool:
    if subject.lead is not None:
        return _may_see_lead(organization, actor, subject.owner_id)
    return may_see(organization, actor, subject.owner_id)


def scope_q(organization: Organization, actor: Actor | None) -> Q | None:
    """Follow-ups whose subject `actor` sees (None: every one)."""
    ids = visible_owner_ids(organization, actor)
    if ids is None:
        return None
    where = Q(lead__owner_id__in=ids) | Q(customer__owner_id__in=ids) | Q(opportunity__owner_id__in=ids)
    if _manages(organization, actor):
        where |= Q(lead__isnull=False, lead__owner__isnull=True)
    return where


def followup_scoped(organization: Organization, actor: Actor | None) -> QuerySet[FollowUp]:
    qs = FollowUp.objects.filter(organization=organization)
    where = scope_q(organization, actor)
    if where is not None:
        qs = qs.filter(where)
    return qs.select_related("user", "lead", "customer", "opportunity", "opportunity__customer").order_by(
        "-happened_at", "-id"
    )


def followup_list(
    *,
    organization: Organization,
    actor: Actor | None,
    lead: object = None,
    customer: object = None,
    opportunity: object = None,
) -> QuerySet[FollowUp]:
    """Follow-ups the actor sees, newest first; with a subject (row or id), that subject's timeline (a customer's
    includes its opportunities'). A subject outside the actor's scope is not found. (No permission check: the
    page or endpoint asks for `VIEW_CRM`.)"""
    qs = followup_scoped(organization, actor)
    if lead is None and customer is None and opportunity is None:
        return qs
    subject = subject_get(organization=organization, actor=actor, lead=lead, customer=customer, opportunity=opportunity)
    return qs.filter(subject.timeline_q())


def followup_get(*, organization: Organization, actor: Actor | None, pk: object) -> FollowUp:
    found = get_scoped(FollowUp, organization=organization, pk=pk)
    visible = followup_scoped(organization, actor).filter(pk=found.pk).first()
    if visible is None:
        raise NotFound(_("Follow-up not found."))
    return visible


def followups_due(*, organization: Organization, user: Actor, today: datetime.date) -> QuerySet[FollowUp]:
    """The user's open next steps due on or before `today` (overdue first), on subjects the user still sees."""
    qs = followup_scoped(organization, user).filter(user_id=user.pk or 0, next_done_at__isnull=True, next_on__lte=today)
    return qs.order_by("next_on", "happened_at", "id")


# Logging ---------------------------------------------------------------------------------------------------------


def _text(data: Mapping[str, Any], key: str, limit: int, errors: list[FieldError]) -> str:
    value = data.get(key)
    text = "" if value is None else str(value).strip()
    if "\x00" in text:
        errors.append(FieldError(key, _("Null characters are not allowed.")))
    elif len(text) > limit:
        errors.append(FieldError(key, _("At most %(n)d characters.") % {"n": limit}))
    return text


def _happened_at(value: object, now: datetime.datetime, errors: list[FieldError]) -> datetime.datetime:
    if value in (None, ""):
        return now
    if isinstance(value, datetime.datetime):
        moment = value if timezone.is_aware(value) else timezone.make_aware(value)
    elif isinstance(value, datetime.date):  # a day without a time: now if today, else noon of that day
        at = timezone.localtime(now).time() if value == timezone.localdate(now) else datetime.time(12, 0)
        moment = timezone.make_aware(datetime.datetime.combine(value, at))
    else:
        errors.append(FieldError("happened_at", _("Enter a valid date and time.")))
        return now
    if timezone.localdate(moment) > timezone.localdate(now):
        errors.append(FieldError("happened_at", _("A follow-up cannot be logged for a day still to come.")))
    return moment


def _logger(organization: Organization, actor: Actor | None, data: Mapping[str, Any]) -> Any:
    """Who logged it: the actor; for the system (actor None) the member named by `user_id`."""
    if actor is not None:
        return actor
    pk = _id(data.get("user_id"))
    membership = (
        Membership.objects.filter(organization=organization, user_id=pk, is_active=True).select_related("user").first()
        if pk
        else None
    )
    if membership is None:
        raise InvalidInput.single("user_id", _("No such member of this organization."))
    return membership.user


def _close_steps(organization: Organization, subject: Subject, before: FollowUp) -> list[int]:
    """Close the open next steps of the subject's follow-ups up to `before` (excluded); their ids."""
    open_steps = (
        FollowUp.objects.filter(organization=organization, next_done_at__isnull=True)
        .filter(subject.own_q())
        .filter(Q(next_on__isnull=False) | ~Q(next_action=""))
        .filter(Q(happened_at__lt=before.happened_at) | Q(happened_at=before.happened_at, id__lt=before.pk))
    )
    ids = list(open_steps.values_list("pk", flat=True))
    if ids:
        FollowUp.objects.filter(pk__in=ids).update(next_done_at=timezone.now(), updated_at=timezone.now())
        notifications_resolve(organization=organization, kind=DUE_KIND, keys=[_key(pk) for pk in ids])
    return ids


def _key(followup_id: int) -> str:
    return f"followup:{followup_id}"


def _lead_contacted(organization: Organization, actor: Actor | None, lead: Lead) -> None:
    """A NEW lead is being worked: CONTACTING (area leads owns the other transitions)."""
    locked = Lead.objects.select_for_update(of=("self",)).get(pk=lead.pk)
    if locked.status != LeadStatus.NEW:
        return
    LEAD_FLOW.check(locked.status, LeadStatus.CONTACTING)
    locked.status = LeadStatus.CONTACTING
    locked.save(update_fields=["status", "updated_at"])
    lead.status = locked.status
    audit_record(
        organization=organization,
        actor=actor,
        obj=locked,
        action=AuditAction.STATE,
        changes={"status": [LeadStatus.NEW, LeadStatus.CONTACTING], "by": "follow-up"},
    )


def followup_log(*, organization: Organization, actor: Actor | None, data: Mapping[str, Any]) -> FollowUp:
    """Log one follow-up. `data`: kind (call, visit, wechat, email, meeting, note; default call), content,
    happened_at? (datetime or date; default now; not a day to come), next_on? (date, not before the follow-up's
    day), next_action?, exactly one of lead_id / customer_id / opportunity_id, and user_id when actor is None."""
    with transaction.atomic():
        guard(organization, actor, P.CHANGE_CRM)
        subject = subject_get(
            organization=organization,
            actor=actor,
            lead=data.get("lead_id"),
            customer=data.get("customer_id"),
            opportunity=data.get("opportunity_id"),
        )
        user = _logger(organization, actor, data)
        errors: list[FieldError] = []
        kind = str(data.get("kind") or FollowUpKind.CALL)
        if kind not in FollowUpKind.values:
            errors.append(FieldError("kind", _("Choose a type of follow-up.")))
        content = _text(data, "content", CONTENT_MAX, errors)
        if not content and not any(e.field == "content" for e in errors):
            errors.append(FieldError("content", _("Write what happened.")))
        next_action = _text(data, "next_action", ACTION_MAX, errors)
        now = timezone.now()
        happened_at = _happened_at(data.get("happened_at"), now, errors)
        next_on = data.get("next_on")
        if next_on in (None, ""):
            next_on = None
        elif not isinstance(next_on, datetime.date) or isinstance(next_on, datetime.datetime):
            errors.append(FieldError("next_on", _("Enter a valid date.")))
            next_on = None
        elif next_on < timezone.localdate(happened_at):
            errors.append(FieldError("next_on", _("The next follow-up cannot be before this one.")))
        if errors:
            raise InvalidInput(errors)
        followup = FollowUp(
            organization=organization,
            kind=kind,
            content=content,
            happened_at=happened_at,
            next_on=next_on,
            next_action=next_action,
            user=user,
            **{subject.key: subject.obj},
        )
        followup.save()
        closed = _close_steps(organization, subject, followup)
        later = (
            FollowUp.objects.filter(organization=organization)
            .filter(subject.own_q())
            .filter(Q(happened_at__gt=followup.happened_at))
            .exists()
        )
        if later and (followup.next_on or followup.next_action):  # back-dated: a later follow-up took over
            followup.next_done_at = now
            followup.save(update_fields=["next_done_at"])
        if subject.lead is not None:
            _lead_contacted(organization, actor, subject.lead)
        audit_record(
            organization=organization,
            actor=actor,
            obj=followup,
            action=AuditAction.CREATE,
            changes={
                subject.key: subject.pk,
                "kind": kind,
                "next_on": next_on.isoformat() if next_on else None,
                "closed_steps": closed,
                "user": user.pk,
            },
        )
        return followup


def followup_delete(*, organization: Organization, actor: Actor, followup_id: object) -> None:
    """The member who logged a follow-up deletes it the same day; the subject's previous next step reopens when
    this was the latest one."""
    with transaction.atomic():
        guard(organization, actor, P.CHANGE_CRM)
        found = followup_get(organization=organization, actor=actor, pk=followup_id)
        followup = FollowUp.objects.select_for_update(of=("self",)).get(pk=found.pk)
        if followup.user_id != actor.pk or timezone.localdate(followup.created_at) != timezone.localdate():
            raise DomainError(
                _("Follow-ups are history: only the member who logged one may delete it, on the same day."),
                field="user",
            )
        subject = subject_of(found)
        pk = followup.pk
        audit_record(
            organization=organization,
            actor=actor,
            obj=followup,
            action=AuditAction.DELETE,
            changes={subject.key: subject.pk, "content": followup.content[:200]},
        )
        followup.delete()
        notifications_resolve(organization=organization, kind=DUE_KIND, keys=[_key(pk)])
        rest = FollowUp.objects.filter(organization=organization).filter(subject.own_q())
        latest = rest.order_by("-happened_at", "-id").first()
        if latest is not None and latest.next_done_at is not None and (latest.next_on or latest.next_action):
            latest.next_done_at = None
            latest.save(update_fields=["next_done_at", "updated_at"])


# Reminders -------------------------------------------------------------------------------------------------------


def _line(followup: FollowUp, today: datetime.date) -> str:
    subject = subject_of(followup)
    when = followup.next_on.isoformat() if followup.next_on else ""
    late = _(" (overdue)") if followup.next_on and followup.next_on < today else ""
    action = followup.next_action or _("follow up")
    return f"{when}{late} {subject.label}: {action}"


def followup_reminders(*, organization: Organization, today: datetime.date) -> int:
    """Tell each member about their open next steps due on or before `today`, once a day per step: one
    notification naming the subject when there is one, else one listing them all (linking to "my day"). Returns how
    many next steps were reminded."""
    with transaction.atomic():
        rows = list(
            FollowUp.objects.select_for_update(of=("self",))
            .filter(organization=organization, next_done_at__isnull=True, next_on__lte=today)
            .exclude(reminded_on=today)
            .select_related("user", "lead", "customer", "opportunity")
            .order_by("next_on", "pk")
        )
        by_user: dict[int, list[FollowUp]] = defaultdict(list)
        for row in rows:
            by_user[row.user_id].append(row)
        reminded: list[int] = []
        for steps in by_user.values():
            user = steps[0].user
            if not user.is_active:
                continue
            mine = [s for s in steps if may_see_subject(organization, user, subject_of(s))]
            if not mine:
                continue
            overdue = sum(1 for s in mine if s.next_on is not None and s.next_on < today)
            if len(mine) == 1:
                step = mine[0]
                subject = subject_of(step)
                title = (_("Overdue follow-up: %(subject)s") if overdue else _("Follow up today: %(subject)s")) % {
                    "subject": subject.label
                }
                notify(
                    organization,
                    [user],
                    DUE_KIND,
                    title,
                    _line(step, today),
                    subject.url,
                    _key(step.pk),
                )
            else:
                title = _("%(n)d follow-ups due (%(overdue)d overdue)") % {"n": len(mine), "overdue": overdue}
                body = "\n".join(_line(s, today) for s in mine)
                notify(organization, [user], DUE_KIND, title, body, my_day_url(), f"followups:{today.isoformat()}")
            reminded += [s.pk for s in mine]
        if reminded:
            FollowUp.objects.filter(pk__in=reminded).update(reminded_on=today)
        return len(reminded)


def my_day_url() -> str:
    return reverse("crm:my_day")
