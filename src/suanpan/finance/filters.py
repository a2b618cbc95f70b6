"""Filters of the payments list (page and API)."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from suanpan.core.filters import SearchFilterSet
from suanpan.finance.models import Payment
from suanpan.partners.models import Partner


class PaymentFilter(SearchFilterSet):
    supplier = django_filters.ModelChoiceFilter(
        field_name="partner", queryset=Partner.objects.filter(is_supplier=True), label=_("Supplier")
    )
    date_from = django_filters.DateFilter(field_name="date", lookup_expr="gte", label=_("From"))
    date_to = django_filters.DateFilter(field_name="date", lookup_expr="lte", label=_("To"))

    class Meta:
        model = Payment
        fields = ["q", "supplier", "date_from", "date_to"]

    def filter_q(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        for term in value.split()[:5]:
            queryset = queryset.filter(Q(number__icontains=term) | Q(partner__search_text__icontains=term.lower()))
        return queryset


class ReceiptFilter(PaymentFilter):
    """Filters of the customer receipts list (page and API)."""

    supplier = None  # receipts are filtered by customer instead
    customer = django_filters.ModelChoiceFilter(
        field_name="partner", queryset=Partner.objects.filter(is_customer=True), label=_("Customer")
    )

    class Meta:
        model = Payment
        fields = ["q", "customer", "date_from", "date_to"]
