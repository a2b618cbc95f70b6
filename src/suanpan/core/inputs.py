"""Parsing typed-in values for services: a Decimal with a bounded number of places, a date. Each refusal is an
`InvalidInput` naming the field, so the form, the API and the import report show it beside the right input."""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from suanpan.core.exceptions import InvalidInput


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
