import pytest

from suanpan.core.documents import Workflow
from suanpan.core.exceptions import DomainError

FLOW = Workflow(
    [("draft", "confirmed"), ("confirmed", "posted"), ("draft", "cancelled")],
    labels={"draft": "草稿", "posted": "已记账", "cancelled": "已取消"},
)


def test_allowed_transitions():
    assert FLOW.can("draft", "confirmed")
    assert FLOW.targets("draft") == {"confirmed", "cancelled"}
    FLOW.check("confirmed", "posted")


def test_illegal_transition_names_both_states():
    with pytest.raises(DomainError) as exc:
        FLOW.check("posted", "cancelled")
    assert exc.value.code == "illegal_transition"
    assert "已记账" in exc.value.message
    assert "已取消" in exc.value.message
