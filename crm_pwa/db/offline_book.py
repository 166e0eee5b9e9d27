"""The queries behind the offline book: a page of changed contacts and what their
cards hold, each part one statement for the whole page (never one per contact).

The latest history entries of every contact on a page come from a window
function (ROW_NUMBER per contact, newest first), which SQLite and PostgreSQL
both run from the (contact_id, occurred_at) and (contact_id, at) indexes.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, RowMapping

from crm_pwa.db.audit import AuditEvent
from crm_pwa.db.columns import UTCDateTime
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
        .where(c.contact_id.in_(ids), c.status != "done")
        .order_by(c.contact_id, c.due_on, c.id)
    )
    return connection.execute(query).mappings().all()


def open_complaints(connection: Connection, ids: Sequence[uuid.UUID]) -> Sequence[RowMapping]:
    c = _COMPLAINT.c
    query = (
        sa.select(c.contact_id, c.id, c.summary, c.opened_at)
        .where(c.contact_id.in_(ids), c.resolved_at.is_(None))
        .order_by(c.contact_id, c.opened_at.desc(), c.id)
    )
    return connection.execute(query).mappings().all()


def open_opportunities(connection: Connection, ids: Sequence[uuid.UUID]) -> Sequence[RowMapping]:
    c = _OPPORTUNITY.c
    query = (
        sa.select(c.contact_id, c.id, c.title, c.stage, c.amount, c.expected_close)
        .where(c.contact_id.in_(ids), c.stage.not_in(CLOSED_STAGES))
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


def latest_history(connection: Connection, ids: Sequence[uuid.UUID], size: int) -> Sequence[Any]:
    """The latest `size` timeline entries of each contact, notes and events merged in one
    window (newest first; on the same second notes before events), ordered by contact and
    place: (raw contact id, place from 1, at as text, kind, direction, sentiment, summary,
    detail as JSON text, author name). Events have no summary, notes no detail."""
    dialect = connection.dialect.name
    notes = _INTERACTION.c
    events = _EVENT.c
    text = sa.String()
    merged = sa.union_all(
        sa.select(
            _raw(notes.contact_id).label("contact"),
            notes.occurred_at.label("at"),
            sa.literal(0).label("source"),
            notes.id.label("entry"),
            notes.kind.label("kind"),
            notes.direction.label("direction"),
            notes.sentiment.label("sentiment"),
            notes.summary.label("summary"),
            sa.null().label("detail"),
            notes.author_id.label("author_id"),
        ).where(notes.contact_id.in_(ids)),
        sa.select(
            _raw(events.contact_id),
            events.at,
            sa.literal(1),
            events.id,
            events.kind,
            sa.null(),
            sa.null(),
            sa.null(),
            sa.cast(events.detail, sa.Text),
            events.actor_id,
        ).where(events.contact_id.in_(ids)),
    ).subquery()
    m = merged.c
    place = (
        sa.func.row_number()
        .over(partition_by=m.contact, order_by=(m.at.desc(), m.source, m.entry))
        .label("place")
    )
    ranked = sa.select(*m, place).subquery()
    r = ranked.c
    query = (
        sa.select(
            r.contact,
            r.place,
            sa.type_coerce(_utc_text(r.at, dialect), text),
            r.kind,
            r.direction,
            r.sentiment,
            r.summary,
            sa.type_coerce(r.detail, text),
            _USER.c.name,
        )
        .join(_USER, _USER.c.id == r.author_id)
        .where(r.place <= size)
        .order_by(r.contact, r.place)
    )
    return connection.execute(query).all()
