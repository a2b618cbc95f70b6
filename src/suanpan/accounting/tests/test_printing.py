"""The printed 记账凭证: real PDFs, read back with pdftotext."""

import datetime
from decimal import Decimal

import pytest
from tests.resources import make_voucher

from suanpan.accounting import printing
from suanpan.accounting.services import voucher_create, voucher_post, voucher_review
from suanpan.accounting.tests.test_ledgers import pdf_text
from suanpan.core.exceptions import InvalidInput, NotFound

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 11, 5)


@pytest.fixture
def people(member):
    from django.contrib.auth import get_user_model

    maker, checker = member("finance"), member("finance")
    get_user_model().objects.filter(pk=maker.pk).update(first_name="张会计")
    get_user_model().objects.filter(pk=checker.pk).update(first_name="李主管")
    maker.refresh_from_db()
    checker.refresh_from_db()
    return maker, checker


def sale(org, acc, customer, maker, checker, post=True):
    voucher = voucher_create(
        organization=org,
        actor=maker,
        date=DAY,
        attachments=2,
        lines=[
            {"summary": "销售 A4复印纸", "account": acc("1122"), "debit": "1130.00", "partner": customer},
            {"summary": "销售 A4复印纸", "account": acc("5001"), "credit": "1000.00"},
            {"summary": "销项税额", "account": acc("22210107"), "credit": "130.00"},
        ],
    )
    if post:
        voucher_review(organization=org, actor=checker, voucher_id=voucher.pk)
        voucher_post(organization=org, actor=checker, voucher_id=voucher.pk)
    voucher.refresh_from_db()
    return voucher


def one_line(text):
    return " ".join(text.split())


def test_a_voucher_prints_in_the_usual_layout(org, acc, customer, people, owner_client):
    voucher = sale(org, acc, customer, *people)
    r = owner_client.get(f"/accounting/vouchers/{voucher.pk}/print/")
    assert r.status_code == 200
    assert r["Content-Type"] == "application/pdf"
    text = one_line(pdf_text(r.content))
    for expected in (
        "记账凭证",
        "测试贸易有限公司",
        "凭证字号：记-0001",
        "日期：2026年11月5日",
        "附单据 2 张",
        "第 1/1 张",
        "摘要",
        "会计科目",
        "借方金额",
        "贷方金额",
        "22210107 应交税费-应交增值税-销项税额",
        "1122 应收账款",
        "北京星河科技有限公司",
        "人民币壹仟壹佰叁拾元整",
        "1,130.00",
        "记账：李主管",
        "审核：李主管",
        "制单：张会计",
    ):
        assert expected in text, expected


def test_a_long_voucher_continues_on_further_sheets(org, acc, people):
    maker, _checker = people
    lines = [{"summary": f"费用{n}", "account": acc("560201"), "debit": f"{n}.10"} for n in range(1, 13)]
    total = sum(Decimal(f"{n}.10") for n in range(1, 13))  # 1 + … + 12 = 78, plus 12 × 0.10
    assert total == Decimal("79.20")
    lines.append({"summary": "付款", "account": acc("1002"), "credit": str(total)})
    voucher = voucher_create(organization=org, actor=maker, date=DAY, lines=lines)
    printed = printing.voucher_print(organization=org, pk=voucher.pk)
    assert [len(s.lines) for s in printed.sheets] == [6, 6, 1]
    assert [s.blanks for s in printed.sheets] == [0, 0, 5]
    first_six = sum(Decimal(f"{n}.10") for n in range(1, 7))
    assert printed.sheets[0].carried is None
    assert printed.sheets[1].carried == (first_six, Decimal("0"))
    assert (printed.sheets[-1].debit, printed.sheets[-1].credit) == (total, total)
    assert printed.total_words == "柒拾玖元贰角"
    assert printed.bookkeeper == ""  # not posted: nobody has booked it

    text = one_line(pdf_text(printing_pdf(org, [printed])))
    assert "第 1/3 张" in text
    assert "第 3/3 张" in text
    assert text.count("过次页") == 2
    assert text.count("承前页") == 2
    assert "人民币柒拾玖元贰角" in text
    assert "Not posted" in text


def printing_pdf(org, prints):
    from suanpan.core.pdf import render_pdf

    return render_pdf("accounting/pdf/vouchers.html", {"prints": prints})


def test_a_red_ink_total_reads_negative(org, acc, customer, people):
    from suanpan.accounting.services import voucher_reverse

    voucher = sale(org, acc, customer, *people)
    red = voucher_reverse(organization=org, actor=people[0], voucher_id=voucher.pk)
    printed = printing.voucher_print(organization=org, pk=red.pk)
    assert printed.total_words == "负壹仟壹佰叁拾元整"


def test_batch_print_of_a_period_and_of_ids(org, acc, customer, people, owner_client):
    first = sale(org, acc, customer, *people)
    second = sale(org, acc, customer, *people)
    draft = sale(org, acc, customer, *people, post=False)
    r = owner_client.get("/accounting/vouchers/print/", {"period": "2026-11"})
    assert r.status_code == 200
    text = one_line(pdf_text(r.content))
    assert text.count("记账凭证") == 3
    assert text.index("记-0001") < text.index("记-0002")
    posted_only = one_line(
        pdf_text(owner_client.get("/accounting/vouchers/print/", {"period": "2026-11", "status": "posted"}).content)
    )
    assert posted_only.count("记账凭证") == 2
    by_ids = one_line(
        pdf_text(owner_client.get("/accounting/vouchers/print/", {"ids": f"{second.pk},{draft.pk}"}).content)
    )
    assert by_ids.count("记账凭证") == 2
    assert "记-0002" in by_ids
    assert "记-0001" not in by_ids
    assert first.pk


def test_batch_print_refusals(org, other_org, owner_client):
    theirs = make_voucher(other_org, state="posted")
    mine = make_voucher(org)
    assert owner_client.get("/accounting/vouchers/print/", {"ids": f"{mine.pk},{theirs.pk}"}).status_code == 404
    assert owner_client.get(f"/accounting/vouchers/{theirs.pk}/print/").status_code == 404
    for params in ({"ids": "1,abc"}, {"period": "2026-99"}, {}):
        r = owner_client.get("/accounting/vouchers/print/", params)
        assert r.status_code == 302, params
    with pytest.raises(InvalidInput) as exc:
        printing.parse_ids("3,x")
    assert exc.value.errors[0].field == "ids"
    with pytest.raises(NotFound):
        printing.voucher_batch(organization=org, ids=[theirs.pk])
    with pytest.raises(NotFound):
        printing.voucher_prints(organization=org, vouchers=[theirs])


def test_print_buttons_on_the_voucher_pages(org, acc, customer, people, owner_client):
    voucher = sale(org, acc, customer, *people)
    detail = owner_client.get(f"/accounting/vouchers/{voucher.pk}/").content.decode()
    assert f'href="/accounting/vouchers/{voucher.pk}/print/"' in detail
    listing = owner_client.get("/accounting/vouchers/", {"period": "2026-11"}).content.decode()
    assert 'href="/accounting/vouchers/print/?period=2026-11"' in listing


def test_api_voucher_pdf(org, other_org, acc, customer, people, owner_api, api_as):
    voucher = sale(org, acc, customer, *people)
    r = owner_api.get(f"/vouchers/{voucher.pk}/pdf")
    assert r.status_code == 200
    assert r["Content-Type"] == "application/pdf"
    assert "记-0001" in pdf_text(r.content)
    theirs = make_voucher(other_org, state="posted")
    assert owner_api.get(f"/vouchers/{theirs.pk}/pdf").status_code == 404
    assert api_as("sales").get(f"/vouchers/{voucher.pk}/pdf").status_code == 403


def test_print_pages_need_view_ledger(org, client_as):
    voucher = make_voucher(org)
    sales = client_as("sales")
    assert sales.get(f"/accounting/vouchers/{voucher.pk}/print/").status_code == 403
    assert sales.get("/accounting/vouchers/print/", {"ids": str(voucher.pk)}).status_code == 403
    assert client_as("finance").get(f"/accounting/vouchers/{voucher.pk}/print/").status_code == 200
