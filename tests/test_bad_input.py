"""Bad input gets a clear message naming the field, nothing is saved, never a 500.

API: 422 with `{detail, errors: [{field, message}]}` where `field` names the payload's key. UI: 422 with the
message next to the field (`data-field="<name>"`). Most cases are derived from the resources' API schemas
and UI forms (wrong types, nulls, missing and over-long fields, bad choices, negative amounts, too many
places); hand-written cases cover the business rules (credit code, duplicates, max < min stock, …).
Django's test client re-raises any exception a view lets escape, so "never a 500" is checked throughout.
"""

from __future__ import annotations

import types
from decimal import Decimal
from typing import Annotated, Any, Literal, Union, get_args, get_origin

import pytest
from django import forms
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.urls import resolve

from suanpan.catalog.models import Product
from suanpan.core.validators import credit_code_check_char
from suanpan.partners.models import Contact, Partner
from tests.resources import (
    BY_NAME,
    RESOURCES,
    Resource,
    account,
    make_category,
    make_contact,
    make_customer,
    make_product,
)

pytestmark = pytest.mark.django_db

VALID_CREDIT_CODE = "91110000MA01" + "ABCDE"  # 17 characters; the check character is added below
VALID_CREDIT_CODE += credit_code_check_char(VALID_CREDIT_CODE)


def refused(r: Any, field: str) -> dict[str, Any]:
    """The API's refusal: 422, the common error body, `field` among the named fields."""
    assert r.status_code == 422, r.content
    body = r.json()
    assert set(body) == {"detail", "errors"}
    assert body["detail"]
    assert body["errors"]
    assert all(set(e) == {"field", "message"} and e["message"] for e in body["errors"]), body
    named = {e["field"] for e in body["errors"]}
    assert field in named or any(str(f).startswith(f"{field}.") for f in named), body
    return body  # type: ignore[no-any-return]


def shown_at(r: Any, field: str) -> None:
    """The form's refusal: 422 and the message next to the field."""
    assert r.status_code == 422
    assert f'data-field="{field}"' in r.content.decode()


# --- API cases derived from the input schemas ----------------------------------------------------------------


def _kind(annotation: Any) -> str:
    origin = get_origin(annotation)
    if origin in (Union, types.UnionType):
        return _kind(next(a for a in get_args(annotation) if a is not type(None)))
    if origin is Annotated:
        return _kind(get_args(annotation)[0])
    if origin is Literal:
        return "choice"
    if origin is list:
        return "list"
    return {str: "str", int: "int", bool: "bool", Decimal: "decimal"}[annotation]


def _nullable(annotation: Any) -> bool:
    return get_origin(annotation) in (Union, types.UnionType) and type(None) in get_args(annotation)


WRONG_TYPES: dict[str, list[Any]] = {
    "str": [123, True, ["x"], {"a": 1}],
    "int": ["abc", "12", True, 1.5, [1]],
    "bool": ["maybe", "true", 1, None],
    "decimal": ["abc", "", True, "NaN", "Infinity", "1e400", [], {"v": 1}],
    "choice": ["robot", 1, ""],
    "list": ["not-a-list", [1], {"a": "b"}],
}


def _model_field(resource: Resource, key: str) -> models.Field[Any, Any] | None:
    try:
        return resource.model._meta.get_field(key.removesuffix("_id"))  # type: ignore[return-value]
    except FieldDoesNotExist:  # a payload key without a model field
        return None


def _schema_cases() -> list[tuple[Resource, str, list[Any]]]:
    """(resource, payload key, bad values) for every key of every resource's input schema, by its type."""
    cases: list[tuple[Resource, str, list[Any]]] = []
    for r in RESOURCES:
        for key, info in r.schema_in.model_fields.items():
            kind = _kind(info.annotation)
            values = list(WRONG_TYPES[kind])
            if None not in values and not _nullable(info.annotation):
                values.append(None)
            field = _model_field(r, key)
            max_length = getattr(field, "max_length", None)
            if kind == "str" and max_length:
                values.append("长" * (max_length + 1))
            if kind == "str":
                values.append("a\x00b")
            if kind == "decimal":
                places, digits = field.decimal_places, field.max_digits  # type: ignore[union-attr]
                values += ["-1", "-0.0001", "1." + "1" * (places + 1), "9" * (digits + 1)]
            if kind == "int" and not key.endswith("_id"):
                values += [-1, 10**6, 10**30]
            if kind == "int" and key.endswith("_id"):
                values += [0, -1, 999_999, 10**30]
            cases.append((r, key, values))
    return cases


SCHEMA_CASES = _schema_cases()


@pytest.mark.parametrize(
    ("resource", "key", "values"), SCHEMA_CASES, ids=[f"{r.name}.{k}" for r, k, _v in SCHEMA_CASES]
)
def test_api_refuses_bad_values_and_saves_nothing(resource, key, values, org, owner_api, subtests):
    row = resource.make(org)
    before = resource.model.objects.filter(pk=row.pk).values().get()
    count = resource.model.objects.count()
    for value in values:
        with subtests.test(value=value):
            refused(owner_api.post(resource.api, {**resource.payload(org), key: value}), key)
            refused(owner_api.patch(f"{resource.api}{row.pk}", {"name": "不该保存", key: value}), key)
    assert resource.model.objects.count() == count
    assert resource.model.objects.filter(pk=row.pk).values().get() == before


REQUIRED = [(r, key) for r in RESOURCES for key, info in r.schema_in.model_fields.items() if info.is_required()]


@pytest.mark.parametrize(("resource", "key"), REQUIRED, ids=[f"{r.name}.{k}" for r, k in REQUIRED])
def test_api_create_refuses_a_missing_required_field(resource, key, org, owner_api):
    payload = resource.payload(org)
    del payload[key]
    count = resource.model.objects.count()
    refused(owner_api.post(resource.api, payload), key)
    assert resource.model.objects.count() == count


@pytest.mark.parametrize("resource", RESOURCES, ids=str)
def test_api_names_every_bad_field_at_once(resource, org, owner_api):
    bad = {key: {"not": "valid"} for key in resource.schema_in.model_fields}
    body = refused(owner_api.post(resource.api, bad), next(iter(bad)))
    assert {e["field"] for e in body["errors"]} >= set(bad)


@pytest.mark.parametrize("resource", RESOURCES, ids=str)
def test_api_ignores_keys_it_does_not_know(resource, org, other_org, owner_api):
    """`organization_id`, `id` or timestamps in a payload never move a row or choose its organization."""
    payload = {**resource.payload(org), "organization_id": other_org.pk, "organization": other_org.pk, "id": 1}
    r = owner_api.post(resource.api, {**payload, "created_at": "2000-01-01T00:00:00Z"})
    assert r.status_code == 201, r.content
    row = resource.model.objects.get(pk=r.json()["id"])
    assert row.organization_id == org.pk  # type: ignore[attr-defined]
    assert row.created_at.year > 2000  # type: ignore[attr-defined]


# --- API business rules, by hand -----------------------------------------------------------------------------

CREDIT_CODES = [
    (VALID_CREDIT_CODE[:17] + ("0" if VALID_CREDIT_CODE[17] != "0" else "1"), "wrong check character"),
    (VALID_CREDIT_CODE[:17], "17 characters"),
    (VALID_CREDIT_CODE + "1", "19 characters"),
    ("91110000MA01ABCDI" + "1", "letter I"),
    ("91110000MA01ABCDO" + "1", "letter O"),
    ("91110000MA01ABCDS" + "1", "letter S"),
    ("91110000MA01ABCDV" + "1", "letter V"),
    ("91110000MA01ABCDZ" + "1", "letter Z"),
    ("91AB0000MA01ABCDE" + "1", "letters in the region code"),
    ("９１110000MA01ABCDE", "full-width digits"),
    ("91110000MA01ABC E1", "a space"),
]


@pytest.mark.parametrize(("code", "why"), CREDIT_CODES, ids=[why for _c, why in CREDIT_CODES])
@pytest.mark.parametrize("resource", [BY_NAME["customers"], BY_NAME["suppliers"]], ids=str)
def test_invalid_credit_codes_are_refused(code, why, resource, org, owner_api, owner_client):
    refused(owner_api.post(resource.api, {"name": "x", "credit_code": code}), "credit_code")
    shown_at(owner_client.post(f"{resource.ui}new/", {**resource.ui_form(org), "credit_code": code}), "credit_code")
    assert Partner.objects.count() == 0


def test_a_valid_credit_code_is_accepted_in_any_case(owner_api):
    r = owner_api.post("/customers/", {"name": "x", "credit_code": VALID_CREDIT_CODE.lower()})
    assert r.status_code == 201, r.content
    assert r.json()["credit_code"] == VALID_CREDIT_CODE


@pytest.mark.parametrize("resource", RESOURCES, ids=str)
def test_duplicates_are_refused(resource, org, owner_api, owner_client):
    unique = resource.unique or "code"
    payload = {**resource.payload(org), unique: "DUP-1"}
    assert owner_api.post(resource.api, payload).status_code == 201
    other = owner_api.post(resource.api, {**resource.payload(org), unique: "OTHER-1"}).json()
    count = resource.model.objects.count()

    refused(owner_api.post(resource.api, payload), unique)
    refused(owner_api.post(resource.api, {**payload, unique: " DUP-1 "}), unique)
    refused(owner_api.patch(f"{resource.api}{other['id']}", {unique: "DUP-1"}), unique)
    shown_at(owner_client.post(f"{resource.ui}new/", {**resource.ui_form(org), unique: "DUP-1"}), unique)
    shown_at(owner_client.post(f"{resource.ui}{other['id']}/edit/", {**resource.ui_form(org), unique: "DUP-1"}), unique)

    assert resource.model.objects.count() == count
    assert resource.model.objects.get(pk=other["id"]).__dict__[unique] == "OTHER-1"


def test_partner_names_may_repeat_but_codes_are_numbered(owner_api):
    first = owner_api.post("/customers/", {"name": "同名"}).json()
    second = owner_api.post("/customers/", {"name": "同名"}).json()
    assert first["code"] != second["code"]


def test_max_stock_below_min_stock(org, owner_api, owner_client):
    payload = {**BY_NAME["products"].payload(org), "min_stock": "10", "max_stock": "5"}
    refused(owner_api.post("/products/", payload), "max_stock")
    product = make_product(org)
    owner_api.patch(f"/products/{product.pk}", {"min_stock": "10", "max_stock": "20"})
    refused(owner_api.patch(f"/products/{product.pk}", {"max_stock": "5"}), "max_stock")
    refused(owner_api.patch(f"/products/{product.pk}", {"min_stock": "30"}), "max_stock")
    form = {**BY_NAME["products"].ui_form(org), "min_stock": "10", "max_stock": "5"}
    shown_at(owner_client.post("/catalog/products/new/", form), "max_stock")
    shown_at(owner_client.post(f"/catalog/products/{product.pk}/edit/", form), "max_stock")
    product.refresh_from_db()
    assert (product.min_stock, product.max_stock) == (Decimal(10), Decimal(20))
    assert Product.objects.count() == 1


@pytest.mark.parametrize("rate", ["1.01", "-0.01", "13", "0.12345"])
def test_vat_rates_lie_between_0_and_1(rate, org, owner_api, owner_client):
    count = BY_NAME["vat-rates"].model.objects.count()
    refused(owner_api.post("/vat-rates/", {"name": "x", "rate": rate}), "rate")
    shown_at(owner_client.post("/catalog/vat-rates/new/", {"name": "x", "rate": rate}), "rate")
    assert BY_NAME["vat-rates"].model.objects.count() == count


def test_a_category_cannot_sit_below_itself(org, owner_api, owner_client):
    parent = make_category(org)
    child = owner_api.post("/categories/", {"code": "CHILD", "name": "子", "parent_id": parent.pk}).json()
    refused(owner_api.patch(f"/categories/{parent.pk}", {"parent_id": parent.pk}), "parent_id")
    refused(owner_api.patch(f"/categories/{parent.pk}", {"parent_id": child["id"]}), "parent_id")
    form = {"code": parent.code, "name": parent.name, "parent": child["id"]}
    shown_at(owner_client.post(f"/catalog/categories/{parent.pk}/edit/", form), "parent")
    parent.refresh_from_db()
    assert parent.parent_id is None


CONTACT_CASES = [
    ({"name": ""}, "name", "post patch form"),
    ({"name": None}, "name", "post patch"),
    ({}, "name", "post form"),
    ({"name": "x", "email": "nope"}, "email", "post patch form"),
    ({"name": "x", "mobile": "手机"}, "mobile", "post patch form"),
    ({"name": "x", "phone": "abc"}, "phone", "post patch form"),
    ({"name": "x", "is_primary": "yes"}, "is_primary", "post patch"),
    ({"name": "x", "title": None}, "title", "post patch"),
    ({"name": "长" * 61}, "name", "post patch form"),
    ({"name": "x", "title": "长" * 61}, "title", "post patch form"),
    ({"name": "x", "wechat": "长" * 61}, "wechat", "post patch form"),
    ({"name": "x", "notes": "长" * 301}, "notes", "post patch form"),
    ({"name": "x", "notes": "a\x00b"}, "notes", "post patch form"),
]


@pytest.mark.parametrize(("payload", "field", "channels"), CONTACT_CASES)
def test_contacts_refuse_bad_input(payload, field, channels, org, owner_api, owner_client):
    partner, contact = make_contact(org)
    if "post" in channels:
        refused(owner_api.post(f"/customers/{partner.pk}/contacts", payload), field)
    if "patch" in channels:
        refused(owner_api.patch(f"/customers/{partner.pk}/contacts/{contact.pk}", payload), field)
    if "form" in channels:
        shown_at(owner_client.post(f"/partners/customers/{partner.pk}/contacts/new/", payload), field)
    assert list(Contact.objects.values("name", "title", "notes")) == [{"name": "联系人", "title": "", "notes": ""}]


MALFORMED = [
    ("{not json", 400),  # not JSON at all: 400, nothing to name
    ('{"name": "x"', 400),
    ('{"name": "x"} trailing', 400),
    ("\xff\xfe", 400),
    ("", 422),  # JSON, but not the object the operation needs: 422
    ("null", 422),
    ("[1, 2]", 422),
    ('"a string"', 422),
    ("42", 422),
]


@pytest.mark.parametrize(("body", "code"), MALFORMED)
def test_malformed_json_is_refused(body, code, owner_api):
    r = owner_api.client.post(
        "/api/v1/customers/", data=body, content_type="application/json", headers=owner_api.headers
    )
    assert r.status_code == code, r.content
    assert set(r.json()) == {"detail", "errors"}
    assert r.json()["detail"]
    assert Partner.objects.count() == 0


def test_a_form_encoded_body_is_refused(owner_api):
    r = owner_api.client.post("/api/v1/customers/", data={"name": "x"}, headers=owner_api.headers)
    assert r.status_code == 400, r.content
    assert r.json()["detail"]
    assert Partner.objects.count() == 0


def test_an_oversized_body_is_refused(owner_api, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    body = '{"name": "x", "notes": "' + "x" * 20_000 + '"}'
    r = owner_api.client.post(
        "/api/v1/customers/", data=body, content_type="application/json", headers=owner_api.headers
    )
    assert r.status_code == 400
    assert r.json()["detail"]
    assert Partner.objects.count() == 0


@pytest.mark.parametrize("text", ["a\x00b", "\x00"])
def test_nul_characters_are_refused(text, org, owner_api, owner_client):
    """PostgreSQL cannot store NUL in text; refusing it everywhere keeps SQLite and PostgreSQL alike."""
    refused(owner_api.post("/customers/", {"name": "x", "address": text}), "address")
    refused(owner_api.post("/products/", {**BY_NAME["products"].payload(org), "notes": text}), "notes")
    shown_at(
        owner_client.post("/partners/customers/new/", {**BY_NAME["customers"].ui_form(org), "address": text}), "address"
    )
    assert Partner.objects.count() == Product.objects.count() == 0


def test_nul_characters_in_tags_and_searches(org, owner_api, owner_client):
    refused(owner_api.post("/customers/", {"name": "x", "tags": ["a\x00b"]}), "tags")
    assert Partner.objects.count() == 0
    for path in ("/customers/", "/suppliers/", "/tags/", "/products/", "/units/", "/warehouses/", "/accounts"):
        r = owner_api.get(path, {"q": "a\x00b"})
        assert r.status_code in (200, 422), path
    for page in [r.ui for r in RESOURCES] + ["/accounting/accounts/", "/accounting/vouchers/"]:
        assert owner_client.get(page, {"q": "a\x00b", "province": "\x00"}).status_code == 200, page


@pytest.mark.parametrize(
    "params",
    [
        {"period": "99999999999999999999-1"},
        {"period": "2026-99999999999999999999"},
        {"period": "-"},
        {"status": "robot"},
        {"start": "99999999999999999999-01", "end": "2026-13"},
        {"partner": "99999999999999999999"},
        {"q": "%", "export": "xlsx"},
    ],
    ids=str,
)
def test_accounting_pages_shrug_off_absurd_parameters(params, org, owner_client):
    cash = account(org, "1001")
    for page in (
        "/accounting/vouchers/",
        "/accounting/accounts/",
        "/accounting/trial-balance/",
        f"/accounting/accounts/{cash.pk}/ledger/",
        "/accounting/ledgers/general/",
        "/accounting/ledgers/auxiliary/",
        "/accounting/statements/",
        "/accounting/statements/cash-flow/",
    ):
        assert owner_client.get(page, params).status_code == 200, page


def test_bad_query_parameters(owner_api):
    refused(owner_api.get("/customers/", {"limit": "many"}), "limit")
    refused(owner_api.get("/customers/", {"sort": "password"}), "sort")
    refused(owner_api.get("/customers/", {"is_active": "perhaps"}), "is_active")
    refused(owner_api.get("/customers/", {"kind": "robot"}), "kind")
    refused(owner_api.get("/products/", {"category": "abc"}), "category")
    assert owner_api.get("/customers/", {"tag": "999999"}).json() == {"count": 0, "items": []}
    assert owner_api.get("/customers/abc").status_code == 404


def test_api_paging_limits(owner_api):
    refused(owner_api.get("/customers/", {"limit": 100000}), "limit")
    refused(owner_api.get("/customers/", {"limit": 0}), "limit")
    refused(owner_api.get("/customers/", {"offset": -1}), "offset")
    refused(owner_api.get("/customers/", {"offset": 10**30}), "offset")
    r = owner_api.client.get("/api/v1/no-such-thing/", headers=owner_api.headers)
    assert r.status_code == 404
    assert r.json()["detail"]


# --- UI forms: cases derived from each resource's form -------------------------------------------------------


def _form_cases() -> list[tuple[Resource, str, list[str]]]:
    """(resource, field, bad values) for every field of every resource's form, by the field's type."""
    cases: list[tuple[Resource, str, list[str]]] = []
    for r in RESOURCES:
        form = _form_class(r)(organization=None)  # fields as the page builds them (querysets stay lazy)
        for name, f in form.fields.items():
            values: list[str] = []
            if isinstance(f, forms.ModelChoiceField):
                values += ["999999", "abc"]
            elif isinstance(f, forms.DecimalField):
                values += ["abc", "-1", "1e400", "NaN", "1" * 25]
            elif isinstance(f, forms.IntegerField):
                values += ["abc", "-1", "1.5", "9" * 20]
            elif isinstance(f, forms.TypedChoiceField | forms.ChoiceField):
                values += ["robot"]
            elif isinstance(f, forms.CharField):
                values += ["a\x00b"] + (["长" * (f.max_length + 1)] if f.max_length else [])
            if f.required:
                values.append("")
            if values:
                cases.append((r, name, values))
    return cases


def _form_class(resource: Resource) -> Any:
    return resolve(f"{resource.ui}new/").func.view_class.form_class  # type: ignore[attr-defined]


FORM_CASES = _form_cases()


@pytest.mark.parametrize(("resource", "field", "values"), FORM_CASES, ids=[f"{r.name}.{f}" for r, f, _v in FORM_CASES])
def test_forms_show_the_error_at_the_field(resource, field, values, org, owner_client, subtests):
    row = resource.make(org)
    before = resource.model.objects.filter(pk=row.pk).values().get()
    count = resource.model.objects.count()
    for value in values:
        with subtests.test(value=value):
            shown_at(owner_client.post(f"{resource.ui}new/", {**resource.ui_form(org), field: value}), field)
            shown_at(owner_client.post(f"{resource.ui}{row.pk}/edit/", {**resource.ui_form(org), field: value}), field)
    assert resource.model.objects.count() == count
    assert resource.model.objects.filter(pk=row.pk).values().get() == before


@pytest.mark.parametrize(
    ("form", "field"),
    [
        ({"credit_limit": "-0.01"}, "credit_limit"),
        ({"credit_limit": "1.234"}, "credit_limit"),
        ({"payment_terms_days": "-3"}, "payment_terms_days"),
        ({"payment_terms_days": "99999"}, "payment_terms_days"),
        ({"email": "nope"}, "email"),
        ({"phone": "电话号码"}, "phone"),
        ({"name": "   "}, "name"),
    ],
)
def test_customer_form_business_rules(form, field, org, owner_client):
    shown_at(owner_client.post("/partners/customers/new/", {**BY_NAME["customers"].ui_form(org), **form}), field)
    assert Partner.objects.count() == 0


@pytest.mark.parametrize(
    ("form", "field"),
    [
        ({"sale_price": "-1"}, "sale_price"),
        ({"purchase_price": "-0.000001"}, "purchase_price"),
        ({"min_stock": "-1"}, "min_stock"),
        ({"sale_price": "1.1234567"}, "sale_price"),
        ({"code": "  "}, "code"),
    ],
)
def test_product_form_business_rules(form, field, org, owner_client):
    shown_at(owner_client.post("/catalog/products/new/", {**BY_NAME["products"].ui_form(org), **form}), field)
    assert Product.objects.count() == 0


def test_list_page_with_bad_filters_shows_nothing(org, owner_client):
    make_customer(org)
    for params in ({"tag": "999999"}, {"tag": "abc"}, {"owner": "-1"}, {"page": "abc"}, {"sort": "password"}):
        page = owner_client.get("/partners/customers/", params)
        assert page.status_code == 200, params
    assert owner_client.get("/partners/customers/", {"tag": "999999"}).context["page"].paginator.count == 0
    assert owner_client.get("/partners/customers/", {"is_active": "perhaps", "export": "xlsx"}).status_code == 200
