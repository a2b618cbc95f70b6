"""Throwaway: screenshots of the lead pages (deleted after use)."""

import os

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone
from playwright.sync_api import sync_playwright

from suanpan.crm.lead_demo import load_leads
from suanpan.crm.models import Lead

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
pytestmark = pytest.mark.django_db(transaction=True)


def test_shots(live_server, org, owner, member):
    rep1, rep2 = member("sales"), member("sales")
    get_user_model().objects.filter(pk=rep1.pk).update(first_name="李娜")
    get_user_model().objects.filter(pk=rep2.pk).update(first_name="张伟")
    rep1.refresh_from_db()
    rep2.refresh_from_db()
    made = load_leads(org, {"owner": owner, "sales": rep1, "sales2": rep2}, timezone.localdate())
    twin = made[-1]
    converted = next(x for x in made if x.status == "converted" and x.opportunity_id)
    client = Client()
    client.force_login(owner)
    cookie = client.cookies["sessionid"].value
    errors = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu"])
        for label, viewport in (("phone", {"width": 390, "height": 844}), ("desk", {"width": 1366, "height": 768})):
            ctx = browser.new_context(viewport=viewport, locale="zh-CN")
            ctx.add_cookies([{"name": "sessionid", "value": cookie, "url": live_server.url}])
            page = ctx.new_page()
            page.on("pageerror", lambda e: errors.append(str(e)))
            for name, url in (
                ("list", "/crm/leads/"),
                ("detail", f"/crm/leads/{twin.pk}/"),
                ("converted", f"/crm/leads/{converted.pk}/"),
                ("form", "/crm/leads/new/"),
                ("convert", f"/crm/leads/{next(x for x in made if x.status == 'qualified').pk}/convert/"),
                ("channels", "/crm/lead-channels/"),
                ("rules", "/crm/assignment-rules/"),
            ):
                page.goto(live_server.url + url)
                page.wait_for_timeout(700)
                page.screenshot(path=f"/tmp/leadshots/{name}-{label}.png", full_page=True)
            ctx.close()
        browser.close()
    assert errors == []
    assert Lead.objects.count() == len(made)
