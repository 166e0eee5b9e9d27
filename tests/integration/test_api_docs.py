"""The API's reference pages: served while developing, hidden on a production server."""

from __future__ import annotations

from collections.abc import Iterator

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
