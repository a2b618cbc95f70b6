"""The rows of the isolation suite (tests/test_isolation.py): requests aimed at another organization's ids."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from suanpan.core.models import Organization


@dataclass(frozen=True)
class ApiCase:
    """One operation of an endpoint with ids, aimed at rows of another organization."""

    path: str  # the OpenAPI path under /api/v1 with `{}` for each path parameter
    method: str
    ids: Callable[[Organization, Organization], tuple[int, ...]]  # (mine, theirs) → the path's ids
    body: Callable[[Organization], dict[str, Any]] | None = None
    label: str = ""

    def __str__(self) -> str:
        return f"{self.method} {self.path} {self.label}".strip()


@dataclass(frozen=True)
class PageCase:
    """One request to a page with ids, aimed at rows of another organization."""

    route: str  # the pattern as Django declares it, e.g. "partners/customers/<int:pk>/edit/"
    method: str
    ids: Callable[[Organization, Organization], dict[str, Any]]  # (mine, theirs) → the route's ids
    data: Callable[[Organization], dict[str, Any]] = field(default=lambda org: {})
    label: str = ""

    def __str__(self) -> str:
        return f"{self.method} {self.route} {self.label}".strip()

    def url(self, ids: dict[str, Any]) -> str:
        return "/" + re.sub(r"<\w+:(\w+)>", lambda m: str(ids[m.group(1)]), self.route)
