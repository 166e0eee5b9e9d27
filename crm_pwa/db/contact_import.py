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

IMPORTED_FIELDS = ("email", "phone", "company", "title", "address", "tags", "connection_notes")
# Rows per INSERT: well under SQLite's 32,766 bound parameters at ~20 columns.
BATCH = 500


def known_contacts(session: Session, owner_ids: Sequence[uuid.UUID] | None) -> list[dict[str, Any]]:
    """The visible contacts an import can match (those with an e-mail or phone), oldest first,
    with the fields an import may complete."""
    columns = [col(getattr(Contact, name)) for name in ("id", *IMPORTED_FIELDS)]
    query = select(*columns).where(or_(col(Contact.email) != "", col(Contact.phone) != ""))
    if owner_ids is not None:
        query = query.where(col(Contact.owner_id).in_(owner_ids))
    rows = session.execute(query.order_by(col(Contact.created_at), col(Contact.id)))
    return [dict(row._mapping) for row in rows]


def _batches(rows: Sequence[dict[str, Any]]) -> Iterator[Sequence[dict[str, Any]]]:
    for start in range(0, len(rows), BATCH):
        yield rows[start : start + BATCH]


def insert_contacts(
    session: Session, contacts: Sequence[dict[str, Any]], terms: Sequence[dict[str, Any]]
) -> None:
    """Contacts given as full column dicts, then their search terms."""
    for batch in _batches(contacts):
        session.execute(insert(Contact.__table__), batch)  # type: ignore[attr-defined]
    if session.get_bind().dialect.name == "postgresql":
        _copy_terms(session, terms)
        return
    for batch in _batches(terms):
        session.execute(insert(ContactSearchTerm.__table__), batch)  # type: ignore[attr-defined]


def _copy_terms(session: Session, terms: Sequence[dict[str, Any]]) -> None:
    # About 25 terms a contact: COPY streams them in one statement, several times
    # faster than batched INSERTs (all four columns are plain uuid, int and text).
    raw = session.connection().connection.driver_connection
    assert raw is not None
    with (
        raw.cursor() as cursor,
        cursor.copy(
            "COPY contactsearchterm (contact_id, field, term, owner_id) FROM STDIN"
        ) as copy,
    ):
        for term in terms:
            copy.write_row((term["contact_id"], term["field"], term["term"], term["owner_id"]))
