"""Bodies are capped by the bytes that arrive, not by what Content-Length claims."""

from __future__ import annotations

import json
from collections.abc import Iterator

from fastapi.testclient import TestClient
from sqlmodel import Session, func, select

from crm_pwa.api.app import MAX_BODY_BYTES
from crm_pwa.db.interaction import Interaction
from tests.utils.factories import bearer, make_user

EMAIL = "dana@example.com"


def _chunks(total: int, size: int = 256 * 1024) -> Iterator[bytes]:
    """A sync body padded with spaces, sent chunked (no Content-Length)."""
    yield b'{"items": []'
    sent = 0
    while sent < total:
        yield b" " * size
        sent += size
    yield b"}"


def test_chunked_body_gets_413_when_it_grows_past_the_limit(
    client: TestClient, session: Session
) -> None:
    make_user(session, EMAIL)
    headers = {**bearer(client, EMAIL), "content-type": "application/json"}
    answer = client.post("/api/v1/sync", content=_chunks(MAX_BODY_BYTES + 1), headers=headers)
    assert answer.status_code == 413
    assert answer.json() == {"detail": "Request body too large: send at most 12 MiB at once."}
    assert session.exec(select(func.count()).select_from(Interaction)).one() == 0


def test_chunked_body_is_read_when_it_stays_under_the_limit(
    client: TestClient, session: Session
) -> None:
    make_user(session, EMAIL)
    body = json.dumps({"email": EMAIL, "password": "correct horse battery"}).encode()
    answer = client.post(
        "/api/v1/auth/token",
        content=iter([body[:10], body[10:]]),
        headers={"content-type": "application/json"},
    )
    assert answer.status_code == 200


def test_declared_length_gets_413_when_over_the_limit_before_anything_is_read(
    client: TestClient, session: Session
) -> None:
    answer = client.post(
        "/api/v1/auth/token",
        content=b"{}",
        headers={"content-type": "application/json", "content-length": str(MAX_BODY_BYTES + 1)},
    )
    assert answer.status_code == 413
