"""Supplier payments and write-off (核销): oldest first, chosen, partial, advances and applying them; aging;
refusals write nothing; the API. Payables are made by real receipts (purchasing) in the scenario helpers."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone
from tests import purchasing_resources as pr
from tests.resources import make_supplier, owner_of

from suanpan.accounting.models import Account, AccountBalance, Voucher
from suanpan.core.exceptions import DomainError, InvalidInput, PermissionRefused
from suanpan.finance import selectors, services
from suanpan.finance.choices import OpenItemKind
from suanpan.finance.models import Allocation, OpenItem, Payment
from suanpan.verify import verify_organization

pytestmark = pytest.mark.django_db
D = Decimal


def gl(org, code, partner=None):
    rows = AccountBalance.objects.filter(organization=org, account__code=code, partner=partner)
    return sum((r.debit - r.credit for r in rows), D("0"))


def assert_clean(org):
    assert {r.check: r.differences for r in verify_organization(org) if r.differences} == {}


@pytest.fixture
def payables(org):
    """Two receipts of 4 × 8.50 = 34.00 + 4.42 VAT = 38.42 each, from the same supplier."""
    first = pr.make_receipt(org)
    second = pr.make_receipt(org)
    return first, second


def pay(org, amount, **kwargs):
    supplier = pr._supplier(org)
    return services.payment_create(
        organization=org,
        actor=owner_of(org),
        partner_id=supplier.pk,
        date=kwargs.pop("date", timezone.localdate()),
        account_id=pr.bank(org).pk,
        amount=D(amount),
        **kwargs,
    )


def test_oldest_first_partial_then_rest(org, payables):
    first, second = payables
    supplier = first.supplier
    p1 = pay(org, "50.00")
    assert [(a.item.source_id, a.amount) for a in p1.allocations.order_by("id")] == [
        (first.pk, D("38.42")),
        (second.pk, D("11.58")),
    ]
    assert selectors.open_total(organization=org, kind=OpenItemKind.PAYABLE, partner_id=supplier.pk) == D("26.84")
    voucher = Voucher.objects.get(pk=p1.voucher_id)
    assert sorted((ln.account.code, ln.debit, ln.credit, ln.cash_flow_item) for ln in voucher.lines.all()) == [
        ("1002", D("0"), D("50.00"), "3"),
        ("2202", D("50.00"), D("0"), ""),
    ]
    assert voucher.word in ("付", "记")
    pay(org, "26.84")
    assert gl(org, "2202", supplier) == D("0")
    assert gl(org, "1002") == D("-76.84")
    assert not selectors.open_item_list(organization=org, partner_id=supplier.pk, open_only=True).exists()
    assert_clean(org)


def test_chosen_allocations(org, payables):
    _first, second = payables
    item = OpenItem.objects.get(source_id=second.pk, source_type="purchasing.receipt")
    payment = pay(org, "10.00", allocations=[{"item_id": item.pk, "amount": "10.00"}])
    assert [(a.item_id, a.amount) for a in payment.allocations.all()] == [(item.pk, D("10.00"))]
    assert selectors.open_item_get(organization=org, pk=item.pk).open_amount == D("28.42")
    assert_clean(org)


def test_refusals_write_nothing(org, other_org, payables, member):
    first, _second = payables
    item = OpenItem.objects.get(source_id=first.pk, source_type="purchasing.receipt")
    before = (Payment.objects.count(), Allocation.objects.count(), Voucher.objects.count())
    cases = [
        (lambda: pay(org, "100.00"), "amount", "advance"),  # 76.84 open: the rest needs the advance flag
        (lambda: pay(org, "10.001"), "amount", "2 decimal places"),
        (lambda: pay(org, "0"), "amount", "more than zero"),
        (
            lambda: pay(org, "5.00", allocations=[{"item_id": item.pk, "amount": "40.00"}]),
            "allocations.0.amount",
            "open amount",
        ),
        (
            lambda: pay(org, "5.00", allocations=[{"item_id": item.pk, "amount": "6.00"}]),
            "allocations",
            "more than the payment",
        ),
        (
            lambda: pay(org, "5.00", allocations=[{"item_id": 0, "amount": "1.00"}]),
            "allocations.0.item_id",
            "Not an open",
        ),
        (lambda: pay(org, "5.00", cash_flow_item="99"), "cash_flow_item", "Unknown"),
        (
            lambda: services.payment_create(
                organization=org,
                actor=owner_of(org),
                partner_id=first.supplier_id,
                date=timezone.localdate(),
                account_id=Account.objects.get(organization=org, code="5001").pk,
                amount=D("1"),
            ),
            "account",
            "cash or bank",
        ),
        (
            lambda: services.payment_create(
                organization=org,
                actor=owner_of(org),
                partner_id=make_supplier(other_org).pk,
                date=timezone.localdate(),
                account_id=pr.bank(org).pk,
                amount=D("1"),
            ),
            "partner",
            "No such",
        ),
    ]
    for call, field, text in cases:
        with pytest.raises(InvalidInput) as exc:
            call()
        assert field in [e.field for e in exc.value.errors], (field, exc.value.errors)
        assert text in " ".join(e.message for e in exc.value.errors)
    with pytest.raises(PermissionRefused):
        services.payment_create(
            organization=org,
            actor=member("purchasing"),
            partner_id=first.supplier_id,
            date=timezone.localdate(),
            account_id=pr.bank(org).pk,
            amount=D("1"),
        )
    assert (Payment.objects.count(), Allocation.objects.count(), Voucher.objects.count()) == before


def test_advance_then_applied_to_a_later_receipt(org):
    supplier = pr._supplier(org)
    advance = pay(org, "100.00", allow_advance=True)
    assert (advance.amount, advance.advance, advance.allocations.count()) == (D("100.00"), D("100.00"), 0)
    assert gl(org, "1123", supplier) == D("100.00")
    with pytest.raises(DomainError, match="no advance and open payable"):
        services.prepayment_apply(
            organization=org, actor=owner_of(org), partner_id=supplier.pk, date=timezone.localdate()
        )
    receipt = pr.make_receipt(org)  # 38.42
    applied = services.prepayment_apply(
        organization=org, actor=owner_of(org), partner_id=supplier.pk, date=timezone.localdate()
    )
    assert sorted((a.item.kind, a.amount) for a in applied.allocations.select_related("item")) == [
        ("payable", D("38.42")),
        ("prepayment", D("38.42")),
    ]
    assert (gl(org, "1123", supplier), gl(org, "2202", supplier)) == (D("61.58"), D("0"))
    lines = sorted(
        (ln.account.code, ln.debit, ln.credit) for ln in Voucher.objects.get(pk=applied.voucher_id).lines.all()
    )
    assert lines == [("1123", D("0"), D("38.42")), ("2202", D("38.42"), D("0"))]
    assert selectors.open_total(organization=org, kind=OpenItemKind.PREPAYMENT, partner_id=supplier.pk) == D("61.58")
    assert receipt.total == D("38.42")
    assert_clean(org)


def test_aging_buckets(org, payables):
    first, second = payables
    due = first.due_date
    aging = selectors.payables_aging(organization=org, on=due + datetime.timedelta(days=45))
    assert aging.labels == ["0-30", "31-60", "61-90", "90+"]
    assert [(r.not_due, r.buckets, r.total) for r in aging.rows] == [
        (D("0"), [D("0"), D("76.84"), D("0"), D("0")], D("76.84"))
    ]
    custom = selectors.payables_aging(organization=org, on=due, bounds=(10,))
    assert (custom.labels, custom.totals.not_due, custom.totals.buckets) == (
        ["0-10", "10+"],
        D("76.84"),
        [D("0"), D("0")],
    )
    assert second.due_date == due


def test_api(org, owner_api, other_org, api_as):
    receipt = pr.make_receipt(org)
    r = owner_api.get("/payables", {"supplier": receipt.supplier_id})
    assert r.status_code == 200
    assert [(i["source_label"], i["open_amount"]) for i in r.json()["items"]] == [(receipt.number, "38.42")]
    body = {
        "partner_id": receipt.supplier_id,
        "date": timezone.localdate().isoformat(),
        "account_id": pr.bank(org).pk,
        "amount": "50.00",
    }
    r = owner_api.post("/payments", body)
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "amount"
    r = owner_api.post("/payments", {**body, "allow_advance": True})
    assert r.status_code == 201, r.content
    assert (r.json()["advance"], r.json()["allocations"][0]["amount"]) == ("11.58", "38.42")
    assert owner_api.get(f"/payments/{r.json()['id']}").status_code == 200
    aging = owner_api.get("/reports/payables-aging", {"buckets": "30,60"}).json()
    assert aging["labels"] == ["0-30", "31-60", "60+"]
    assert owner_api.get("/reports/payables-aging", {"buckets": "60,30"}).status_code == 422
    theirs = pr.make_payment(other_org)
    assert owner_api.get(f"/payments/{theirs.pk}").status_code == 404
    r = owner_api.post("/payments", {**body, "partner_id": theirs.partner_id})
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "partner"


def test_month_end_close_checks_the_payables(org, payables):
    from suanpan.accounting.closing import close_checks
    from suanpan.accounting.models import Period

    period = Period.objects.get(organization=org, year=payables[0].date.year, month=payables[0].date.month)
    result = next(r for r in close_checks(organization=org, period=period) if r.code == "payables_match")
    assert result.ok


def test_payment_page_settles_the_chosen_items(org, owner_client, payables):
    _first, second = payables
    item = OpenItem.objects.get(source_id=second.pk, source_type="purchasing.receipt")
    page = owner_client.get("/finance/payments/new/", {"supplier": second.supplier_id})
    assert page.status_code == 200
    assert f'name="alloc-{item.pk}"' in page.content.decode()
    form = {
        "partner_id": second.supplier_id,
        "date": timezone.localdate().isoformat(),
        "account_id": pr.bank(org).pk,
        "amount": "10.00",
        "cash_flow_item": "3",
        f"alloc-{item.pk}": "12.00",
    }
    r = owner_client.post("/finance/payments/new/", form)
    assert r.status_code == 422
    assert not Payment.objects.exists()
    r = owner_client.post("/finance/payments/new/", {**form, f"alloc-{item.pk}": "10.00"})
    assert r.status_code == 302
    assert [(a.item_id, a.amount) for a in Payment.objects.get().allocations.all()] == [(item.pk, D("10.00"))]
