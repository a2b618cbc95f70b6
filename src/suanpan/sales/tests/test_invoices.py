"""Invoices and credit notes: amounts by hand, the voucher, the receivable, the invoiced quantities and the
orders' progress; each refusal names its field and writes nothing; verify stays clean."""

import datetime
from decimal import Decimal

import pytest

from suanpan.accounting.models import AccountBalance, Voucher, VoucherLine
from suanpan.accounting.services import account_delete
from suanpan.core.choices import TaxpayerType
from suanpan.core.exceptions import DomainError, InvalidInput, NotFound, PermissionRefused
from suanpan.finance.choices import OpenItemKind
from suanpan.finance.models import OpenItem
from suanpan.partners.choices import PartnerKind, PartnerRole
from suanpan.partners.services import partner_create
from suanpan.sales import deliveries, invoicing, orders
from suanpan.sales.choices import EInvoiceStatus, InvoiceKind, InvoiceType, Progress
from suanpan.sales.invoice_posting import line_amounts
from suanpan.sales.models import DeliveryLine, Invoice, SalesOrderLine
from suanpan.verify import verify_organization

from .conftest import DAY

pytestmark = pytest.mark.django_db
D = Decimal
CREDIT_CODE = "91110108MA01ABCD1E"


# Set-up through the real services ----------------------------------------------------------------------------


def confirmed_order(org, customer, warehouse, *lines, date=DAY):
    """An order confirmed by the system: lines (product, quantity, unit price excl. VAT)."""
    data = {
        "customer_id": customer.pk,
        "warehouse_id": warehouse.pk,
        "date": date,
        "lines": [{"product_id": p.pk, "quantity": q, "unit_price": price} for p, q, price in lines],
    }
    draft = orders.order_create(organization=org, actor=None, data=data)
    return orders.order_confirm(organization=org, actor=None, order_id=draft.pk)


def order_line(order, product):
    return SalesOrderLine.objects.get(order=order, product=product)


def deliver(org, warehouse, *lines, date=DAY):
    """Post a delivery of (order line, quantity) pairs."""
    return deliveries.delivery_post(
        organization=org,
        actor=None,
        data={
            "date": date,
            "warehouse_id": warehouse.pk,
            "lines": [{"order_line_id": ln.pk, "quantity": q} for ln, q in lines],
        },
    )


def delivery_line(delivery, product):
    return DeliveryLine.objects.get(delivery=delivery, product=product)


def invoice(org, *lines, actor=None, date=DAY, **extra):
    """Post an invoice of (delivery line or service order line, quantity) pairs."""
    rows = [
        {"delivery_line_id": ln.pk, "quantity": q}
        if isinstance(ln, DeliveryLine)
        else {"order_line_id": ln.pk, "quantity": q}
        for ln, q in lines
    ]
    return invoicing.invoice_post(organization=org, actor=actor, data={"date": date, "lines": rows, **extra})


def voucher_rows(document):
    return [
        (ln.account.code, ln.debit, ln.credit, ln.partner_id, ln.product_id)
        for ln in VoucherLine.objects.filter(voucher=document.voucher).select_related("account").order_by("seq")
    ]


def gl(org, code):
    return sum(
        (r.debit - r.credit for r in AccountBalance.objects.filter(organization=org, account__code=code, partner=None)),
        D("0"),
    )


def clean(org):
    problems = {r.check: r.differences for r in verify_organization(org) if r.differences}
    assert problems == {}, problems
    return True


def snapshot(org):
    """What an invoice writes, to prove a refusal wrote nothing."""
    return (
        Invoice.objects.filter(organization=org).count(),
        Voucher.objects.filter(organization=org).count(),
        OpenItem.objects.filter(organization=org).count(),
        sorted(DeliveryLine.objects.filter(organization=org).values_list("pk", "invoiced_quantity")),
        sorted(SalesOrderLine.objects.filter(organization=org).values_list("pk", "invoiced_quantity")),
    )


@pytest.fixture
def sold(org, customer, warehouse, make_product, stock):
    """Pens 10 × 20.00 and ink 3 × 7.333333 (13 % VAT) ordered; 6 pens and the 3 ink delivered.

    Order line amounts: pens 200.00 + 26.00 VAT, ink 3 × 7.333333 = 21.999999 → 22.00 + 2.86. The delivery takes
    6/10 of the pens' line: 120.00 + 15.60, and the whole ink line."""
    pen, ink = make_product("PEN"), make_product("INK")
    stock(pen, warehouse, "10", "8.00")
    stock(ink, warehouse, "5", "3.00")
    so = confirmed_order(org, customer, warehouse, (pen, "10", "20.00"), (ink, "3", "7.333333"))
    delivery = deliver(org, warehouse, (order_line(so, pen), "6"), (order_line(so, ink), "3"))
    return so, delivery, pen, ink


# The happy path ----------------------------------------------------------------------------------------------


def test_invoice_posts_revenue_vat_and_the_receivable(org, owner, customer, sold):
    so, delivery, pen, ink = sold
    customer.credit_code, customer.address, customer.phone = CREDIT_CODE, "北京市海淀区中关村大街1号", "010-62345678"
    customer.bank_name, customer.bank_account = "招商银行北京分行", "110902345610201"
    customer.save()
    pens, inks = delivery_line(delivery, pen), delivery_line(delivery, ink)
    assert (pens.amount, pens.tax, inks.amount, inks.tax) == (D("120.00"), D("15.60"), D("22.00"), D("2.86"))

    first = invoice(org, (pens, "4"), (inks, "3"), actor=owner, invoice_type="special", remarks="合同 HT-7")

    # pens 4 × 20.00 = 80.00, VAT 10.40; the ink line is invoiced whole: exactly its 22.00 + 2.86
    assert first.number == "FP202611-0001"
    assert (first.kind, first.invoice_type) == (InvoiceKind.INVOICE, InvoiceType.SPECIAL)
    assert (first.amount, first.tax, first.total) == (D("102.00"), D("13.26"), D("115.26"))
    assert (first.date, first.due_date) == (DAY, DAY + datetime.timedelta(days=30))
    assert (first.buyer_name, first.buyer_tax_id, first.buyer_is_person) == ("北京星河科技有限公司", CREDIT_CODE, False)
    assert first.buyer_address_phone == "北京市海淀区中关村大街1号 010-62345678"
    assert first.buyer_bank_account == "招商银行北京分行 110902345610201"
    assert (first.remarks, first.einvoice_status) == ("合同 HT-7", EInvoiceStatus.NOT_ISSUED)
    lines = list(first.lines.order_by("id"))
    assert [(ln.description, ln.unit, ln.quantity, ln.unit_price, ln.amount, ln.tax) for ln in lines] == [
        ("商品PEN", pen.unit.name, D("4"), D("20.000000"), D("80.00"), D("10.40")),
        ("商品INK", ink.unit.name, D("3"), D("7.333333"), D("22.00"), D("2.86")),
    ]
    assert [ln.order_line_id for ln in lines] == [order_line(so, pen).pk, order_line(so, ink).pk]

    # Dr 1122 (customer) 115.26 / Cr 5001 80.00 (pens) + 22.00 (ink) / Cr 22210107 13.26
    assert voucher_rows(first) == [
        ("1122", D("115.26"), D("0"), customer.pk, None),
        ("5001", D("0"), D("80.00"), None, pen.pk),
        ("5001", D("0"), D("22.00"), None, ink.pk),
        ("22210107", D("0"), D("13.26"), None, None),
    ]
    assert (first.voucher.source_type, first.voucher.source_id, first.voucher.status) == (
        "sales.invoice",
        first.pk,
        "posted",
    )
    item = OpenItem.objects.get(source_type="sales.invoice", source_id=first.pk)
    assert (item.kind, item.partner_id, item.amount, item.due_date) == (
        OpenItemKind.RECEIVABLE,
        customer.pk,
        D("115.26"),
        DAY + datetime.timedelta(days=30),
    )
    pens.refresh_from_db()
    inks.refresh_from_db()
    assert (pens.invoiced_quantity, inks.invoiced_quantity) == (D("4"), D("3"))
    assert (order_line(so, pen).invoiced_quantity, order_line(so, ink).invoiced_quantity) == (D("4"), D("3"))
    so.refresh_from_db()
    assert (so.invoice_progress, so.payment_progress) == (Progress.PARTIAL, Progress.NONE)

    # the rest of the pens' delivery line: exactly what the first invoice left of 120.00 + 15.60
    second = invoice(org, (pens, "2"))
    assert (second.number, second.amount, second.tax, second.total) == (
        "FP202611-0002",
        D("40.00"),
        D("5.20"),
        D("45.20"),
    )
    with pytest.raises(InvalidInput) as twice:
        invoice(org, (pens, "1"))
    assert twice.value.errors[0].field == "lines.0.quantity"
    assert "0 left to invoice" in twice.value.errors[0].message

    # the last 4 pens delivered and invoiced: the order is invoiced in full
    rest = deliver(org, sold[1].warehouse, (order_line(so, pen), "4"))
    invoice(org, (delivery_line(rest, pen), "4"))
    so.refresh_from_db()
    assert so.invoice_progress == Progress.FULL
    assert gl(org, "1122") == D("115.26") + D("45.20") + D("90.40")
    assert gl(org, "5001") == -(D("200.00") + D("22.00"))
    assert gl(org, "22210107") == -(D("26.00") + D("2.86"))
    assert clean(org)


def test_a_service_is_invoiced_from_its_order_line(org, customer, warehouse, make_product):
    """Installation (6 % VAT, not stocked) 2 × 150.00 = 300.00 + 18.00, invoiced in two parts that add up."""
    install = make_product("SVC", rate="0.06", stocked=False)
    so = confirmed_order(org, customer, warehouse, (install, "2", "150.00"))
    line = order_line(so, install)
    first = invoice(org, (line, "0.5"))
    assert (first.amount, first.tax, first.total) == (D("75.00"), D("4.50"), D("79.50"))
    second = invoice(org, (line, "1.5"))
    assert (second.amount, second.tax, second.total) == (D("225.00"), D("13.50"), D("238.50"))
    line.refresh_from_db()
    so.refresh_from_db()
    assert (line.invoiced_quantity, so.invoice_progress) == (D("2"), Progress.FULL)
    assert second.lines.get().delivery_line_id is None
    with pytest.raises(InvalidInput) as twice:
        invoice(org, (line, "0.1"))
    assert twice.value.errors[0].field == "lines.0.quantity"
    assert clean(org)


def test_small_scale_taxpayer_credits_222101(org, owner, customer, warehouse, make_product, stock):
    """A small-scale taxpayer has no VAT columns (专栏): the tax goes to 222101 itself, once the chart's columns are
    gone; while 222101 has sub-accounts the invoice is refused with a message naming it."""
    org.taxpayer_type = TaxpayerType.SMALL_SCALE
    org.save()
    pen = make_product("PEN", rate="0.01")
    stock(pen, warehouse, "5", "8.00")
    so = confirmed_order(org, customer, warehouse, (pen, "3", "33.33"))
    delivery = deliver(org, warehouse, (order_line(so, pen), "3"))
    before = snapshot(org)
    with pytest.raises(InvalidInput) as refused:
        invoice(org, (delivery_line(delivery, pen), "3"))
    assert "222101" in refused.value.message
    assert snapshot(org) == before
    from suanpan.accounting.models import Account

    for column in Account.objects.filter(organization=org, parent__code="222101"):
        account_delete(organization=org, actor=owner, account_id=column.pk)
    made = invoice(org, (delivery_line(delivery, pen), "3"))
    # 3 × 33.33 = 99.99, VAT 1 % 0.9999 → 1.00
    assert (made.amount, made.tax, made.total) == (D("99.99"), D("1.00"), D("100.99"))
    assert voucher_rows(made) == [
        ("1122", D("100.99"), D("0"), customer.pk, None),
        ("5001", D("0"), D("99.99"), None, pen.pk),
        ("222101", D("0"), D("1.00"), None, None),
    ]
    assert clean(org)


def test_item_name_in_the_einvoice_style(org, make_product):
    from suanpan.catalog.services import category_create

    paper = make_product("A4")
    assert invoicing.item_name(paper) == "商品A4"
    paper.category = category_create(organization=org, actor=None, data={"code": "ZZ", "name": "纸制品"})
    assert invoicing.item_name(paper) == "*纸制品*商品A4"


def test_line_rounding_is_half_up_per_line():
    assert line_amounts(D("3"), D("0.335"), D("0.13")) == line_amounts(D("3"), D("0.335000"), D("0.13"))
    amounts = line_amounts(D("3"), D("0.335"), D("0.13"))  # 1.005 → 1.01; 1.01 × 0.13 = 0.1313 → 0.13
    assert (amounts.amount, amounts.tax, amounts.total) == (D("1.01"), D("0.13"), D("1.14"))
    red = line_amounts(D("-3"), D("0.335"), D("0.13"))  # red ink rounds the same way, away from zero
    assert (red.amount, red.tax) == (D("-1.01"), D("-0.13"))


# Refusals: each names its field, nothing is written -----------------------------------------------------------


def test_bad_lines_are_refused_naming_their_fields(org, customer, warehouse, sold, make_product):
    so, delivery, pen, _ink = sold
    pens = delivery_line(delivery, pen)
    before = snapshot(org)
    cases = [
        ([(pens, "0")], "lines.0.quantity"),
        ([(pens, "-1")], "lines.0.quantity"),
        ([(pens, "1.00001")], "lines.0.quantity"),
        ([(pens, "abc")], "lines.0.quantity"),
        ([(pens, "7")], "lines.0.quantity"),  # 6 delivered
        ([(pens, "4"), (pens, "3")], "lines.1.quantity"),  # the same line twice, 7 in all
        ([(order_line(so, pen), "1")], "lines.0.order_line_id"),  # goods are invoiced from their delivery
    ]
    for lines, field in cases:
        with pytest.raises(InvalidInput) as bad:
            invoice(org, *lines)
        assert [e.field for e in bad.value.errors] == [field], (lines, bad.value.errors)
    for data, field in [
        ({"date": DAY, "lines": []}, "lines"),
        ({"date": DAY, "lines": [{"quantity": "1"}]}, "lines.0.delivery_line_id"),
        (
            {"date": DAY, "lines": [{"delivery_line_id": pens.pk, "order_line_id": 1, "quantity": "1"}]},
            "lines.0.delivery_line_id",
        ),
        ({"date": DAY, "lines": [{"delivery_line_id": 999999, "quantity": "1"}]}, "lines.0.delivery_line_id"),
        ({"date": DAY, "lines": [{"order_line_id": "x", "quantity": "1"}]}, "lines.0.order_line_id"),
        ({"date": "2026-11-05", "lines": [{"delivery_line_id": pens.pk, "quantity": "1"}]}, "date"),
        ({"date": DAY - datetime.timedelta(days=1), "lines": [{"delivery_line_id": pens.pk, "quantity": "1"}]}, "date"),
        (
            {"date": DAY, "invoice_type": "paper", "lines": [{"delivery_line_id": pens.pk, "quantity": "1"}]},
            "invoice_type",
        ),
        ({"date": DAY, "remarks": "备" * 451, "lines": [{"delivery_line_id": pens.pk, "quantity": "1"}]}, "remarks"),
        # the customer has no credit code: no special invoice
        (
            {"date": DAY, "invoice_type": "special", "lines": [{"delivery_line_id": pens.pk, "quantity": "1"}]},
            "invoice_type",
        ),
    ]:
        with pytest.raises(InvalidInput) as bad:
            invoicing.invoice_post(organization=org, actor=None, data=data)
        assert field in [e.field for e in bad.value.errors], (data, bad.value.errors)
    assert snapshot(org) == before
    assert clean(org)


def test_lines_of_two_customers_or_another_organization_are_refused(
    org, other_org, customer, warehouse, sold, make_product, stock
):
    _so, delivery, pen, ink = sold
    other = partner_create(organization=org, actor=None, role=PartnerRole.CUSTOMER, data={"name": "上海明珠贸易"})
    theirs = confirmed_order(org, other, warehouse, (ink, "1", "8.00"))
    their_delivery = deliver(org, warehouse, (order_line(theirs, ink), "1"))
    before = snapshot(org)
    with pytest.raises(InvalidInput) as mixed:
        invoice(org, (delivery_line(delivery, pen), "1"), (delivery_line(their_delivery, ink), "1"))
    assert [e.field for e in mixed.value.errors] == ["lines.1.delivery_line_id"]
    assert "上海明珠贸易" in mixed.value.errors[0].message

    from suanpan.catalog.models import Unit, VatRate
    from suanpan.catalog.services import product_create
    from suanpan.inventory.choices import MoveKind
    from suanpan.inventory.posting import MoveSpec
    from suanpan.inventory.services import stock_post, warehouse_create

    away = warehouse_create(organization=other_org, actor=None, data={"code": "W9", "name": "别家仓"})
    box = product_create(
        organization=other_org,
        actor=None,
        data={
            "code": "BOX",
            "name": "纸箱",
            "unit": Unit.objects.filter(organization=other_org).first(),
            "vat_rate": VatRate.objects.get(organization=other_org, rate="0.13"),
        },
    )
    stock_post(
        organization=other_org,
        actor=None,
        date=DAY,
        moves=[MoveSpec(box.pk, away.pk, D("5"), MoveKind.OPENING, unit_cost=D("1"))],
    )
    buyer = partner_create(organization=other_org, actor=None, role=PartnerRole.CUSTOMER, data={"name": "别家客户"})
    foreign = deliver(other_org, away, (order_line(confirmed_order(other_org, buyer, away, (box, "2", "5")), box), "2"))
    with pytest.raises(InvalidInput) as stranger:
        invoice(org, (delivery_line(foreign, box), "1"))
    assert [e.field for e in stranger.value.errors] == ["lines.0.delivery_line_id"]
    assert snapshot(org) == before
    assert clean(org)
    assert clean(other_org)


def test_special_invoice_needs_a_company_with_a_tax_id(org, customer, warehouse, sold):
    _so, delivery, pen, _ink = sold
    customer.credit_code = CREDIT_CODE
    customer.kind = PartnerKind.PERSON
    customer.save()
    before = snapshot(org)
    with pytest.raises(InvalidInput) as person:
        invoice(org, (delivery_line(delivery, pen), "1"), invoice_type="special")
    assert [e.field for e in person.value.errors] == ["invoice_type"]
    assert "natural person" in person.value.message
    assert snapshot(org) == before
    ordinary = invoice(org, (delivery_line(delivery, pen), "1"))
    assert (ordinary.invoice_type, ordinary.buyer_is_person) == (InvoiceType.NORMAL, True)


def test_a_service_of_a_draft_order_is_not_invoiced(org, customer, warehouse, make_product):
    install = make_product("SVC", rate="0.06", stocked=False)
    draft = orders.order_create(
        organization=org,
        actor=None,
        data={
            "customer_id": customer.pk,
            "warehouse_id": warehouse.pk,
            "date": DAY,
            "lines": [{"product_id": install.pk, "quantity": "1", "unit_price": "100"}],
        },
    )
    with pytest.raises(InvalidInput) as bad:
        invoice(org, (draft.lines.get(), "1"))
    assert [e.field for e in bad.value.errors] == ["lines.0.order_line_id"]
    assert not Invoice.objects.exists()


def test_invoicing_needs_the_permission(org, member, sold):
    _so, delivery, pen, _ink = sold
    with pytest.raises(PermissionRefused):
        invoice(org, (delivery_line(delivery, pen), "1"), actor=member("sales"))
    assert not Invoice.objects.exists()
    made = invoice(org, (delivery_line(delivery, pen), "1"), actor=member("finance"))
    assert made.created_by is not None


# Credit notes -------------------------------------------------------------------------------------------------


def sales_return(org, delivery, *lines, date=DAY):
    from suanpan.sales import returns

    return returns.sales_return_post(
        organization=org,
        actor=None,
        data={
            "delivery_id": delivery.pk,
            "date": date,
            "reason": "破损",
            "lines": [{"delivery_line_id": ln.pk, "quantity": q} for ln, q in lines],
        },
    )


def test_credit_note_takes_back_the_invoiced_returned_goods(org, owner, customer, sold):
    so, delivery, pen, ink = sold
    pens, inks = delivery_line(delivery, pen), delivery_line(delivery, ink)
    blue = invoice(org, (pens, "6"), (inks, "3"))  # 120.00 + 15.60 and 22.00 + 2.86 = 160.46
    assert blue.total == D("160.46")
    back = sales_return(org, delivery, (pens, "2"), (inks, "3"))
    red = invoicing.credit_note_for_return(organization=org, actor=owner, return_id=back.pk, date=DAY)

    # pens −2 × 20.00 = −40.00, VAT −5.20; the ink fully returned takes back exactly its 22.00 + 2.86
    assert (red.kind, red.number, red.original_id, red.sales_return_id) == (
        InvoiceKind.CREDIT_NOTE,
        "FP202611-0002",
        blue.pk,
        back.pk,
    )
    assert (red.amount, red.tax, red.total) == (D("-62.00"), D("-8.06"), D("-70.06"))
    assert [(ln.quantity, ln.unit_price, ln.amount, ln.tax) for ln in red.lines.order_by("id")] == [
        (D("-2"), D("20.000000"), D("-40.00"), D("-5.20")),
        (D("-3"), D("7.333333"), D("-22.00"), D("-2.86")),
    ]
    assert (red.buyer_name, red.invoice_type, red.due_date) == (blue.buyer_name, blue.invoice_type, DAY)
    assert blue.number in red.remarks
    # the red voucher: the same lines in negative amounts on the same sides
    assert voucher_rows(red) == [
        ("1122", D("-70.06"), D("0"), customer.pk, None),
        ("5001", D("0"), D("-40.00"), None, pen.pk),
        ("5001", D("0"), D("-22.00"), None, ink.pk),
        ("22210107", D("0"), D("-8.06"), None, None),
    ]
    item = OpenItem.objects.get(source_type="sales.invoice", source_id=red.pk)
    assert (item.kind, item.amount, item.due_date) == (OpenItemKind.RECEIVABLE, D("-70.06"), DAY)
    pens.refresh_from_db()
    inks.refresh_from_db()
    assert (pens.invoiced_quantity, inks.invoiced_quantity) == (D("4"), D("0"))
    assert (order_line(so, pen).invoiced_quantity, order_line(so, ink).invoiced_quantity) == (D("4"), D("0"))
    assert gl(org, "1122") == D("90.40")
    assert clean(org)

    with pytest.raises(DomainError) as again:
        invoicing.credit_note_for_return(organization=org, actor=owner, return_id=back.pk, date=DAY)
    assert "FP202611-0002" in again.value.message
    # what is left of the delivery is invoiced: nothing more can be
    with pytest.raises(InvalidInput):
        invoice(org, (pens, "1"))


def test_credit_note_refused_when_the_returned_goods_were_not_invoiced(org, owner, sold):
    _so, delivery, pen, _ink = sold
    pens = delivery_line(delivery, pen)
    invoice(org, (pens, "3"))  # 3 of the 6 pens invoiced
    back = sales_return(org, delivery, (pens, "2"))  # 4 left delivered, 3 of them invoiced: nothing to credit
    before = snapshot(org)
    with pytest.raises(DomainError) as refused:
        invoicing.credit_note_for_return(organization=org, actor=owner, return_id=back.pk, date=DAY)
    assert refused.value.field == "return_id"
    assert snapshot(org) == before
    # the rest of the delivery can still be invoiced: 6 − 2 returned − 3 invoiced = 1
    invoice(org, (pens, "1"))
    with pytest.raises(InvalidInput):
        invoice(org, (pens, "1"))
    second = sales_return(org, delivery, (pens, "2"))  # now 2 delivered, 4 invoiced: 2 to credit
    red = invoicing.credit_note_for_return(organization=org, actor=owner, return_id=second.pk, date=DAY)
    assert (red.total, red.lines.get().quantity) == (D("-45.20"), D("-2"))
    assert clean(org)


def test_credit_note_is_not_dated_before_its_invoice(org, owner, sold):
    _so, delivery, pen, _ink = sold
    pens = delivery_line(delivery, pen)
    later = DAY + datetime.timedelta(days=3)
    invoice(org, (pens, "6"), date=later)
    back = sales_return(org, delivery, (pens, "1"), date=DAY + datetime.timedelta(days=1))
    with pytest.raises(InvalidInput) as early:
        invoicing.credit_note_for_return(
            organization=org, actor=owner, return_id=back.pk, date=later - datetime.timedelta(days=1)
        )
    assert early.value.field == "date"
    red = invoicing.credit_note_for_return(organization=org, actor=owner, return_id=back.pk, date=later)
    assert (red.date, red.total) == (later, D("-22.60"))
    assert clean(org)


def test_credit_note_refusals(org, other_org, owner, member, sold):
    _so, delivery, pen, _ink = sold
    pens = delivery_line(delivery, pen)
    invoice(org, (pens, "6"))
    back = sales_return(org, delivery, (pens, "1"))
    before = snapshot(org)
    with pytest.raises(InvalidInput) as early:
        invoicing.credit_note_for_return(
            organization=org, actor=owner, return_id=back.pk, date=DAY - datetime.timedelta(days=1)
        )
    assert early.value.field == "date"
    with pytest.raises(InvalidInput) as no_date:
        invoicing.credit_note_for_return(organization=org, actor=owner, return_id=back.pk, date="today")
    assert no_date.value.field == "date"
    with pytest.raises(NotFound):
        invoicing.credit_note_for_return(organization=other_org, actor=None, return_id=back.pk, date=DAY)
    with pytest.raises(PermissionRefused):
        invoicing.credit_note_for_return(organization=org, actor=member("warehouse"), return_id=back.pk, date=DAY)
    assert snapshot(org) == before


# The 数电发票 number ------------------------------------------------------------------------------------------


def test_record_the_einvoice_number(org, owner, sold):
    _so, delivery, pen, _ink = sold
    made = invoice(org, (delivery_line(delivery, pen), "1"))
    for bad in ("2631200000013511408", "2631200000013511408X", "25312000000135114086", "27312000000135114086", ""):
        with pytest.raises(InvalidInput) as refused:
            invoicing.invoice_record_einvoice(organization=org, actor=owner, invoice_id=made.pk, einvoice_number=bad)
        assert refused.value.field == "einvoice_number", bad
    with pytest.raises(InvalidInput) as not_red:
        invoicing.invoice_record_einvoice(
            organization=org,
            actor=owner,
            invoice_id=made.pk,
            einvoice_number="26312000000135114086",
            red_confirmation_number="26312000000135114087",
        )
    assert not_red.value.field == "red_confirmation_number"
    made.refresh_from_db()
    assert (made.einvoice_number, made.einvoice_status) == ("", EInvoiceStatus.NOT_ISSUED)
    recorded = invoicing.invoice_record_einvoice(
        organization=org, actor=owner, invoice_id=made.pk, einvoice_number=" 26312000000135114086 "
    )
    assert (recorded.einvoice_number, recorded.einvoice_status) == ("26312000000135114086", EInvoiceStatus.ISSUED)
    with pytest.raises(DomainError):
        invoicing.invoice_record_einvoice(
            organization=org, actor=owner, invoice_id=made.pk, einvoice_number="26312000000135114087"
        )
    other = invoice(org, (delivery_line(delivery, pen), "1"))
    with pytest.raises(InvalidInput) as twin:
        invoicing.invoice_record_einvoice(
            organization=org, actor=owner, invoice_id=other.pk, einvoice_number="26312000000135114086"
        )
    assert made.number in twin.value.message
    assert clean(org)


# Payment progress ---------------------------------------------------------------------------------------------


def receive(org, customer, amount, *items):
    """A customer receipt into the bank (finance's service), written off against these open items."""
    from suanpan.accounting.models import Account
    from suanpan.finance.receipts import receipt_post

    return receipt_post(
        organization=org,
        actor=None,
        data={
            "customer_id": customer.pk,
            "date": DAY,
            "account_id": Account.objects.get(organization=org, code="1002").pk,
            "amount": amount,
            "allocations": [{"item_id": i.pk, "amount": a} for i, a in items] or None,
        },
    )


def item_of(document):
    return OpenItem.objects.get(source_type="sales.invoice", source_id=document.pk)


def test_payment_progress_follows_the_open_amounts(org, customer, warehouse, sold):
    so, delivery, pen, ink = sold
    first = invoice(org, (delivery_line(delivery, pen), "6"), (delivery_line(delivery, ink), "3"))  # 160.46
    assert invoicing.order_payment_progress(so) == Progress.NONE
    receive(org, customer, "100.00")
    assert invoicing.order_payment_progress(so) == Progress.PARTIAL
    so.refresh_from_db()
    assert so.payment_progress == Progress.PARTIAL  # the receipt's signal refreshed it in its transaction
    assert invoicing.refresh_payment_progress(organization=org, customer=customer) == []  # nothing left to do
    receive(org, customer, "60.46", (item_of(first), "60.46"))
    # everything invoiced is paid, but 4 pens are still to deliver and invoice: partly paid
    assert invoicing.order_payment_progress(so) == Progress.PARTIAL
    rest = deliver(org, warehouse, (order_line(so, pen), "4"))
    second = invoice(org, (delivery_line(rest, pen), "4"))  # 90.40
    so.refresh_from_db()
    assert (so.invoice_progress, so.payment_progress) == (Progress.FULL, Progress.PARTIAL)
    receive(org, customer, "90.40")
    so.refresh_from_db()
    assert so.payment_progress == Progress.FULL
    assert invoicing.refresh_payment_progress(organization=org, customer=customer.pk) == []
    assert item_of(second).amount == D("90.40")
    assert clean(org)


def test_a_credit_note_nets_against_the_invoice_it_offsets(org, owner, customer, sold):
    """Invoice 160.46, return of the ink, credit note −24.86: the customer owes 135.60; a receipt of 135.60,
    oldest first, nets the credit note against the invoice and settles the rest — the order's invoiced part is
    paid, and verify ties 1122 to the open items."""
    so, delivery, pen, ink = sold
    blue = invoice(org, (delivery_line(delivery, pen), "6"), (delivery_line(delivery, ink), "3"))
    back = sales_return(org, delivery, (delivery_line(delivery, ink), "3"))
    red = invoicing.credit_note_for_return(organization=org, actor=owner, return_id=back.pk, date=DAY)
    assert red.total == D("-24.86")
    assert gl(org, "1122") == D("135.60")
    receive(org, customer, "135.60")
    assert invoicing.invoice_open_amount(blue) == D("0")
    assert invoicing.invoice_open_amount(red) == D("0")
    assert gl(org, "1122") == D("0")
    assert invoicing.order_payment_progress(so) == Progress.PARTIAL  # 4 pens still to deliver
    assert clean(org)


def test_verify_finds_invoices_out_of_step(org, sold):
    """Rows changed behind the services' back show up in verify (the checks are not vacuous)."""
    _so, delivery, pen, _ink = sold
    pens = delivery_line(delivery, pen)
    made = invoice(org, (pens, "2"))
    assert clean(org)
    DeliveryLine.objects.filter(pk=pens.pk).update(invoiced_quantity=D("3"))
    Invoice.objects.filter(pk=made.pk).update(total=D("1.00"))
    found = {r.check: r.differences for r in verify_organization(org) if r.differences}
    assert found["sales invoices: invoiced quantities of delivery/order lines = Σ invoice lines"] == [
        f"delivery {delivery.number} line #{pens.pk}: invoiced 3.0000, invoices say 2.0000"
    ]
    assert found["sales invoices and credit notes: totals = Σ lines"] == [
        f"invoice {made.number}: 40.00/5.20/1.00 ≠ lines 40.00/5.20/45.20"
    ]
    assert found["sales invoices: one receivable item each, for the total"] == [
        f"invoice {made.number}: total 1.00, receivable items ['receivable #{made.customer_id} 45.20']"
    ]
