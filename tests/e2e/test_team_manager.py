"""The manager's drill-down on a phone and on a laptop: Team → a rep → a contact → a meeting
logged; the owner filter; a handover previewed; the side navigation from 1024 px.

The meetings logged here take two of Sam's contacts out of "at risk" on the shared
demo server: the file is named to run after test_team.py, which reads those stories.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, Playwright, expect

from tests.e2e.conftest import MANAGER, OTHER_REP, RunningApp, sign_in

SAM = "Sam Okafor"
LAPTOP = {"viewport": {"width": 1280, "height": 900}}


def _device(playwright: Playwright, device: str) -> dict[str, Any]:
    return dict(playwright.devices["Pixel 7"]) if device == "Pixel 7" else dict(LAPTOP)


def _sams_contacts(app_server: RunningApp, limit: int) -> list[str]:
    """The first names of Sam's own list, as Sam's phone would fetch it."""
    answer = app_server.api(
        "GET", "/contacts", token=app_server.token(OTHER_REP), params={"limit": limit}
    )
    return [item["name"] for item in answer.json()["items"]]


def _nav_box(page: Page) -> dict[str, float]:
    box = page.get_by_role("navigation", name="Main").bounding_box()
    assert box is not None
    return box


@pytest.mark.parametrize("device", ["Pixel 7", "1280 px"])
def test_manager_goes_from_team_to_sams_at_risk_contact_and_logs_a_meeting(
    browser: Browser, playwright: Playwright, app_server: RunningApp, device: str
) -> None:
    context = browser.new_context(**_device(playwright, device), base_url=app_server.url)
    page = context.new_page()
    try:
        sign_in(page, email=MANAGER)
        # A manager's day starts with the team, not an empty Today.
        expect(page.get_by_role("heading", name="Team", level=1)).to_be_visible()
        page.get_by_role("group", name=SAM).get_by_role("link", name=SAM).click()

        expect(page.get_by_role("heading", name=SAM, level=1)).to_be_visible()
        expect(page).to_have_url(re.compile(r"/team/[0-9a-f-]{36}/?$"))
        at_risk = page.get_by_role("list", name="At risk")
        expect(at_risk.get_by_role("link").first).to_be_visible()
        expect(page.get_by_role("list", name="Overdue follow-ups")).to_be_visible()
        expect(page.get_by_role("img", name=re.compile("weekly health score"))).to_be_visible()
        contact = at_risk.get_by_role("link").first.inner_text().splitlines()[0]
        at_risk.get_by_role("link").first.click()

        expect(page.get_by_role("heading", name=contact, level=1)).to_be_visible()
        expect(page.locator("[data-owner]")).to_have_text(f"Owner: {SAM}")
        page.get_by_role("button", name="Log a meeting").click()
        sheet = page.get_by_role("dialog", name="Log a meeting")
        summary = f"Manager's visit to {contact} on the {device}"
        sheet.get_by_label("What happened").fill(summary)
        sheet.get_by_role("button", name="Save").click()
        expect(sheet).to_be_hidden()
        expect(page.locator("[data-interaction]").first).to_contain_text(summary)

        nav = _nav_box(page)
        size = page.viewport_size
        assert size is not None
        if device == "Pixel 7":
            # The phone keeps its bottom bar, and no list stands beside the card.
            assert nav["y"] + nav["height"] == pytest.approx(size["height"], abs=2)
            expect(page.get_by_role("complementary", name="Contacts")).to_be_hidden()
        else:
            # From 1024 px: a side navigation, and the contact list beside the card.
            assert (nav["x"], nav["height"]) == (0, pytest.approx(size["height"], abs=2))
            beside = page.get_by_role("complementary", name="Contacts")
            expect(beside.locator("[data-contact-row]").first).to_be_visible()
            card = page.locator("[data-today]").bounding_box()
            aside = beside.bounding_box()
            assert card is not None and aside is not None
            assert aside["x"] + aside["width"] <= card["x"]
        assert page.evaluate("document.documentElement.scrollWidth") <= size["width"]
    finally:
        context.close()


def test_owner_filter_lists_only_sams_contacts_when_a_manager_picks_sam(
    page: Page, app_server: RunningApp
) -> None:
    sign_in(page, email=MANAGER)
    expect(page.get_by_role("heading", name="Team", level=1)).to_be_visible()
    page.get_by_role("link", name="Contacts").click()
    rows = page.locator("[data-contact-row]")
    expect(rows.first).to_be_visible()

    page.get_by_label("Owner", exact=True).select_option(label=SAM)

    sams = _sams_contacts(app_server, limit=25)
    expect(rows).to_have_count(len(sams))
    expect(rows.first).to_contain_text(sams[0])
    shown = [row.splitlines()[0] for row in rows.all_inner_texts()]
    assert shown == sams


def test_manager_previews_a_handover_of_sams_book_beside_the_team_when_on_a_laptop(
    browser: Browser, app_server: RunningApp
) -> None:
    context = browser.new_context(**LAPTOP, base_url=app_server.url)
    page = context.new_page()
    try:
        sign_in(page, email=MANAGER)
        page.get_by_role("group", name=SAM).get_by_role("link", name=SAM).click()
        expect(page.get_by_role("heading", name=SAM, level=1)).to_be_visible()
        team = page.get_by_role("complementary", name="Team")
        expect(team.get_by_role("link", name="Riley Chen")).to_be_visible()

        page.get_by_label("Hand over to").select_option(label="Riley Chen")
        page.get_by_role("button", name="Preview handover").click()

        sams = app_server.api("GET", "/contacts/ids", token=app_server.token(OTHER_REP)).json()
        preview = page.locator("[data-handover-preview]")
        expect(preview).to_contain_text(f"Would move {len(sams['ids'])} contacts")
        expect(page.get_by_role("button", name="Confirm handover")).to_be_visible()
        # Only previewed: Sam's book is still Sam's.
        again = app_server.api("GET", "/contacts/ids", token=app_server.token(OTHER_REP)).json()
        assert again == sams
    finally:
        context.close()
