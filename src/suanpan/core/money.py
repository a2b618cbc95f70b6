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


_CN_DIGITS = "零壹贰叁肆伍陆柒捌玖"
_CN_PLACES = ("仟", "佰", "拾", "")
_CN_SECTIONS = ("", "万", "亿", "万亿")
_WORDS_LIMIT = Decimal("1E16")  # MoneyField holds 16 integer digits: up to 万亿


def _section_in_words(number: int) -> str:
    """0 < number < 10000 in capitals, with one 零 for each run of inner zeros: 1004 → 壹仟零肆."""
    out, zero = "", False
    for place, digit in zip(_CN_PLACES, f"{number:04d}", strict=True):
        if digit == "0":
            zero = bool(out)
            continue
        if zero:
            out, zero = out + "零", False
        out += _CN_DIGITS[int(digit)] + place
    return out


def _integer_in_words(number: int) -> str:
    sections = []
    while number:
        number, section = divmod(number, 10000)
        sections.append(section)
    out, zero = "", False
    for index in range(len(sections) - 1, -1, -1):
        section = sections[index]
        if section == 0:
            zero = bool(out)
            continue
        if out and (zero or section < 1000):  # 壹亿零壹, 壹拾万零柒佰, but 壹拾万柒仟
            out += "零"
        out, zero = out + _section_in_words(section) + _CN_SECTIONS[index], False
    return out


def amount_in_words(amount: Decimal) -> str:
    """人民币大写 of an amount (at most 2 places), as written on vouchers and cheques.

    The convention is the People's Bank of China's 《正确填写票据和结算凭证的基本规定》 (an annex to the
    支付结算办法), as quoted e.g. at http://m.studyofnet.com/432243873.html and
    http://m.ningxialong.com/c/0920101I952022_2.html:
    - 整 after 元 when there are no 角/分; not after 角 (optional there; its own examples omit it:
      1409.50 → 壹仟肆佰零玖元伍角); never after 分;
    - a zero (or a run of zeros) between digits is one 零: 1004.56 → 壹仟零肆元伍角陆分;
    - 角 zero but 分 not: 零 after 元 (16409.02 → 壹万陆仟肆佰零玖元零贰分);
    - 元 (and 万) digits zero but the next digit not: of the two allowed forms we write the first,
      1680.32 → 壹仟陆佰捌拾元零叁角贰分, 107000.53 → 壹拾万柒仟元零伍角叁分;
    - 壹拾 keeps its 壹 (10 → 壹拾元整). Negative amounts (red ink) read 负….
    """
    value = to_decimal(amount)
    cents = value * 100
    if cents != cents.to_integral_value():
        raise ValueError(f"an amount has at most 2 decimal places: {amount!r}")
    if abs(value) >= _WORDS_LIMIT:
        raise ValueError(f"amount too large to write out: {amount!r}")
    whole, rest = divmod(abs(int(cents)), 100)
    jiao, fen = divmod(rest, 10)
    sign = "负" if value < 0 else ""
    if whole == 0 and rest == 0:
        return "零元整"
    out = _integer_in_words(whole) + "元" if whole else ""
    if rest == 0:
        return sign + out + "整"
    if whole and (jiao == 0 or whole % 10 == 0):
        out += "零"
    if jiao:
        out += _CN_DIGITS[jiao] + "角"
    if fen:
        out += _CN_DIGITS[fen] + "分"
    return sign + out
