"""Push reminders on a phone, end to end, with a local push service.

Chromium cannot subscribe to a real push service here (PWA_NOTES.md, section 2),
so `PushManager.subscribe` is stubbed to hand out a subscription whose keys the
test made. Everything else is the real thing: the Settings page and push.js
store it, the `remind` command encrypts and posts to the local push service,
which decrypts the payload; CDP delivers that payload to the service worker,
which shows the notification; its "Done" action goes through the outbox.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Callable
from contextlib import closing
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from playwright.sync_api import Browser, BrowserContext, Page, Playwright, expect

from tests.e2e.conftest import OTHER_REP, REP, RunningApp, sign_in
from tests.utils.push_service import FakePushService, ReceivedPush

_T = TypeVar("_T")

STUB_SUBSCRIBE = """
(() => {
  const subscription = %s;
  if (typeof PushManager === 'undefined') return;
  let current = null;
  const bytes = (text) => Uint8Array.from(
    atob(text.replace(/-/g, '+').replace(/_/g, '/') + '==='.slice((text.length + 3) %% 4)),
    (c) => c.charCodeAt(0)).buffer;
  PushManager.prototype.subscribe = async function (options) {
    window.__pushSubscribeOptions = options;
    current = {
      endpoint: subscription.endpoint,
      expirationTime: null,
      options: {userVisibleOnly: options.userVisibleOnly,
                applicationServerKey: new Uint8Array(options.applicationServerKey).buffer},
      getKey: (name) => bytes(subscription.keys[name]),
      toJSON: () => subscription,
      unsubscribe: async () => { current = null; return true; },
    };
    return current;
  };
  PushManager.prototype.getSubscription = async function () { return current; };
})();
"""

SUBSCRIBE_KEY_JS = """() => {
  const key = new Uint8Array(window.__pushSubscribeOptions.applicationServerKey);
  return btoa(String.fromCharCode(...key)).replace(/\\+/g, '-').replace(/\\//g, '_')
    .replace(/=+$/, '');
}"""

NOTIFICATIONS_JS = """async () => {
  const registration = await navigator.serviceWorker.ready;
  return (await registration.getNotifications()).map((n) => ({
    title: n.title, body: n.body, tag: n.tag, data: n.data, actions: n.actions.map((a) => a.action),
  }));
}"""

# CDP cannot press a notification's action button; sw.js exposes the handler its
# notificationclick listener calls, so the test runs that inside the worker.
PRESS_DONE_JS = """async (tag) => {
  const [notification] = await self.registration.getNotifications({tag});
  if (!notification) throw new Error('no notification with tag ' + tag);
  return self.rapportSW.handleNotificationClick(notification, 'done');
}"""


def eventually(probe: Callable[[], _T | None], what: str, timeout: float = 30.0) -> _T:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = probe()
        if found:
            return found
        time.sleep(0.25)
    raise AssertionError(f"timed out waiting for {what}")


def server_today(app_server: RunningApp) -> str:
    offset = float(app_server.clock_file.read_text().strip() or 0)
    return (datetime.now(UTC) + timedelta(days=offset)).date().isoformat()


def rep_today(app_server: RunningApp, email: str = REP) -> str:
    """The rep's own day on the server's clock: the zone the rep's phone gave at sign-in."""
    database = Path(app_server.env["RAPPORT_DATA_DIR"]) / "rapport.db"
    with closing(sqlite3.connect(database)) as connection:
        (zone,) = connection.execute(
            'SELECT time_zone FROM "user" WHERE email = ?', (email,)
        ).fetchone()
    offset = float(app_server.clock_file.read_text().strip() or 0)
    return (
        (datetime.now(UTC) + timedelta(days=offset)).astimezone(ZoneInfo(zone)).date().isoformat()
    )


def promise_a_call_back(app_server: RunningApp, token: str) -> dict[str, Any]:
    contacts = app_server.api("GET", "/contacts?limit=20", token=token).json()["items"]
    contact = next(c for c in contacts if not c["do_not_contact"])
    answer = app_server.api(
        "POST",
        f"/contacts/{contact['id']}/follow-ups",
        token=token,
        json={"title": "Send the revised quote", "due_on": rep_today(app_server)},
    )
    assert answer.status_code == 201, answer.text
    return {"contact": contact, "follow_up": answer.json()}


def push_for(service: FakePushService, follow_up_id: str) -> tuple[ReceivedPush, Any] | None:
    for request in service.received:
        payload = service.decrypt_json(request)
        if payload.get("follow_up_id") == follow_up_id:
            return request, payload
    return None


def deliver_push(context: BrowserContext, page: Page, origin: str, payload: Any) -> None:
    """What Chromium does when its push service hands it a message for our worker."""
    cdp = context.new_cdp_session(page)
    registrations: dict[str, str] = {}

    def remember(event: dict[str, Any]) -> None:
        for registration in event["registrations"]:
            registrations[registration["scopeURL"]] = registration["registrationId"]

    cdp.on("ServiceWorker.workerRegistrationUpdated", remember)
    cdp.send("ServiceWorker.enable")
    page.evaluate("window.swReady.then(() => true)")
    scope = origin + "/"
    registration_id = eventually(lambda: registrations.get(scope), "the worker registration")
    cdp.send(
        "ServiceWorker.deliverPushMessage",
        {"origin": origin, "registrationId": registration_id, "data": json.dumps(payload)},
    )


def _shown_after_delivery(
    context: BrowserContext, page: Page, origin: str, payload: Any
) -> list[dict[str, Any]]:
    """The notification a delivered push shows.

    Once, in a full run, a message handed over through CDP showed nothing (the
    cause is not known; alone the test passes). A push service redelivers what it
    could not hand over, so does this, and the notification's tag keeps it one.
    """
    for _ in range(3):
        deliver_push(context, page, origin, payload)
        try:
            return eventually(
                lambda: [n for n in page.evaluate(NOTIFICATIONS_JS) if n["tag"] == payload["tag"]],
                "the notification",
                timeout=10.0,
            )
        except AssertionError:
            continue
    raise AssertionError("no notification after three deliveries")


def test_reminder_reaches_the_phone_and_done_closes_it_when_reminders_are_turned_on(
    page: Page, phone: BrowserContext, app_server: RunningApp
) -> None:
    token = app_server.token(REP)
    promised = promise_a_call_back(app_server, token)
    follow_up_id = promised["follow_up"]["id"]
    with FakePushService() as service:
        subscription = service.new_browser("riley-pixel")
        phone.grant_permissions(["notifications"], origin=app_server.url)
        phone.add_init_script(STUB_SUBSCRIBE % json.dumps(subscription))
        sign_in(page)
        expect(page.get_by_role("heading", name="Today", exact=True)).to_be_visible()
        page.get_by_role("link", name="Settings").click()

        # Whenever this runs, make it a time the rep accepts reminders.
        page.get_by_label("Reminder time").fill("00:00")
        page.get_by_label("Quiet from").fill("00:00")
        page.get_by_label("Quiet until").fill("00:00")
        page.get_by_role("button", name="Save reminder hours").click()
        expect(page.get_by_role("status")).to_contain_text("Reminder hours and time zone saved.")

        page.get_by_role("button", name="Turn on reminders").click()
        expect(page.get_by_role("status")).to_contain_text("Reminders are on for this device.")
        expect(page.get_by_role("button", name="Remove Chrome on Android")).to_be_visible()
        devices = app_server.api("GET", "/push/subscriptions", token=token).json()["items"]
        assert [device["endpoint"] for device in devices] == [subscription["endpoint"]]
        server_key = app_server.api("GET", "/push/vapid-public-key").json()["public_key"]
        assert page.evaluate(SUBSCRIBE_KEY_JS) == server_key

        app_server.cli("remind", "--once")
        request, payload = eventually(lambda: push_for(service, follow_up_id), "the reminder")
        assert request.headers["ttl"] == "86400"
        assert request.headers["urgency"] == "normal"
        assert request.vapid_public_key == server_key
        assert payload["title"] == f"Call back {promised['contact']['name']}"
        assert payload["body"] == "Promised today — Send the revised quote"
        assert payload["url"] == f"/contacts/{promised['contact']['id']}"

        shown = _shown_after_delivery(phone, page, app_server.url, payload)
        assert shown[0]["title"] == payload["title"]
        assert shown[0]["body"] == payload["body"]
        assert shown[0]["actions"] == ["done", "snooze"]
        assert shown[0]["data"]["follow_up_id"] == follow_up_id

        # The worker reads the token the page left for it in IndexedDB.
        page.evaluate("window.crmOutbox.token()")
        [worker] = phone.service_workers
        worker.evaluate(PRESS_DONE_JS, payload["tag"])

        def follow_up_done() -> bool:
            listed = app_server.api("GET", "/follow-ups?status=all&limit=1000", token=token)
            [mine] = [item for item in listed.json()["items"] if item["id"] == follow_up_id]
            return bool(mine["status"] == "done")

        eventually(follow_up_done, "the follow-up marked done")
        assert not [n for n in page.evaluate(NOTIFICATIONS_JS) if n["tag"] == payload["tag"]]

        page.get_by_role("button", name="Send me a test reminder").click()
        expect(page.get_by_role("status")).to_contain_text("Test reminder sent to 1 of 1 devices.")
        titles = [service.decrypt_json(r)["title"] for r in service.received]
        assert "Test reminder" in titles

        page.get_by_role("button", name="Remove Chrome on Android").click()
        expect(page.get_by_text("None yet.")).to_be_visible()
        assert app_server.api("GET", "/push/subscriptions", token=token).json()["items"] == []


def test_signing_out_of_a_shared_phone_takes_the_reps_reminders_off_it(
    page: Page, phone: BrowserContext, app_server: RunningApp
) -> None:
    riley_token, sam_token = app_server.token(REP), app_server.token(OTHER_REP)

    def has_the_phone(token: str, endpoint: str) -> bool:
        listed = app_server.api("GET", "/push/subscriptions", token=token).json()["items"]
        return endpoint in [device["endpoint"] for device in listed]

    with FakePushService() as service:
        shared = service.new_browser("shared-pixel")
        phone.grant_permissions(["notifications"], origin=app_server.url)
        phone.add_init_script(STUB_SUBSCRIBE % json.dumps(shared))
        # Sam turned reminders on in this browser earlier, and handed the phone over.
        sam_subscribed = app_server.api("POST", "/push/subscriptions", token=sam_token, json=shared)
        assert sam_subscribed.status_code == 201, sam_subscribed.text
        sign_in(page)
        expect(page.get_by_role("heading", name="Today", exact=True)).to_be_visible()
        page.get_by_role("link", name="Settings").click()
        page.get_by_role("button", name="Turn on reminders").click()
        expect(page.get_by_role("status")).to_contain_text("Reminders are on for this device.")
        assert has_the_phone(riley_token, shared["endpoint"])

        page.get_by_role("button", name="Sign out", exact=True).click()

        expect(page.get_by_role("button", name="Sign in")).to_be_visible()
        assert not has_the_phone(riley_token, shared["endpoint"])
        assert has_the_phone(sam_token, shared["endpoint"])


def test_settings_explain_the_home_screen_when_an_iphone_browser_cannot_do_push(
    browser: Browser, playwright: Playwright, app_server: RunningApp
) -> None:
    # Safari on iOS has no PushManager outside a Home Screen app.
    iphone = browser.new_context(**playwright.devices["iPhone 13"], base_url=app_server.url)
    try:
        iphone.add_init_script("delete window.PushManager;")
        page = iphone.new_page()
        sign_in(page)
        expect(page.get_by_role("heading", name="Today", exact=True)).to_be_visible()
        page.get_by_role("link", name="Settings").click()

        expect(page.get_by_role("note")).to_contain_text("Add to Home Screen")
        expect(page.get_by_role("button", name="Turn on reminders")).to_be_disabled()
    finally:
        iphone.close()
