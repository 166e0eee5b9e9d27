"""Applies the Alembic history to the configured database."""

from __future__ import annotations

from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection

from alembic import command
from crm_pwa.queue_schema import apply_queue_schema
from crm_pwa.settings import PROJECT_ROOT, get_settings


def alembic_config(url: str | None = None) -> Config:
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(PROJECT_ROOT / "alembic"))
    if url:
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def migrate(url: str | None = None) -> None:
    """The Alembic history, and on PostgreSQL the job queue's tables (once)."""
    command.upgrade(alembic_config(url), "head")
    target = url or get_settings().database_url
    if target.startswith("postgresql"):
        # The queue's schema is procrastinate's own, pinned with the package
        # (pyproject.toml): a procrastinate upgrade brings its migrations with it.
        apply_queue_schema(target)


def at_head(connection: Connection) -> bool:
    """True when the database carries every revision of the Alembic history."""
    applied = set(MigrationContext.configure(connection).get_current_heads())
    return applied == set(ScriptDirectory.from_config(alembic_config()).get_heads())
