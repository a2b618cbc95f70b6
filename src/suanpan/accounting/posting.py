"""Pure checks of voucher lines, shared by every path that writes the books.

Invariants a voucher must meet before it is saved, and again before it posts:
1. at least two lines; each line has a 摘要 and an account;
2. each line has exactly one non-zero side (debit or credit); amounts have at most 2 decimal places;
   red ink (红字) is a negative amount on the usual side;
3. each account is postable (active, no sub-accounts) and its required auxiliary dimensions are filled;
4. Σ debit = Σ credit exactly, in Decimal, with no tolerance.
These functions take plain values and return field errors; they read nothing from the database.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _

from suanpan.accounting.choices import Dimension
from suanpan.core.exceptions import FieldError

CENT = Decimal("0.01")
ZERO = Decimal("0")

DIMENSION_FIELDS: dict[str, str] = {
    Dimension.CUSTOMER: "partner",
    Dimension.SUPPLIER: "partner",
    Dimension.EMPLOYEE: "employee",
    Dimension.DEPARTMENT: "department",
    Dimension.PROJECT: "project",
    Dimension.PRODUCT: "product",
}


@dataclass(frozen=True)
class LineIn:
    """One line as entered, with its account's facts looked up by the caller."""

    summary: str
    account_code: str | None
    account_postable: bool
    account_dimensions: Collection[str]
    debit: Decimal = ZERO
    credit: Decimal = ZERO
    filled: Collection[str] = field(default_factory=tuple)  # names of the dimension fields given on the line


def _places_ok(value: Decimal) -> bool:
    return value == value.quantize(CENT)


def check_lines(lines: Sequence[LineIn]) -> list[FieldError]:
    """Every problem of the lines, as `lines.<n>.<field>` errors (n from 1), plus the balance."""
    errors: list[FieldError] = []
    if len(lines) < 2:
        errors.append(FieldError("lines", _("A voucher needs at least two lines.")))
    total_debit = total_credit = ZERO
    for n, line in enumerate(lines, start=1):
        where = f"lines.{n}"
        if not line.summary.strip():
            errors.append(FieldError(f"{where}.summary", _("Line %(n)d: write a summary.") % {"n": n}))
        if line.account_code is None:
            errors.append(FieldError(f"{where}.account", _("Line %(n)d: choose an account.") % {"n": n}))
        elif not line.account_postable:
            errors.append(
                FieldError(
                    f"{where}.account",
                    _("Line %(n)d: account %(code)s has sub-accounts or is inactive; post to a sub-account.")
                    % {"n": n, "code": line.account_code},
                )
            )
        for dim in line.account_dimensions:
            if DIMENSION_FIELDS.get(dim) not in line.filled:
                errors.append(
                    FieldError(
                        f"{where}.{DIMENSION_FIELDS.get(dim, dim)}",
                        _("Line %(n)d: account %(code)s needs the %(dim)s.")
                        % {"n": n, "code": line.account_code, "dim": Dimension(dim).label},
                    )
                )
        if (line.debit == ZERO) == (line.credit == ZERO):
            errors.append(
                FieldError(f"{where}.debit", _("Line %(n)d: enter either a debit or a credit amount.") % {"n": n})
            )
        for side, value in (("debit", line.debit), ("credit", line.credit)):
            if not value.is_finite() or not _places_ok(value):
                errors.append(FieldError(f"{where}.{side}", _("Line %(n)d: at most 2 decimal places.") % {"n": n}))
        total_debit += line.debit
        total_credit += line.credit
    if lines and total_debit != total_credit:
        errors.append(
            FieldError(
                "lines",
                _("The voucher does not balance: debit %(d)s, credit %(c)s, difference %(x)s.")
                % {"d": total_debit, "c": total_credit, "x": total_debit - total_credit},
            )
        )
    return errors


def totals(lines: Sequence[LineIn]) -> tuple[Decimal, Decimal]:
    return sum((ln.debit for ln in lines), ZERO), sum((ln.credit for ln in lines), ZERO)
