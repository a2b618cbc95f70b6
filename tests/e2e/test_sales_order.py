"""Two sales reps and the last five units, in a real browser on a phone: 李娜 enters an order for a customer, sees
the warehouse's available quantity and the customer's balance and credit limit appear as she types, and saves it;
张伟 enters an order for the same units meanwhile (he too still sees five available). 李娜 confirms hers: the five
are reserved. When 张伟 confirms, the order page refuses it with a message naming the product and what is
left, and his order stays a draft; his new order form now shows nothing available. Data typed in the browser;
the set-up (people, customer, product, stock) through the real services.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from suanpan.catalog.models import Unit, VatRate
from suanpan.catalog.services import product_create
from suanpan.core.services import membership_add
from suanpan.inventory.choices import MoveKind
from suanpan.inventory.models import StockLevel
from suanpan.inventory.posting import MoveSpec
from suanpan.inventory.services import stock_post, warehouse_create
from suanpan.onboarding import organization_open
from suanpan.partners.choices import PartnerRole
from suanpan.partners.services import partner_create
from suanpan.sales.models import SalesOrder
from suanpan.verify import verify_organization
from tests.e2e.conftest import DESKTOP, PHONE, AppPage, SalesLogin

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
    pytest.mark.filterwarnings("ignore:Session-scoped fixtures defined as instance methods"),
    pytest.mark.browser_context_args(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True),
]
D = Decimal
PASSWORD = "pass-2024-word"


@pytest.fixture
def shop(transactional_db: None) -> dict[str, object]:
    users = get_user_model().objects
    owner = users.create_user("wang.zong", password=PASSWORD, first_name="王总")
    org = organization_open(owner=owner, data={"name": "华东办公用品有限公司"})
    for username, name in (("li.na", "李娜"), ("zhang.wei", "张伟")):
        user = users.create_user(username, password=PASSWORD, first_name=name)
        membership_add(organization=org, actor=owner, user=user, roles=["sales"])
    customer = partner_create(
        organization=org,
        actor=owner,
        role=PartnerRole.CUSTOMER,
        data={"name": "上海东方电子有限公司", "credit_limit": "50000.00", "payment_terms_days": 30},
    )
    warehouse = warehouse_create(organization=org, actor=owner, data={"code": "WH01", "name": "上海总仓"})
    printer = product_create(
        organization=org,
        actor=owner,
        data={
            "code": "HP-M404",
            "name": "激光打印机",
            "unit": Unit.objects.filter(organization=org).first(),
            "vat_rate": VatRate.objects.get(organization=org, rate="0.13"),
            "purchase_price": "1500.00",
            "sale_price": "1999.00",
        },
    )
    stock_post(
        organization=org,
        actor=None,
        date=org.created_at.date(),
        moves=[MoveSpec(printer.pk, warehouse.pk, D(5), MoveKind.OPENING, unit_cost=D("1500.00"))],
    )
    return {"org": org, "customer": customer, "warehouse": warehouse, "printer": printer}


def login(app: AppPage, username: str, org: object) -> None:
    app.page.context.clear_cookies()
    app.log_in(SalesLogin(username=username, password=PASSWORD, organization=org))  # type: ignore[arg-type]


def enter_order(app: AppPage, shop: dict[str, object], quantity: str, *, shot: str) -> SalesOrder:
    """Fill the order form line by line, watching the live availability and the customer's exposure."""
    page = app.page
    customer, printer = shop["customer"], shop["printer"]
    before = set(SalesOrder.objects.values_list("pk", flat=True))
    page.goto(app.url("sales:order_create"))
    page.select_option("#id_customer_id", value=str(customer.pk))  # type: ignore[attr-defined]
    expect(page.locator("#exposure-limit")).to_contain_text("50,000.00")
    page.select_option('select[name="lines-0-product"]', value=str(printer.pk))  # type: ignore[attr-defined]
    expect(page.locator("#line-info-0 .sp-avail-qty")).to_have_text("5")
    expect(page.locator("#line-info-0 .sp-list-price")).to_contain_text("1999")
    page.fill('input[name="lines-0-quantity"]', quantity)
    page.locator('input[name="lines-0-quantity"]').blur()
    expect(page.locator("#line-info-0 .sp-avail-short")).to_have_count(0)
    app.shot(shot)
    page.locator("#save-order").click()
    (order,) = SalesOrder.objects.exclude(pk__in=before)
    expect(page).to_have_url(app.url("sales:order_detail", order.pk))
    return order


def test_two_reps_and_the_last_units_on_a_phone(app: AppPage, shop: dict[str, object]) -> None:
    org, printer, warehouse = shop["org"], shop["printer"], shop["warehouse"]
    page = app.page

    login(app, "li.na", org)
    page.goto(app.url("sales:order_list"))
    expect(page.locator("#create-record")).to_be_visible()
    first = enter_order(app, shop, "5", shot="sales-order-01-form-phone")

    login(app, "zhang.wei", org)
    second = enter_order(app, shop, "2", shot="sales-order-02-second-form-phone")

    login(app, "li.na", org)
    page.goto(app.url("sales:order_detail", first.pk))
    page.locator("#confirm").click()
    expect(page.locator("#order-status")).to_have_attribute("class", "badge text-bg-primary")
    expect(page.locator('#order-lines td[data-col="reserved"]')).to_have_text("5")
    app.shot("sales-order-03-confirmed-phone")
    first.refresh_from_db()
    assert (first.status, first.number) == ("confirmed", first.number)
    assert first.number.startswith("SO")

    login(app, "zhang.wei", org)
    page.goto(app.url("sales:order_detail", second.pk))
    page.locator("#confirm").click()
    refusal = page.locator("#action-refusal")
    expect(refusal).to_be_visible()
    expect(refusal).to_contain_text("HP-M404")
    expect(refusal).to_contain_text("2")
    expect(refusal).to_contain_text("0")
    expect(page.locator("#confirm")).to_be_visible()  # still a draft he may change
    app.shot("sales-order-04-refused-phone")
    second.refresh_from_db()
    assert (second.status, second.number) == ("draft", "")

    page.goto(app.url("sales:order_create"))
    page.select_option('select[name="lines-0-product"]', value=str(printer.pk))  # type: ignore[attr-defined]
    expect(page.locator("#line-info-0 .sp-avail-qty")).to_have_text("0")
    page.fill('input[name="lines-0-quantity"]', "1")
    page.locator('input[name="lines-0-quantity"]').blur()
    expect(page.locator("#line-info-0 .sp-avail-short")).to_be_visible()
    blank = page.locator("#order-lines tbody tr").count()
    page.locator("#add-line").click()
    expect(page.locator(f'select[name="lines-{blank}-product"]')).to_be_visible()
    expect(page.locator("#line-count")).to_have_value(str(blank + 1))
    app.shot("sales-order-05-nothing-left-phone")

    page.goto(app.url("sales:order_list"))
    expect(page.locator("#results tbody tr")).to_have_count(2)
    app.shot("sales-order-06-list-phone")
    page.set_viewport_size(DESKTOP)
    page.goto(app.url("sales:order_detail", first.pk))
    expect(page.locator("#order-lines")).to_be_visible()
    app.shot("sales-order-07-detail-desktop")
    page.goto(app.url("sales:order_edit", second.pk))
    expect(page.locator("#line-info-0 .sp-avail-qty")).to_have_text("0")
    app.shot("sales-order-08-form-desktop")

    level = StockLevel.objects.get(organization=org, product=printer, warehouse=warehouse)
    assert (level.on_hand, level.reserved) == (D("5"), D("5"))
    assert [r.differences for r in verify_organization(org) if r.differences] == []  # type: ignore[arg-type]
    app.assert_no_problems()
