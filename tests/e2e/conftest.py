"""Browser tests drive the production build as users get it: one port, real database.

The app runs as `reflex run --env prod --single-port` in its own process group
with a fresh SQLite database holding the demo data (tests/utils/app_server.py),
and Chromium emulates a Pixel 7. The clock file lets a test move the server's "today".
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, expect

from tests.utils.app_server import CHROMIUM, CHROMIUM_ARGS, PASSWORD, REP, RunningApp, running_app

__all__ = [
    "ADMIN",
    "CHROMIUM",
    "CHROMIUM_ARGS",
    "MANAGER",
    "OTHER_REP",
    "REP",
    "RunningApp",
    "sign_in",
]

OTHER_REP = "sam@example.com"
MANAGER = "morgan@example.com"
ADMIN = "admin@example.com"

expect.set_options(timeout=15_000)


@pytest.fixture(scope="session")
def app_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningApp]:
    with running_app(tmp_path_factory.mktemp("data")) as app:
        yield app


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    args = dict(browser_type_launch_args)
    if Path(CHROMIUM).exists():
        args["executable_path"] = CHROMIUM
    args["args"] = CHROMIUM_ARGS
    return args


@pytest.fixture
def phone(
    browser: Browser, playwright: Playwright, app_server: RunningApp
) -> Iterator[BrowserContext]:
    context = browser.new_context(**playwright.devices["Pixel 7"], base_url=app_server.url)
    yield context
    context.close()


@pytest.fixture
def page(phone: BrowserContext) -> Page:
    return phone.new_page()


def sign_in(page: Page, email: str = REP, password: str = PASSWORD) -> None:
    page.goto("/signin")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
