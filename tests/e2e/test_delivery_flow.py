"""A delivery in a real browser: the warehouse clerk, on a phone, opens the new-delivery page from a confirmed
order, leaves the lot to first-expiry-first-out, posts; the delivery shows its lines and the cost; the clerk types
the tracking number, marks it signed for and opens the delivery note. The set-up (people, customer, product with
two lots, the confirmed order) through the real services.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from playwright.sync_api import expect

from suanpan.catalog.models import Unit, VatRate
from suanpan.catalog.services import product_create
from suanpan.core.services import membership_add
from suanpan.inventory.choices import MoveKind
from suanpan.inventory.models import Lot, LotStock
from suanpan.inventory.posting import MoveSpec
from suanpan.inventory.services import stock_post, warehouse_create
from suanpan.onboarding import organization_open
from suanpan.partners.choices import PartnerRole
from suanpan.partners.services import partner_create
from suanpan.sales import orders
from suanpan.sales.models import Delivery
from suanpan.verify import verify_organization
from tests.e2e.conftest import PHONE, AppPage, SalesLogin

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
    pytest.mark.filterwarnings("ignore:Session-scoped fixtures defined as instance methods"),
]
D = Decimal
PASSWORD = "pass-2024-word"


@pytest.fixture
def shop(transactional_db: None) -> dict[str, object]:
    users = get_user_model().objects
    owner = users.create_user("wang.zong", password=PASSWORD, first_name="王总")
    org = organization_open(owner=owner, data={"name": "华东食品贸易有限公司"})
    clerk = users.create_user("sun.cg", password=PASSWORD, first_name="孙仓管")
    membership_add(organization=org, actor=owner, user=clerk, roles=["warehouse"])
    customer = partner_create(
        organization=org, actor=owner, role=PartnerRole.CUSTOMER, data={"name": "上海静安便利店有限公司"}
    )
    warehouse = warehouse_create(organization=org, actor=owner, data={"code": "WH01", "name": "上海总仓"})
    milk = product_create(
        organization=org,
        actor=owner,
        data={
            "code": "MILK-1L",
            "name": "纯牛奶 1L",
            "unit": Unit.objects.filter(organization=org).first(),
            "vat_rate": VatRate.objects.get(organization=org, rate="0.09"),
            "sale_price": "12.00",
            "is_batch_tracked": True,
        },
    )
    today = timezone.localdate()
    for number, expiry, quantity in (
        ("M2701", today + datetime.timedelta(days=90), "20"),
        ("M2612", today + datetime.timedelta(days=20), "6"),
    ):
        lot = Lot.objects.create(organization=org, product=milk, number=number, expiry_date=expiry)
        stock_post(
            organization=org,
            actor=None,
            date=today,
            moves=[MoveSpec(milk.pk, warehouse.pk, D(quantity), MoveKind.OPENING, lot_id=lot.pk, unit_cost=D("7.50"))],
        )
    order = orders.order_create(
        organization=org,
        actor=owner,
        data={
            "customer_id": customer.pk,
            "warehouse_id": warehouse.pk,
            "date": today,
            "lines": [{"product_id": milk.pk, "quantity": "10"}],
        },
    )
    order = orders.order_confirm(organization=org, actor=owner, order_id=order.pk)
    return {"org": org, "order": order, "milk": milk}


def test_clerk_delivers_first_expiry_first_out_on_a_phone(app: AppPage, shop: dict[str, object]) -> None:
    org, order = shop["org"], shop["order"]
    page = app.page
    page.set_viewport_size(PHONE)
    app.log_in(SalesLogin("sun.cg", PASSWORD, org))  # type: ignore[arg-type]

    page.goto(app.url("sales:delivery_create") + f"?order={order.pk}")  # type: ignore[attr-defined]
    form = page.locator("#delivery-form")
    expect(form.locator("input[name='lines-0-quantity']")).to_have_value("10")
    expect(form.locator(".fefo-hint")).to_contain_text("M2612 × 6")
    expect(form.locator(".fefo-hint")).to_contain_text("M2701 × 4")
    form.locator("#id_carrier").fill("顺丰速运")
    app.shot("delivery-1-form-phone")
    form.locator("#delivery-lines").scroll_into_view_if_needed()
    app.shot("delivery-1-lines-phone", full_page=False)
    form.locator("#post-delivery").click()

    delivery = Delivery.objects.get()
    expect(page).to_have_url(app.url("sales:delivery_detail", delivery.pk))
    lines = page.locator("#delivery-lines")
    expect(lines).to_contain_text("M2612")
    expect(lines).to_contain_text("M2701")
    expect(page.locator("#delivery-cost")).to_contain_text("75.00")
    app.shot("delivery-2-detail-phone")

    page.locator("#id_tracking").fill("SF1400000001")
    page.locator("#save-logistics").click()
    expect(page.locator("#id_tracking")).to_have_value("SF1400000001")
    page.locator("#mark-signed").click()
    expect(page.locator("#signed-badge")).to_be_visible()
    app.shot("delivery-3-signed-phone")

    page.set_viewport_size({"width": 1024, "height": 900})
    page.goto(app.url("sales:delivery_print", delivery.pk))
    expect(page.locator("#print-lines")).to_contain_text("纯牛奶 1L")
    expect(page.locator("#print-meta")).to_contain_text("SF1400000001")
    app.shot("delivery-4-note")
    app.assert_no_problems()

    delivery.refresh_from_db()
    assert (delivery.tracking_number, delivery.signed_date) == ("SF1400000001", timezone.localdate())
    assert dict(LotStock.objects.values_list("lot__number", "on_hand")) == {"M2612": D("0"), "M2701": D("16")}
    assert {r.check: r.differences for r in verify_organization(org) if r.differences} == {}  # type: ignore[arg-type]
