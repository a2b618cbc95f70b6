"""Browser tests: Playwright drives the system's Chromium against pytest-django's `live_server`.

Chromium is the Debian package (`/usr/bin/chromium`, or `$CHROMIUM_PATH`), never a browser downloaded by
`playwright install`; without it these tests fail with a message saying how to install it (the setup
scripts and `.ci/run` do). Chinese text needs Debian's `fonts-noto-cjk`.

Data is set up through the real services (onboarding, membership_add, partner_create); the browser only
does what a person does: log in through the form, follow the menu, type, click. Screenshots of each step
land in `test-results/` (git-ignored; `$SUANPAN_SCREENSHOTS` elsewhere) for a person to look at. Note that
pytest-playwright empties its output folder, `test-results/` by default, when any pytest session starts.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from playwright.sync_api import ConsoleMessage, Page, Request, Response, expect

from suanpan.core.models import Organization
from suanpan.core.services import membership_add
from suanpan.onboarding import organization_open
from suanpan.partners.choices import PartnerRole
from suanpan.partners.services import partner_create

# Playwright's sync API runs an event loop in the test thread; Django refuses ORM calls from a thread with a
# running loop unless told that this is intended (read on each call, so setting it here is early enough).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
SCREENSHOTS = Path(os.environ.get("SUANPAN_SCREENSHOTS", Path(__file__).resolve().parents[2] / "test-results"))
DESKTOP = {"width": 1366, "height": 860}
PHONE = {"width": 390, "height": 844}
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]

expect.set_options(timeout=10_000)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    if not (CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)):
        pytest.fail(
            f"Chromium not found at {CHROMIUM}. The browser tests use the system's Chromium: install the Debian "
            "packages `chromium` and `fonts-noto-cjk` (scripts/setup and .ci/run do), or point CHROMIUM_PATH "
            "at a Chromium binary. Do not run `playwright install`.",
            pytrace=False,
        )
    fc_list = shutil.which("fc-list")
    if fc_list and not subprocess.run([fc_list, ":lang=zh", "family"], capture_output=True, text=True).stdout.strip():
        pytest.fail(
            "No Chinese font found (fc-list :lang=zh is empty): install the Debian package `fonts-noto-cjk` "
            "(scripts/setup and .ci/run do), otherwise Chinese renders as boxes in the screenshots.",
            pytrace=False,
        )
    return {**browser_type_launch_args, "executable_path": str(CHROMIUM), "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_context_args, "locale": "zh-CN", "timezone_id": "Asia/Shanghai", "viewport": DESKTOP}


@pytest.fixture(autouse=True)
def ledger_triggers_lifted_for_the_flush(transactional_db: None) -> Any:
    """After each browser test the live server's database is emptied by Django's flush, which on SQLite is a
    DELETE of every table: the triggers that keep posted ledger rows (vouchers, stock moves, open items) from
    being deleted would abort it. So on SQLite this test's data is flushed here with the triggers lifted, and
    they are put back at once; Django's own flush then finds empty tables. PostgreSQL flushes with TRUNCATE,
    which row triggers do not see."""
    yield
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'")
        triggers = cursor.fetchall()
        for name, _sql in triggers:
            cursor.execute(f'DROP TRIGGER "{name}"')
    try:
        call_command("flush", verbosity=0, interactive=False)
    finally:
        with connection.cursor() as cursor:
            for _name, sql in triggers:
                cursor.execute(sql)


@dataclass(frozen=True)
class SalesLogin:
    """A sales rep of `organization` (and of a second one, so the organization switcher shows)."""

    username: str
    password: str
    organization: Organization


@pytest.fixture
def sales_login(transactional_db: None) -> SalesLogin:
    users = get_user_model().objects
    owner = users.create_user("wang.zong", password="boss-pass-2024", first_name="王总")
    organization = organization_open(owner=owner, data={"name": "华东机电贸易有限公司"})
    branch = organization_open(owner=owner, data={"name": "苏州分公司"})
    sales = users.create_user("li.na", password="sales-pass-2024", first_name="李娜")
    membership_add(organization=organization, actor=owner, user=sales, roles=["sales"])
    membership_add(organization=branch, actor=owner, user=sales, roles=["sales"])
    for data in (
        {"name": "上海东方电子有限公司", "province": "上海", "city": "上海", "phone": "021-62345678"},
        {"name": "广州华南物流有限公司", "province": "广东", "city": "广州", "phone": "020-83456789"},
        {"name": "杭州西湖茶业有限公司", "province": "浙江", "city": "杭州", "phone": "0571-87654321"},
    ):
        # her own customers: a sales rep sees the customers she owns (data scope)
        partner_create(organization=organization, actor=owner, role=PartnerRole.CUSTOMER, data={**data, "owner": sales})
    return SalesLogin(username="li.na", password="sales-pass-2024", organization=organization)


@dataclass
class AppPage:
    """A page on the live server that records what a person would notice: errors and foreign requests."""

    page: Page
    base_url: str
    problems: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.page.on("console", self._on_console)
        self.page.on("pageerror", lambda exc: self.problems.append(f"JS error: {exc}"))
        self.page.on("request", self._on_request)
        self.page.on("response", self._on_response)

    def _on_console(self, message: ConsoleMessage) -> None:
        # A 422 form answer is how invalid input is reported; Chromium logs it like a failed load.
        if message.type == "error" and "status of 422" not in message.text:
            self.problems.append(f"console: {message.text}")

    def _on_request(self, request: Request) -> None:
        if not request.url.startswith((self.base_url, "data:", "about:")):
            self.problems.append(f"request outside the app (CDN?): {request.url}")

    def _on_response(self, response: Response) -> None:
        if response.status == 404 or response.status >= 500:
            self.problems.append(f"HTTP {response.status}: {response.url}")

    def url(self, name: str, *args: Any) -> str:
        return self.base_url + reverse(name, args=args)

    def shot(self, name: str, *, full_page: bool = True) -> None:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=SCREENSHOTS / f"{name}.png", full_page=full_page, animations="disabled")

    def log_in(self, login: SalesLogin, *, shot: str | None = None) -> None:
        self.page.goto(self.base_url + "/")
        expect(self.page).to_have_url(self.url("login") + "?next=/")
        if shot:
            self.shot(shot)
        form = self.page.locator("#login-form")
        form.locator("#id_username").fill(login.username)
        form.locator("#id_password").fill(login.password)
        form.locator("button[type=submit]").click()
        expect(self.page).to_have_url(self.url("home"))

    def assert_no_problems(self) -> None:
        assert self.problems == []


@pytest.fixture
def app(page: Page, live_server: Any) -> AppPage:
    return AppPage(page=page, base_url=live_server.url)
