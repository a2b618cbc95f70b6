"""Stock pages and API: balances, ledger, in transit, lots, transfers and stocktakes through the UI and the API,
the role matrix of the new pages and endpoints, and another organization's rows as 404."""

import datetime
import io
from decimal import Decimal

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from suanpan.inventory.choices import MoveKind, StocktakeStatus, TransferStatus
from suanpan.inventory.models import Lot, StockLevel, StockMove, Stocktake, Transfer
from suanpan.inventory.posting import MoveSpec
from suanpan.inventory.services import stock_post, warehouse_create
from suanpan.inventory.stocktakes import stocktake_start
from suanpan.inventory.transfers import transfer_create

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def stocked(org, warehouse, store, make_product, today):
    """A pen with 10 @ 5.00 in the warehouse and a batch-tracked milk with lot A (5 @ 3.00)."""
    pen, milk = make_product("PEN"), make_product("MILK", batch=True)
    lot = Lot.objects.create(organization=org, product=milk, number="A", expiry_date=datetime.date(2027, 3, 1))
    stock_post(
        organization=org,
        actor=None,
        date=today,
        moves=[
            MoveSpec(pen.pk, warehouse.pk, D("10"), MoveKind.RECEIPT, unit_cost=D("5.00")),
            MoveSpec(milk.pk, warehouse.pk, D("5"), MoveKind.RECEIPT, lot_id=lot.pk, unit_cost=D("3.00")),
        ],
    )
    return pen, milk, lot


def test_transfer_through_the_ui(org, owner_client, warehouse, store, stocked, today):
    pen, _milk, _lot = stocked
    r = owner_client.get("/inventory/transfers/new/")
    assert r.status_code == 200
    r = owner_client.post(
        "/inventory/transfers/new/",
        {
            "date": today.isoformat(),
            "from_warehouse": warehouse.pk,
            "to_warehouse": warehouse.pk,
            "product_1": pen.pk,
            "quantity_1": "3",
        },
    )
    assert r.status_code == 422
    assert "is-invalid" in r.content.decode()
    assert not Transfer.objects.exists()
    r = owner_client.post(
        "/inventory/transfers/new/",
        {
            "date": today.isoformat(),
            "from_warehouse": warehouse.pk,
            "to_warehouse": store.pk,
            "product_1": pen.pk,
            "quantity_1": "3",
        },
    )
    transfer = Transfer.objects.get()
    assert r.status_code == 302
    assert r["Location"] == f"/inventory/transfers/{transfer.pk}/"
    assert owner_client.get(r["Location"]).status_code == 200
    assert (
        owner_client.post(f"/inventory/transfers/{transfer.pk}/ship/", {"date": today.isoformat()}).status_code == 302
    )
    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.SHIPPED
    page = owner_client.get("/inventory/stock/in-transit/").content.decode()
    assert transfer.number in page
    assert "15.00" in page
    line = transfer.lines.get()
    owner_client.post(
        f"/inventory/transfers/{transfer.pk}/receive/", {"date": today.isoformat(), f"received_{line.pk}": "2"}
    )
    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.RECEIVED
    assert transfer.loss_voucher.total_debit == D("5.00")
    assert StockLevel.objects.get(product=pen, warehouse=store).on_hand == D("2")
    # A refused action comes back with its message, nothing changes.
    r = owner_client.post(f"/inventory/transfers/{transfer.pk}/cancel/", follow=True)
    assert "alert-danger" in r.content.decode()
    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.RECEIVED


def test_stock_pages_show_balances_ledger_and_lots(owner_client, warehouse, stocked):
    pen, _milk, lot = stocked
    page = owner_client.get("/inventory/stock/").content.decode()
    assert "PEN" in page
    assert "50.00" in page
    assert "65.00" in page  # total value: 50.00 + 15.00
    assert "A" in owner_client.get("/inventory/stock/", {"by": "lot"}).content.decode()
    export = owner_client.get("/inventory/stock/", {"export": "xlsx", "product": pen.pk})
    rows = list(load_workbook(io.BytesIO(export.content)).worksheets[0].iter_rows(values_only=True))
    assert rows[1][1] == "PEN"
    assert D(str(rows[1][7])) == D("50.00")
    ledger = owner_client.get(f"/inventory/stock/products/{pen.pk}/ledger/").content.decode()
    assert "50.00" in ledger
    assert owner_client.get(f"/inventory/stock/products/{pen.pk}/ledger/", {"start": "nope"}).status_code == 422
    panel = owner_client.get(f"/inventory/stock/products/{pen.pk}/panel/").content.decode()
    assert warehouse.name in panel
    assert "product-stock-loader" in owner_client.get(f"/catalog/products/{pen.pk}/").content.decode()
    assert lot.number in owner_client.get("/inventory/lots/").content.decode()
    assert "5" in owner_client.get(f"/inventory/lots/{lot.pk}/").content.decode()


def test_stocktake_through_the_ui(org, owner_client, warehouse, stocked, today):
    pen, milk, _lot = stocked
    r = owner_client.post("/inventory/stocktakes/new/", {"warehouse": warehouse.pk, "date": today.isoformat()})
    stocktake = Stocktake.objects.get()
    assert r.status_code == 302
    lines = {line.product_id: line for line in stocktake.lines.all()}
    assert owner_client.get(f"/inventory/stocktakes/{stocktake.pk}/print/").status_code == 200
    sheet = owner_client.get(f"/inventory/stocktakes/{stocktake.pk}/sheet/")
    book = load_workbook(io.BytesIO(sheet.content))
    ws = book.worksheets[0]
    for row in ws.iter_rows(min_row=2):
        row[6].value = "9" if row[0].value == lines[pen.pk].pk else "5"
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.name = "count.xlsx"
    buffer.seek(0)
    r = owner_client.post(f"/inventory/stocktakes/{stocktake.pk}/import/", {"file": buffer}, follow=True)
    assert "alert-danger" not in r.content.decode(), r.content.decode()[-3000:]
    assert {line.product_id: line.counted_quantity for line in stocktake.lines.all()} == {
        pen.pk: D("9"),
        milk.pk: D("5"),
    }
    owner_client.post(f"/inventory/stocktakes/{stocktake.pk}/counts/", {f"counted_{lines[pen.pk].pk}": "8"})
    for action in ("submit", "approve"):
        assert owner_client.post(f"/inventory/stocktakes/{stocktake.pk}/{action}/").status_code == 302
    owner_client.post(f"/inventory/stocktakes/{stocktake.pk}/post/", {"date": today.isoformat()})
    stocktake.refresh_from_db()
    assert stocktake.status == StocktakeStatus.POSTED
    assert stocktake.voucher.total_debit == D("10.00")  # 2 pens lost at 5.00
    r = owner_client.post(f"/inventory/stocktakes/{stocktake.pk}/post/", {"date": today.isoformat()}, follow=True)
    assert "alert-danger" in r.content.decode()
    assert StockMove.objects.filter(source_type="inventory.stocktake").count() == 1


def test_api_transfer_and_stocktake(org, owner_api, warehouse, store, stocked, today):
    pen, milk, lot = stocked
    day = today.isoformat()
    bad = owner_api.post(
        "/transfers",
        {
            "date": day,
            "from_warehouse_id": warehouse.pk,
            "to_warehouse_id": warehouse.pk,
            "lines": [{"product_id": pen.pk, "quantity": "1"}],
        },
    )
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "to_warehouse"
    decimals = owner_api.post(
        "/transfers",
        {
            "date": day,
            "from_warehouse_id": warehouse.pk,
            "to_warehouse_id": store.pk,
            "lines": [{"product_id": pen.pk, "quantity": "1.00001"}],
        },
    )
    assert decimals.status_code == 422
    assert "quantity" in decimals.json()["errors"][0]["field"]
    wrong_lot = owner_api.post(
        "/transfers",
        {
            "date": day,
            "from_warehouse_id": warehouse.pk,
            "to_warehouse_id": store.pk,
            "lines": [{"product_id": pen.pk, "lot_id": lot.pk, "quantity": "1"}],
        },
    )
    assert wrong_lot.status_code == 422
    assert not Transfer.objects.exists()
    r = owner_api.post(
        "/transfers",
        {
            "date": day,
            "from_warehouse_id": warehouse.pk,
            "to_warehouse_id": store.pk,
            "lines": [{"product_id": milk.pk, "lot_id": lot.pk, "quantity": "2"}],
        },
    )
    assert r.status_code == 201, r.content
    tid = r.json()["id"]
    assert owner_api.post(f"/transfers/{tid}/ship", {"date": day}).json()["status"] == "shipped"
    assert owner_api.get("/stock/in-transit").json()[0]["value"] == "6.00"
    received = owner_api.post(f"/transfers/{tid}/receive", {"date": day, "lines": []}).json()
    assert received["lines"][0]["received_quantity"] == "2.0000"
    assert owner_api.get(f"/lots/{lot.pk}").json()["on_hand"] in ("5", "5.0000")
    fefo = owner_api.get("/lots/first-expiry", {"product": milk.pk, "warehouse": warehouse.pk, "quantity": "2"}).json()
    assert [(x["lot_number"], D(x["quantity"])) for x in fefo] == [("A", D("2"))]

    st = owner_api.post("/stocktakes", {"date": day, "warehouse_id": warehouse.pk})
    assert st.status_code == 201
    body = st.json()
    line = next(x for x in body["lines"] if x["product_id"] == pen.pk)
    counts = [
        {"line_id": x["id"], "counted": "11" if x["id"] == line["id"] else x["book_quantity"]} for x in body["lines"]
    ]
    assert owner_api.post(f"/stocktakes/{body['id']}/counts", {"counts": counts}).status_code == 200
    for action in ("submit", "approve"):
        assert owner_api.post(f"/stocktakes/{body['id']}/{action}", {}).status_code == 200
    posted = owner_api.post(f"/stocktakes/{body['id']}/post", {"date": day})
    assert posted.status_code == 200
    assert posted.json()["status"] == "posted"
    again = owner_api.post(f"/stocktakes/{body['id']}/post", {"date": day})
    assert again.status_code == 409
    assert again.json()["errors"] == [{"field": "status", "message": again.json()["detail"]}]
    balances = owner_api.get("/stock/balances", {"product": pen.pk}).json()["items"]
    assert [(b["on_hand"], b["value"]) for b in balances] == [("11.0000", "55.00")]
    ledger = owner_api.get("/stock/ledger", {"product": pen.pk}).json()
    assert [m["balance_quantity"] for m in ledger["moves"]] == ["10.0000", "11.0000"]


ROLES = ("owner", "admin", "sales", "service", "marketing", "purchasing", "warehouse", "finance")


@pytest.mark.parametrize("role", ROLES)
def test_pages_and_api_follow_the_role_matrix(role, org, client_as, api_as, warehouse, store, stocked, today):
    from suanpan.core.permissions import ROLE_PERMISSIONS, P

    granted = ROLE_PERMISSIONS[role]
    view, reports = P.VIEW_WAREHOUSE in granted, P.VIEW_STOCK_REPORTS in granted
    move, count, approve = (p in granted for p in (P.MOVE_STOCK, P.COUNT_STOCK, P.APPROVE_STOCKTAKE))
    pen, _milk, lot = stocked
    transfer = transfer_create(
        organization=org,
        actor=None,
        date=today,
        from_warehouse=warehouse.pk,
        to_warehouse=store.pk,
        lines=[{"product": pen.pk, "quantity": "1"}],
    )
    stocktake = stocktake_start(organization=org, actor=None, warehouse=warehouse.pk, date=today)
    ui, api = client_as(role), api_as(role)

    def code(allowed, ok=200):
        return ok if allowed else 403

    for page in ("/inventory/stock/", f"/inventory/stock/products/{pen.pk}/ledger/"):
        assert ui.get(page).status_code == code(reports), page
    for page in (
        "/inventory/stock/in-transit/",
        f"/inventory/stock/products/{pen.pk}/panel/",
        "/inventory/lots/",
        f"/inventory/lots/{lot.pk}/",
        "/inventory/transfers/",
        f"/inventory/transfers/{transfer.pk}/",
        "/inventory/stocktakes/",
        f"/inventory/stocktakes/{stocktake.pk}/",
        f"/inventory/stocktakes/{stocktake.pk}/print/",
        f"/inventory/stocktakes/{stocktake.pk}/sheet/",
    ):
        assert ui.get(page).status_code == code(view), page
    assert ui.get("/inventory/transfers/new/").status_code == code(move)
    assert ui.get("/inventory/stocktakes/new/").status_code == code(count)
    assert ui.post(f"/inventory/transfers/{transfer.pk}/ship/", {"date": today.isoformat()}).status_code == code(
        move, 302
    )
    assert ui.post(f"/inventory/stocktakes/{stocktake.pk}/cancel/").status_code == code(count, 302)
    assert ui.post(f"/inventory/stocktakes/{stocktake.pk}/approve/").status_code == code(approve, 302)

    assert api.get("/stock/balances").status_code == code(reports)
    assert api.get("/stock/ledger", {"product": pen.pk}).status_code == code(reports)
    for path in (
        "/stock/lots",
        "/stock/in-transit",
        "/lots",
        f"/lots/{lot.pk}",
        "/transfers",
        f"/transfers/{transfer.pk}",
    ):
        assert api.get(path).status_code == code(view), path
    for path in ("/stocktakes", f"/stocktakes/{stocktake.pk}"):
        assert api.get(path).status_code == code(view), path
    assert api.get(
        "/lots/first-expiry", {"product": pen.pk, "warehouse": warehouse.pk, "quantity": "1"}
    ).status_code == code(view)
    payload = {
        "date": today.isoformat(),
        "from_warehouse_id": warehouse.pk,
        "to_warehouse_id": store.pk,
        "lines": [{"product_id": pen.pk, "quantity": "1"}],
    }
    assert api.post("/transfers", payload).status_code == code(move, 201)
    other = transfer_create(
        organization=org,
        actor=None,
        date=today,
        from_warehouse=warehouse.pk,
        to_warehouse=store.pk,
        lines=[{"product": pen.pk, "quantity": "1"}],
    )
    assert api.post(f"/transfers/{other.pk}/cancel", {}).status_code == code(move)
    assert api.post("/stocktakes", {"date": today.isoformat(), "warehouse_id": warehouse.pk}).status_code == code(
        count, 201
    )
    fresh = stocktake_start(organization=org, actor=None, warehouse=store.pk, date=today)
    assert api.post(f"/stocktakes/{fresh.pk}/approve", {}).status_code == (409 if approve else 403)
    assert api.post(f"/stocktakes/{fresh.pk}/submit", {}).status_code == code(count)


def test_another_organizations_documents_are_404(org, other_org, owner_client, owner_api, stocked, today):
    from suanpan.catalog.models import Unit, VatRate
    from suanpan.catalog.services import product_create

    a = warehouse_create(organization=other_org, actor=None, data={"code": "A", "name": "别家A"})
    b = warehouse_create(organization=other_org, actor=None, data={"code": "B", "name": "别家B"})
    unit = Unit.objects.filter(organization=other_org).first()
    vat = VatRate.objects.get(organization=other_org, rate="0.13")
    theirs = product_create(
        organization=other_org, actor=None, data={"code": "T", "name": "别家货", "unit": unit, "vat_rate": vat}
    )
    stock_post(
        organization=other_org,
        actor=None,
        date=today,
        moves=[MoveSpec(theirs.pk, a.pk, D("3"), MoveKind.RECEIPT, unit_cost=D("1"))],
    )
    transfer = transfer_create(
        organization=other_org,
        actor=None,
        date=today,
        from_warehouse=a.pk,
        to_warehouse=b.pk,
        lines=[{"product": theirs.pk, "quantity": "1"}],
    )
    stocktake = stocktake_start(organization=other_org, actor=None, warehouse=a.pk, date=today)
    assert owner_client.get(f"/inventory/transfers/{transfer.pk}/").status_code == 404
    assert (
        owner_client.post(f"/inventory/transfers/{transfer.pk}/ship/", {"date": today.isoformat()}).status_code == 404
    )
    assert owner_client.get(f"/inventory/stocktakes/{stocktake.pk}/sheet/").status_code == 404
    assert owner_client.post(f"/inventory/stocktakes/{stocktake.pk}/cancel/").status_code == 404
    assert owner_client.get(f"/inventory/stock/products/{theirs.pk}/ledger/").status_code == 404
    assert owner_api.post(f"/transfers/{transfer.pk}/ship", {"date": today.isoformat()}).status_code == 404
    assert owner_api.get("/stock/ledger", {"product": theirs.pk}).status_code == 422
    transfer.refresh_from_db()
    stocktake.refresh_from_db()
    assert (transfer.status, stocktake.status) == ("draft", "counting")
    assert "别家" not in owner_client.get("/inventory/stock/").content.decode()
    assert {b["warehouse_name"] for b in owner_api.get("/stock/balances").json()["items"]} == {"上海总仓"}
