"""No signal on a phone: the app opens from the cache, finds contacts, keeps notes until online."""

from __future__ import annotations

import time
import uuid
from collections import Counter
from typing import Any

from playwright.sync_api import BrowserContext, Locator, Page, expect

from tests.e2e.conftest import REP, RunningApp, sign_in

SYNC_DEADLINE_S = 10
NARROW = {"width": 360, "height": 780}
# Controls of the offline book smaller than a thumb, or running off a 360 px screen.
TAP_PROBLEMS_JS = """() => {
  const problems = [];
  const controls = '[data-offline-book] :is(a, button, input, textarea)';
  for (const el of document.querySelectorAll(controls)) {
    if (el.closest('[hidden]')) continue;
    const box = (el.type === 'radio' ? el.closest('label') : el).getBoundingClientRect();
    if (box.width < 44 || box.height < 44) problems.push(`${el.outerHTML} is too small`);
    if (box.left < 0 || box.right > window.innerWidth) problems.push(`${el.outerHTML} runs off`);
  }
  return problems;
}"""


def _demo_contact(app_server: RunningApp, token: str) -> dict[str, Any]:
    """One of the rep's contacts with a phone and an email."""
    found = app_server.api("GET", "/contacts", token=token, params={"limit": 100}).json()
    usable = [item for item in found["items"] if item["phone"] and item["email"]]
    # A third of the way down: other journeys tend to change the first and middle ones.
    return dict(usable[len(usable) // 3])


def _summaries(app_server: RunningApp, token: str, contact_id: str) -> Counter[str]:
    card = app_server.api("GET", f"/contacts/{contact_id}/timeline", token=token)
    card.raise_for_status()
    return Counter(item["summary"] for item in card.json()["interactions"])


def _log_note(page: Page, card: Locator, summary: str, *chips: str, next_step: str = "") -> None:
    card.get_by_role("button", name="Log a note").click()
    form = page.get_by_role("form", name="Log a note")
    for label in chips:
        form.get_by_role("radio", name=label, exact=True).check()
    form.get_by_label("What happened").fill(summary)
    if next_step:
        form.get_by_label("Next step title").fill(next_step)
    form.get_by_role("button", name="Save note").click()
    expect(form).to_have_count(0)
    expect(page.locator("[data-offline-saved]")).to_contain_text("Saved on this phone — will sync")


def test_notes_written_offline_reach_the_server_once_when_the_phone_is_back_online(
    page: Page, phone: BrowserContext, app_server: RunningApp
) -> None:
    token = app_server.token(REP)
    contact = _demo_contact(app_server, token)
    name, contact_id = contact["name"], contact["id"]
    tag = uuid.uuid4().hex[:8]
    first = f"Called about the boiler quote with no signal {tag}"
    second = f"Walked the site from the basement car park {tag}"
    next_step = f"Send the site survey {tag}"

    sign_in(page)
    expect(page.get_by_role("heading", name="Today")).to_be_visible()
    page.get_by_role("link", name="Contacts").click()
    expect(page.get_by_role("heading", name="Contacts", exact=True)).to_be_visible()
    page.wait_for_function("Number(document.documentElement.dataset.bookCount || 0) > 0")
    page.evaluate("() => window.swReady")
    page.wait_for_function("navigator.serviceWorker.controller !== null")

    phone.set_offline(True)
    page.reload()
    expect(page.locator("[data-offline-banner]")).to_be_visible()
    expect(page.get_by_role("heading", name="Contacts", exact=True)).to_be_visible()
    # Reflex has noticed that its server is gone, and keeps quiet about it: the banner says it.
    expect(page.locator('[title^="Connection Error"]')).not_to_have_attribute(
        "title", "Connection Error: "
    )
    expect(page.locator('[title^="Connection Error"]')).to_be_hidden()
    expect(page.get_by_text("Cannot connect to server")).to_be_hidden()

    search = page.get_by_label("Search contacts offline")
    card = page.locator(f'[data-offline-contact="{contact_id}"]')
    search.fill(name)
    expect(card).to_contain_text(name)
    page.set_viewport_size(NARROW)
    assert page.evaluate(TAP_PROBLEMS_JS) == []
    expect(card.get_by_role("link", name="Call")).to_have_attribute(
        "href", f"tel:{contact['phone']}"
    )
    expect(card.get_by_role("link", name="Mail")).to_have_attribute(
        "href", f"mailto:{contact['email']}"
    )
    card.get_by_role("button", name="Log a note").click()
    form = page.get_by_role("form", name="Log a note")
    form.get_by_role("button", name="Save note").click()
    expect(form.get_by_role("alert")).to_have_text("Write what happened.")
    assert page.evaluate(TAP_PROBLEMS_JS) == []
    form.get_by_role("button", name="Cancel").click()
    _log_note(page, card, first, "Call", "They", "Positive")
    badge = page.locator("[data-outbox-badge]")
    expect(badge).to_have_text("1 waiting to sync")

    search.fill(f"555 {contact['phone_digits'][-4:]}")
    expect(card).to_be_visible()
    _log_note(page, card, second, "Visit", "In 3 days", next_step=next_step)
    expect(badge).to_have_text("2 waiting to sync")
    assert _summaries(app_server, token, contact_id)[first] == 0
    assert _summaries(app_server, token, contact_id)[second] == 0

    phone.set_offline(False)
    deadline = time.monotonic() + SYNC_DEADLINE_S
    stored = _summaries(app_server, token, contact_id)
    while (stored[first], stored[second]) != (1, 1) and time.monotonic() < deadline:
        time.sleep(0.25)
        stored = _summaries(app_server, token, contact_id)
    assert (stored[first], stored[second]) == (1, 1)
    expect(badge.locator("[data-outbox-count]")).to_have_text("0", timeout=5_000)
    expect(badge).to_be_hidden()
    card_json = app_server.api("GET", f"/contacts/{contact_id}/timeline", token=token).json()
    call = next(item for item in card_json["interactions"] if item["summary"] == first)
    assert (call["kind"], call["direction"], call["sentiment"]) == ("call", "inbound", "positive")
    assert next_step in [follow_up["title"] for follow_up in card_json["open_follow_ups"]]

    # Online again, the page gets its data and the offline book steps aside.
    expect(page.get_by_label("Search contacts", exact=True)).to_be_visible()
    expect(page.get_by_label("Search contacts offline")).to_have_count(0)

    refused = f"A note for a contact that no longer exists {tag}"
    page.evaluate(
        """(summary) => window.crmOutbox.enqueueNote({contact_id: crypto.randomUUID(),
            kind: 'note', direction: 'outbound', sentiment: 'neutral', summary})""",
        refused,
    )
    item = page.locator('[data-outbox-row][data-state="rejected"]').filter(has_text=refused)
    expect(item).to_contain_text("Not sent: ")
    item.get_by_role("button", name="Discard").click()
    item.get_by_role("button", name="Yes, discard").click()
    expect(item).to_have_count(0)
    assert page.evaluate("window.crmOutbox.status()") == {"waiting": 0, "items": []}


def test_sign_in_with_no_signal_says_it_needs_one_and_comes_back_with_the_signal(
    page: Page, phone: BrowserContext
) -> None:
    sign_in(page)
    expect(page.get_by_role("heading", name="Today")).to_be_visible()
    page.evaluate("() => window.swReady")
    page.wait_for_function("navigator.serviceWorker.controller !== null")

    phone.set_offline(True)
    page.goto("/signin")
    expect(page.get_by_role("status")).to_contain_text("Signing in needs a signal")
    expect(page.get_by_label("Email")).to_have_count(0)

    phone.set_offline(False)
    expect(page.get_by_label("Email")).to_be_visible()
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()
