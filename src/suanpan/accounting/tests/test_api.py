import pytest

from suanpan.accounting.models import Voucher

pytestmark = pytest.mark.django_db


def lines(acc, customer):
    return [
        {"summary": "销售", "account_id": acc("1122").pk, "debit": "113.00", "partner_id": customer.pk},
        {"summary": "销售", "account_id": acc("5001").pk, "credit": "100.00"},
        {"summary": "销项税额", "account_id": acc("22210107").pk, "credit": "13.00"},
    ]


def test_voucher_workflow_through_the_api(org, acc, customer, api_as):
    maker, checker = api_as("finance"), api_as("finance")
    r = maker.post("/vouchers", {"date": "2026-11-05", "attachments": 1, "lines": lines(acc, customer)})
    assert r.status_code == 201, r.content
    body = r.json()
    assert (body["status"], body["number"], body["total_debit"]) == ("draft", None, "113.00")
    vid = body["id"]
    assert maker.post(f"/vouchers/{vid}/review", {}).status_code == 409  # the maker may not review
    assert checker.post(f"/vouchers/{vid}/review", {}).json()["status"] == "reviewed"
    posted = checker.post(f"/vouchers/{vid}/post", {}).json()
    assert (posted["status"], posted["display_number"]) == ("posted", "记-0001")
    assert maker.delete(f"/vouchers/{vid}").status_code == 409
    red = maker.post(f"/vouchers/{vid}/reverse", {"date": "2026-11-06"})
    assert red.status_code == 201
    assert red.json()["reverses_id"] == vid
    assert [ln["debit"] for ln in red.json()["lines"]] == ["-113.00", "0.00", "0.00"]
    tb = maker.get("/trial-balance", {"start": "2026-11", "end": "2026-11"}).json()
    assert tb["balanced"] is True
    assert {r["code"]: r["closing_debit"] for r in tb["rows"]}["1122"] == "113.00"
    assert [v["id"] for v in maker.get("/vouchers", {"status": "posted"}).json()["items"]] == [vid]


def test_bad_vouchers_name_the_line_and_field(org, acc, customer, api_as):
    client = api_as("finance")
    bad = lines(acc, customer)
    bad[1]["credit"] = "99.00"
    r = client.post("/vouchers", {"date": "2026-11-05", "lines": bad})
    assert r.status_code == 422
    assert [e["field"] for e in r.json()["errors"]] == ["lines"]
    bad = lines(acc, customer)
    del bad[0]["partner_id"]
    r = client.post("/vouchers", {"date": "2026-11-05", "lines": bad})
    assert [e["field"] for e in r.json()["errors"]] == ["lines.1.partner"]
    r = client.post("/vouchers", {"date": "2026-11-05", "lines": lines(acc, customer)[:1]})
    assert r.status_code == 422
    assert not Voucher.objects.exists()


def test_vouchers_of_another_organization_are_404(org, other_org, acc, customer, api_as):
    mine = api_as("finance")
    vid = mine.post("/vouchers", {"date": "2026-11-05", "lines": lines(acc, customer)}).json()["id"]
    theirs = api_as("owner", organization=other_org)
    for call in (
        lambda: theirs.get(f"/vouchers/{vid}"),
        lambda: theirs.delete(f"/vouchers/{vid}"),
        lambda: theirs.post(f"/vouchers/{vid}/review", {}),
        lambda: theirs.post(f"/vouchers/{vid}/post", {}),
        lambda: theirs.post(f"/vouchers/{vid}/reverse", {}),
    ):
        assert call().status_code == 404
    assert theirs.get("/vouchers").json()["count"] == 0
    assert Voucher.objects.get(pk=vid).status == "draft"


def test_ledger_is_for_finance_only(api_as):
    assert api_as("sales").get("/vouchers").status_code == 403
    assert api_as("sales").get("/accounts").status_code == 403
    assert api_as("finance").get("/accounts", {"q": "yhck"}).json()["items"][0]["code"] == "1002"
