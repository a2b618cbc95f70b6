"""A sales rep's day with customers, in a real browser: log in, find the customers through the menu, add one
with a Chinese name, find it again by its pinyin initials, open it. Once on a desktop, once on a phone.

Elements are found by ids, names and links (the interface language may change), except for the data typed in.
"""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from suanpan.core.validators import credit_code_check_char
from suanpan.partners.models import Partner
from tests.e2e.conftest import PHONE, AppPage, SalesLogin

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
    # pytest-playwright's own base_url fixture, not ours (pytest-playwright 0.10 with pytest 9).
    pytest.mark.filterwarnings("ignore:Session-scoped fixtures defined as instance methods"),
]

NAME = "北京星河科技有限公司"
INITIALS = "bjxhkj"
CREDIT_CODE_17 = "91110108MA01XH8K2"
CREDIT_CODE = CREDIT_CODE_17 + credit_code_check_char(CREDIT_CODE_17)
WRONG_CHECK_CHAR = next(c for c in "0123456789" if c != credit_code_check_char(CREDIT_CODE_17))


def open_customers_from_menu(app: AppPage, *, phone: bool, shot: str | None = None) -> None:
    """Follow the sidebar's link to the customer list; on a phone the sidebar is an offcanvas behind ☰."""
    link = app.page.locator(f'#sp-sidebar a[href="{reverse("partners:customer_list")}"]')
    if phone:
        expect(link).to_be_hidden()
        app.page.locator("#sp-menu-toggle").click()
        expect(app.page.locator("#sp-sidebar")).to_have_class(re.compile(r"\bshow\b"))
        expect(link).to_be_visible()
        if shot:
            app.shot(shot, full_page=False)  # the open menu covers the screen, not the whole page
    link.click()
    expect(app.page).to_have_url(app.url("partners:customer_list"))
    expect(app.page.locator("#sp-sidebar")).not_to_have_class(re.compile(r"\bshow\b"))


@pytest.mark.parametrize(
    "screen",
    [
        pytest.param("desktop", id="desktop"),
        pytest.param(
            "phone",
            id="phone",
            marks=pytest.mark.browser_context_args(
                viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True
            ),
        ),
    ],
)
def test_sales_rep_adds_a_customer_and_finds_it_by_pinyin_initials(
    app: AppPage, sales_login: SalesLogin, screen: str
) -> None:
    phone = screen == "phone"
    page = app.page
    app.log_in(sales_login, shot="phone-00-login" if phone else "01-login")
    expect(page.locator("#stats [data-stat=customers]")).to_have_text("3")
    if not phone:
        expect(page.locator("#org-switcher select[name=organization]")).to_be_visible()
        app.shot("02-home")
        page.locator("#user-menu").click()
        expect(page.locator("#logout")).to_be_visible()
        app.shot("02b-user-menu", full_page=False)
        page.keyboard.press("Escape")
        expect(page.locator("#logout")).to_be_hidden()
    else:
        app.shot("phone-01-home")

    open_customers_from_menu(app, phone=phone, shot="phone-02-menu-open" if phone else None)
    expect(page.locator("#results tbody tr")).to_have_count(3)
    app.shot("phone-03-customer-list" if phone else "03-customer-list")
    filters = page.locator("#sp-filter-more")
    if phone:  # the filters beyond the search box fold away behind a button
        expect(filters.locator("select").first).to_be_hidden()
        page.locator("#list-filters [aria-controls=sp-filter-more]").click()
        expect(filters).to_have_class(re.compile(r"\bshow\b"))
        app.shot("phone-03b-filters-open")
        page.locator("#list-filters [aria-controls=sp-filter-more]").click()
        expect(filters).not_to_have_class(re.compile(r"\b(show|collapsing)\b"))
    else:
        expect(filters.locator("select").first).to_be_visible()

    page.locator(f'#page-actions a[href="{reverse("partners:customer_create")}"]').click()
    expect(page).to_have_url(app.url("partners:customer_create"))
    form = page.locator("#record-form")
    form.locator("#id_name").fill(NAME)
    form.locator("#id_short_name").fill("星河科技")
    form.locator("#id_credit_code").fill(CREDIT_CODE)
    form.locator("#id_phone").fill("010-82345678")
    form.locator("#id_province").fill("北京")
    form.locator("#id_city").fill("北京")
    form.locator("#id_address").fill("海淀区中关村大街1号")
    if phone:
        page.evaluate("document.activeElement.blur(); window.scrollTo(0, 0)")
        app.shot("phone-04-customer-form", full_page=False)  # the Save bar stays at the bottom of the screen
    form.locator("button[type=submit]").click()

    expect(page).to_have_url(re.compile(re.escape(app.base_url) + r"/partners/customers/\d+/$"))
    expect(page.locator("h1")).to_contain_text(NAME)
    expect(page.locator("#partner-fields")).to_contain_text(CREDIT_CODE)
    expect(page.locator("#history")).to_contain_text("李娜")
    saved = Partner.objects.get(organization=sales_login.organization, name=NAME)
    assert (saved.is_customer, saved.credit_code, saved.city) == (True, CREDIT_CODE, "北京")
    assert page.url == app.url("partners:customer_detail", saved.pk)
    app.shot("phone-05-customer-detail" if phone else "05-customer-detail")

    page.locator("#back-to-list").click()
    expect(page).to_have_url(app.url("partners:customer_list"))
    expect(page.locator("#results tbody tr")).to_have_count(4)
    page.evaluate("window.spSamePage = true")  # gone if the browser loads a new page
    with page.expect_response(lambda r: f"q={INITIALS}" in r.url and r.request.headers.get("hx-request") == "true"):
        page.locator("#id_q").press_sequentially(INITIALS, delay=30)
    rows = page.locator("#results tbody tr")
    expect(rows).to_have_count(1)
    expect(rows).to_contain_text(NAME)
    expect(page).to_have_url(re.compile(rf"[?&]q={INITIALS}(&|$)"))
    assert page.evaluate("window.spSamePage") is True
    app.shot("phone-06-search" if phone else "06-search")

    rows.get_by_role("link", name=NAME).click()
    expect(page).to_have_url(app.url("partners:customer_detail", saved.pk))
    expect(page.locator("h1")).to_contain_text(NAME)

    if not phone:  # a change shows in the history, old value → new value
        page.locator("#edit-record").click()
        page.locator("#record-form #id_phone").fill("010-82345999")
        page.locator("#record-form button[type=submit]").click()
        expect(page).to_have_url(app.url("partners:customer_detail", saved.pk))
        expect(page.locator("#history .sp-timeline > li")).to_have_count(2)
        expect(page.locator("#history")).to_contain_text("010-82345999")
        app.shot("08-history")
    app.assert_no_problems()


def test_invalid_credit_code_shows_the_field_error_and_saves_nothing(app: AppPage, sales_login: SalesLogin) -> None:
    page = app.page
    app.log_in(sales_login)
    page.goto(app.url("partners:customer_create"))
    form = page.locator("#record-form")
    form.locator("#id_name").fill(NAME)
    form.locator("#id_credit_code").fill(CREDIT_CODE_17 + WRONG_CHECK_CHAR)
    form.locator("#id_phone").fill("abc")
    form.locator("button[type=submit]").click()

    error = form.locator('[data-field="credit_code"]')
    expect(error).to_be_visible()
    expect(error).to_contain_text(credit_code_check_char(CREDIT_CODE_17))
    expect(form.locator('[data-field="phone"]')).to_be_visible()
    expect(form.locator("#id_credit_code")).to_have_attribute("aria-invalid", "true")
    expect(form.locator("#id_name")).to_have_value(NAME)
    expect(page).to_have_url(app.url("partners:customer_create"))
    app.shot("04-customer-form-errors")
    assert not Partner.objects.filter(name=NAME).exists()
    assert Partner.objects.filter(organization=sales_login.organization).count() == 3

    page.goto(app.url("partners:customer_list") + "?q=zzzz")
    expect(page.locator("#results .sp-empty")).to_be_visible()
    expect(page.locator("#result-count")).to_contain_text("0")
    app.shot("07-empty-search")
    app.assert_no_problems()
