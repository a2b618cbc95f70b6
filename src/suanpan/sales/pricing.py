"""Prices for a sales line: the best price list that applies, else the product's sale price.

Which list applies to a customer on a date: an active list whose validity covers the date, either for a customer
group the customer belongs to (a tag on the customer) or for every customer (no tag). Among them the group's list
wins over the general one, then the higher priority, then the lower id. Within the list the quantity break with
the greatest `min_quantity` not above the quantity gives the price; a list with no item for the product passes
to the next list.

Price lists are kept by members holding `MANAGE_PRICES`: each write replaces the list's header and items in one
transaction, refusing bad input field by field (`items.<n>.<field>`) with nothing saved. Orders copy the price
they were given, so changing a list never changes an order already entered.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from suanpan.catalog.models import Product
from suanpan.core.audit import audit_record, diff, snapshot
from suanpan.core.choices import AuditAction
from suanpan.core.exceptions import DomainError, FieldError, InvalidInput
from suanpan.core.inputs import date_input, decimal_input
from suanpan.core.models import Organization
from suanpan.core.money import ZERO
from suanpan.core.permissions import P
from suanpan.core.records import get_scoped
from suanpan.core.tenancy import check_perm
from suanpan.core.types import Actor
from suanpan.inventory.services import normalize
from suanpan.partners.models import Partner, Tag
from suanpan.sales.models import PriceList, PriceListItem, SalesOrder


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


# Price lists: entry --------------------------------------------------------------------------------------------

MAX_PRIORITY = 9999
MAX_ITEMS = 2000


def _guard(organization: Organization, actor: Actor | None) -> None:
    """`actor=None` only for set-up commands run by the operator (demo), recorded as the system."""
    if actor is not None:
        check_perm(organization=organization, actor=actor, perm=P.MANAGE_PRICES)


def price_list_list(*, organization: Organization) -> QuerySet[PriceList]:
    return (
        PriceList.objects.filter(organization=organization)
        .select_related("tag")
        .annotate(item_count=Count("items"))
        .order_by("-priority", "name")  # an aggregate drops the model's ordering
    )


def price_list_get(*, organization: Organization, pk: object) -> PriceList:
    return get_scoped(PriceList, organization=organization, pk=pk)


def _optional_date(data: Mapping[str, Any], key: str, errors: list[FieldError]) -> datetime.date | None:
    value = data.get(key)
    if value in (None, ""):
        return None
    try:
        return date_input(value, key)
    except InvalidInput as exc:
        errors += exc.errors
        return None


def _header(
    organization: Organization, data: Mapping[str, Any], price_list: PriceList | None
) -> tuple[dict[str, Any], list[FieldError]]:
    errors: list[FieldError] = []
    header: dict[str, Any] = {}
    name = str(data.get("name") or "").strip()
    if not name:
        errors.append(FieldError("name", _("This field is required.")))
    elif len(name) > 100:
        errors.append(FieldError("name", _("At most %(n)d characters.") % {"n": 100}))
    else:
        taken = PriceList.objects.filter(organization=organization, name=name)
        if price_list is not None:
            taken = taken.exclude(pk=price_list.pk)
        if taken.exists():
            errors.append(FieldError("name", _("A price list with this name already exists.")))
    header["name"] = name
    header["tag"] = None
    if data.get("tag_id") not in (None, ""):
        try:
            header["tag"] = get_scoped(Tag, organization=organization, pk=data.get("tag_id"), field="tag_id")
        except InvalidInput as exc:
            errors += exc.errors
    header["valid_from"] = _optional_date(data, "valid_from", errors)
    header["valid_to"] = _optional_date(data, "valid_to", errors)
    if header["valid_from"] and header["valid_to"] and header["valid_to"] < header["valid_from"]:
        errors.append(FieldError("valid_to", _("The end of the validity comes before its start.")))
    priority = data.get("priority")
    header["priority"] = 0
    if priority not in (None, ""):
        try:
            number = int(str(priority).strip()) if not isinstance(priority, bool | float) else None
        except ValueError:
            number = None
        if number is None or not -MAX_PRIORITY <= number <= MAX_PRIORITY:
            errors.append(
                FieldError(
                    "priority", _("A whole number from %(lo)d to %(hi)d.") % {"lo": -MAX_PRIORITY, "hi": MAX_PRIORITY}
                )
            )
        else:
            header["priority"] = number
    active = data.get("is_active", True)
    if not isinstance(active, bool):
        errors.append(FieldError("is_active", _("Yes or no.")))
    header["is_active"] = bool(active) if isinstance(active, bool) else True
    return header, errors


def _items(
    organization: Organization, rows: Sequence[Mapping[str, Any]], errors: list[FieldError]
) -> list[PriceListItem]:
    items: list[PriceListItem] = []
    seen: set[tuple[int, Decimal]] = set()
    for n, row in enumerate(rows):
        where = f"items.{n}"
        row_errors: list[FieldError] = []
        product = min_quantity = unit_price = None
        try:
            product = get_scoped(
                Product, organization=organization, pk=row.get("product_id"), field=f"{where}.product_id"
            )
        except InvalidInput as exc:
            row_errors += exc.errors
        try:
            raw = row.get("min_quantity")
            min_quantity = ZERO if raw in (None, "") else decimal_input(raw, f"{where}.min_quantity", 4, positive=False)
        except InvalidInput as exc:
            row_errors += exc.errors
        try:
            unit_price = decimal_input(row.get("unit_price"), f"{where}.unit_price", 6, positive=False)
        except InvalidInput as exc:
            row_errors += exc.errors
        if row_errors or product is None or min_quantity is None or unit_price is None:
            errors += row_errors
            continue
        key = (product.pk, min_quantity.normalize())
        if key in seen:
            errors.append(
                FieldError(f"{where}.min_quantity", _("This product already has a price from this quantity."))
            )
            continue
        seen.add(key)
        items.append(
            PriceListItem(organization=organization, product=product, min_quantity=min_quantity, unit_price=unit_price)
        )
    return items


def _valid(
    organization: Organization, data: Mapping[str, Any], price_list: PriceList | None
) -> tuple[dict[str, Any], list[PriceListItem]]:
    header, errors = _header(organization, data, price_list)
    rows = data.get("items") or []
    if not isinstance(rows, Sequence) or isinstance(rows, str) or not all(isinstance(r, Mapping) for r in rows):
        errors.append(FieldError("items", _("A list of items is expected.")))
        rows = []
    if len(rows) > MAX_ITEMS:
        errors.append(FieldError("items", _("At most %(n)d items.") % {"n": MAX_ITEMS}))
        rows = []
    items = _items(organization, rows, errors)
    if errors:
        raise InvalidInput(errors)
    return header, items


def _item_summary(items: Sequence[PriceListItem]) -> list[str]:
    return [f"{item.product.code} ≥{normalize(item.min_quantity)}: {item.unit_price.normalize()}" for item in items]


def price_list_create(*, organization: Organization, actor: Actor | None, data: Mapping[str, Any]) -> PriceList:
    """A price list: name, tag_id (customer group; blank = every customer), valid_from/valid_to (blank = open),
    priority, is_active, items [{product_id, min_quantity (quantity break, 0 = from the first unit), unit_price
    (excl. VAT)}]."""
    with transaction.atomic():
        _guard(organization, actor)
        header, items = _valid(organization, data, None)
        price_list = PriceList.objects.create(organization=organization, **header)
        for item in items:
            item.price_list = price_list
        PriceListItem.objects.bulk_create(items)
        audit_record(
            organization=organization,
            actor=actor,
            obj=price_list,
            action=AuditAction.CREATE,
            changes={**snapshot(price_list), "items": _item_summary(items)},
        )
        return price_list


def price_list_update(
    *, organization: Organization, actor: Actor | None, price_list_id: object, data: Mapping[str, Any]
) -> PriceList:
    """Replace a price list's header and items (orders already entered keep the prices they were given)."""
    with transaction.atomic():
        _guard(organization, actor)
        found = price_list_get(organization=organization, pk=price_list_id)
        price_list = PriceList.objects.select_for_update().get(pk=found.pk)
        old_items = list(price_list.items.select_related("product").order_by("product__code", "min_quantity"))
        before = {**snapshot(price_list), "items": _item_summary(old_items)}
        header, items = _valid(organization, data, price_list)
        for key, value in header.items():
            setattr(price_list, key, value)
        price_list.save()
        PriceListItem.objects.filter(price_list=price_list).delete()
        for item in items:
            item.price_list = price_list
        PriceListItem.objects.bulk_create(items)
        new_items = sorted(items, key=lambda i: (i.product.code, i.min_quantity))
        changes = diff(before, {**snapshot(price_list), "items": _item_summary(new_items)})
        audit_record(organization=organization, actor=actor, obj=price_list, action=AuditAction.UPDATE, changes=changes)
        return price_list


def price_list_delete(*, organization: Organization, actor: Actor | None, price_list_id: object) -> None:
    """Delete a price list no order refers to; one that orders name is deactivated instead (refused here)."""
    with transaction.atomic():
        _guard(organization, actor)
        found = price_list_get(organization=organization, pk=price_list_id)
        price_list = PriceList.objects.select_for_update().get(pk=found.pk)
        if SalesOrder.objects.filter(organization=organization, price_list=price_list).exists():
            raise DomainError(
                _("Sales orders refer to %(list)s: deactivate it instead of deleting it.") % {"list": price_list},
                field="is_active",
            )
        audit_record(
            organization=organization,
            actor=actor,
            obj=price_list,
            action=AuditAction.DELETE,
            changes={"name": price_list.name},
        )
        price_list.delete()
