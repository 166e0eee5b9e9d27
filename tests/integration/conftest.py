"""The JSON API as a client sees it, over the real database of the `db` fixture."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from crm_pwa.api.app import create_api
from tests.conftest import Database


@pytest.fixture
def client(db: Database) -> Iterator[TestClient]:
    with TestClient(create_api()) as test_client:
        yield test_client
