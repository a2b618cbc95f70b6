"""What the cross-cutting suites must know of the opportunity area (stages, opportunities, quotes; see
tests/crm_cases.py), and the factories that make its records through the real services.

The roles are tested in the area's own suites: `src/suanpan/crm/tests/test_opportunity_views.py::
test_pages_follow_the_roles` and `test_opportunity_api.py::test_api_follows_the_roles`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.utils import timezone

from suanpan.core.models import Organization
from suanpan.core.permissions import P
from suanpan.crm import opportunities, quotes
from suanpan.crm.models import Opportunity, Quote, Stage
from suanpan.crm.setup import stages_ensure
from suanpan.partners.models import Partner
from tests.isolation_cases import ApiCase, PageCase
from tests.resources import make_customer, owner_of
from tests.sales_order_resources import _product, _warehouse


def stage(org: Organization, name: str) -> Stage:
    stages_ensure(org)
    return Stage.objects.get(organization=org, name=name)


def opp_customer(org: Organization, rep: Any = None, name: str = "商机客户") -> Partner:
    """A customer owned by `rep` (default: the organization's owner)."""
    found = Partner.objects.filter(organization=org, is_customer=True, name=name).first()
    customer = found or make_customer(org, name)
    customer.owner = rep or owner_of(org)
    customer.save(update_fields=["owner"])
    return customer


def make_opportunity(org: Organization, rep: Any = None, **data: Any) -> Opportunity:
    """An open opportunity of 10 000 in the first stage, owned by `rep` (default: the organization's owner)."""
    rep = rep or owner_of(org)
    customer = opp_customer(org, rep)
    payload = {"name": "年度办公用品采购", "customer_id": customer.pk, "amount": "10000", "owner_id": rep.pk, **data}
    return opportunities.opportunity_create(organization=org, actor=None, data=payload)


def quote_payload(org: Organization, rep: Any = None) -> dict[str, Any]:
    """A quote of 10 × the stocked sales product (20.00, 13 % VAT) with a 5 % discount."""
    _warehouse(org)
    return {
        "customer_id": opp_customer(org, rep).pk,
        "lines": [{"product_id": _product(org).pk, "quantity": "10", "unit_price": "20.00", "discount": "5"}],
    }


def make_quote(org: Organization, state: str = "draft", rep: Any = None, **data: Any) -> Quote:
    """A quote in `state`: draft, sent, accepted or ordered."""
    quote = quotes.quote_create(organization=org, actor=None, data={**quote_payload(org, rep), **data})
    if state in ("sent", "accepted", "ordered"):
        quote = quotes.quote_send(organization=org, actor=None, quote_id=quote.pk)
    if state in ("accepted", "ordered"):
        quote = quotes.quote_accept(organization=org, actor=None, quote_id=quote.pk)
    if state == "ordered":
        quotes.quote_to_order(organization=org, actor=None, quote_id=quote.pk)
        quote.refresh_from_db()
    return quote


def _their(make: Callable[..., Any], *args: Any) -> Callable[[Organization, Organization], tuple[int, ...]]:
    return lambda mine, other: (make(other, *args).pk,)


def _their_page(make: Callable[..., Any], *args: Any) -> Callable[[Organization, Organization], dict[str, Any]]:
    return lambda mine, other: {"pk": make(other, *args).pk}


def _their_stage(org: Organization) -> Stage:
    return stage(org, "需求确认")


QUOTE_ACTION_STATES = {"send": "draft", "accept": "sent", "reject": "sent", "revise": "sent", "order": "accepted"}

API_OPS: set[tuple[str, str]] = {
    ("/stages", "get"),
    ("/stages", "post"),
    ("/stages/reorder", "post"),
    ("/stages/{}", "patch"),
    ("/stages/{}", "delete"),
    ("/opportunities", "get"),
    ("/opportunities", "post"),
    ("/opportunities/{}", "get"),
    ("/opportunities/{}", "patch"),
    ("/opportunities/{}/move", "post"),
    ("/quotes", "get"),
    ("/quotes", "post"),
    ("/quotes/{}", "get"),
    ("/quotes/{}", "put"),
    *((f"/quotes/{{}}/{action}", "post") for action in QUOTE_ACTION_STATES),
    ("/quotes/{}/pdf", "get"),
}

PAGES: set[str] = {
    "/crm/opportunities/",
    "/crm/opportunities/board/",
    "/crm/opportunities/new/",
    "/crm/opportunities/contacts/",
    "/crm/opportunities/<int:pk>/",
    "/crm/opportunities/<int:pk>/edit/",
    "/crm/opportunities/<int:pk>/move/",
    "/crm/stages/",
    "/crm/stages/new/",
    "/crm/stages/reorder/",
    "/crm/stages/<int:pk>/edit/",
    "/crm/stages/<int:pk>/delete/",
    "/crm/quotes/",
    "/crm/quotes/new/",
    "/crm/quotes/line/",
    "/crm/quotes/<int:pk>/",
    "/crm/quotes/<int:pk>/edit/",
    "/crm/quotes/<int:pk>/pdf/",
    "/crm/quotes/<int:pk>/<str:action>/",
}

EXERCISED: set[str] = {P.VIEW_CRM, P.CHANGE_CRM, P.MANAGE_CRM, P.CHANGE_SALES, P.VIEW_SALES}

API_CASES: list[Any] = [
    ApiCase("/stages/{}", "patch", _their(_their_stage), lambda org: {"name": "改名"}),
    ApiCase("/stages/{}", "delete", _their(_their_stage)),
    ApiCase("/opportunities/{}", "get", _their(make_opportunity)),
    ApiCase("/opportunities/{}", "patch", _their(make_opportunity), lambda org: {"name": "改名"}),
    ApiCase(
        "/opportunities/{}/move",
        "post",
        _their(make_opportunity),
        lambda org: {"stage_id": stage(org, "需求确认").pk},
    ),
    ApiCase("/quotes/{}", "get", _their(make_quote)),
    ApiCase("/quotes/{}", "put", _their(make_quote), quote_payload),
    *(
        ApiCase(f"/quotes/{{}}/{action}", "post", _their(make_quote, state), lambda org: {})
        for action, state in QUOTE_ACTION_STATES.items()
    ),
    ApiCase("/quotes/{}/pdf", "get", _their(make_quote)),
]


def _opportunity_form(org: Organization) -> dict[str, Any]:
    return {"name": "改名", "customer_id": opp_customer(org).pk}


def _quote_form(org: Organization) -> dict[str, Any]:
    payload = quote_payload(org)
    return {
        "customer_id": payload["customer_id"],
        "date": timezone.localdate().isoformat(),
        "line_count": "1",
        "lines-0-product": payload["lines"][0]["product_id"],
        "lines-0-quantity": "10",
    }


PAGE_CASES: list[Any] = [
    PageCase("crm/opportunities/<int:pk>/", "get", _their_page(make_opportunity)),
    PageCase("crm/opportunities/<int:pk>/edit/", "get", _their_page(make_opportunity)),
    PageCase("crm/opportunities/<int:pk>/edit/", "post", _their_page(make_opportunity), _opportunity_form),
    PageCase(
        "crm/opportunities/<int:pk>/move/",
        "post",
        _their_page(make_opportunity),
        lambda org: {"stage": stage(org, "需求确认").pk},
    ),
    PageCase("crm/stages/<int:pk>/edit/", "get", _their_page(_their_stage)),
    PageCase(
        "crm/stages/<int:pk>/edit/",
        "post",
        _their_page(_their_stage),
        lambda org: {"name": "改名", "kind": "open", "probability": "5", "is_active": "on"},
    ),
    PageCase("crm/stages/<int:pk>/delete/", "post", _their_page(_their_stage)),
    PageCase("crm/quotes/<int:pk>/", "get", _their_page(make_quote)),
    PageCase("crm/quotes/<int:pk>/edit/", "get", _their_page(make_quote)),
    PageCase("crm/quotes/<int:pk>/edit/", "post", _their_page(make_quote), _quote_form),
    PageCase("crm/quotes/<int:pk>/pdf/", "get", _their_page(make_quote)),
    *(
        PageCase(
            "crm/quotes/<int:pk>/<str:action>/",
            "post",
            lambda mine, other, action=action, state=state: {"pk": make_quote(other, state).pk, "action": action},
            label=action,
        )
        for action, state in QUOTE_ACTION_STATES.items()
    ),
]
