"""Parsing typed-in values for services: a Decimal with a bounded number of places, a date. Each refusal is an
`InvalidInput` naming the field, so the form, the API and the import report show it beside the right input."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from suanpan.core.exceptions import FieldError, InvalidInput


def decimal_input(value: object, field: str, places: int, *, positive: bool = True) -> Decimal:
    """A Decimal from input with at most `places` decimals; > 0 (or ≥ 0 with positive=False). Floats are refused:
    they cannot carry an exact amount."""
    if value is None or value == "" or isinstance(value, bool | float):
        raise InvalidInput.single(field, _("Enter a number."))
    try:
        number = Decimal(str(value).strip().replace(",", ""))
    except InvalidOperation:
        raise InvalidInput.single(field, _("Enter a number.")) from None
    if not number.is_finite():
        raise InvalidInput.single(field, _("Enter a number."))
    exponent = number.as_tuple().exponent
    if isinstance(exponent, int) and -exponent > places:
        raise InvalidInput.single(field, _("At most %(n)d decimal places.") % {"n": places})
    if number.adjusted() >= 13:
        raise InvalidInput.single(field, _("This number is too large."))
    if (number <= 0) if positive else (number < 0):
        raise InvalidInput.single(field, _("Must be more than zero.") if positive else _("Cannot be negative."))
    return number


def date_input(value: object, field: str) -> datetime.date:
    if not isinstance(value, datetime.date):
        raise InvalidInput.single(field, _("Enter a valid date."))
    return value


MAX_ID = 2**63


def id_input(value: object) -> int | None:
    """A row id typed in or sent (int or digits), or None when it is not one (blank, negative, too large)."""
    if isinstance(value, bool):
        return None
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    return number if 0 < number < MAX_ID else None


def text_input(
    data: Mapping[str, Any], key: str, limit: int, errors: list[FieldError], *, required: bool = False
) -> str:
    """`data[key]` stripped (missing: ""); a refusal naming `key` is added to `errors` when it is required and
    empty, longer than `limit`, or holds a null character (PostgreSQL cannot store one)."""
    value = data.get(key)
    text = "" if value is None else str(value).strip()
    if required and not text:
        errors.append(FieldError(key, _("This field is required.")))
    elif len(text) > limit:
        errors.append(FieldError(key, _("At most %(n)d characters.") % {"n": limit}))
    elif "\x00" in text:
        errors.append(FieldError(key, _("Null characters are not allowed.")))
    return text
