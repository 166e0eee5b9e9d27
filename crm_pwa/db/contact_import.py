"""The queries of an import: who the caller already has, and many new contacts at once.

A 10,000-line file must not cost 10,000 round trips: the match keys of every
visible contact come in one query, the new contacts and their search terms go
in through the driver: SQLite's executemany, PostgreSQL's COPY (docs/import.md, Speed).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator, Sequence
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


_CONTACTS = Contact.__table__  # type: ignore[attr-defined]


def _batches(rows: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


# A new contact's id and its search terms as (field, term) pairs.
ContactTerms = tuple[uuid.UUID, Iterable[tuple[int, str]]]


def insert_contacts(
    session: Session,
    shelf_id: uuid.UUID,
    contacts: Sequence[dict[str, Any]],
    terms: Iterable[ContactTerms],
) -> None:
    """Contacts of one owner given as full column dicts, then their search terms, filed
    on `shelf_id`, a shelf of that owner's (services/contact_index.py, owner_shelf).

    `terms` may be lazy: on PostgreSQL each batch is worked out while the server
    stores the one before. The terms have no foreign key: these contacts are new in
    this transaction, so none can be erased before the terms are written
    (services/contact_index.py says how the other writers take turns with an erase).
    """
    if session.get_bind().dialect.name == "postgresql":
        _copy_contacts(session, contacts)
        _copy_terms(session, shelf_id, terms)
        return
    for batch in _batches(contacts, BATCH):
        session.execute(insert(_CONTACTS), batch)
    _sqlite_terms(session, shelf_id, terms)


def _sqlite_terms(session: Session, shelf_id: uuid.UUID, terms: Iterable[ContactTerms]) -> None:
    # Through the DB-API cursor: SQLAlchemy's per-row parameter processing (a
    # dict and a uuid-to-hex bind per value) cost more than SQLite's own work.
    # The uuids go in as SQLAlchemy's Uuid type stores them on SQLite: 32 hex
    # digits, each worked out once per contact rather than once per term.
    shelf = shelf_id.hex
    rows = [
        (field, term, contact_hex, shelf)
        for contact_hex, pairs in ((contact_id.hex, pairs) for contact_id, pairs in terms)
        for field, term in pairs
    ]
    # Sorted as the (field, term, contact_id, shelf_id) index is, which the
    # shelf's (shelf_id, field, term, contact_id) index follows too: each row
    # lands next to the one before, and index pages are written once rather than
    # touched at random. This more than halved the import (docs/benchmarks.md).
    rows.sort()
    raw = session.connection().connection.driver_connection
    assert raw is not None
    cursor = raw.cursor()
    try:
        with large_page_cache(session):
            cursor.executemany(
                "INSERT INTO contactsearchterm (field, term, contact_id, shelf_id)"
                " VALUES (?, ?, ?, ?)",
                rows,
            )
    finally:
        cursor.close()


def _copy_contacts(session: Session, contacts: Sequence[dict[str, Any]]) -> None:
    # COPY rather than INSERTs: half the client's and the server's time. Each value
    # goes through the bind processing SQLAlchemy gives its column (JSON to text,
    # datetimes to UTC), so it is stored as an INSERT would store it; the columns
    # are those of the rows, so one the import forgot fails loudly.
    if not contacts:
        return
    dialect = session.get_bind().dialect
    columns = [_CONTACTS.c[key] for key in contacts[0]]
    processors = [
        (column.key, column.type.dialect_impl(dialect).bind_processor(dialect))
        for column in columns
    ]
    raw = session.connection().connection.driver_connection
    assert raw is not None
    names = ", ".join(column.name for column in columns)
    with raw.cursor() as cursor, cursor.copy(f"COPY contact ({names}) FROM STDIN") as copy:
        for row in contacts:
            copy.write_row(
                [process(row[key]) if process else row[key] for key, process in processors]
            )


# Contacts whose terms go to COPY in one write: ~2 MB of text, streamed to the
# server (which stores them) while the next batch's terms are worked out.
COPY_BATCH = 1_000


def _copy_terms(session: Session, shelf_id: uuid.UUID, terms: Iterable[ContactTerms]) -> None:
    # About 23 terms a contact: COPY streams them in one statement, several times
    # faster than batched INSERTs (all four columns are plain uuid, int and text).
    # Its text format is built here, each uuid spelled once per contact: psycopg's
    # write_row adapts each value on its own, which cost more than the server's work.
    shelf = str(shelf_id)
    raw = session.connection().connection.driver_connection
    assert raw is not None
    with (
        raw.cursor() as cursor,
        cursor.copy(
            "COPY contactsearchterm (contact_id, field, term, shelf_id) FROM STDIN"
        ) as copy,
    ):
        lines: list[str] = []
        for number, (contact_id, pairs) in enumerate(terms, start=1):
            contact = str(contact_id)
            lines.extend(
                f"{contact}\t{field}\t{_copy_text(term)}\t{shelf}\n" for field, term in pairs
            )
            if number % COPY_BATCH == 0:
                copy.write("".join(lines))
                lines = []
        if lines:
            copy.write("".join(lines))


# COPY's text format gives a backslash, tab, newline and carriage return their own meaning.
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_text(text: str) -> str:
    return text.translate(_COPY_ESCAPES)
