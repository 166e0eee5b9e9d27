"""A page open on the phone keeps working when the app worker serving it is killed.

Each worker in turn is killed with SIGKILL, so the one holding the page's
websocket is among them. Granian starts a new worker in its place
(crm_pwa/app_server.py), the page reconnects on its own and the rep logs a note
without reloading. Against two app workers on PostgreSQL (`make e2e-scaled`)
the page's state comes back from Redis; against the one worker of `make run`,
which keeps page state in memory, the page hydrates again from its sign-in.
"""

from __future__ import annotations

import os
import signal
import time
import uuid

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import REP, SCALED, RunningApp, sign_in

pytestmark = pytest.mark.scaled
WORKERS = 2 if SCALED else 1


def answers(app: RunningApp) -> bool:
    try:
        return httpx.get(f"{app.url}/healthz", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def kill_and_wait_for_the_new_worker(app: RunningApp, victim: int) -> None:
    before = set(app.workers())
    os.kill(victim, signal.SIGKILL)
    deadline = time.monotonic() + 120
    # Granian logs its respawns at INFO, below what `reflex run` shows: watch the processes.
    while victim in (alive := app.workers()) or len(alive) < WORKERS:
        assert time.monotonic() < deadline, app.log.read_text()[-3000:] if app.log else ""
        time.sleep(0.1)
    # The new worker loads the app for seconds (20 and more on a busy machine)
    # before it takes connections; killing the other one meanwhile would leave no
    # worker at all, which is not the loss this test is about. With the other one
    # paused, only the new one can answer.
    others = set(alive) & before
    for other in others:
        os.kill(other, signal.SIGSTOP)
    try:
        while not answers(app):
            assert time.monotonic() < deadline, app.log.read_text()[-3000:] if app.log else ""
            time.sleep(0.2)
    finally:
        for other in others:
            os.kill(other, signal.SIGCONT)


def test_the_card_keeps_working_without_a_reload_when_its_worker_is_killed(
    page: Page, app_server: RunningApp
) -> None:
    token = app_server.token(REP)
    contact = app_server.api("GET", "/contacts", token=token, params={"limit": 5}).json()
    name, contact_id = contact["items"][2]["name"], contact["items"][2]["id"]
    sign_in(page)
    expect(page.get_by_role("heading", name="Today")).to_be_visible()
    page.goto(f"/contacts/{contact_id}")
    expect(page.get_by_role("heading", name=name)).to_be_visible()
    page.evaluate("window.__sameDocument = true")

    first = app_server.workers()
    assert len(first) == WORKERS
    for victim in first:
        kill_and_wait_for_the_new_worker(app_server, victim)

    summary = f"Checked the install after the outage {uuid.uuid4().hex[:8]}"
    page.get_by_role("button", name="Log a meeting").click()
    sheet = page.get_by_role("dialog", name="Log a meeting")
    sheet.get_by_label("What happened").fill(summary)
    sheet.get_by_role("button", name="Save").click()
    expect(sheet).to_be_hidden()
    # The card re-read over the reconnected websocket shows the note.
    expect(page.locator("[data-interaction]").first).to_contain_text(summary)
    assert page.evaluate("window.__sameDocument === true"), "the page was reloaded"
    assert len(app_server.workers()) == WORKERS
