"""A sales rep's two days on a phone, with the clock frozen: on Thursday 李娜 logs a phone call with her customer
and sets the next follow-up for tomorrow with the quick button; her "my day" shows nothing due yet. On Friday
morning the same page lists the customer with the next action as due today. The customer accepted the quote
meanwhile: she opens it and turns it into a sales order in one click — the order has the quote's lines and
prices, the quote shows the order, and `verify` stays clean. Set-up (people, customer, product, stock, quote)
through the real services; the browser does what she does.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from suanpan.catalog.models import Unit, VatRate
from suanpan.catalog.services import product_create
from suanpan.core.services import membership_add
from suanpan.crm import quotes
from suanpan.crm.models import FollowUp, Quote
from suanpan.inventory.choices import MoveKind
from suanpan.inventory.posting import MoveSpec
from suanpan.inventory.services import stock_post, warehouse_create
from suanpan.onboarding import organization_open
from suanpan.partners.choices import PartnerRole
from suanpan.partners.services import partner_create
from suanpan.sales.models import SalesOrder
from suanpan.verify import verify_organization
from tests.e2e.conftest import PHONE, AppPage, SalesLogin

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
    pytest.mark.filterwarnings("ignore:Session-scoped fixtures defined as instance methods"),
    pytest.mark.browser_context_args(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True),
]
D = Decimal
PASSWORD = "pass-2024-word"
SHANGHAI = ZoneInfo("Asia/Shanghai")
THURSDAY = datetime.datetime(2026, 11, 26, 10, 0, tzinfo=SHANGHAI)
FRIDAY = datetime.datetime(2026, 11, 27, 9, 0, tzinfo=SHANGHAI)


@pytest.fixture
def rep_world(transactional_db: None) -> dict[str, object]:
    users = get_user_model().objects
    owner = users.create_user("wang.zong", password=PASSWORD, first_name="王总")
    org = organization_open(owner=owner, data={"name": "华东办公用品有限公司"})
    rep = users.create_user("li.na", password=PASSWORD, first_name="李娜")
    membership_add(organization=org, actor=owner, user=rep, roles=["sales"])
    customer = partner_create(
        organization=org,
        actor=owner,
        role=PartnerRole.CUSTOMER,
        data={"name": "上海东方电子有限公司", "credit_limit": "50000.00", "owner": rep},
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
            "sale_price": "1999.00",
        },
    )
    stock_post(
        organization=org,
        actor=None,
        date=THURSDAY.date(),
        moves=[MoveSpec(printer.pk, warehouse.pk, D(20), MoveKind.OPENING, unit_cost=D("1500.00"))],
    )
    quote = quotes.quote_create(
        organization=org,
        actor=rep,
        data={
            "customer_id": customer.pk,
            "date": THURSDAY.date(),
            "lines": [{"product_id": printer.pk, "quantity": "3", "unit_price": "1899.00", "discount": "5"}],
        },
        today=THURSDAY.date(),
    )
    quotes.quote_send(organization=org, actor=rep, quote_id=quote.pk)
    return {"org": org, "rep": rep, "customer": customer, "quote": quote, "printer": printer}


def test_a_rep_logs_a_follow_up_sees_it_due_next_day_and_turns_a_quote_into_an_order(
    app: AppPage, rep_world: dict[str, object]
) -> None:
    org, customer, quote = rep_world["org"], rep_world["customer"], rep_world["quote"]
    page = app.page

    with time_machine.travel(THURSDAY, tick=True):
        app.log_in(SalesLogin(username="li.na", password=PASSWORD, organization=org))  # type: ignore[arg-type]
        page.goto(app.url("crm:followup_new") + f"?customer={customer.pk}")  # type: ignore[attr-defined]
        expect(page.locator("#followup-subject")).to_contain_text("上海东方电子有限公司")
        page.locator('label[for="fu-kind-call"]').click()
        page.fill("#fu-content", "电话沟通打印机报价，客户说明天给答复")
        page.locator(".sp-fu-quick button").first.click()  # tomorrow
        expect(page.locator("#fu-next-on")).to_have_value("2026-11-27")
        page.fill("#fu-next-action", "确认报价是否接受")
        app.shot("crm-day-01-follow-up-phone")
        page.locator("#followup-submit").click()
        expect(page.locator("#followup-timeline")).to_contain_text("电话沟通打印机报价")
        followup = FollowUp.objects.get(organization=org, customer=customer)
        assert (followup.kind, followup.next_on, followup.next_action) == (
            "call",
            datetime.date(2026, 11, 27),
            "确认报价是否接受",
        )
        page.goto(app.url("crm:my_day"))
        expect(page.locator("#nothing-due")).to_be_visible()
        expect(page.locator("#logged-count")).to_have_text("1")

    with time_machine.travel(FRIDAY, tick=True):
        page.goto(app.url("crm:my_day"))
        due = page.locator("#due")
        expect(page.locator("#due-count")).to_have_text("1")
        expect(due).to_contain_text("上海东方电子有限公司")
        expect(due).to_contain_text("确认报价是否接受")
        app.shot("crm-day-02-my-day-next-morning-phone")

        page.goto(app.url("crm:quote_detail", quote.pk))  # type: ignore[attr-defined]
        page.locator("#accept").click()
        expect(page.locator("#to-order")).to_be_visible()
        page.locator("#to-order").click()
        order = SalesOrder.objects.get(organization=org)
        expect(page).to_have_url(app.url("sales:order_detail", order.pk))
        app.shot("crm-day-03-order-from-quote-phone")

    quote = Quote.objects.get(pk=quote.pk)  # type: ignore[attr-defined]
    assert (quote.status, quote.sales_order_id) == ("ordered", order.pk)
    line = order.lines.get()
    assert (line.product_id, line.quantity, line.unit_price, order.total) == (
        rep_world["printer"].pk,  # type: ignore[attr-defined]
        D("3"),
        quote.lines.get().unit_price,
        quote.total,
    )
    assert order.customer_id == customer.pk  # type: ignore[attr-defined]
    assert {r.check: r.differences for r in verify_organization(org) if r.differences} == {}  # type: ignore[arg-type]
    app.assert_no_problems()
