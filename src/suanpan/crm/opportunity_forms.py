"""Forms of the opportunity, stage and quote pages. Field names are the services' input keys, so a service's field
errors land beside the right input (`suanpan.core.ui.apply_errors`)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from suanpan.catalog.models import Product
from suanpan.core.forms import members_of
from suanpan.core.models import Organization
from suanpan.core.scopes import scoped, visible_owner_ids
from suanpan.core.types import Actor
from suanpan.crm.choices import StageKind
from suanpan.crm.models import Stage
from suanpan.partners.models import Contact, Partner


def styled(form: forms.Form) -> None:
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxInput):
            widget.attrs.setdefault("class", "form-check-input")
        elif isinstance(widget, forms.Select | forms.SelectMultiple):
            widget.attrs.setdefault("class", "form-select")
        else:
            widget.attrs.setdefault("class", "form-control")


def date_widget() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def user_label(user: Any) -> str:
    return str(user.get_full_name() or user.get_username())


def customers_for(organization: Organization, actor: Actor | None) -> Any:
    """The active customers `actor` sees (choices of the customer fields)."""
    qs = Partner.objects.filter(organization=organization, is_customer=True, is_active=True)
    return scoped(qs, organization, actor).order_by("code")


def owners_for(organization: Organization, actor: Actor | None) -> Any:
    """The members `actor` may give a record to: everyone, or those of their own data scope."""
    members = members_of(organization)
    ids = visible_owner_ids(organization, actor)
    return members if ids is None else members.filter(pk__in=ids)


class OpportunityForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    customer_id = forms.ModelChoiceField(queryset=Partner.objects.none(), label=_("Customer"))
    contact_id = forms.ModelChoiceField(queryset=Contact.objects.none(), label=_("Contact"), required=False)
    amount = forms.CharField(
        label=_("Expected amount"),
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "placeholder": "0"}),
    )
    expected_close_on = forms.DateField(label=_("Expected close date"), required=False, widget=date_widget())
    stage_id = forms.ModelChoiceField(queryset=Stage.objects.none(), label=_("Stage"), required=False)
    probability = forms.CharField(
        label=_("Probability (%)"),
        required=False,
        max_length=10,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
        help_text=_("Blank: the stage's."),
    )
    owner_id = forms.ModelChoiceField(queryset=get_user_model().objects.none(), label=_("Owner"), required=False)
    product_ids = forms.ModelMultipleChoiceField(
        queryset=Product.objects.none(),
        label=_("Products of interest"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 5}),
    )
    competitors = forms.CharField(label=_("Competitors"), required=False, max_length=300)
    notes = forms.CharField(label=_("Notes"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(
        self, *args: Any, organization: Organization, actor: Actor | None, customer_id: int | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["customer_id"].queryset = customers_for(organization, actor)  # type: ignore[attr-defined]
        contacts = Contact.objects.filter(organization=organization, partner_id=customer_id) if customer_id else None
        self.fields["contact_id"].queryset = contacts if contacts is not None else Contact.objects.none()  # type: ignore[attr-defined]
        self.fields["stage_id"].queryset = Stage.objects.filter(organization=organization, is_active=True).order_by(  # type: ignore[attr-defined]
            "seq", "id"
        )
        self.fields["stage_id"].empty_label = _("The first open stage")  # type: ignore[attr-defined]
        owner = self.fields["owner_id"]
        owner.queryset = owners_for(organization, actor)  # type: ignore[attr-defined]
        owner.label_from_instance = user_label  # type: ignore[attr-defined]
        owner.empty_label = _("Me")  # type: ignore[attr-defined]
        self.fields["product_ids"].queryset = Product.objects.filter(  # type: ignore[attr-defined]
            organization=organization, is_active=True
        ).order_by("code")
        styled(self)
        self.fields["customer_id"].widget.attrs.update(
            {"hx-get": reverse("crm:opportunity_contacts"), "hx-target": "#id_contact_id", "hx-trigger": "change"}
        )

    def data_for_service(self, *, editing: bool) -> dict[str, Any]:
        cleaned = self.cleaned_data
        data: dict[str, Any] = {
            "name": cleaned["name"],
            "customer_id": cleaned["customer_id"].pk,
            "contact_id": cleaned["contact_id"].pk if cleaned["contact_id"] else None,
            "amount": cleaned["amount"],
            "expected_close_on": cleaned["expected_close_on"],
            "product_ids": [p.pk for p in cleaned["product_ids"]],
            "competitors": cleaned["competitors"],
            "notes": cleaned["notes"],
            "probability": cleaned["probability"],
        }
        if cleaned["owner_id"] is not None:
            data["owner_id"] = cleaned["owner_id"].pk
        if not editing:
            data["stage_id"] = cleaned["stage_id"].pk if cleaned["stage_id"] else None
        return data


class StageForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=40)
    kind = forms.ChoiceField(label=_("Kind"), choices=StageKind.choices, initial=StageKind.OPEN)
    probability = forms.CharField(
        label=_("Probability (%)"), max_length=10, widget=forms.TextInput(attrs={"inputmode": "decimal"})
    )
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        styled(self)
