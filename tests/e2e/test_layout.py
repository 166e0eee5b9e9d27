"""Every page of the rep's loop fits a 360 px phone and can be used by thumb and screen reader."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, timedelta

from playwright.sync_api import Page, expect

from tests.e2e.conftest import REP, RunningApp, sign_in

NARROW = {"width": 360, "height": 780}
MIN_TAP = 44
# Chromium's accessibility roles for things a finger or a screen reader operates.
CONTROL_ROLES = {
    "button",
    "link",
    "textbox",
    "searchbox",
    "combobox",
    "listbox",
    "checkbox",
    "radio",
    "switch",
    "slider",
    "spinbutton",
    "tab",
    "menuitem",
    "DisclosureTriangle",
    "date",
    "InputTime",
}
# Tap targets as the finger meets them: a radio or checkbox counts with its label.
TAP_PROBLEMS_JS = """(minTap) => {
  const selector = 'a[href], button, input:not([type=hidden]), select, textarea, summary,'
    + ' [role=button], [role=link], [role=checkbox], [role=radio], [role=switch], [role=tab]';
  const problems = [];
  for (const el of document.querySelectorAll(selector)) {
    if (el.closest('[hidden]') || getComputedStyle(el).visibility === 'hidden') continue;
    const boxed = el.matches('input[type=checkbox], input[type=radio]') && el.closest('label');
    const target = boxed || el;
    const box = target.getBoundingClientRect();
    if (box.width === 0 && box.height === 0) continue;
    // Links inside running text are exempt, as WCAG's target-size rule allows.
    if (el.matches('a') && el.closest('p') && getComputedStyle(el).display === 'inline') continue;
    const what = `${el.tagName.toLowerCase()} "${(el.getAttribute('aria-label')
      || el.textContent || el.getAttribute('name') || '').trim().slice(0, 40)}"`;
    if (box.width < minTap || box.height < minTap) {
      problems.push(`${what} is ${Math.round(box.width)}x${Math.round(box.height)} px`);
    }
    if (box.left < -1 || box.right > window.innerWidth + 1) {
      const span = `${Math.round(box.left)} to ${Math.round(box.right)} px`;
      problems.push(`${what} runs off the screen sideways (${span})`);
    }
  }
  return problems;
}"""


def _unnamed_controls(page: Page) -> list[str]:
    cdp = page.context.new_cdp_session(page)
    try:
        nodes = cdp.send("Accessibility.getFullAXTree")["nodes"]
        unnamed = []
        for node in nodes:
            role = node.get("role", {}).get("value")
            name = str(node.get("name", {}).get("value") or "").strip()
            if node.get("ignored") or role not in CONTROL_ROLES or name:
                continue
            html = cdp.send("DOM.getOuterHTML", {"backendNodeId": node["backendDOMNodeId"]})
            unnamed.append(f"{role}: {html['outerHTML'][:120]}")
        return unnamed
    finally:
        cdp.detach()


# What the page had loaded when it was measured: a failure names it, to tell a page
# caught mid-load from one that stays wrong.
PAGE_STATE_JS = """() => ({
  ready: document.readyState,
  controlled: Boolean(navigator.serviceWorker && navigator.serviceWorker.controller),
  styleRules: Array.from(document.querySelectorAll('style[data-emotion]'))
    .reduce((sum, tag) => sum + (tag.sheet ? tag.sheet.cssRules.length : 0), 0),
})"""


def _measured(page: Page, where: str) -> list[str]:
    found = [f"{where}: unnamed {control}" for control in _unnamed_controls(page)]
    found += [f"{where}: {problem}" for problem in page.evaluate(TAP_PROBLEMS_JS, MIN_TAP)]
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    if scroll_width > NARROW["width"]:
        found.append(f"{where}: scrolls sideways ({scroll_width} px wide)")
    return found


def _problems(page: Page, where: str) -> list[str]:
    """The page's problems once it has settled: a rep judges the page they can use, not
    a frame of it loading (a CI run once measured a card with none of its component
    styles yet, every control 40 px high). What stays wrong for 5 s is reported."""
    for _ in range(20):
        found = _measured(page, where)
        if not found:
            return []
        page.wait_for_timeout(250)
    return [*found, f"{where}: page state {page.evaluate(PAGE_STATE_JS)}"]


def _busy_contact(app_server: RunningApp) -> str:
    """A contact of the rep with something in every section of the card."""
    token = app_server.token(REP)
    contact = app_server.api(
        "POST",
        "/contacts",
        token=token,
        json={
            "name": f"Layout Probe {uuid.uuid4().hex[:6]}",
            "company": "A Company With A Rather Long Name For A Narrow Phone Screen Ltd",
            "title": "Head of Procurement",
            "kind": "prospect",
            "tier": "high",
            "phone": "+1 415 555 0142",
            "email": "probe@long-company-name-for-narrow-screens.example",
            "address": "1200 Very Long Boulevard Name, Suite 4400, San Francisco, CA 94103",
            "tags": ["renewal", "vip"],
            "connection_notes": "Restores vintage motorcycles; mention the Isle of Man race.",
        },
    ).json()
    contact_id = str(contact["id"])
    now = datetime.now(UTC)
    synced = app_server.api(
        "POST",
        "/sync",
        token=token,
        json={
            "interactions": [
                {
                    "id": str(uuid.uuid4()),
                    "contact_id": contact_id,
                    "kind": "visit",
                    "direction": "inbound",
                    "occurred_at": (now - timedelta(days=3)).isoformat(),
                    "summary": "Toured the warehouse; a-very-long-unbroken-word-" * 4,
                    "sentiment": "negative",
                    "follow_up": {
                        "id": str(uuid.uuid4()),
                        "due_on": (now - timedelta(days=1)).date().isoformat(),
                        "title": "Send the safety audit",
                    },
                }
            ],
            "follow_up_updates": [],
        },
    )
    assert synced.json()["results"][0]["status"] == "created"
    app_server.api(
        "POST",
        f"/contacts/{contact_id}/complaints",
        token=token,
        json={"summary": "The forklift arrived scratched"},
    ).raise_for_status()
    app_server.api(
        "POST",
        f"/contacts/{contact_id}/opportunities",
        token=token,
        json={"title": "Warehouse racking", "stage": "proposal", "amount": "48000"},
    ).raise_for_status()
    return contact_id


def test_controls_are_named_big_and_within_360px_when_on_each_page_of_the_rep_loop(
    page: Page, app_server: RunningApp
) -> None:
    contact_id = _busy_contact(app_server)
    page.set_viewport_size(NARROW)
    sign_in(page)
    expect(page.get_by_role("heading", name="Your relationships")).to_be_visible()
    problems = _problems(page, "Today")

    page.get_by_role("link", name="Contacts").click()
    expect(page.locator("[data-contact-row]").first).to_be_visible()
    problems += _problems(page, "Contacts")

    page.goto(f"/contacts/{contact_id}")
    expect(page.get_by_text("Send the safety audit")).to_be_visible()
    expect(page.get_by_text("Warehouse racking")).to_be_visible()
    # Open every folded form, so its fields are measured too.
    page.evaluate("document.querySelectorAll('details').forEach((d) => { d.open = true; })")
    problems += _problems(page, "Contact card")

    page.get_by_role("button", name="Log a meeting").click()
    sheet = page.get_by_role("dialog", name="Log a meeting")
    expect(sheet).to_be_visible()
    sheet.get_by_role("radio", name="Pick a date").check()
    problems += _problems(page, "Log sheet")
    sheet.get_by_role("button", name="Cancel").click()
    expect(sheet).to_be_hidden()

    page.get_by_role("link", name="Edit").click()
    expect(page.get_by_role("heading", name="Edit contact")).to_be_visible()
    expect(page.get_by_label("Name", exact=True)).to_have_value(re.compile("^Layout Probe"))
    problems += _problems(page, "Edit contact")

    page.goto("/contacts/new")
    expect(page.get_by_role("button", name="Save contact")).to_be_visible()
    problems += _problems(page, "New contact")

    assert problems == []
