"""Forms of the lead pages. They check types and formats; the services do the full validation and their field
errors are put back on the form (`apply_errors`). Inputs carry the keyboard hints a phone needs (tel, email,
decimal) and the autocomplete names browsers fill in."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from suanpan.core.models import Organization
from suanpan.core.types import Actor
from suanpan.crm.leads import lead_workers
from suanpan.crm.models import Channel, Lead
from suanpan.partners.choices import PartnerRole
from suanpan.partners.models import Partner
from suanpan.partners.selectors import partner_list

PROVINCES = (
    "北京",
    "天津",
    "河北",
    "山西",
    "内蒙古",
    "辽宁",
    "吉林",
    "黑龙江",
    "上海",
    "江苏",
    "浙江",
    "安徽",
    "福建",
    "江西",
    "山东",
    "河南",
    "湖北",
    "湖南",
    "广东",
    "广西",
    "海南",
    "重庆",
    "四川",
    "贵州",
    "云南",
    "西藏",
    "陕西",
    "甘肃",
    "青海",
    "宁夏",
    "新疆",
    "香港",
    "澳门",
    "台湾",
)


def user_label(user: Any) -> str:
    return str(user.get_full_name() or user.get_username())


def workers_queryset(organization: Organization) -> QuerySet[Any]:
    """Members who may work leads, as a queryset for choice fields."""
    ids = [u.pk for u in lead_workers(organization)]
    return get_user_model().objects.filter(pk__in=ids).order_by("first_name", "username")


def style(form: forms.BaseForm) -> None:
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxInput | forms.CheckboxSelectMultiple):
            widget.attrs.setdefault("class", "form-check-input")
        elif isinstance(widget, forms.Select):
            widget.attrs.setdefault("class", "form-select")
        else:
            widget.attrs.setdefault("class", "form-control")


def _text(label: Any, max_length: int, **attrs: str) -> forms.CharField:
    return forms.CharField(
        label=label, max_length=max_length, required=False, widget=forms.TextInput(attrs=attrs or None)
    )


class LeadForm(forms.Form):
    company = _text(_("Company"), 200, autocomplete="organization")
    contact_name = _text(_("Contact"), 60, autocomplete="name")
    title = _text(_("Job title"), 60, autocomplete="organization-title")
    mobile = _text(_("Mobile"), 40, type="tel", inputmode="tel", autocomplete="tel")
    phone = _text(_("Phone"), 40, type="tel", inputmode="tel")
    email = forms.EmailField(
        label=_("E-mail"),
        required=False,
        widget=forms.EmailInput(attrs={"inputmode": "email", "autocomplete": "email"}),
    )
    wechat = _text(_("WeChat"), 60)
    channel = forms.ModelChoiceField(queryset=Channel.objects.none(), label=_("Channel"), required=False)
    province = _text(_("Province"), 30, list="lead-provinces", autocomplete="address-level1")
    city = _text(_("City"), 30, autocomplete="address-level2")
    address = _text(_("Address"), 300, autocomplete="street-address")
    industry = _text(_("Industry"), 60)
    credit_code = _text(_("Unified social credit code"), 18, autocapitalize="characters")
    owner = forms.ModelChoiceField(
        queryset=Lead.objects.none(),
        label=_("Owner"),
        required=False,
        empty_label=_("By the assignment rules"),
    )
    notes = forms.CharField(label=_("Notes"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))
    allow_duplicate = forms.BooleanField(label=_("Save anyway: it is not a duplicate"), required=False)

    def __init__(
        self,
        *args: Any,
        organization: Organization,
        lead: Lead | None = None,
        can_assign: bool = False,
        show_allow_duplicate: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        channels = Channel.objects.filter(organization=organization, is_active=True)
        if lead is not None and lead.channel_id:
            channels = Channel.objects.filter(organization=organization, pk=lead.channel_id) | channels
        self.fields["channel"].queryset = channels.order_by("seq", "pk")  # type: ignore[attr-defined]
        if lead is None and can_assign:
            owner = self.fields["owner"]
            owner.queryset = workers_queryset(organization)  # type: ignore[attr-defined]
            owner.label_from_instance = user_label  # type: ignore[attr-defined]
        else:
            del self.fields["owner"]
        if not show_allow_duplicate:
            del self.fields["allow_duplicate"]
        style(self)

    def data_for_service(self) -> dict[str, Any]:
        cleaned = dict(self.cleaned_data)
        channel = cleaned.pop("channel", None)
        owner = cleaned.pop("owner", None)
        cleaned["channel_id"] = channel.pk if channel else None
        if owner is not None:
            cleaned["owner_id"] = owner.pk
        cleaned["allow_duplicate"] = bool(cleaned.get("allow_duplicate"))
        return cleaned


class InvalidateForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is the lead invalid?"),
        max_length=200,
        widget=forms.TextInput(attrs={"class": "form-control", "placeholder": _("e.g. wrong number, no need")}),
    )


class ConvertForm(forms.Form):
    customer = forms.ModelChoiceField(
        queryset=Partner.objects.none(),
        label=_("Customer"),
        required=False,
        empty_label=_("Create a new customer from the lead"),
    )
    allow_duplicate = forms.BooleanField(label=_("Create a new customer although a similar one exists"), required=False)
    with_opportunity = forms.BooleanField(label=_("Also open an opportunity"), required=False, initial=True)
    opportunity_name = forms.CharField(label=_("Opportunity"), max_length=200, required=False)
    amount = forms.DecimalField(
        label=_("Expected amount"),
        required=False,
        min_value=0,
        max_digits=15,
        decimal_places=2,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    expected_close_on = forms.DateField(
        label=_("Expected close date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(
        self, *args: Any, organization: Organization, actor: Actor, show_allow_duplicate: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        customers = partner_list(organization=organization, role=PartnerRole.CUSTOMER, actor=actor)
        self.fields["customer"].queryset = customers.filter(is_active=True).order_by("name")  # type: ignore[attr-defined]
        if not show_allow_duplicate:
            del self.fields["allow_duplicate"]
        style(self)

    def data_for_service(self) -> dict[str, Any]:
        cleaned = self.cleaned_data
        customer = cleaned.get("customer")
        data: dict[str, Any] = {
            "customer_id": customer.pk if customer else None,
            "allow_duplicate": bool(cleaned.get("allow_duplicate")),
            "opportunity": None,
        }
        if cleaned.get("with_opportunity"):
            data["opportunity"] = {
                "name": cleaned.get("opportunity_name") or "",
                "amount": cleaned.get("amount"),
                "expected_close_on": cleaned.get("expected_close_on"),
            }
        return data


class ReassignForm(forms.Form):
    owner = forms.ModelChoiceField(queryset=Lead.objects.none(), label=_("New owner"))

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        owner = self.fields["owner"]
        owner.queryset = workers_queryset(organization)  # type: ignore[attr-defined]
        owner.label_from_instance = user_label  # type: ignore[attr-defined]
        style(self)


class ChannelForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=40)
    seq = forms.IntegerField(label=_("Sort order"), min_value=0, max_value=32767, initial=0)
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style(self)


class AssignmentRuleForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=60)
    seq = forms.IntegerField(
        label=_("Sort order"),
        min_value=0,
        max_value=32767,
        initial=0,
        help_text=_("Rules for a province come before rules for any region; lower numbers first."),
    )
    province = _text(_("Province"), 30, list="lead-provinces")
    assignee_ids = forms.ModelMultipleChoiceField(
        queryset=Lead.objects.none(),
        label=_("Assignees (in turn)"),
        widget=forms.CheckboxSelectMultiple,
    )
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["province"].help_text = _("Empty: any region.")
        assignees = self.fields["assignee_ids"]
        assignees.queryset = workers_queryset(organization)  # type: ignore[attr-defined]
        assignees.label_from_instance = user_label  # type: ignore[attr-defined]
        style(self)

    def data_for_service(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["assignee_ids"] = [u.pk for u in data["assignee_ids"]]
        return data
