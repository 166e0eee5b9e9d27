"""A rep invites their high-touch customers to a workshop on a phone: the preview names who
is left out and why, the copies go out from the phone's mail app (no SMTP server in the
default setup), two guests are marked attended, and both cards show the invitation, the
meeting and a health that counts it.

The journey e-mails and meets all of Riley's high-touch customers on the shared demo
server and opens a complaint on one: the file is named to run after every other browser
test, which read those stories as the demo tells them.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from playwright.sync_api import Page, expect

from crm_pwa import clock
from tests.e2e.conftest import REP, RunningApp, sign_in

TITLE = "Spring workshop"


def _high_touch_customers(app_server: RunningApp, token: str) -> dict[str, str]:
    """Riley's high-touch customers, name -> id, as the contacts API lists them."""
    answer = app_server.api(
        "GET",
        "/contacts",
        token=token,
        params={"kind": "customer", "tier": "high", "limit": 100},
    )
    return {item["name"]: item["id"] for item in answer.json()["items"]}


def _health(app_server: RunningApp, token: str, contact_id: str) -> dict[str, Any]:
    answer = app_server.api("GET", f"/contacts/{contact_id}", token=token).json()
    return dict(answer["health"])


def test_rep_invites_high_touch_customers_to_a_workshop_and_marks_two_attended(
    page: Page, app_server: RunningApp
) -> None:
    token = app_server.token(REP)
    customers = _high_touch_customers(app_server, token)
    upset = sorted(customers)[0]
    opened = app_server.api(
        "POST",
        f"/contacts/{customers[upset]}/complaints",
        token=token,
        json={"summary": "The last delivery came a week late"},
    )
    assert opened.status_code == 201

    sign_in(page)
    expect(page.get_by_role("heading", name="Today", level=1)).to_be_visible()
    page.goto("/settings")
    page.get_by_role("link", name="Events and campaigns").click()
    expect(page.get_by_role("heading", name="Invitations", level=1)).to_be_visible()
    page.get_by_role("link", name="New invitation").click()

    expect(page).to_have_title("New invitation · Rapport")
    page.get_by_label("Title").fill(TITLE)
    starts = (clock.now() + timedelta(days=7)).strftime("%Y-%m-%dT18:00")
    page.get_by_label("Date and time").fill(starts)
    page.get_by_label("Place").fill("Riverside office")
    page.get_by_label("Contact kind").select_option("customer")
    page.get_by_label("Tier").select_option("high")
    page.get_by_role("button", name="Preview who is invited").click()

    # The preview: everyone chosen, the one with an open complaint left out, with the reason.
    expect(page).to_have_title(f"{TITLE} · Rapport")
    excluded = page.get_by_role("list", name=re.compile("^Not invited"))
    expect(excluded.locator(f"[data-excluded='{upset}']")).to_contain_text("complaint")
    invited = page.get_by_role("list", name=re.compile("^Will be invited"))
    expect(invited.locator("[data-guest]")).to_have_count(len(customers) - 1)
    guests = [name for name in sorted(customers) if name != upset][:2]
    for name in guests:
        expect(invited.locator(f"[data-guest='{name}']")).to_be_visible()

    page.get_by_role("button", name=re.compile("^Send to")).click()
    # No SMTP server: one tap per guest opens the mail app and marks the copy sent.
    for name in guests:
        page.get_by_role("link", name=f"Write to {name}").click()
        row = page.locator(f"[data-guest='{name}']")
        expect(row).to_contain_text("e-mail sent")
    after_sending = {name: _health(app_server, token, customers[name]) for name in guests}

    for name in guests:
        page.get_by_role("checkbox", name=f"{name} attended").click()
    page.get_by_role("button", name="Mark attended (2)").click()
    expect(page.get_by_role("status").filter(has_text="Marked attended")).to_be_visible()
    for name in guests:
        expect(page.locator(f"[data-guest='{name}']")).to_contain_text("Attended")
    # A follow-up is offered for each: one kept, one skipped.
    page.get_by_role("button", name=f"Add follow-up for {guests[0]}").click()
    expect(page.get_by_role("status").filter(has_text="Follow-up added")).to_be_visible()
    page.get_by_role("button", name=f"Skip follow-up for {guests[1]}").click()
    expect(page.get_by_role("heading", name="Follow up with them?")).to_be_hidden()
    expect(page.locator("[data-count='Attended'] dd")).to_have_text("2")

    for name in guests:
        page.goto(f"/contacts/{customers[name]}")
        expect(page.get_by_role("heading", name=name, level=1)).to_be_visible()
        timeline = page.locator("[data-interaction]")
        expect(timeline.filter(has_text=f"Invitation sent: {TITLE}")).to_have_count(1)
        expect(timeline.filter(has_text=f"Met at {TITLE}")).to_have_count(1)
        # Health counts the meeting: its score or its reasons moved since the e-mail,
        # and the card shows the health as it now is.
        now = _health(app_server, token, customers[name])
        assert (now["score"], now["reasons"]) != (
            after_sending[name]["score"],
            after_sending[name]["reasons"],
        )
        health = page.locator("section").filter(
            has=page.get_by_role("heading", name="Health", exact=True)
        )
        expect(health).to_contain_text(str(now["score"]))
        for reason in now["reasons"]:
            expect(health).to_contain_text(reason)
