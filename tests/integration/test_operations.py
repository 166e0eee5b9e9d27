"""What a load balancer and an operator see: /healthz, /readyz and the request log."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from crm_pwa.api.app import create_api
from crm_pwa.db import engine as engine_module
from crm_pwa.settings import get_settings
from tests.conftest import Database
from tests.utils.factories import bearer, make_contact, make_user

REDIS_DB = "redis://127.0.0.1:6379/6"


class Lines(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


@pytest.fixture
def request_lines() -> Iterator[list[str]]:
    handler = Lines()
    logger = logging.getLogger("crm_pwa.requests")
    logger.addHandler(handler)
    yield handler.lines
    logger.removeHandler(handler)


def _use_redis(monkeypatch: pytest.MonkeyPatch, url: str) -> None:
    monkeypatch.setenv("RAPPORT_REDIS_URL", url)
    get_settings.cache_clear()


def test_healthz_answers_without_a_token(client: TestClient) -> None:
    answer = client.get("/healthz")

    assert (answer.status_code, answer.json()) == (200, {"status": "ok"})


def test_readyz_is_ready_on_a_migrated_database_without_redis(client: TestClient) -> None:
    answer = client.get("/readyz")

    assert answer.status_code == 200
    assert answer.json() == {"status": "ready", "database": "ok", "redis": "not configured"}


def test_readyz_checks_redis_when_it_is_configured(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    _use_redis(monkeypatch, REDIS_DB)
    reachable = client.get("/readyz")
    _use_redis(monkeypatch, "redis://127.0.0.1:1/6")
    unreachable = client.get("/readyz")

    assert (reachable.status_code, reachable.json()["redis"]) == (200, "ok")
    assert (unreachable.status_code, unreachable.json()["status"]) == (503, "not ready")
    assert unreachable.json()["redis"] == "unreachable"


def test_readyz_is_not_ready_until_the_database_is_migrated(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("RAPPORT_DATABASE_URL", f"sqlite:///{tmp_path / 'empty.db'}")
    monkeypatch.delenv("RAPPORT_REDIS_URL", raising=False)
    get_settings.cache_clear()
    engine_module.get_engine.cache_clear()
    try:
        with TestClient(create_api()) as client:
            answer = client.get("/readyz")
    finally:
        engine_module.get_engine().dispose()
        engine_module.get_engine.cache_clear()
        get_settings.cache_clear()

    assert answer.status_code == 503
    assert answer.json()["database"] == "behind"
    assert answer.json()["hint"] == "run `python -m crm_pwa migrate`"


def test_each_request_is_one_json_line_with_route_status_duration_and_user_id_only(
    client: TestClient, session: Session, request_lines: list[str], db: Database
) -> None:
    rep = make_user(session, "riley@example.com", name="Riley Quinn")
    dana = make_contact(session, rep, "Dana Reyes", email="dana@example.com")
    headers = bearer(client, rep.email)
    request_lines.clear()

    client.get("/api/v1/contacts", params={"q": "dana@example.com"}, headers=headers)
    client.get(f"/api/v1/contacts/{dana.id}", headers=headers)
    client.get("/api/v1/contacts", headers={"Authorization": "Bearer wrong"})

    entries = [json.loads(line) for line in request_lines]
    assert [(e["method"], e["route"], e["status"], e["user_id"]) for e in entries] == [
        ("GET", "/api/v1/contacts", 200, str(rep.id)),
        ("GET", "/api/v1/contacts/{contact_id}", 200, str(rep.id)),
        ("GET", "/api/v1/contacts", 401, None),
    ]
    assert all(entry["duration_ms"] >= 0 for entry in entries)
    logged = "\n".join(request_lines)
    for personal in ("dana", "Dana", "riley", "Riley", str(dana.id)):
        assert personal not in logged
