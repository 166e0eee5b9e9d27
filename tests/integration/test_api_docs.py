"""The API's reference pages: served while developing, hidden on a production server."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from crm_pwa.api.app import create_api
from crm_pwa.settings import get_settings


@pytest.fixture(autouse=True)
def _fresh_settings(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.delenv("RAPPORT_API_DOCS", raising=False)
    monkeypatch.delenv("REFLEX_ENV_MODE", raising=False)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def _status(path: str) -> int:
    get_settings.cache_clear()
    with TestClient(create_api()) as client:
        return client.get(path).status_code


def test_reference_is_served_when_not_in_production() -> None:
    assert _status("/api/v1/docs") == 200
    assert _status("/api/v1/openapi.json") == 200


def test_reference_is_hidden_when_in_production(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REFLEX_ENV_MODE", "prod")
    assert _status("/api/v1/docs") == 404
    assert _status("/api/v1/openapi.json") == 404


def test_reference_is_served_in_production_when_asked_for(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("REFLEX_ENV_MODE", "prod")
    monkeypatch.setenv("RAPPORT_API_DOCS", "on")
    assert _status("/api/v1/docs") == 200


def _operations() -> dict[str, dict[str, Any]]:
    document = create_api().openapi()
    return {
        f"{method.upper()} {path}": operation
        for path, operations in document["paths"].items()
        if path.startswith("/api/v1")
        for method, operation in operations.items()
    }


def test_document_names_every_refusal_the_api_answers_when_read() -> None:
    operations = _operations()
    codes = {name: set(operation["responses"]) for name, operation in operations.items()}

    # Each refusal where it is answered: a body that is not text, someone else's
    # team, an unknown object, a taken id, an oversized body, guessing too fast.
    assert {"400", "413", "422"} <= codes["POST /api/v1/contacts"]
    assert "403" in codes["GET /api/v1/health/team"]
    assert "404" in codes["GET /api/v1/contacts/{contact_id}"]
    assert "409" in codes["POST /api/v1/contacts"]
    assert "429" in codes["POST /api/v1/auth/token"]
    # Any request may meet a busy server.
    assert all("503" in documented for documented in codes.values())


def test_every_422_is_documented_with_the_shape_it_is_answered_in() -> None:
    for name, operation in _operations().items():
        responses = operation["responses"]
        if "422" in responses:
            schema = responses["422"]["content"]["application/json"]["schema"]
            assert schema == {"$ref": "#/components/schemas/Unreadable"}, name
