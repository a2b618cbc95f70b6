"""Filters of the sales order and price list pages, shared by the list pages and the API's query parameters."""

from __future__ import annotations

from typing import Any

import django_filters
from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from suanpan.core.filters import SearchFilterSet
from suanpan.core.forms import members_of
from suanpan.partners.models import Partner, Tag
from suanpan.sales.choices import OrderStatus, Progress
from suanpan.sales.models import PriceList, SalesOrder


class OrderFilter(SearchFilterSet):
    """`q`: the order number or the customer's name, code, pinyin or pinyin initials (bjxh finds 北京星河)."""

    status = django_filters.ChoiceFilter(choices=OrderStatus.choices, label=_("Status"))
    customer = django_filters.ModelChoiceFilter(queryset=Partner.objects.filter(is_customer=True), label=_("Customer"))
    salesperson = django_filters.ModelChoiceFilter(queryset=get_user_model().objects.none(), label=_("Sales rep"))
    invoice_progress = django_filters.ChoiceFilter(choices=Progress.choices, label=_("Invoicing"))
    date_from = django_filters.DateFilter(field_name="date", lookup_expr="gte", label=_("From"))
    date_to = django_filters.DateFilter(field_name="date", lookup_expr="lte", label=_("To"))

    class Meta:
        model = SalesOrder
        fields = ["q", "status", "customer", "salesperson", "invoice_progress", "date_from", "date_to"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        organization = getattr(self.request, "organization", None)
        if organization is not None:
            self.filters["salesperson"].queryset = members_of(organization)

    def filter_q(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        for term in value.split()[:5]:
            queryset = queryset.filter(Q(number__icontains=term) | Q(customer__search_text__icontains=term.lower()))
        return queryset


class PriceListFilter(SearchFilterSet):
    search_fields = ("name",)
    tag = django_filters.ModelChoiceFilter(queryset=Tag.objects.all(), label=_("Customer group (tag)"))
    is_active = django_filters.BooleanFilter(label=_("Active"))

    class Meta:
        model = PriceList
        fields = ["q", "tag", "is_active"]
