"""Bad input gets a clear message naming the field, nothing is saved, never a 500."""

from __future__ import annotations

import pytest

from suanpan.catalog.models import Product
from suanpan.partners.models import Partner
from tests.resources import RESOURCES, make_customer, unit, vat

pytestmark = pytest.mark.django_db

CUSTOMER_CASES = [
    ({"name": "x", "credit_code": "91110000100017643A"}, "credit_code"),
    ({"name": "x", "credit_code": "9111000010001764"}, "credit_code"),
    ({"name": "x", "credit_code": "91110000100O17643K"}, "credit_code"),
    ({"name": "x", "credit_limit": "-0.01"}, "credit_limit"),
    ({"name": "x", "credit_limit": "abc"}, "credit_limit"),
    ({"name": "x", "credit_limit": "1.234"}, "credit_limit"),
    ({"name": "x", "payment_terms_days": "thirty"}, "payment_terms_days"),
    ({"name": "x", "payment_terms_days": True}, "payment_terms_days"),
    ({"name": "x", "payment_terms_days": -1}, "payment_terms_days"),
    ({"name": None}, "name"),
    ({}, "name"),
    ({"name": ""}, "name"),
    ({"name": "x" * 201}, "name"),
    ({"name": "x", "kind": "robot"}, "kind"),
    ({"name": "x", "email": "nope"}, "email"),
    ({"name": "x", "phone": "电话号码"}, "phone"),
    ({"name": "x", "tags": "not-a-list"}, "tags"),
    ({"name": 12345}, "name"),
]


@pytest.mark.parametrize(("payload", "field"), CUSTOMER_CASES)
def test_customer_api_refuses_with_the_field_named(payload, field, owner_api):
    r = owner_api.post("/customers/", payload)
    assert r.status_code in (400, 422), r.content
    body = r.json()
    assert body["detail"]
    assert field in {e["field"] for e in body["errors"]}, body
    assert all(e["message"] for e in body["errors"])
    assert Partner.objects.count() == 0


PRODUCT_CASES = [
    ({"sale_price": "-1"}, "sale_price"),
    ({"purchase_price": -5}, "purchase_price"),
    ({"min_stock": "-1"}, "min_stock"),
    ({"min_stock": "10", "max_stock": "5"}, "max_stock"),
    ({"sale_price": "NaN"}, "sale_price"),
    ({"sale_price": "1e400"}, "sale_price"),
    ({"unit_id": "abc"}, "unit_id"),
    ({"unit_id": None}, "unit_id"),
    ({"vat_rate_id": 0}, "vat_rate_id"),
    ({"code": ""}, "code"),
    ({"is_active": "maybe"}, "is_active"),
]


@pytest.mark.parametrize(("change", "field"), PRODUCT_CASES)
def test_product_api_refuses_with_the_field_named(change, field, org, owner_api):
    payload = {"code": "P1", "name": "纸", "unit_id": unit(org).pk, "vat_rate_id": vat(org).pk, **change}
    r = owner_api.post("/products/", payload)
    assert r.status_code in (400, 422), r.content
    assert field in {e["field"] for e in r.json()["errors"]}, r.json()
    assert Product.objects.count() == 0


@pytest.mark.parametrize("resource", RESOURCES, ids=[r.name for r in RESOURCES])
def test_duplicate_codes_and_names_are_refused(resource, org, owner_api):
    payload = resource.payload(org)
    assert owner_api.post(resource.api, payload).status_code == 201
    count = resource.model.objects.count()
    r = owner_api.post(resource.api, payload)
    if resource.name in ("customers", "suppliers"):  # codes are numbered, names may repeat
        assert r.status_code == 201
        return
    assert r.status_code == 422
    assert {e["field"] for e in r.json()["errors"]} & {"code", "name"}
    assert resource.model.objects.count() == count


def test_patch_refusals_leave_the_row_unchanged(org, owner_api):
    customer = make_customer(org)
    r = owner_api.patch(f"/customers/{customer.pk}", {"credit_limit": "-1", "phone": "010-1234567"})
    assert r.status_code == 422
    customer.refresh_from_db()
    assert customer.phone == ""


def test_malformed_json_and_wrong_content(owner_api):
    r = owner_api.client.post(
        "/api/v1/customers/", data="{not json", content_type="application/json", headers=owner_api.headers
    )
    assert r.status_code in (400, 422)
    assert r.json()["detail"]
    r = owner_api.client.post(
        "/api/v1/customers/", data="[1, 2]", content_type="application/json", headers=owner_api.headers
    )
    assert r.status_code in (400, 422)
    assert Partner.objects.count() == 0


def test_bad_query_parameters(owner_api):
    assert owner_api.get("/customers/", {"limit": "many"}).status_code == 422
    assert owner_api.get("/customers/", {"sort": "password"}).status_code == 422
    r = owner_api.get("/customers/", {"is_active": "perhaps"})
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "is_active"
    assert owner_api.get("/customers/", {"tag": "999999"}).json() == {"count": 0, "items": []}
    assert owner_api.get("/customers/abc").status_code == 404


@pytest.mark.parametrize(
    ("form", "field"),
    [
        ({"name": "x", "credit_code": "91110000100017643A"}, "credit_code"),
        ({"name": "x", "credit_limit": "-1"}, "credit_limit"),
        ({"name": "x", "credit_limit": "abc"}, "credit_limit"),
        ({"name": "", "credit_limit": "0"}, "name"),
        ({"name": "x", "payment_terms_days": "-3"}, "payment_terms_days"),
        ({"name": "x", "kind": "robot"}, "kind"),
    ],
)
def test_customer_form_shows_the_error_at_the_field(form, field, owner_client):
    data = {"kind": "company", "credit_limit": "0", "payment_terms_days": "30", **form}
    r = owner_client.post("/partners/customers/new/", data)
    assert r.status_code == 422
    assert f'data-field="{field}"' in r.content.decode()
    assert Partner.objects.count() == 0


def test_product_form_errors(org, owner_client):
    base = {
        "code": "P1",
        "name": "纸",
        "unit": unit(org).pk,
        "vat_rate": vat(org).pk,
        "sale_price": "1",
        "purchase_price": "1",
        "min_stock": "10",
        "max_stock": "5",
    }
    r = owner_client.post("/catalog/products/new/", base)
    assert r.status_code == 422
    assert 'data-field="max_stock"' in r.content.decode()
    r = owner_client.post("/catalog/products/new/", {**base, "max_stock": "50", "sale_price": "-1"})
    assert 'data-field="sale_price"' in r.content.decode()
    r = owner_client.post("/catalog/products/new/", {**base, "max_stock": "50", "unit": "999999"})
    assert 'data-field="unit"' in r.content.decode()
    assert Product.objects.count() == 0


def test_duplicate_code_in_the_form(org, owner_client):
    form = RESOURCES[3].ui_form(org)
    assert owner_client.post("/catalog/products/new/", form).status_code == 302
    r = owner_client.post("/catalog/products/new/", form)
    assert r.status_code == 422
    assert 'data-field="code"' in r.content.decode()
    assert Product.objects.count() == 1


def test_list_page_with_bad_filters_shows_nothing_and_the_problem(org, owner_client):
    make_customer(org)
    page = owner_client.get("/partners/customers/", {"tag": "999999"})
    assert page.status_code == 200
    assert page.context["page"].paginator.count == 0


def test_api_paging_limits(owner_api):
    assert owner_api.get("/customers/", {"limit": 100000}).status_code == 422
    assert owner_api.get("/customers/", {"offset": 10**30}).status_code == 422
    r = owner_api.client.get("/api/v1/no-such-thing/", headers=owner_api.headers)
    assert r.status_code == 404
    assert r.json()["detail"]
