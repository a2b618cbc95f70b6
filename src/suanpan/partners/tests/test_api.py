from decimal import Decimal

import pytest

from suanpan.partners.models import Partner

pytestmark = pytest.mark.django_db

CREDIT = "91110000100017643K"


def test_create_get_patch_delete_a_customer(owner_api, org, member):
    rep = member("sales")
    r = owner_api.post(
        "/customers/",
        {
            "name": "北京科技有限公司",
            "credit_code": CREDIT,
            "credit_limit": "50000.00",
            "tags": ["重点客户"],
            "owner_id": rep.pk,
            "province": "北京",
        },
    )
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["code"] == "C00001"
    assert body["credit_limit"] == "50000.00"
    assert body["tags"] == ["重点客户"]
    assert body["is_customer"] is True
    pk = body["id"]

    assert owner_api.get(f"/customers/{pk}").json()["name"] == "北京科技有限公司"
    r = owner_api.patch(f"/customers/{pk}", {"phone": "010-12345678", "tags": []})
    assert r.status_code == 200, r.content
    assert r.json()["tags"] == []
    assert r.json()["owner_id"] == rep.pk
    assert owner_api.delete(f"/customers/{pk}").status_code == 204
    assert owner_api.get(f"/customers/{pk}").status_code == 404


def test_list_filters_search_sort_and_paginates(owner_api):
    for name, province in [("北京科技有限公司", "北京"), ("上海贸易有限公司", "上海"), ("北京餐饮管理公司", "北京")]:
        assert owner_api.post("/customers/", {"name": name, "province": province}).status_code == 201
    r = owner_api.get("/customers/", {"q": "bjkj"})
    assert [c["name"] for c in r.json()["items"]] == ["北京科技有限公司"]
    r = owner_api.get("/customers/", {"province": "北京", "sort": "-name"})
    assert r.json()["count"] == 2
    r = owner_api.get("/customers/", {"limit": 2, "offset": 2, "sort": "code"})
    assert r.json() == {"count": 3, "items": [r.json()["items"][0]]}
    assert r.json()["items"][0]["code"] == "C00003"


def test_suppliers_and_customers_are_separate_lists(owner_api):
    owner_api.post("/customers/", {"name": "客户甲"})
    r = owner_api.post("/suppliers/", {"name": "供应商乙", "bank_name": "工商银行", "bank_account": "6222000011112222"})
    assert r.json()["code"] == "S00001"
    assert [s["name"] for s in owner_api.get("/suppliers/").json()["items"]] == ["供应商乙"]
    customer_id = owner_api.get("/customers/").json()["items"][0]["id"]
    assert owner_api.get(f"/suppliers/{customer_id}").status_code == 404


def test_contacts_endpoints(owner_api):
    pk = owner_api.post("/customers/", {"name": "客户甲"}).json()["id"]
    r = owner_api.post(f"/customers/{pk}/contacts", {"name": "王经理", "mobile": "13800138000", "is_primary": True})
    assert r.status_code == 201
    contact_id = r.json()["id"]
    r = owner_api.patch(f"/customers/{pk}/contacts/{contact_id}", {"title": "采购经理"})
    assert r.json()["title"] == "采购经理"
    assert [c["name"] for c in owner_api.get(f"/customers/{pk}/contacts").json()] == ["王经理"]
    assert owner_api.delete(f"/customers/{pk}/contacts/{contact_id}").status_code == 204
    assert owner_api.get(f"/customers/{pk}/contacts").json() == []


def test_errors_are_json_with_fields(owner_api):
    r = owner_api.post("/customers/", {"name": "坏", "credit_code": "91110000100017643A", "credit_limit": "-5"})
    assert r.status_code == 422
    body = r.json()
    assert body["detail"]
    fields = {e["field"] for e in body["errors"]}
    assert {"credit_code", "credit_limit"} <= fields
    assert Partner.objects.count() == 0


def test_float_amounts_arrive_as_exact_decimals(owner_api):
    r = owner_api.post("/customers/", {"name": "甲", "credit_limit": 1234.56})
    assert r.status_code == 201
    assert Partner.objects.get().credit_limit == Decimal("1234.56")


def test_me_reports_roles_and_permissions(api_as):
    body = api_as("sales").get("/me").json()
    assert body["roles"] == ["sales"]
    assert "partners.change_customer" in body["permissions"]
    assert "partners.change_supplier" not in body["permissions"]


def test_schema_kinds_match_the_model_choices():
    from typing import get_args

    from suanpan.partners.choices import PartnerKind
    from suanpan.partners.schemas import KindT

    assert set(get_args(KindT)) == set(PartnerKind.values)


def test_tag_endpoints(owner_api):
    r = owner_api.post("/tags/", {"name": "重点客户", "color": "danger"})
    assert r.status_code == 201
    assert owner_api.post("/tags/", {"name": "重点客户"}).status_code == 422
    assert owner_api.post("/tags/", {"name": "x", "color": "pink"}).status_code == 422
    owner_api.post("/customers/", {"name": "甲", "tags": ["重点客户", "新标签"]})
    assert sorted(t["name"] for t in owner_api.get("/tags/").json()["items"]) == sorted(["新标签", "重点客户"])
