"""Filter helpers shared by list pages and API list endpoints (one FilterSet serves both)."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from suanpan.core.exceptions import FieldError, InvalidInput


class SearchFilterSet(django_filters.FilterSet):
    """`q` searches the row's search text (name, code, pinyin and pinyin initials) and `search_fields`."""

    q = django_filters.CharFilter(method="filter_q", label=_("Search"))
    search_fields: tuple[str, ...] = ("search_text",)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        organization = getattr(self.request, "organization", None)
        for f in self.filters.values():
            # A choice filter builds its field from `f.queryset` (it overwrites `extra["queryset"]`).
            field_qs = getattr(f, "queryset", None)
            if isinstance(field_qs, QuerySet) and hasattr(field_qs.model, "organization_id"):
                f.queryset = field_qs.filter(organization=organization) if organization else field_qs.none()

    def filter_q(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        terms = value.lower().split()
        for term in terms[:5]:
            cond = Q()
            for field in self.search_fields:
                cond |= Q(**{f"{field}__icontains": term})
            queryset = queryset.filter(cond)
        return queryset


def filtered_queryset(filterset: django_filters.FilterSet) -> QuerySet[Any]:
    """The filtered rows, shared by list pages and API lists.

    A filter naming a row that does not exist (or belongs to another organization) simply matches nothing;
    any other invalid value is an input error naming the filter.
    """
    rows: QuerySet[Any] = filterset.queryset
    if filterset.is_valid():
        filtered: QuerySet[Any] = filterset.qs
        return filtered
    codes = {e.code for errors in filterset.form.errors.as_data().values() for e in errors}
    if codes <= {"invalid_choice"}:
        return rows.none()
    raise InvalidInput(
        [FieldError(field, str(message)) for field, messages in filterset.errors.items() for message in messages]
    )
