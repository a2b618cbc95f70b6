import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import positive_data_acceptance

from suanpan.core.services import api_token_create
from suanpan.wsgi import application
from tests import crm_cases_customers as cc

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application).include(
    path_regex=r"(contracts|segments|tag-rules|/360)"
)


@pytest.fixture
def token(org, owner, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    cc.linked_order(org)
    cc.make_attachment(org)
    cc.make_segment(org)
    cc.make_tag_rule(org)
    return api_token_create(organization=org, actor=owner, name="schemathesis")[1]


@pytest.fixture
def _connection_kept():
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
    case.call_and_validate(headers={"Authorization": f"Bearer {token}"}, excluded_checks=[positive_data_acceptance])
