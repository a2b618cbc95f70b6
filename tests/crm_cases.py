"""The CRM areas' entries for the cross-cutting suites, one module per area (tests/crm_cases_<area>.py):

- `API_OPS`: every API operation of the area as (path with `{}` for ids, method), for the matrix walker in
  tests/test_permissions.py; the roles themselves are tested in the area's own tests (named there).
- `PAGES`: every guarded page pattern (as `_guarded_pages` prints it), likewise.
- `EXERCISED`: the permissions the area's own role-by-role tests exercise.
- `API_CASES` / `PAGE_CASES`: `tests.test_isolation.ApiCase` / `PageCase` rows: another organization's ids → 404.
"""

from __future__ import annotations

from typing import Any

from tests import (
    crm_cases_analytics,
    crm_cases_customers,
    crm_cases_followups,
    crm_cases_leads,
    crm_cases_opportunities,
)

AREAS = (crm_cases_leads, crm_cases_followups, crm_cases_opportunities, crm_cases_customers, crm_cases_analytics)
API_OPS: set[tuple[str, str]] = set().union(*(a.API_OPS for a in AREAS))
PAGES: set[str] = set().union(*(a.PAGES for a in AREAS))
EXERCISED: set[str] = set().union(*(a.EXERCISED for a in AREAS))
API_CASES: list[Any] = [case for a in AREAS for case in a.API_CASES]
PAGE_CASES: list[Any] = [case for a in AREAS for case in a.PAGE_CASES]
