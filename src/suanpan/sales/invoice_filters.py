"""Filters of the invoice list, shared by the list page and the API's query parameters."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from suanpan.core.filters import SearchFilterSet
from suanpan.partners.models import Partner
from suanpan.sales.choices import EInvoiceStatus, InvoiceKind, InvoiceType
from suanpan.sales.models import Invoice


class InvoiceFilter(SearchFilterSet):
    """`q`: the invoice's number or 数电 number, or the customer's name, code, pinyin or pinyin initials."""

    customer = django_filters.ModelChoiceFilter(queryset=Partner.objects.filter(is_customer=True), label=_("Customer"))
    kind = django_filters.ChoiceFilter(choices=InvoiceKind.choices, label=_("Kind"))
    invoice_type = django_filters.ChoiceFilter(choices=InvoiceType.choices, label=_("Invoice type"))
    einvoice_status = django_filters.ChoiceFilter(choices=EInvoiceStatus.choices, label=_("E-invoice status"))
    date_from = django_filters.DateFilter(field_name="date", lookup_expr="gte", label=_("From"))
    date_to = django_filters.DateFilter(field_name="date", lookup_expr="lte", label=_("To"))

    class Meta:
        model = Invoice
        fields = ["q", "customer", "kind", "invoice_type", "einvoice_status", "date_from", "date_to"]

    def filter_q(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        for term in value.split()[:5]:
            queryset = queryset.filter(
                Q(number__icontains=term)
                | Q(einvoice_number__icontains=term)
                | Q(customer__search_text__icontains=term.lower())
            )
        return queryset
