"""Fixtures shared by the integration tests: real SQLite and PostgreSQL databases.

Each test that asks for `db` runs once on SQLite and once on PostgreSQL (the
`test` database on 127.0.0.1). The schema comes from the Alembic history, so the
tests exercise the migrations the app ships; rows are wiped between tests.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import redis
import sqlalchemy as sa
from hypothesis import HealthCheck, settings
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel

import crm_pwa.db.tables  # noqa: F401
from crm_pwa.db import engine as engine_module
from crm_pwa.migration import migrate
from crm_pwa.settings import get_settings

# Hundreds of test users would each cost a full argon2 hash; the cheap profile
# keeps the same code path at a fraction of the time.
os.environ["RAPPORT_FAST_PASSWORD_HASHING"] = "1"
# Property tests check rules, not speed: on a busy 2-core machine one example can
# take seconds, which says nothing about the rule under test.
settings.register_profile("rules", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("rules")
PG_URL = os.environ.get("RAPPORT_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


E2E = Path(__file__).resolve().parent / "e2e"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # Every browser test is marked, so `-m "not e2e"` runs everything else.
    for item in items:
        if E2E in item.path.parents:
            item.add_marker(pytest.mark.e2e)


def postgres_reachable(url: str = PG_URL) -> str | None:
    """None when PostgreSQL answers, else the reason it does not."""
    try:
        probe = sa.create_engine(url)
        with probe.connect() as connection:
            connection.execute(sa.text("select 1"))
        probe.dispose()
    except Exception as error:  # any failure to connect means "skip, and say why"
        return f"PostgreSQL at {url} is unreachable: {error.__class__.__name__}"
    return None


def reset_postgres(url: str) -> None:
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text("DROP SCHEMA public CASCADE"))
        connection.execute(sa.text("CREATE SCHEMA public"))
    admin.dispose()


@dataclass
class Database:
    kind: str
    url: str
    engine: Engine

    def session(self) -> Session:
        return Session(self.engine, expire_on_commit=False)


def _use(url: str, monkeypatch: pytest.MonkeyPatch, data_dir: Path) -> Engine:
    monkeypatch.setenv("RAPPORT_DATABASE_URL", url)
    monkeypatch.setenv("RAPPORT_DATA_DIR", str(data_dir))
    get_settings.cache_clear()
    engine_module.get_engine.cache_clear()
    return engine_module.get_engine()


@pytest.fixture(scope="session")
def _sqlite_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('sqlite') / 'rapport.db'}"
    migrate(url)
    return url


def require_postgres(url: str, *, ci: bool) -> None:
    """Skips a PostgreSQL test when the server is away, except under CI, where that
    fails the run: a CI run that quietly skips half the suite proves nothing."""
    reason = postgres_reachable(url)
    if reason is None:
        return
    if ci:
        pytest.fail(f"{reason}; CI=true needs PostgreSQL (set RAPPORT_TEST_PG_URL)")
    pytest.skip(reason)


REDIS_URL = os.environ.get("RAPPORT_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def require_redis(url: str = REDIS_URL, *, ci: bool) -> None:
    """As `require_postgres`, for the Redis that several app workers share."""
    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=2)
        client.ping()
        client.close()
    except redis.RedisError as error:
        reason = f"Redis at {url} is unreachable: {error.__class__.__name__}"
        if ci:
            pytest.fail(f"{reason}; CI=true needs Redis (set RAPPORT_TEST_REDIS_URL)")
        pytest.skip(reason)


@pytest.fixture(scope="session")
def _postgres_url() -> str:
    require_postgres(PG_URL, ci=os.environ.get("CI", "").lower() == "true")
    reset_postgres(PG_URL)
    migrate(PG_URL)
    return PG_URL


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> Iterator[Database]:
    url = request.getfixturevalue(f"_{request.param}_url")
    engine = _use(url, monkeypatch, tmp_path)
    yield Database(kind=request.param, url=url, engine=engine)
    _empty_and_forget(engine)


@pytest.fixture
def pg(_postgres_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Database]:
    """The test PostgreSQL database alone, for what only PostgreSQL has (row locks
    across processes, the job queue, several app workers)."""
    engine = _use(_postgres_url, monkeypatch, tmp_path)
    yield Database(kind="postgres", url=_postgres_url, engine=engine)
    _empty_and_forget(engine)


def _empty_and_forget(engine: Engine) -> None:
    with engine.begin() as connection:
        for table in reversed(SQLModel.metadata.sorted_tables):
            connection.execute(table.delete())
    engine.dispose()
    engine_module.get_engine.cache_clear()
    get_settings.cache_clear()


@pytest.fixture
def clock_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A clock file the app reads: write a number of days into it to move "now"."""
    path = tmp_path / "clock"
    path.write_text("0")
    monkeypatch.setenv("RAPPORT_CLOCK_FILE", str(path))
    get_settings.cache_clear()
    yield path
    get_settings.cache_clear()


@pytest.fixture
def session(db: Database) -> Iterator[Session]:
    with db.session() as session:
        yield session
