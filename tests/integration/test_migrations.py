"""The one Alembic history builds both databases from empty and takes them back down."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlmodel import Session, SQLModel

import crm_pwa.db.tables  # noqa: F401
from alembic import command
from crm_pwa.migration import alembic_config
from crm_pwa.services.demo import seed_demo
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


def _row_counts(url: str) -> dict[str, int]:
    engine = sa.create_engine(url)
    with engine.connect() as connection:
        names = set(sa.inspect(connection).get_table_names()) - {"alembic_version"}
        counts = {
            name: connection.execute(sa.text(f'SELECT count(*) FROM "{name}"')).scalar_one()
            for name in names
        }
    engine.dispose()
    return counts


def test_a_populated_sqlite_database_keeps_every_row_through_the_latest_migrations(
    tmp_path: Path,
) -> None:
    # On SQLite a batch ALTER rebuilds the table, and dropping the old `contact`
    # cascades to every row pointing at a contact: an upgrade must never do that.
    url = f"sqlite:///{tmp_path / 'used.db'}"
    config = alembic_config(url)
    command.upgrade(config, "head")
    engine = sa.create_engine(url)
    with Session(engine) as session:
        seed_demo(session=session, seed=7, today=date(2026, 11, 30))
        session.commit()
    engine.dispose()
    command.downgrade(config, "jq1")
    before = _row_counts(url)
    assert before["contactsearchterm"] > 0 and before["interaction"] > 0

    command.upgrade(config, "head")

    after = _row_counts(url)
    assert {name: after[name] for name in before} == before
