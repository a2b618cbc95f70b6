import pytest

from suanpan.catalog.models import Category, Unit, VatRate
from suanpan.catalog.services import category_create

pytestmark = pytest.mark.django_db


def ids(org):
    return (Unit.objects.get(organization=org, code="BOX").pk, VatRate.objects.get(organization=org, name="13%").pk)


def test_product_crud_through_the_api(org, owner_api):
    unit_id, vat_id = ids(org)
    r = owner_api.post(
        "/products/",
        {
            "code": "P001",
            "name": "A4复印纸",
            "unit_id": unit_id,
            "vat_rate_id": vat_id,
            "sale_price": "25.5",
            "purchase_price": 18,
            "min_stock": "10",
            "max_stock": "100",
            "is_batch_tracked": False,
        },
    )
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["sale_price"] == "25.500000"
    assert body["unit_id"] == unit_id
    pk = body["id"]
    r = owner_api.patch(f"/products/{pk}", {"sale_price": "26.00", "is_active": False})
    assert (r.json()["sale_price"], r.json()["is_active"]) == ("26.000000", False)
    assert owner_api.get("/products/", {"q": "a4fyz"}).json()["count"] == 1
    assert owner_api.get("/products/", {"is_active": True}).json()["count"] == 0
    assert owner_api.delete(f"/products/{pk}").status_code == 204


def test_reference_errors_name_the_payload_field(org, other_org, owner_api):
    unit_id, vat_id = ids(org)
    other_unit, _ = ids(other_org)
    r = owner_api.post("/products/", {"code": "P1", "name": "纸", "unit_id": other_unit, "vat_rate_id": vat_id})
    assert r.status_code == 422
    assert [e["field"] for e in r.json()["errors"]] == ["unit_id"]
    r = owner_api.post("/products/", {"code": "P1", "name": "纸", "unit_id": unit_id, "vat_rate_id": 0})
    assert [e["field"] for e in r.json()["errors"]] == ["vat_rate_id"]


def test_category_filter_includes_children(org, owner, owner_api):
    office = category_create(organization=org, actor=owner, data={"code": "01", "name": "办公用品"})
    paper = category_create(organization=org, actor=owner, data={"code": "0101", "name": "纸张", "parent": office})
    unit_id, vat_id = ids(org)
    for code, cat in (("P1", paper.pk), ("P2", office.pk), ("P3", None)):
        owner_api.post(
            "/products/", {"code": code, "name": code, "unit_id": unit_id, "vat_rate_id": vat_id, "category_id": cat}
        )
    assert owner_api.get("/products/", {"category": office.pk, "sort": "code"}).json()["count"] == 2
    assert [p["code"] for p in owner_api.get("/products/", {"category": paper.pk}).json()["items"]] == ["P1"]
    cats = owner_api.get("/categories/", {"sort": "code"}).json()["items"]
    assert [(c["code"], c["path"]) for c in cats] == [("01", "办公用品"), ("0101", "办公用品 / 纸张")]
    assert Category.objects.count() == 2


def test_units_and_vat_rates(owner_api):
    r = owner_api.post("/units/", {"code": "DOZ", "name": "打"})
    assert r.status_code == 201
    assert owner_api.post("/units/", {"code": "DOZ", "name": "打"}).status_code == 422
    rates = [v["name"] for v in owner_api.get("/vat-rates/", {"sort": "-rate"}).json()["items"]]
    assert rates == ["13%", "9%", "6%", "5%", "3%", "1%", "0%"]
    r = owner_api.post("/vat-rates/", {"name": "150%", "rate": "1.5"})
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "rate"
