import io

import pytest
from django.test import Client
from openpyxl import load_workbook

from suanpan.accounting.models import Voucher

pytestmark = pytest.mark.django_db


def grid(acc, customer, credit="100.00"):
    return {
        "date": "2026-11-05",
        "word": "记",
        "attachments": "1",
        "notes": "",
        "lines-0-summary": "销售",
        "lines-0-account": str(acc("1122").pk),
        "lines-0-partner": str(customer.pk),
        "lines-0-debit": "113.00",
        "lines-0-credit": "",
        "lines-1-summary": "销售",
        "lines-1-account": str(acc("5001").pk),
        "lines-1-partner": "",
        "lines-1-debit": "",
        "lines-1-credit": credit,
        "lines-2-summary": "销项",
        "lines-2-account": str(acc("22210107").pk),
        "lines-2-partner": "",
        "lines-2-debit": "",
        "lines-2-credit": "13.00",
        "lines-3-summary": "",
        "lines-3-account": "",
        "lines-3-partner": "",
        "lines-3-debit": "",
        "lines-3-credit": "",
    }


def login(user):
    client = Client()
    client.force_login(user)
    return client


def test_enter_review_post_through_the_pages(acc, customer, accountant, reviewer):
    maker, checker = login(accountant), login(reviewer)
    form = maker.get("/accounting/vouchers/new/")
    assert form.status_code == 200
    assert 'id="account-options"' in form.content.decode()
    r = maker.post("/accounting/vouchers/new/", grid(acc, customer))
    assert r.status_code == 302, r.content.decode()[:2000]
    voucher = Voucher.objects.get()
    assert voucher.lines.count() == 3
    page = checker.get(r["Location"]).content.decode()
    assert 'id="review"' in page
    assert checker.post(f"/accounting/vouchers/{voucher.pk}/review/").status_code == 302
    assert checker.post(f"/accounting/vouchers/{voucher.pk}/post/").status_code == 302
    voucher.refresh_from_db()
    assert (voucher.status, voucher.display_number) == ("posted", "记-0001")
    listing = maker.get("/accounting/vouchers/", {"period": "2026-11"}).content.decode()
    assert "记-0001" in listing
    tb = maker.get("/accounting/trial-balance/", {"start": "2026-11", "end": "2026-11"})
    assert 'id="tb-status"' in tb.content.decode()
    assert tb.context["tb"].balanced
    export = maker.get("/accounting/trial-balance/", {"start": "2026-11", "end": "2026-11", "export": "xlsx"})
    rows = list(load_workbook(io.BytesIO(export.content)).worksheets[0].iter_rows(values_only=True))
    assert rows[-1][4] == rows[-1][5]
    ledger = maker.get(f"/accounting/accounts/{acc('1122').pk}/ledger/", {"start": "2026-11", "end": "2026-11"})
    assert "记-0001" in ledger.content.decode()


def test_errors_are_shown_and_the_grid_is_kept(acc, customer, accountant):
    r = login(accountant).post("/accounting/vouchers/new/", grid(acc, customer, credit="90.00"))
    assert r.status_code == 422
    html = r.content.decode()
    assert 'id="voucher-errors"' in html
    assert 'data-field="lines"' in html
    assert 'value="90.00"' in html
    assert not Voucher.objects.exists()


def test_maker_cannot_review_own_voucher_in_the_ui(acc, customer, accountant):
    maker = login(accountant)
    maker.post("/accounting/vouchers/new/", grid(acc, customer))
    voucher = Voucher.objects.get()
    r = maker.post(f"/accounting/vouchers/{voucher.pk}/review/", follow=True)
    assert [m.level_tag for m in r.context["messages"]][-1] == "error"
    voucher.refresh_from_db()
    assert voucher.status == "draft"


def test_sales_cannot_open_the_books(client_as):
    sales = client_as("sales")
    assert sales.get("/accounting/vouchers/").status_code == 403
    assert sales.get("/accounting/trial-balance/").status_code == 403
    assert sales.post("/accounting/vouchers/new/", {}).status_code == 403
