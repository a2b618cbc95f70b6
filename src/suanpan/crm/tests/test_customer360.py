"""The customer 360° page: key figures from the ledgers, the timeline of every interaction and document (contents,
order, pages, what each role sees), top products with available stock, inline tags, data scope and roles."""

import datetime
from decimal import Decimal

import pytest
from django.db.models import Sum
from django.test import Client
from django.utils import timezone
from tests import crm_cases_customers as cc
from tests.resources import account, make_supplier

from suanpan.core import scopes
from suanpan.core.choices import Role
from suanpan.core.exceptions import DomainError, InvalidInput, NotFound
from suanpan.core.permissions import ROLE_PERMISSIONS, P
from suanpan.crm import customer360, segments
from suanpan.crm.followups import followup_log
from suanpan.crm.models import Stage
from suanpan.crm.opportunities import opportunity_create, opportunity_move
from suanpan.crm.quotes import quote_create
from suanpan.finance import receipts
from suanpan.inventory.models import StockLevel
from suanpan.partners.models import Tag
from suanpan.sales import deliveries, invoicing, returns

pytestmark = pytest.mark.django_db
ROLES = list(Role.values)
NOV = datetime.date(2026, 11, 1)


def day(n):
    return NOV + datetime.timedelta(days=n - 1)


def at(n, hour=10):
    return timezone.make_aware(datetime.datetime.combine(day(n), datetime.time(hour)))


def login(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def history(org, owner):
    """One customer with one of everything, on distinct days of November 2026 (see the expected order below)."""
    buyer = cc.customer(org, "全景客户", payment_terms_days=0, province="浙江", city="杭州", industry="制造")
    item = cc.product(org, "P-360", on=NOV)
    chance = opportunity_create(
        organization=org, actor=None, data={"name": "年度采购", "customer_id": buyer.pk}, now=at(2)
    )
    stage = Stage.objects.filter(organization=org, kind="open").order_by("seq")[1]
    opportunity_move(organization=org, actor=None, opportunity_id=chance.pk, stage_id=stage.pk, now=at(4))
    quote_create(
        organization=org,
        actor=None,
        data={"customer_id": buyer.pk, "lines": [{"product_id": item.pk, "quantity": "10"}]},
        today=day(5),
    )
    order = cc.make_order(org, buyer, "10", day=day(6), item=item)
    cc.make_order(org, buyer, "1", day=day(6), item=item, confirm=False)  # a draft: not in the timeline
    line = order.lines.get()
    delivery = deliveries.delivery_post(
        organization=org,
        actor=None,
        data={
            "date": day(7),
            "warehouse_id": line.warehouse_id,
            "lines": [{"order_line_id": line.pk, "quantity": "10"}],
        },
    )
    delivery_line = delivery.lines.get()
    invoicing.invoice_post(
        organization=org,
        actor=None,
        data={"date": day(8), "lines": [{"delivery_line_id": delivery_line.pk, "quantity": "10"}]},
    )
    back = returns.sales_return_post(
        organization=org,
        actor=None,
        data={
            "delivery_id": delivery.pk,
            "date": day(9),
            "lines": [{"delivery_line_id": delivery_line.pk, "quantity": "2"}],
        },
    )
    invoicing.credit_note_for_return(organization=org, actor=None, return_id=back.pk, date=day(10))
    receipts.receipt_post(
        organization=org,
        actor=None,
        data={"customer_id": buyer.pk, "date": day(11), "account_id": account(org, "1002").pk, "amount": "500.00"},
    )
    cc.make_contract(org, buyer, signed_on=day(12), start_on=day(12))
    followup_log(
        organization=org,
        actor=None,
        data={
            "kind": "visit",
            "content": "拜访采购经理",
            "happened_at": at(20),
            "customer_id": buyer.pk,
            "user_id": owner.pk,
        },
    )
    return buyer


EXPECTED = [
    ("follow_up", day(20)),
    ("contract", day(12)),
    ("receipt", day(11)),
    ("credit_note", day(10)),
    ("return", day(9)),
    ("invoice", day(8)),
    ("delivery", day(7)),
    ("order", day(6)),
    ("quote", day(5)),
    ("stage", day(4)),
    ("stage", day(2)),
]


def test_the_timeline_has_everything_newest_first(org, history):
    timeline = customer360.customer_timeline(organization=org, actor=None, customer=history, limit=50)
    assert [(e.kind, e.day) for e in timeline.entries] == EXPECTED
    assert not timeline.has_more
    by_kind = {e.kind: e for e in timeline.entries}
    assert by_kind["invoice"].amount == Decimal("1130.00")
    assert by_kind["credit_note"].amount == Decimal("-226.00")
    assert by_kind["receipt"].amount == Decimal("500.00")
    assert by_kind["follow_up"].summary.endswith("拜访采购经理")
    assert by_kind["order"].href.startswith("/sales/orders/")
    assert by_kind["quote"].href.startswith("/crm/quotes/")
    assert by_kind["stage"].href.startswith("/crm/opportunities/")
    assert by_kind["receipt"].href.startswith("/finance/receipts/")
    first = customer360.customer_timeline(organization=org, actor=None, customer=history, limit=4)
    assert [e.kind for e in first.entries] == [k for k, _d in EXPECTED[:4]]
    assert (first.has_more, first.next_offset) == (True, 4)
    rest = customer360.customer_timeline(organization=org, actor=None, customer=history, offset=8, limit=4)
    assert [(e.kind, e.day) for e in rest.entries] == EXPECTED[8:]
    assert not rest.has_more


def test_the_timeline_shows_each_role_only_what_it_may_see(org, history, member, monkeypatch):
    monkeypatch.setattr(scopes, "OWN_SCOPE_ROLES", frozenset())
    kinds = {
        role: {
            e.kind
            for e in customer360.customer_timeline(
                organization=org, actor=member(role), customer=history, limit=50
            ).entries
        }
        for role in ("marketing", "service", "finance", "sales")
    }
    crm = {"follow_up", "contract", "quote", "stage"}
    sales = {"order", "delivery", "invoice", "credit_note", "return"}
    assert kinds["marketing"] == crm
    assert kinds["service"] == crm | sales
    assert kinds["finance"] == crm | sales | {"receipt"}  # finance sees sales documents too
    assert kinds["sales"] == crm | sales | {"receipt"}


def test_key_figures_read_the_ledgers(org, history, member):
    """Invoiced 10 × 100.00 (1130.00 incl. VAT), 2 returned and credited (−200.00 / −226.00), 500.00 received: owed
    1130 − 226 − 500 = 404.00, all of it past due (terms 0 days); lifetime value 1000 − 200 = 800.00."""
    figures = customer360.key_figures(organization=org, actor=None, customer=history, today=day(27))
    assert (figures.receivable, figures.overdue) == (Decimal("404.00"), Decimal("404.00"))
    assert (figures.lifetime_value, figures.orders, figures.last_purchase) == (Decimal("800.00"), 1, day(8))
    assert figures.rfm is not None
    assert (figures.rfm.frequency, figures.rfm.rfm_class) == (1, "general")
    marketing = customer360.key_figures(organization=org, actor=member("marketing"), customer=history, today=day(27))
    assert (marketing.receivable, marketing.overdue, marketing.lifetime_value) == (None, None, Decimal("800.00"))


def test_top_products_with_what_is_available_now(org, history):
    other = cc.product(org, "P-361", on=NOV)
    service = cc.product(org, "S-1", stocked=False)
    cc.make_order(org, history, "3", day=day(15), item=other)
    cc.make_order(org, history, "1", day=day(15), item=service)
    top = customer360.top_products(organization=org, customer=history, today=day(27))
    assert [(t.product.code, t.amount, t.quantity) for t in top] == [
        ("P-360", Decimal("1000.00"), Decimal("10")),
        ("P-361", Decimal("300.00"), Decimal("3")),
        ("S-1", Decimal("100.00"), Decimal("1")),
    ]
    for row in top[:2]:
        levels = StockLevel.objects.filter(organization=org, product=row.product).aggregate(
            on_hand=Sum("on_hand"), reserved=Sum("reserved")
        )
        assert row.available == levels["on_hand"] - levels["reserved"]
    assert top[0].available == Decimal("992")  # 1000 − 10 delivered + 2 returned
    assert top[1].available == Decimal("997")  # 3 reserved by the confirmed order
    assert top[2].available is None
    assert (
        customer360.top_products(organization=org, customer=history, today=day(27) + datetime.timedelta(days=400)) == []
    )


def test_tags_are_added_and_removed_by_hand_but_not_rule_tags(org, member):
    rep = member("sales")
    buyer = cc.customer(org, "标签客户", owner=rep)
    made = customer360.customer_tag_add(organization=org, actor=rep, customer_id=buyer.pk, name="重点客户")
    assert list(buyer.tags.values_list("name", flat=True)) == ["重点客户"]
    existing = Tag.objects.create(organization=org, name="老客户")
    customer360.customer_tag_add(organization=org, actor=rep, customer_id=buyer.pk, tag_id=existing.pk)
    customer360.customer_tag_remove(organization=org, actor=rep, customer_id=buyer.pk, tag_id=made.pk)
    assert list(buyer.tags.values_list("name", flat=True)) == ["老客户"]
    rule = cc.make_tag_rule(org, "高价值")
    with pytest.raises(DomainError):
        customer360.customer_tag_add(organization=org, actor=rep, customer_id=buyer.pk, tag_id=rule.tag_id)
    with pytest.raises(InvalidInput) as exc:
        customer360.customer_tag_add(organization=org, actor=rep, customer_id=buyer.pk, name=" ")
    assert exc.value.field == "name"
    theirs = cc.customer(org, "别人的客户", owner=member("sales"))
    with pytest.raises(NotFound):
        customer360.customer_tag_add(organization=org, actor=rep, customer_id=theirs.pk, name="x")
    assert not theirs.tags.exists()
    assert not segments.rule_tag_ids(org) & set(buyer.tags.values_list("pk", flat=True))


def test_the_page_shows_the_customer(org, history, owner_client):
    page = owner_client.get(f"/crm/customers/{history.pk}/").content.decode()
    for part in ("key-figures", "figure-receivable", "timeline-entries", "top-products", "customer-tags", "contacts"):
        assert f'id="{part}"' in page, part
    assert f'hx-get="/crm/follow-ups/panel/?customer={history.pk}"' in page
    assert "404.00" in page
    assert "800.00" in page
    assert page.count('data-kind="') == len(EXPECTED)
    more = owner_client.get(f"/crm/customers/{history.pk}/timeline/?offset=8").content.decode()
    assert more.count('data-kind="') == 3


def test_inline_tags_answer_htmx_with_the_panel(org, owner_client):
    buyer = cc.customer(org, "标签客户")
    r = owner_client.post(f"/crm/customers/{buyer.pk}/tags/", {"name": "华东"}, headers={"HX-Request": "true"})
    assert r.status_code == 200
    tag = Tag.objects.get(organization=org, name="华东")
    assert f'id="tag-{tag.pk}"' in r.content.decode()
    r = owner_client.post(f"/crm/customers/{buyer.pk}/tags/{tag.pk}/remove/", headers={"HX-Request": "true"})
    assert r.status_code == 200
    assert not buyer.tags.exists()
    assert owner_client.post(f"/crm/customers/{buyer.pk}/tags/", {"name": ""}).status_code == 302


def test_another_reps_customer_is_404_in_page_and_api(org, member, api_as):
    rep = member("sales")
    theirs = cc.customer(org, "别人的客户", owner=member("sales"))
    client = login(rep)
    assert client.get(f"/crm/customers/{theirs.pk}/").status_code == 404
    assert client.get(f"/crm/customers/{theirs.pk}/timeline/").status_code == 404
    assert client.post(f"/crm/customers/{theirs.pk}/tags/", {"name": "x"}).status_code == 404
    api = api_as("sales")
    assert api.get(f"/customers/{theirs.pk}/360").status_code == 404
    mine = cc.customer(org, "我的客户", owner=rep)
    assert client.get(f"/crm/customers/{mine.pk}/").status_code == 200
    supplier_only = make_supplier(org)
    assert login(member("admin")).get(f"/crm/customers/{supplier_only.pk}/").status_code == 404


def test_the_api_summary(org, history, owner_api):
    body = owner_api.get(f"/customers/{history.pk}/360").json()
    assert body["name"] == "全景客户"
    assert body["figures"]["receivable"] == "404.00"
    assert body["figures"]["lifetime_value"] == "800.00"
    assert [(e["kind"], e["date"]) for e in body["timeline"]] == [(k, d.isoformat()) for k, d in EXPECTED]
    assert body["timeline_more"] is False
    assert body["top_products"][0]["code"] == "P-360"
    page = owner_api.get(f"/customers/{history.pk}/360", {"timeline_offset": 9, "timeline_limit": 5}).json()
    assert [e["kind"] for e in page["timeline"]] == ["stage", "stage"]


@pytest.mark.parametrize("role", ROLES)
def test_pages_and_api_follow_the_roles(role, org, member, api_as, monkeypatch):
    monkeypatch.setattr(scopes, "OWN_SCOPE_ROLES", frozenset())
    view, tag = P.VIEW_CRM in ROLE_PERMISSIONS[role], P.CHANGE_CUSTOMER in ROLE_PERMISSIONS[role]
    buyer, held = cc.tagged_customer(org)
    client = login(member(role))

    def status(allowed, ok=200):
        return ok if allowed else 403

    assert client.get(f"/crm/customers/{buyer.pk}/").status_code == status(view)
    assert client.get(f"/crm/customers/{buyer.pk}/timeline/").status_code == status(view)
    assert api_as(role).get(f"/customers/{buyer.pk}/360").status_code == status(view)
    assert client.post(f"/crm/customers/{buyer.pk}/tags/", {"name": "新标签"}).status_code == status(tag, 302)
    remove = client.post(f"/crm/customers/{buyer.pk}/tags/{held.pk}/remove/")
    assert remove.status_code == status(tag, 302)
    assert set(buyer.tags.values_list("name", flat=True)) == ({"新标签"} if tag else {"手工标签"})
