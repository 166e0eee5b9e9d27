"""Alembic runs against the same URL and metadata as the app."""

from __future__ import annotations

from typing import Any

from sqlmodel import SQLModel

import crm_pwa.db.tables  # noqa: F401  (registers every table on the metadata)
from alembic import context
from crm_pwa.db.columns import UTCDateTime
from crm_pwa.db.engine import make_engine
from crm_pwa.settings import get_settings

config = context.config
target_metadata = SQLModel.metadata


def _render_item(type_: str, obj: Any, autogen_context: Any) -> str | bool:
    # Migrations describe plain SQL types so that they never import app code
    # that may change later.
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def run_migrations() -> None:
    url = config.get_main_option("sqlalchemy.url") or get_settings().database_url
    engine = make_engine(url)
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
            render_item=_render_item,
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


run_migrations()
