from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from suanpan.core.filters import SearchFilterSet
from suanpan.inventory.models import Warehouse


class WarehouseFilter(SearchFilterSet):
    is_store = django_filters.BooleanFilter(label=_("Store"))
    is_active = django_filters.BooleanFilter(label=_("Active"))

    class Meta:
        model = Warehouse
        fields = ["q", "is_store", "is_active"]
