"""Merging a contact entered twice, from the card on a phone."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

from playwright.sync_api import Page, expect

from tests.e2e.conftest import REP, RunningApp, sign_in


def test_rep_merges_a_contact_entered_twice_when_using_the_card(
    page: Page, app_server: RunningApp
) -> None:
    mark = uuid.uuid4().hex[:6]
    token = app_server.token(REP)
    keep = app_server.api(
        "POST", "/contacts", token=token, json={"name": f"Ines Okafor {mark}"}
    ).json()
    other = app_server.api(
        "POST",
        "/contacts",
        token=token,
        json={"name": f"Ines Okafor (card) {mark}", "company": "Okafor Freight"},
    ).json()
    promised = f"Send the freight rates {mark}"
    app_server.api(
        "POST",
        f"/contacts/{other['id']}/follow-ups",
        token=token,
        json={"title": promised, "due_on": (date.today() + timedelta(days=5)).isoformat()},
    ).raise_for_status()

    sign_in(page)
    expect(page.get_by_role("heading", name="Today")).to_be_visible()
    page.goto(f"/contacts/{keep['id']}")
    expect(page.get_by_role("heading", name=keep["name"])).to_be_visible()
    page.get_by_text("Merge with another contact").click()
    page.get_by_label("Find the other contact").fill(f"card {mark}")
    page.get_by_role("button", name="Find").click()
    page.get_by_role("button", name=f"Merge {other['name']} into this contact").click()
    dialog = page.get_by_role("alertdialog")
    expect(dialog).to_contain_text(f"{other['name']}'s notes, follow-ups")
    dialog.get_by_role("button", name="Merge").click()

    # The same card, now holding the other's follow-up, its company and a note saying so.
    expect(page).to_have_url(f"{app_server.url}/contacts/{keep['id']}")
    expect(page.locator("[data-follow-up]").filter(has_text=promised)).to_be_visible()
    expect(page.get_by_text(f"Merged {other['name']} into this contact")).to_be_visible()
    expect(page.get_by_text("Okafor Freight", exact=True).filter(visible=True)).to_be_visible()
    gone = app_server.api("GET", f"/contacts/{other['id']}", token=token)
    assert gone.status_code == 404
    app_server.api("DELETE", f"/contacts/{keep['id']}", token=token).raise_for_status()
