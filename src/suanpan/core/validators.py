"""Validators for Chinese identifiers."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# GB 32100-2015: 31 characters (no I, O, S, V, Z); each character's value is its index.
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
USCC_FORMAT = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$")


def credit_code_check_char(first17: str) -> str:
    """The 18th character of a unified social credit code, from its first 17."""
    total = sum(USCC_ALPHABET.index(ch) * w for ch, w in zip(first17, USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def is_valid_credit_code(code: str) -> bool:
    if not USCC_FORMAT.match(code):
        return False
    return credit_code_check_char(code[:17]) == code[17]


def validate_credit_code(value: str) -> None:
    if not value:
        return
    if len(value) != 18:
        raise ValidationError(
            _("A unified social credit code has 18 characters; this one has %(n)d."),
            code="credit_code_length",
            params={"n": len(value)},
        )
    if not USCC_FORMAT.match(value):
        raise ValidationError(
            _(
                "A unified social credit code uses digits and capital letters except I, O, S, V, Z; "
                "characters 3-8 are digits."
            ),
            code="credit_code_format",
        )
    if credit_code_check_char(value[:17]) != value[17]:
        raise ValidationError(
            _("The check character of this unified social credit code is wrong (expected %(c)s)."),
            code="credit_code_check",
            params={"c": credit_code_check_char(value[:17])},
        )


PHONE_RE = re.compile(r"^[0-9+\-() ]{5,40}$")


def validate_phone(value: str) -> None:
    if value and not PHONE_RE.match(value):
        raise ValidationError(_("Enter a phone number using digits, spaces, +, - or brackets."), code="phone")
