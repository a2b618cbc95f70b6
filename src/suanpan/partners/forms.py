from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from suanpan.core.forms import OrgModelForm
from suanpan.partners.models import Contact, Partner, Tag


class PartnerForm(OrgModelForm):
    user_fields = ("owner",)

    class Meta:
        model = Partner
        fields = [
            "kind",
            "code",
            "name",
            "short_name",
            "credit_code",
            "phone",
            "email",
            "province",
            "city",
            "address",
            "owner",
            "tags",
            "credit_limit",
            "payment_terms_days",
            "bank_name",
            "bank_account",
            "notes",
            "is_customer",
            "is_supplier",
            "is_active",
        ]
        widgets = {
            "notes": forms.Textarea(attrs={"rows": 3}),
            "tags": forms.CheckboxSelectMultiple(),
        }

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["code"].required = False
        if self.instance.pk is None:
            self.fields["code"].help_text = _("Leave blank to number automatically.")
        self.fields["tags"].widget.attrs.pop("class", None)


class ContactForm(OrgModelForm):
    class Meta:
        model = Contact
        fields = ["name", "title", "mobile", "phone", "email", "wechat", "is_primary", "notes"]


class TagForm(OrgModelForm):
    class Meta:
        model = Tag
        fields = ["name", "color"]
