import pytest

pytestmark = pytest.mark.django_db


def test_warehouse_api(org, owner_api, member):
    keeper = member("warehouse")
    r = owner_api.post("/warehouses/", {"code": "WH01", "name": "上海总仓", "manager_id": keeper.pk})
    assert r.status_code == 201, r.content
    r = owner_api.post("/warehouses/", {"code": "ST01", "name": "南京路门店", "is_store": True})
    assert r.json()["is_store"] is True
    assert [w["code"] for w in owner_api.get("/warehouses/", {"is_store": False}).json()["items"]] == ["WH01"]
    r = owner_api.post("/warehouses/", {"code": "WH02", "name": "仓", "manager_id": 987654})
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "manager_id"


def test_warehouse_pages(owner_client):
    r = owner_client.post("/inventory/warehouses/new/", {"code": "WH01", "name": "上海总仓", "is_active": "on"})
    assert r.status_code == 302
    detail = owner_client.get(r["Location"])
    assert "上海总仓" in detail.content.decode()
    assert owner_client.get("/inventory/warehouses/", {"q": "shzc"}).context["page"].paginator.count == 1
