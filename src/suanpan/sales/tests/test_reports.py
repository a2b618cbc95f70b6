"""Sales reports against a small story worked by hand (moving average, 13 % VAT, general taxpayer):

  stock     pens 100 @ 8.00, ink 20 @ 30.00
  order A   星河 (rep Li), 11-05, delivery date 11-07: 30 pens × 20.00 = 600.00, 10 ink × 50.00 = 500.00
            → 1,100.00 + VAT 143.00 = 1,243.00
  delivery  11-05: 20 pens (cost 160.00) + 10 ink (cost 300.00)
  invoice   11-05: 20 pens 400.00 + 52.00, 10 ink 500.00 + 65.00 → 900.00 + 117.00 = 1,017.00
  receipt   11-06: 500.00, written off against the invoice
  return    11-06: 2 ink back at 30.00 = 60.00; credit note −100.00 − 13.00 = −113.00
  order B   月亮 (rep Wang), 11-10, delivery date in the future: 5 pens × 20.00 = 100.00 + 13.00, delivered 11-10
            (cost 40.00), not invoiced
  order C   a draft: in no report

Sales in November by customer: 星河 28 units, 800.00 + 104.00 = 904.00, nothing uninvoiced; 月亮 0 invoiced,
100.00 delivered not invoiced. Gross profit of order A: revenue 800.00; cost pens 160.00 + ink (300.00 − 60.00)
× 8/8 = 240.00 → 400.00; margin 400.00 = 50.0 %. Fulfilment: A is late (11-07 passed, 10 pens to deliver),
delivered 800.00 = 72.7 %, invoiced 72.7 %, paid 500.00 of 1,243.00 = 40.2 %; B delivered 100 %, not invoiced.
"""

import datetime
import io
from decimal import Decimal

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from suanpan.accounting.models import Account
from suanpan.core.choices import Role
from suanpan.core.permissions import ROLE_PERMISSIONS, P
from suanpan.finance import receipts
from suanpan.partners.choices import PartnerRole
from suanpan.partners.services import partner_create
from suanpan.sales import deliveries, invoicing, orders, reports, returns
from suanpan.verify import verify_organization

pytestmark = pytest.mark.django_db
D = Decimal
DAY = datetime.date(2026, 11, 5)
NOVEMBER = reports.Filters(datetime.date(2026, 11, 1), datetime.date(2026, 11, 30))
ROLES = list(Role.values)


def grants(role, perm):
    return perm in ROLE_PERMISSIONS[role]


def status(allowed, ok):
    return ok if allowed else 403


def _order(org, actor, customer, warehouse, day, expected, *lines, rep=None, confirm=True):
    order = orders.order_create(
        organization=org,
        actor=actor,
        data={
            "customer_id": customer.pk,
            "warehouse_id": warehouse.pk,
            "date": day,
            "expected_date": expected,
            "salesperson_id": rep.pk if rep else None,
            "lines": [
                {"product_id": p.pk, "quantity": q, **({"unit_price": price} if price else {})} for p, q, price in lines
            ],
        },
    )
    if confirm:
        order = orders.order_confirm(organization=org, actor=actor, order_id=order.pk)
    return order


@pytest.fixture
def story(org, owner, member, customer, warehouse, make_product, stock):
    li, wang = member("sales"), member("sales")
    li.first_name, wang.first_name = "李", "王"
    li.save(update_fields=["first_name"])
    wang.save(update_fields=["first_name"])
    moon = partner_create(
        organization=org, actor=None, role=PartnerRole.CUSTOMER, data={"name": "上海月亮贸易有限公司"}
    )
    pen, ink = make_product("PEN", sale_price="20.00"), make_product("INK", sale_price="60.00")
    stock(pen, warehouse, "100", "8.00")
    stock(ink, warehouse, "20", "30.00")
    a = _order(
        org,
        owner,
        customer,
        warehouse,
        DAY,
        DAY + datetime.timedelta(days=2),
        (pen, "30", None),
        (ink, "10", "50.00"),
        rep=li,
    )
    pen_line, ink_line = a.lines.order_by("seq")
    first = deliveries.delivery_post(
        organization=org,
        actor=owner,
        data={
            "date": DAY,
            "warehouse_id": warehouse.pk,
            "lines": [
                {"order_line_id": pen_line.pk, "quantity": "20"},
                {"order_line_id": ink_line.pk, "quantity": "10"},
            ],
        },
    )
    invoice = invoicing.invoice_post(
        organization=org,
        actor=owner,
        data={
            "date": DAY,
            "invoice_type": "normal",
            "lines": [{"delivery_line_id": dl.pk, "quantity": str(dl.quantity)} for dl in first.lines.all()],
        },
    )
    next_day = DAY + datetime.timedelta(days=1)
    bank = Account.objects.get(organization=org, code="1002")
    receipts.receipt_post(
        organization=org,
        actor=owner,
        data={"customer_id": customer.pk, "date": next_day, "account_id": bank.pk, "amount": "500.00"},
    )
    back = returns.sales_return_post(
        organization=org,
        actor=owner,
        data={
            "delivery_id": first.pk,
            "date": next_day,
            "lines": [{"delivery_line_id": first.lines.get(product=ink).pk, "quantity": "2"}],
        },
    )
    invoicing.credit_note_for_return(organization=org, actor=owner, return_id=back.pk, date=next_day)
    b_day = datetime.date(2026, 11, 10)
    b = _order(
        org,
        owner,
        moon,
        warehouse,
        b_day,
        timezone.localdate() + datetime.timedelta(days=30),
        (pen, "5", None),
        rep=wang,
    )
    deliveries.delivery_post(
        organization=org,
        actor=owner,
        data={
            "date": b_day,
            "warehouse_id": warehouse.pk,
            "lines": [{"order_line_id": b.lines.get().pk, "quantity": "5"}],
        },
    )
    c = _order(org, owner, customer, warehouse, b_day, None, (pen, "1", None), confirm=False)
    assert {r.check: r.differences for r in verify_organization(org) if r.differences} == {}
    return {
        "a": a,
        "b": b,
        "c": c,
        "pen": pen,
        "ink": ink,
        "li": li,
        "wang": wang,
        "moon": moon,
        "customer": customer,
        "invoice": invoice,
    }


def _figures(row):
    return (row.quantity, row.amount, row.tax, row.total, row.uninvoiced)


# Sales analysis ---------------------------------------------------------------------------------------------


def test_sales_by_customer_product_rep_month(org, story):
    by_customer = reports.sales_analysis(organization=org, filters=NOVEMBER, by="customer")
    assert [(r.label, *_figures(r)) for r in by_customer.rows] == [
        ("北京星河科技有限公司", D("28"), D("800.00"), D("104.00"), D("904.00"), D("0")),
        ("上海月亮贸易有限公司", D("0"), D("0"), D("0"), D("0"), D("100.00")),
    ]
    assert _figures(by_customer.total) == (D("28"), D("800.00"), D("104.00"), D("904.00"), D("100.00"))
    by_product = reports.sales_analysis(organization=org, filters=NOVEMBER, by="product")
    assert [(r.label, *_figures(r)) for r in by_product.rows] == [
        ("INK 商品INK", D("8"), D("400.00"), D("52.00"), D("452.00"), D("0")),
        ("PEN 商品PEN", D("20"), D("400.00"), D("52.00"), D("452.00"), D("100.00")),
    ]
    by_rep = reports.sales_analysis(organization=org, filters=NOVEMBER, by="rep")
    assert [(r.key, r.amount, r.uninvoiced) for r in by_rep.rows] == [
        (str(story["li"].pk), D("800.00"), D("0")),
        (str(story["wang"].pk), D("0"), D("100.00")),
    ]
    by_month = reports.sales_analysis(organization=org, filters=NOVEMBER, by="month")
    assert [(r.label, r.amount, r.total, r.uninvoiced) for r in by_month.rows] == [
        ("2026-11", D("800.00"), D("904.00"), D("100.00"))
    ]


def test_sales_filters_narrow_the_rows(org, story):
    from_6th = reports.Filters(datetime.date(2026, 11, 6), datetime.date(2026, 11, 30))
    rows = reports.sales_analysis(organization=org, filters=from_6th, by="customer").rows
    # only the credit note was invoiced from the 6th; only order B's delivery is uninvoiced
    assert [(r.label, r.amount, r.tax, r.uninvoiced) for r in rows] == [
        ("上海月亮贸易有限公司", D("0"), D("0"), D("100.00")),
        ("北京星河科技有限公司", D("-100.00"), D("-13.00"), D("0")),
    ]
    only_ink = reports.Filters(NOVEMBER.date_from, NOVEMBER.date_to, product=story["ink"])
    assert [r.amount for r in reports.sales_analysis(organization=org, filters=only_ink).rows] == [D("400.00")]
    wang = reports.Filters(NOVEMBER.date_from, NOVEMBER.date_to, rep=story["wang"])
    assert [(r.amount, r.uninvoiced) for r in reports.sales_analysis(organization=org, filters=wang).rows] == [
        (D("0"), D("100.00"))
    ]
    moon = reports.Filters(NOVEMBER.date_from, NOVEMBER.date_to, customer=story["moon"])
    assert [r.label for r in reports.sales_analysis(organization=org, filters=moon).rows] == ["上海月亮贸易有限公司"]
    october = reports.Filters(datetime.date(2026, 10, 1), datetime.date(2026, 10, 31))
    assert reports.sales_analysis(organization=org, filters=october).rows == []


# Gross profit -----------------------------------------------------------------------------------------------


def test_gross_profit_per_order_product_customer(org, story):
    by_order = reports.gross_profit(organization=org, filters=NOVEMBER, by="order")
    assert [(r.order_id, r.revenue, r.cost, r.margin, r.margin_percent) for r in by_order.rows] == [
        (story["a"].pk, D("800.00"), D("400.00"), D("400.00"), D("50.0"))
    ]
    by_product = reports.gross_profit(organization=org, filters=NOVEMBER, by="product")
    assert [(r.label, r.quantity, r.revenue, r.cost, r.margin, r.margin_percent) for r in by_product.rows] == [
        ("PEN 商品PEN", D("20"), D("400.00"), D("160.00"), D("240.00"), D("60.0")),
        ("INK 商品INK", D("8"), D("400.00"), D("240.00"), D("160.00"), D("40.0")),
    ]
    by_customer = reports.gross_profit(organization=org, filters=NOVEMBER, by="customer")
    assert [(r.label, r.margin) for r in by_customer.rows] == [("北京星河科技有限公司", D("400.00"))]
    total = by_order.total
    assert (total.revenue, total.cost, total.margin, total.margin_percent) == (
        D("800.00"),
        D("400.00"),
        D("400.00"),
        D("50.0"),
    )


def test_gross_profit_of_a_credit_note_alone_and_of_a_partial_invoice(org, owner, story):
    from_6th = reports.Filters(datetime.date(2026, 11, 6), datetime.date(2026, 11, 30))
    rows = reports.gross_profit(organization=org, filters=from_6th, by="product").rows
    # −2 ink at 50.00 taken back; their cost: (300.00 − 60.00) × −2 / 8 = −60.00
    assert [(r.label, r.revenue, r.cost, r.margin) for r in rows] == [
        ("INK 商品INK", D("-100.00"), D("-60.00"), D("-40.00"))
    ]
    # order B: 3 of the 5 delivered pens invoiced → cost 40.00 × 3/5 = 24.00
    dl = story["b"].lines.get().delivery_lines.get()
    invoicing.invoice_post(
        organization=org,
        actor=owner,
        data={
            "date": datetime.date(2026, 11, 12),
            "invoice_type": "normal",
            "lines": [{"delivery_line_id": dl.pk, "quantity": "3"}],
        },
    )
    b_only = reports.Filters(NOVEMBER.date_from, NOVEMBER.date_to, customer=story["moon"])
    [row] = reports.gross_profit(organization=org, filters=b_only, by="order").rows
    assert (row.order_id, row.revenue, row.cost, row.margin, row.margin_percent) == (
        story["b"].pk,
        D("60.00"),
        D("24.00"),
        D("36.00"),
        D("60.0"),
    )
    [sales] = reports.sales_analysis(organization=org, filters=b_only).rows
    assert (sales.amount, sales.uninvoiced) == (D("60.00"), D("40.00"))


# Order fulfilment -------------------------------------------------------------------------------------------


def test_fulfilment_of_open_orders(org, story):
    today = timezone.localdate()
    found = reports.order_fulfilment(organization=org, filters=reports.Filters(), today=today)
    assert [r.order.pk for r in found] == [story["a"].pk, story["b"].pk]  # late first; the draft is left out
    a, b = found
    assert (a.ordered, a.delivered, a.invoiced, a.invoiced_total, a.paid) == (
        D("1100.00"),
        D("800.00"),
        D("800.00"),
        D("904.00"),
        D("500.00"),
    )
    assert (a.delivered_percent, a.invoiced_percent, a.paid_percent, a.late) == (D("72.7"), D("72.7"), D("40.2"), True)
    assert a.days == (today - DAY).days
    assert (b.ordered, b.delivered, b.delivered_percent, b.invoiced_percent, b.paid_percent, b.late) == (
        D("100.00"),
        D("100.00"),
        D("100.0"),
        D("0.0"),
        D("0.0"),
        False,
    )
    late = reports.order_fulfilment(organization=org, filters=reports.Filters(), today=today, late_only=True)
    assert [r.order.pk for r in late] == [story["a"].pk]
    by_rep = reports.order_fulfilment(organization=org, filters=reports.Filters(rep=story["wang"]), today=today)
    assert [r.order.pk for r in by_rep] == [story["b"].pk]
    ink_orders = reports.order_fulfilment(organization=org, filters=reports.Filters(product=story["ink"]), today=today)
    assert [r.order.pk for r in ink_orders] == [story["a"].pk]
    # before the delivery date nothing is late
    assert not any(r.late for r in reports.order_fulfilment(organization=org, filters=reports.Filters(), today=DAY))


# Pages, Excel, API ------------------------------------------------------------------------------------------


def test_pages_show_the_figures(org, owner_client, story):
    page = owner_client.get("/sales/reports/sales/", {"date_from": "2026-11-01", "date_to": "2026-11-30"})
    html = page.content.decode()
    assert page.status_code == 200
    assert "北京星河科技有限公司" in html
    assert "904.00" in html
    assert "100.00" in html
    page = owner_client.get("/sales/reports/gross-profit/", {"date_from": "2026-11-01", "date_to": "2026-11-30"})
    html = page.content.decode()
    assert len(page.context["headers"]) == 6  # with cost, margin and margin %
    assert "400.00" in html
    assert "50.0" in html
    assert f'href="/sales/orders/{story["a"].pk}/"' in html
    page = owner_client.get("/sales/reports/fulfilment/")
    html = page.content.decode()
    assert html.count("sp-late") == 1
    assert "72.7" in html
    assert "40.2" in html
    bad = owner_client.get("/sales/reports/sales/", {"date_from": "2026-11-30", "date_to": "2026-11-01"})
    assert bad.status_code == 422
    assert [e.field for e in bad.context["errors"]] == ["date_to"]
    assert 'id="report-errors"' in bad.content.decode()


def test_cost_columns_are_hidden_without_stock_reports(org, client_as, api_as, story):
    page = client_as("sales").get("/sales/reports/gross-profit/", {"date_from": "2026-11-01", "date_to": "2026-11-30"})
    html = page.content.decode()
    assert page.status_code == 200
    assert "800.00" in html
    assert len(page.context["headers"]) == 3  # order, quantity, revenue: no cost, margin or margin %
    assert "400.00" not in html
    body = api_as("sales").get("/reports/gross-profit", {"date_from": "2026-11-01", "date_to": "2026-11-30"}).json()
    assert body["rows"][0]["revenue"] == "800.00"
    assert (body["rows"][0]["cost"], body["rows"][0]["margin"], body["total"]["margin_percent"]) == (None, None, None)
    body = api_as("finance").get("/reports/gross-profit", {"date_from": "2026-11-01", "date_to": "2026-11-30"}).json()
    assert (body["rows"][0]["cost"], body["rows"][0]["margin_percent"]) == ("400.00", "50.0")


def test_excel_exports(org, owner_client, client_as, story):
    query = {"date_from": "2026-11-01", "date_to": "2026-11-30", "by": "product", "export": "xlsx"}
    r = owner_client.get("/sales/reports/sales/", query)
    assert r["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(r.content)).worksheets[0]
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert len(rows[0]) == 6
    assert rows[2][0] == "PEN 商品PEN"
    assert [D(str(v)) for v in rows[2][1:6]] == [D("20"), D("400.00"), D("52.00"), D("452.00"), D("100.00")]
    assert [D(str(v)) for v in rows[-1][2:]] == [D("800.00"), D("104.00"), D("904.00"), D("100.00")]
    r = owner_client.get("/sales/reports/gross-profit/", {**query, "by": "order"})
    rows = [[c.value for c in row] for row in load_workbook(io.BytesIO(r.content)).worksheets[0].iter_rows()]
    assert len(rows[0]) == 6
    assert [D(str(v)) for v in rows[1][2:]] == [D("800.00"), D("400.00"), D("400.00"), D("50.0")]
    hidden = client_as("sales").get("/sales/reports/gross-profit/", {**query, "by": "order"})
    rows = [[c.value for c in row] for row in load_workbook(io.BytesIO(hidden.content)).worksheets[0].iter_rows()]
    assert len(rows[0]) == 3
    assert [D(str(v)) for v in rows[1][2:]] == [D("800.00")]
    r = owner_client.get("/sales/reports/fulfilment/", {"export": "xlsx"})
    rows = [[c.value for c in row] for row in load_workbook(io.BytesIO(r.content)).worksheets[0].iter_rows()]
    assert len(rows) == 3
    assert rows[1][0] == story["a"].number


def test_api_reports(org, owner_api, other_org, story):
    body = owner_api.get(
        "/reports/sales-analysis", {"date_from": "2026-11-01", "date_to": "2026-11-30", "by": "rep"}
    ).json()
    assert [(r["label"], r["amount"], r["uninvoiced"]) for r in body["rows"]] == [
        ("李", "800.00", "0"),
        ("王", "0", "100.00"),
    ]
    assert body["total"]["total"] == "904.00"
    body = owner_api.get(
        "/reports/gross-profit", {"date_from": "2026-11-01", "date_to": "2026-11-30", "by": "product"}
    ).json()
    assert [(r["label"], r["cost"], r["margin"]) for r in body["rows"]] == [
        ("PEN 商品PEN", "160.00", "240.00"),
        ("INK 商品INK", "240.00", "160.00"),
    ]
    rows = owner_api.get("/reports/order-fulfilment").json()
    assert [(r["order_id"], r["late"], r["paid"], r["paid_percent"]) for r in rows] == [
        (story["a"].pk, True, "500.00", "40.2"),
        (story["b"].pk, False, "0", "0.0"),
    ]
    assert [r["order_id"] for r in owner_api.get("/reports/order-fulfilment", {"late": "true"}).json()] == [
        story["a"].pk
    ]
    foreign = partner_create(organization=other_org, actor=None, role=PartnerRole.CUSTOMER, data={"name": "外人"})
    r = owner_api.get("/reports/sales-analysis", {"customer": foreign.pk})
    assert r.status_code == 422
    assert [e["field"] for e in r.json()["errors"]] == ["customer"]
    r = owner_api.get("/reports/gross-profit", {"date_from": "2026-11-30", "date_to": "2026-11-01"})
    assert (r.status_code, [e["field"] for e in r.json()["errors"]]) == (422, ["date_to"])
    r = owner_api.get("/reports/order-fulfilment", {"rep": "999999"})
    assert (r.status_code, [e["field"] for e in r.json()["errors"]]) == (422, ["rep"])


@pytest.mark.parametrize("role", ROLES)
def test_reports_follow_the_roles(role, org, client_as, api_as):
    client, api = client_as(role), api_as(role)
    view = grants(role, P.VIEW_SALES)
    for page in ("/sales/reports/sales/", "/sales/reports/gross-profit/", "/sales/reports/fulfilment/"):
        assert client.get(page).status_code == status(view, 200), page
        assert client.get(page, {"export": "xlsx"}).status_code == status(view, 200), page
    for op in ("/reports/sales-analysis", "/reports/gross-profit", "/reports/order-fulfilment"):
        assert api.get(op).status_code == status(view, 200), op
    if view:
        page = client.get("/sales/reports/gross-profit/")
        assert page.context["with_cost"] == grants(role, P.VIEW_STOCK_REPORTS)
        assert len(page.context["headers"]) == (6 if grants(role, P.VIEW_STOCK_REPORTS) else 3)
