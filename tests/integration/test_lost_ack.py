"""The answer to a flush is lost after the server stored it: the phone sends again.

The real API runs under uvicorn on 127.0.0.1, behind a small TCP proxy that
plays a dying mobile connection: it forwards the request, waits for the whole
answer (so the server has committed), then hangs up on the phone instead of
relaying it. The phone sees a connection error and retries, as its outbox does.
"""

from __future__ import annotations

import socket
import threading
import time
import uuid
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi.testclient import TestClient
from sqlalchemy import func
from sqlmodel import Session, select

from crm_pwa import clock
from crm_pwa.api.app import create_api
from crm_pwa.db.interaction import FollowUp, Interaction
from crm_pwa.domain.days import local_day
from tests.conftest import Database
from tests.utils.factories import bearer, make_contact, make_user

REP = "riley@example.com"


def _read_message(sock: socket.socket) -> bytes:
    """One HTTP/1.1 message with a Content-Length body, read to its last byte."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            return data
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    while len(body) < length:
        chunk = sock.recv(65536)
        if not chunk:
            break
        body += chunk
    return head + b"\r\n\r\n" + body


class DroppingProxy:
    """Forwards one request per connection; swallows the first `drop` answers."""

    def __init__(self, upstream: tuple[str, int], drop: int) -> None:
        self.upstream = upstream
        self.drop = drop
        self.swallowed: list[bytes] = []
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.address = self.listener.getsockname()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while True:
            try:
                phone, _ = self.listener.accept()
            except OSError:
                return
            with phone, socket.create_connection(self.upstream) as server:
                server.sendall(_read_message(phone))
                answer = _read_message(server)
                if len(self.swallowed) < self.drop:
                    self.swallowed.append(answer)
                    continue  # hang up on the phone: the answer never reaches it
                phone.sendall(answer)

    def close(self) -> None:
        self.listener.close()
        self.thread.join(timeout=5)


@pytest.fixture
def api_server(db: Database) -> Iterator[tuple[str, int]]:
    listener = socket.create_server(("127.0.0.1", 0))
    config = uvicorn.Config(
        create_api(), lifespan="off", ws="none", http="h11", log_level="warning"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.02)
    host, port = listener.getsockname()[:2]
    yield host, port
    server.should_exit = True
    thread.join(timeout=10)
    listener.close()


def _counts(db: Database) -> tuple[int, int]:
    with db.session() as session:
        notes = session.exec(select(func.count()).select_from(Interaction)).one()
        follow_ups = session.exec(select(func.count()).select_from(FollowUp)).one()
    return notes, follow_ups


def _notes(contact_id: uuid.UUID, count: int) -> list[dict[str, Any]]:
    occurred = (clock.now() - timedelta(minutes=30)).isoformat()
    due = (local_day(clock.now(), "UTC") + timedelta(days=2)).isoformat()
    return [
        {
            "id": str(uuid.uuid4()),
            "contact_id": str(contact_id),
            "kind": "visit",
            "direction": "outbound",
            "occurred_at": occurred,
            "summary": f"Basement car park note {n}",
            "sentiment": "neutral",
            "follow_up": (
                {"id": str(uuid.uuid4()), "due_on": due, "title": "Send the plan"}
                if n % 2 == 0
                else None
            ),
        }
        for n in range(count)
    ]


def test_each_note_is_held_once_when_the_answer_is_lost_and_the_phone_sends_again(
    api_server: tuple[str, int], client: TestClient, session: Session, db: Database
) -> None:
    rep = make_user(session, REP)
    contact = make_contact(session, rep, "Dana Reyes")
    headers = bearer(client, REP)
    payload = {"interactions": _notes(contact.id, 5), "follow_up_updates": []}
    proxy = DroppingProxy(api_server, drop=1)
    try:
        with httpx.Client(base_url=f"http://{proxy.address[0]}:{proxy.address[1]}") as phone:
            with pytest.raises(httpx.TransportError):
                phone.post("/api/v1/sync", json=payload, headers=headers, timeout=30)

            assert b'"created"' in proxy.swallowed[0]
            assert _counts(db) == (5, 3), "the server committed before it answered"

            retry = phone.post("/api/v1/sync", json=payload, headers=headers, timeout=30)
    finally:
        proxy.close()

    assert retry.status_code == 200
    assert [r["status"] for r in retry.json()["results"]] == ["duplicate"] * 5
    assert [r["id"] for r in retry.json()["results"]] == [n["id"] for n in payload["interactions"]]
    assert _counts(db) == (5, 3)
