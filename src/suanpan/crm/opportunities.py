"""Opportunities (商机) and their stages: entry, edits, moves through the stages, and the stage list itself.

Each opportunity sits in one stage; every move writes an append-only `StageChange` (the first one when it is
created, `from_stage` None) and restarts `stage_entered_at`, so the funnel measures days in stage from history.
A stage's kind says what a move means: into a LOST stage needs a loss reason; WON and LOST close the
opportunity (`closed_on`); back into an OPEN stage reopens it. The probability follows the stage it enters and
may be overridden by an edit.

Data scope: an opportunity belongs to its `owner`; a rep with OWN scope sees, edits and moves only their own
(another's is "not found", as another organization's). The customer must be one the actor sees.

Stages are configured by members holding `MANAGE_CRM`: a stage is open, won or lost; at least one active won and
one active lost stage must remain; a stage an opportunity ever used is deactivated, never deleted.

Services that depend on the clock take `now=` (demo data and tests place history in time); default: now.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from suanpan.catalog.models import Product
from suanpan.core.audit import audit_record, diff, snapshot
from suanpan.core.choices import AuditAction
from suanpan.core.exceptions import DomainError, FieldError, InvalidInput, NotFound
from suanpan.core.inputs import date_input, decimal_input, id_input, text_input
from suanpan.core.models import Membership, Organization
from suanpan.core.numbering import next_number
from suanpan.core.permissions import P
from suanpan.core.records import get_scoped
from suanpan.core.scopes import may_see, scoped, visible_owner_ids
from suanpan.core.tenancy import guard, user_id
from suanpan.core.types import Actor
from suanpan.crm.choices import StageKind
from suanpan.crm.models import Opportunity, Stage, StageChange
from suanpan.crm.setup import stages_ensure
from suanpan.partners.choices import PartnerRole
from suanpan.partners.models import Contact, Partner
from suanpan.partners.selectors import partner_get

HUNDRED = Decimal(100)
MAX_PRODUCTS = 200


# Selectors ---------------------------------------------------------------------------------------------------------


def opportunity_list(*, organization: Organization, actor: Actor | None) -> QuerySet[Opportunity]:
    """The opportunities `actor`'s data scope sees (None: every one)."""
    qs = Opportunity.objects.filter(organization=organization).select_related("customer", "owner", "stage", "contact")
    return scoped(qs, organization, actor)


def opportunity_get(*, organization: Organization, actor: Actor | None, pk: object) -> Opportunity:
    """One opportunity; another organization's, or one outside `actor`'s data scope, is not found."""
    found = get_scoped(Opportunity, organization=organization, pk=pk)
    if not may_see(organization, actor, found.owner_id):
        raise NotFound(_("Opportunity not found."))
    return found


def stage_list(*, organization: Organization, active_only: bool = False) -> QuerySet[Stage]:
    """The organization's stages in board order (the defaults are made on first use)."""
    stages_ensure(organization)
    qs = Stage.objects.filter(organization=organization)
    if active_only:
        qs = qs.filter(is_active=True)
    return qs.order_by("seq", "id")


def first_open_stage(organization: Organization) -> Stage:
    stage = stage_list(organization=organization, active_only=True).filter(kind=StageKind.OPEN).first()
    if stage is None:
        raise DomainError(_("No active open stage: activate one under the opportunity stages."), field="stage_id")
    return stage


def first_won_stage(organization: Organization) -> Stage | None:
    return stage_list(organization=organization, active_only=True).filter(kind=StageKind.WON).first()


# Input ---------------------------------------------------------------------------------------------------------------


def member_user(organization: Organization, value: object, field: str) -> Any:
    """An active member of the organization, by user id (refused naming `field`)."""
    uid = id_input(value)
    membership = (
        Membership.objects.filter(organization=organization, user_id=uid, is_active=True, user__is_active=True)
        .select_related("user")
        .first()
        if uid is not None
        else None
    )
    if membership is None:
        raise InvalidInput.single(field, _("No such member of this organization."))
    return membership.user


def is_member(organization: Organization, uid: int | None) -> bool:
    return (
        uid is not None
        and Membership.objects.filter(
            organization=organization, user_id=uid, is_active=True, user__is_active=True
        ).exists()
    )


def owner_input(organization: Organization, actor: Actor | None, value: object, errors: list[FieldError]) -> Any:
    """The owner named by `owner_id`: an active member whose rows the actor sees (a rep cannot hand an opportunity
    to someone outside their own scope)."""
    try:
        user = member_user(organization, value, "owner_id")
    except InvalidInput as exc:
        errors += exc.errors
        return None
    if not may_see(organization, actor, user.pk):
        errors.append(FieldError("owner_id", _("You may only give opportunities to members whose records you see.")))
        return None
    return user


def customer_input(
    organization: Organization, actor: Actor | None, value: object, errors: list[FieldError]
) -> Partner | None:
    try:
        customer = partner_get(organization=organization, role=PartnerRole.CUSTOMER, pk=value, actor=actor)
    except NotFound:
        errors.append(FieldError("customer_id", _("No such customer: %(pk)s.") % {"pk": value}))
        return None
    if not customer.is_active:
        errors.append(FieldError("customer_id", _("%(p)s is inactive.") % {"p": customer}))
        return None
    return customer


def contact_input(organization: Organization, customer: Partner | None, value: object, errors: list[FieldError]) -> Any:
    if value in (None, ""):
        return None
    try:
        contact = get_scoped(Contact, organization=organization, pk=value, field="contact_id")
    except InvalidInput as exc:
        errors += exc.errors
        return None
    if customer is not None and contact.partner_id != customer.pk:
        errors.append(FieldError("contact_id", _("%(c)s is not a contact of %(p)s.") % {"c": contact, "p": customer}))
        return None
    return contact


def _products(organization: Organization, value: object, errors: list[FieldError]) -> list[Product]:
    if value in (None, ""):
        return []
    if isinstance(value, str | bytes) or not isinstance(value, Sequence | set | frozenset):
        errors.append(FieldError("product_ids", _("A list of products is expected.")))
        return []
    ids = list(value)
    if len(ids) > MAX_PRODUCTS:
        errors.append(FieldError("product_ids", _("At most %(n)d products.") % {"n": MAX_PRODUCTS}))
        return []
    wanted = {id_input(v) for v in ids}
    if None in wanted:
        errors.append(FieldError("product_ids", _("No such product.")))
        return []
    found = list(Product.objects.filter(organization=organization, pk__in=wanted))
    missing = wanted - {p.pk for p in found}
    if missing:
        errors.append(FieldError("product_ids", _("No such product: %(pk)s.") % {"pk": min(m or 0 for m in missing)}))
        return []
    return sorted(found, key=lambda p: p.code)


def _amount(data: Mapping[str, Any], errors: list[FieldError]) -> Decimal:
    value = data.get("amount")
    if value in (None, ""):
        return Decimal("0.00")
    try:
        return decimal_input(value, "amount", 2, positive=False)
    except InvalidInput as exc:
        errors += exc.errors
        return Decimal("0.00")


def _probability(value: object, errors: list[FieldError]) -> Decimal | None:
    try:
        number = decimal_input(value, "probability", 2, positive=False)
    except InvalidInput as exc:
        errors += exc.errors
        return None
    if number > HUNDRED:
        errors.append(FieldError("probability", _("At most 100 %.")))
        return None
    return number.quantize(Decimal("0.01"))


def _close_date(value: object, errors: list[FieldError]) -> datetime.date | None:
    if value in (None, ""):
        return None
    try:
        return date_input(value, "expected_close_on")
    except InvalidInput as exc:
        errors += exc.errors
        return None


def _active_stage(organization: Organization, value: object) -> Stage:
    stage = get_scoped(Stage, organization=organization, pk=value, field="stage_id")
    if not stage.is_active:
        raise InvalidInput.single("stage_id", _("The stage %(s)s is inactive.") % {"s": stage})
    return stage


def _summary(opportunity: Opportunity) -> dict[str, Any]:
    return snapshot(opportunity, exclude=("stage_entered_at",))


# Entry ---------------------------------------------------------------------------------------------------------------


def opportunity_create(
    *,
    organization: Organization,
    actor: Actor | None,
    data: Mapping[str, Any],
    now: datetime.datetime | None = None,
) -> Opportunity:
    """A new opportunity: name, customer_id, amount?, expected_close_on?, stage_id? (default: the first open stage),
    owner_id? (default: the actor, or the customer's owner when the system acts), contact_id?, lead_id?,
    product_ids?, competitors?, notes?, probability? (default: the stage's), loss_reason? (for a lost stage).
    Records its first stage change (`from_stage` None)."""
    from suanpan.crm.models import Lead

    now = now or timezone.now()
    with transaction.atomic():
        guard(organization, actor, P.CHANGE_CRM)
        stages_ensure(organization)
        errors: list[FieldError] = []
        name = text_input(data, "name", 200, errors)
        if not name and not any(e.field == "name" for e in errors):
            errors.append(FieldError("name", _("This field is required.")))
        customer = customer_input(organization, actor, data.get("customer_id"), errors)
        contact = contact_input(organization, customer, data.get("contact_id"), errors)
        amount = _amount(data, errors)
        close_on = _close_date(data.get("expected_close_on"), errors)
        stage: Stage | None = None
        try:
            if data.get("stage_id") in (None, ""):
                stage = first_open_stage(organization)
            else:
                stage = _active_stage(organization, data.get("stage_id"))
        except DomainError as exc:
            errors += exc.errors
        owner = None
        if data.get("owner_id") not in (None, ""):
            owner = owner_input(organization, actor, data.get("owner_id"), errors)
        elif actor is not None:
            owner = actor
        elif customer is not None:
            owner = customer.owner
        products = _products(organization, data.get("product_ids"), errors)
        competitors = text_input(data, "competitors", 300, errors)
        notes = text_input(data, "notes", 5000, errors)
        loss_reason = text_input(data, "loss_reason", 300, errors)
        probability = stage.probability if stage is not None else Decimal("0")
        if data.get("probability") not in (None, ""):
            probability = _probability(data.get("probability"), errors) or Decimal("0")
        lead = None
        if data.get("lead_id") not in (None, ""):
            try:
                lead = get_scoped(Lead, organization=organization, pk=data.get("lead_id"), field="lead_id")
            except InvalidInput as exc:
                errors += exc.errors
        if stage is not None and stage.kind == StageKind.LOST and not loss_reason:
            errors.append(FieldError("loss_reason", _("Say why the opportunity was lost.")))
        if errors or stage is None or customer is None:
            raise InvalidInput(errors)
        today = timezone.localdate(now)
        opportunity = Opportunity.objects.create(
            organization=organization,
            number=next_number(organization=organization, series="crm_opportunity", prefix="SJ-", on=today),
            name=name,
            customer=customer,
            contact=contact,
            owner=owner,
            stage=stage,
            amount=amount,
            expected_close_on=close_on,
            probability=probability,
            competitors=competitors,
            loss_reason=loss_reason if stage.kind == StageKind.LOST else "",
            lead=lead,
            stage_entered_at=now,
            closed_on=today if stage.kind != StageKind.OPEN else None,
            notes=notes,
            created_by_id=user_id(actor),
        )
        if products:
            opportunity.products.set(products)
        StageChange.objects.create(
            organization=organization,
            opportunity=opportunity,
            from_stage=None,
            to_stage=stage,
            entered_at=now,
            actor_id=user_id(actor),
        )
        audit_record(
            organization=organization,
            actor=actor,
            obj=opportunity,
            action=AuditAction.CREATE,
            changes=_summary(opportunity),
        )
        return opportunity


def lock_opportunity(organization: Organization, actor: Actor | None, opportunity_id: object) -> Opportunity:
    """The opportunity row, locked, if `actor` sees it."""
    found = opportunity_get(organization=organization, actor=actor, pk=opportunity_id)
    return Opportunity.objects.select_for_update(of=("self",)).get(pk=found.pk)


EDITABLE = (
    "name",
    "customer_id",
    "contact_id",
    "amount",
    "expected_close_on",
    "probability",
    "owner_id",
    "product_ids",
    "competitors",
    "notes",
)


def opportunity_update(
    *, organization: Organization, actor: Actor | None, opportunity_id: object, data: Mapping[str, Any]
) -> Opportunity:
    """Change the keys given of: name, customer_id, contact_id, amount, expected_close_on, probability (overrides
    the stage's), owner_id, product_ids, competitors, notes. The stage changes only by `opportunity_move`; the
    customer only while no quote was made."""
    with transaction.atomic():
        guard(organization, actor, P.CHANGE_CRM)
        opportunity = lock_opportunity(organization, actor, opportunity_id)
        before = _summary(opportunity)
        errors: list[FieldError] = []
        if "name" in data:
            name = text_input(data, "name", 200, errors)
            if not name and not any(e.field == "name" for e in errors):
                errors.append(FieldError("name", _("This field is required.")))
            opportunity.name = name
        customer = opportunity.customer
        if "customer_id" in data and id_input(data.get("customer_id")) != opportunity.customer_id:
            found = customer_input(organization, actor, data.get("customer_id"), errors)
            if found is not None:
                if opportunity.quotes.exists():
                    errors.append(FieldError("customer_id", _("Quotes were made for this customer: keep it.")))
                else:
                    customer = found
                    opportunity.customer = found
        if "contact_id" in data:
            opportunity.contact = contact_input(organization, customer, data.get("contact_id"), errors)
        elif opportunity.contact_id is not None and opportunity.contact.partner_id != customer.pk:  # type: ignore[union-attr]
            opportunity.contact = None
        if "amount" in data:
            opportunity.amount = _amount(data, errors)
        if "expected_close_on" in data:
            opportunity.expected_close_on = _close_date(data.get("expected_close_on"), errors)
        if "probability" in data and data.get("probability") not in (None, ""):
            probability = _probability(data.get("probability"), errors)
            if probability is not None:
                opportunity.probability = probability
        if "owner_id" in data and id_input(data.get("owner_id")) != opportunity.owner_id:
            owner = owner_input(organization, actor, data.get("owner_id"), errors)
            if owner is not None:
                opportunity.owner = owner
        products: list[Product] | None = None
        if "product_ids" in data:
            products = _products(organization, data.get("product_ids"), errors)
        if "competitors" in data:
            opportunity.competitors = text_input(data, "competitors", 300, errors)
        if "notes" in data:
            opportunity.notes = text_input(data, "notes", 5000, errors)
        if errors:
            raise InvalidInput(errors)
        opportunity.save()
        if products is not None:
            opportunity.products.set(products)
        changes = diff(before, _summary(opportunity))
        if changes:
            audit_record(
                organization=organization, actor=actor, obj=opportunity, action=AuditAction.UPDATE, changes=changes
            )
        return opportunity


def enter_stage(
    organization: Organization,
    actor: Actor | None,
    opportunity: Opportunity,
    stage: Stage,
    *,
    loss_reason: str = "",
    now: datetime.datetime,
) -> Opportunity:
    """Move a locked opportunity into `stage` (the caller checked permission, scope and the reason): the stage
    change, the probability of the stage, the closing date, the audit event."""
    before = opportunity.stage
    change = StageChange.objects.create(
        organization=organization,
        opportunity=opportunity,
        from_stage=before,
        to_stage=stage,
        entered_at=now,
        actor_id=user_id(actor),
    )
    opportunity.stage = stage
    opportunity.stage_entered_at = change.entered_at
    opportunity.probability = stage.probability
    opportunity.loss_reason = loss_reason if stage.kind == StageKind.LOST else ""
    if stage.kind == StageKind.OPEN:
        opportunity.closed_on = None
    elif before.kind == StageKind.OPEN or opportunity.closed_on is None:
        opportunity.closed_on = timezone.localdate(now)
    opportunity.save()
    extra = {"loss_reason": loss_reason} if stage.kind == StageKind.LOST else {}
    audit_record(
        organization=organization,
        actor=actor,
        obj=opportunity,
        action=AuditAction.STATE,
        changes={"stage": [str(before), str(stage)], **extra},
    )
    return opportunity


def opportunity_move(
    *,
    organization: Organization,
    actor: Actor | None,
    opportunity_id: object,
    stage_id: object,
    loss_reason: str = "",
    now: datetime.datetime | None = None,
) -> Opportunity:
    """Move an opportunity to another active stage. Into a LOST stage a loss reason is required (`loss_reason`);
    WON and LOST close it; an OPEN stage reopens it. The same stage again changes nothing."""
    now = now or timezone.now()
    with transaction.atomic():
        guard(organization, actor, P.CHANGE_CRM)
        opportunity = lock_opportunity(organization, actor, opportunity_id)
        stage = _active_stage(organization, stage_id)
        if stage.pk == opportunity.stage_id:
            return opportunity
        reason = str(loss_reason or "").strip()
        if stage.kind == StageKind.LOST and not reason:
            raise InvalidInput.single("loss_reason", _("Say why the opportunity was lost."))
        if len(reason) > 300:
            raise InvalidInput.single("loss_reason", _("At most %(n)d characters.") % {"n": 300})
        if now < opportunity.stage_entered_at:
            raise InvalidInput.single("stage_id", _("A move cannot be dated before the opportunity entered its stage."))
        return enter_stage(organization, actor, opportunity, stage, loss_reason=reason, now=now)


# Stages --------------------------------------------------------------------------------------------------------------


def _stage_fields(
    organization: Organization, data: Mapping[str, Any], stage: Stage | None
) -> tuple[dict[str, Any], list[FieldError]]:
    errors: list[FieldError] = []
    fields: dict[str, Any] = {}
    if stage is None or "name" in data:
        name = text_input(data, "name", 40, errors)
        if not name and not any(e.field == "name" for e in errors):
            errors.append(FieldError("name", _("This field is required.")))
        taken = Stage.objects.filter(organization=organization, name=name)
        if stage is not None:
            taken = taken.exclude(pk=stage.pk)
        if name and taken.exists():
            errors.append(FieldError("name", _("Another stage already has this name.")))
        fields["name"] = name
    if stage is None or "kind" in data:
        kind = str(data.get("kind") or StageKind.OPEN)
        if kind not in StageKind.values:
            errors.append(FieldError("kind", _("Open, won or lost.")))
        else:
            fields["kind"] = kind
    if "probability" in data and data.get("probability") not in (None, ""):
        probability = _probability(data.get("probability"), errors)
        if probability is not None:
            fields["probability"] = probability
    elif stage is None:
        fields["probability"] = HUNDRED if fields.get("kind") == StageKind.WON else Decimal("0")
    if "is_active" in data:
        active = data.get("is_active")
        if not isinstance(active, bool):
            errors.append(FieldError("is_active", _("Yes or no.")))
        else:
            fields["is_active"] = active
    return fields, errors


def _check_closing_stages(organization: Organization) -> None:
    """At least one active won and one active lost stage must remain (the board and `quote_to_order` use them)."""
    active = Stage.objects.filter(organization=organization, is_active=True)
    for kind, message in (
        (StageKind.WON, _("At least one active won stage is needed.")),
        (StageKind.LOST, _("At least one active lost stage is needed.")),
    ):
        if not active.filter(kind=kind).exists():
            raise DomainError(message, field="is_active", code="last_closing_stage")
    if not active.filter(kind=StageKind.OPEN).exists():
        raise DomainError(_("At least one active open stage is needed."), field="is_active", code="last_open_stage")


def _lock_stages(organization: Organization) -> None:
    """Stage edits of one organization one at a time, so two cannot each leave the last won stage inactive."""
    list(Stage.objects.select_for_update().filter(organization=organization).order_by("pk").values_list("pk"))


def stage_create(*, organization: Organization, actor: Actor | None, data: Mapping[str, Any]) -> Stage:
    """A stage at the end of the board (before the closing stages, for an open one): name, kind (open/won/lost),
    probability (%; default 0, 100 for won), is_active."""
    with transaction.atomic():
        guard(organization, actor, P.MANAGE_CRM)
        stages_ensure(organization)
        _lock_stages(organization)
        fields, errors = _stage_fields(organization, data, None)
        if errors:
            raise InvalidInput(errors)
        stages = list(Stage.objects.filter(organization=organization).order_by("seq", "id"))
        stage = Stage(organization=organization, **fields)
        if stage.kind == StageKind.OPEN:  # before the closing stages
            ordered = [
                *(s for s in stages if s.kind == StageKind.OPEN),
                stage,
                *(s for s in stages if s.kind != StageKind.OPEN),
            ]
        else:
            ordered = [*stages, stage]
        stage.seq = ordered.index(stage) * 10 + 10
        stage.save()
        _renumber(ordered)
        _check_closing_stages(organization)
        audit_record(
            organization=organization, actor=actor, obj=stage, action=AuditAction.CREATE, changes=snapshot(stage)
        )
        return stage


def _renumber(stages: Sequence[Stage]) -> None:
    for i, stage in enumerate(stages, 1):
        if stage.seq != i * 10:
            stage.seq = i * 10
            stage.save(update_fields=["seq"])


def stage_update(
    *, organization: Organization, actor: Actor | None, stage_id: object, data: Mapping[str, Any]
) -> Stage:
    """Change the keys given of: name, kind, probability, is_active. Refused when it would leave no active won or
    lost stage; a stage cannot be deactivated (nor change kind) while open opportunities sit in it."""
    with transaction.atomic():
        guard(organization, actor, P.MANAGE_CRM)
        _lock_stages(organization)
        stage = get_scoped(Stage, organization=organization, pk=stage_id)
        before = snapshot(stage)
        fields, errors = _stage_fields(organization, data, stage)
        if errors:
            raise InvalidInput(errors)
        occupied = Opportunity.objects.filter(organization=organization, stage=stage).exists()
        if fields.get("is_active") is False and stage.is_active and stage.kind == StageKind.OPEN and occupied:
            raise DomainError(
                _("Opportunities are in the stage %(s)s: move them to another stage first.") % {"s": stage},
                field="is_active",
            )
        if "kind" in fields and fields["kind"] != stage.kind and occupied:
            raise DomainError(
                _("Opportunities are in the stage %(s)s: its kind cannot change.") % {"s": stage}, field="kind"
            )
        for key, value in fields.items():
            setattr(stage, key, value)
        stage.save()
        _check_closing_stages(organization)
        changes = diff(before, snapshot(stage))
        if changes:
            audit_record(organization=organization, actor=actor, obj=stage, action=AuditAction.UPDATE, changes=changes)
        return stage


def stage_deactivate(*, organization: Organization, actor: Actor | None, stage_id: object) -> Stage:
    return stage_update(organization=organization, actor=actor, stage_id=stage_id, data={"is_active": False})


def stage_reorder(*, organization: Organization, actor: Actor | None, stage_ids: Sequence[object]) -> list[Stage]:
    """Put the stages in the order given (every stage of the organization, each once)."""
    with transaction.atomic():
        guard(organization, actor, P.MANAGE_CRM)
        _lock_stages(organization)
        stages = {s.pk: s for s in Stage.objects.filter(organization=organization)}
        wanted = [id_input(v) for v in stage_ids]
        if None in wanted or len(set(wanted)) != len(wanted) or set(wanted) != set(stages):
            raise InvalidInput.single("stage_ids", _("List every stage once."))
        ordered = [stages[pk] for pk in wanted if pk is not None]
        before = [s.name for s in sorted(stages.values(), key=lambda s: (s.seq, s.pk))]
        _renumber(ordered)
        after = [s.name for s in ordered]
        if before != after:
            audit_record(
                organization=organization,
                actor=actor,
                obj=ordered[0],
                action=AuditAction.UPDATE,
                changes={"stage_order": [before, after]},
            )
        return ordered


def stage_delete(*, organization: Organization, actor: Actor | None, stage_id: object) -> None:
    """Delete a stage no opportunity ever entered; a used one is deactivated instead (refused here)."""
    with transaction.atomic():
        guard(organization, actor, P.MANAGE_CRM)
        _lock_stages(organization)
        stage = get_scoped(Stage, organization=organization, pk=stage_id)
        used = StageChange.objects.filter(Q(from_stage=stage) | Q(to_stage=stage)).exists()
        if used or Opportunity.objects.filter(stage=stage).exists():
            raise DomainError(
                _("Opportunities went through the stage %(s)s: deactivate it instead of deleting it.") % {"s": stage},
                field="is_active",
                code="in_use",
            )
        audit_record(
            organization=organization, actor=actor, obj=stage, action=AuditAction.DELETE, changes=snapshot(stage)
        )
        stage.delete()
        _check_closing_stages(organization)


def owners_in_scope(organization: Organization, actor: Actor | None) -> set[int] | None:
    """Re-exported for the pages' owner filter: the owners `actor` may see (None: all)."""
    return visible_owner_ids(organization, actor)
