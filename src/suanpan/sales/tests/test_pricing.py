"""Price lists: which list gives a customer's price (group before general, priority, validity, quantity breaks),
and keeping the lists (refusals naming the field, nothing saved, who may)."""

import datetime
from decimal import Decimal

import pytest

from suanpan.core.audit import audit_history
from suanpan.core.choices import AuditAction
from suanpan.core.exceptions import InvalidInput, NotFound, PermissionRefused
from suanpan.partners.choices import PartnerRole
from suanpan.partners.services import partner_create, tag_create
from suanpan.sales import orders
from suanpan.sales.models import PriceList, PriceListItem
from suanpan.sales.pricing import price_for, price_list_create, price_list_delete, price_list_update

from .conftest import DAY

pytestmark = pytest.mark.django_db
D = Decimal


def a_list(org, name, *items, actor=None, **header):
    data = {"name": name, **header}
    data["items"] = [{"product_id": p.pk, "min_quantity": q, "unit_price": price} for p, q, price in items]
    return price_list_create(organization=org, actor=actor, data=data)


@pytest.fixture
def vip(org):
    return tag_create(organization=org, actor=None, data={"name": "VIP"})


@pytest.fixture
def vip_customer(org, vip):
    return partner_create(
        organization=org, actor=None, role=PartnerRole.CUSTOMER, data={"name": "上海东方电子"}, tags=[vip]
    )


def test_without_a_list_the_products_price(org, customer, make_product):
    pen = make_product("PEN", sale_price="20.00")
    found = price_for(org, customer, pen, D("1"), DAY)
    assert (found.unit_price, found.price_list) == (D("20.00"), None)


def test_the_groups_list_wins_over_the_general_one(org, customer, vip, vip_customer, make_product):
    pen = make_product("PEN")
    general = a_list(org, "通用价", (pen, "0", "19.00"), priority=50)
    group = a_list(org, "VIP价", (pen, "0", "17.00"), tag_id=vip.pk, priority=0)
    assert price_for(org, vip_customer, pen, D("1"), DAY).price_list == group
    assert price_for(org, vip_customer, pen, D("1"), DAY).unit_price == D("17.00")
    assert price_for(org, customer, pen, D("1"), DAY).price_list == general  # not in the group


def test_priority_then_the_older_list(org, customer, make_product):
    pen = make_product("PEN")
    a_list(org, "旧价", (pen, "0", "19.00"), priority=1)
    high = a_list(org, "促销价", (pen, "0", "15.00"), priority=5)
    assert price_for(org, customer, pen, D("1"), DAY).price_list == high
    price_list_update(
        organization=org,
        actor=None,
        price_list_id=high.pk,
        data={"name": "促销价", "priority": 1, "items": [{"product_id": pen.pk, "unit_price": "15.00"}]},
    )
    assert price_for(org, customer, pen, D("1"), DAY).unit_price == D("19.00")  # same priority: the older list


def test_validity_dates_and_inactive_lists(org, customer, make_product):
    pen = make_product("PEN")
    november = a_list(
        org,
        "十一月价",
        (pen, "0", "18.00"),
        valid_from=datetime.date(2026, 11, 1),
        valid_to=datetime.date(2026, 11, 30),
        priority=9,
    )
    a_list(org, "停用价", (pen, "0", "1.00"), priority=99, is_active=False)
    assert price_for(org, customer, pen, D("1"), datetime.date(2026, 11, 30)).price_list == november
    assert price_for(org, customer, pen, D("1"), datetime.date(2026, 11, 1)).price_list == november
    assert price_for(org, customer, pen, D("1"), datetime.date(2026, 12, 1)).price_list is None
    assert price_for(org, customer, pen, D("1"), datetime.date(2026, 10, 31)).unit_price == D("20.00")


def test_quantity_breaks(org, customer, make_product):
    pen, ink = make_product("PEN"), make_product("INK", sale_price="30.00")
    a_list(org, "阶梯价", (pen, "0", "19.00"), (pen, "10", "18.00"), (pen, "100", "16.50"), (ink, "5", "28.00"))
    assert [price_for(org, customer, pen, D(q), DAY).unit_price for q in ("1", "9.9999", "10", "99", "100", "500")] == [
        D("19.00"),
        D("19.00"),
        D("18.00"),
        D("18.00"),
        D("16.50"),
        D("16.50"),
    ]
    below = price_for(org, customer, ink, D("4"), DAY)  # no break reaches 4: the product's own price
    assert (below.unit_price, below.price_list) == (D("30.00"), None)
    assert price_for(org, customer, ink, D("5"), DAY).unit_price == D("28.00")


def test_a_list_without_the_product_passes_to_the_next(org, vip, vip_customer, make_product):
    pen, ink = make_product("PEN"), make_product("INK")
    a_list(org, "VIP价", (pen, "0", "17.00"), tag_id=vip.pk)
    general = a_list(org, "通用价", (ink, "0", "9.00"))
    assert price_for(org, vip_customer, ink, D("1"), DAY).price_list == general


def test_an_order_line_takes_the_list_price(org, vip, vip_customer, warehouse, make_product):
    pen = make_product("PEN")
    a_list(org, "VIP价", (pen, "0", "17.00"), (pen, "10", "16.00"), tag_id=vip.pk)
    data = {
        "customer_id": vip_customer.pk,
        "warehouse_id": warehouse.pk,
        "date": DAY,
        "lines": [
            {"product_id": pen.pk, "quantity": "12"},
            {"product_id": pen.pk, "quantity": "2", "unit_price": "20"},
        ],
    }
    so = orders.order_create(organization=org, actor=None, data=data)
    assert [ln.list_price for ln in so.lines.order_by("seq")] == [D("16.00"), D("20")]


def test_create_update_and_delete(org, owner, make_product, vip):
    pen = make_product("PEN")
    price_list = a_list(org, "批发价", (pen, "10", "18.5"), actor=owner, tag_id=vip.pk, priority=3)
    assert (price_list.tag, price_list.priority, price_list.is_active) == (vip, 3, True)
    assert audit_history(organization=org, obj=price_list).get().action == AuditAction.CREATE
    price_list_update(
        organization=org,
        actor=owner,
        price_list_id=price_list.pk,
        data={"name": "批发价", "is_active": False, "items": [{"product_id": pen.pk, "unit_price": "18.00"}]},
    )
    price_list.refresh_from_db()
    assert (price_list.tag, price_list.priority, price_list.is_active) == (None, 0, False)
    assert [(i.min_quantity, i.unit_price) for i in price_list.items.all()] == [(D("0"), D("18.00"))]
    change = audit_history(organization=org, obj=price_list).filter(action=AuditAction.UPDATE).get().changes
    assert change["is_active"] == [True, False]
    assert change["items"] == [["PEN ≥10: 18.5"], ["PEN ≥0: 18"]]
    price_list_delete(organization=org, actor=owner, price_list_id=price_list.pk)
    assert not PriceList.objects.exists()
    assert not PriceListItem.objects.exists()


def test_refusals_name_their_fields_and_save_nothing(org, other_org, make_product):
    pen = make_product("PEN")
    theirs_tag = tag_create(organization=other_org, actor=None, data={"name": "别家"})
    a_list(org, "已有", (pen, "0", "1"))
    before = (PriceList.objects.count(), PriceListItem.objects.count())
    with pytest.raises(InvalidInput) as bad:
        price_list_create(
            organization=org,
            actor=None,
            data={
                "name": "已有",
                "tag_id": theirs_tag.pk,
                "valid_from": datetime.date(2026, 12, 1),
                "valid_to": datetime.date(2026, 11, 1),
                "priority": 10**6,
                "items": [
                    {"product_id": 999_999, "unit_price": "1"},
                    {"product_id": pen.pk, "min_quantity": "-1", "unit_price": "1.1234567"},
                    {"product_id": pen.pk, "min_quantity": "5", "unit_price": "2"},
                    {"product_id": pen.pk, "min_quantity": "5.0", "unit_price": "3"},
                ],
            },
        )
    assert {e.field for e in bad.value.errors} == {
        "name",
        "tag_id",
        "valid_to",
        "priority",
        "items.0.product_id",
        "items.1.min_quantity",
        "items.1.unit_price",
        "items.3.min_quantity",
    }
    with pytest.raises(InvalidInput) as bad:
        price_list_create(organization=org, actor=None, data={"name": "  ", "items": "not a list"})
    assert {e.field for e in bad.value.errors} == {"name", "items"}
    assert (PriceList.objects.count(), PriceListItem.objects.count()) == before


def test_only_price_managers_keep_lists_and_only_their_own(org, other_org, member, make_product):
    pen = make_product("PEN")
    price_list = a_list(org, "零售价", (pen, "0", "20"))
    rep = member("sales")
    with pytest.raises(PermissionRefused):
        a_list(org, "销售自定价", (pen, "0", "1"), actor=rep)
    with pytest.raises(PermissionRefused):
        price_list_delete(organization=org, actor=rep, price_list_id=price_list.pk)
    with pytest.raises(NotFound):
        price_list_delete(organization=other_org, actor=None, price_list_id=price_list.pk)
    assert PriceList.objects.count() == 1
