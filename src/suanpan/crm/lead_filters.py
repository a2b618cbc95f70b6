"""Filters of the lead, channel and assignment rule lists, shared by the list pages and the API's query parameters."""

from __future__ import annotations

from typing import Any

import django_filters
from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from suanpan.core.filters import SearchFilterSet
from suanpan.core.forms import members_of
from suanpan.crm.choices import LeadStatus
from suanpan.crm.models import AssignmentRule, Channel, Lead


class LeadFilter(SearchFilterSet):
    """`q`: number, company, contact, mobile, phone or WeChat, also by pinyin (bjxh finds 北京星河)."""

    status = django_filters.ChoiceFilter(choices=LeadStatus.choices, label=_("Status"))
    channel = django_filters.ModelChoiceFilter(queryset=Channel.objects.all(), label=_("Channel"))
    owner = django_filters.ModelChoiceFilter(queryset=get_user_model().objects.none(), label=_("Owner"))
    unowned = django_filters.BooleanFilter(field_name="owner", lookup_expr="isnull", label=_("Without owner"))
    province = django_filters.CharFilter(method="filter_province", label=_("Province"))

    class Meta:
        model = Lead
        fields = ["q", "status", "channel", "owner", "unowned", "province"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        organization = getattr(self.request, "organization", None)
        if organization is not None:
            self.filters["owner"].queryset = members_of(organization)

    def filter_q(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        for term in value.lower().split()[:5]:
            queryset = queryset.filter(Q(search_text__icontains=term) | Q(number__icontains=term))
        return queryset

    def filter_province(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        from suanpan.crm.leads import region

        wanted = region(value)
        return queryset.filter(province__startswith=wanted) if wanted else queryset


class ChannelFilter(SearchFilterSet):
    search_fields = ("name",)
    is_active = django_filters.BooleanFilter(label=_("Active"))

    class Meta:
        model = Channel
        fields = ["q", "is_active"]


class AssignmentRuleFilter(SearchFilterSet):
    search_fields = ("name", "province")
    is_active = django_filters.BooleanFilter(label=_("Active"))

    class Meta:
        model = AssignmentRule
        fields = ["q", "is_active"]
