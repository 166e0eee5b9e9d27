"""The locust users of bench/load.py: reps on phones and managers, over the JSON API.

A rep signs in, then searches, opens a card and its timeline, and logs a note
through POST /api/v1/sync, 1-3 s apart. A manager signs in and opens Team. A
`503` is counted as "shed" and honoured as the phone's outbox does: the rep
waits `Retry-After` and keeps the unsent note for the next try, with the same
id, so the server must store it exactly once. The ids the server acknowledged
are written to $RAPPORT_LOAD_REPORT when the run stops, for the driver to check
against the database.

Run by bench/load.py; not meant to be started by hand.
"""

from __future__ import annotations

import json
import os
import random
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import gevent
from locust import HttpUser, between, events, task
from locust.clients import ResponseContextManager

ACCOUNTS = json.loads(Path(os.environ["RAPPORT_LOAD_ACCOUNTS"]).read_text())
PASSWORD = ACCOUNTS["password"]
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


class _Phone(HttpUser):
    abstract = True
    token = ""

    def _call(self, method: str, path: str, name: str, **kwargs: Any) -> Any:
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        with self.client.request(
            method,
            path,
            name=name,
            headers=headers,
            timeout=TIMEOUT_SECONDS,
            catch_response=True,
            **kwargs,
        ) as response:
            wait = _judge(response)
            body = response.json() if response.status_code == 200 else None
        if wait:
            gevent.sleep(wait)
        return body

    def _sign_in(self, email: str) -> None:
        while not self.token:
            answer = self._call(
                "POST", "/api/v1/auth/token", "sign in", json={"email": email, "password": PASSWORD}
            )
            if answer:
                self.token = answer["access_token"]


class Rep(_Phone):
    wait_time = between(1, 3)

    def on_start(self) -> None:
        account = ACCOUNTS["reps"][next(_next_rep) % len(ACCOUNTS["reps"])]
        self.contacts: list[dict[str, str]] = account["contacts"]
        self.outbox: list[dict[str, Any]] = []
        self._sign_in(account["email"])

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
        self.outbox.append(
            {
                "id": str(uuid.uuid4()),
                "contact_id": random.choice(self.contacts)["id"],
                "kind": random.choice(["meeting", "call", "visit"]),
                "direction": "outbound",
                "occurred_at": (datetime.now(UTC) - timedelta(minutes=10)).isoformat(),
                "summary": "Walked the site with the facilities lead; revised quote by Friday.",
                "sentiment": random.choice(["positive", "neutral", "negative"]),
                "follow_up": None,
            }
        )
        body = {"interactions": self.outbox, "follow_up_updates": []}
        answer = self._call("POST", "/api/v1/sync", "sync note", json=body)
        if answer:
            ACKNOWLEDGED.extend(
                result["id"]
                for result in answer["results"]
                if result["status"] in ("created", "duplicate")
            )
            self.outbox = []


class Manager(_Phone):
    # A handful of managers whatever the number of reps: the driver adds them to -u.
    fixed_count = 5
    wait_time = between(5, 10)

    def on_start(self) -> None:
        managers = ACCOUNTS["managers"]
        self._sign_in(managers[next(_next_manager) % len(managers)])

    @task
    def open_team(self) -> None:
        self._call("GET", "/api/v1/health/team", "team")


@events.quitting.add_listener
def _write_report(**_kwargs: Any) -> None:
    Path(os.environ["RAPPORT_LOAD_REPORT"]).write_text(json.dumps(sorted(set(ACKNOWLEDGED))))
