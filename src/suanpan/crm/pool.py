"""The customer pool (公海): customers without an owner, which any rep may claim.

Rules:
- Every member with `VIEW_CRM` sees the pool; claiming takes `CHANGE_CRM` and stops at the organization's claim
  limit (`CrmSettings.claim_limit`: active customers a rep owns; 0 = no limit).
- A rep releases their own customer (with a reason); a manager (`MANAGE_CRM`) any customer they see, and assigns
  customers in bulk — from the pool or from one rep to another.
- `pool_reclaim` (02:00, `crm.tasks`) returns to the pool each owned customer whose last activity — its latest
  follow-up (on it or its opportunities), its latest claim or assignment, or its creation — lies more than
  `pool_return_days` days before today (0 = never); the previous owner is told.
- Each move writes a `PoolEvent`. The customer row is locked first (`select_for_update`), so of two reps claiming
  the same customer at once one wins and the other is refused; a rep's own claims are serialised on their
  membership row, so two claims at once cannot pass the limit together.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import CharField, DateTimeField, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Cast, Coalesce, Greatest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from suanpan.core.audit import audit_record
from suanpan.core.choices import AuditAction
from suanpan.core.exceptions import DomainError, FieldError, InvalidInput, NotFound
from suanpan.core.models import AuditEvent, Membership, Organization
from suanpan.core.notifications import notify
from suanpan.core.permissions import P, has_perm
from suanpan.core.records import get_scoped
from suanpan.core.scopes import may_see
from suanpan.core.tenancy import guard, membership_for, user_id
from suanpan.core.types import Actor
from suanpan.crm.choices import PoolAction
from suanpan.crm.models import FollowUp, PoolEvent
from suanpan.crm.setup import crm_settings
from suanpan.partners.models import Partner

RECLAIMED_KIND = "crm.pool_reclaimed"
ASSIGNED_KIND = "crm.pool_assigned"
REASON_MAX = 200
ASSIGN_MAX = 1000
MAX_ID = 2**63


# Reads -----------------------------------------------------------------------------------------------------------


def pool_list(*, organization: Organization, actor: Actor | None = None) -> QuerySet[Partner]:
    """The active customers without an owner (every member with VIEW_CRM sees all of them)."""
    guard(organization, actor, P.VIEW_CRM)
    return (
        Partner.objects.filter(organization=organization, is_customer=True, is_active=True, owner__isnull=True)
        .prefetch_related("tags")
        .order_by("code")
    )


def with_last_activity(qs: QuerySet[Partner]) -> QuerySet[Partner]:
    """Customers annotated with `last_activity`: the latest of their last follow-up (on them or their
    opportunities), their last claim or assignment, their last change of owner on the customer form, and their
    creation."""
    direct = FollowUp.objects.filter(customer=OuterRef("pk")).order_by("-happened_at").values("happened_at")[:1]
    via_opportunity = (
        FollowUp.objects.filter(opportunity__customer=OuterRef("pk")).order_by("-happened_at").values("happened_at")[:1]
    )
    taken = (
        PoolEvent.objects.filter(customer=OuterRef("pk"), action__in=[PoolAction.CLAIMED, PoolAction.ASSIGNED])
        .order_by("-created_at")
        .values("created_at")[:1]
    )
    handed_over = (  # the owner changed on the customer's own form (partners), recorded by the audit trail
        AuditEvent.objects.filter(
            object_type="partners.partner",
            object_id=Cast(OuterRef("pk"), CharField()),
            action=AuditAction.UPDATE,
            changes__has_key="owner",
        )
        .order_by("-created_at")
        .values("created_at")[:1]
    )
    created = F("created_at")
    return qs.annotate(
        last_activity=Greatest(
            Coalesce(Subquery(direct, output_field=DateTimeField()), created),
            Coalesce(Subquery(via_opportunity, output_field=DateTimeField()), created),
            Coalesce(Subquery(taken, output_field=DateTimeField()), created),
            Coalesce(Subquery(handed_over, output_field=DateTimeField()), created),
            created,
            output_field=DateTimeField(),
        )
    )


def _start_of(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def return_day(last_activity: datetime.datetime, days: int) -> datetime.date:
    """The day a customer last active at `last_activity` goes back to the pool (more than `days` days later)."""
    return timezone.localdate(last_activity) + datetime.timedelta(days=days + 1)


@dataclass(frozen=True)
class Returning:
    customer: Partner
    last_activity: datetime.datetime
    return_on: datetime.date


def customers_returning(
    *, organization: Organization, owner: Actor, today: datetime.date, within_days: int = 7
) -> list[Returning]:
    """The owner's customers that go back to the pool within `within_days` days (none when the rule is off)."""
    days = crm_settings(organization).pool_return_days
    if not days:
        return []
    cutoff = _start_of(today + datetime.timedelta(days=within_days) - datetime.timedelta(days=days))
    qs = with_last_activity(
        Partner.objects.filter(organization=organization, is_customer=True, is_active=True, owner_id=owner.pk)
    ).filter(Q(last_activity__lt=cutoff))
    rows = [
        Returning(customer=c, last_activity=c.last_activity, return_on=return_day(c.last_activity, days))  # type: ignore[attr-defined]
        for c in qs
    ]
    return sorted(rows, key=lambda r: (r.return_on, r.customer.code))


def pool_history(*, organization: Organization, actor: Actor | None, customer_id: object) -> QuerySet[PoolEvent]:
    """The pool moves of a customer the actor sees (a customer in the pool: every member)."""
    customer = _visible_customer(organization, actor, customer_id)
    return (
        PoolEvent.objects.filter(organization=organization, customer=customer)
        .select_related("previous_owner", "new_owner", "actor")
        .order_by("-created_at", "-id")
    )


def _visible_customer(organization: Organization, actor: Actor | None, customer_id: object) -> Partner:
    customer = get_scoped(Partner, organization=organization, pk=customer_id)
    if not customer.is_customer or (
        customer.owner_id is not None and not may_see(organization, actor, customer.owner_id)
    ):
        raise NotFound(_("Customer not found."))
    return customer


def _lock(customer: Partner) -> Partner:
    return Partner.objects.select_for_update(of=("self",)).select_related("owner").get(pk=customer.pk)


def _event(
    organization: Organization,
    customer: Partner,
    action: PoolAction,
    *,
    actor: Actor | None,
    previous: int | None,
    new: int | None,
    reason: str = "",
) -> PoolEvent:
    event = PoolEvent.objects.create(
        organization=organization,
        customer=customer,
        action=action,
        previous_owner_id=previous,
        new_owner_id=new,
        actor_id=user_id(actor),
        reason=reason[:REASON_MAX],
    )
    audit_record(
        organization=organization,
        actor=actor,
        obj=customer,
        action=AuditAction.UPDATE,
        changes={"owner": [previous, new], "pool": str(action), **({"reason": reason} if reason else {})},
    )
    return event


def _set_owner(customer: Partner, owner_id: int | None) -> None:
    customer.owner_id = owner_id
    customer.save(update_fields=["owner", "updated_at"])


def _customer_link(customer: Partner) -> str:
    from suanpan.crm.followups import subject_url

    return subject_url("customer", customer.pk)


# Moves -----------------------------------------------------------------------------------------------------------


def pool_claim(*, organization: Organization, actor: Actor | None, customer_id: object) -> Partner:
    """The actor takes a customer from the pool, within the claim limit."""
    with transaction.atomic():
        guard(organization, actor, P.CHANGE_CRM)
        if actor is None or not actor.pk:
            raise DomainError(_("Only a member can claim a customer."), field="actor")
        found = get_scoped(Partner, organization=organization, pk=customer_id)
        if not found.is_customer:
            raise NotFound(_("Customer not found."))
        customer = _lock(found)
        if customer.owner_id == actor.pk:
            raise DomainError(_("%(c)s is already yours.") % {"c": customer.name}, field="owner")
        if customer.owner_id is not None:
            # no name: the customer is now outside a rep's scope
            raise DomainError(_("This customer is no longer in the pool: another rep claimed it first."), field="owner")
        if not customer.is_active:
            raise DomainError(_("%(c)s is inactive.") % {"c": customer.name}, field="customer_id")
        Membership.objects.select_for_update().filter(organization=organization, user_id=actor.pk).first()
        limit = crm_settings(organization).claim_limit
        if limit:
            owned = Partner.objects.filter(
                organization=organization, is_customer=True, is_active=True, owner_id=actor.pk
            ).count()
            if owned >= limit:
                raise DomainError(
                    ngettext(
                        "You own %(owned)d customers and the claim limit is %(limit)d customer: release one first.",
                        "You own %(owned)d customers and the claim limit is %(limit)d customers: release one first.",
                        limit,
                    )
                    % {"owned": owned, "limit": limit},
                    field="claim_limit",
                )
        _set_owner(customer, actor.pk)
        _event(organization, customer, PoolAction.CLAIMED, actor=actor, previous=None, new=actor.pk)
        return customer


def pool_release(*, organization: Organization, actor: Actor | None, customer_id: object, reason: str) -> Partner:
    """Put a customer back into the pool: a rep their own, a manager (MANAGE_CRM) any they see. The reason is
    kept; a customer released by someone else's hand is announced to its owner."""
    with transaction.atomic():
        guard(organization, actor, P.CHANGE_CRM)
        found = _visible_customer(organization, actor, customer_id)
        text = str(reason or "").strip()
        if not text:
            raise InvalidInput.single("reason", _("Say why the customer goes back to the pool."))
        if len(text) > REASON_MAX or "\x00" in text:
            raise InvalidInput.single("reason", _("At most %(n)d characters.") % {"n": REASON_MAX})
        customer = _lock(found)
        previous = customer.owner_id
        if previous is None:
            raise DomainError(_("%(c)s is already in the pool.") % {"c": customer.name}, field="owner")
        manager = actor is None or has_perm(membership_for(organization=organization, user=actor), P.MANAGE_CRM)
        if not manager and previous != actor.pk:  # type: ignore[union-attr]
            raise DomainError(_("Only the owner or a manager can release a customer."), field="owner")
        previous_user = customer.owner
        _set_owner(customer, None)
        _event(organization, customer, PoolAction.RELEASED, actor=actor, previous=previous, new=None, reason=text)
        if previous_user is not None and (actor is None or previous != actor.pk):
            notify(
                organization,
                [previous_user],
                RECLAIMED_KIND,
                _("%(c)s was put back into the pool") % {"c": customer.name},
                text,
                reverse("crm:pool_list"),
                f"pool:{customer.pk}",
            )
        return customer


def _customer_ids(value: object) -> list[int]:
    if not isinstance(value, list | tuple | set) or not value:
        raise InvalidInput.single("customer_ids", _("Choose at least one customer."))
    if len(value) > ASSIGN_MAX:
        raise InvalidInput.single("customer_ids", _("At most %(n)d customers at a time.") % {"n": ASSIGN_MAX})
    ids: set[int] = set()
    for raw in value:
        text = str(raw).strip()
        if isinstance(raw, bool) or not text.isdigit() or not 0 < int(text) < MAX_ID:
            raise InvalidInput.single("customer_ids", _("No such customer: %(pk)s.") % {"pk": raw})
        ids.add(int(text))
    return sorted(ids)


def pool_assign(
    *, organization: Organization, actor: Actor | None, customer_ids: Iterable[object], owner_id: object
) -> int:
    """A manager gives customers (from the pool or from other reps) to one member; returns how many changed hands.
    The new owner is told, and so is each previous owner."""
    with transaction.atomic():
        guard(organization, actor, P.MANAGE_CRM)
        errors: list[FieldError] = []
        ids: list[int] = []
        try:
            ids = _customer_ids(list(customer_ids) if not isinstance(customer_ids, list) else customer_ids)
        except InvalidInput as exc:
            errors += exc.errors
        owner_pk = str(owner_id).strip() if owner_id is not None else ""
        membership = (
            Membership.objects.filter(
                organization=organization, user_id=int(owner_pk), is_active=True, user__is_active=True
            )
            .select_related("user")
            .first()
            if owner_pk.isdigit() and int(owner_pk) < MAX_ID
            else None
        )
        if membership is None:
            errors.append(FieldError("owner_id", _("No such member of this organization.")))
        if errors:
            raise InvalidInput(errors)
        assert membership is not None  # noqa: S101  # refused above
        new_owner = membership.user
        customers = list(
            Partner.objects.select_for_update(of=("self",))
            .filter(organization=organization, is_customer=True, pk__in=ids)
            .select_related("owner")
            .order_by("pk")
        )
        seen = {c.pk for c in customers if c.owner_id is None or may_see(organization, actor, c.owner_id)}
        missing = [pk for pk in ids if pk not in seen]
        if missing:
            raise InvalidInput.single(
                "customer_ids", _("No such customer: %(pk)s.") % {"pk": ", ".join(str(m) for m in missing)}
            )
        changed: list[Partner] = []
        by_previous: dict[int, tuple[Actor, list[Partner]]] = {}
        for customer in customers:
            previous = customer.owner
            if previous is not None and previous.pk == new_owner.pk:
                continue
            _set_owner(customer, new_owner.pk)
            _event(
                organization,
                customer,
                PoolAction.ASSIGNED,
                actor=actor,
                previous=previous.pk if previous else None,
                new=new_owner.pk,
            )
            changed.append(customer)
            if previous is not None:
                by_previous.setdefault(previous.pk, (previous, []))[1].append(customer)
        if changed:
            link = _customer_link(changed[0]) if len(changed) == 1 else reverse("crm:my_day")
            notify(
                organization,
                [new_owner],
                ASSIGNED_KIND,
                ngettext("%(n)d customer was assigned to you", "%(n)d customers were assigned to you", len(changed))
                % {"n": len(changed)},
                _names(changed),
                link,
                f"assign:{new_owner.pk}:{changed[0].pk}",
            )
        for previous_user, group in by_previous.values():
            notify(
                organization,
                [previous_user],
                ASSIGNED_KIND,
                ngettext(
                    "%(n)d of your customers was reassigned", "%(n)d of your customers were reassigned", len(group)
                )
                % {"n": len(group)},
                _names(group),
                "",
                f"reassign:{previous_user.pk}:{group[0].pk}",
            )
        return len(changed)


def _names(customers: list[Partner], limit: int = 20) -> str:
    return "、".join(c.name for c in customers[:limit]) + ("…" if len(customers) > limit else "")


def pool_reclaim(*, organization: Organization, today: datetime.date | None = None) -> int:
    """Return to the pool each owned customer without activity for more than `pool_return_days` days before
    `today`; the previous owner is told. Returns how many went back (0 when the rule is off)."""
    days = crm_settings(organization).pool_return_days
    if not days:
        return 0
    today = today or timezone.localdate()
    cutoff = _start_of(today - datetime.timedelta(days=days))
    base = Partner.objects.filter(organization=organization, is_customer=True, is_active=True, owner__isnull=False)
    with transaction.atomic():
        ids = list(with_last_activity(base).filter(Q(last_activity__lt=cutoff)).values_list("pk", flat=True))
        if not ids:
            return 0
        locked = list(
            Partner.objects.select_for_update(of=("self",)).filter(pk__in=ids).select_related("owner").order_by("pk")
        )
        # again under the lock: a follow-up or a claim may have come in since
        still = set(
            with_last_activity(base.filter(pk__in=ids)).filter(Q(last_activity__lt=cutoff)).values_list("pk", flat=True)
        )
        reason = _("No follow-up for more than %(n)d days.") % {"n": days}
        count = 0
        for customer in locked:
            if customer.pk not in still or customer.owner is None:
                continue
            previous = customer.owner
            _set_owner(customer, None)
            _event(
                organization, customer, PoolAction.RECLAIMED, actor=None, previous=previous.pk, new=None, reason=reason
            )
            notify(
                organization,
                [previous],
                RECLAIMED_KIND,
                _("%(c)s returned to the pool") % {"c": customer.name},
                reason,
                reverse("crm:pool_list"),
                f"pool:{customer.pk}",
            )
            count += 1
        return count
