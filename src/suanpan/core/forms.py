from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import QuerySet

from suanpan.core.models import Organization


def members_of(organization: Organization) -> QuerySet[Any]:
    """Users who are active members of the organization (choices for owner/manager fields)."""
    return (
        get_user_model()
        .objects.filter(memberships__organization=organization, memberships__is_active=True, is_active=True)
        .order_by("first_name", "username")
        .distinct()
    )


def _user_label(user: Any) -> str:
    return str(user.get_full_name() or user.get_username())


class OrgModelForm(forms.ModelForm):  # type: ignore[type-arg]
    """A model form whose reference fields only offer rows of the given organization.

    The form checks types and formats; the service does the full validation (constraints, cross-field
    rules) and its field errors are put back on this form.
    """

    user_fields: tuple[str, ...] = ()

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.organization = organization
        for name, field in self.fields.items():
            if not isinstance(field, forms.ModelChoiceField) or field.queryset is None:
                continue
            if name in self.user_fields:
                field.queryset = members_of(organization)
                field.label_from_instance = _user_label  # type: ignore[method-assign,assignment]
            elif any(f.name == "organization" for f in field.queryset.model._meta.fields):
                field.queryset = field.queryset.filter(organization=organization)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                widget.attrs.setdefault("class", "form-check-input")
            elif isinstance(widget, forms.Select | forms.SelectMultiple):
                widget.attrs.setdefault("class", "form-select")
            else:
                widget.attrs.setdefault("class", "form-control")

    def _post_clean(self) -> None:
        # The form does not touch its instance and leaves model validation to the service, which loads
        # (and locks) its own copy of the row, so the audit trail sees the true "before".
        return
