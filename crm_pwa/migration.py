"""Applies the Alembic history to the configured database."""

from __future__ import annotations

from alembic.config import Config

from alembic import command
from crm_pwa.settings import PROJECT_ROOT


def alembic_config(url: str | None = None) -> Config:
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(PROJECT_ROOT / "alembic"))
    if url:
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def migrate(url: str | None = None) -> None:
    command.upgrade(alembic_config(url), "head")
