"""Tokens over the API: issue, use, expiry, revocation, and the brake on guessing."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from crm_pwa import scheduler
from crm_pwa.db.sign_in import SignInStreak
from crm_pwa.db.user import AuthToken
from tests.utils.factories import PASSWORD, bearer, make_user

EMAIL = "dana@example.com"
TOKEN = "/api/v1/auth/token"


def test_token_is_issued_and_accepted_when_the_password_is_right(
    client: TestClient, session: Session
) -> None:
    user = make_user(session, EMAIL)
    answer = client.post(
        "/api/v1/auth/token", json={"email": "  Dana@Example.com ", "password": PASSWORD}
    )
    assert answer.status_code == 200
    body = answer.json()
    assert body["token_type"] == "bearer"
    assert body["user"] == {"id": str(user.id), "name": "Dana", "email": EMAIL, "role": "rep"}
    assert len(body["access_token"]) >= 43  # 256 bits in base64url
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert me.status_code == 200 and me.json()["email"] == EMAIL


def test_token_is_stored_only_as_a_hash_when_issued(client: TestClient, session: Session) -> None:
    make_user(session, EMAIL)
    token = bearer(client, EMAIL)["Authorization"].split()[1]
    stored = session.exec(select(AuthToken)).one()
    assert token not in stored.token_hash and len(stored.token_hash) == 64


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer nope"}, {"Authorization": "Basic abc"}, {"Authorization": ""}],
)
def test_request_is_refused_with_401_when_the_token_is_missing_or_wrong(
    client: TestClient, session: Session, headers: dict[str, str]
) -> None:
    answer = client.get("/api/v1/me", headers=headers)
    assert answer.status_code == 401
    assert answer.json()["detail"]


def test_wrong_password_gets_401_and_no_token_when_signing_in(
    client: TestClient, session: Session
) -> None:
    make_user(session, EMAIL)
    answer = client.post("/api/v1/auth/token", json={"email": EMAIL, "password": "wrong-one"})
    assert answer.status_code == 401
    assert session.exec(select(AuthToken)).all() == []


def test_token_stops_working_when_revoked(client: TestClient, session: Session) -> None:
    make_user(session, EMAIL)
    headers = bearer(client, EMAIL)
    other_device = bearer(client, EMAIL)
    assert client.delete("/api/v1/auth/token", headers=headers).status_code == 204
    assert client.get("/api/v1/me", headers=headers).status_code == 401
    assert client.get("/api/v1/me", headers=other_device).status_code == 200


def test_token_stops_working_when_thirty_days_have_passed(
    client: TestClient, session: Session, clock_file: Path
) -> None:
    make_user(session, EMAIL)
    headers = bearer(client, EMAIL)
    for days in ("10", "20", "29.9"):  # used every ten days, so never idle
        clock_file.write_text(days)
        assert client.get("/api/v1/me", headers=headers).status_code == 200
    clock_file.write_text("30.1")
    assert client.get("/api/v1/me", headers=headers).status_code == 401


def test_sign_in_is_refused_with_429_when_five_attempts_failed(
    client: TestClient, session: Session, clock_file: Path
) -> None:
    make_user(session, EMAIL)
    for _ in range(5):
        wrong = client.post("/api/v1/auth/token", json={"email": EMAIL, "password": "guess123"})
        assert wrong.status_code == 401
    blocked = client.post("/api/v1/auth/token", json={"email": EMAIL, "password": PASSWORD})
    assert blocked.status_code == 429
    assert "Too many attempts" in blocked.json()["detail"]
    assert int(blocked.headers["Retry-After"]) > 0
    clock_file.write_text(str(16 / 1440))
    assert (
        client.post("/api/v1/auth/token", json={"email": EMAIL, "password": PASSWORD}).status_code
        == 200
    )


def test_malformed_sign_in_body_gets_422_when_json_is_broken(
    client: TestClient, session: Session
) -> None:
    answer = client.post(
        "/api/v1/auth/token",
        content=b'{"email": "a@b.c"',
        headers={"content-type": "application/json"},
    )
    assert answer.status_code == 422


def test_openapi_document_is_served_when_asked_without_a_token(
    client: TestClient, db: object
) -> None:
    answer = client.get("/api/v1/openapi.json")
    assert answer.status_code == 200
    assert "/api/v1/auth/token" in answer.json()["paths"]


def test_answers_carry_the_server_time_when_its_clock_runs_ahead(
    client: TestClient, session: Session, clock_file: Path
) -> None:
    clock_file.write_text("7")
    answer = client.get("/api/v1/me")
    stamped = datetime.fromisoformat(answer.headers["X-Server-Time"])
    assert abs(stamped - (datetime.now(UTC) + timedelta(days=7))) < timedelta(minutes=1)


def test_token_stops_working_when_left_idle_for_fourteen_days(
    client: TestClient, session: Session, clock_file: Path
) -> None:
    make_user(session, EMAIL)
    used = bearer(client, EMAIL)
    idle = bearer(client, EMAIL)
    clock_file.write_text("13.9")
    assert client.get("/api/v1/me", headers=used).status_code == 200
    clock_file.write_text("14.1")
    assert client.get("/api/v1/me", headers=idle).status_code == 401
    assert client.get("/api/v1/me", headers=used).status_code == 200


def test_token_use_is_written_at_most_once_an_hour_when_requests_keep_coming(
    client: TestClient, session: Session, clock_file: Path
) -> None:
    make_user(session, EMAIL)
    headers = bearer(client, EMAIL)
    issued = session.exec(select(AuthToken)).one().last_used_at
    clock_file.write_text(str(59 / 1440))
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    session.expire_all()
    assert session.exec(select(AuthToken)).one().last_used_at == issued
    clock_file.write_text(str(61 / 1440))
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    session.expire_all()
    moved = session.exec(select(AuthToken)).one().last_used_at
    assert timedelta(minutes=60) < moved - issued < timedelta(minutes=62)


def test_cleanup_deletes_dead_tokens_and_old_streaks_when_the_job_runs(
    client: TestClient, session: Session, clock_file: Path
) -> None:
    make_user(session, EMAIL)
    expired = bearer(client, EMAIL)
    assert client.post(TOKEN, json={"email": "old@example.com", "password": "x"}).status_code == 401
    clock_file.write_text("10")
    assert client.get("/api/v1/me", headers=expired).status_code == 200
    alive = bearer(client, EMAIL)
    bearer(client, EMAIL)  # never used again: idle from day 24
    for days in ("20", "29"):
        clock_file.write_text(days)
        for headers in (expired, alive):
            assert client.get("/api/v1/me", headers=headers).status_code == 200
    clock_file.write_text("31")
    assert client.post(TOKEN, json={"email": "new@example.com", "password": "x"}).status_code == 401
    asyncio.run(scheduler.forget_old_sign_ins_job())
    session.expire_all()
    assert len(session.exec(select(AuthToken)).all()) == 1
    assert client.get("/api/v1/me", headers=alive).status_code == 200
    assert {row.key for row in session.exec(select(SignInStreak)).all()} == {
        "account:new@example.com",
        "client:testclient",
    }
