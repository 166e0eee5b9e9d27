"""The rep's loop on a phone: find, call, log, follow up, create, handle a complaint."""

from __future__ import annotations

import re
import uuid
from datetime import date, timedelta
from typing import Any
from urllib.parse import quote

import pytest
from playwright.sync_api import Page, expect

from crm_pwa.components.when import short_date
from tests.e2e.conftest import OTHER_REP, REP, RunningApp, sign_in

MAPS = "https://www.google.com/maps/search/?api=1&query="


def _demo_contact(app_server: RunningApp) -> dict[str, Any]:
    """One of the rep's demo contacts that has a phone, an email and an address."""
    token = app_server.token(REP)
    found = app_server.api("GET", "/contacts", token=token, params={"limit": 100}).json()
    usable = [
        item
        for item in found["items"]
        if item["phone"] and item["email"] and item["address"] and not item["do_not_contact"]
    ]
    # A contact from the middle of the list: other tests tend to change the first ones.
    return dict(usable[len(usable) // 2])


def _search(page: Page, text: str) -> None:
    # An empty result first, so that the next result cannot be the previous one.
    page.get_by_label("Search contacts").fill("qxzqxz")
    expect(page.get_by_text("No contact matches.")).to_be_visible()
    page.get_by_label("Search contacts").fill(text)


@pytest.mark.scaled
def test_rep_finds_calls_logs_and_follows_up_when_using_the_phone(
    page: Page, app_server: RunningApp
) -> None:
    contact = _demo_contact(app_server)
    name, phone_digits = contact["name"], contact["phone_digits"]
    summary = f"Walked through the pilot plan {uuid.uuid4().hex[:8]}"
    next_step = f"Send the pilot contract {uuid.uuid4().hex[:6]}"
    sign_in(page)
    expect(page.get_by_role("heading", name="Today")).to_be_visible()

    page.get_by_role("link", name="Contacts").click()
    _search(page, name[:3])
    row = page.locator("[data-contact-row]").filter(has_text=name)
    expect(row).to_be_visible()
    _search(page, f"555 {phone_digits[-4:]}")
    expect(row).to_be_visible()
    row.click()

    expect(page.get_by_role("heading", name=name)).to_be_visible()
    expect(page.get_by_role("link", name="Call")).to_have_attribute(
        "href", f"tel:{contact['phone']}"
    )
    expect(page.get_by_role("link", name="Mail")).to_have_attribute(
        "href", f"mailto:{contact['email']}"
    )
    expect(page.get_by_role("link", name="Map")).to_have_attribute(
        "href", MAPS + quote(contact["address"], safe="")
    )

    page.get_by_role("button", name="Log a meeting").click()
    sheet = page.get_by_role("dialog", name="Log a meeting")
    sheet.get_by_role("button", name="Save").click()
    expect(sheet.get_by_role("alert")).to_have_text("Write what happened.")
    sheet.get_by_label("What happened").fill(summary)
    sheet.get_by_role("radio", name="Positive").check()
    sheet.get_by_label("Next step", exact=True).fill(next_step)
    sheet.get_by_role("radio", name="Next week").check()
    sheet.get_by_role("button", name="Save").click()
    expect(sheet).to_be_hidden()

    entry = page.locator("[data-interaction]").filter(has_text=summary)
    expect(entry).to_contain_text("Meeting · we started")
    expect(entry).to_contain_text("Positive")
    expect(page.locator("[data-interaction]").first).to_contain_text(summary)
    follow_up = page.locator("[data-follow-up]").filter(has_text=next_step)
    today = date.fromisoformat(str(page.locator("[data-today]").get_attribute("data-today")))
    expect(follow_up).to_contain_text(f"Due {short_date(today + timedelta(days=7), today)}")
    # Rescheduled before the clock moves: the server stamps the change with its own
    # time, and a later change from this phone must be newer to win.
    moved_to = today + timedelta(days=8)
    follow_up.get_by_text("Reschedule").click()
    follow_up.get_by_label("New date", exact=True).fill(moved_to.isoformat())
    follow_up.get_by_role("button", name=f"Move to the new date: {next_step}").click()
    expect(follow_up).to_contain_text(f"Due {short_date(moved_to, today)}")
    card_url = page.url

    try:
        app_server.move_clock(8)
        page.get_by_role("link", name="Today").click()
        due_today = page.locator("section").filter(
            has=page.get_by_role("heading", name=re.compile("^Due now"))
        )
        expect(due_today.get_by_text(next_step)).to_be_visible()
        due_today.get_by_text(next_step).click()
        expect(page).to_have_url(card_url)
        expect(follow_up).to_contain_text("Due today")
        follow_up.get_by_role("button", name=f"Snooze until tomorrow: {next_step}").click()
        expect(follow_up).to_contain_text("Due tomorrow")
        follow_up.get_by_role("button", name=f"Done: {next_step}").click()
        expect(follow_up).to_have_count(0)
        # Undo puts back the follow-up as it was: snoozed until tomorrow.
        undo = page.get_by_role("status").filter(has_text=f"Marked done: {next_step}")
        undo.get_by_role("button", name="Undo").click()
        expect(follow_up).to_contain_text("Due tomorrow")
        expect(undo).to_be_hidden()
        follow_up.get_by_role("button", name=f"Snooze until next week: {next_step}").click()
        today = date.fromisoformat(str(page.locator("[data-today]").get_attribute("data-today")))
        expect(follow_up).to_contain_text(f"Due {short_date(today + timedelta(days=7), today)}")
        chosen = today + timedelta(days=10)
        follow_up.get_by_text("Snooze to a date").click()
        follow_up.get_by_label("Snooze until", exact=True).fill(chosen.isoformat())
        follow_up.get_by_role("button", name=f"Snooze to the chosen date: {next_step}").click()
        expect(follow_up).to_contain_text(f"Due {short_date(chosen, today)}")
        follow_up.get_by_role("button", name=f"Done: {next_step}").click()
        expect(follow_up).to_have_count(0)
        token = app_server.token(REP)
        listed = app_server.api("GET", "/follow-ups", token=token, params={"status": "open"})
        assert next_step not in listed.text
    finally:
        app_server.move_clock(0)


def test_rep_creates_handles_and_erases_a_contact_when_using_the_phone(
    page: Page, app_server: RunningApp
) -> None:
    name = f"Zebulon Quist {uuid.uuid4().hex[:6]}"
    complaint = "Invoice sent to the wrong address"
    sign_in(page)
    expect(page.get_by_role("heading", name="Today")).to_be_visible()
    page.get_by_role("link", name="Contacts").click()
    page.get_by_role("link", name="New contact").click()

    form = page.locator("form")
    form.get_by_label("Name").fill(name)
    form.get_by_label("Company").fill("Quist Cartography")
    form.get_by_label("Kind", exact=True).select_option("prospect")
    form.get_by_label("Tier", exact=True).select_option("high")
    form.get_by_label("Phone").fill("+1 (415) 555-0199")
    form.get_by_label("Email").fill("zebulon@quist")
    form.get_by_label("Connection notes").fill("Maps every lighthouse on the coast")
    # Thousands as people type them: read as 1000 days, refused on the field, nothing lost.
    rhythm = form.get_by_label("Rhythm in days")
    expect(rhythm).to_have_attribute("inputmode", "numeric")
    rhythm.fill("1,000")
    form.get_by_role("button", name="Save contact").click()
    expect(form.get_by_text("Rhythm must be between 1 and 365 days.")).to_be_visible()
    expect(form.get_by_label("Name")).to_have_value(name)
    expect(rhythm).to_have_value("1,000")
    rhythm.fill("30")
    form.get_by_role("button", name="Save contact").click()
    expect(page.get_by_text("is not an email address")).to_be_visible()
    form.get_by_label("Email").fill("zebulon@quist.example")
    form.get_by_role("button", name="Save contact").click()

    expect(page.get_by_role("heading", name=name)).to_be_visible()
    expect(page.get_by_text("Maps every lighthouse on the coast")).to_be_visible()
    expect(page.get_by_role("link", name="Call")).to_have_attribute("href", "tel:+14155550199")
    page.get_by_text("Log a complaint").click()
    page.get_by_label("What is wrong").fill(complaint)
    page.get_by_role("button", name="Log complaint").click()
    item = page.locator("[data-complaint]").filter(has_text=complaint)
    expect(item).to_be_visible()
    expect(item.get_by_text("Waiting", exact=False)).to_have_count(0)

    try:
        app_server.move_clock(3)
        page.reload()
        expect(item.get_by_text("Waiting 3 days")).to_be_visible()
        item.get_by_label("Resolution").fill("Re-sent it to the new office and credited the fee")
        item.get_by_role("button", name=f"Resolve: {complaint}").click()
        expect(item).to_contain_text("Resolved: Re-sent it to the new office")
        expect(item.get_by_text("Waiting 3 days")).to_have_count(0)
    finally:
        app_server.move_clock(0)

    page.get_by_text("Add an opportunity").click()
    adding = page.locator("form").filter(has=page.get_by_role("button", name="Add opportunity"))
    adding.get_by_label("Title").fill("Lighthouse atlas licence")
    amount = adding.get_by_label("Amount")
    expect(amount).to_have_attribute("inputmode", "decimal")
    amount.fill("12,5000")
    adding.get_by_role("button", name="Add opportunity").click()
    expect(adding.get_by_text("Thousands are grouped by three digits")).to_be_visible()
    expect(adding.get_by_label("Title")).to_have_value("Lighthouse atlas licence")
    expect(amount).to_have_value("12,5000")
    amount.fill("12,500")
    adding.get_by_role("button", name="Add opportunity").click()
    deal = page.locator("[data-opportunity]").filter(has_text="Lighthouse atlas licence")
    # Grouped, in the demo team's currency.
    expect(deal).to_contain_text("$12,500.00")
    expect(amount).to_have_value("")
    expect(page.get_by_text("Prospect", exact=True).filter(visible=True)).to_be_visible()
    deal.get_by_text("Change").click()
    deal.get_by_label("Stage").select_option("won")
    deal.get_by_role("button", name="Save Lighthouse atlas licence").click()
    expect(deal).to_contain_text("Won")
    expect(page.get_by_text("Customer", exact=True).filter(visible=True)).to_be_visible()

    page.get_by_role("link", name="Contacts", exact=True).click()
    _search(page, "Zeb")
    expect(page.locator("[data-contact-row]").filter(has_text=name)).to_be_visible()
    _search(page, "555 0199")
    row = page.locator("[data-contact-row]").filter(has_text=name)
    expect(row).to_be_visible()
    row.click()
    page.get_by_role("button", name="Delete").click()
    page.get_by_role("alertdialog").get_by_role("button", name="Erase").click()
    expect(page.get_by_role("heading", name="Contacts")).to_be_visible()
    _search(page, name)
    expect(row).to_have_count(0)


def test_someone_elses_contact_shows_not_found_when_opened_by_its_address(
    page: Page, app_server: RunningApp
) -> None:
    token = app_server.token(OTHER_REP)
    theirs = app_server.api("GET", "/contacts", token=token, params={"limit": 1}).json()
    sign_in(page)
    expect(page.get_by_role("heading", name="Your relationships")).to_be_visible()
    for path in (
        f"/contacts/{theirs['items'][0]['id']}",
        f"/contacts/{uuid.uuid4()}",
        "/contacts/not-a-contact/edit",
    ):
        page.goto(path)
        expect(page.get_by_role("alert")).to_have_text("Contact not found.")


def test_rep_is_warned_of_a_duplicate_phone_when_adding_a_contact_on_the_phone(
    page: Page, app_server: RunningApp
) -> None:
    existing = _demo_contact(app_server)
    assert existing["phone"].startswith("+1")
    digits = existing["phone"][2:]
    # The same number as a person types it, not as it is stored.
    typed = f"({digits[:3]}) {digits[3:6]}-{digits[6:]}"
    name = f"Dup Check {uuid.uuid4().hex[:6]}"
    sign_in(page)
    expect(page.get_by_role("heading", name="Today")).to_be_visible()
    page.get_by_role("link", name="Contacts").click()
    page.get_by_role("link", name="New contact").click()

    form = page.locator("form")
    form.get_by_label("Name").fill(name)
    form.get_by_label("Phone").fill(typed)
    form.get_by_role("button", name="Save contact").click()

    expect(
        page.get_by_text("You already have a contact with this e-mail or phone.")
    ).to_be_visible()
    expect(page.get_by_role("link", name="Open the existing contact")).to_have_attribute(
        "href", f"/contacts/{existing['id']}"
    )
    form.get_by_role("button", name="Save anyway").click()
    expect(page.get_by_role("heading", name=name)).to_be_visible()
    shown = f"+1 {digits[:3]}-{digits[3:6]}-{digits[6:]}"
    expect(page.get_by_text(shown, exact=True)).to_be_visible()

    token = app_server.token(REP)
    found = app_server.api("GET", "/contacts", token=token, params={"q": name}).json()["items"]
    assert [item["phone"] for item in found] == [existing["phone"]]
    app_server.api("DELETE", f"/contacts/{found[0]['id']}", token=token).raise_for_status()
