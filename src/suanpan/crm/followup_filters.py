"""Filters of the follow-up list, shared by the page and the API's query parameters (the API adds the lead and the
opportunity, which the page reaches through their own timelines)."""

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
from suanpan.crm.choices import FollowUpKind
from suanpan.crm.followups import customer_followups_q
from suanpan.crm.models import FollowUp, Lead, Opportunity
from suanpan.partners.models import Partner


class Due:
    OPEN = "open"
    OVERDUE = "overdue"
    TODAY = "today"
    CHOICES = (
        (OPEN, _("Open next step")),
        (OVERDUE, _("Overdue")),
        (TODAY, _("Due today")),
    )


def due_filter(queryset: QuerySet[FollowUp], value: str, today: datetime.date) -> QuerySet[FollowUp]:
    open_steps = queryset.filter(next_done_at__isnull=True).filter(Q(next_on__isnull=False) | ~Q(next_action=""))
    if value == Due.OVERDUE:
        return open_steps.filter(next_on__lt=today)
    if value == Due.TODAY:
        return open_steps.filter(next_on=today)
    if value == "due":
        return open_steps.filter(next_on__lte=today)
    return open_steps


class FollowUpFilter(SearchFilterSet):
    """`q`: the content, or the name of the customer, lead or opportunity."""

    kind = django_filters.ChoiceFilter(choices=FollowUpKind.choices, label=_("Type"))
    user = django_filters.ModelChoiceFilter(queryset=get_user_model().objects.none(), label=_("Logged by"))
    due = django_filters.ChoiceFilter(choices=Due.CHOICES, method="filter_due", label=_("Next step"))
    customer = django_filters.ModelChoiceFilter(
        queryset=Partner.objects.filter(is_customer=True), method="filter_customer", label=_("Customer")
    )
    date_from = django_filters.DateFilter(field_name="happened_at__date", lookup_expr="gte", label=_("From"))
    date_to = django_filters.DateFilter(field_name="happened_at__date", lookup_expr="lte", label=_("To"))

    class Meta:
        model = FollowUp
        fields = ["q", "kind", "user", "due", "customer", "date_from", "date_to"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        organization = getattr(self.request, "organization", None)
        if organization is not None:
            self.filters["user"].queryset = members_of(organization)

    def filter_q(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        for term in value.split()[:5]:
            low = term.lower()
            queryset = queryset.filter(
                Q(content__icontains=term)
                | Q(customer__search_text__icontains=low)
                | Q(opportunity__customer__search_text__icontains=low)
                | Q(opportunity__name__icontains=term)
                | Q(lead__company__icontains=term)
                | Q(lead__contact_name__icontains=term)
            )
        return queryset

    def filter_due(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        return due_filter(queryset, value, timezone.localdate())

    def filter_customer(self, queryset: QuerySet[Any], name: str, value: Partner) -> QuerySet[Any]:
        return queryset.filter(customer_followups_q(value))


class FollowUpApiFilter(FollowUpFilter):
    lead = django_filters.ModelChoiceFilter(queryset=Lead.objects.all(), label=_("Lead"))
    opportunity = django_filters.ModelChoiceFilter(queryset=Opportunity.objects.all(), label=_("Opportunity"))

    class Meta:
        model = FollowUp
        fields = ["q", "kind", "user", "due", "customer", "lead", "opportunity", "date_from", "date_to"]
