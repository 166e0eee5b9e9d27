"""The statements behind logging notes: exactly-once inserts, replay look-ups, touching contacts."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Connection, Insert, Table, Update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, SQLModel, col, select

from crm_pwa.db.columns import UTCDateTime
from crm_pwa.db.contact import Contact
from crm_pwa.db.interaction import FollowUp, Interaction
from crm_pwa.domain.sync import NoteContent


@dataclass(frozen=True, slots=True)
class StoredNote:
    author_id: uuid.UUID
    content: NoteContent


def table_of(model: type[SQLModel]) -> Table:
    table: Table = model.__table__  # type: ignore[attr-defined]
    return table


def stored_notes(session: Session, note_ids: Collection[uuid.UUID]) -> dict[uuid.UUID, StoredNote]:
    """Author and content of those of these note ids that are already stored."""
    if not note_ids:
        return {}
    notes = table_of(Interaction).c
    rows = session.connection().execute(
        sa.select(
            notes.id,
            notes.author_id,
            notes.contact_id,
            notes.kind,
            notes.direction,
            notes.occurred_at,
            notes.summary,
            notes.sentiment,
        ).where(notes.id.in_(list(note_ids)))
    )
    return {
        note_id: StoredNote(
            author_id, NoteContent(contact_id, kind, direction, occurred_at, summary, sentiment)
        )
        for note_id, author_id, contact_id, kind, direction, occurred_at, summary, sentiment in rows
    }


def stored_follow_up_ids(session: Session, ids: Collection[uuid.UUID]) -> set[uuid.UUID]:
    if not ids:
        return set()
    return set(session.exec(select(FollowUp.id).where(col(FollowUp.id).in_(list(ids)))))


def insert_ignoring_duplicates(
    connection: Connection, model: type[SQLModel], rows: list[dict[str, Any]]
) -> set[uuid.UUID]:
    """INSERT ... ON CONFLICT (id) DO NOTHING for many rows; returns the ids that went in.

    One compiled single-row statement, which SQLAlchemy's "insertmanyvalues"
    sends as multi-row INSERTs. RETURNING, not a row count: psycopg reports no
    reliable count for skipped rows.
    """
    if not rows:
        return set()
    table = table_of(model)
    insert = postgresql_insert if connection.dialect.name == "postgresql" else sqlite_insert
    statement: Insert = (
        insert(table).on_conflict_do_nothing(index_elements=["id"]).returning(table.c.id)
    )
    return set(connection.execute(statement, rows).scalars())


def _touch_statement() -> Update:
    contacts = table_of(Contact)
    newest = sa.bindparam("b_newest", type_=UTCDateTime())
    stored_at = contacts.c.last_interaction_at
    return (
        contacts.update()
        .where(contacts.c.id == sa.bindparam("b_id"))
        .values(
            updated_at=sa.bindparam("b_now", type_=UTCDateTime()),
            # In SQL, not read-modify-write: a concurrent flush may have stored a
            # newer note. A null `b_newest` compares as unknown and keeps the stored time.
            last_interaction_at=sa.case(
                (stored_at.is_(None) | (stored_at < newest), newest), else_=stored_at
            ),
        )
    )


def touch_contacts(
    connection: Connection, newest_notes: Mapping[uuid.UUID, datetime | None], now: datetime
) -> None:
    """Set updated_at, and last talked where a newer note came in, in one lock order."""
    ids = sorted(newest_notes)  # one lock order for every flush: no deadlock between two
    connection.execute(
        _touch_statement(),
        [
            {"b_id": contact_id, "b_newest": newest_notes[contact_id], "b_now": now}
            for contact_id in ids
        ],
    )
