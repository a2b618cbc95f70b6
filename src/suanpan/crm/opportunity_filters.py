"""Filters of the opportunity list and board and of the quote list, shared by the pages and the API's query
parameters. Customer choices are narrowed to the customers the member sees."""

from __future__ import annotations

import datetime
import re
from typing import Any

import django_filters
from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from suanpan.core.filters import SearchFilterSet
from suanpan.core.forms import members_of
from suanpan.core.scopes import scoped
from suanpan.crm.choices import QuoteStatus, StageKind
from suanpan.crm.models import Opportunity, Quote, Stage
from suanpan.partners.models import Partner

DATE_ATTRS = {"type": "date", "class": "form-control"}
MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")


def month_range(value: str) -> tuple[datetime.date, datetime.date] | None:
    """'2026-11' → (2026-11-01, 2026-12-01); anything else → None."""
    found = MONTH.match(value.strip())
    if found is None:
        return None
    year, month = int(found.group(1)), int(found.group(2))
    if not (1 <= month <= 12 and 1900 < year < 9999):
        return None
    start = datetime.date(year, month, 1)
    end = datetime.date(year + 1, 1, 1) if month == 12 else datetime.date(year, month + 1, 1)
    return start, end


class _CrmFilter(SearchFilterSet):
    customer = django_filters.ModelChoiceFilter(queryset=Partner.objects.filter(is_customer=True), label=_("Customer"))
    owner = django_filters.ModelChoiceFilter(queryset=get_user_model().objects.none(), label=_("Owner"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        organization = getattr(self.request, "organization", None)
        if organization is not None:
            self.filters["owner"].queryset = members_of(organization)
            user = getattr(self.request, "user", None)
            customers = self.filters["customer"].queryset
            self.filters["customer"].queryset = scoped(customers, organization, user).order_by("code")


class OpportunityFilter(_CrmFilter):
    """`q`: the number, the name or the customer's name, code or pinyin. `status`: open, won or lost (the kind of the
    stage it is in). `close_month`: the expected close month, as 2026-11."""

    stage = django_filters.ModelChoiceFilter(queryset=Stage.objects.all(), label=_("Stage"))
    status = django_filters.ChoiceFilter(choices=StageKind.choices, field_name="stage__kind", label=_("Status"))
    close_month = django_filters.CharFilter(method="filter_close_month", label=_("Expected close month"))

    class Meta:
        model = Opportunity
        fields = ["q", "stage", "status", "owner", "customer", "close_month"]

    def filter_q(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        for term in value.split()[:5]:
            queryset = queryset.filter(
                Q(number__icontains=term) | Q(name__icontains=term) | Q(customer__search_text__icontains=term.lower())
            )
        return queryset

    def filter_close_month(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        found = month_range(value)
        if found is None:
            return queryset.none()
        return queryset.filter(expected_close_on__gte=found[0], expected_close_on__lt=found[1])


class QuoteFilter(_CrmFilter):
    """`q`: the number or the customer's name, code or pinyin."""

    status = django_filters.ChoiceFilter(choices=QuoteStatus.choices, label=_("Status"))
    opportunity = django_filters.NumberFilter(
        field_name="opportunity_id",
        label=_("Opportunity"),
        min_value=1,
        max_value=2**53,
        decimal_places=0,
        widget=forms.NumberInput(attrs={"class": "form-control", "min": "1"}),
    )
    date_from = django_filters.DateFilter(
        field_name="date", lookup_expr="gte", label=_("From"), widget=forms.DateInput(attrs=DATE_ATTRS)
    )
    date_to = django_filters.DateFilter(
        field_name="date", lookup_expr="lte", label=_("To"), widget=forms.DateInput(attrs=DATE_ATTRS)
    )

    class Meta:
        model = Quote
        fields = ["q", "status", "customer", "owner", "opportunity", "date_from", "date_to"]

    def filter_q(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        for term in value.split()[:5]:
            queryset = queryset.filter(Q(number__icontains=term) | Q(customer__search_text__icontains=term.lower()))
        return queryset
