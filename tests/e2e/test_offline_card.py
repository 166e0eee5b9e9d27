"""The whole card with no signal: read from the offline book, log a meeting into the outbox."""

from __future__ import annotations

import time
import uuid
from collections import Counter
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from playwright.sync_api import Browser, Locator, Page, Playwright, expect

from tests.e2e.conftest import REP, RunningApp, sign_in
from tests.e2e.test_accessibility import AXE, EVERY_RULE, FAILING_IMPACTS, RUN_AXE_JS
from tests.e2e.test_offline import NARROW, TAP_PROBLEMS_JS

SYNC_DEADLINE_S = 15
MAPS = "https://www.google.com/maps/search/?api=1&query="
# IndexedDB as a browser that refuses storage has it: every open fails (quota
# used up; Firefox's and Safari's private modes fail the same way).
REFUSE_STORAGE_JS = """(() => {
  IDBFactory.prototype.open = function () {
    const request = {result: undefined, error: null};
    setTimeout(() => {
      request.error = new DOMException('The quota has been exceeded.', 'QuotaExceededError');
      if (request.onerror) request.onerror({target: request});
    });
    return request;
  };
})()"""


def _book(app_server: RunningApp, token: str) -> list[dict[str, Any]]:
    cards: list[dict[str, Any]] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": 1000, **({"cursor": cursor} if cursor else {})}
        page = app_server.api("GET", "/book", token=token, params=params).json()
        cards += page["items"]
        cursor = page["next_cursor"]
        if not page["more"]:
            return cards


def _full_cards(app_server: RunningApp, token: str) -> list[dict[str, Any]]:
    """The rep's cards with everything to show: notes, follow-ups, history, ways to reach."""
    return [
        card
        for card in _book(app_server, token)
        if card["connection_notes"]
        and card["follow_ups"]
        and card["timeline"]
        and card["phone"]
        and card["email"]
        and card["address"]
        and not card["do_not_contact"]
        and card["health"]["band"] != "at_risk"
    ]


def _summaries(app_server: RunningApp, token: str, contact_id: str) -> Counter[str]:
    card = app_server.api("GET", f"/contacts/{contact_id}/timeline", token=token)
    card.raise_for_status()
    return Counter(item["summary"] for item in card.json()["interactions"])


def _expect_offline_card(page: Page, card: dict[str, Any], as_of: datetime, zone: str) -> Locator:
    shown = page.locator(f'[data-offline-card="{card["id"]}"]')
    expect(shown.get_by_role("heading", name=card["name"], level=1)).to_be_visible()
    local = as_of.astimezone(ZoneInfo(zone))
    mark = shown.locator("[data-offline-mark]")
    expect(mark).to_contain_text("Offline — as of ")
    # "16:42" or "04:42 PM", as the phone's locale writes the rep's time.
    text = mark.inner_text()
    # The book's refresh and `as_of` may fall either side of a minute's turn.
    minutes = [local + timedelta(minutes=step) for step in (-1, 0, 1)]
    assert any(m.strftime("%H:%M") in text or m.strftime("%I:%M") in text for m in minutes), text
    expect(shown.locator("[data-offline-remember]")).to_have_text(card["connection_notes"])
    expect(shown.locator("[data-offline-follow-up]").first).to_contain_text(
        card["follow_ups"][0]["title"]
    )
    first = card["timeline"][0]
    expect(shown.locator("[data-offline-entry]").first).to_contain_text(first["summary"][:40])
    expect(shown.locator("[data-offline-entry]")).to_have_count(len(card["timeline"]))
    expect(shown.get_by_role("link", name="Call")).to_have_attribute("href", f"tel:{card['phone']}")
    expect(shown.get_by_role("link", name="Mail")).to_have_attribute(
        "href", f"mailto:{card['email']}"
    )
    expect(shown.get_by_role("link", name="Map")).to_have_attribute(
        "href", MAPS + quote(card["address"], safe="-_.!~*'()")
    )
    # The page's own "Contact" heading stands aside: the card names the contact.
    expect(page.get_by_role("heading", name="Contact", exact=True)).to_have_count(0)
    return shown


def test_cards_read_from_the_book_and_a_meeting_logged_when_the_phone_has_no_signal(
    page: Page, app_server: RunningApp
) -> None:
    token = app_server.token(REP)
    cards = _full_cards(app_server, token)
    assert len(cards) >= 2
    opened, never_opened = cards[len(cards) // 2], cards[len(cards) // 2 + 1]
    summary = f"Met in the car park, no bars {uuid.uuid4().hex[:8]}"

    sign_in(page)
    expect(page.get_by_role("heading", name="Today", exact=True)).to_be_visible()
    page.get_by_role("link", name="Contacts").click()
    expect(page.get_by_role("heading", name="Contacts", exact=True)).to_be_visible()
    page.wait_for_function("document.documentElement.dataset.bookAsOf !== undefined")
    page.evaluate("() => window.swReady")
    page.wait_for_function("navigator.serviceWorker.controller !== null")
    as_of = datetime.fromisoformat(page.evaluate("document.documentElement.dataset.bookAsOf"))
    zone = page.evaluate("window.crmBook.freshness()")["time_zone"]

    page.goto(f"/contacts/{opened['id']}")
    expect(page.get_by_role("heading", name=opened["name"], level=1)).to_be_visible()
    live = page.locator(f'[data-live-card="{opened["id"]}"]')
    expect(live.get_by_text(opened["connection_notes"])).to_be_visible()

    def below_header() -> float:
        card, header = live.bounding_box(), page.locator("header").bounding_box()
        assert card is not None and header is not None
        return card["y"] - (header["y"] + header["height"])

    gap = below_header()
    # The signal drops while the rep reads: the card stays put, no list pushes it down.
    page.context.set_offline(True)
    expect(page.locator("[data-offline-banner]")).to_be_visible()
    page.wait_for_timeout(1000)
    expect(page.locator("[data-offline-book]")).to_have_count(0)
    # Only the offline banner in the header moved it: nothing came between.
    assert below_header() == gap

    page.reload()
    _expect_offline_card(page, opened, as_of, zone)
    page.goto(f"/contacts/{never_opened['id']}")
    shown = _expect_offline_card(page, never_opened, as_of, zone)
    page.evaluate(AXE.read_text())
    failures = [
        f"{v['id']} ({v['impact']}): {v['nodes']}"
        for v in page.evaluate(RUN_AXE_JS, EVERY_RULE)
        if v["impact"] in FAILING_IMPACTS
    ]
    assert failures == []
    page.set_viewport_size(NARROW)
    assert page.evaluate(TAP_PROBLEMS_JS) == []

    shown.get_by_role("button", name=f"Log a meeting with {never_opened['name']}").click()
    form = page.get_by_role("form", name="Log a note")
    form.get_by_label("What happened").fill(summary)
    form.get_by_role("button", name="Save note").click()
    expect(page.locator("[data-offline-saved]")).to_contain_text("Saved on this phone")
    badge = page.locator("[data-outbox-badge]")
    expect(badge).to_have_text("1 waiting to sync")
    waiting = page.locator("[data-waiting-list]")
    expect(waiting.locator('[data-state="waiting"]')).to_contain_text(summary)
    assert _summaries(app_server, token, never_opened["id"])[summary] == 0

    page.goto(f"/contacts/{uuid.uuid4()}")
    expect(page.locator("[data-offline-mark]")).to_contain_text("not on this phone")
    page.goto(f"/contacts/{never_opened['id']}/edit")
    expect(page.locator("[data-offline-mark]")).to_contain_text("Editing a contact needs a signal")

    page.context.set_offline(False)
    deadline = time.monotonic() + SYNC_DEADLINE_S
    while _summaries(app_server, token, never_opened["id"])[summary] == 0:
        assert time.monotonic() < deadline, "the meeting did not reach the server"
        time.sleep(0.25)
    expect(badge).to_be_hidden(timeout=10_000)
    expect(waiting).to_be_hidden()
    assert page.evaluate("window.crmOutbox.status()") == {"waiting": 0, "items": []}
    assert _summaries(app_server, token, never_opened["id"])[summary] == 1


def test_refused_storage_is_said_and_the_app_works_online(
    browser: Browser, playwright: Playwright, app_server: RunningApp
) -> None:
    token = app_server.token(REP)
    card = _full_cards(app_server, token)[0]
    summary = f"Logged with storage refused {uuid.uuid4().hex[:8]}"
    context = browser.new_context(**playwright.devices["Pixel 7"], base_url=app_server.url)
    try:
        context.add_init_script(REFUSE_STORAGE_JS)
        page = context.new_page()
        sign_in(page)
        expect(page.get_by_role("heading", name="Today", exact=True)).to_be_visible()
        notice = page.locator("[data-storage-notice]")
        expect(notice).to_be_visible()
        expect(notice).to_contain_text("won't let Rapport keep anything")
        page.get_by_role("link", name="Contacts").click()
        page.get_by_label("Search contacts", exact=True).fill(card["name"])
        page.get_by_role("link", name=card["name"]).first.click()
        expect(page.get_by_role("heading", name=card["name"])).to_be_visible()
        page.get_by_role("button", name="Log a meeting").click()
        sheet = page.get_by_role("dialog", name="Log a meeting")
        sheet.get_by_label("What happened").fill(summary)
        sheet.get_by_role("button", name="Save").click()
        expect(page.locator("[data-note-outcome]")).to_have_text("Saved.")
        assert _summaries(app_server, token, card["id"])[summary] == 1
        expect(page.locator("[data-interaction]").filter(has_text=summary)).to_be_visible()
    finally:
        context.close()
