"""REST endpoints of the books' set-up: /books and /opening-balances (save, check, accept, unaccept)."""

from decimal import Decimal

import pytest

from suanpan.accounting.models import Books, OpeningBalance
from suanpan.accounting.opening import books_get, opening_balances_save
from suanpan.core.permissions import ROLE_PERMISSIONS, P
from suanpan.partners.choices import PartnerRole
from suanpan.partners.services import partner_create

pytestmark = pytest.mark.django_db

D = Decimal


@pytest.fixture
def customer(org):
    return partner_create(organization=org, actor=None, role=PartnerRole.CUSTOMER, data={"name": "星河科技"})


def balanced(customer):
    return {
        "rows": [
            {"account_code": "1001", "balance": "800.00"},
            {"account_code": "1122", "partner_id": customer.pk, "balance": "200.00"},
            {"account_code": "3001", "balance": "-1000.00"},
        ]
    }


def test_books_get_and_put(owner_api, org):
    r = owner_api.get("/books")
    assert r.status_code == 200
    assert r.json() == {
        "start": "2026-01",
        "voucher_words": ["记", "收", "付", "转"],
        "opening_accepted": False,
        "opening_accepted_at": None,
        "opening_accepted_by_id": None,
    }
    r = owner_api._call("put", "/books", {"start": "2026-05", "voucher_words": ["记", "现"]})
    assert r.status_code == 200, r.content
    assert (r.json()["start"], r.json()["voucher_words"]) == ("2026-05", ["记", "现"])
    r = owner_api._call("put", "/books", {"start": "2026-05", "voucher_words": ["记", "记"]})
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "voucher_words"
    for body in ({"start": "2026-5", "voucher_words": ["记"]}, {"voucher_words": ["记"]}, [None, None], 5):
        r = owner_api._call("put", "/books", body)
        assert r.status_code == 422, body
    assert Books.objects.get(organization=org).voucher_words == ["记", "现"]


def test_save_check_accept_unaccept(owner_api, org, customer):
    r = owner_api._call("put", "/opening-balances", balanced(customer))
    assert r.status_code == 200, r.content
    body = r.json()
    rows = {(x["account_code"], x["partner_id"]): D(x["balance"]) for x in body["rows"]}
    assert rows == {
        ("1001", None): D("800"),
        ("1122", None): D("200"),
        ("1122", customer.pk): D("200"),
        ("3001", None): D("-1000"),
    }
    assert owner_api.get("/opening-balances").json() == body
    check = owner_api.get("/opening-balances/check").json()
    assert (D(check["debit"]), D(check["credit"]), D(check["difference"]), check["balanced"]) == (
        D("1000"),
        D("1000"),
        D("0"),
        True,
    )
    assert {c["category"]: D(c["credit"]) for c in check["categories"]}["equity"] == D("1000")
    r = owner_api.post("/opening-balances/accept", {})
    assert r.status_code == 200
    assert r.json()["opening_accepted"] is True
    r = owner_api._call("put", "/opening-balances", balanced(customer))
    assert r.status_code == 409
    assert r.json()["detail"]
    r = owner_api.post("/opening-balances/unaccept", {})
    assert r.status_code == 200
    assert r.json()["opening_accepted"] is False


def test_unbalanced_accept_is_refused_with_the_difference(owner_api, org):
    owner_api._call("put", "/opening-balances", {"rows": [{"account_code": "1001", "balance": "12.34"}]})
    r = owner_api.post("/opening-balances/accept", {})
    assert r.status_code == 409
    assert "12.34" in r.json()["detail"]
    assert not books_get(organization=org).opening_accepted


@pytest.mark.parametrize(
    ("row", "field"),
    [
        # refused by the service: rows counted from 1, as people count them
        ({"account_code": "1012", "balance": "1"}, "rows.2.account"),
        ({"account_code": "9999", "balance": "1"}, "rows.2.account"),
        ({"account_code": "1122", "balance": "1"}, "rows.2.partner"),
        ({"account_code": "1001", "ytd_debit": "1"}, "rows.2.ytd_debit"),
        ({"account_code": "1002", "balance": "2"}, "rows.2.account"),
        # refused by the schema: the list index, from 0
        ({"account_code": "1001", "balance": "1.001"}, "rows.1.balance"),
        ({"account_code": "1001", "balance": "abc"}, "rows.1.balance"),
        ({"account_code": "1001", "ytd_debit": "-1"}, "rows.1.ytd_debit"),
        ({"account_code": "10x1", "balance": "1"}, "rows.1.account_code"),
        ({"balance": "1"}, "rows.1.account_code"),
    ],
)
def test_bad_rows_are_422_naming_the_field(owner_api, org, row, field):
    r = owner_api._call("put", "/opening-balances", {"rows": [{"account_code": "1002", "balance": "1"}, row]})
    assert r.status_code == 422, r.content
    assert [e["field"] for e in r.json()["errors"]] == [field]
    assert not OpeningBalance.objects.filter(organization=org).exists()


def test_another_organizations_partner_is_refused_and_their_openings_unseen(owner_api, org, other_org):
    theirs = partner_create(organization=other_org, actor=None, role=PartnerRole.CUSTOMER, data={"name": "别家"})
    r = owner_api._call(
        "put", "/opening-balances", {"rows": [{"account_code": "1122", "partner_id": theirs.pk, "balance": "5"}]}
    )
    assert r.status_code == 422
    assert [e["field"] for e in r.json()["errors"]] == ["rows.1.partner"]
    assert not OpeningBalance.objects.exists()
    opening_balances_save(organization=other_org, actor=None, rows=[{"account": "1001", "balance": "99"}])
    assert owner_api.get("/opening-balances").json()["rows"] == []
    assert D(owner_api.get("/opening-balances/check").json()["debit"]) == 0


@pytest.mark.parametrize("role", ["sales", "service", "finance", "owner"])
def test_api_follows_the_roles(role, org, api_as, customer):
    granted = ROLE_PERMISSIONS[role]
    view, manage, reopen = (p in granted for p in (P.VIEW_LEDGER, P.MANAGE_ACCOUNTS, P.REOPEN_PERIOD))
    client = api_as(role)
    for path in ("/books", "/opening-balances", "/opening-balances/check"):
        assert client.get(path).status_code == (200 if view else 403), path
    books = {"start": "2026-01", "voucher_words": ["记"]}
    assert client._call("put", "/books", books).status_code == (200 if manage else 403)
    assert client._call("put", "/opening-balances", balanced(customer)).status_code == (200 if manage else 403)
    assert OpeningBalance.objects.filter(organization=org).exists() == manage
    assert client.post("/opening-balances/accept", {}).status_code == (200 if manage else 403)
    assert client.post("/opening-balances/unaccept", {}).status_code == (200 if reopen else 403)
