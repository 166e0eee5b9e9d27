"""The queries of an import: who the caller already has, and many new contacts at once.

A 10,000-line file must not cost 10,000 round trips: the match keys of every
visible contact come in one query, the new contacts go in as multi-row
INSERTs and their search terms through the driver (docs/import.md, Speed).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import insert, or_, select
from sqlmodel import Session, col

from crm_pwa.db.contact import Contact
from crm_pwa.db.page_cache import large_page_cache

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


# A search term as the row (contact_id, field, term, owner_id).
Term = tuple[uuid.UUID, int, str, uuid.UUID]


def insert_contacts(
    session: Session, contacts: Sequence[dict[str, Any]], terms: Sequence[Term]
) -> None:
    """Contacts given as full column dicts, then their search terms."""
    for batch in _batches(contacts):
        session.execute(insert(Contact.__table__), batch)  # type: ignore[attr-defined]
    # SQLite takes the terms in the order of the (field, term) index, so each row
    # lands next to the one before and index pages are written once rather than
    # touched at random: this more than halved the import. PostgreSQL's COPY was
    # no faster sorted, so the sort's cost is spared there (docs/benchmarks.md).
    if session.get_bind().dialect.name == "postgresql":
        _copy_terms(session, terms)
    else:
        _sqlite_terms(session, sorted(terms, key=_index_order))


def _index_order(term: Term) -> tuple[int, str]:
    return term[1], term[2]


def _sqlite_terms(session: Session, terms: Sequence[Term]) -> None:
    # Through the DB-API cursor: SQLAlchemy's per-row parameter processing (a
    # dict and a uuid-to-hex bind per value) cost more than SQLite's own work.
    # The uuids go in as SQLAlchemy's Uuid type stores them on SQLite: 32 hex digits.
    raw = session.connection().connection.driver_connection
    assert raw is not None
    cursor = raw.cursor()
    try:
        with large_page_cache(session):
            cursor.executemany(
                "INSERT INTO contactsearchterm (contact_id, field, term, owner_id)"
                " VALUES (?, ?, ?, ?)",
                [
                    (contact_id.hex, field, term, owner_id.hex)
                    for contact_id, field, term, owner_id in terms
                ],
            )
    finally:
        cursor.close()


def _copy_terms(session: Session, terms: Sequence[Term]) -> None:
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
        # COPY's text format built here in one piece: psycopg's write_row adapts
        # each value on its own, which cost more than the server's work.
        copy.write(
            "".join(
                f"{contact_id}\t{field}\t{_copy_text(term)}\t{owner_id}\n"
                for contact_id, field, term, owner_id in terms
            )
        )


# COPY's text format gives a backslash, tab, newline and carriage return their own meaning.
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_text(text: str) -> str:
    return text.translate(_COPY_ESCAPES)
