"""Schemathesis against our own OpenAPI document, in process: no 5xx, and every response matches the schema.

Both generation modes run (schema-valid and schema-invalid requests), with a fixed, derandomized seed and few
examples per operation, so the run is repeatable and takes about a minute.
"""

from __future__ import annotations

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import positive_data_acceptance

from suanpan.core.services import api_token_create
from suanpan.wsgi import application
from tests.resources import RESOURCES, make_contact, make_voucher

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)


@pytest.fixture
def token(org, owner):
    """An owner's token in an organization with a row of every kind, so that some generated ids exist."""
    for resource in RESOURCES:
        resource.make(org)
    make_contact(org)
    make_voucher(org, state="posted")
    make_voucher(org)
    return api_token_create(organization=org, actor=owner, name="schemathesis")[1]


@pytest.fixture
def _connection_kept():
    """Schemathesis calls the WSGI application directly: like Django's test client, keep `request_finished`
    from closing the test's database connection (PostgreSQL would lose the test transaction)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.mark.django_db
@pytest.mark.usefixtures("_connection_kept")
@schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much],
)
def test_api_conforms_to_its_schema(case, token):
    # Schema-valid data may still be refused by a business rule the schema cannot express (the credit code's
    # check character, a duplicate code, a reference to a row that does not exist): that is a 4xx, not a bug.
    case.call_and_validate(headers={"Authorization": f"Bearer {token}"}, excluded_checks=[positive_data_acceptance])
