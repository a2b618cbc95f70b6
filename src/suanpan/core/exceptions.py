"""Domain errors: what services raise when a request cannot be carried out.

The UI shows them as messages or field errors, the API as JSON 4xx bodies with a list of
`{field, message}`. A service never lets a database error escape for something the user did.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.core.exceptions import ValidationError


@dataclass(frozen=True)
class FieldError:
    field: str | None
    message: str


class DomainError(Exception):
    """A business rule refused the operation. `field` names the input at fault, if any."""

    status_code = 409

    def __init__(self, message: str, *, field: str | None = None, code: str = "refused") -> None:
        super().__init__(str(message))
        self.message = str(message)
        self.field = field
        self.code = code

    @property
    def errors(self) -> list[FieldError]:
        return [FieldError(self.field, self.message)]


class InvalidInput(DomainError):
    """Input failed validation; `errors` lists every field at fault."""

    status_code = 422

    def __init__(self, errors: Iterable[FieldError]) -> None:
        self._errors = list(errors)
        first = self._errors[0].message if self._errors else "invalid input"
        super().__init__(first, field=self._errors[0].field if self._errors else None, code="invalid")

    @property
    def errors(self) -> list[FieldError]:
        return self._errors

    @classmethod
    def from_validation_error(cls, exc: ValidationError) -> InvalidInput:
        errors: list[FieldError] = []
        if hasattr(exc, "error_dict"):
            mapping: Mapping[str, list[ValidationError]] = exc.error_dict
            for field, field_errors in mapping.items():
                for err in field_errors:
                    for message in err.messages:
                        errors.append(FieldError(None if field == "__all__" else field, str(message)))
        else:
            errors.extend(FieldError(None, str(m)) for m in exc.messages)
        return cls(errors)

    @classmethod
    def single(cls, field: str | None, message: str) -> InvalidInput:
        return cls([FieldError(field, str(message))])


class PermissionRefused(DomainError):
    """The acting user's roles in this organization do not grant the permission."""

    status_code = 403

    def __init__(self, message: str) -> None:
        super().__init__(message, code="forbidden")


class NotFound(DomainError):
    """No such row in this organization (another organization's row is also 'not found')."""

    status_code = 404

    def __init__(self, message: str) -> None:
        super().__init__(message, code="not_found")
