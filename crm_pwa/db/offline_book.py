"""The queries behind the offline book: a page of changed contacts and what their
cards hold, each part one statement for the whole page (never one per contact).

The latest history entries of every contact on a page are read from the
(contact_id, occurred_at) and (contact_id, at) indexes, never ranked by a window
over every entry of the page (the costliest part on both databases): on SQLite
down to each contact's 20th newest, on PostgreSQL each contact's newest 20 by
LATERAL (docs/benchmarks.md).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, RowMapping

from crm_pwa.db.audit import AuditEvent
from crm_pwa.db.columns import UTCDateTime, one_of
from crm_pwa.db.contact import Contact
from crm_pwa.db.interaction import Complaint, FollowUp, Interaction, Opportunity
from crm_pwa.db.timeline import TimelineEvent
from crm_pwa.db.user import User

_CONTACT = Contact.__table__  # type: ignore[attr-defined]
_FOLLOW_UP = FollowUp.__table__  # type: ignore[attr-defined]
_COMPLAINT = Complaint.__table__  # type: ignore[attr-defined]
_OPPORTUNITY = Opportunity.__table__  # type: ignore[attr-defined]
_INTERACTION = Interaction.__table__  # type: ignore[attr-defined]
_EVENT = TimelineEvent.__table__  # type: ignore[attr-defined]
_USER = User.__table__  # type: ignore[attr-defined]
_AUDIT = AuditEvent.__table__  # type: ignore[attr-defined]

CLOSED_STAGES = ("won", "lost")
# Audit actions after which a contact is gone from every book (see services/offline_book.py).
GONE_ACTIONS = ("contact.erased", "contact.merged")


def _raw(column: sa.ColumnElement[Any]) -> sa.ColumnElement[Any]:
    """A uuid column as the driver hands it (hex text on SQLite, a UUID on PostgreSQL):
    parsing 100,000 of them into UUIDs would be a good part of a full download."""
    return sa.type_coerce(column, sa.String)


def raw_key(raw: Any) -> int:
    """The 128-bit number of a `_raw` uuid, to group rows and fold the digest."""
    return raw.int if isinstance(raw, uuid.UUID) else int(str(raw).replace("-", ""), 16)


def _visible(owners: Sequence[uuid.UUID] | None) -> sa.ColumnElement[bool]:
    return sa.true() if owners is None else _CONTACT.c.owner_id.in_(owners)


def changed_ids(
    connection: Connection,
    owners: Sequence[uuid.UUID] | None,
    since: datetime | None,
    after: uuid.UUID | None,
    limit: int,
) -> list[uuid.UUID]:
    """The next `limit` visible contacts (by id) changed at or after `since` (all when None)."""
    query = sa.select(_CONTACT.c.id).where(_visible(owners))
    if since is not None:
        query = query.where(_CONTACT.c.updated_at >= sa.bindparam("since", since, UTCDateTime()))
    if after is not None:
        query = query.where(_CONTACT.c.id > after)
    return list(connection.execute(query.order_by(_CONTACT.c.id).limit(limit)).scalars())


def visible_numbers(connection: Connection, owners: Sequence[uuid.UUID] | None) -> list[int]:
    """The 128-bit numbers of every visible contact id (for the digest)."""
    query = sa.select(_raw(_CONTACT.c.id)).where(_visible(owners))
    return [raw_key(raw) for raw in connection.execute(query).scalars()]


def gone_since(connection: Connection, since: datetime) -> list[tuple[str, dict[str, Any]]]:
    """(contact id, audit detail) of every contact erased or merged away since `since`."""
    rows = connection.execute(
        sa.select(_AUDIT.c.object_id, _AUDIT.c.detail).where(
            _AUDIT.c.object_type == "contact",
            _AUDIT.c.action.in_(GONE_ACTIONS),
            _AUDIT.c.at >= sa.bindparam("since", since, UTCDateTime()),
        )
    )
    return [(row.object_id, dict(row.detail or {})) for row in rows]


def open_follow_ups(connection: Connection, ids: Sequence[uuid.UUID]) -> Sequence[RowMapping]:
    c = _FOLLOW_UP.c
    query = (
        sa.select(c.contact_id, c.id, c.title, c.due_on, c.status, c.snooze_until)
        .where(one_of(c.contact_id, ids, connection.dialect.name), c.status != "done")
        .order_by(c.contact_id, c.due_on, c.id)
    )
    return connection.execute(query).mappings().all()


def open_complaints(connection: Connection, ids: Sequence[uuid.UUID]) -> Sequence[RowMapping]:
    c = _COMPLAINT.c
    query = (
        sa.select(c.contact_id, c.id, c.summary, c.opened_at)
        .where(one_of(c.contact_id, ids, connection.dialect.name), c.resolved_at.is_(None))
        .order_by(c.contact_id, c.opened_at.desc(), c.id)
    )
    return connection.execute(query).mappings().all()


def open_opportunities(connection: Connection, ids: Sequence[uuid.UUID]) -> Sequence[RowMapping]:
    c = _OPPORTUNITY.c
    query = (
        sa.select(c.contact_id, c.id, c.title, c.stage, c.amount, c.expected_close)
        .where(one_of(c.contact_id, ids, connection.dialect.name), c.stage.not_in(CLOSED_STAGES))
        .order_by(c.contact_id, c.updated_at.desc(), c.id)
    )
    return connection.execute(query).mappings().all()


def _utc_text(column: sa.ColumnElement[Any], dialect: str) -> sa.ColumnElement[Any]:
    """A UTC time as the JSON answer writes it ("2026-11-30T17:42:05Z", seconds cut):
    the database formats it, so 100,000 of them are never parsed into datetimes."""
    if dialect == "postgresql":
        utc = sa.func.timezone("UTC", column)
        return sa.func.to_char(utc, 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
    return sa.func.strftime("%Y-%m-%dT%H:%M:%SZ", column)


def _stored_text(column: sa.ColumnElement[Any]) -> sa.ColumnElement[Any]:
    """A time as SQLite stores it: fixed-width text to the microsecond, which sorts as
    the time does."""
    return sa.type_coerce(column, sa.String())


# Older than any entry: a contact with fewer than `size` entries gets them all.
_DAWN = sa.bindparam("dawn", datetime(1, 1, 1, tzinfo=UTC), UTCDateTime())


def _newest(
    table: sa.Table, at: sa.Column[Any], ids: Sequence[uuid.UUID], size: int
) -> sa.ColumnElement[bool]:
    """The rows of `table` no older than each contact's `size`-th newest (all of a contact
    with fewer): read from the (contact_id, time) index, so that no window ranks every
    entry of the page (that window was a fifth of the history query's CPU on SQLite)."""
    older = table.alias()
    nth = (
        sa.select(older.c[at.name])
        .where(older.c.contact_id == _CONTACT.c.id)
        .order_by(older.c[at.name].desc())
        .limit(1)
        .offset(size - 1)
        .scalar_subquery()
    )
    # Coalesced rather than `IS NULL OR`, which would make the index's range unusable.
    return sa.and_(_CONTACT.c.id.in_(ids), at >= sa.func.coalesce(nth, _DAWN))


def latest_history(connection: Connection, ids: Sequence[uuid.UUID], size: int) -> list[Any]:
    """The latest `size` timeline entries of each contact, notes and events merged
    (newest first; on the same instant notes before events, then by id), grouped by
    contact: (raw contact id, place from 1, at as text, kind, direction, sentiment,
    summary, detail as JSON text, author name). Events have no summary, notes no detail.

    Each source gives its newest `size` per contact (on SQLite ties at the edge
    included), the database orders the few rows that come back, and the cut at `size`
    happens here."""
    query: sa.Executable
    if connection.dialect.name == "postgresql":
        query, skip = _lateral_history(ids, size), 1
    else:
        # SQLite's union orders by its sort keys only if they are selected: skipped here.
        query, skip = _indexed_history(ids, size), 4
    merged: list[Any] = []
    last: Any = None
    place = 0
    for row in connection.execute(query).all():
        contact = row[0]
        place = place + 1 if contact == last else 1
        last = contact
        if place <= size:
            merged.append((contact, place, *row[skip:]))
    return merged


def _indexed_history(ids: Sequence[uuid.UUID], size: int) -> sa.CompoundSelect[Any]:
    """`latest_history`'s rows on SQLite: each source down to each contact's
    `size`-th newest, read from its (contact_id, time) index."""
    notes = _INTERACTION.c
    events = _EVENT.c
    text = sa.String()
    query = sa.union_all(
        sa.select(
            _raw(notes.contact_id).label("contact"),
            _stored_text(notes.occurred_at).label("instant"),
            sa.literal(0).label("source"),
            _raw(notes.id).label("entry"),
            sa.type_coerce(_utc_text(notes.occurred_at, "sqlite"), text),
            notes.kind,
            notes.direction,
            notes.sentiment,
            notes.summary,
            sa.null(),
            _USER.c.name,
        )
        .select_from(
            _CONTACT.join(_INTERACTION, notes.contact_id == _CONTACT.c.id).join(
                _USER, _USER.c.id == notes.author_id
            )
        )
        .where(_newest(_INTERACTION, notes.occurred_at, ids, size)),
        sa.select(
            _raw(events.contact_id),
            _stored_text(events.at),
            sa.literal(1),
            _raw(events.id),
            sa.type_coerce(_utc_text(events.at, "sqlite"), text),
            events.kind,
            sa.null(),
            sa.null(),
            sa.null(),
            sa.type_coerce(sa.cast(events.detail, sa.Text), text),
            _USER.c.name,
        )
        .select_from(
            _CONTACT.join(_EVENT, events.contact_id == _CONTACT.c.id).join(
                _USER, _USER.c.id == events.actor_id
            )
        )
        .where(_newest(_EVENT, events.at, ids, size)),
    )
    by = query.selected_columns
    return query.order_by(by.contact, by.instant.desc(), by.source, by.entry)


def _lateral_history(ids: Sequence[uuid.UUID], size: int) -> sa.Select[Any]:
    """`latest_history`'s rows on PostgreSQL: for each contact, its newest `size` notes
    and `size` events read backwards from their indexes (LATERAL), merged and cut at
    `size` there. A window over every entry of the page made PostgreSQL read and sort
    them all, with parallel workers that only cost CPU on a busy machine."""
    notes = _INTERACTION.c
    events = _EVENT.c
    contact = _CONTACT.c.id
    newest_notes = (
        sa.select(
            notes.occurred_at.label("at"),
            sa.literal(0).label("source"),
            notes.id.label("entry"),
            notes.kind.label("kind"),
            notes.direction.label("direction"),
            notes.sentiment.label("sentiment"),
            notes.summary.label("summary"),
            sa.null().label("detail"),
            notes.author_id.label("author_id"),
        )
        .where(notes.contact_id == contact)
        .order_by(notes.occurred_at.desc())
        .limit(size)
        .correlate(_CONTACT)
    )
    newest_events = (
        sa.select(
            events.at,
            sa.literal(1),
            events.id,
            events.kind,
            sa.null(),
            sa.null(),
            sa.null(),
            sa.cast(events.detail, sa.Text),
            events.actor_id,
        )
        .where(events.contact_id == contact)
        .order_by(events.at.desc())
        .limit(size)
        .correlate(_CONTACT)
    )
    both = sa.union_all(newest_notes, newest_events).subquery()
    latest = (
        sa.select(both)
        .order_by(both.c.at.desc(), both.c.source, both.c.entry)
        .limit(size)
        .lateral("latest")
    )
    e = latest.c
    return (
        sa.select(
            # As text: comparing 10,000 UUIDs a page to group them is dearer than the cast.
            sa.cast(contact, sa.Text),
            sa.type_coerce(_utc_text(e.at, "postgresql"), sa.String()),
            e.kind,
            e.direction,
            e.sentiment,
            e.summary,
            sa.type_coerce(e.detail, sa.String()),
            _USER.c.name,
        )
        .select_from(_CONTACT.join(latest, sa.true()).join(_USER, _USER.c.id == e.author_id))
        .where(one_of(contact, ids, "postgresql"))
        .order_by(contact, e.at.desc(), e.source, e.entry)
    )
