"""The job queue's place in PostgreSQL: its connection string and its tables.

Kept apart from crm_pwa/job_queue.py so that `migrate` creates the tables
without loading the jobs (and with them the whole service layer).
"""

from __future__ import annotations

import psycopg
from procrastinate.schema import SchemaManager
from sqlalchemy.engine import make_url


def conninfo(database_url: str) -> str:
    """The libpq URL of a SQLAlchemy PostgreSQL URL (password kept)."""
    url = make_url(database_url)
    if url.get_backend_name() != "postgresql":
        raise ValueError("the job queue lives in PostgreSQL; RAPPORT_DATABASE_URL is not one")
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def apply_queue_schema(database_url: str) -> bool:
    """Creates procrastinate's tables and functions once; True when it did."""
    with psycopg.connect(conninfo(database_url), autocommit=True) as connection:
        found = connection.execute("SELECT to_regclass('procrastinate_jobs')").fetchone()
        if found is not None and found[0] is not None:
            return False
        connection.execute(SchemaManager.get_schema())
    return True
