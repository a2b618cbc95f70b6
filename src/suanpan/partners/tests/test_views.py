import io

import pytest
from openpyxl import load_workbook

from suanpan.core.models import AuditEvent
from suanpan.partners.choices import PartnerRole
from suanpan.partners.models import Partner
from suanpan.partners.services import partner_create

pytestmark = pytest.mark.django_db


def seed(org, owner, names):
    return [partner_create(organization=org, actor=owner, role=PartnerRole.CUSTOMER, data={"name": n}) for n in names]


def test_list_search_by_pinyin_initials_and_htmx_partial(org, owner, owner_client):
    seed(org, owner, ["北京科技有限公司", "上海贸易有限公司"])
    page = owner_client.get("/partners/customers/", {"q": "bjkj"})
    assert page.status_code == 200
    html = page.content.decode()
    assert "北京科技有限公司" in html
    assert "上海贸易有限公司" not in html
    assert "<html" in html
    partial = owner_client.get("/partners/customers/", {"q": "shmy"}, headers={"HX-Request": "true"})
    body = partial.content.decode()
    assert "<html" not in body
    assert "上海贸易有限公司" in body


def test_sort_and_pagination(org, owner, owner_client):
    seed(org, owner, [f"客户{i:02d}" for i in range(30)])
    page = owner_client.get("/partners/customers/", {"sort": "-code"})
    assert page.context["page"].paginator.count == 30
    assert page.context["rows"][0]["obj"].code == "C00030"
    second = owner_client.get("/partners/customers/", {"sort": "code", "page": 2})
    assert [r["obj"].code for r in second.context["rows"]] == [f"C{i:05d}" for i in range(26, 31)]


def test_excel_export_holds_the_filtered_rows(org, owner, owner_client):
    seed(org, owner, ["北京科技有限公司", "上海贸易有限公司"])
    response = owner_client.get("/partners/customers/", {"q": "北京", "export": "xlsx"})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    ws = load_workbook(io.BytesIO(response.content)).active
    rows = list(ws.iter_rows(values_only=True))
    assert len(rows) == 2
    assert rows[1][:2] == ("C00001", "北京科技有限公司")


def test_create_through_the_form_then_detail_shows_history(owner_client, owner):
    r = owner_client.post(
        "/partners/customers/new/",
        {
            "kind": "company",
            "name": "杭州云端科技有限公司",
            "credit_code": "91110000100017643K",
            "credit_limit": "1000",
            "payment_terms_days": "30",
            "is_active": "on",
        },
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    partner = Partner.objects.get(name="杭州云端科技有限公司")
    assert r["Location"] == f"/partners/customers/{partner.pk}/"
    detail = owner_client.get(r["Location"]).content.decode()
    assert "杭州云端科技有限公司" in detail
    assert 'id="history"' in detail
    assert AuditEvent.objects.filter(object_id=str(partner.pk), action="create").exists()


def test_form_errors_are_shown_by_field_and_nothing_saved(owner_client):
    r = owner_client.post(
        "/partners/customers/new/",
        {
            "kind": "company",
            "name": "坏客户",
            "credit_code": "91110000100017643A",
            "credit_limit": "-1",
            "payment_terms_days": "30",
        },
    )
    assert r.status_code == 422
    html = r.content.decode()
    assert 'data-field="credit_code"' in html
    assert 'data-field="credit_limit"' in html
    assert not Partner.objects.exists()


def test_htmx_post_answers_with_hx_redirect(owner_client):
    r = owner_client.post(
        "/partners/customers/new/",
        {"kind": "company", "name": "甲", "credit_limit": "0", "payment_terms_days": "30"},
        headers={"HX-Request": "true"},
    )
    assert r.status_code == 204
    assert r["HX-Redirect"].startswith("/partners/customers/")


def test_edit_and_delete(org, owner, owner_client):
    (partner,) = seed(org, owner, ["甲公司"])
    r = owner_client.post(
        f"/partners/customers/{partner.pk}/edit/",
        {
            "kind": "company",
            "code": partner.code,
            "name": "甲公司（改）",
            "credit_limit": "0",
            "payment_terms_days": "45",
            "is_customer": "on",
            "is_active": "on",
        },
    )
    assert r.status_code == 302
    partner.refresh_from_db()
    assert (partner.name, partner.payment_terms_days) == ("甲公司（改）", 45)
    r = owner_client.post(f"/partners/customers/{partner.pk}/delete/")
    assert r.status_code == 302
    assert not Partner.objects.filter(pk=partner.pk).exists()


def test_contacts_from_the_partner_page(org, owner, owner_client):
    (partner,) = seed(org, owner, ["甲公司"])
    url = f"/partners/customers/{partner.pk}/contacts/new/"
    r = owner_client.post(url, {"name": "王经理", "mobile": "13800138000"})
    assert r.status_code == 302
    assert "王经理" in owner_client.get(f"/partners/customers/{partner.pk}/").content.decode()
    r = owner_client.post(f"/partners/customers/{partner.pk}/contacts/new/", {"name": "", "mobile": "abc"})
    assert r.status_code == 422
    assert partner.contacts.count() == 1


def test_organization_switcher(org, other_org, owner, owner_client):
    from suanpan.core.services import membership_add

    membership_add(organization=other_org, actor=None, user=owner, roles=["admin"])
    home = owner_client.get("/")
    assert 'id="org-switcher"' in home.content.decode()
    for target in (org, other_org, org):
        r = owner_client.post("/switch-organization/", {"organization": target.pk, "next": "/partners/customers/"})
        assert r["Location"] == "/partners/customers/"
        assert owner_client.get("/").context["current_organization"] == target
    outsider_org = other_org.pk + 1000
    assert owner_client.post("/switch-organization/", {"organization": outsider_org}).status_code == 404


def test_list_queries_do_not_grow_with_rows(org, owner, owner_client, member):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    rep = member("sales")
    owner_client.get("/partners/customers/")  # the first request also stores the chosen organization in the session
    for i in range(3):
        partner_create(
            organization=org,
            actor=owner,
            role=PartnerRole.CUSTOMER,
            data={"name": f"客户{i}", "owner": rep},
            tags=["重点"],
        )
    with CaptureQueriesContext(connection) as few:
        owner_client.get("/partners/customers/")
    for i in range(3, 20):
        partner_create(
            organization=org,
            actor=owner,
            role=PartnerRole.CUSTOMER,
            data={"name": f"客户{i}", "owner": rep},
            tags=["重点", "经销商"],
        )
    with CaptureQueriesContext(connection) as many:
        owner_client.get("/partners/customers/")
    assert len(many.captured_queries) == len(few.captured_queries)
