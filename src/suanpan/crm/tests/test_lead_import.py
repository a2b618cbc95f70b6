"""The Excel import of leads: every row through `lead_create` (numbers, rules, duplicates), all or nothing."""

import io

import pytest
from openpyxl import Workbook
from tests.crm_cases_leads import make_lead

from suanpan.core import importing
from suanpan.core.exceptions import PermissionRefused
from suanpan.crm.lead_importers import LEADS
from suanpan.crm.models import Lead

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _registered(monkeypatch):
    monkeypatch.setitem(importing._REGISTRY, "leads", LEADS)


def xlsx(rows):
    wb = Workbook()
    for row in rows:
        wb.worksheets[0].append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def run(org, actor, rows):
    content = xlsx(rows)
    return importing.import_workbook(organization=org, actor=actor, kind="leads", filename="l.xlsx", content=content)


HEADER = ["公司", "联系人", "手机", "省份", "来源", "负责人", "允许重复"]


def test_leads_are_imported_all_or_nothing(org, owner, member):
    rep = member("sales")
    existing = make_lead(org, mobile="13800000009")
    rows = [
        HEADER,
        ["上海浦东展会客户", "钱七", "13800000001", "上海", "展会", rep.username, ""],
        ["", "散客孙", "13800000001", "江苏", "官网", "", ""],  # repeats the row above
        ["杭州客户", "周八", "13800000009", "浙江", "展会", "nobody", ""],  # an unknown owner (and a duplicate)
        ["南京客户", "吴九", "13800000005", "江苏", "火星", "", ""],  # no such channel
    ]
    batch = run(org, owner, rows)
    assert not batch.imported
    errors = {(e["row"], e["field"]) for e in batch.errors}
    assert errors == {(3, "手机"), (4, "负责人"), (5, "来源")}
    assert Lead.objects.count() == 1
    rows[2][6] = "是"
    rows[3][5:7] = ["", "是"]
    rows[4][4] = "官网"
    batch = run(org, owner, rows)
    assert batch.imported, batch.errors
    made = Lead.objects.exclude(pk=existing.pk).order_by("pk")
    assert [(x.contact_name, x.channel.name, x.owner) for x in made] == [
        ("钱七", "展会", rep),
        ("散客孙", "官网", None),
        ("周八", "展会", None),
        ("吴九", "官网", None),
    ]
    assert len({x.number for x in made}) == 4


def test_the_import_needs_change_crm_and_shows_on_the_list(org, member, client_as, owner_client):
    with pytest.raises(PermissionRefused):
        run(org, member("finance"), [HEADER, ["甲", "", "", "", "", "", ""]])
    assert 'href="/imports/leads/new/"' in owner_client.get("/crm/leads/").content.decode()
    assert 'href="/imports/leads/new/"' not in client_as("service").get("/crm/leads/").content.decode()
    assert importing.template_workbook(LEADS)
