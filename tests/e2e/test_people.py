"""An admin brings a new rep in, and later shuts them out, at 1280 px."""

from __future__ import annotations

import re
import uuid
from typing import Any

from playwright.sync_api import Browser, BrowserContext, expect

from tests.e2e.conftest import ADMIN, RunningApp, sign_in

DESKTOP: dict[str, Any] = {"viewport": {"width": 1280, "height": 800}}
NEW_PASSWORD = "marble kettle 58 sunrise"


def _desktop(browser: Browser, app_server: RunningApp, token: str = "") -> BrowserContext:
    storage = {
        "cookies": [],
        "origins": [
            {
                "origin": app_server.url,
                "localStorage": [{"name": "rapport_token", "value": token}] if token else [],
            }
        ],
    }
    return browser.new_context(**DESKTOP, base_url=app_server.url, storage_state=storage)  # type: ignore[arg-type]


def test_new_rep_signs_in_through_a_one_time_link_when_an_admin_adds_them(
    browser: Browser, app_server: RunningApp
) -> None:
    suffix = uuid.uuid4().hex[:8]
    email = f"nia.{suffix}@example.com"
    # A team of her own: the demo team's pages, which other tests read, stay as they are.
    team = f"Onboarding {suffix}"
    made = app_server.api("POST", "/teams", token=app_server.token(ADMIN), json={"name": team})
    assert made.status_code == 201, made.text
    admin = _desktop(browser, app_server, app_server.token(ADMIN))
    page = admin.new_page()
    page.goto("/people")
    expect(page.get_by_role("heading", name="Add a person")).to_be_visible()
    page.get_by_label("Name", exact=True).fill("Nia Park")
    page.get_by_label("Email").fill(email)
    page.get_by_role("combobox", name="Role").select_option("rep")
    page.get_by_role("combobox", name="Team", exact=True).select_option(label=team)
    page.get_by_role("button", name="Add and make a sign-in link").click()
    expect(page.get_by_role("status")).to_contain_text("Nia Park added")
    link = page.locator("[data-one-time-link]").input_value()
    assert re.fullmatch(rf"{re.escape(app_server.url)}/set-password/[\w-]{{40,}}", link), link
    expect(page.locator(f'[data-person="{email}"]')).to_contain_text("Never signed in")

    newcomer = _desktop(browser, app_server)
    rep = newcomer.new_page()
    rep.goto(link)
    expect(rep.get_by_text("Welcome, Nia Park.")).to_be_visible()
    rep.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    rep.get_by_label("Repeat the new password").fill(NEW_PASSWORD)
    rep.get_by_role("button", name="Set password and sign in").click()
    expect(rep.get_by_role("heading", name="Today", level=1)).to_be_visible()
    token = rep.evaluate("localStorage.getItem('rapport_token')")
    assert app_server.api("GET", "/me", token=token).json()["email"] == email
    newcomer.close()

    again = _desktop(browser, app_server)
    second = again.new_page()
    second.goto(link)
    expect(second.get_by_role("alert")).to_contain_text("already been used")
    expect(second.get_by_role("button", name="Set password and sign in")).to_have_count(0)
    sign_in(second, email=email, password=NEW_PASSWORD)
    expect(second.get_by_role("heading", name="Today", level=1)).to_be_visible()

    # The admin deactivates Nia: the open session ends and sign-in says why.
    page.locator(f'[data-person="{email}"]').get_by_role("link").click()
    page.get_by_role("button", name="Deactivate Nia Park").click()
    expect(page.get_by_role("status")).to_contain_text("Deactivated")
    nia_token = second.evaluate("localStorage.getItem('rapport_token')")
    assert app_server.api("GET", "/me", token=nia_token).status_code == 401
    sign_in(second, email=email, password=NEW_PASSWORD)
    expect(second.get_by_role("alert")).to_contain_text("deactivated")
    again.close()
    admin.close()
