"""Purchase to stock, in a real browser: the buyer orders ink cartridges from a supplier, the owner approves,
the warehouse clerk receives part of it with a lot number on a phone; the stock page shows what came in and
the receipt's voucher is in the books. Data typed in the browser; the set-up (people, supplier, product,
warehouse) through the real services.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from suanpan.catalog.models import Unit, VatRate
from suanpan.catalog.services import product_create
from suanpan.core.services import membership_add
from suanpan.inventory.models import LotStock, StockLevel
from suanpan.inventory.services import warehouse_create
from suanpan.onboarding import organization_open
from suanpan.partners.choices import PartnerRole
from suanpan.partners.services import partner_create
from suanpan.purchasing.models import PurchaseOrder, Receipt
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
    org = organization_open(owner=owner, data={"name": "华东办公用品有限公司"})
    for username, name, role in (("zhao.cg", "赵采购", "purchasing"), ("sun.cg", "孙仓管", "warehouse")):
        membership_add(organization=org, actor=owner, user=users.create_user(username, password=PASSWORD), roles=[role])
        users.filter(username=username).update(first_name=name)
    supplier = partner_create(
        organization=org, actor=owner, role=PartnerRole.SUPPLIER, data={"name": "珠海香洲耗材科技有限公司"}
    )
    warehouse = warehouse_create(organization=org, actor=owner, data={"code": "WH01", "name": "上海总仓"})
    ink = product_create(
        organization=org,
        actor=owner,
        data={
            "code": "INK-845",
            "name": "墨盒",
            "unit": Unit.objects.filter(organization=org).first(),
            "vat_rate": VatRate.objects.get(organization=org, rate="0.13"),
            "purchase_price": "85.00",
            "sale_price": "129.00",
            "is_batch_tracked": True,
        },
    )
    return {"org": org, "supplier": supplier, "warehouse": warehouse, "ink": ink}


def login(app: AppPage, username: str, org: object) -> None:
    app.page.context.clear_cookies()
    app.log_in(SalesLogin(username=username, password=PASSWORD, organization=org))  # type: ignore[arg-type]


def test_order_approve_and_receive_with_a_lot(app: AppPage, shop: dict[str, object]) -> None:
    org, ink, supplier, warehouse = shop["org"], shop["ink"], shop["supplier"], shop["warehouse"]
    page = app.page

    login(app, "zhao.cg", org)
    page.goto(app.url("purchasing:order_create"))
    page.select_option("#id_supplier_id", value=str(supplier.pk))  # type: ignore[attr-defined]
    page.select_option("#id_warehouse_id", value=str(warehouse.pk))  # type: ignore[attr-defined]
    page.select_option('select[name="lines-0-product"]', value=str(ink.pk))  # type: ignore[attr-defined]
    page.fill('input[name="lines-0-quantity"]', "10")
    page.fill('input[name="lines-0-unit_price"]', "85")
    app.shot("purchase-01-order-form")
    page.locator("#order-form button[type=submit]").click()
    expect(page.locator("#order-total")).to_have_text("960.50")  # 850.00 + 13 % VAT 110.50
    order = PurchaseOrder.objects.get(organization=org)
    expect(page.locator("#approve")).to_have_count(0)  # the buyer does not approve his own spending

    login(app, "wang.zong", org)
    page.goto(app.url("purchasing:order_detail", order.pk))
    page.locator("#approve").click()
    expect(page.locator("#receive")).to_be_visible()

    login(app, "sun.cg", org)
    page.set_viewport_size(PHONE)
    page.goto(app.url("purchasing:order_detail", order.pk))
    page.locator("#receive").click()
    page.fill('input[name="lines-0-quantity"]', "6")
    page.locator("#post-receipt").click()  # no lot number on a batch-tracked product
    expect(page.locator(".invalid-feedback").first).to_be_visible()
    assert not Receipt.objects.filter(organization=org).exists()
    page.fill('input[name="lines-0-lot_number"]', "L2611A")
    page.fill('input[name="lines-0-production_date"]', "2026-10-01")
    page.fill('input[name="lines-0-expiry_date"]', "2028-09-30")
    app.shot("purchase-02-receive-phone")
    page.locator("#post-receipt").click()
    expect(page).to_have_url(app.url("purchasing:receipt_detail", Receipt.objects.get(organization=org).pk))
    app.shot("purchase-03-receipt-phone")

    page.goto(app.url("inventory:stock_balance"))
    expect(page.locator("body")).to_contain_text("INK-845")
    app.shot("purchase-04-stock-phone")
    level = StockLevel.objects.get(organization=org, product=ink)
    assert (level.on_hand, level.value) == (D("6"), D("510.00"))
    assert LotStock.objects.get(organization=org, lot__number="L2611A").on_hand == D("6")
    order.refresh_from_db()
    assert order.status == "partially_received"
    assert [r.differences for r in verify_organization(org) if r.differences] == []  # type: ignore[arg-type]
    app.assert_no_problems()
