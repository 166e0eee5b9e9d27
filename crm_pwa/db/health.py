"""Weekly health snapshots: one row per contact per ISO week, and how they are written."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Column, ForeignKey, Index, UniqueConstraint, Uuid
from sqlmodel import Field, Session, SQLModel

from crm_pwa.db.columns import UTCDateTime, new_id
from crm_pwa.db.note_rows import table_of
from crm_pwa.db.raw_sql import RawSql


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
    """One row to write; ids as `RawSql.key` gives them (text), ready to bind."""

    contact_ref: str
    owner_ref: str
    tier: str
    score: int | None
    band: str


_COLUMNS = ("id", "contact_id", "owner_id", "week", "tier", "score", "band", "created_at")
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
    table = table_of(HealthSnapshot).name
    names = ", ".join(_COLUMNS)
    conflict = "ON CONFLICT (contact_id, week) DO NOTHING"
    created_at = raw.moment(now)
    if raw.sqlite:
        rows = [
            (
                uuid.uuid4().hex,
                item.contact_ref,
                item.owner_ref,
                week,
                item.tier,
                item.score,
                item.band,
                created_at,
            )
            for item in scores
        ]
        marks = ", ".join("?" for _ in _COLUMNS)
        return raw.run_many(f"INSERT INTO {table} ({names}) VALUES ({marks}) {conflict}", rows)
    # The server makes the ids, and ids travel as text, which the driver passes
    # through untouched (UUID objects it would convert one by one).
    sql = (
        f"INSERT INTO {table} ({names}) "
        "SELECT gen_random_uuid(), c, o, %s, t, s, b, %s "
        "FROM unnest(%s::uuid[], %s::uuid[], %s::text[], %s::int[], %s::text[]) "
        "AS u(c, o, t, s, b) "
        f"{conflict}"
    )
    written = 0
    for start in range(0, len(scores), PG_CHUNK):
        chunk = scores[start : start + PG_CHUNK]
        written += raw.execute(
            sql,
            [
                week,
                created_at,
                [item.contact_ref for item in chunk],
                [item.owner_ref for item in chunk],
                [item.tier for item in chunk],
                [item.score for item in chunk],
                [item.band for item in chunk],
            ],
        )
    return written
