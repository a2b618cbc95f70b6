import datetime

import pytest

from suanpan.accounting.models import Account
from suanpan.partners.choices import PartnerRole
from suanpan.partners.services import partner_create

DAY = datetime.date(2026, 11, 5)


@pytest.fixture
def acc(org):
    """acc("1002") → the organization's account with that code."""

    def get(code):
        return Account.objects.get(organization=org, code=code)

    return get


@pytest.fixture
def customer(org):
    return partner_create(
        organization=org, actor=None, role=PartnerRole.CUSTOMER, data={"name": "北京星河科技有限公司"}
    )


@pytest.fixture
def accountant(member):
    return member("finance")


@pytest.fixture
def reviewer(member):
    return member("finance")
