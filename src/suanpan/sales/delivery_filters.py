"""Filters of the delivery and sales-return lists, shared by the list pages and the API's query parameters."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from suanpan.core.filters import SearchFilterSet
from suanpan.partners.models import Partner
from suanpan.sales.models import Delivery, SalesReturn


class _CustomerDocumentFilter(SearchFilterSet):
    customer = django_filters.ModelChoiceFilter(queryset=Partner.objects.filter(is_customer=True), label=_("Customer"))
    date_from = django_filters.DateFilter(field_name="date", lookup_expr="gte", label=_("From"))
    date_to = django_filters.DateFilter(field_name="date", lookup_expr="lte", label=_("To"))

    def filter_q(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        for term in value.split()[:5]:
            queryset = queryset.filter(Q(number__icontains=term) | Q(customer__search_text__icontains=term.lower()))
        return queryset


class DeliveryFilter(_CustomerDocumentFilter):
    signed = django_filters.BooleanFilter(method="filter_signed", label=_("Signed for"))

    class Meta:
        model = Delivery
        fields = ["q", "customer", "signed", "date_from", "date_to"]

    def filter_q(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        for term in value.split()[:5]:
            queryset = queryset.filter(
                Q(number__icontains=term)
                | Q(customer__search_text__icontains=term.lower())
                | Q(tracking_number__icontains=term)
            )
        return queryset

    def filter_signed(self, queryset: QuerySet[Any], name: str, value: bool | None) -> QuerySet[Any]:
        if value is None:
            return queryset
        return queryset.filter(signed_date__isnull=not value)


class SalesReturnFilter(_CustomerDocumentFilter):
    class Meta:
        model = SalesReturn
        fields = ["q", "customer", "date_from", "date_to"]
