"""The database engine and sessions, shared by the UI, the API and the CLI."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session, create_engine

from crm_pwa.private_files import make_private_dir, make_private_file
from crm_pwa.settings import get_settings

# Every wait for the database is bounded: a request that cannot get a pooled
# connection, or SQLite's write lock, within these seconds fails (the API answers
# 503 + Retry-After) instead of queueing behind a convoy.
POOL_TIMEOUT_SECONDS = 5
BUSY_TIMEOUT_SECONDS = 5


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # Cascading erase of a contact's history relies on enforced foreign keys;
    # WAL and a busy timeout let the app, the scheduler and the CLI share the file.
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_SECONDS * 1000}")
    # Once a sync is answered the phone drops its copy of the notes: the commit
    # must survive a power cut, not only a crash. WAL with NORMAL may lose the
    # last commits on power loss; FULL syncs the log at every commit. It is set
    # for every connection because SQLite refuses to change it inside a
    # transaction, and a request may have begun one (signing in) before it is
    # known to write notes; the cost is one fsync per commit (docs/benchmarks.md).
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.close()


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            # SQLite gives its -wal and -shm files the database file's mode.
            make_private_dir(Path(path).parent)
            make_private_file(Path(path))
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": BUSY_TIMEOUT_SECONDS},
            pool_timeout=POOL_TIMEOUT_SECONDS,
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(
        url,
        pool_pre_ping=True,
        pool_size=10,
        max_overflow=10,
        pool_timeout=POOL_TIMEOUT_SECONDS,
    )


@lru_cache(maxsize=1)
def get_engine() -> Engine:
    return make_engine(get_settings().database_url)


@contextmanager
def session_scope(engine: Engine | None = None) -> Iterator[Session]:
    """A session that commits on success and rolls back on any error."""
    with Session(engine or get_engine(), expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def begin_writing(session: Session) -> None:
    """Open the write transaction now, before reading what the writes depend on.

    The pysqlite driver only opens a transaction at the first INSERT/UPDATE and
    lets a SAVEPOINT open (and its RELEASE commit) one of its own, so without
    this each item of a batch would commit on its own, and a flush that read
    before another one committed would fail with "database is locked" instead
    of waiting its turn. PostgreSQL needs nothing: its transaction is open and
    ON CONFLICT / row locks make concurrent flushes wait for each other.
    """
    raw = session.connection().connection.dbapi_connection
    if isinstance(raw, sqlite3.Connection) and not raw.in_transaction:
        session.connection().exec_driver_sql("BEGIN IMMEDIATE")
