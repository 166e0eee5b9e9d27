"""The browser-side offline code (assets/*.js) in Chromium, against a fake API.

A local HTTP server serves assets/ at the root (as Reflex does), tests/js/ under
/js/, the service worker with its build placeholders filled in, and an in-memory
fake of /api/v1/sync and /api/v1/book that the tests can script (lost answers,
500s, rejected items). The fake answers through the server's own models and
rules (sync items, book cursors and pages), so it refuses what the server
refuses; tests/integration/test_offline_book.py holds the book against the real
server, and tests/e2e/test_offline_card.py the whole journey. tests/js/*.test.js
hold the plain-JS cases; the tests here
add what needs the browser's network switch, the service worker or CDP.
"""

from __future__ import annotations

import json
import re
import struct
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Browser, BrowserContext, CDPSession, Page, Playwright
from pydantic import ValidationError

from crm_pwa.api.follow_ups import FollowUpCreate
from crm_pwa.domain.book import BadBookCursor, BookCursor, decode_cursor, digest, start_pass
from crm_pwa.domain.note_rules import (
    RuleError,
    check_due_on,
    check_occurred_at,
    check_snooze_until,
    earliest_next_step,
    earliest_planned,
)
from crm_pwa.domain.sync import NOTE_CONFLICT, batch_size_error
from crm_pwa.services.follow_ups import FollowUpChange
from crm_pwa.services.note_input import describe_validation_error, read_note, refused_next_step
from crm_pwa.services.offline_book import BAD_CURSOR, DEFAULT_PAGE, BookCard, BookPage
from crm_pwa.services.sync import SyncBatch

ROOT = Path(__file__).resolve().parents[2]
ASSETS = ROOT / "assets"
JS_TESTS = ROOT / "tests" / "js"
# These drive the phone scripts in Chromium: browser tests like tests/e2e.
pytestmark = pytest.mark.e2e
CHROMIUM = Path("/usr/bin/chromium")
LAUNCH_ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
TOKEN = "test-token"
DANA = "0d6f1f5e-6a43-4c2e-9d55-0f1a2b3c4d01"
FU_42 = "5b0c2a9e-1f1d-4b8e-a0c1-00000000f042"
TOKENS = {TOKEN, "other-token"}
PRECACHE = [
    "/",
    "/__spa-fallback.html",
    "/outbox.js",
    "/outbox-sync.js",
    "/contactbook.js",
    "/pwa.js",
    "/manifest.webmanifest",
    "/icons/icon-192.png",
]
CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".webmanifest": "application/manifest+json",
    ".png": "image/png",
}
JS_CASES = [
    name
    for script in ("outbox.test.js", "contactbook.test.js")
    for name in re.findall(r"^test\('(\w+)'", (JS_TESTS / script).read_text(), re.MULTILINE)
]


def _id(item: Any) -> Any:
    return item.get("id") if isinstance(item, dict) else None


def _card(contact: dict[str, Any]) -> BookCard:
    """A contact of the fake book as the server's model has it, blanks for what the test omits."""
    fields: dict[str, Any] = {
        "company": "",
        "title": "",
        "kind": "customer",
        "tier": "medium",
        "rhythm_days": None,
        "effective_rhythm_days": 30,
        "phone": "",
        "phone_digits": "",
        "email": "",
        "address": "",
        "tags": [],
        "connection_notes": "",
        "do_not_contact": False,
        "owner_id": uuid.UUID(int=1),
        "last_interaction_at": None,
        "created_at": contact["updated_at"],
        "open_follow_ups": 0,
        "health": {"score": None, "band": "new", "reasons": []},
        "follow_ups": [],
        "complaints": [],
        "opportunities": [],
        "timeline": [],
    }
    given = {key: value for key, value in contact.items() if value is not None}
    health = {**fields["health"], **given.pop("health", {})}
    return BookCard.model_validate({**fields, **given, "health": health})


def _rejected(item: Any, error: str) -> dict[str, Any]:
    return {"id": _id(item), "status": "rejected", "error": error}


class FakeRapport:
    """In-memory stand-in for the parts of the API the browser code calls."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        self.build_id = "build-1"
        self.notes: dict[str, dict[str, Any]] = {}
        self.follow_ups: dict[str, dict[str, Any]] = {}
        self.received: Counter[str] = Counter()
        self.sync_requests = 0
        self.sync_bodies: list[dict[str, list[str]]] = []
        self.script: list[str] = []
        self.rejected_contacts: set[str] = set()
        self.poisoned: dict[str, int] = {}
        self.added_follow_ups: list[dict[str, Any]] = []
        self.books: dict[str, dict[str, dict[str, Any]]] = {token: {} for token in TOKENS}
        self.clock = datetime(2026, 5, 1, 8, tzinfo=UTC)
        self.page_cap = 100
        self.contact_queries: list[dict[str, str | None]] = []
        self.erased: list[tuple[str, datetime]] = []

    def sync(self, body: Any) -> tuple[int, dict[str, Any] | None, dict[str, str]]:
        """Answers POST /sync as the real route does; None as the answer drops the connection.

        Every item goes through the API's own pydantic models and date rules, so
        the fake refuses what the server refuses. Scripted failures (a 5xx for a
        whole batch, a lost answer) and poisoned ids stand in for server faults.
        """
        self.sync_requests += 1
        action = self.script.pop(0) if self.script else "answer"
        if action.startswith("http-5"):
            headers = {"Retry-After": "1"} if action == "http-503" else {}
            return int(action[5:]), {"detail": "scripted failure"}, headers
        try:
            batch = SyncBatch.model_validate(body)
        except ValidationError as error:
            return 422, {"detail": error.errors(include_url=False)}, {}
        too_large = batch_size_error(len(batch.interactions) + len(batch.follow_up_updates))
        if too_large:
            return 413, {"detail": too_large}, {}
        items = [*batch.interactions, *batch.follow_up_updates]
        ids = [item.get("id") for item in items if isinstance(item, dict)]
        self.sync_bodies.append(
            {
                "interactions": [_id(item) for item in batch.interactions],
                "follow_up_updates": [_id(item) for item in batch.follow_up_updates],
            }
        )
        poisoned = [self.poisoned[i] for i in ids if i in self.poisoned]
        if poisoned:
            # The whole batch fails, as the server did for a date it could not store.
            return poisoned[0], {"detail": "poisoned item in the batch"}, {}
        results = [self._store_note(item) for item in batch.interactions]
        results += [self._store_follow_up_update(item) for item in batch.follow_up_updates]
        return 200, (None if action == "lost-ack" else {"results": results}), {}

    def _store_note(self, item: Any) -> dict[str, Any]:
        """A note judged as store_notes judges it, for a rep in UTC who sees every contact."""
        try:
            read = read_note(item) if isinstance(item, dict) else None
            if read is None:
                return _rejected(item, "Each interaction must be a JSON object.")
            note = read.note
            check_occurred_at(note.occurred_at, datetime.now(UTC))
        except ValidationError as error:
            return _rejected(item, describe_validation_error(error))
        except RuleError as error:
            return _rejected(item, error.message)
        note_id = str(note.id)
        self.received[note_id] += 1
        if str(note.contact_id) in self.rejected_contacts:
            return _rejected(item, "unknown contact")
        refused = read.refused_follow_up
        if refused is None and note.follow_up is not None:
            earliest = earliest_next_step(note.occurred_at, note.occurred_at.astimezone(UTC).date())
            try:
                check_due_on(note.follow_up.due_on, earliest=earliest, today=self.today())
            except RuleError as error:
                refused = refused_next_step(str(note.follow_up.id), error.message)
        stored = self.notes.get(note_id)
        content = note.model_dump(mode="json", exclude={"id", "follow_up"})
        if stored is not None and stored["content"] != content:
            return {"id": note_id, "status": "conflict", "error": NOTE_CONFLICT}
        result: dict[str, Any] = {
            "id": note_id,
            "status": "created" if stored is None else "duplicate",
            "error": None,
        }
        if stored is None:
            self.notes[note_id] = {**item, "content": content}
        if refused is not None:
            # The note is kept; only its next step is refused (API.md's sync contract).
            result["follow_up"] = {"id": refused.id, "status": "rejected", "error": refused.error}
        return result

    def _store_follow_up_update(self, item: Any) -> dict[str, Any]:
        try:
            change = FollowUpChange.model_validate(item)
            if change.status == "snoozed":
                check_snooze_until(change.snooze_until, today=change.changed_at.date())
        except ValidationError as error:
            return _rejected(item, describe_validation_error(error))
        except RuleError as error:
            return _rejected(item, error.message)
        self.received[str(change.id)] += 1
        stored = self.follow_ups.get(str(change.id))
        if stored is None or stored["changed_at"] < item["changed_at"]:
            self.follow_ups[str(change.id)] = item
        return {"id": str(change.id), "status": "updated", "error": None}

    def add_follow_up(self, contact_id: str, body: Any) -> tuple[int, dict[str, Any]]:
        """POST /contacts/{id}/follow-ups: a next step planned on its own."""
        try:
            uuid.UUID(contact_id)
            follow_up = FollowUpCreate.model_validate(body)
            today = self.today()
            check_due_on(follow_up.due_on, earliest=earliest_planned(today), today=today)
        except ValueError as error:
            message = (
                describe_validation_error(error)
                if isinstance(error, ValidationError)
                else str(error)
            )
            return 422, {"detail": message}
        except RuleError as error:
            return 422, {"detail": error.message}
        self.added_follow_ups.append({"contact_id": contact_id, **body})
        return 201, {"contact_id": contact_id, **body}

    def today(self) -> date:
        return datetime.now(UTC).date()

    def change_contacts(self, change: dict[str, Any]) -> None:
        book = self.books[change.get("owner", TOKEN)]
        self.page_cap = change.get("page_cap", self.page_cap)
        for contact in change.get("upsert", []):
            # A minute a change: the server resends what changed in the 30 s before a pass.
            self.clock += timedelta(minutes=1)
            book[contact["id"]] = {**contact, "updated_at": self.clock.isoformat()}
        for contact_id in change.get("delete", []):
            self.clock += timedelta(minutes=1)
            book.pop(contact_id, None)
            self.erased.append((contact_id, self.clock))
        for contact_id in change.get("hand_over", []):
            # To someone else, as a manager's reassignment would: it just leaves the book.
            book.pop(contact_id, None)

    def book_page(self, token: str, query: dict[str, str]) -> tuple[int, dict[str, Any]]:
        """GET /book as the server pages it, with its own cursor code and response model."""
        cursor = query.get("cursor")
        self.clock += timedelta(minutes=1)
        self.contact_queries.append({"cursor": cursor})
        try:
            at = start_pass(decode_cursor(cursor) if cursor else None, self.clock)
        except BadBookCursor:
            return 422, {"detail": BAD_CURSOR}
        limit = min(int(query.get("limit", DEFAULT_PAGE)), self.page_cap)
        book = self.books[token]
        changed = sorted(
            contact_id
            for contact_id, c in book.items()
            if (at.since is None or datetime.fromisoformat(c["updated_at"]) >= at.since)
            and (at.after is None or uuid.UUID(contact_id) > at.after)
        )[:limit]
        more = len(changed) == limit
        removed = [
            contact_id
            for contact_id, when in self.erased
            if at.since is not None and at.after is None and when >= at.since
        ]
        following = BookCursor(at.since, uuid.UUID(changed[-1]), at.started) if more else None
        page = BookPage(
            items=[_card(book[contact_id]) for contact_id in changed],
            removed=[uuid.UUID(contact_id) for contact_id in removed],
            next_cursor=(following or at.next_pass()).encode(),
            more=more,
            as_of=at.started,
            time_zone="Pacific/Auckland",
            digest=None if more else digest(uuid.UUID(contact_id).int for contact_id in book),
        )
        return 200, page.model_dump(mode="json")

    def snapshot(self) -> dict[str, Any]:
        return {
            "notes": self.notes,
            "follow_ups": self.follow_ups,
            "added_follow_ups": self.added_follow_ups,
            "received": dict(self.received),
            "sync_requests": self.sync_requests,
            "sync_bodies": self.sync_bodies,
            "contact_queries": self.contact_queries,
            "contact_updated_at": {
                c["id"]: c["updated_at"] for book in self.books.values() for c in book.values()
            },
        }


def make_handler(fake: FakeRapport) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

        def _send(self, status: int, body: bytes, content_type: str, **headers: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            for name, value in headers.items():
                self.send_header(name.replace("_", "-"), value)
            self.end_headers()
            self.wfile.write(body)

        def _json(self, status: int, payload: Any, **headers: str) -> None:
            self._send(status, json.dumps(payload).encode(), "application/json", **headers)

        def _token(self) -> str | None:
            token = self.headers.get("Authorization", "").removeprefix("Bearer ")
            return token if token in TOKENS else None

        def _body(self) -> Any:
            return json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")

        def _app_page(self, page: str) -> None:
            html = (JS_TESTS / "app.html").read_text()
            html = html.replace("__PAGE__", page).replace("__BUILD_ID__", fake.build_id)
            self._send(200, html.encode(), CONTENT_TYPES[".html"], Cache_Control="no-cache")

        def do_GET(self) -> None:
            url = urlsplit(self.path)
            query = {k: v[0] for k, v in parse_qs(url.query).items()}
            with fake.lock:
                if url.path.startswith("/api/v1/"):
                    token = self._token()
                    if token is None:
                        self._json(401, {"detail": "not signed in"})
                    elif url.path == "/api/v1/book":
                        self._json(*fake.book_page(token, query))
                    elif url.path == "/api/v1/contacts/ids":
                        self._json(200, {"ids": list(fake.books[token])})
                    else:
                        self._json(404, {"detail": "not found"})
                    return
                if url.path == "/_fake/state":
                    self._json(200, fake.snapshot())
                    return
                build_id = fake.build_id
            if url.path == "/sw.js":
                script = (ASSETS / "sw.js").read_text()
                script = script.replace("__BUILD_ID__", build_id)
                script = script.replace("__PRECACHE__", json.dumps(PRECACHE))
                self._send(200, script.encode(), CONTENT_TYPES[".js"], Cache_Control="no-cache")
                return
            if url.path == "/":
                self._app_page("index")
                return
            base, name = (
                (JS_TESTS, url.path[4:]) if url.path.startswith("/js/") else (ASSETS, url.path)
            )
            file = (base / name.lstrip("/")).resolve()
            if file.is_file() and file.is_relative_to(base):
                self._send(200, file.read_bytes(), CONTENT_TYPES.get(file.suffix, "text/plain"))
            elif "text/html" in self.headers.get("Accept", "") or url.path.endswith(".html"):
                # Like the Reflex build: routes without a prerendered file get the SPA fallback.
                self._app_page("spa-fallback")
            else:
                self._send(404, b"not found", "text/plain")

        def do_POST(self) -> None:
            path = urlsplit(self.path).path
            body = self._body()
            with fake.lock:
                if path == "/api/v1/sync":
                    if self._token() is None:
                        self._json(401, {"detail": "not signed in"})
                        return
                    status, answer, headers = fake.sync(body)
                    if answer is None:
                        # The batch is stored, but the phone never hears back.
                        self.close_connection = True
                        return
                    self._json(status, answer, **headers)
                    return
                follow_up_route = re.fullmatch(r"/api/v1/contacts/([^/]+)/follow-ups", path)
                if follow_up_route:
                    if self._token() is None:
                        self._json(401, {"detail": "not signed in"})
                        return
                    self._json(*fake.add_follow_up(follow_up_route[1], body))
                    return
                controls: dict[str, Callable[[], None]] = {
                    "/_fake/reset": fake.reset,
                    "/_fake/script": lambda: fake.script.extend(body["actions"]),
                    "/_fake/reject-contacts": lambda: fake.rejected_contacts.update(body["ids"]),
                    "/_fake/contacts": lambda: fake.change_contacts(body),
                    "/_fake/poison": lambda: fake.poisoned.update(body["ids"]),
                }
                if path not in controls:
                    self._send(404, b"not found", "text/plain")
                    return
                controls[path]()
                self._json(200, {})

    return Handler


@pytest.fixture(scope="module")
def server() -> Iterator[tuple[str, FakeRapport]]:
    fake = FakeRapport()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), make_handler(fake))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}", fake
    httpd.shutdown()
    httpd.server_close()
    thread.join()


@pytest.fixture
def origin(server: tuple[str, FakeRapport]) -> str:
    return server[0]


@pytest.fixture
def fake(server: tuple[str, FakeRapport]) -> FakeRapport:
    with server[1].lock:
        server[1].reset()
    return server[1]


def launch_options() -> dict[str, Any]:
    options: dict[str, Any] = {"args": LAUNCH_ARGS, "headless": True}
    if CHROMIUM.exists():
        options["executable_path"] = str(CHROMIUM)
    return options


@pytest.fixture(scope="module")
def chromium(playwright: Playwright) -> Iterator[Browser]:
    browser = playwright.chromium.launch(**launch_options())
    yield browser
    browser.close()


SIGN_IN = f"try {{ localStorage.setItem('rapport_token', '\"{TOKEN}\"'); }} catch (_) {{}}"


@pytest.fixture
def context(chromium: Browser, origin: str) -> Iterator[BrowserContext]:
    ctx = chromium.new_context(base_url=origin)
    ctx.add_init_script(SIGN_IN)
    yield ctx
    ctx.close()


def open_app(context: BrowserContext) -> Page:
    """Opens the app shell and waits until the service worker controls it."""
    page = context.new_page()
    page.goto("/")
    page.evaluate("window.swReady.then(() => true)")
    page.wait_for_function("navigator.serviceWorker.controller !== null")
    page.wait_for_function("document.documentElement.dataset.outboxWaiting === '0'")
    return page


def registration_id(context: BrowserContext, page: Page, origin: str) -> tuple[CDPSession, str]:
    cdp = context.new_cdp_session(page)
    registrations: dict[str, str] = {}
    cdp.on(
        "ServiceWorker.workerRegistrationUpdated",
        lambda event: registrations.update(
            {r["scopeURL"]: r["registrationId"] for r in event["registrations"]}
        ),
    )
    cdp.send("ServiceWorker.enable")
    wait_until(page, lambda: origin + "/" in registrations, "the service worker registration")
    return cdp, registrations[origin + "/"]


def poll(page: Page, expression: str, accept: Callable[[Any], bool]) -> Any:
    """Evaluates expression in the page until accept(value); returns that value."""
    value = page.evaluate(expression)
    for _ in range(100):
        if accept(value):
            return value
        page.wait_for_timeout(50)
        value = page.evaluate(expression)
    raise AssertionError(f"{expression} never gave an accepted value; last: {value!r}")


def deliver_push(
    page: Page, cdp: CDPSession, origin: str, registration: str, payload: dict[str, Any]
) -> Any:
    """Hands a push message to the service worker; returns the notifications shown."""
    message = {"origin": origin, "registrationId": registration, "data": json.dumps(payload)}
    # On a loaded machine Chromium rarely drops a CDP push (about 1 in 20 runs); the
    # payload has a tag, so a second delivery replaces rather than adds a notification.
    for _ in range(3):
        cdp.send("ServiceWorker.deliverPushMessage", message)
        for _ in range(60):
            shown = page.evaluate(NOTIFICATIONS_JS)
            if shown:
                return shown
            page.wait_for_timeout(50)
    raise AssertionError("the service worker showed no notification")


def wait_until(page: Page, condition: Callable[[], bool], what: str, timeout: float = 10.0) -> None:
    # page.wait_for_timeout, not time.sleep: Playwright delivers events only while it runs.
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        page.wait_for_timeout(50)


NOTE = {
    "contact_id": DANA,
    "kind": "meeting",
    "direction": "outbound",
    "sentiment": "positive",
    "summary": "Walked the site with Dana; quote by Friday.",
}
NOTIFICATIONS_JS = """() => new Promise((resolve) => {
  navigator.serviceWorker.addEventListener('message', (event) => {
    if (event.data.type === 'notifications') resolve(event.data.notifications);
  }, {once: true});
  navigator.serviceWorker.controller.postMessage({type: 'get-notifications'});
})"""


@pytest.mark.parametrize("case", JS_CASES)
def test_js_case_passes_when_run_in_chromium(context: BrowserContext, case: str) -> None:
    page = context.new_page()
    page.goto("/js/unit.html")
    assert page.evaluate("name => runCase(name)", case) == "passed"


def test_notes_written_offline_reach_the_server_once_when_back_online(
    context: BrowserContext, fake: FakeRapport
) -> None:
    page = open_app(context)
    assert not page.locator("[data-offline-banner]").is_visible()
    context.set_offline(True)
    page.reload()
    assert page.locator("body").get_attribute("data-page") == "index"
    assert page.locator("[data-offline-banner]").is_visible()

    ids = page.evaluate(
        "note => Promise.all([crmOutbox.enqueueNote(note), crmOutbox.enqueueNote(note)])", NOTE
    )
    page.wait_for_function("document.querySelector('[data-outbox-count]').textContent === '2'")
    with fake.lock:
        assert fake.notes == {}

    context.set_offline(False)
    page.wait_for_function(
        "document.querySelector('[data-outbox-count]').textContent === '0'", timeout=10_000
    )
    with fake.lock:
        assert sorted(fake.notes) == sorted(ids)
        assert {note_id: fake.received[note_id] for note_id in ids} == {i: 1 for i in ids}
    assert not page.locator("[data-offline-banner]").is_visible()


def test_sign_in_and_out_sync_and_empty_the_book_when_the_token_changes(
    context: BrowserContext, fake: FakeRapport
) -> None:
    fake.change_contacts({"upsert": [{"id": DANA, "name": "Dana Reyes", "tags": []}]})
    page = open_app(context)
    poll(page, "crmBook.count()", lambda count: count == 1)

    page.evaluate("localStorage.removeItem('rapport_token')")
    poll(page, "crmBook.count()", lambda count: count == 0)
    note_id = page.evaluate("note => crmOutbox.enqueueNote(note)", NOTE)
    assert page.evaluate("crmOutbox.status()")["waiting"] == 1

    page.evaluate(f"localStorage.setItem('rapport_token', '{TOKEN}')")
    poll(page, "crmOutbox.status()", lambda status: status["waiting"] == 0)
    with fake.lock:
        assert list(fake.notes) == [note_id]
    poll(page, "crmBook.count()", lambda count: count == 1)


def test_service_worker_sends_the_outbox_when_sync_fires_with_the_app_closed(
    context: BrowserContext, fake: FakeRapport, origin: str
) -> None:
    page = open_app(context)
    cdp, registration = registration_id(context, page, origin)
    context.set_offline(True)
    note_id = page.evaluate("note => crmOutbox.enqueueNote(note)", NOTE)
    page.goto("about:blank")
    context.set_offline(False)
    cdp.send(
        "ServiceWorker.dispatchSyncEvent",
        {
            "origin": origin,
            "registrationId": registration,
            "tag": "flush-outbox",
            "lastChance": False,
        },
    )

    def delivered() -> bool:
        with fake.lock:
            return note_id in fake.notes

    wait_until(page, delivered, "the note sent by the service worker")
    with fake.lock:
        assert fake.received[note_id] == 1


def test_caches_follow_the_build_when_a_new_build_is_served(
    context: BrowserContext, fake: FakeRapport
) -> None:
    fake.build_id = "build-a"
    page = open_app(context)
    page.evaluate("""async () => {
      await caches.open('not-ours');
      const img = new Image();
      img.src = '/icons/icon-512.png';
      await img.decode();
    }""")
    keys = page.evaluate("caches.keys()")
    assert sorted(keys) == ["not-ours", "rapport-runtime-build-a", "rapport-shell-build-a"]

    fake.build_id = "build-b"
    page.evaluate("""async () => {
      const changed = new Promise((resolve) =>
        navigator.serviceWorker.addEventListener('controllerchange', resolve, {once: true}));
      await (await navigator.serviceWorker.getRegistration()).update();
      await changed;
    }""")
    # The old caches go inside the activate event, which ends before 'activated'.
    page.wait_for_function("navigator.serviceWorker.controller.state === 'activated'")
    keys = page.evaluate("caches.keys()")
    assert "rapport-shell-build-b" in keys
    assert "not-ours" in keys
    assert [key for key in keys if key.endswith("build-a")] == []
    page.reload()
    assert page.locator("body").get_attribute("data-build") == "build-b"


def test_pages_open_from_the_cache_and_the_api_does_not_when_offline(
    context: BrowserContext,
) -> None:
    page = open_app(context)
    fetch_ids = f"""() => fetch('/api/v1/contacts/ids',
        {{headers: {{Authorization: 'Bearer {TOKEN}'}}}})
      .then((r) => r.status, () => 'failed')"""
    assert page.evaluate(fetch_ids) == 200
    context.set_offline(True)
    page.goto(f"/contacts/{DANA}")
    assert page.locator("body").get_attribute("data-page") == "spa-fallback"
    assert page.evaluate("location.pathname") == f"/contacts/{DANA}"
    page.goto("/")
    assert page.locator("body").get_attribute("data-page") == "index"
    assert page.evaluate(fetch_ids) == "failed"


@pytest.mark.parametrize(("action", "status"), [("done", "done"), ("snooze", "snoozed")])
def test_notification_action_updates_the_follow_up_when_tapped(
    context: BrowserContext, fake: FakeRapport, origin: str, action: str, status: str
) -> None:
    context.grant_permissions(["notifications"], origin=origin)
    page = open_app(context)
    cdp, registration = registration_id(context, page, origin)
    payload = {
        "title": "Call back Dana Reyes",
        "body": "Promised a quote on Tuesday",
        "url": f"/contacts/{DANA}",
        "tag": FU_42,
        "follow_up_id": FU_42,
    }
    assert deliver_push(page, cdp, origin, registration, payload) == [
        {
            "title": "Call back Dana Reyes",
            "body": "Promised a quote on Tuesday",
            "tag": FU_42,
            "data": {"url": f"/contacts/{DANA}", "follow_up_id": FU_42},
        }
    ]

    (worker,) = context.service_workers
    worker.evaluate(
        """async (action) => {
          const [shown] = await self.registration.getNotifications();
          await self.rapportSW.handleNotificationClick(shown, action);
        }""",
        action,
    )
    with fake.lock:
        update = fake.follow_ups[FU_42]
    assert update["status"] == status
    if status == "snoozed":
        # A date, as the API takes it: the phone's tomorrow.
        today = date.fromisoformat(page.evaluate("new Date().toLocaleDateString('en-CA')"))
        assert update["snooze_until"] == (today + timedelta(days=1)).isoformat()
    assert page.evaluate(NOTIFICATIONS_JS) == []


def test_tap_opens_the_contact_when_the_notification_has_no_action(
    context: BrowserContext, origin: str
) -> None:
    context.grant_permissions(["notifications"], origin=origin)
    page = open_app(context)
    (worker,) = context.service_workers
    worker.evaluate("""async () => {
      await self.rapportSW.showPush({title: 'Overdue: Omar', url: '/contacts/c-omar', tag: 'fu-7'});
      const [shown] = await self.registration.getNotifications();
      await self.rapportSW.handleNotificationClick(shown, '');
    }""")
    page.wait_for_url(origin + "/contacts/c-omar")


def png_size(path: Path) -> tuple[int, int]:
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n", f"{path.name} is not a PNG"
    width, height = struct.unpack(">II", header[16:24])
    return width, height


def test_icons_have_the_declared_sizes_when_listed_in_the_manifest() -> None:
    manifest = json.loads((ASSETS / "manifest.webmanifest").read_text())
    purposes = set()
    for icon in manifest["icons"]:
        width, height = png_size(ASSETS / icon["src"].lstrip("/"))
        assert icon["sizes"] == f"{width}x{height}"
        purposes.add((icon["purpose"], icon["sizes"]))
    assert {("any", "192x192"), ("any", "512x512"), ("maskable", "512x512")} <= purposes
    assert png_size(ASSETS / "apple-touch-icon.png") == (180, 180)


def test_app_is_installable_when_opened_in_a_persistent_profile(
    playwright: Playwright, origin: str, tmp_path: Path
) -> None:
    ctx = playwright.chromium.launch_persistent_context(str(tmp_path), **launch_options())
    try:
        page = ctx.new_page()
        page.goto(origin + "/")
        cdp = ctx.new_cdp_session(page)
        assert cdp.send("Page.getInstallabilityErrors")["installabilityErrors"] == []
        manifest = cdp.send("Page.getAppManifest")
        assert manifest["errors"] == []
        assert json.loads(manifest["data"])["display"] == "standalone"
    finally:
        ctx.close()
