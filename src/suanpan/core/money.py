"""Money and quantity helpers. Decimal only; never float.

Rounding points (STYLE.md §18): line amount, line tax and document total are quantized to the currency's
places (CNY: 2) with ROUND_HALF_UP. Quantities carry 4 places, unit prices 6, rates 4.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.db import models

MONEY_PLACES = Decimal("0.01")
QTY_PLACES = Decimal("0.0001")
PRICE_PLACES = Decimal("0.000001")
RATE_PLACES = Decimal("0.0001")
ZERO = Decimal("0")


def to_decimal(value: object) -> Decimal:
    """Convert text, int or Decimal to Decimal. Floats are refused: they carry binary noise."""
    if isinstance(value, bool | float):
        raise TypeError(f"refusing {type(value).__name__} for a decimal amount: {value!r}")
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, int | str):
        try:
            result = Decimal(str(value).strip().replace(",", ""))
        except InvalidOperation as exc:
            raise ValueError(f"not a number: {value!r}") from exc
    else:
        raise TypeError(f"cannot convert {type(value).__name__} to Decimal")
    if not result.is_finite():
        raise ValueError(f"not a finite number: {value!r}")
    return result


def money(value: object) -> Decimal:
    """Round to the currency's 2 places, half up."""
    return to_decimal(value).quantize(MONEY_PLACES, rounding=ROUND_HALF_UP)


def qty(value: object) -> Decimal:
    return to_decimal(value).quantize(QTY_PLACES, rounding=ROUND_HALF_UP)


def price(value: object) -> Decimal:
    return to_decimal(value).quantize(PRICE_PLACES, rounding=ROUND_HALF_UP)


class MoneyField(models.DecimalField):  # type: ignore[type-arg]
    """An amount in the organization's currency: 18 digits, 2 places."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        kwargs.setdefault("max_digits", 18)
        kwargs.setdefault("decimal_places", 2)
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]


class QuantityField(models.DecimalField):  # type: ignore[type-arg]
    """A quantity of goods: 18 digits, 4 places."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        kwargs.setdefault("max_digits", 18)
        kwargs.setdefault("decimal_places", 4)
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]


class PriceField(models.DecimalField):  # type: ignore[type-arg]
    """A unit price: 18 digits, 6 places (unit prices are often quoted finer than the cent)."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        kwargs.setdefault("max_digits", 18)
        kwargs.setdefault("decimal_places", 6)
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
