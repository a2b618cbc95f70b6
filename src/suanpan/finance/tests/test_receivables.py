"""Receivables reads and reports, worked out by hand: aging, the customer statement (page, PDF, Excel), the overdue
reminders (notifications and e-mail, once per item per day); the pages and the API, and who may use them."""

import datetime
import subprocess
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone
from tests import receivable_resources as rr
from tests.resources import make_customer, make_supplier, owner_of, xlsx_rows

from suanpan.core.choices import Role
from suanpan.core.exceptions import InvalidInput, NotFound
from suanpan.core.models import Notification
from suanpan.core.permissions import ROLE_PERMISSIONS, P
from suanpan.core.services import membership_add
from suanpan.finance import receipts, receivables, selectors, tasks
from suanpan.finance.choices import OpenItemKind
from suanpan.finance.models import OpenItem, Payment
from suanpan.partners.choices import PartnerRole
from suanpan.partners.services import partner_create
from suanpan.verify import verify_organization

pytestmark = pytest.mark.django_db
D = Decimal
TODAY = timezone.localdate


def days(n):
    return TODAY() + datetime.timedelta(days=n)


def assert_clean(org):
    assert {r.check: r.differences for r in verify_organization(org) if r.differences} == {}


def receive(org, amount, customer=None, **data):
    return receipts.receipt_post(
        organization=org,
        actor=owner_of(org),
        data={
            "customer_id": (customer or rr.customer(org)).pk,
            "date": data.pop("date", TODAY()),
            "account_id": rr.bank(org).pk,
            "amount": amount,
            **data,
        },
    )


def pdf_text(content: bytes) -> str:
    done = subprocess.run(["pdftotext", "-layout", "-", "-"], input=content, capture_output=True, check=True)  # noqa: S607
    return done.stdout.decode()


# --- Aging ---------------------------------------------------------------------------------------------------


def test_aging_by_hand(org):
    other = make_customer(org, "乙客户")
    rr.make_invoice(org, "100.00", due=days(95))  # 5 days overdue on day 100
    rr.make_invoice(org, "200.00", due=days(40))  # 60 days
    rr.make_invoice(org, "300.00", due=days(100))  # due that day: not overdue
    rr.make_invoice(org, "400.00", due=days(0))  # 100 days
    rr.make_invoice(org, "-30.00", due=days(95))  # a credit note, 5 days
    rr.make_invoice(org, "50.00", partner=other, due=days(61))  # 39 days
    paid = rr.make_invoice(org, "80.00", due=days(0))
    receive(org, "80.00", allocations=[{"item_id": paid.pk, "amount": "80.00"}])

    aging = receivables.receivables_aging(organization=org, on=days(100))
    assert aging.labels == ["0-30", "31-60", "61-90", "90+"]
    mine = rr.customer(org)
    assert [(r.partner_id, r.not_due, r.buckets, r.total) for r in aging.rows] == [
        (other.pk, D("0"), [D("0"), D("50.00"), D("0"), D("0")], D("50.00")),
        (mine.pk, D("300.00"), [D("70.00"), D("200.00"), D("0"), D("400.00")], D("970.00")),
    ]
    assert aging.rows[0].partner == f"{other.code} 乙客户"
    assert (aging.totals.not_due, aging.totals.buckets, aging.totals.total) == (
        D("300.00"),
        [D("70.00"), D("250.00"), D("0"), D("400.00")],
        D("1020.00"),
    )
    custom = receivables.receivables_aging(organization=org, on=days(100), bounds=(45,))
    assert custom.labels == ["0-45", "45+"]
    row = next(r for r in custom.rows if r.partner_id == mine.pk)
    assert (row.not_due, row.buckets) == (D("300.00"), [D("70.00"), D("600.00")])
    # Payables are not receivables: the payables aging of the same organization is empty.
    assert selectors.payables_aging(organization=org, on=days(100)).rows == []
    assert_clean(org)


# --- The customer statement ----------------------------------------------------------------------------------


@pytest.fixture
def statement_story(org):
    """Before the range: invoice 100.00, receipt 40.00 (opening 60.00). In the range (day 5 to 30): invoice 50.00,
    credit note −20.00, receipt 30.00, receipt 100.00 (60.00 settles, 40.00 advance), invoice 25.00, and the
    advance applied to it (no line). After the range: invoice 70.00."""
    rr.make_invoice(org, "100.00", day=days(0))
    receive(org, "40.00", date=days(1))
    rr.make_invoice(org, "50.00", day=days(10))
    rr.make_invoice(org, "-20.00", day=days(12))
    receive(org, "30.00", date=days(15), reference="网银 0815")
    big = receive(org, "100.00", date=days(20), advance=True)
    assert big.advance == D("40.00")
    rr.make_invoice(org, "25.00", day=days(22))
    receipts.advance_receipt_apply(
        organization=org, actor=owner_of(org), customer_id=rr.customer(org).pk, date=days(25)
    )
    customer = rr.customer(org)
    owed = selectors.open_total(organization=org, kind=OpenItemKind.RECEIVABLE, partner_id=customer.pk)
    ahead = selectors.open_total(organization=org, kind=OpenItemKind.ADVANCE_RECEIPT, partner_id=customer.pk)
    assert owed - ahead == D("-15.00")  # what the closing balance must be
    rr.make_invoice(org, "70.00", day=days(31))
    return customer


def test_statement_by_hand(org, statement_story):
    s = receivables.customer_statement(organization=org, customer_id=statement_story.pk, start=days(5), end=days(30))
    assert s.opening == D("60.00")
    assert [(ln.date, ln.kind, ln.debit, ln.credit, ln.balance) for ln in s.lines] == [
        (days(10), "Invoice", D("50.00"), D("0"), D("110.00")),
        (days(12), "Credit note", D("0"), D("20.00"), D("90.00")),
        (days(15), "Receipt", D("0"), D("30.00"), D("60.00")),
        (days(20), "Receipt", D("0"), D("100.00"), D("-40.00")),
        (days(22), "Invoice", D("25.00"), D("0"), D("-15.00")),
    ]
    assert s.lines[0].note == f"due {days(40).isoformat()}"
    assert s.lines[2].note == "网银 0815"
    assert (s.debit, s.credit, s.closing) == (D("75.00"), D("150.00"), D("-15.00"))
    whole = receivables.customer_statement(
        organization=org, customer_id=statement_story.pk, start=days(0), end=days(40)
    )
    assert (whole.opening, len(whole.lines), whole.closing) == (D("0"), 8, D("55.00"))
    assert_clean(org)


def test_statement_refusals(org, other_org):
    customer = rr.customer(org)
    with pytest.raises(InvalidInput) as exc:
        receivables.customer_statement(organization=org, customer_id=customer.pk, start=days(2), end=days(1))
    assert exc.value.errors[0].field == "end"
    for partner in (make_customer(other_org), make_supplier(org)):
        with pytest.raises(NotFound):
            receivables.customer_statement(organization=org, customer_id=partner.pk, start=days(0), end=days(1))


def test_statement_page_pdf_and_excel(org, owner_client, statement_story):
    params = {"customer": statement_story.pk, "start": days(5).isoformat(), "end": days(30).isoformat()}
    page = owner_client.get("/finance/receivables/statement/", params)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="opening">60.00<' in html
    assert 'id="closing">-15.00<' in html
    assert "网银 0815" in html
    pdf = owner_client.get("/finance/receivables/statement/", {**params, "export": "pdf"})
    assert pdf["Content-Type"] == "application/pdf"
    text = pdf_text(pdf.content)
    assert "应收客户" in text
    assert "-15.00" in text
    assert "网银 0815" in text
    rows = xlsx_rows(owner_client.get("/finance/receivables/statement/", {**params, "export": "xlsx"}).content)
    assert [D(str(r[6])) for r in rows[1:]] == [D(n) for n in ("60", "110", "90", "60", "-40", "-15", "-15")]
    assert owner_client.get("/finance/receivables/statement/").status_code == 200  # the form alone
    bad = owner_client.get("/finance/receivables/statement/", {**params, "end": days(1).isoformat()})
    assert bad.status_code == 200
    assert 'id="statement"' not in bad.content.decode()


def test_statement_page_of_another_organizations_customer_is_404(org, other_org, owner_client):
    theirs = make_customer(other_org, "别家客户")
    assert owner_client.get("/finance/receivables/statement/", {"customer": theirs.pk}).status_code == 404


# --- Overdue reminders ---------------------------------------------------------------------------------------


@pytest.fixture
def people(org, make_user):
    rep = make_user("rep", email="rep@example.com")
    other_rep = make_user("rep2", email="rep2@example.com")
    accountant = make_user("accountant", email="acc@example.com")
    membership_add(organization=org, actor=None, user=rep, roles=["sales"])
    membership_add(organization=org, actor=None, user=other_rep, roles=["sales"])
    membership_add(organization=org, actor=None, user=accountant, roles=["finance"])
    customer = partner_create(
        organization=org, actor=None, role=PartnerRole.CUSTOMER, data={"name": "有主客户", "owner": rep}
    )
    return rep, accountant, customer


def test_overdue_reminders_once_per_item_per_day(org, people, django_capture_on_commit_callbacks):
    _rep, _accountant, customer = people
    overdue = rr.make_invoice(org, "100.00", partner=customer, due=days(5))
    settled = rr.make_invoice(org, "40.00", partner=customer, due=days(5))
    rr.make_invoice(org, "60.00", partner=customer, due=days(30))  # not due yet on day 10
    receive(org, "40.00", customer=customer, allocations=[{"item_id": settled.pk, "amount": "40.00"}])

    with django_capture_on_commit_callbacks(execute=True):
        assert receivables.overdue_reminders_send(organization=org, on=days(10)) == 1

    def sent():
        return Notification.objects.filter(organization=org, kind=receivables.REMINDER_KIND)

    assert sorted(n.user.username for n in sent()) == ["accountant", "boss", "rep"]  # not the other rep
    note = sent().first()
    assert note.title == f"有主客户: {overdue.source_label} is 5 days overdue"
    assert note.body == f"Open 100.00 of 100.00, due {days(5).isoformat()}."
    assert note.link == f"/finance/receivables/?customer={customer.pk}&overdue=1"
    assert note.key == f"{days(10).isoformat()}:{overdue.pk}"
    assert len(mail.outbox) == 1  # the owner has no address
    assert sorted(mail.outbox[0].to) == ["acc@example.com", "rep@example.com"]
    assert overdue.source_label in mail.outbox[0].subject

    with django_capture_on_commit_callbacks(execute=True):
        assert receivables.overdue_reminders_send(organization=org, on=days(10)) == 0  # again that day: nothing
    assert (sent().count(), len(mail.outbox)) == (3, 1)

    with django_capture_on_commit_callbacks(execute=True):
        assert receivables.overdue_reminders_send(organization=org, on=days(11)) == 1  # the next morning
    assert (sent().count(), len(mail.outbox)) == (6, 2)

    receive(org, "100.00", customer=customer, allocations=[{"item_id": overdue.pk, "amount": "100.00"}])
    assert receivables.overdue_reminders_send(organization=org, on=days(12)) == 0  # paid: no more reminders


def test_the_morning_task(org, people, django_capture_on_commit_callbacks):
    _rep, _accountant, customer = people
    rr.make_invoice(org, "100.00", partner=customer, due=days(-3))  # due on delivery, three days ago
    with django_capture_on_commit_callbacks(execute=True):
        tasks.overdue_reminders_task()
        tasks.overdue_reminders_task(org.pk)
    assert Notification.objects.filter(kind=receivables.REMINDER_KIND).count() == 3
    assert len(mail.outbox) == 1
    assert "3 days overdue" in mail.outbox[0].subject
    morning = tasks.overdue_reminders_periodic.s()
    assert morning.validate_datetime(datetime.datetime(2026, 11, 27, 8, 0))  # noqa: DTZ001  # huey compares naive
    assert not morning.validate_datetime(datetime.datetime(2026, 11, 27, 9, 0))  # noqa: DTZ001


# --- Pages ---------------------------------------------------------------------------------------------------


def test_open_receivables_page_filters(org, owner_client):
    other = make_customer(org, "乙客户")
    late = rr.make_invoice(org, "100.00", due=days(-1))
    rr.make_invoice(org, "60.00", due=days(30))
    rr.make_invoice(org, "7.00", partner=other)
    page = owner_client.get("/finance/receivables/").content.decode()
    assert 'id="open-total">167.00<' in page
    overdue = owner_client.get("/finance/receivables/", {"overdue": "1"}).content.decode()
    assert late.source_label in overdue
    assert 'id="open-total">100.00<' in overdue
    theirs = owner_client.get("/finance/receivables/", {"customer": other.pk}).content.decode()
    assert 'id="open-total">7.00<' in theirs


def test_receipt_pages(org, owner_client):
    customer = rr.customer(org)
    first = rr.make_invoice(org, "100.00", due=days(10))
    second = rr.make_invoice(org, "50.00", due=days(20))
    page = owner_client.get("/finance/receipts/new/", {"customer": customer.pk})
    assert page.status_code == 200
    html = page.content.decode()
    assert f'name="pick-{first.pk}"' in html
    assert f'name="alloc-{second.pk}"' in html
    partial = owner_client.get("/finance/receipts/new/", {"customer_id": customer.pk}, headers={"HX-Request": "true"})
    assert partial.content.decode().lstrip().startswith('<div id="open-items">')
    form = {
        "customer_id": customer.pk,
        "date": TODAY().isoformat(),
        "account_id": rr.bank(org).pk,
        "amount": "60.00",
        "cash_flow_item": "1",
        f"pick-{second.pk}": "1",
    }
    refused = owner_client.post("/finance/receipts/new/", form)  # 50.00 chosen, 60.00 received, no advance
    assert refused.status_code == 422
    assert "预收" in refused.content.decode()
    assert not Payment.objects.exists()
    too_much = owner_client.post("/finance/receipts/new/", {**form, f"alloc-{second.pk}": "55.00"})
    assert too_much.status_code == 422
    assert not Payment.objects.exists()
    done = owner_client.post("/finance/receipts/new/", {**form, "advance": "on"})
    assert done.status_code == 302
    receipt = Payment.objects.get()
    assert done["Location"] == f"/finance/receipts/{receipt.pk}/"
    assert [(a.item_id, a.amount) for a in receipt.allocations.all()] == [(second.pk, D("50.00"))]
    assert receipt.advance == D("10.00")
    oldest = owner_client.post("/finance/receipts/new/", {**form, "amount": "30.00", f"pick-{second.pk}": ""})
    assert oldest.status_code == 302
    assert [(a.item_id, a.amount) for a in Payment.objects.order_by("id").last().allocations.all()] == [
        (first.pk, D("30.00"))
    ]
    detail = owner_client.get(f"/finance/receipts/{receipt.pk}/").content.decode()
    assert receipt.number in detail
    assert second.source_label in detail
    assert owner_client.get(f"/finance/payments/{receipt.pk}/").status_code == 404
    listing = owner_client.get("/finance/receipts/").content.decode()
    assert receipt.number in listing
    rows = xlsx_rows(owner_client.get("/finance/receipts/", {"export": "xlsx"}).content)
    assert len(rows) == 3
    applied = owner_client.post("/finance/receipts/apply-advances/", {"customer": customer.pk})
    assert applied.status_code == 302
    assert Payment.objects.count() == 3
    assert selectors.open_total(organization=org, kind=OpenItemKind.ADVANCE_RECEIPT) == D("0")
    nothing = owner_client.post("/finance/receipts/apply-advances/", {"customer": customer.pk})
    assert nothing["Location"] == f"/finance/receivables/?customer={customer.pk}"
    assert_clean(org)


def test_aging_page(org, owner_client):
    rr.make_invoice(org, "100.00", due=days(-1))
    page = owner_client.get("/finance/receivables/aging/", {"buckets": "15,45"})
    assert page.status_code == 200
    html = page.content.decode()
    assert "应收客户" in html
    assert "45+" in html
    assert owner_client.get("/finance/receivables/aging/", {"buckets": "x"}).status_code == 200
    rows = xlsx_rows(owner_client.get("/finance/receivables/aging/", {"export": "xlsx"}).content)
    assert rows[1][0] == str(rr.customer(org))
    assert Decimal(str(rows[1][2])) == D("100")  # overdue by a day: the first bucket


# --- API -----------------------------------------------------------------------------------------------------


def test_api(org, other_org, owner_api):
    customer = rr.customer(org)
    item = rr.make_invoice(org, "38.42", due=days(-2))
    r = owner_api.get("/receivables", {"customer": customer.pk, "overdue": "true"})
    assert r.status_code == 200
    assert [(i["source_label"], i["open_amount"]) for i in r.json()["items"]] == [(item.source_label, "38.42")]
    body = rr.receipt_payload(org, amount="50.00", advance=False)
    r = owner_api.post("/receipts", body)
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "amount"
    r = owner_api.post("/receipts", {**body, "amount": "50.001"})
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "amount"
    r = owner_api.post("/receipts", {**body, "allocations": [{"item_id": item.pk, "amount": "40.00"}]})
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "allocations.0.amount"
    assert not Payment.objects.exists()
    r = owner_api.post("/receipts", {**body, "advance": True})
    assert r.status_code == 201, r.content
    receipt = r.json()
    assert (receipt["customer_id"], receipt["advance"], receipt["allocations"][0]["amount"]) == (
        customer.pk,
        "11.58",
        "38.42",
    )
    assert owner_api.get(f"/receipts/{receipt['id']}").json()["number"] == receipt["number"]
    assert owner_api.get(f"/payments/{receipt['id']}").status_code == 404
    assert [x["id"] for x in owner_api.get("/receipts", {"customer": customer.pk}).json()["items"]] == [receipt["id"]]
    assert owner_api.get("/payments").json()["count"] == 0
    advances = owner_api.get("/receivables", {"kind": "advance_receipt"}).json()["items"]
    assert [a["open_amount"] for a in advances] == ["11.58"]
    apply = {"customer_id": customer.pk, "date": TODAY().isoformat()}
    assert owner_api.post("/advance-receipts/apply", apply).status_code == 409  # nothing open to apply it to
    rr.make_invoice(org, "20.00")
    r = owner_api.post("/advance-receipts/apply", apply)
    assert r.status_code == 201
    assert r.json()["kind"] == "advance_receipt_application"
    aging = owner_api.get("/receivables-aging", {"buckets": "30,60"}).json()
    assert aging["labels"] == ["0-30", "31-60", "60+"]
    assert aging["totals"]["total"] == "8.42"
    assert owner_api.get("/receivables-aging", {"buckets": "60,30"}).status_code == 422
    statement = owner_api.get(f"/customers/{customer.pk}/statement", {"start": TODAY().isoformat()}).json()
    assert (statement["opening"], statement["closing"], len(statement["lines"])) == ("0.00", "8.42", 3)
    bad_range = {"start": days(2).isoformat(), "end": days(1).isoformat()}
    assert owner_api.get(f"/customers/{customer.pk}/statement", bad_range).status_code == 422
    theirs = rr.make_receipt(other_org)
    assert owner_api.get(f"/receipts/{theirs.pk}").status_code == 404
    assert owner_api.get(f"/customers/{theirs.partner_id}/statement").status_code == 404
    r = owner_api.post("/receipts", {**body, "customer_id": theirs.partner_id})
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "customer_id"
    assert_clean(org)


# --- Who may do what -----------------------------------------------------------------------------------------


def test_business_expectations():
    """Finance takes the money in; a sales rep sees what their customers owe but receives nothing."""
    assert {P.VIEW_RECEIVABLE, P.RECEIVE_PAYMENT} <= ROLE_PERMISSIONS[Role.FINANCE]
    assert P.VIEW_RECEIVABLE in ROLE_PERMISSIONS[Role.SALES]
    assert P.RECEIVE_PAYMENT not in ROLE_PERMISSIONS[Role.SALES]
    for role in (Role.WAREHOUSE, Role.PURCHASING, Role.SERVICE, Role.MARKETING):
        assert not {P.VIEW_RECEIVABLE, P.RECEIVE_PAYMENT} & ROLE_PERMISSIONS[role], role


@pytest.mark.parametrize("role", list(Role.values))
def test_pages_and_api_follow_the_roles(role, org, client_as, api_as):
    view, receive_money = (p in ROLE_PERMISSIONS[role] for p in (P.VIEW_RECEIVABLE, P.RECEIVE_PAYMENT))
    customer = rr.customer(org)
    rr.make_invoice(org, "10.00")
    receipt = rr.make_receipt(org)  # 5.00 of the 10.00 settled
    client, api = client_as(role), api_as(role)

    for page in (
        "/finance/receivables/",
        "/finance/receivables/aging/",
        f"/finance/receivables/statement/?customer={customer.pk}",
        "/finance/receipts/",
        f"/finance/receipts/{receipt.pk}/",
    ):
        assert client.get(page).status_code == (200 if view else 403), page
    assert client.get("/finance/receipts/new/").status_code == (200 if receive_money else 403)
    form = {
        "customer_id": customer.pk,
        "date": TODAY().isoformat(),
        "account_id": rr.bank(org).pk,
        "amount": "1.00",
        "cash_flow_item": "1",
    }
    assert client.post("/finance/receipts/new/", form).status_code == (302 if receive_money else 403)  # 4.00 open
    applied = client.post("/finance/receipts/apply-advances/", {"customer": customer.pk})  # no advance: a message
    assert applied.status_code == (302 if receive_money else 403)

    for path in ("/receivables", "/receipts", f"/receipts/{receipt.pk}", "/receivables-aging"):
        assert api.get(path).status_code == (200 if view else 403), path
    assert api.get(f"/customers/{customer.pk}/statement").status_code == (200 if view else 403)
    # 5.00: 4.00 settles the invoice, 1.00 is an advance with nothing left to apply it to
    assert api.post("/receipts", rr.receipt_payload(org)).status_code == (201 if receive_money else 403)
    apply = {"customer_id": customer.pk, "date": TODAY().isoformat()}
    assert api.post("/advance-receipts/apply", apply).status_code == (409 if receive_money else 403)
    assert Payment.objects.count() == (3 if receive_money else 1)
    assert OpenItem.objects.filter(kind=OpenItemKind.ADVANCE_RECEIPT).count() == (1 if receive_money else 0)
    owed = selectors.open_total(organization=org, kind=OpenItemKind.RECEIVABLE)
    assert owed == (D("0") if receive_money else D("5.00"))
