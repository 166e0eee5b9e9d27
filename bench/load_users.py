"""The locust users of bench/load.py: reps on phones and managers.

Half the reps use the JSON API as the offline book does: they search, open a
card and its timeline, and log a note through POST /api/v1/sync, 1-3 s apart.
The other half have the app open on a contact's card, on Reflex's websocket
(`UiRep`): they search, open other cards and log notes as the app's pages do.
A manager opens Team.

Phones keep their token for weeks (30 days from sign-in, docs/sign-in.md), so
a rep coming online starts with the token it already has; a share of them
(`RAPPORT_LOAD_SIGN_IN_SHARE`: a new phone, a token that ran out) signs in
first. A `503` is counted as "shed" and honoured as the app does: a sign-in
refused with "Try again in a few seconds" is tried again by a person, after
`Retry-After` and a pause of their own (jitter, so refused reps do not come
back in step); the outbox waits `Retry-After` and keeps the unsent note for
the next try, with the same id, so the server must store it exactly once. The
ids the server acknowledged are written to $RAPPORT_LOAD_REPORT when the run
stops, for the driver to check against the database.

Run by bench/load.py; not meant to be started by hand.
"""

from __future__ import annotations

import json
import os
import random
import time
import uuid
from contextlib import suppress
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import gevent
import socketio
from gevent.event import Event
from locust import FastHttpUser, between, events, task
from locust.clients import ResponseContextManager

ACCOUNTS = json.loads(Path(os.environ["RAPPORT_LOAD_ACCOUNTS"]).read_text())
PASSWORD = ACCOUNTS["password"]
SIGN_IN_SHARE = float(os.environ.get("RAPPORT_LOAD_SIGN_IN_SHARE", "0.1"))
# A phone gives up on an answer after 10 s; without a timeout locust waits forever.
TIMEOUT_SECONDS = 10
ACKNOWLEDGED: list[str] = []
_next_rep = iter(range(10**9))
_next_manager = iter(range(10**9))


def _judge(response: ResponseContextManager) -> float:
    """Marks the answer; returns how long the server asked us to wait (0 when served)."""
    if response.status_code == 503:
        response.failure("shed: 503")
        return float(response.headers.get("retry-after", "1"))
    if response.status_code == 0:
        response.failure(f"no answer: {response.error}")
    elif response.status_code >= 400:
        response.failure(f"{response.status_code}: {response.text[:80]}")
    else:
        response.success()
    return 0.0


class _Phone(FastHttpUser):
    # geventhttpclient rather than requests: the load runs on the server's own two
    # cores, and every CPU second the simulated phones spend is one the server lacks.
    abstract = True
    connection_timeout = TIMEOUT_SECONDS
    network_timeout = TIMEOUT_SECONDS
    token = ""

    def _call(self, method: str, path: str, name: str, jitter: bool = False, **kwargs: Any) -> Any:
        """The answer's JSON when served; after a 503, waits as told (plus a person's pause)."""
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        with self.client.request(
            method,
            path,
            name=name,
            headers=headers,
            catch_response=True,
            **kwargs,
        ) as response:
            wait = _judge(response)
            body = response.json() if response.status_code == 200 else None
        if wait:
            gevent.sleep(wait + (random.uniform(0, 2 * wait) if jitter else 0))
        return body

    def _come_online(self, account: dict[str, Any]) -> None:
        """The phone's kept token, or (for a share of the phones) a sign-in."""
        if random.random() >= SIGN_IN_SHARE:
            self.token = account["token"]
            return
        while not self.token:
            # The sign-in page shows "Try again in a few seconds"; a person presses again.
            answer = self._call(
                "POST",
                "/api/v1/auth/token",
                "sign in",
                jitter=True,
                json={"email": account["email"], "password": PASSWORD},
            )
            if answer:
                self.token = answer["access_token"]


class _Rep(_Phone):
    abstract = True
    wait_time = between(1, 3)

    def on_start(self) -> None:
        account = ACCOUNTS["reps"][next(_next_rep) % len(ACCOUNTS["reps"])]
        self.contacts: list[dict[str, str]] = account["contacts"]
        self.outbox: list[dict[str, Any]] = []
        self._come_online(account)

    def _new_note(self, contact_id: str) -> dict[str, Any]:
        note_id = str(uuid.uuid4())
        return {
            "id": note_id,
            "contact_id": contact_id,
            "kind": random.choice(["meeting", "call", "visit"]),
            "direction": "outbound",
            "occurred_at": (datetime.now(UTC) - timedelta(minutes=10)).isoformat(),
            # The id's head makes the note findable in the card the server sends back.
            "summary": f"Walked the site with the facilities lead; revised quote by Friday "
            f"({note_id[:8]}).",
            "sentiment": random.choice(["positive", "neutral", "negative"]),
            "follow_up": None,
        }

    def _flush_outbox(self) -> bool:
        """POST /api/v1/sync with everything unsent; True when the server answered for it."""
        body = {"interactions": self.outbox, "follow_up_updates": []}
        answer = self._call("POST", "/api/v1/sync", "sync note", json=body)
        if not answer:
            return False
        ACKNOWLEDGED.extend(
            result["id"]
            for result in answer["results"]
            if result["status"] in ("created", "duplicate")
        )
        self.outbox = []
        return True


class Rep(_Rep):
    """A rep on the JSON API, as the offline book uses it."""

    @task(3)
    def search(self) -> None:
        contact = random.choice(self.contacts)
        query = contact["name"].split()[random.randrange(2)][:4]
        self._call("GET", "/api/v1/contacts", "search", params={"q": query})

    @task(2)
    def open_card(self) -> None:
        contact_id = random.choice(self.contacts)["id"]
        self._call("GET", f"/api/v1/contacts/{contact_id}", "card")
        self._call("GET", f"/api/v1/contacts/{contact_id}/timeline", "timeline")

    @task(1)
    def log_note(self) -> None:
        self.outbox.append(self._new_note(random.choice(self.contacts)["id"]))
        self._flush_outbox()


class UiRep(_Rep):
    """A rep with the app open on a contact's card, speaking Reflex's websocket protocol.

    What the page does, as the browser would (reflex's web/utils/state.js):
    connect to /_event with a tab token and the hydrate event in the CONNECT
    packet, the sign-in token in the synced localStorage var; page changes send
    `on_load_internal` with the new route. Logging a note is what the note
    sheet does (crm_pwa/components/note_sheet.py): the note goes into the
    browser's outbox, which sends it to /api/v1/sync, then the outbox script
    presses the card's reload (`ContactState.reload`) and the card is re-read
    over the websocket. No websocket event writes a note in Rapport: the sheet
    saves through the outbox so that it works offline. "log note (websocket)"
    is timed from the save to the card showing the note.
    """

    def on_start(self) -> None:
        self.sio: socketio.Client | None = None
        super().on_start()
        self.contact = random.choice(self.contacts)
        self.updates: list[dict[str, Any]] = []
        self.arrived = Event()
        self._open_page()

    def on_stop(self) -> None:
        if self.sio is not None:
            self.sio.disconnect()

    def _router(self, contact_id: str) -> dict[str, Any]:
        path = f"/contacts/{contact_id}"
        return {"pathname": path, "asPath": path, "query": {"contact_id": contact_id}}

    def _event(self, name: str, payload: dict[str, Any] | None = None) -> dict[str, Any]:
        return {
            "name": name,
            "payload": payload or {},
            "handler": None,
            "router_data": self._router(self.contact["id"]),
        }

    def _on_update(self, update: dict[str, Any]) -> None:
        self.updates.append(update)
        self.arrived.set()

    def _wait_for(self, name: str, started: float, shows: Any) -> bool:
        """Waits for an update `shows` accepts; reports the time since `started` to locust."""
        deadline = started + TIMEOUT_SECONDS
        error: Exception | None = None
        while not any(shows(update) for update in self.updates):
            if any(_refused(update) for update in self.updates):
                error = Exception("shed: busy")
                break
            left = deadline - time.monotonic()
            if left <= 0 or self.sio is None or not self.sio.connected:
                error = Exception("the page's websocket gave no answer")
                break
            self.arrived.clear()
            self.arrived.wait(min(left, 0.5))
        self.environment.events.request.fire(
            request_type="WS",
            name=name,
            response_time=(time.monotonic() - started) * 1000,
            response_length=0,
            exception=error,
            context={},
        )
        return error is None

    def _open_page(self) -> None:
        """Loads the app on the card as a browser tab does (again after the socket dropped)."""
        ui = ACCOUNTS["ui"]
        if self.sio is not None:
            self.sio.disconnect()
        self.sio = socketio.Client(reconnection=False)
        self.sio.on("event", self._on_update, namespace="/_event")
        boot = self._event(ui["hydrate"], {"vars": {ui["token_var"]: self.token}})
        self.updates = []
        started = time.monotonic()
        # A refused connection is reported by _wait_for, as no answer.
        with suppress(socketio.exceptions.ConnectionError):
            self.sio.connect(
                f"{self.host}?token={uuid.uuid4()}",
                socketio_path="/_event",
                namespaces=["/_event"],
                transports=["websocket"],
                auth={"event": boot},
                wait_timeout=TIMEOUT_SECONDS,
            )
        self._wait_for("open app (websocket)", started, _hydrated)

    def _send(self, event: dict[str, Any]) -> bool:
        if self.sio is None or not self.sio.connected:
            # The worker that held the socket went away: the browser reconnects.
            self._open_page()
        if self.sio is None or not self.sio.connected:
            return False
        self.updates = []
        self.sio.emit("event", event, namespace="/_event")
        return True

    @task(3)
    def search(self) -> None:
        """Typing in the Contacts page's search box (one event once the typing pauses)."""
        ui = ACCOUNTS["ui"]
        query = random.choice(self.contacts)["name"].split()[random.randrange(2)][:4]
        event = {
            **self._event(ui["search"], {"text": query}),
            "router_data": {"pathname": "/contacts", "asPath": "/contacts", "query": {}},
        }
        started = time.monotonic()
        if self._send(event):
            self._wait_for(
                "search (websocket)",
                started,
                lambda update: ui["contacts_state"] in update.get("delta", {}),
            )

    @task(2)
    def open_card(self) -> None:
        self.contact = random.choice(self.contacts)
        started = time.monotonic()
        if self._send(self._event(ACCOUNTS["ui"]["on_load"])):
            self._wait_for("card (websocket)", started, _hydrated)

    @task(1)
    def log_note(self) -> None:
        note = self._new_note(self.contact["id"])
        self.outbox.append(note)
        started = time.monotonic()
        if not self._flush_outbox():
            return
        marker = note["id"][:8]
        if self._send(self._event(ACCOUNTS["ui"]["reload"])):
            self._wait_for("log note (websocket)", started, lambda update: marker in str(update))


def _refused(update: dict[str, Any]) -> bool:
    """The server refused the event: the toast with the id crm_pwa/api/event_admission.py
    gives it (this file runs in locust's processes, which do not import the app)."""
    return any("server-busy" in str(event.get("payload", "")) for event in update.get("events", ()))


def _hydrated(update: dict[str, Any]) -> bool:
    """The page's on_load handlers have run: Reflex then marks the state hydrated."""
    return any(
        delta.get("is_hydrated_rx_state_") is True
        for delta in update.get("delta", {}).values()
        if isinstance(delta, dict)
    )


class Manager(_Phone):
    # A handful of managers whatever the number of reps: the driver adds them to -u.
    fixed_count = 5
    wait_time = between(5, 10)

    def on_start(self) -> None:
        managers = ACCOUNTS["managers"]
        self._come_online(managers[next(_next_manager) % len(managers)])

    @task
    def open_team(self) -> None:
        self._call("GET", "/api/v1/health/team", "team")


@events.quitting.add_listener
def _write_report(**_kwargs: Any) -> None:
    Path(os.environ["RAPPORT_LOAD_REPORT"]).write_text(json.dumps(sorted(set(ACKNOWLEDGED))))
