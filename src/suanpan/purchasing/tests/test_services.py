"""Purchase orders, receipts and returns: the happy paths with their effects on every ledger, and the refusals
(each leaving nothing written)."""

import datetime
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from suanpan.accounting.models import AccountBalance, Voucher
from suanpan.core.choices import TaxpayerType
from suanpan.core.exceptions import DomainError, InvalidInput, NotFound, PermissionRefused
from suanpan.finance.choices import OpenItemKind
from suanpan.finance.models import OpenItem
from suanpan.inventory.models import Lot, StockLevel, StockMove
from suanpan.purchasing import services
from suanpan.purchasing.choices import OrderStatus
from suanpan.purchasing.models import PurchaseOrder, PurchaseReturn, Receipt
from suanpan.purchasing.posting import line_amounts, share
from suanpan.verify import verify_organization

from .conftest import DAY

pytestmark = pytest.mark.django_db
D = Decimal


def gl(org, code):
    return sum(
        (r.debit - r.credit for r in AccountBalance.objects.filter(organization=org, account__code=code, partner=None)),
        D("0"),
    )


def clean(org):
    problems = {r.check: r.differences for r in verify_organization(org) if r.differences}
    assert problems == {}, problems
    return True


@pytest.fixture
def order(org, owner, supplier, warehouse, make_product):
    ink, pen = make_product("INK", batch=True), make_product("PEN")
    draft = services.purchase_order_create(
        organization=org,
        actor=owner,
        data={
            "supplier_id": supplier.pk,
            "warehouse_id": warehouse.pk,
            "date": DAY,
            "lines": [
                {"product_id": ink.pk, "quantity": "10", "unit_price": "10"},
                {"product_id": pen.pk, "quantity": "3", "unit_price": "0.333333"},
            ],
        },
    )
    return services.purchase_order_approve(organization=org, actor=owner, order_id=draft.pk)


def lines_of(order):
    return list(order.lines.order_by("seq"))


def test_rounding_per_line():
    """3 × 0.333333 = 0.999999 → 1.00; VAT 13% of 1.00 = 0.13; 10 × 10 = 100.00, VAT 13.00."""
    assert line_amounts(D("3"), D("0.333333"), D("0.13"), vat_in_cost=False).total == D("1.13")
    assert line_amounts(D("1"), D("0.115"), D("0.13"), vat_in_cost=False).tax == D(
        "0.02"
    )  # 0.12 × 0.13 = 0.0156 → 0.02
    small = line_amounts(D("2"), D("5.55"), D("0.03"), vat_in_cost=True)
    assert (small.amount, small.tax, small.cost) == (D("11.10"), D("0.33"), D("11.43"))
    assert share(D("10.00"), D("0"), D("1"), D("3"), last=False) == D("3.33")
    assert share(D("10.00"), D("6.66"), D("1"), D("3"), last=True) == D("3.34")


def test_order_workflow_and_numbers(org, owner, member, order):
    assert (order.number, order.status, order.total) == ("PO202611-0001", OrderStatus.APPROVED, D("114.13"))
    with pytest.raises(DomainError):
        services.purchase_order_approve(organization=org, actor=owner, order_id=order.pk)
    with pytest.raises(DomainError, match="Only a draft"):
        services.purchase_order_update(organization=org, actor=owner, order_id=order.pk, data={})
    with pytest.raises(PermissionRefused):
        services.purchase_order_approve(organization=org, actor=member("purchasing"), order_id=order.pk)
    with pytest.raises(DomainError, match="cancel the order instead"):
        services.purchase_order_close(organization=org, actor=owner, order_id=order.pk)
    cancelled = services.purchase_order_cancel(organization=org, actor=owner, order_id=order.pk)
    assert cancelled.status == OrderStatus.CANCELLED


def test_order_input_refused(org, owner, supplier, warehouse, make_product, other_org):
    pen = make_product("PEN")
    base = {"supplier_id": supplier.pk, "warehouse_id": warehouse.pk, "date": DAY}
    cases = [
        ({**base, "lines": []}, "lines"),
        ({**base, "lines": [{"product_id": pen.pk, "quantity": "1.00001", "unit_price": "1"}]}, "lines.0.quantity"),
        ({**base, "lines": [{"product_id": pen.pk, "quantity": "0", "unit_price": "1"}]}, "lines.0.quantity"),
        ({**base, "lines": [{"product_id": pen.pk, "quantity": "1", "unit_price": "0.0000001"}]}, "lines.0.unit_price"),
        ({**base, "lines": [{"product_id": pen.pk, "quantity": "1", "unit_price": "-1"}]}, "lines.0.unit_price"),
        ({**base, "lines": [{"product_id": 999999, "quantity": "1", "unit_price": "1"}]}, "lines.0.product_id"),
        (
            {
                **base,
                "expected_date": DAY - datetime.timedelta(days=1),
                "lines": [{"product_id": pen.pk, "quantity": "1", "unit_price": "1"}],
            },
            "expected_date",
        ),
        (
            {**base, "supplier_id": None, "lines": [{"product_id": pen.pk, "quantity": "1", "unit_price": "1"}]},
            "supplier_id",
        ),
    ]
    for data, field in cases:
        with pytest.raises(InvalidInput) as exc:
            services.purchase_order_create(organization=org, actor=owner, data=data)
        assert field in [e.field for e in exc.value.errors], (field, exc.value.errors)
    assert not PurchaseOrder.objects.exists()


def test_receipt_posts_stock_books_and_payable(org, owner, supplier, warehouse, order):
    ink_line, pen_line = lines_of(order)
    receipt = services.receipt_post(
        organization=org,
        actor=owner,
        order_id=order.pk,
        date=DAY,
        lines=[
            {
                "order_line_id": ink_line.pk,
                "quantity": "4",
                "lot_number": "B1",
                "expiry_date": datetime.date(2027, 1, 1),
            },
            {"order_line_id": pen_line.pk, "quantity": "3"},
        ],
    )
    assert (receipt.amount, receipt.tax, receipt.total) == (D("41.00"), D("5.33"), D("46.33"))
    moves = {
        m.product.code: (m.kind, m.quantity, m.value)
        for m in StockMove.objects.filter(source_id=receipt.pk).select_related("product")
    }
    assert moves == {"INK": ("receipt", D("4"), D("40.00")), "PEN": ("receipt", D("3"), D("1.00"))}
    assert Lot.objects.get(number="B1").expiry_date == datetime.date(2027, 1, 1)
    assert (gl(org, "1405"), gl(org, "22210101"), gl(org, "2202")) == (D("41.00"), D("5.33"), D("-46.33"))
    item = OpenItem.objects.get(source_type="purchasing.receipt", source_id=receipt.pk)
    assert (item.kind, item.amount, item.due_date) == (
        OpenItemKind.PAYABLE,
        D("46.33"),
        DAY + datetime.timedelta(days=30),
    )
    voucher = Voucher.objects.get(pk=receipt.voucher_id)
    assert (voucher.status, voucher.maker_id, voucher.reviewer_id) == ("posted", owner.pk, None)
    order.refresh_from_db()
    assert order.status == OrderStatus.PARTIALLY_RECEIVED
    assert [ln.received_quantity for ln in lines_of(order)] == [D("4"), D("3")]
    with pytest.raises(DomainError, match="close it instead"):
        services.purchase_order_cancel(organization=org, actor=owner, order_id=order.pk)
    closed = services.purchase_order_close(organization=org, actor=owner, order_id=order.pk)
    assert closed.status == OrderStatus.CLOSED
    with pytest.raises(DomainError, match="approved order"):
        services.receipt_post(
            organization=org,
            actor=owner,
            order_id=order.pk,
            date=DAY,
            lines=[{"order_line_id": ink_line.pk, "quantity": "1", "lot_number": "B1"}],
        )
    assert clean(org)


def test_receipt_refusals_write_nothing(org, owner, other_org, order, member):
    ink_line, pen_line = lines_of(order)
    bad = [
        ([{"order_line_id": pen_line.pk, "quantity": "4"}], "lines.0.quantity", "Over-receipt refused"),
        (
            [{"order_line_id": pen_line.pk, "quantity": "2"}, {"order_line_id": pen_line.pk, "quantity": "2"}],
            "lines.1.quantity",
            "Over-receipt",
        ),
        ([{"order_line_id": ink_line.pk, "quantity": "1"}], "lines.0.lot_number", "batch-tracked"),
        (
            [{"order_line_id": pen_line.pk, "quantity": "1", "lot_number": "X"}],
            "lines.0.lot_number",
            "not batch-tracked",
        ),
        (
            [
                {
                    "order_line_id": ink_line.pk,
                    "quantity": "1",
                    "lot_number": "B2",
                    "production_date": datetime.date(2026, 10, 1),
                    "expiry_date": datetime.date(2026, 9, 1),
                }
            ],
            "lines.0.expiry_date",
            "before the production date",
        ),
        ([{"order_line_id": pen_line.pk, "quantity": "0.00001"}], "lines.0.quantity", "decimal places"),
        ([{"order_line_id": 0, "quantity": "1"}], "lines.0.order_line_id", "Not a line"),
        ([], "lines", "at least one line"),
    ]
    for rows, field, text in bad:
        with pytest.raises(InvalidInput) as exc:
            services.receipt_post(organization=org, actor=owner, order_id=order.pk, date=DAY, lines=rows)
        assert field in [e.field for e in exc.value.errors], (field, exc.value.errors)
        assert text in " ".join(e.message for e in exc.value.errors)
    with pytest.raises(InvalidInput, match="before its order"):
        services.receipt_post(
            organization=org,
            actor=owner,
            order_id=order.pk,
            date=DAY - datetime.timedelta(days=1),
            lines=[{"order_line_id": pen_line.pk, "quantity": "1"}],
        )
    with pytest.raises(PermissionRefused):
        services.receipt_post(
            organization=org,
            actor=member("purchasing"),
            order_id=order.pk,
            date=DAY,
            lines=[{"order_line_id": pen_line.pk, "quantity": "1"}],
        )
    other_owner = other_org and __import__("tests.resources", fromlist=["owner_of"]).owner_of(other_org)
    with pytest.raises(NotFound):
        services.receipt_post(organization=other_org, actor=other_owner, order_id=order.pk, date=DAY, lines=[])
    assert not Receipt.objects.exists()
    assert not StockMove.objects.exists()
    assert not OpenItem.objects.exists()
    assert not Lot.objects.exists()
    assert not Voucher.objects.exists()
    assert [ln.received_quantity for ln in lines_of(order)] == [D("0"), D("0")]


def test_return_at_the_cost_it_came_in_with_and_the_last_takes_the_rest(org, owner, order, warehouse):
    _ink_line, pen_line = lines_of(order)
    receipt = services.receipt_post(
        organization=org,
        actor=owner,
        order_id=order.pk,
        date=DAY,
        lines=[{"order_line_id": pen_line.pk, "quantity": "3"}],
    )
    line = receipt.lines.get()
    assert (line.amount, line.tax, line.cost) == (D("1.00"), D("0.13"), D("1.00"))
    returns = [
        services.purchase_return_post(
            organization=org,
            actor=owner,
            receipt_id=receipt.pk,
            date=DAY,
            lines=[{"receipt_line_id": line.pk, "quantity": "1"}],
        )
        for _ in range(3)
    ]
    # 1/3 of 1.00 = 0.33, again 0.33, the last takes 0.34; VAT 0.04, 0.04, 0.05
    assert [(r.amount, r.tax, r.total, r.cost) for r in returns] == [
        (D("0.33"), D("0.04"), D("0.37"), D("0.33")),
        (D("0.33"), D("0.04"), D("0.37"), D("0.33")),
        (D("0.34"), D("0.05"), D("0.39"), D("0.34")),
    ]
    level = StockLevel.objects.get(warehouse=warehouse, product=line.product)
    assert (level.on_hand, level.value) == (D("0"), D("0.00"))
    assert (gl(org, "1405"), gl(org, "22210101"), gl(org, "2202")) == (D("0"), D("0"), D("0"))
    with pytest.raises(InvalidInput, match="At most 0 of"):
        services.purchase_return_post(
            organization=org,
            actor=owner,
            receipt_id=receipt.pk,
            date=DAY,
            lines=[{"receipt_line_id": line.pk, "quantity": "1"}],
        )
    assert PurchaseReturn.objects.count() == 3
    assert clean(org)


def test_small_scale_taxpayer_puts_vat_into_cost(org, owner, supplier, warehouse, make_product):
    org.taxpayer_type = TaxpayerType.SMALL_SCALE
    org.save()
    pen = make_product("PEN", rate="0.03")
    draft = services.purchase_order_create(
        organization=org,
        actor=owner,
        data={
            "supplier_id": supplier.pk,
            "warehouse_id": warehouse.pk,
            "date": DAY,
            "lines": [{"product_id": pen.pk, "quantity": "2", "unit_price": "5.55"}],
        },
    )
    order = services.purchase_order_approve(organization=org, actor=owner, order_id=draft.pk)
    receipt = services.receipt_post(
        organization=org,
        actor=owner,
        order_id=order.pk,
        date=DAY,
        lines=[{"order_line_id": order.lines.get().pk, "quantity": "2"}],
    )
    assert (receipt.amount, receipt.tax, receipt.total, receipt.cost) == (D("11.10"), D("0"), D("11.43"), D("11.43"))
    assert (gl(org, "1405"), gl(org, "22210101"), gl(org, "2202")) == (D("11.43"), D("0"), D("-11.43"))
    assert StockLevel.objects.get(product=pen).value == D("11.43")
    back = services.purchase_return_post(
        organization=org,
        actor=owner,
        receipt_id=receipt.pk,
        date=DAY,
        lines=[{"receipt_line_id": receipt.lines.get().pk, "quantity": "1"}],
    )
    assert (back.tax, back.total, back.cost) == (D("0"), D("5.72"), D("5.72"))  # 11.43 / 2 = 5.715 → 5.72
    assert (gl(org, "1405"), gl(org, "2202")) == (D("5.71"), D("-5.71"))
    assert clean(org)


def test_open_items_and_moves_are_append_only(org, owner, order):
    _ink, pen_line = lines_of(order)
    receipt = services.receipt_post(
        organization=org,
        actor=owner,
        order_id=order.pk,
        date=DAY,
        lines=[{"order_line_id": pen_line.pk, "quantity": "1"}],
    )
    item = OpenItem.objects.get(source_id=receipt.pk)
    for attempt in (
        lambda: OpenItem.objects.filter(pk=item.pk).update(amount=D("1")),
        lambda: OpenItem.objects.filter(pk=item.pk).delete(),
    ):
        with pytest.raises(IntegrityError), transaction.atomic():
            attempt()
    assert OpenItem.objects.get(pk=item.pk).amount == item.amount


def test_a_return_leaves_at_its_receipt_cost_not_the_pool_average(org, owner, supplier, warehouse, make_product):
    """10 @ 10.00 then 10 @ 20.00: the pool averages 15.00, but 5 returned from the first receipt leave at 10.00
    each (50.00), so the pool keeps 15 worth 250.00 and 1405 follows the stock exactly."""
    pen = make_product("PEN")
    receipts = []
    for price in ("10", "20"):
        draft = services.purchase_order_create(
            organization=org,
            actor=owner,
            data={
                "supplier_id": supplier.pk,
                "warehouse_id": warehouse.pk,
                "date": DAY,
                "lines": [{"product_id": pen.pk, "quantity": "10", "unit_price": price}],
            },
        )
        order = services.purchase_order_approve(organization=org, actor=owner, order_id=draft.pk)
        receipts.append(
            services.receipt_post(
                organization=org,
                actor=owner,
                order_id=order.pk,
                date=DAY,
                lines=[{"order_line_id": order.lines.get().pk, "quantity": "10"}],
            )
        )
    back = services.purchase_return_post(
        organization=org,
        actor=owner,
        receipt_id=receipts[0].pk,
        date=DAY,
        lines=[{"receipt_line_id": receipts[0].lines.get().pk, "quantity": "5"}],
    )
    move = StockMove.objects.get(source_type="purchasing.return", source_id=back.pk)
    assert (move.quantity, move.unit_cost, move.value) == (D("-5"), D("10"), D("-50.00"))
    level = StockLevel.objects.get(product=pen, warehouse=warehouse)
    assert (level.on_hand, level.value) == (D("15"), D("250.00"))
    assert gl(org, "1405") == D("250.00")
    assert clean(org)
