"""The one Alembic history builds both databases from empty and takes them back down."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlmodel import SQLModel

import crm_pwa.db.tables  # noqa: F401
from alembic import command
from crm_pwa.migration import alembic_config
from tests.conftest import PG_URL, require_postgres

# Named after the test database, so suites sharing a server do not drop each other's.
MIGRATION_DB = PG_URL.rsplit("/", 1)[-1].split("?")[0] + "_migration_test"


def _pending_changes(url: str) -> list[object]:
    engine = sa.create_engine(url)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        diff = compare_metadata(context, SQLModel.metadata)
    engine.dispose()
    return list(diff)


def _tables(url: str) -> set[str]:
    engine = sa.create_engine(url)
    names = set(sa.inspect(engine).get_table_names()) - {"alembic_version"}
    engine.dispose()
    return names


def _up_and_down(url: str) -> None:
    config = alembic_config(url)
    command.upgrade(config, "head")
    assert _tables(url) == set(SQLModel.metadata.tables)
    assert _pending_changes(url) == []
    command.downgrade(config, "base")
    assert _tables(url) == set()


def test_history_matches_models_when_upgrading_empty_sqlite(tmp_path: Path) -> None:
    _up_and_down(f"sqlite:///{tmp_path / 'empty.db'}")


@pytest.mark.postgres
def test_history_matches_models_when_upgrading_empty_postgres() -> None:
    require_postgres(PG_URL, ci=os.environ.get("CI", "").lower() == "true")
    admin = sa.create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f"DROP DATABASE IF EXISTS {MIGRATION_DB} WITH (FORCE)"))
        connection.execute(sa.text(f"CREATE DATABASE {MIGRATION_DB}"))
    url = PG_URL.rsplit("/", 1)[0] + f"/{MIGRATION_DB}"
    try:
        _up_and_down(url)
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f"DROP DATABASE IF EXISTS {MIGRATION_DB} WITH (FORCE)"))
        admin.dispose()
