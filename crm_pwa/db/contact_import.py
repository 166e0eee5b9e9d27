"""The queries of an import: who the caller already has, and many new contacts at once.

A 10,000-line file must not cost 10,000 round trips: the match keys of every
visible contact come in one query, and the new contacts and their search
terms go in as multi-row INSERTs.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import insert, or_, select
from sqlmodel import Session, col

from crm_pwa.db.contact import Contact, ContactSearchTerm

# Rows per INSERT: well under SQLite's 32,766 bound parameters at ~20 columns.
BATCH = 500


def match_keys(
    session: Session, owner_ids: Sequence[uuid.UUID] | None
) -> list[tuple[uuid.UUID, str, str]]:
    """(id, email, phone) of the visible contacts having either, the oldest first."""
    query = select(Contact.id, Contact.email, Contact.phone).where(  # type: ignore[call-overload]
        or_(col(Contact.email) != "", col(Contact.phone) != "")
    )
    if owner_ids is not None:
        query = query.where(col(Contact.owner_id).in_(owner_ids))
    rows = session.execute(query.order_by(col(Contact.created_at), col(Contact.id)))
    return [(row[0], row[1], row[2]) for row in rows]


def _batches(rows: Sequence[dict[str, Any]]) -> Iterator[Sequence[dict[str, Any]]]:
    for start in range(0, len(rows), BATCH):
        yield rows[start : start + BATCH]


def insert_contacts(
    session: Session, contacts: Sequence[dict[str, Any]], terms: Sequence[dict[str, Any]]
) -> None:
    """Contacts given as full column dicts, then their search terms."""
    for batch in _batches(contacts):
        session.execute(insert(Contact.__table__), batch)  # type: ignore[attr-defined]
    for batch in _batches(terms):
        session.execute(insert(ContactSearchTerm.__table__), batch)  # type: ignore[attr-defined]
