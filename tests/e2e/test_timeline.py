"""The card's timeline on a phone: what came of the relationship, each entry once."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

from playwright.sync_api import Page, expect

from crm_pwa import routes
from tests.e2e.conftest import REP, RunningApp, sign_in


def test_card_timeline_shows_complaint_stage_win_and_follow_up_once(
    page: Page, app_server: RunningApp
) -> None:
    token = app_server.token(REP)

    def call(method: str, path: str, body: object) -> dict[str, object]:
        answer = app_server.api(method, path, token=token, json=body)
        assert answer.status_code in (200, 201), answer.text
        created: dict[str, object] = answer.json()
        return created

    name = f"Ines Duarte {uuid.uuid4().hex[:6]}"
    contact = call("POST", "/contacts", {"name": name, "kind": "prospect"})
    cid = contact["id"]
    complaint = call("POST", f"/contacts/{cid}/complaints", {"summary": "Late delivery"})
    call("POST", f"/complaints/{complaint['id']}/resolve", {"resolution": "Courier sent"})
    deal = call("POST", f"/contacts/{cid}/opportunities", {"title": "Fleet renewal"})
    call("PATCH", f"/opportunities/{deal['id']}", {"stage": "proposal"})
    call("PATCH", f"/opportunities/{deal['id']}", {"stage": "won"})
    due_on = (date.today() + timedelta(days=30)).isoformat()
    step = call("POST", f"/contacts/{cid}/follow-ups", {"title": "Call back", "due_on": due_on})
    change = {"id": step["id"], "status": "done", "changed_at": datetime.now(UTC).isoformat()}
    call("POST", "/sync", {"follow_up_updates": [change]})
    call("POST", "/sync", {"follow_up_updates": [change]})

    sign_in(page)
    expect(page.get_by_role("heading", name="Today")).to_be_visible()
    page.goto(routes.contact(str(cid)))
    expect(page.get_by_role("heading", name=name)).to_be_visible()

    entries = page.locator("[data-event]")
    for text in (
        "Complaint opened: Late delivery",
        "Complaint resolved: Late delivery",
        "Opportunity “Fleet renewal” moved from Lead to Proposal",
        "Opportunity “Fleet renewal” won",
        "Became a customer: won “Fleet renewal”",
        "Follow-up done: Call back",
    ):
        expect(entries.filter(has_text=text)).to_have_count(1)
    expect(entries).to_have_count(6)
    expect(entries.first).to_contain_text("Riley")
