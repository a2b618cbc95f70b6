"""Filters of the purchase lists, shared by the list pages and the API's query parameters."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from suanpan.core.filters import SearchFilterSet
from suanpan.partners.models import Partner
from suanpan.purchasing.choices import OrderStatus
from suanpan.purchasing.models import PurchaseOrder, PurchaseReturn, Receipt


class _DocumentFilter(SearchFilterSet):
    supplier = django_filters.ModelChoiceFilter(queryset=Partner.objects.filter(is_supplier=True), label=_("Supplier"))
    date_from = django_filters.DateFilter(field_name="date", lookup_expr="gte", label=_("From"))
    date_to = django_filters.DateFilter(field_name="date", lookup_expr="lte", label=_("To"))

    def filter_q(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        for term in value.split()[:5]:
            queryset = queryset.filter(Q(number__icontains=term) | Q(supplier__search_text__icontains=term.lower()))
        return queryset


class OrderFilter(_DocumentFilter):
    status = django_filters.ChoiceFilter(choices=OrderStatus.choices, label=_("Status"))

    class Meta:
        model = PurchaseOrder
        fields = ["q", "status", "supplier", "date_from", "date_to"]


class ReceiptFilter(_DocumentFilter):
    class Meta:
        model = Receipt
        fields = ["q", "supplier", "date_from", "date_to"]


class ReturnFilter(_DocumentFilter):
    class Meta:
        model = PurchaseReturn
        fields = ["q", "supplier", "date_from", "date_to"]
