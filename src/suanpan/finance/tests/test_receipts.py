"""Customer receipts and write-off (核销): oldest first, chosen, partial, credit notes netted, advance receipts and
applying them; the vouchers, allocations and open amounts they leave; refusals write nothing; verify stays clean.
Receivables are stand-in invoices (`tests.receivable_resources.make_invoice`): a posted 1122 voucher + open item."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone
from tests import receivable_resources as rr
from tests.resources import account, make_customer, make_supplier, owner_of

from suanpan.accounting.models import AccountBalance, Voucher
from suanpan.core.exceptions import DomainError, InvalidInput, PermissionRefused
from suanpan.finance import receipts, selectors, services
from suanpan.finance.checks import receivable_accounts_match_open_items
from suanpan.finance.choices import OpenItemKind, PaymentKind
from suanpan.finance.models import Allocation, OpenItem, Payment
from suanpan.verify import verify_organization

pytestmark = pytest.mark.django_db
D = Decimal
TODAY = timezone.localdate


def gl(org, code, partner=None):
    rows = AccountBalance.objects.filter(organization=org, account__code=code, partner=partner)
    return sum((r.debit - r.credit for r in rows), D("0"))


def assert_clean(org):
    assert {r.check: r.differences for r in verify_organization(org) if r.differences} == {}


def receive(org, amount, **data):
    return receipts.receipt_post(
        organization=org,
        actor=data.pop("actor", owner_of(org)),
        data={
            "customer_id": rr.customer(org).pk,
            "date": TODAY(),
            "account_id": rr.bank(org).pk,
            "amount": amount,
            **data,
        },
    )


def open_amount(org, item):
    return selectors.open_item_get(organization=org, pk=item.pk).open_amount


def lines(payment):
    voucher = Voucher.objects.get(pk=payment.voucher_id)
    return sorted(
        (ln.account.code, ln.debit, ln.credit, ln.partner_id, ln.cash_flow_item) for ln in voucher.lines.all()
    )


@pytest.fixture
def invoices(org):
    """Two receivables of the customer: 50.00 due in 20 days (entered first), 100.00 due in 10 days."""
    later = rr.make_invoice(org, "50.00", due=TODAY() + datetime.timedelta(days=20))
    sooner = rr.make_invoice(org, "100.00", due=TODAY() + datetime.timedelta(days=10))
    return sooner, later


def test_oldest_first_partial_then_the_rest(org, invoices):
    sooner, later = invoices
    customer = rr.customer(org)
    first = receive(org, "120.00")
    assert (first.kind, first.number[:2], first.amount, first.advance) == (
        PaymentKind.CUSTOMER_RECEIPT,
        "SK",
        D("120.00"),
        D("0"),
    )
    assert [(a.item_id, a.amount) for a in first.allocations.order_by("id")] == [
        (sooner.pk, D("100.00")),
        (later.pk, D("20.00")),
    ]
    assert (open_amount(org, sooner), open_amount(org, later)) == (D("0.00"), D("30.00"))
    assert lines(first) == [
        ("1002", D("120.00"), D("0"), None, "1"),
        ("1122", D("0"), D("120.00"), customer.pk, ""),
    ]
    voucher = Voucher.objects.get(pk=first.voucher_id)
    assert (voucher.source_type, voucher.source_id, voucher.status) == ("finance.receipt", first.pk, "posted")
    assert voucher.word in ("收", "记")
    assert (gl(org, "1122", customer), gl(org, "1002")) == (D("30.00"), D("120.00"))
    assert_clean(org)

    rest = receive(org, "30.00")
    assert [(a.item_id, a.amount) for a in rest.allocations.all()] == [(later.pk, D("30.00"))]
    assert gl(org, "1122", customer) == D("0")
    assert selectors.open_total(organization=org, kind=OpenItemKind.RECEIVABLE) == D("0")
    assert not OpenItem.objects.filter(kind=OpenItemKind.ADVANCE_RECEIPT).exists()
    assert_clean(org)


def test_chosen_items_partly(org, invoices):
    sooner, later = invoices
    payment = receive(
        org, "70.00", allocations=[{"item_id": later.pk, "amount": "50.00"}, {"item_id": sooner.pk, "amount": "20"}]
    )
    assert [(a.item_id, a.amount) for a in payment.allocations.order_by("id")] == [
        (later.pk, D("50.00")),
        (sooner.pk, D("20.00")),
    ]
    assert (open_amount(org, sooner), open_amount(org, later)) == (D("80.00"), D("0.00"))
    assert gl(org, "1122", rr.customer(org)) == D("80.00")
    assert_clean(org)


def test_chosen_items_and_the_rest_as_an_advance(org, invoices):
    _sooner, later = invoices
    customer = rr.customer(org)
    payment = receive(org, "80.00", allocations=[{"item_id": later.pk, "amount": "50.00"}], advance=True)
    assert (payment.amount, payment.advance) == (D("80.00"), D("30.00"))
    assert lines(payment) == [
        ("1002", D("80.00"), D("0"), None, "1"),
        ("1122", D("0"), D("50.00"), customer.pk, ""),
        ("2203", D("0"), D("30.00"), customer.pk, ""),
    ]
    advance = OpenItem.objects.get(kind=OpenItemKind.ADVANCE_RECEIPT)
    assert (advance.partner_id, advance.amount, advance.source_type, advance.source_id, advance.source_label) == (
        customer.pk,
        D("30.00"),
        "finance.receipt",
        payment.pk,
        payment.number,
    )
    assert gl(org, "2203", customer) == D("-30.00")
    assert_clean(org)


def test_credit_notes_are_netted_first(org):
    invoice = rr.make_invoice(org, "100.00")
    credit = rr.make_invoice(org, "-30.00")
    payment = receive(org, "70.00")
    assert sorted((a.item_id, a.amount) for a in payment.allocations.all()) == sorted(
        [(credit.pk, D("-30.00")), (invoice.pk, D("100.00"))]
    )
    assert lines(payment) == [
        ("1002", D("70.00"), D("0"), None, "1"),
        ("1122", D("0"), D("70.00"), rr.customer(org).pk, ""),
    ]
    assert (open_amount(org, invoice), open_amount(org, credit)) == (D("0.00"), D("0.00"))
    assert_clean(org)


def test_advance_receipt_applied_to_a_later_invoice(org):
    customer = rr.customer(org)
    advance = receive(org, "80.00", advance=True)
    assert (advance.amount, advance.advance, advance.allocations.count()) == (D("80.00"), D("80.00"), 0)
    assert lines(advance) == [("1002", D("80.00"), D("0"), None, "1"), ("2203", D("0"), D("80.00"), customer.pk, "")]
    with pytest.raises(DomainError, match="no advance receipt and open receivable"):
        receipts.advance_receipt_apply(organization=org, actor=owner_of(org), customer_id=customer.pk, date=TODAY())
    invoice = rr.make_invoice(org, "100.00")
    applied = receipts.advance_receipt_apply(
        organization=org, actor=owner_of(org), customer_id=customer.pk, date=TODAY()
    )
    assert (applied.kind, applied.account_id, applied.amount) == (PaymentKind.ADVANCE_RECEIPT_APPLICATION, None, D("0"))
    assert sorted((a.item.kind, a.amount) for a in applied.allocations.select_related("item")) == [
        ("advance_receipt", D("80.00")),
        ("receivable", D("80.00")),
    ]
    assert lines(applied) == [
        ("1122", D("0"), D("80.00"), customer.pk, ""),
        ("2203", D("80.00"), D("0"), customer.pk, ""),
    ]
    assert Voucher.objects.get(pk=applied.voucher_id).word in ("转", "记")
    assert (gl(org, "2203", customer), gl(org, "1122", customer)) == (D("0"), D("20.00"))
    assert open_amount(org, invoice) == D("20.00")
    assert selectors.open_total(organization=org, kind=OpenItemKind.ADVANCE_RECEIPT) == D("0")
    assert_clean(org)


def test_receipts_are_not_supplier_payments(org, invoices):
    receipt = receive(org, "10.00")
    payment_list = selectors.payment_list(organization=org)
    assert not payment_list.filter(pk=receipt.pk).exists()
    with pytest.raises(Exception, match="not found"):
        selectors.payment_get(organization=org, pk=receipt.pk)
    with pytest.raises(InvalidInput) as exc:  # a customer is not paid through the payables
        services.payment_create(
            organization=org,
            actor=owner_of(org),
            partner_id=rr.customer(org).pk,
            date=TODAY(),
            account_id=rr.bank(org).pk,
            amount=D("1"),
        )
    assert exc.value.errors[0].field == "partner"


def test_refusals_write_nothing(org, other_org, invoices, member):
    sooner, _later = invoices
    theirs = rr.make_invoice(other_org, "10.00")
    before = (Payment.objects.count(), Allocation.objects.count(), Voucher.objects.count(), OpenItem.objects.count())
    supplier = make_supplier(org)
    cases = [
        ({"customer_id": None}, "customer_id", "No such"),
        ({"customer_id": make_customer(other_org).pk}, "customer_id", "No such"),
        ({"customer_id": supplier.pk}, "customer_id", "not a customer"),
        ({"date": "2026-01-01"}, "date", "valid date"),
        ({"account_id": account(org, "5001").pk}, "account_id", "cash or bank"),
        ({"account_id": account(other_org, "1002").pk}, "account_id", "No such"),
        ({"amount": "10.001"}, "amount", "2 decimal places"),
        ({"amount": "0"}, "amount", "more than zero"),
        ({"amount": "-5"}, "amount", "more than zero"),
        ({"amount": "abc"}, "amount", "Enter a number"),
        ({"amount": 10.5}, "amount", "Enter a number"),
        ({"amount": "1000.00"}, "amount", "advance receipt"),  # 150.00 open: the rest needs the advance flag
        ({"advance": "yes"}, "advance", "true or false"),
        ({"allocations": "oldest"}, "allocations", "item_id and amount"),
        ({"allocations": []}, "allocations", "at least one"),
        ({"allocations": [{"item_id": theirs.pk, "amount": "1.00"}]}, "allocations.0.item_id", "Not an open"),
        ({"allocations": [{"item_id": sooner.pk, "amount": "100.01"}]}, "allocations.0.amount", "open amount"),
        ({"allocations": [{"item_id": sooner.pk, "amount": "1.001"}]}, "allocations.0.amount", "2 decimal"),
        ({"allocations": [{"item_id": sooner.pk, "amount": "10.00"}]}, "amount", "advance receipt"),
        ({"amount": "5.00", "allocations": [{"item_id": sooner.pk, "amount": "6.00"}]}, "allocations", "more than"),
        ({"reference": "x" * 101}, "reference", "100 characters"),
        ({"cash_flow_item": "99"}, "cash_flow_item", "Unknown"),
    ]
    for changes, field, text in cases:
        data = {"amount": "20.00", **changes}
        with pytest.raises(InvalidInput) as exc:
            receive(org, **data)
        assert field in [e.field for e in exc.value.errors], (changes, exc.value.errors)
        assert text in " ".join(e.message for e in exc.value.errors), (changes, exc.value.errors)
    with pytest.raises(InvalidInput) as exc:  # every bad field at once
        receive(org, "0.001", customer_id=supplier.pk, date=None, account_id=0, advance=1)
    assert {e.field for e in exc.value.errors} == {"customer_id", "date", "account_id", "amount", "advance"}
    with pytest.raises(PermissionRefused):  # a sales rep sees receivables but does not take money in
        receive(org, "1.00", actor=member("sales"))
    after = (Payment.objects.count(), Allocation.objects.count(), Voucher.objects.count(), OpenItem.objects.count())
    assert after == before
    assert (open_amount(org, sooner), gl(org, "1002")) == (D("100.00"), D("0"))


def test_applying_advances_refuses_other_partners(org, other_org):
    with pytest.raises(InvalidInput) as exc:
        receipts.advance_receipt_apply(
            organization=org, actor=owner_of(org), customer_id=make_customer(other_org).pk, date=TODAY()
        )
    assert exc.value.errors[0].field == "customer_id"
    with pytest.raises(InvalidInput):
        receipts.advance_receipt_apply(
            organization=org, actor=owner_of(org), customer_id=make_supplier(org).pk, date=TODAY()
        )
    assert not Payment.objects.exists()


def test_verify_finds_a_receivable_without_its_voucher(org):
    rr.make_invoice(org, "100.00")
    assert receivable_accounts_match_open_items(org) == []
    services.open_item_add(  # an open item written behind the documents' back: no voucher moved 1122
        organization=org,
        actor=None,
        partner=rr.customer(org),
        kind=OpenItemKind.RECEIVABLE,
        date=TODAY(),
        due_date=TODAY(),
        amount=D("5.00"),
        source_type=rr.STAND_IN,
        source_id=999,
        source_label="INV-X",
    )
    problems = receivable_accounts_match_open_items(org)
    assert len(problems) == 1
    assert "1122" in problems[0]
    assert "105.00" in problems[0]


def test_month_end_close_checks_the_receivables(org, invoices):
    from suanpan.accounting.closing import close_checks
    from suanpan.accounting.models import Period

    receive(org, "30.00")
    period = Period.objects.get(organization=org, year=TODAY().year, month=TODAY().month)
    result = next(r for r in close_checks(organization=org, period=period) if r.code == "receivables_match")
    assert result.ok
