"""Shared write path for master-data rows (customers, products, warehouses, …).

App services call these after their permission check: assign fields, refuse references to another
organization's rows, run the model's own validation (field validators, CHECK and UNIQUE constraints), save,
and record the audit event — all inside the caller's transaction. Field errors come back as `InvalidInput`
naming each field; nothing is saved.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal
from typing import Any, Generic, TypeVar

from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models.deletion import ProtectedError, RestrictedError
from django.utils.translation import gettext as _

from suanpan.core.audit import audit_record, diff, snapshot
from suanpan.core.choices import AuditAction
from suanpan.core.exceptions import DomainError, FieldError, InvalidInput, NotFound
from suanpan.core.models import Organization
from suanpan.core.types import Actor

M = TypeVar("M", bound=models.Model)


def get_scoped(model: type[M], *, organization: Organization, pk: object, field: str | None = None) -> M:
    """A row of this organization by primary key. Another organization's row is 'not found'.

    With `field`, a missing row is an input error on that field (a reference in a payload); without it,
    a `NotFound` (a URL).
    """
    try:
        return model._default_manager.get(organization=organization, pk=pk)
    except (model.DoesNotExist, ValueError, TypeError, ValidationError):  # type: ignore[attr-defined]
        if field is not None:
            raise InvalidInput.single(
                field, _("No such %(what)s: %(pk)s.") % {"what": model._meta.verbose_name, "pk": pk}
            ) from None
        raise NotFound(_("%(what)s not found.") % {"what": str(model._meta.verbose_name).capitalize()}) from None


def _check_same_organization(instance: models.Model, organization: Organization) -> None:
    errors: list[FieldError] = []
    for field in instance._meta.concrete_fields:
        if not field.is_relation or field.name == "organization":
            continue
        try:
            related = getattr(instance, field.name, None)
        except ObjectDoesNotExist:
            errors.append(FieldError(field.name, _("No such %(what)s.") % {"what": field.verbose_name}))
            continue
        if related is not None and hasattr(related, "organization_id") and related.organization_id != organization.pk:
            errors.append(FieldError(field.name, _("This choice belongs to another organization.")))
    if errors:
        raise InvalidInput(errors)


def _check_m2m(organization: Organization, m2m: Mapping[str, Iterable[models.Model]]) -> None:
    for name, values in m2m.items():
        for value in values:
            if getattr(value, "organization_id", organization.pk) != organization.pk:
                raise InvalidInput.single(name, _("This choice belongs to another organization."))


def _constraint_errors(instance: models.Model, *, already: set[str | None]) -> list[FieldError]:
    """Check the model's constraints, naming the field a per-organization unique constraint is about."""
    errors: list[FieldError] = []
    meta = instance._meta
    for constraint in meta.constraints:
        try:
            constraint.validate(type(instance), instance)  # type: ignore[attr-defined]
        except ValidationError as exc:
            fields = [f for f in getattr(constraint, "fields", ()) if f != "organization"]
            field = fields[0] if len(fields) == 1 else None
            if field in already:
                continue
            if isinstance(constraint, models.UniqueConstraint) and field:
                label = getattr(meta.get_field(field), "verbose_name", field)
                message = _("Another %(model)s already has this %(field)s.") % {
                    "model": meta.verbose_name,
                    "field": label,
                }
            else:
                message = " ".join(str(m) for m in exc.messages)
            errors.append(FieldError(field, message))
    return errors


def _normalise_decimals(instance: models.Model) -> None:
    """Give validated amounts the places the database stores (25.5 → 25.500000), so callers see stored values.

    Exact: validation already refused values with more places than the field has.
    """
    for field in instance._meta.concrete_fields:
        if isinstance(field, models.DecimalField):
            value = getattr(instance, field.attname)
            if isinstance(value, Decimal) and value.is_finite():
                setattr(instance, field.attname, value.quantize(Decimal(1).scaleb(-field.decimal_places)))


def validate_and_save(
    instance: M,
    *,
    organization: Organization,
    m2m: Mapping[str, Iterable[models.Model]] | None = None,
) -> M:
    """Validate fully and save; field errors raise InvalidInput and nothing is written."""
    _check_same_organization(instance, organization)
    if m2m:
        _check_m2m(organization, m2m)
    nul = [
        FieldError(field.name, _("Null characters are not allowed."))
        for field in instance._meta.concrete_fields
        if isinstance(getattr(instance, field.attname), str) and "\x00" in getattr(instance, field.attname)
    ]
    if nul:  # before any query: PostgreSQL cannot even compare text holding NUL (a unique check would fail)
        raise InvalidInput(nul)
    errors: list[FieldError] = []
    try:
        instance.full_clean(validate_constraints=False)
    except ValidationError as exc:
        errors.extend(InvalidInput.from_validation_error(exc).errors)
    errors.extend(_constraint_errors(instance, already={e.field for e in errors}))
    if errors:
        raise InvalidInput(errors)
    _normalise_decimals(instance)
    try:
        with transaction.atomic():
            instance.save()
    except IntegrityError as exc:  # a race past full_clean's unique check
        raise DomainError(_("This record conflicts with an existing one: %(err)s") % {"err": exc}) from None
    for name, values in (m2m or {}).items():
        getattr(instance, name).set(list(values))
    return instance


def apply(instance: models.Model, data: Mapping[str, Any]) -> None:
    """Assign plain and foreign-key fields from `data` (unknown keys are a programming error).

    References given by id (`unit_id`) must name an existing row, so that the services' own checks can
    follow them; a missing one is an input error on that field.
    """
    fields = {f.name: f for f in instance._meta.concrete_fields}
    by_attname = {f.attname: f for f in instance._meta.concrete_fields if f.is_relation}
    errors: list[FieldError] = []
    for key, value in data.items():
        field = fields.get(key) or by_attname.get(key)
        if field is None or key in {"id", "organization", "organization_id", "created_at", "updated_at"}:
            raise KeyError(f"{type(instance).__name__} has no writable field {key!r}")
        if value is None and not field.null:  # full_clean skips None in a blank=True field; the database would not
            errors.append(FieldError(field.name, str(field.error_messages["null"])))
            continue
        setattr(instance, key, value)
        if field.is_relation and value is not None and key == field.attname:
            try:
                getattr(instance, field.name)
            except (ObjectDoesNotExist, ValueError, TypeError, OverflowError):
                setattr(instance, key, None)
                errors.append(FieldError(field.name, _("No such %(what)s.") % {"what": field.verbose_name}))
    if errors:
        raise InvalidInput(errors)


def record_create(
    instance: M,
    *,
    organization: Organization,
    actor: Actor | None,
    m2m: Mapping[str, Iterable[models.Model]] | None = None,
) -> M:
    validate_and_save(instance, organization=organization, m2m=m2m)
    audit_record(
        organization=organization, actor=actor, obj=instance, action=AuditAction.CREATE, changes=snapshot(instance)
    )
    return instance


def record_update(
    instance: M,
    *,
    organization: Organization,
    actor: Actor | None,
    data: Mapping[str, Any],
    m2m: Mapping[str, Iterable[models.Model]] | None = None,
    prepare: Callable[[M], None] | None = None,
) -> M:
    """Apply `data`, then `prepare` (normalise, derive fields, cross-checks), validate, save, audit the diff."""
    before = snapshot(instance)
    apply(instance, data)
    if prepare is not None:
        prepare(instance)
    validate_and_save(instance, organization=organization, m2m=m2m)
    changes = diff(before, snapshot(instance))
    if changes:
        audit_record(organization=organization, actor=actor, obj=instance, action=AuditAction.UPDATE, changes=changes)
    return instance


def record_delete(instance: models.Model, *, organization: Organization, actor: Actor | None) -> None:
    """Delete a master-data row that nothing refers to; otherwise refuse (deactivate it instead)."""
    pk = instance.pk
    before = snapshot(instance)
    try:
        with transaction.atomic():
            instance.delete()
    except (ProtectedError, RestrictedError):
        raise DomainError(
            _("“%(obj)s” is still used by other records and cannot be deleted; mark it inactive instead.")
            % {"obj": instance},
            code="in_use",
        ) from None
    instance.pk = pk
    audit_record(organization=organization, actor=actor, obj=instance, action=AuditAction.DELETE, changes=before)


class MasterData(Generic[M]):
    """The create/update/delete services of one simple master-data model, guarded by one permission.

    Apps expose them under service names: `unit_create = _units.create`. `actor=None` is only for set-up
    commands run by the operator (demo, seeding); a real request always passes its user.
    """

    def __init__(self, model: type[M], *, perm: str, prepare: Callable[[M], None] | None = None) -> None:
        self.model = model
        self.perm = perm
        self.prepare = prepare

    def _guard(self, organization: Organization, actor: Actor | None) -> None:
        if actor is not None:
            from suanpan.core.tenancy import check_perm

            check_perm(organization=organization, actor=actor, perm=self.perm)

    def create(self, *, organization: Organization, actor: Actor | None, data: Mapping[str, Any]) -> M:
        with transaction.atomic():
            self._guard(organization, actor)
            instance = self.model(organization=organization)
            apply(instance, data)
            if self.prepare is not None:
                self.prepare(instance)
            return record_create(instance, organization=organization, actor=actor)

    def update(self, *, organization: Organization, actor: Actor, pk: object, data: Mapping[str, Any]) -> M:
        with transaction.atomic():
            self._guard(organization, actor)
            found = get_scoped(self.model, organization=organization, pk=pk)
            locked = self.model._default_manager.select_for_update().get(pk=found.pk)
            return record_update(locked, organization=organization, actor=actor, data=data, prepare=self.prepare)

    def delete(self, *, organization: Organization, actor: Actor, pk: object) -> None:
        with transaction.atomic():
            self._guard(organization, actor)
            record_delete(
                get_scoped(self.model, organization=organization, pk=pk), organization=organization, actor=actor
            )
