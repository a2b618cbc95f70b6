"""Filters of the contract list, shared by the page and the API's query parameters."""

from __future__ import annotations

import datetime
from typing import Any

import django_filters
from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from suanpan.core.filters import SearchFilterSet
from suanpan.core.forms import members_of
from suanpan.crm.choices import ContractStatus
from suanpan.crm.models import Contract
from suanpan.partners.models import Partner

MAX_DAYS = 3650


class ContractFilter(SearchFilterSet):
    """`q`: the contract's number or title, or the customer's name, code or pinyin. `ending_within`: contracts in
    force that end within N days from today (those already past their end included)."""

    status = django_filters.ChoiceFilter(choices=ContractStatus.choices, label=_("Status"))
    customer = django_filters.ModelChoiceFilter(queryset=Partner.objects.filter(is_customer=True), label=_("Customer"))
    owner = django_filters.ModelChoiceFilter(queryset=get_user_model().objects.none(), label=_("Owner"))
    ending_within = django_filters.NumberFilter(
        method="filter_ending_within", label=_("Ending within (days)"), min_value=0, max_value=MAX_DAYS
    )

    class Meta:
        model = Contract
        fields = ["q", "status", "customer", "owner", "ending_within"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        organization = getattr(self.request, "organization", None)
        if organization is not None:
            self.filters["owner"].queryset = members_of(organization)

    def filter_q(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        for term in value.split()[:5]:
            queryset = queryset.filter(
                Q(number__icontains=term) | Q(title__icontains=term) | Q(customer__search_text__icontains=term.lower())
            )
        return queryset

    def filter_ending_within(self, queryset: QuerySet[Any], name: str, value: Any) -> QuerySet[Any]:
        if value is None:
            return queryset
        last = timezone.localdate() + datetime.timedelta(days=int(value))
        return queryset.filter(status=ContractStatus.ACTIVE, end_on__lte=last)
