"""Contract pages: the list and its filters, the form with the payment plan, the contract page (progress, orders,
attachments, actions), downloads through the permission-checked view, data scope and roles."""

import datetime
import re

import pytest
from django.test import Client
from django.utils import timezone
from tests import crm_cases_customers as cc

from suanpan.core import scopes
from suanpan.core.choices import Role
from suanpan.core.permissions import ROLE_PERMISSIONS, P
from suanpan.crm import contracts
from suanpan.crm.choices import ContractStatus
from suanpan.crm.models import Contract, ContractAttachment

ROLES = list(Role.values)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def grants(role, perm):
    return perm in ROLE_PERMISSIONS[role]


def login(user):
    client = Client()
    client.force_login(user)
    return client


def test_the_form_saves_a_contract_with_its_plan(org, owner_client):
    form = cc.contract_form(org)
    r = owner_client.post("/crm/contracts/new/", form)
    assert r.status_code == 302
    contract = Contract.objects.get(organization=org)
    assert r["Location"] == f"/crm/contracts/{contract.pk}/"
    assert [m.amount for m in contract.milestones.all()] == [339, 791]
    page = owner_client.get(r["Location"]).content.decode()
    assert contract.number in page
    assert 'id="milestone-progress"' in page
    edit = owner_client.get(f"/crm/contracts/{contract.pk}/edit/").content.decode()
    assert 'value="791.00"' in edit


def test_the_form_shows_bad_rows_and_saves_nothing(org, owner_client):
    form = {**cc.contract_form(org), "milestones-1-amount": "abc", "end_on": "2000-01-01"}
    r = owner_client.post("/crm/contracts/new/", form)
    assert r.status_code == 422
    html = r.content.decode()
    assert 'name="milestones-1-amount" value="abc" inputmode="decimal" autocomplete="off" aria-label' in html
    assert 'data-field="end_on"' in html
    assert not Contract.objects.filter(organization=org).exists()


def test_the_form_is_prefilled_from_a_customer(org, owner_client):
    buyer = cc.customer(org, "预填客户")
    html = owner_client.get(f"/crm/contracts/new/?customer={buyer.pk}").content.decode()
    assert re.search(rf'<option value="{buyer.pk}" selected>', html)


def test_a_refused_action_shows_on_the_page(org, owner_client):
    contract = cc.make_contract(org, milestones=[{"name": "预付", "due_on": timezone.localdate(), "amount": "1"}])
    r = owner_client.post(f"/crm/contracts/{contract.pk}/activate/")
    assert r.status_code == 422
    assert 'id="action-refusal"' in r.content.decode()
    assert Contract.objects.get(pk=contract.pk).status == ContractStatus.DRAFT
    assert owner_client.post(f"/crm/contracts/{contract.pk}/unknown/").status_code == 404


def test_the_page_links_orders_and_shows_progress(org, owner_client):
    contract = cc.make_contract(org)
    order = cc.make_order(org, contract.customer)
    page = owner_client.get(f"/crm/contracts/{contract.pk}/").content.decode()
    assert f'<option value="{order.pk}">' in page
    assert owner_client.post(f"/crm/contracts/{contract.pk}/orders/", {"order_id": order.pk}).status_code == 302
    page = owner_client.get(f"/crm/contracts/{contract.pk}/").content.decode()
    assert f'id="linked-order-{order.pk}"' in page
    assert f"/crm/contracts/{contract.pk}/orders/{order.pk}/unlink/" in page
    other = cc.make_order(org, cc.customer(org, "别家"))
    assert owner_client.post(f"/crm/contracts/{contract.pk}/orders/", {"order_id": other.pk}).status_code == 422
    assert owner_client.post(f"/crm/contracts/{contract.pk}/orders/{other.pk}/unlink/").status_code == 404
    assert owner_client.post(f"/crm/contracts/{contract.pk}/orders/{order.pk}/unlink/").status_code == 302
    assert not contract.orders.exists()


def test_attachments_download_only_through_the_checked_view(org, owner_client, member):
    contract = cc.make_contract(org)
    r = owner_client.post(f"/crm/contracts/{contract.pk}/attachments/", {"file": cc.upload("报价函.pdf", b"%PDF-9")})
    assert r.status_code == 302
    attachment = ContractAttachment.objects.get(contract=contract)
    page = owner_client.get(f"/crm/contracts/{contract.pk}/").content.decode()
    assert f"/crm/contracts/{contract.pk}/attachments/{attachment.pk}/" in page
    assert "/media/" not in page
    download = owner_client.get(f"/crm/contracts/{contract.pk}/attachments/{attachment.pk}/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"%PDF-9"
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"].startswith("attachment;")
    assert download["X-Content-Type-Options"] == "nosniff"
    assert (
        login(member("warehouse")).get(f"/crm/contracts/{contract.pk}/attachments/{attachment.pk}/").status_code == 403
    )
    bad = owner_client.post(f"/crm/contracts/{contract.pk}/attachments/", {"file": cc.upload("x.svg", b"<svg/>")})
    assert bad.status_code == 422
    assert owner_client.post(f"/crm/contracts/{contract.pk}/attachments/").status_code == 422
    assert ContractAttachment.objects.filter(contract=contract).count() == 1
    delete = f"/crm/contracts/{contract.pk}/attachments/{attachment.pk}/delete/"
    assert owner_client.post(delete).status_code == 302
    assert not ContractAttachment.objects.filter(contract=contract).exists()


def test_the_list_filters_and_shows_only_the_reps_contracts(org, member):
    rep, other = member("sales"), member("sales")
    today = timezone.localdate()
    mine = cc.make_contract(
        org, cc.customer(org, "我的客户", owner=rep), state="active", end_on=today + datetime.timedelta(days=10)
    )
    later = cc.make_contract(org, cc.customer(org, "我的客户"), end_on=today + datetime.timedelta(days=100))
    theirs = cc.make_contract(org, cc.customer(org, "他的客户", owner=other))
    client = login(rep)
    page = client.get("/crm/contracts/").content.decode()
    assert mine.number in page
    assert later.number in page
    assert theirs.number not in page
    soon = client.get("/crm/contracts/?ending_within=30").content.decode()
    assert mine.number in soon
    assert later.number not in soon
    drafts = client.get("/crm/contracts/?status=draft").content.decode()
    assert later.number in drafts
    assert mine.number not in drafts
    for url in (f"/crm/contracts/{theirs.pk}/", f"/crm/contracts/{theirs.pk}/edit/"):
        assert client.get(url).status_code == 404
    assert client.post(f"/crm/contracts/{theirs.pk}/activate/").status_code == 404
    attachment = cc.make_attachment(org, theirs)
    assert client.get(f"/crm/contracts/{theirs.pk}/attachments/{attachment.pk}/").status_code == 404
    assert Contract.objects.get(pk=theirs.pk).status == ContractStatus.DRAFT


@pytest.mark.parametrize("role", ROLES)
def test_pages_follow_the_roles(role, org, member, monkeypatch):
    monkeypatch.setattr(scopes, "OWN_SCOPE_ROLES", frozenset())  # permissions here; the data scope is tested above
    view, change = grants(role, P.VIEW_CRM), grants(role, P.CHANGE_CRM)
    draft, to_terminate = cc.make_contract(org), cc.make_contract(org)
    attachment = cc.make_attachment(org, draft)
    spare = cc.make_attachment(org, draft)
    order = cc.make_order(org, draft.customer)
    linked = cc.make_order(org, draft.customer)
    contracts.contract_order_link(organization=org, actor=None, contract_id=draft.pk, order_id=linked.pk)
    client = login(member(role))

    def status(allowed, ok=200):
        return ok if allowed else 403

    for url in (
        "/crm/contracts/",
        f"/crm/contracts/{draft.pk}/",
        f"/crm/contracts/{draft.pk}/attachments/{attachment.pk}/",
    ):
        assert client.get(url).status_code == status(view), url
    for url in ("/crm/contracts/new/", f"/crm/contracts/{draft.pk}/edit/"):
        assert client.get(url).status_code == status(change), url
    assert client.post("/crm/contracts/new/", cc.contract_form(org)).status_code == status(change, 302)
    assert client.post(f"/crm/contracts/{draft.pk}/edit/", cc.contract_form(org)).status_code == status(change, 302)
    upload = client.post(f"/crm/contracts/{draft.pk}/attachments/", {"file": cc.upload()})
    assert upload.status_code == status(change, 302)
    delete = client.post(f"/crm/contracts/{draft.pk}/attachments/{spare.pk}/delete/")
    assert delete.status_code == status(change, 302)
    assert client.post(f"/crm/contracts/{draft.pk}/orders/", {"order_id": order.pk}).status_code == status(change, 302)
    unlink = client.post(f"/crm/contracts/{draft.pk}/orders/{linked.pk}/unlink/")
    assert unlink.status_code == status(change, 302)
    assert client.post(f"/crm/contracts/{draft.pk}/activate/").status_code == status(change, 302)
    assert client.post(f"/crm/contracts/{draft.pk}/complete/").status_code == status(change, 302)
    assert client.post(f"/crm/contracts/{to_terminate.pk}/terminate/", {"reason": "x"}).status_code == status(
        change, 302
    )
    states = dict(Contract.objects.values_list("pk", "status"))
    assert states[draft.pk] == ("completed" if change else "draft")
    assert states[to_terminate.pk] == ("terminated" if change else "draft")
    assert Contract.objects.filter(organization=org).count() == (3 if change else 2)
    assert ContractAttachment.objects.filter(contract=draft).count() == 2
    assert set(draft.orders.values_list("pk", flat=True)) == ({order.pk} if change else {linked.pk})


def test_the_list_and_page_read_a_fixed_number_of_queries(org, owner_client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries(url):
        with CaptureQueriesContext(connection) as captured:
            assert owner_client.get(url).status_code == 200
        return len(captured)

    first, _order = cc.linked_order(org)
    cc.make_attachment(org, first)
    queries("/crm/contracts/")  # the first request of a session reads a few things once
    few = queries("/crm/contracts/"), queries(f"/crm/contracts/{first.pk}/")
    for _n in range(4):
        cc.linked_order(org)
        cc.make_attachment(org, first)
        contracts.contract_order_link(
            organization=org, actor=None, contract_id=first.pk, order_id=cc.make_order(org, first.customer).pk
        )
    assert (queries("/crm/contracts/"), queries(f"/crm/contracts/{first.pk}/")) == few
