"""Quote services: entry and pricing, the workflow (send, accept, reject, revise), the refusals of each, data
scope, the sales order made from an accepted quote (same lines and totals, verify clean once it is confirmed and
delivered), and the PDF."""

from __future__ import annotations

import datetime
import subprocess
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone
from tests.crm_cases_opportunities import make_opportunity, make_quote, opp_customer, stage
from tests.sales_order_resources import _product, _warehouse

from suanpan.core.exceptions import DomainError, InvalidInput, NotFound, PermissionRefused
from suanpan.crm import opportunities as opps
from suanpan.crm import quotes
from suanpan.crm.choices import QuoteStatus
from suanpan.crm.models import Quote, QuoteLine
from suanpan.sales import orders, pricing
from suanpan.sales.models import SalesOrder
from suanpan.sales.orders import line_amounts
from suanpan.verify import verify_organization

TODAY = timezone.localdate()


def fields(exc: pytest.ExceptionInfo[DomainError]) -> list[str | None]:
    return [e.field for e in exc.value.errors]


def pdf_text(content: bytes) -> str:
    assert content.startswith(b"%PDF-"), content[:200]
    done = subprocess.run(["pdftotext", "-layout", "-", "-"], input=content, capture_output=True, check=True)  # noqa: S607
    return done.stdout.decode()


@pytest.fixture
def rep(member: Any) -> Any:
    return member("sales")


@pytest.fixture
def customer(org: Any, rep: Any) -> Any:
    return opp_customer(org, rep, "北京星河科技有限公司")


@pytest.fixture
def pen(org: Any) -> Any:
    """The stocked sales product: 1000 in the sales warehouse, 20.00, 13 % VAT."""
    _warehouse(org)
    return _product(org)


def new_quote(org: Any, actor: Any, customer: Any, *lines: dict[str, Any], **data: Any) -> Quote:
    return quotes.quote_create(
        organization=org, actor=actor, data={"customer_id": customer.pk, "lines": list(lines), **data}
    )


def test_create_prices_lines_like_orders_and_defaults_its_dates(org, rep, customer, pen):
    quote = new_quote(
        org,
        rep,
        customer,
        {"product_id": pen.pk, "quantity": "3", "unit_price": "19.99", "discount": "7.5"},
        {"product_id": pen.pk, "quantity": "2"},
        terms="款到发货",
    )
    assert quote.number == f"BJ-{TODAY:%Y%m}-0001"
    assert (quote.version, quote.status, quote.owner) == (1, QuoteStatus.DRAFT, rep)
    assert (quote.date, quote.valid_until) == (TODAY, TODAY + datetime.timedelta(days=30))
    first, second = quote.lines.order_by("seq")
    expected = line_amounts(Decimal("3"), Decimal("19.99"), Decimal("0.075"), Decimal("0"), Decimal("0.13"))
    assert (first.unit_price, first.amount, first.tax, first.total) == expected
    assert first.unit_price == Decimal("18.490750")
    assert (first.amount, first.tax, first.total) == (Decimal("55.47"), Decimal("7.21"), Decimal("62.68"))
    assert second.list_price == Decimal("20.00")  # blank: the product's price
    assert second.vat_rate == Decimal("0.13")
    assert quote.amount == first.amount + second.amount
    assert quote.tax == first.tax + second.tax
    assert quote.total == first.total + second.total == Decimal("107.88")


def test_a_blank_price_comes_from_the_customers_price_list(org, rep, customer, pen):
    price_list = pricing.price_list_create(
        organization=org,
        actor=None,
        data={"name": "批发价", "items": [{"product_id": pen.pk, "min_quantity": "10", "unit_price": "18.50"}]},
    )
    quote = new_quote(org, rep, customer, {"product_id": pen.pk, "quantity": "10"})
    assert quote.lines.get().list_price == Decimal("18.50")
    assert quote.price_list == price_list


@pytest.mark.parametrize(
    ("line", "data", "field"),
    [
        ({"quantity": "0"}, {}, "lines.0.quantity"),
        ({"quantity": "1.00001"}, {}, "lines.0.quantity"),
        ({"unit_price": "-1"}, {}, "lines.0.unit_price"),
        ({"discount": "100"}, {}, "lines.0.discount"),
        ({"product_id": 999999}, {}, "lines.0.product_id"),
        ({"description": "x" * 201}, {}, "lines.0.description"),
        ({}, {"valid_until": TODAY - datetime.timedelta(days=1)}, "valid_until"),
        ({}, {"date": "2026-11-01"}, "date"),
        ({}, {"customer_id": 999999}, "customer_id"),
        ({}, {"opportunity_id": 999999}, "opportunity_id"),
        ({}, {"terms": "x" * 5001}, "terms"),
    ],
)
def test_create_refuses_bad_input_naming_the_field(org, rep, customer, pen, line, data, field):
    with pytest.raises(InvalidInput) as exc:
        new_quote(org, rep, customer, {"product_id": pen.pk, "quantity": "1", **line}, **data)
    assert fields(exc) == [field]
    assert not Quote.objects.filter(organization=org).exists()


def test_a_quote_needs_lines_and_a_customer_the_rep_sees(org, rep, member, customer, pen):
    with pytest.raises(InvalidInput) as exc:
        new_quote(org, rep, customer)
    assert fields(exc) == ["lines"]
    theirs = opp_customer(org, member("sales"), "别人的客户")
    with pytest.raises(InvalidInput) as exc:
        new_quote(org, rep, theirs, {"product_id": pen.pk, "quantity": "1"})
    assert fields(exc) == ["customer_id"]
    other_opp = make_opportunity(org, rep, customer_id=opp_customer(org, rep, "另一个客户").pk)
    with pytest.raises(InvalidInput) as exc:
        new_quote(org, rep, customer, {"product_id": pen.pk, "quantity": "1"}, opportunity_id=other_opp.pk)
    assert fields(exc) == ["opportunity_id"]
    assert not Quote.objects.filter(organization=org).exists()


def test_a_quote_from_an_opportunity_takes_its_customer_and_owner(org, rep, member, customer, pen):
    opp = make_opportunity(org, rep, customer_id=customer.pk)
    manager = member("admin")
    quote = quotes.quote_create(
        organization=org,
        actor=manager,
        data={"opportunity_id": opp.pk, "lines": [{"product_id": pen.pk, "quantity": "1"}]},
    )
    assert (quote.customer, quote.opportunity, quote.owner, quote.created_by) == (customer, opp, rep, manager)


def test_workflow_send_accept_and_the_refusals(org, rep, customer, pen):
    quote = new_quote(org, rep, customer, {"product_id": pen.pk, "quantity": "1"})
    with pytest.raises(DomainError) as exc:
        quotes.quote_reject(organization=org, actor=rep, quote_id=quote.pk)
    assert exc.value.code == "illegal_transition"
    assert quotes.quote_send(organization=org, actor=rep, quote_id=quote.pk).status == QuoteStatus.SENT
    with pytest.raises(DomainError):
        quotes.quote_update(
            organization=org,
            actor=rep,
            quote_id=quote.pk,
            data={"customer_id": customer.pk, "lines": [{"product_id": pen.pk, "quantity": "9"}]},
        )
    assert quotes.quote_accept(organization=org, actor=rep, quote_id=quote.pk).status == QuoteStatus.ACCEPTED
    for act in (quotes.quote_send, quotes.quote_reject, quotes.quote_revise):
        with pytest.raises(DomainError):
            act(organization=org, actor=rep, quote_id=quote.pk)
    quote.refresh_from_db()
    assert quote.status == QuoteStatus.ACCEPTED
    assert quote.lines.get().quantity == Decimal("1")


def test_an_expired_quote_cannot_be_accepted(org, rep, customer, pen):
    quote = new_quote(org, rep, customer, {"product_id": pen.pk, "quantity": "1"}, valid_until=TODAY)
    quotes.quote_send(organization=org, actor=rep, quote_id=quote.pk)
    tomorrow = TODAY + datetime.timedelta(days=1)
    with pytest.raises(DomainError) as exc:
        quotes.quote_accept(organization=org, actor=rep, quote_id=quote.pk, today=tomorrow)
    assert (exc.value.field, exc.value.code) == ("valid_until", "expired")
    quote.refresh_from_db()
    assert quote.status == QuoteStatus.SENT
    assert quotes.quote_accept(organization=org, actor=rep, quote_id=quote.pk, today=TODAY).status == "accepted"


def test_revise_makes_the_next_version_and_only_the_latest_moves(org, rep, customer, pen):
    quote = new_quote(
        org,
        rep,
        customer,
        {"product_id": pen.pk, "quantity": "5", "unit_price": "20", "discount": "10"},
        valid_until=TODAY + datetime.timedelta(days=15),
    )
    quotes.quote_send(organization=org, actor=rep, quote_id=quote.pk)
    quotes.quote_reject(organization=org, actor=rep, quote_id=quote.pk, reason="太贵")
    later = TODAY + datetime.timedelta(days=3)
    v2 = quotes.quote_revise(organization=org, actor=rep, quote_id=quote.pk, today=later)
    quote.refresh_from_db()
    assert quote.status == QuoteStatus.SUPERSEDED
    assert (v2.number, v2.version, v2.previous, v2.status) == (quote.number, 2, quote, QuoteStatus.DRAFT)
    assert (v2.date, v2.valid_until) == (later, later + datetime.timedelta(days=15))
    assert str(v2) == f"{quote.number}-V2"
    old_lines = [(ln.product_id, ln.quantity, ln.unit_price, ln.total) for ln in quote.lines.all()]
    assert [(ln.product_id, ln.quantity, ln.unit_price, ln.total) for ln in v2.lines.all()] == old_lines
    assert v2.total == quote.total
    for act in (quotes.quote_revise, quotes.quote_send, quotes.quote_accept):
        with pytest.raises(DomainError) as exc:
            act(organization=org, actor=rep, quote_id=quote.pk)
        assert exc.value.code == "superseded"
    with pytest.raises(DomainError):
        quotes.quote_update(
            organization=org, actor=rep, quote_id=quote.pk, data={"customer_id": customer.pk, "lines": []}
        )
    v2 = quotes.quote_update(
        organization=org,
        actor=rep,
        quote_id=v2.pk,
        data={"customer_id": customer.pk, "lines": [{"product_id": pen.pk, "quantity": "5", "unit_price": "18"}]},
        today=later,
    )
    assert v2.total == Decimal("101.70")
    assert [q.version for q in quotes.quote_versions(organization=org, quote=quote)] == [1, 2]
    assert Quote.objects.filter(organization=org).count() == 2


def test_quote_to_order_copies_the_lines_and_wins_the_opportunity(org, rep, customer, pen):
    opp = make_opportunity(org, rep, customer_id=customer.pk)
    quote = new_quote(
        org,
        rep,
        customer,
        {"product_id": pen.pk, "quantity": "12", "unit_price": "19.99", "discount": "7.5"},
        {"product_id": pen.pk, "quantity": "3"},
        opportunity_id=opp.pk,
    )
    with pytest.raises(DomainError) as exc:  # from a draft
        quotes.quote_to_order(organization=org, actor=rep, quote_id=quote.pk)
    assert exc.value.code == "not_accepted"
    quotes.quote_send(organization=org, actor=rep, quote_id=quote.pk)
    quotes.quote_accept(organization=org, actor=rep, quote_id=quote.pk)
    order = quotes.quote_to_order(organization=org, actor=rep, quote_id=quote.pk)

    assert (order.status, order.customer, order.salesperson, order.warehouse) == (
        "draft",
        customer,
        rep,
        _warehouse(org),
    )
    assert order.date == TODAY
    as_quoted = [
        (ln.product_id, ln.quantity, ln.list_price, ln.discount_rate, ln.unit_price, ln.amount, ln.tax, ln.total)
        for ln in quote.lines.order_by("seq")
    ]
    as_ordered = [
        (ln.product_id, ln.quantity, ln.list_price, ln.discount_rate, ln.unit_price, ln.amount, ln.tax, ln.total)
        for ln in order.lines.order_by("seq")
    ]
    assert as_ordered == as_quoted
    assert (order.amount, order.tax, order.total) == (quote.amount, quote.tax, quote.total)
    quote.refresh_from_db()
    assert (quote.status, quote.sales_order, quote.ordered_at is not None) == (QuoteStatus.ORDERED, order, True)
    opp.refresh_from_db()
    assert (opp.stage.name, opp.closed_on) == ("赢单", TODAY)

    with pytest.raises(DomainError) as exc:
        quotes.quote_to_order(organization=org, actor=rep, quote_id=quote.pk)
    assert exc.value.code == "already_ordered"
    assert SalesOrder.objects.filter(organization=org).count() == 1

    orders.order_confirm(organization=org, actor=rep, order_id=order.pk)
    assert {r.check: r.differences for r in verify_organization(org) if r.differences} == {}


def test_a_lost_opportunity_stays_lost_when_its_quote_becomes_an_order(org, rep, customer, pen):
    opp = make_opportunity(org, rep, customer_id=customer.pk)
    quote = make_quote(org, "accepted", rep, opportunity_id=opp.pk, customer_id=customer.pk)
    opps.opportunity_move(
        organization=org, actor=rep, opportunity_id=opp.pk, stage_id=stage(org, "输单").pk, loss_reason="改主意"
    )
    quotes.quote_to_order(organization=org, actor=rep, quote_id=quote.pk)
    opp.refresh_from_db()
    assert opp.stage.name == "输单"


def test_converting_needs_the_sales_permission_too(org, member, customer, pen):
    marketer = member("marketing")  # may change CRM records, not sales orders
    quote = make_quote(org, "accepted", marketer, customer_id=opp_customer(org, marketer, "市场客户").pk)
    with pytest.raises(PermissionRefused):
        quotes.quote_to_order(organization=org, actor=marketer, quote_id=quote.pk)
    quote.refresh_from_db()
    assert quote.status == QuoteStatus.ACCEPTED
    assert not SalesOrder.objects.filter(organization=org).exists()


def test_quotes_of_another_rep_or_organization_are_not_found(org, other_org, rep, member, pen):
    theirs = make_quote(org, "accepted", member("sales"))
    foreign = make_quote(other_org, "accepted")
    for quote in (theirs, foreign):
        for act in (quotes.quote_send, quotes.quote_accept, quotes.quote_revise, quotes.quote_to_order):
            with pytest.raises(NotFound):
                act(organization=org, actor=rep, quote_id=quote.pk)
        with pytest.raises(NotFound):
            quotes.quote_get(organization=org, actor=rep, pk=quote.pk)
    assert list(quotes.quote_list(organization=org, actor=rep)) == []
    assert Quote.objects.get(pk=theirs.pk).status == QuoteStatus.ACCEPTED
    assert not SalesOrder.objects.filter(organization=org).exists()


def test_the_pdf_shows_the_number_totals_in_words_and_validity(org, rep, customer, pen):
    from suanpan.core.pdf import render_pdf

    quote = new_quote(
        org, rep, customer, {"product_id": pen.pk, "quantity": "10", "unit_price": "20.00"}, terms="含运费"
    )
    text = pdf_text(render_pdf("crm/quote_pdf.html", quotes.quote_print(organization=org, actor=rep, pk=quote.pk)))
    assert quote.number in text
    assert "226.00" in text
    assert "贰佰贰拾陆元整" in text
    assert "含运费" in text
    assert customer.name in text
    assert QuoteLine.objects.filter(quote=quote).count() == 1
