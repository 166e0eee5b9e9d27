"""A burst of reps against one API process over loopback: no convoy, shed load, quick recovery.

100 simulated reps start at once (more than the 40 threads FastAPI runs
synchronous code on), each searching, opening a card and logging a note
through /api/v1/sync, and honouring `503` + `Retry-After` as the phone's
outbox does. Before the admission limit the process sat idle while every
pooled connection was held by a request that waited for a thread held by a
request that waited for a connection (fastapi/fastapi#3205): requests hung
for the 30 s pool timeout.
"""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func
from sqlmodel import select

from crm_pwa import clock
from crm_pwa.api.app import create_api
from crm_pwa.db.interaction import Interaction
from tests.conftest import Database
from tests.utils.factories import PASSWORD, make_contact, make_user

REPS = 100
ACCOUNTS = 20
# Below the 30 s a request waited for a pooled connection in the convoy; far above a
# healthy answer even on a machine shared with other work.
PATIENCE_SECONDS = 20.0
MAX_RETRIES = 20


@dataclass
class Tally:
    statuses: Counter[int] = field(default_factory=Counter)
    slowest: float = 0.0
    shed_without_retry_after: int = 0
    errors: Counter[str] = field(default_factory=Counter)
    notes_saved: list[str] = field(default_factory=list)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def api_url(db: Database, tmp_path: Path) -> Iterator[str]:
    """The API served by uvicorn on loopback in its own process: one worker, its thread pool."""
    if db.kind != "sqlite":
        pytest.skip("the burst runs on SQLite, the embedded default; PostgreSQL's pool is the same")
    port = _free_port()
    env = {**os.environ, "RAPPORT_DATABASE_URL": db.url, "RAPPORT_DATA_DIR": str(tmp_path)}
    server = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "--factory", "crm_pwa.api.app:create_api"]
        + ["--host", "127.0.0.1", "--port", str(port), "--log-level", "critical"]
        + ["--lifespan", "off", "--ws", "none"],
        env=env,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        # Importing the app takes seconds on a machine busy with other work.
        deadline = time.monotonic() + 120
        while True:
            assert server.poll() is None, "the API process stopped"
            assert time.monotonic() < deadline, "the API did not start"
            try:
                httpx.get(f"{url}/api/v1/openapi.json", timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.1)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=10)


def _accounts(db: Database) -> list[tuple[str, str]]:
    """(email, contact id) per rep account."""
    accounts = []
    with db.session() as session:
        for number in range(ACCOUNTS):
            rep = make_user(session, f"rep{number}@example.com")
            contact = make_contact(session, rep, f"Dana Reyes {number}", company="Acme")
            accounts.append((rep.email, str(contact.id)))
    return accounts


async def _call(
    client: httpx.AsyncClient, tally: Tally, method: str, path: str, **kwargs: object
) -> httpx.Response:
    """One action, retried after `Retry-After` while the server sheds load."""
    for _ in range(MAX_RETRIES):
        started = time.monotonic()
        try:
            answer = await client.request(method, path, **kwargs)  # type: ignore[arg-type]
        except httpx.HTTPError as error:
            tally.errors[type(error).__name__] += 1
            raise
        tally.slowest = max(tally.slowest, time.monotonic() - started)
        tally.statuses[answer.status_code] += 1
        if answer.status_code != 503:
            return answer
        retry_after = answer.headers.get("retry-after", "")
        if not retry_after.isdigit():
            tally.shed_without_retry_after += 1
            return answer
        await asyncio.sleep(int(retry_after))
    return answer


async def _rep(client: httpx.AsyncClient, tally: Tally, token: str, contact_id: str) -> None:
    headers = {"Authorization": f"Bearer {token}"}
    await _call(client, tally, "GET", "/api/v1/contacts", params={"q": "dan"}, headers=headers)
    await _call(client, tally, "GET", f"/api/v1/contacts/{contact_id}", headers=headers)
    note_id = str(uuid.uuid4())
    note = {
        "id": note_id,
        "contact_id": contact_id,
        "kind": "call",
        "direction": "outbound",
        "occurred_at": (clock.now() - timedelta(minutes=5)).isoformat(),
        "summary": "Called about the quote; they sign next week.",
        "sentiment": "positive",
        "follow_up": None,
    }
    body = {"interactions": [note], "follow_up_updates": []}
    answer = await _call(client, tally, "POST", "/api/v1/sync", json=body, headers=headers)
    if answer.status_code == 200 and answer.json()["results"][0]["status"] == "created":
        tally.notes_saved.append(note_id)


async def _burst(url: str, accounts: list[tuple[str, str]]) -> Tally:
    tally = Tally()
    # Idle connections are dropped well before uvicorn's 5 s keep-alive closes them,
    # so a request never races the server's close.
    limits = httpx.Limits(
        max_connections=REPS + 10, max_keepalive_connections=REPS + 10, keepalive_expiry=1
    )
    async with httpx.AsyncClient(base_url=url, timeout=PATIENCE_SECONDS, limits=limits) as client:
        tokens = {}
        for email, _ in accounts:
            answer = await client.post(
                "/api/v1/auth/token", json={"email": email, "password": PASSWORD}
            )
            assert answer.status_code == 200, answer.text
            tokens[email] = answer.json()["access_token"]
        reps = [
            _rep(client, tally, tokens[email], contact_id)
            for number in range(REPS)
            for email, contact_id in [accounts[number % ACCOUNTS]]
        ]
        await asyncio.gather(*reps, return_exceptions=True)
    return tally


def test_a_burst_of_100_reps_is_served_or_told_to_retry_and_every_note_is_stored_once(
    db: Database, api_url: str
) -> None:
    accounts = _accounts(db)

    tally = asyncio.run(_burst(api_url, accounts))

    assert not tally.errors
    assert tally.slowest < PATIENCE_SECONDS
    assert set(tally.statuses) <= {200, 503}, tally.statuses
    assert tally.shed_without_retry_after == 0
    assert len(tally.notes_saved) == REPS
    with db.session() as session:
        stored = session.exec(select(func.count()).select_from(Interaction)).one()
    assert stored == REPS

    # Once the burst is over a sign-in answers at once, as on an idle server.
    started = time.monotonic()
    email, _ = accounts[0]
    answer = httpx.post(
        f"{api_url}/api/v1/auth/token", json={"email": email, "password": PASSWORD}, timeout=5
    )
    assert answer.status_code == 200
    assert time.monotonic() - started < 2.0


def test_a_note_waiting_too_long_for_the_write_lock_is_told_to_retry_and_nothing_is_half_written(
    db: Database,
) -> None:
    if db.kind != "sqlite":
        pytest.skip("SQLite's write lock")
    email, contact_id = _accounts(db)[0]
    note = {
        "id": str(uuid.uuid4()),
        "contact_id": contact_id,
        "kind": "call",
        "direction": "outbound",
        "occurred_at": (clock.now() - timedelta(minutes=5)).isoformat(),
        "summary": "Called about the quote.",
        "sentiment": "neutral",
        "follow_up": None,
    }
    with TestClient(create_api()) as client:
        answer = client.post("/api/v1/auth/token", json={"email": email, "password": PASSWORD})
        headers = {"Authorization": f"Bearer {answer.json()['access_token']}"}
        # Another process (the CLI, a second worker) holds the write lock past the busy timeout.
        with db.engine.connect() as other:
            other.exec_driver_sql("BEGIN IMMEDIATE")
            busy = client.post(
                "/api/v1/sync",
                json={"interactions": [note], "follow_up_updates": []},
                headers=headers,
            )
            other.rollback()
        retried = client.post(
            "/api/v1/sync", json={"interactions": [note], "follow_up_updates": []}, headers=headers
        )

    assert busy.status_code == 503
    assert busy.headers["retry-after"] == "1"
    assert retried.json()["results"][0]["status"] == "created"
    with db.session() as session:
        assert session.exec(select(func.count()).select_from(Interaction)).one() == 1
