import pytest

from suanpan.catalog.models import Unit, VatRate
from suanpan.core.choices import Role
from suanpan.core.models import AuditEvent, Membership
from suanpan.onboarding import organization_open

pytestmark = pytest.mark.django_db


def test_opening_an_organization_makes_the_owner_a_member_and_seeds_the_catalog(owner):
    org = organization_open(owner=owner, data={"name": "新公司", "credit_code": "91110000100017643K"})
    membership = Membership.objects.get(organization=org, user=owner)
    assert membership.roles == [Role.OWNER]
    assert sorted(VatRate.objects.filter(organization=org).values_list("name", flat=True)) == sorted(
        ["13%", "9%", "6%", "5%", "3%", "1%", "0%"]
    )
    assert AuditEvent.objects.filter(organization=org, object_type="core.organization", action="create").exists()
    assert Unit.objects.filter(organization=org, code="PCS").exists()
