"""Prices for a sales line: the best price list that applies, else the product's sale price.

Which list applies to a customer on a date: an active list whose validity covers the date, either for a customer
group the customer belongs to (a tag on the customer) or for every customer (no tag). Among them the group's list
wins over the general one, then the higher priority, then the lower id. Within the list the quantity break with
the greatest `min_quantity` not above the quantity gives the price; a list with no item for the product passes
to the next list.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q

from suanpan.catalog.models import Product
from suanpan.core.models import Organization
from suanpan.partners.models import Partner
from suanpan.sales.models import PriceList, PriceListItem


@dataclass(frozen=True)
class Price:
    unit_price: Decimal
    price_list: PriceList | None  # None: the product's own sale price


def lists_for(organization: Organization, customer: Partner, on: datetime.date) -> list[PriceList]:
    """The price lists that apply to the customer on the date, best first."""
    tags = set(customer.tags.values_list("pk", flat=True))
    lists = PriceList.objects.filter(
        Q(tag__isnull=True) | Q(tag__in=tags),
        Q(valid_from__isnull=True) | Q(valid_from__lte=on),
        Q(valid_to__isnull=True) | Q(valid_to__gte=on),
        organization=organization,
        is_active=True,
    )
    return sorted(lists, key=lambda pl: (pl.tag_id is None, -pl.priority, pl.pk))


def price_for(
    organization: Organization, customer: Partner, product: Product, quantity: Decimal, on: datetime.date
) -> Price:
    lists = lists_for(organization, customer, on)
    if lists:
        items = PriceListItem.objects.filter(
            price_list__in=lists, product=product, min_quantity__lte=quantity
        ).order_by("-min_quantity")
        best: dict[int, Decimal] = {}
        for item in items:
            best.setdefault(item.price_list_id, item.unit_price)
        for price_list in lists:
            if price_list.pk in best:
                return Price(best[price_list.pk], price_list)
    return Price(product.sale_price, None)
