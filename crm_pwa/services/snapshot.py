"""Weekly health snapshots: one row per contact per ISO week, written once.

A week's row holds the score as of the end of that week (its Sunday), or as of
today while the week is still running; facts dated later are ignored, so a
missed week can be written afterwards with the score it would have had.
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col

from crm_pwa import clock
from crm_pwa.db.contact import Contact
from crm_pwa.db.health import HealthSnapshot
from crm_pwa.domain.health import score_relationship
from crm_pwa.domain.week import iso_week, parse_iso_week
from crm_pwa.services.errors import Invalid
from crm_pwa.services.health import RawSql, iter_facts, table_of


def last_full_week(today: date) -> str:
    """The ISO week that ended most recently (the one before `today`'s)."""
    return iso_week(today - timedelta(days=7))


def snapshot_as_of(week: str, today: date) -> date:
    """The day a week's snapshot is scored as of; Invalid for a bad or future week."""
    try:
        monday, sunday = parse_iso_week(week)
    except ValueError as error:
        raise Invalid(str(error), field="week") from error
    if monday > today:
        raise Invalid(f"{week} has not started yet.", field="week")
    return min(sunday, today)


# Each column with its PostgreSQL array type, for the one-statement insert there.
_COLUMNS = (
    ("id", "uuid"),
    ("contact_id", "uuid"),
    ("owner_id", "uuid"),
    ("week", "text"),
    ("tier", "text"),
    ("score", "int"),
    ("band", "text"),
    ("created_at", "timestamptz"),
)
# Rows per statement on PostgreSQL: arrays of this length bind in one go.
PG_CHUNK = 20_000


def _insert(raw: RawSql, rows: list[tuple[Any, ...]]) -> int:
    """Inserts snapshot rows, skipping any (contact, week) already there; returns rows written.

    ON CONFLICT DO NOTHING on the (contact_id, week) unique constraint is what
    lets two workers, or a retry, run the same week without writing anything
    twice. SQLite takes the rows one by one in C; PostgreSQL takes each column
    as one array, which spares a round of Python per row.
    """
    table = table_of(HealthSnapshot).name
    names = ", ".join(name for name, _ in _COLUMNS)
    conflict = "ON CONFLICT (contact_id, week) DO NOTHING"
    if raw.sqlite:
        marks = ", ".join("?" for _ in _COLUMNS)
        return raw.run_many(f"INSERT INTO {table} ({names}) VALUES ({marks}) {conflict}", rows)
    arrays = ", ".join(f"%s::{kind}[]" for _, kind in _COLUMNS)
    sql = f"INSERT INTO {table} ({names}) SELECT * FROM unnest({arrays}) {conflict}"
    written = 0
    for start in range(0, len(rows), PG_CHUNK):
        columns = [list(values) for values in zip(*rows[start : start + PG_CHUNK], strict=True)]
        written += raw.execute(sql, columns)
    return written


def snapshot_week(*, session: Session, week: str | None = None, today: date) -> int:
    """Write the snapshot of `week` (default: the last full week); returns rows written.

    Contacts that already have a row for the week are skipped, so running it
    again, or at the same time elsewhere, writes nothing twice.
    """
    week = week or last_full_week(today)
    as_of = snapshot_as_of(week, today)
    missing = ~sa.exists().where(
        col(HealthSnapshot.contact_id) == col(Contact.id), col(HealthSnapshot.week) == week
    )
    raw = RawSql(session)
    now = raw.moment(clock.now())
    rows: list[tuple[Any, ...]] = []
    # Every row is scored before the first is written: on SQLite the write lock
    # is then held for the inserts only, not for the whole scoring run.
    for batch in iter_facts(session, as_of, missing, by_range=True):
        for key, facts in batch:
            health = score_relationship(facts, as_of)
            rows.append(
                (
                    raw.id_value(uuid.uuid4()),
                    raw.id_value(key.id),
                    raw.id_value(key.owner_id),
                    week,
                    key.tier,
                    health.score,
                    health.band,
                    now,
                )
            )
    # Rows go in contact order, so two runs at once lock them in the same order.
    return _insert(raw, rows)
