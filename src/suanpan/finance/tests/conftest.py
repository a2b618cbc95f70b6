import pytest
from tests.receivable_resources import STAND_IN

from suanpan.finance import checks


@pytest.fixture(autouse=True)
def _stand_in_invoices_count(monkeypatch):
    """The stand-in invoices of `tests.receivable_resources` move 1122 like sales invoices: verify reconciles them."""
    monkeypatch.setattr(checks, "RECEIVABLE_SOURCES", {*checks.RECEIVABLE_SOURCES, STAND_IN})
