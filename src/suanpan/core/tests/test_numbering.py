import datetime

import pytest
from django.db import transaction

from suanpan.core.models import NumberSequence
from suanpan.core.numbering import next_number


def take(org, series="SO", on=datetime.date(2026, 11, 5)):
    with transaction.atomic():
        return next_number(organization=org, series=series, prefix=series, on=on)


@pytest.mark.django_db
def test_numbers_are_consecutive_per_series_and_period(org):
    assert [take(org) for _ in range(3)] == ["SO202611-0001", "SO202611-0002", "SO202611-0003"]
    assert take(org, on=datetime.date(2026, 12, 1)) == "SO202612-0001"
    assert take(org, series="PO") == "PO202611-0001"


@pytest.mark.django_db
def test_numbers_are_never_shared_between_organizations(org, other_org):
    assert take(org) == "SO202611-0001"
    assert take(other_org) == "SO202611-0001"
    assert take(org) == "SO202611-0002"


@pytest.mark.django_db
def test_a_rolled_back_transaction_gives_its_number_back(org):
    assert take(org) == "SO202611-0001"

    def take_then_fail():
        with transaction.atomic():
            next_number(organization=org, series="SO", prefix="SO", on=datetime.date(2026, 11, 5))
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        take_then_fail()
    assert take(org) == "SO202611-0002"
    assert NumberSequence.objects.get(organization=org, series="SO", period="202611").last_number == 2


@pytest.mark.django_db(transaction=True)
def test_numbering_outside_a_transaction_is_refused(org):
    with pytest.raises(RuntimeError, match=r"inside transaction\.atomic"):
        next_number(organization=org, series="SO", prefix="SO")


@pytest.mark.django_db
def test_number_without_period(org):
    with transaction.atomic():
        assert next_number(organization=org, series="partner.customer", prefix="C", width=5) == "C00001"
