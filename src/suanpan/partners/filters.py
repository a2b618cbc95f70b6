from __future__ import annotations

from typing import Any

import django_filters
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from suanpan.core.filters import SearchFilterSet
from suanpan.core.forms import members_of
from suanpan.partners.choices import PartnerKind
from suanpan.partners.models import Partner, Tag


class PartnerFilter(SearchFilterSet):
    search_fields = ("search_text", "credit_code", "contacts__name", "contacts__mobile")
    kind = django_filters.ChoiceFilter(choices=PartnerKind.choices, label=_("Type"))
    tag = django_filters.ModelChoiceFilter(field_name="tags", queryset=Tag.objects.all(), label=_("Tag"))
    province = django_filters.CharFilter(lookup_expr="icontains", label=_("Province"))
    owner = django_filters.ModelChoiceFilter(queryset=get_user_model().objects.none(), label=_("Owner"))
    is_active = django_filters.BooleanFilter(label=_("Active"))

    class Meta:
        model = Partner
        fields = ["q", "kind", "tag", "owner", "province", "is_active"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        organization = getattr(self.request, "organization", None)
        if organization is not None:
            self.filters["owner"].queryset = members_of(organization)

    def filter_q(self, queryset, name, value):  # type: ignore[no-untyped-def]
        return super().filter_q(queryset, name, value).distinct()


class TagFilter(SearchFilterSet):
    search_fields = ("name",)

    class Meta:
        model = Tag
        fields = ["q"]
