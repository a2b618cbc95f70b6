"""Audit trail: services call `audit_record` explicitly for every create, change and state change."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.db import models

from suanpan.core.choices import AuditAction
from suanpan.core.models import AuditEvent, Organization
from suanpan.core.types import Actor

Snapshot = dict[str, Any]


def _jsonable(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime.date | datetime.datetime):
        return value.isoformat()
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, list | tuple | set):
        return sorted(str(v) for v in value) if isinstance(value, set) else [_jsonable(v) for v in value]
    return value


def snapshot(obj: models.Model, *, exclude: tuple[str, ...] = ()) -> Snapshot:
    """The editable concrete fields and many-to-many sets of a row, as JSON-safe values."""
    data: Snapshot = {}
    for field in obj._meta.concrete_fields:
        if field.name in exclude or field.name in {"id", "organization", "created_at", "updated_at"}:
            continue
        if field.name.endswith("search_text"):
            continue
        if field.is_relation:
            related = getattr(obj, field.name)
            data[field.name] = str(related) if related is not None else None
        else:
            data[field.name] = _jsonable(getattr(obj, field.attname))
    if obj.pk:
        for m2m in obj._meta.many_to_many:
            if m2m.name not in exclude:
                data[m2m.name] = sorted(str(o) for o in getattr(obj, m2m.name).all())
    return data


def diff(before: Snapshot, after: Snapshot) -> dict[str, list[Any]]:
    return {k: [before.get(k), v] for k, v in after.items() if before.get(k) != v}


def audit_record(
    *,
    organization: Organization,
    actor: Actor | None,
    obj: models.Model,
    action: AuditAction,
    changes: dict[str, Any] | None = None,
) -> AuditEvent:
    return AuditEvent.objects.create(
        organization=organization,
        actor_id=actor.pk if actor is not None and actor.is_authenticated else None,
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        object_repr=str(obj)[:200],
        changes=changes or {},
    )


def audit_history(*, organization: Organization, obj: models.Model) -> models.QuerySet[AuditEvent]:
    return AuditEvent.objects.filter(
        organization=organization, object_type=obj._meta.label_lower, object_id=str(obj.pk)
    ).select_related("actor")
