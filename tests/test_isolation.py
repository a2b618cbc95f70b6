"""Organizations never see each other's data: another organization's id is a 404 everywhere, lists never
include its rows, and a payload cannot point at its rows."""

from __future__ import annotations

import io
import re

import pytest
from openpyxl import load_workbook

from suanpan.api import api
from suanpan.catalog.models import Category
from tests.resources import RESOURCES, make_contact, unit

pytestmark = pytest.mark.django_db
IDS = [r.name for r in RESOURCES]


def snapshot(row):
    row.refresh_from_db()
    return {f.attname: getattr(row, f.attname) for f in row._meta.concrete_fields}


@pytest.mark.parametrize("resource", RESOURCES, ids=IDS)
def test_api_ids_of_another_organization_are_404_and_untouched(resource, other_org, owner_api, org):
    theirs = resource.make(other_org)
    before = snapshot(theirs)
    path = f"{resource.api}{theirs.pk}"
    assert owner_api.get(path).status_code == 404
    assert owner_api.patch(path, resource.payload(org)).status_code == 404
    assert owner_api.delete(path).status_code == 404
    assert snapshot(theirs) == before


@pytest.mark.parametrize("resource", RESOURCES, ids=IDS)
def test_ui_pages_of_another_organizations_row_are_404(resource, other_org, owner_client):
    theirs = resource.make(other_org)
    before = snapshot(theirs)
    base = f"{resource.ui}{theirs.pk}/"
    assert owner_client.get(base).status_code == 404
    assert owner_client.get(f"{base}edit/").status_code == 404
    assert owner_client.post(f"{base}edit/", {"name": "抢"}).status_code == 404
    assert owner_client.post(f"{base}delete/").status_code == 404
    assert snapshot(theirs) == before


@pytest.mark.parametrize("resource", RESOURCES, ids=IDS)
def test_lists_and_exports_never_show_another_organizations_rows(resource, org, other_org, owner_api, owner_client):
    mine, theirs = resource.make(org), resource.make(other_org)
    api_ids = {row["id"] for row in owner_api.get(resource.api, {"limit": 1000}).json()["items"]}
    assert mine.pk in api_ids
    assert theirs.pk not in api_ids
    page = owner_client.get(resource.ui)
    page_ids = {row["obj"].pk for row in page.context["rows"]}
    assert mine.pk in page_ids
    assert theirs.pk not in page_ids
    export = owner_client.get(resource.ui, {"export": "xlsx"})
    rows = list(load_workbook(io.BytesIO(export.content)).worksheets[0].iter_rows(values_only=True))
    assert (
        len(rows) - 1
        == page.context["page"].paginator.count
        == resource.model.objects.filter(organization=org).filter(pk__in=page_ids | {mine.pk}).count()
    )


def test_contacts_of_another_organization_are_404(org, other_org, owner_api, owner_client):
    customer, contact = make_contact(other_org)
    assert owner_api.get(f"/customers/{customer.pk}/contacts").status_code == 404
    assert owner_api.post(f"/customers/{customer.pk}/contacts", {"name": "x"}).status_code == 404
    assert owner_api.patch(f"/customers/{customer.pk}/contacts/{contact.pk}", {"name": "x"}).status_code == 404
    assert owner_api.delete(f"/customers/{customer.pk}/contacts/{contact.pk}").status_code == 404
    mine, _ = make_contact(org)
    assert owner_api.patch(f"/customers/{mine.pk}/contacts/{contact.pk}", {"name": "x"}).status_code == 404
    page = f"/partners/customers/{customer.pk}/contacts/{contact.pk}/edit/"
    assert owner_client.get(page).status_code == 404
    assert owner_client.post(f"/partners/customers/{customer.pk}/contacts/{contact.pk}/delete/").status_code == 404
    contact.refresh_from_db()
    assert contact.name == "联系人"


def test_payloads_cannot_reference_another_organizations_rows(org, other_org, owner_api, make_user):
    theirs_unit = unit(other_org)
    r = owner_api.post(
        "/products/",
        {"code": "X", "name": "x", "unit_id": theirs_unit.pk, "vat_rate_id": RESOURCES[6].make(other_org).pk},
    )
    assert r.status_code == 422
    assert {e["field"] for e in r.json()["errors"]} == {"unit_id", "vat_rate_id"}
    r = owner_api.post(
        "/categories/",
        {"code": "X", "name": "x", "parent_id": Category.objects.create(organization=other_org, code="Z", name="z").pk},
    )
    assert [e["field"] for e in r.json()["errors"]] == ["parent_id"]
    r = owner_api.post("/customers/", {"name": "x", "owner_id": make_user("stranger").pk})
    assert [e["field"] for e in r.json()["errors"]] == ["owner_id"]
    r = owner_api.post("/warehouses/", {"code": "W", "name": "w", "manager_id": make_user("stranger2").pk})
    assert [e["field"] for e in r.json()["errors"]] == ["manager_id"]


def test_every_api_path_with_an_id_is_covered_by_these_tests():
    """Fails when a new `{id}` endpoint appears that the table above does not exercise."""
    schema = api.get_openapi_schema()
    covered = {r.api.rstrip("/") for r in RESOURCES} | {
        "/customers/{partner_id}/contacts",
        "/suppliers/{partner_id}/contacts",
    }
    for path in schema["paths"]:
        if "{" not in path:
            continue
        relative = re.sub(r"^/api/v1", "", path)
        base = relative.split("/{", 1)[0]
        contacts = relative.rsplit("/{", 1)[0] if relative.endswith("{contact_id}") else None
        assert base in covered or contacts in covered, f"{path} has no isolation test"
