"""Opportunity, board, stage and quote pages: what they show, the kanban move endpoint (HTMX and plain form), the
forms, the quote actions and PDF, data scope (another rep's records are 404) and the roles."""

from __future__ import annotations

import datetime
import re
import subprocess
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.utils import translation
from django.utils.translation import gettext
from tests.crm_cases_opportunities import make_opportunity, make_quote, opp_customer, stage
from tests.sales_order_resources import _product, _warehouse

from suanpan.core.choices import Role
from suanpan.core.permissions import ROLE_PERMISSIONS, P
from suanpan.crm import opportunities as opps
from suanpan.crm import quotes
from suanpan.crm.choices import QuoteStatus
from suanpan.crm.models import Opportunity, Quote, Stage, StageChange
from suanpan.sales.models import SalesOrder

HX = {"HTTP_HX_REQUEST": "true"}


def login(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def rep(member: Any) -> Any:
    return member("sales")


@pytest.fixture
def rep_client(rep: Any) -> Client:
    return login(rep)


@pytest.fixture
def customer(org: Any, rep: Any) -> Any:
    return opp_customer(org, rep, "北京星河科技有限公司")


def pdf_text(content: bytes) -> str:
    assert content.startswith(b"%PDF-"), content[:200]
    done = subprocess.run(["pdftotext", "-layout", "-", "-"], input=content, capture_output=True, check=True)  # noqa: S607
    return done.stdout.decode()


# Board and move --------------------------------------------------------------------------------------------------


def test_the_board_has_a_column_per_active_stage_with_count_and_amount(org, rep, rep_client, member, customer):
    make_opportunity(org, rep, customer_id=customer.pk, name="甲单", amount="1000.50")
    make_opportunity(org, rep, customer_id=customer.pk, name="乙单", amount="2000")
    talks = make_opportunity(org, rep, customer_id=customer.pk, name="丙单", amount="300")
    opps.opportunity_move(organization=org, actor=rep, opportunity_id=talks.pk, stage_id=stage(org, "谈判").pk)
    make_opportunity(org, member("sales"), name="别人的单", amount="99999")
    page = rep_client.get("/crm/opportunities/board/")
    assert page.status_code == 200
    html = page.content.decode()
    first, negotiation = stage(org, "初步接洽"), stage(org, "谈判")
    head = re.search(rf'id="col-head-{first.pk}".*?</header>', html, re.S).group(0)
    assert 'data-count="2"' in head
    assert 'data-amount="3000.50"' in head
    head = re.search(rf'id="col-head-{negotiation.pk}".*?</header>', html, re.S).group(0)
    assert 'data-count="1"' in head
    assert "甲单" in html
    assert "丙单" in html
    assert "别人的单" not in html
    assert html.count('class="sp-kanban-col"') == Stage.objects.filter(organization=org, is_active=True).count()
    assert "vendor/sortablejs/Sortable.min.js" in html


def test_the_board_filters_by_owner_customer_and_close_month(org, rep, rep_client, customer):
    make_opportunity(org, rep, customer_id=customer.pk, name="十一月单", expected_close_on=datetime.date(2026, 11, 20))
    other = opp_customer(org, rep, "上海东方文具贸易有限公司")
    make_opportunity(org, rep, customer_id=other.pk, name="十二月单", expected_close_on=datetime.date(2026, 12, 5))
    html = rep_client.get("/crm/opportunities/board/", {"close_month": "2026-11"}).content.decode()
    assert "十一月单" in html
    assert "十二月单" not in html
    html = rep_client.get("/crm/opportunities/board/", {"customer": other.pk}).content.decode()
    assert "十二月单" in html
    assert "十一月单" not in html
    html = rep_client.get("/crm/opportunities/board/", {"owner": rep.pk}).content.decode()
    assert "十一月单" in html
    assert "十二月单" in html


def test_the_htmx_move_answers_the_card_and_the_new_column_counts(org, rep, rep_client, customer):
    opp = make_opportunity(org, rep, customer_id=customer.pk, amount="500")
    target = stage(org, "需求确认")
    r = rep_client.post(f"/crm/opportunities/{opp.pk}/move/", {"stage": target.pk}, **HX)
    assert r.status_code == 200
    html = r.content.decode()
    assert f'id="opp-{opp.pk}"' in html
    head = re.search(rf'id="col-head-{target.pk}" hx-swap-oob="true".*?</header>', html, re.S).group(0)
    assert 'data-count="1"' in head
    assert 'data-amount="500.00"' in head
    opp.refresh_from_db()
    assert opp.stage == target
    assert StageChange.objects.filter(opportunity=opp).count() == 2


def test_a_drop_on_a_lost_column_without_a_reason_is_refused_with_the_message(org, rep, rep_client, customer):
    opp = make_opportunity(org, rep, customer_id=customer.pk)
    lost = stage(org, "输单")
    r = rep_client.post(f"/crm/opportunities/{opp.pk}/move/", {"stage": lost.pk, "loss_reason": ""}, **HX)
    assert r.status_code == 422
    assert r["Content-Type"].startswith("text/plain")
    with translation.override("zh-hans"):  # the UI's default language
        assert r.content.decode() == gettext("Say why the opportunity was lost.")
    opp.refresh_from_db()
    assert opp.stage.name == "初步接洽"
    r = rep_client.post(f"/crm/opportunities/{opp.pk}/move/", {"stage": lost.pk, "loss_reason": "价格"}, **HX)
    assert r.status_code == 200
    opp.refresh_from_db()
    assert (opp.stage, opp.loss_reason) == (lost, "价格")


def test_the_move_form_works_without_javascript(org, rep, rep_client, customer):
    opp = make_opportunity(org, rep, customer_id=customer.pk)
    won = stage(org, "赢单")
    r = rep_client.post(
        f"/crm/opportunities/{opp.pk}/move/", {"stage": won.pk, "next": "/crm/opportunities/board/?owner=1"}
    )
    assert (r.status_code, r["Location"]) == (302, "/crm/opportunities/board/?owner=1")
    opp.refresh_from_db()
    assert opp.stage == won
    r = rep_client.post(
        f"/crm/opportunities/{opp.pk}/move/", {"stage": stage(org, "输单").pk, "next": "https://evil.example/"}
    )
    assert (r.status_code, r["Location"]) == (302, f"/crm/opportunities/{opp.pk}/")
    opp.refresh_from_db()
    assert opp.stage == won  # refused: no reason


def test_another_reps_opportunity_is_404_on_every_page(org, rep_client, member):
    theirs = make_opportunity(org, member("sales"))
    for url in (f"/crm/opportunities/{theirs.pk}/", f"/crm/opportunities/{theirs.pk}/edit/"):
        assert rep_client.get(url).status_code == 404
    assert rep_client.post(f"/crm/opportunities/{theirs.pk}/move/", {"stage": stage(org, "谈判").pk}).status_code == 404
    assert rep_client.post(f"/crm/opportunities/{theirs.pk}/edit/", {"name": "抢"}).status_code == 404
    theirs.refresh_from_db()
    assert (theirs.name, theirs.stage.name) == ("年度办公用品采购", "初步接洽")
    assert "年度办公用品采购" not in rep_client.get("/crm/opportunities/").content.decode()


# Opportunity pages -----------------------------------------------------------------------------------------------


def test_create_and_edit_an_opportunity_through_the_form(org, rep, rep_client, customer):
    product = _product(org)
    page = rep_client.get(f"/crm/opportunities/new/?customer={customer.pk}")
    assert page.status_code == 200
    assert f'<option value="{customer.pk}" selected>' in page.content.decode()
    r = rep_client.post(
        "/crm/opportunities/new/",
        {
            "name": "复印纸年框",
            "customer_id": customer.pk,
            "amount": "88000",
            "expected_close_on": "2026-12-31",
            "product_ids": [product.pk],
            "stage_id": stage(org, "需求确认").pk,
        },
    )
    assert r.status_code == 302
    opp = Opportunity.objects.get(organization=org)
    assert r["Location"] == f"/crm/opportunities/{opp.pk}/"
    assert (opp.name, opp.owner, opp.amount, opp.stage.name) == ("复印纸年框", rep, Decimal("88000"), "需求确认")
    assert list(opp.products.all()) == [product]
    r = rep_client.post(
        f"/crm/opportunities/{opp.pk}/edit/",
        {"name": "复印纸年框（改）", "customer_id": customer.pk, "amount": "-5", "probability": "45"},
    )
    assert r.status_code == 422
    assert 'data-field="amount"' in r.content.decode()
    r = rep_client.post(
        f"/crm/opportunities/{opp.pk}/edit/",
        {"name": "复印纸年框（改）", "customer_id": customer.pk, "amount": "90000", "probability": "45"},
    )
    assert r.status_code == 302
    opp.refresh_from_db()
    assert (opp.name, opp.amount, opp.probability) == ("复印纸年框（改）", Decimal("90000"), Decimal("45"))


def test_the_contact_choices_follow_the_customer(org, rep_client, customer, member):
    from suanpan.partners import services as partners
    from suanpan.partners.choices import PartnerRole

    partners.contact_create(
        organization=org, actor=None, role=PartnerRole.CUSTOMER, partner_id=customer.pk, data={"name": "王经理"}
    )
    theirs = opp_customer(org, member("sales"), "别人的客户")
    partners.contact_create(
        organization=org, actor=None, role=PartnerRole.CUSTOMER, partner_id=theirs.pk, data={"name": "李总"}
    )
    html = rep_client.get("/crm/opportunities/contacts/", {"customer_id": customer.pk}).content.decode()
    assert "王经理" in html
    assert "李总" not in rep_client.get("/crm/opportunities/contacts/", {"customer_id": theirs.pk}).content.decode()


def test_the_opportunity_page_shows_history_quotes_orders_and_the_follow_up_panel(org, rep, rep_client, customer):
    opp = make_opportunity(org, rep, customer_id=customer.pk)
    opps.opportunity_move(organization=org, actor=rep, opportunity_id=opp.pk, stage_id=stage(org, "方案报价").pk)
    ordered = make_quote(org, "ordered", rep, customer_id=customer.pk, opportunity_id=opp.pk)
    html = rep_client.get(f"/crm/opportunities/{opp.pk}/").content.decode()
    assert opp.number in html
    assert "初步接洽 → 方案报价" in html
    assert ordered.number in html
    assert f'href="/sales/orders/{ordered.sales_order_id}/"' in html
    assert f'hx-get="/crm/follow-ups/panel/?opportunity={opp.pk}"' in html
    assert f'href="/crm/quotes/new/?opportunity={opp.pk}"' in html


def test_the_list_filters_by_status(org, rep, rep_client, customer):
    make_opportunity(org, rep, customer_id=customer.pk, name="开着的")
    won = make_opportunity(org, rep, customer_id=customer.pk, name="赢了的")
    opps.opportunity_move(organization=org, actor=rep, opportunity_id=won.pk, stage_id=stage(org, "赢单").pk)
    html = rep_client.get("/crm/opportunities/", {"status": "won"}).content.decode()
    assert "赢了的" in html
    assert "开着的" not in html
    html = rep_client.get("/crm/opportunities/", {"status": "open"}).content.decode()
    assert "开着的" in html
    assert "赢了的" not in html


# Stages ----------------------------------------------------------------------------------------------------------


def test_stage_pages_create_edit_reorder_and_refuse(org, owner_client):
    assert owner_client.get("/crm/stages/").status_code == 200
    r = owner_client.post("/crm/stages/new/", {"name": "样品", "kind": "open", "probability": "40", "is_active": "on"})
    assert r.status_code == 302
    sample = Stage.objects.get(organization=org, name="样品")
    lost = stage(org, "输单")
    r = owner_client.post(f"/crm/stages/{lost.pk}/edit/", {"name": "输单", "kind": "lost", "probability": "0"})
    assert r.status_code == 422  # the last active lost stage
    lost.refresh_from_db()
    assert lost.is_active
    ids = [s.pk for s in opps.stage_list(organization=org)]
    r = owner_client.post("/crm/stages/reorder/", {"ids": ",".join(str(i) for i in reversed(ids))})
    assert r.status_code == 302
    assert [s.pk for s in opps.stage_list(organization=org)] == list(reversed(ids))
    assert owner_client.post("/crm/stages/reorder/", {"ids": "1"}, **HX).status_code == 422
    r = owner_client.post(f"/crm/stages/{sample.pk}/delete/")
    assert r.status_code == 302
    assert not Stage.objects.filter(pk=sample.pk).exists()


# Quotes ----------------------------------------------------------------------------------------------------------


def test_a_quote_made_from_the_opportunity_page_is_prefilled(org, rep, rep_client, customer):
    product = _product(org)
    opp = make_opportunity(org, rep, customer_id=customer.pk, product_ids=[product.pk])
    html = rep_client.get(f"/crm/quotes/new/?opportunity={opp.pk}").content.decode()
    assert f'<option value="{customer.pk}" selected>' in html
    assert f'<option value="{opp.pk}" selected>' in html
    assert f'<option value="{product.pk}" selected>' in html
    r = rep_client.post(
        "/crm/quotes/new/",
        {
            "customer_id": customer.pk,
            "opportunity_id": opp.pk,
            "date": "2026-11-05",
            "line_count": "2",
            "lines-0-product": product.pk,
            "lines-0-quantity": "10",
            "lines-0-discount": "5",
            "lines-1-product": product.pk,
            "lines-1-quantity": "0",
        },
    )
    assert r.status_code == 422
    assert re.search(r'name="lines-1-quantity"[^>]*aria-invalid="true"', r.content.decode())
    assert not Quote.objects.filter(organization=org).exists()
    r = rep_client.post(
        "/crm/quotes/new/",
        {
            "customer_id": customer.pk,
            "opportunity_id": opp.pk,
            "date": "2026-11-05",
            "line_count": "1",
            "lines-0-product": product.pk,
            "lines-0-quantity": "10",
            "lines-0-discount": "5",
        },
    )
    quote = Quote.objects.get(organization=org)
    assert r["Location"] == f"/crm/quotes/{quote.pk}/"
    assert (quote.opportunity, quote.total, str(quote.valid_until)) == (opp, Decimal("214.70"), "2026-12-05")


def test_quote_actions_through_the_page_to_the_order(org, rep, rep_client, customer):
    quote = make_quote(org, "draft", rep, customer_id=customer.pk)
    assert rep_client.post(f"/crm/quotes/{quote.pk}/send/").status_code == 302
    assert rep_client.post(f"/crm/quotes/{quote.pk}/order/").status_code == 422  # not accepted yet
    assert rep_client.post(f"/crm/quotes/{quote.pk}/accept/").status_code == 302
    r = rep_client.post(f"/crm/quotes/{quote.pk}/order/")
    order = SalesOrder.objects.get(organization=org)
    assert (r.status_code, r["Location"]) == (302, f"/sales/orders/{order.pk}/")
    quote.refresh_from_db()
    assert quote.status == QuoteStatus.ORDERED
    r = rep_client.post(f"/crm/quotes/{quote.pk}/order/")
    assert r.status_code == 422
    assert 'id="action-refusal"' in r.content.decode()
    assert SalesOrder.objects.filter(organization=org).count() == 1
    assert rep_client.post(f"/crm/quotes/{quote.pk}/bogus/").status_code == 404
    html = rep_client.get("/crm/quotes/").content.decode()
    assert quote.number in html
    assert str(order) in html


def test_revise_through_the_page_leads_to_the_new_version(org, rep, rep_client, customer):
    quote = make_quote(org, "sent", rep, customer_id=customer.pk)
    r = rep_client.post(f"/crm/quotes/{quote.pk}/revise/")
    v2 = Quote.objects.get(organization=org, version=2)
    assert r["Location"] == f"/crm/quotes/{v2.pk}/"
    html = rep_client.get(f"/crm/quotes/{v2.pk}/").content.decode()
    assert f'href="/crm/quotes/{quote.pk}/"' in html  # the version history links the old one
    assert rep_client.post(f"/crm/quotes/{quote.pk}/send/").status_code == 422
    assert rep_client.get(f"/crm/quotes/{v2.pk}/edit/").status_code == 200


def test_the_quote_pdf_page(org, rep, rep_client, customer):
    quote = make_quote(org, "draft", rep, customer_id=customer.pk)
    r = rep_client.get(f"/crm/quotes/{quote.pk}/pdf/")
    assert r["Content-Type"] == "application/pdf"
    text = pdf_text(r.content)
    assert quote.number in text
    assert "214.70" in text


def test_another_reps_quote_is_404_on_every_page(org, rep_client, member):
    theirs = make_quote(org, "accepted", member("sales"))
    for url in (f"/crm/quotes/{theirs.pk}/", f"/crm/quotes/{theirs.pk}/edit/", f"/crm/quotes/{theirs.pk}/pdf/"):
        assert rep_client.get(url).status_code == 404
    for action in ("send", "accept", "reject", "revise", "order"):
        assert rep_client.post(f"/crm/quotes/{theirs.pk}/{action}/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == QuoteStatus.ACCEPTED
    assert theirs.number not in rep_client.get("/crm/quotes/").content.decode()


# Roles -----------------------------------------------------------------------------------------------------------


def grants(role: str, perm: str) -> bool:
    return perm in ROLE_PERMISSIONS[role]


@pytest.mark.parametrize("role", list(Role.values))
def test_pages_follow_the_roles(role, org, member):
    user = member(role)
    customer = opp_customer(org, user, f"{role}的客户")
    _warehouse(org)
    opp = make_opportunity(org, user, customer_id=customer.pk)
    draft = make_quote(org, "draft", user, customer_id=customer.pk)
    accepted = make_quote(org, "accepted", user, customer_id=customer.pk)
    extra = opps.stage_create(organization=org, actor=None, data={"name": "待删"})
    view, change, manage = (grants(role, p) for p in (P.VIEW_CRM, P.CHANGE_CRM, P.MANAGE_CRM))
    sells = change and grants(role, P.CHANGE_SALES)
    client = login(user)

    def status(allowed: bool, ok: int = 200) -> int:
        return ok if allowed else 403

    for page in (
        "/crm/opportunities/",
        "/crm/opportunities/board/",
        f"/crm/opportunities/{opp.pk}/",
        "/crm/quotes/",
        f"/crm/quotes/{draft.pk}/",
    ):
        assert client.get(page).status_code == status(view), page
    assert client.get(f"/crm/quotes/{draft.pk}/pdf/").status_code == status(view)
    for page in (
        "/crm/opportunities/new/",
        f"/crm/opportunities/{opp.pk}/edit/",
        "/crm/opportunities/contacts/",
        "/crm/quotes/new/",
        f"/crm/quotes/{draft.pk}/edit/",
        "/crm/quotes/line/",
    ):
        assert client.get(page).status_code == status(change), page
    for page in ("/crm/stages/", "/crm/stages/new/", f"/crm/stages/{extra.pk}/edit/"):
        assert client.get(page).status_code == status(manage), page
    assert client.post(f"/crm/opportunities/{opp.pk}/move/", {"stage": stage(org, "谈判").pk}).status_code == status(
        change, 302
    )
    assert client.post(f"/crm/quotes/{draft.pk}/send/").status_code == status(change, 302)
    assert client.post(f"/crm/quotes/{accepted.pk}/order/").status_code == status(sells, 302)
    ids = ",".join(str(s.pk) for s in opps.stage_list(organization=org))
    assert client.post("/crm/stages/reorder/", {"ids": ids}).status_code == status(manage, 302)
    assert client.post(f"/crm/stages/{extra.pk}/delete/").status_code == status(manage, 302)

    opp.refresh_from_db()
    assert opp.stage.name == ("谈判" if change else "初步接洽")
    assert Quote.objects.get(pk=draft.pk).status == ("sent" if change else "draft")
    assert Quote.objects.get(pk=accepted.pk).status == ("ordered" if sells else "accepted")
    assert Stage.objects.filter(pk=extra.pk).exists() != manage
    assert quotes.quote_list(organization=org, actor=None).count() == 2


def test_the_board_and_lists_read_a_fixed_number_of_queries(org, rep, rep_client, customer):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count(url: str) -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert rep_client.get(url).status_code == 200
        return len(ctx.captured_queries)

    make_opportunity(org, rep, customer_id=customer.pk)
    make_quote(org, "draft", rep, customer_id=customer.pk)
    urls = ("/crm/opportunities/board/", "/crm/opportunities/", "/crm/quotes/")
    for url in urls:  # the first request of a session reads a few things once
        count(url)
    before = [count(url) for url in urls]
    for i in range(4):
        opp = make_opportunity(org, rep, customer_id=opp_customer(org, rep, f"客户{i}").pk)
        opps.opportunity_move(organization=org, actor=rep, opportunity_id=opp.pk, stage_id=stage(org, "谈判").pk)
        make_quote(org, "sent", rep, customer_id=customer.pk)
    assert [count(url) for url in urls] == before
