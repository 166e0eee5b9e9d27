"""Browser tests drive the production build as users get it: one port, real database.

The app runs as `reflex run --env prod --single-port` in its own process group
with a fresh SQLite database holding the demo data (tests/utils/app_server.py),
and Chromium emulates a Pixel 7. The clock file lets a test move the server's "today".
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
import sqlalchemy as sa
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, expect

from tests.conftest import PG_URL, REDIS_URL, require_postgres, require_redis
from tests.utils.app_server import (
    CHROMIUM,
    CHROMIUM_ARGS,
    PASSWORD,
    REP,
    RunningApp,
    Scale,
    running_app,
)

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

# `make e2e-scaled` (part of `make test`): the tests marked `scaled` against two
# app workers on PostgreSQL + Redis, in a pytest run of their own.
SCALED = os.environ.get("RAPPORT_TEST_SCALED", "off") == "on"

expect.set_options(timeout=15_000)


@pytest.fixture(scope="session")
def app_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningApp]:
    """The app as `make run` serves it: one worker on SQLite; or, with
    RAPPORT_TEST_SCALED=on (`make e2e-scaled`), two workers on PostgreSQL and Redis."""
    scale = scaled_setup() if SCALED else None
    with running_app(tmp_path_factory.mktemp("data"), scale) as app:
        yield app


def scaled_setup() -> Scale:
    """A fresh PostgreSQL database next to the test one, and the test Redis; a test run
    skips (under CI fails) when either is unreachable."""
    ci = os.environ.get("CI", "").lower() == "true"
    require_postgres(PG_URL, ci=ci)
    require_redis(REDIS_URL, ci=ci)
    database = PG_URL.rsplit("/", 1)[-1].split("?")[0] + "_scaled"
    admin = sa.create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)"))
        connection.execute(sa.text(f"CREATE DATABASE {database}"))
    admin.dispose()
    # The pages' state of an earlier run (another database's contacts) must not be
    # read back: a rerun against a Redis left as it was failed on stale card state.
    client = redis.Redis.from_url(REDIS_URL)
    client.flushdb()
    client.close()
    return Scale(database_url=PG_URL.rsplit("/", 1)[0] + f"/{database}", redis_url=REDIS_URL)


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


def app_scripts_ran(page: Page) -> None:
    """The page's own scripts (offline capture and lookup) have run: the built pages
    start them after their first paint, which may come after the `load` event."""
    page.wait_for_load_state("load")
    page.wait_for_function("window.rapportAppScripts !== undefined")
    page.evaluate("window.rapportAppScripts.then(() => true)")


def sign_in(page: Page, email: str = REP, password: str = PASSWORD) -> None:
    """Signs in through the sign-in page's form; once signed in, waits for the app's page
    to load and its scripts to run, not only for its prerendered HTML."""
    page.goto("/signin")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    # The form's answer: the page again with a refusal, or (after the page that hands
    # the session over) a page of the app.
    refused = page.locator("#signin [role='alert']")
    in_the_app = page.locator("body:not(:has(#signin, #signed-in))")
    expect(refused.or_(in_the_app)).to_have_count(1)
    if refused.count() == 0:
        app_scripts_ran(page)
