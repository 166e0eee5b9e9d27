"""A phone's first visit: the sign-in form at once, the service worker only after `load`."""

from __future__ import annotations

import re
from urllib.parse import quote

from playwright.sync_api import BrowserContext, Page, Request, Response, WebSocket, expect

from tests.e2e.conftest import PASSWORD, REP, RunningApp, sign_in


def _first_contact(app_server: RunningApp) -> dict[str, str]:
    answer = app_server.api("GET", "/contacts", token=app_server.token(), params={"limit": 1})
    return dict(answer.json()["items"][0])


def _fill_sign_in(page: Page) -> None:
    page.get_by_label("Email").fill(REP)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_signed_out_visit_gets_the_sign_in_form_without_a_redirect_or_the_today_shell(
    page: Page,
) -> None:
    redirects: list[str] = []
    sockets: list[str] = []
    scripts: list[str] = []

    def answered(response: Response) -> None:
        if response.status in (301, 302, 303, 307, 308):
            redirects.append(f"{response.status} {response.url}")

    def opened(socket: WebSocket) -> None:
        sockets.append(page.url)

    def asked(request: Request) -> None:
        if request.resource_type in ("script", "stylesheet"):
            scripts.append(request.url)

    page.on("response", answered)
    page.on("websocket", opened)
    page.on("request", asked)
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/signin$"))
    expect(page.get_by_label("Email")).to_be_editable()
    page.goto("/signin")
    expect(page.get_by_label("Email")).to_be_editable()
    assert redirects == []
    # The sign-in page is one HTML document: no React, no websocket, no file to wait for.
    assert sockets == []
    assert scripts == []
    expect(page.get_by_role("heading", name="Today")).to_have_count(0)


def test_rep_lands_on_the_contact_a_link_pointed_to_when_signing_in_after_it(
    page: Page, app_server: RunningApp
) -> None:
    contact = _first_contact(app_server)
    card = f"/contacts/{contact['id']}"
    page.goto(card)
    expect(page).to_have_url(re.compile(re.escape(f"/signin?next={quote(card, safe='')}") + "$"))
    _fill_sign_in(page)
    expect(page).to_have_url(re.compile(re.escape(card) + "$"))
    expect(page.get_by_role("heading", name=contact["name"], level=1)).to_be_visible()


def test_reminder_tap_opens_the_contact_after_sign_in_when_the_session_had_expired(
    page: Page, app_server: RunningApp
) -> None:
    contact = _first_contact(app_server)
    card = f"/contacts/{contact['id']}"
    page.goto("/signin")
    # A token the server no longer knows: what a phone holds once its session ran out.
    page.evaluate("localStorage.setItem('rapport_token', 'expired-' + 'x'.repeat(40))")
    page.goto(card)
    expect(page).to_have_url(re.compile(r"/signin\?next=%2Fcontacts%2F"))
    _fill_sign_in(page)
    expect(page).to_have_url(re.compile(re.escape(card) + "$"))
    expect(page.get_by_role("heading", name=contact["name"], level=1)).to_be_visible()


def test_first_visit_makes_no_service_worker_request_before_the_load_event(
    page: Page, phone: BrowserContext
) -> None:
    requests: list[Request] = []

    def sent(request: Request) -> None:
        requests.append(request)

    phone.on("request", sent)
    # The sign-in page registers no worker; the first page of the app does, after `load`.
    sign_in(page)
    expect(page.get_by_role("heading", name="Today")).to_be_visible()
    page.evaluate("() => window.swReady")
    page.wait_for_function("navigator.serviceWorker.controller !== null")
    loaded_at = page.evaluate(
        "performance.timeOrigin + performance.getEntriesByType('navigation')[0].loadEventStart"
    )
    worker = [
        request
        for request in requests
        if request.service_worker is not None or request.url.endswith("/sw.js")
    ]
    assert any(request.url.endswith("/sw.js") for request in worker)
    assert any("/assets/" in request.url for request in worker), "the shell is precached"
    early = [r.url for r in worker if r.timing["startTime"] < loaded_at]
    assert early == []
    # A rep's phone is never sent the Team page's code (and its chart).
    assert not [r.url for r in requests if "_team_" in r.url]


def test_signed_in_load_shows_the_pages_own_shell_and_skeleton_rows_while_its_data_is_awaited(
    page: Page,
) -> None:
    sign_in(page)
    expect(page.get_by_role("heading", name="Today")).to_be_visible()
    # Reflex's websocket opens but never answers: the page's data stays on the way.
    page.route_web_socket(re.compile(r"/_event"), lambda socket: None)
    page.reload()
    expect(page.get_by_role("heading", name="Today", level=1)).to_be_visible()
    expect(page.get_by_role("navigation", name="Main").get_by_role("link")).not_to_have_count(0)
    expect(page.get_by_role("status", name="Loading")).to_be_visible()
    expect(page.locator(".rt-Spinner")).to_have_count(0)


def test_signed_in_load_shows_todays_last_lists_until_the_server_answers(page: Page) -> None:
    sign_in(page)
    expect(page.get_by_role("heading", name="Your relationships")).to_be_visible()
    # Reflex's websocket opens but never answers: only this phone's copy can show the lists.
    # (After a few seconds of silence offline.js puts the offline book in their place.)
    page.route_web_socket(re.compile(r"/_event"), lambda socket: None)
    page.reload()
    last = page.locator("[data-last-known]")
    expect(last.get_by_text("Your relationships")).to_be_visible()
    # A picture of the lists, out of reach (inert): its links have no handlers yet;
    # the page still says it waits, the grey rows under the copy.
    expect(page.get_by_role("heading", name="Your relationships")).to_have_count(0)
    expect(page.locator('[role="status"][aria-label="Loading"]')).to_be_attached()
    expect(page.locator(".app-skeleton").first).to_be_hidden()
    # A copy kept under another session is never drawn.
    page.evaluate("localStorage.setItem('rapport_token', 'another-session')")
    page.reload()
    expect(page.get_by_role("heading", name="Today", level=1)).to_be_visible()
    expect(page.locator(".app-skeleton").first).to_be_attached()
    expect(last).to_be_empty()


def test_signing_out_forgets_todays_last_lists(page: Page) -> None:
    sign_in(page)
    expect(page.get_by_role("heading", name="Your relationships")).to_be_visible()
    page.wait_for_function("localStorage.getItem('rapport_last_today') !== null")
    page.goto("/settings")
    page.get_by_role("button", name="Sign out", exact=True).click()
    expect(page.get_by_label("Email")).to_be_editable()
    assert page.evaluate("localStorage.getItem('rapport_last_today')") is None
