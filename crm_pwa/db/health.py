"""Weekly health snapshots: one row per contact per ISO week, and how they are written."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Column, ForeignKey, Index, UniqueConstraint, Uuid
from sqlmodel import Field, Session, SQLModel

from crm_pwa.db.columns import UTCDateTime, new_id
from crm_pwa.db.health_facts import RawSql, table_of


class HealthSnapshot(SQLModel, table=True):
    # The unique pair is what keeps two workers from writing a week twice.
    __table_args__ = (
        UniqueConstraint("contact_id", "week", name="uq_healthsnapshot_contact_week"),
        Index("ix_healthsnapshot_owner_week", "owner_id", "week"),
    )

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    contact_id: uuid.UUID = Field(
        sa_column=Column(Uuid(), ForeignKey("contact.id", ondelete="CASCADE"), nullable=False)
    )
    owner_id: uuid.UUID = Field(foreign_key="user.id")
    week: str = Field(max_length=8)
    tier: str = Field(max_length=10)
    score: int | None = Field(default=None)
    band: str = Field(max_length=10)
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))


@dataclass(frozen=True, slots=True)
class SnapshotScore:
    contact_id: uuid.UUID
    owner_id: uuid.UUID
    tier: str
    score: int | None
    band: str


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


def insert_snapshots(
    session: Session, week: str, scores: list[SnapshotScore], now: datetime
) -> int:
    """Inserts snapshot rows, skipping any (contact, week) already there; returns rows written.

    ON CONFLICT DO NOTHING on the (contact_id, week) unique constraint is what
    lets two workers, or a retry, run the same week without writing anything
    twice. SQLite takes the rows one by one in C; PostgreSQL takes each column
    as one array, which spares a round of Python per row.
    """
    raw = RawSql(session)
    rows = [
        (
            raw.id_value(uuid.uuid4()),
            raw.id_value(item.contact_id),
            raw.id_value(item.owner_id),
            week,
            item.tier,
            item.score,
            item.band,
            raw.moment(now),
        )
        for item in scores
    ]
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
