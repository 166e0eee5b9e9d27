"""The job queue reaches the app's PostgreSQL through libpq: the same database, the same user."""

from __future__ import annotations

import pytest

from crm_pwa.queue_schema import conninfo


def test_queue_connects_to_the_apps_database_with_its_password() -> None:
    url = "postgresql+psycopg://rapport:s%40cret@db.internal:6432/crm?sslmode=require"

    assert conninfo(url) == "postgresql://rapport:s%40cret@db.internal:6432/crm?sslmode=require"


def test_queue_refuses_a_database_that_is_not_postgresql() -> None:
    with pytest.raises(ValueError, match="lives in PostgreSQL"):
        conninfo("sqlite:///data/rapport.db")
