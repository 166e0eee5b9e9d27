"""The queries behind the offline book: a page of changed contacts and what their
cards hold, each part one statement for the whole page (never one per contact).

The latest history entries of every contact on a page come from a window
function (ROW_NUMBER per contact, newest first), which SQLite and PostgreSQL
both run from the (contact_id, occurred_at) and (contact_id, at) indexes.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY, UUID
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
    """A uuid column as text (hex as SQLite stores it, with dashes from PostgreSQL): making
    and hashing 100,000 UUIDs would be a good part of a full download."""
    return sa.type_coerce(sa.cast(column, sa.String), sa.String)


def raw_key(raw: str) -> int:
    """The 128-bit number of a `_raw` uuid, to fold the digest and find a card's rows."""
    return int(raw.replace("-", ""), 16)


def _in_book(owners: Sequence[uuid.UUID] | None, since: datetime | None) -> sa.ColumnElement[bool]:
    """Contacts the caller may see, changed at or after `since` (all when None)."""
    visible = sa.true() if owners is None else _CONTACT.c.owner_id.in_(owners)
    if since is None:
        return visible
    return sa.and_(visible, _CONTACT.c.updated_at >= sa.bindparam("since", since, UTCDateTime()))


def changed_ids(
    connection: Connection,
    owners: Sequence[uuid.UUID] | None,
    since: datetime | None,
    after: uuid.UUID | None,
    limit: int,
) -> list[uuid.UUID]:
    """The next `limit` visible contacts (by id) changed at or after `since` (all when None)."""
    query = sa.select(_CONTACT.c.id).where(_in_book(owners, since))
    if after is not None:
        query = query.where(_CONTACT.c.id > after)
    return list(connection.execute(query.order_by(_CONTACT.c.id).limit(limit)).scalars())


def page_of(connection: Connection, ids: Sequence[uuid.UUID]) -> sa.ColumnElement[bool]:
    """The contacts of a page (`changed_ids`), as a condition on the contact table with the
    ids bound as one value: an array on PostgreSQL, a JSON array of the stored hex text
    on SQLite. Bound one by one, 500 ids in each of the page's five statements cost more
    than the statements did."""
    if connection.dialect.name == "postgresql":
        listed = sa.bindparam("page", [str(i) for i in ids], type_=ARRAY(sa.Text))
        among: sa.ColumnElement[bool] = _CONTACT.c.id == sa.any_(
            sa.cast(listed, ARRAY(UUID(as_uuid=True)))
        )
        return among
    listed = sa.bindparam("page", json.dumps([i.hex for i in ids]))
    among = _CONTACT.c.id.in_(sa.select(sa.column("value")).select_from(sa.func.json_each(listed)))
    return among


def visible_numbers(connection: Connection, owners: Sequence[uuid.UUID] | None) -> list[int]:
    """The 128-bit numbers of every visible contact id (for the digest)."""
    query = sa.select(_raw(_CONTACT.c.id)).where(_in_book(owners, None))
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


def contacts(connection: Connection, page: sa.ColumnElement[bool]) -> Sequence[RowMapping]:
    """The page's contacts, in id order (as `changed_ids` gave them)."""
    query = sa.select(_CONTACT).where(page).order_by(_CONTACT.c.id)
    return connection.execute(query).mappings().all()


def _of_page(table: sa.Table, page: sa.ColumnElement[bool]) -> sa.Join:
    return table.join(_CONTACT, sa.and_(_CONTACT.c.id == table.c.contact_id, page))


def open_follow_ups(connection: Connection, page: sa.ColumnElement[bool]) -> Sequence[RowMapping]:
    c = _FOLLOW_UP.c
    query = (
        sa.select(c.contact_id, c.id, c.title, c.due_on, c.status, c.snooze_until)
        .select_from(_of_page(_FOLLOW_UP, page))
        .where(c.status != "done")
        .order_by(c.contact_id, c.due_on, c.id)
    )
    return connection.execute(query).mappings().all()


def open_complaints(connection: Connection, page: sa.ColumnElement[bool]) -> Sequence[RowMapping]:
    c = _COMPLAINT.c
    query = (
        sa.select(c.contact_id, c.id, c.summary, c.opened_at)
        .select_from(_of_page(_COMPLAINT, page))
        .where(c.resolved_at.is_(None))
        .order_by(c.contact_id, c.opened_at.desc(), c.id)
    )
    return connection.execute(query).mappings().all()


def open_opportunities(
    connection: Connection, page: sa.ColumnElement[bool]
) -> Sequence[RowMapping]:
    c = _OPPORTUNITY.c
    query = (
        sa.select(c.contact_id, c.id, c.title, c.stage, c.amount, c.expected_close)
        .select_from(_of_page(_OPPORTUNITY, page))
        .where(c.stage.not_in(CLOSED_STAGES))
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


def _sortable(column: sa.ColumnElement[Any], dialect: str) -> sa.ColumnElement[Any]:
    """A UTC time as text that sorts as the time does, to merge notes and events: SQLite
    stores it so; PostgreSQL writes it, cheaper than handing over datetimes."""
    if dialect == "postgresql":
        utc = sa.func.timezone("UTC", column)
        return sa.func.to_char(utc, "YYYY-MM-DD HH24:MI:SS.US")
    return column


def latest_notes(connection: Connection, page: sa.ColumnElement[bool], size: int) -> Sequence[Any]:
    """The latest `size` notes of each contact of the page: rows of (raw contact id, at as
    text that sorts, at as the answer writes it, author name, kind, direction, sentiment,
    summary)."""
    n = _INTERACTION.c
    names = ("kind", "direction", "sentiment", "summary")
    return _latest(connection, page, size, _INTERACTION, n.occurred_at, n.author_id, names)


def latest_events(connection: Connection, page: sa.ColumnElement[bool], size: int) -> Sequence[Any]:
    """The latest `size` events of each contact of the page: rows of (raw contact id, at
    as text that sorts, at as the answer writes it, author name, kind, detail as JSON
    text)."""
    e = _EVENT.c
    return _latest(connection, page, size, _EVENT, e.at, e.actor_id, ("kind", "detail"))


def _latest(
    connection: Connection,
    page: sa.ColumnElement[bool],
    size: int,
    table: sa.Table,
    at: sa.Column[Any],
    author_id: sa.Column[Any],
    names: tuple[str, ...],
) -> Sequence[Any]:
    """The newest `size` rows of `table` for each contact of the page, by contact, newest
    first, then by id: the contact, the time (raw and as text), the author's name and the
    columns named. Read from the (contact_id, time) index, never the whole history:
    PostgreSQL takes each contact's newest with LATERAL; SQLite, which has none, finds the
    time of each contact's `size`th newest and reads from then on (a few more rows when
    others share that time: the caller stops at `size`). Ranking every entry of a page
    (a window over all of them) was most of a full download's time."""
    dialect = connection.dialect.name
    source: sa.FromClause
    if dialect == "postgresql":
        newest = (
            sa.select(table)
            .where(table.c.contact_id == _CONTACT.c.id)
            .order_by(at.desc(), table.c.id)
            .limit(size)
            .correlate(_CONTACT)
            .lateral()
        )
        source, found = _CONTACT.join(newest, sa.true()), newest.c
    else:
        earlier = table.alias("earlier")
        times = (
            sa.select(earlier.c[at.key].label("at"))
            .where(earlier.c.contact_id == _CONTACT.c.id)
            .order_by(earlier.c[at.key].desc())
            .limit(size)
            .correlate(_CONTACT)
            .subquery()
        )
        since = sa.select(sa.func.min(times.c.at)).scalar_subquery()
        source = _CONTACT.join(table, sa.and_(table.c.contact_id == _CONTACT.c.id, at >= since))
        found = table.c
    moment = found[at.key]
    text = sa.String()
    query = (
        sa.select(
            _raw(_CONTACT.c.id),
            sa.type_coerce(_sortable(moment, dialect), text),
            sa.type_coerce(_utc_text(moment, dialect), text),
            _USER.c.name,
            *(
                sa.type_coerce(sa.cast(found[name], sa.Text), text)
                if isinstance(found[name].type, sa.JSON)
                else found[name]
                for name in names
            ),
        )
        .select_from(source.join(_USER, _USER.c.id == found[author_id.key]))
        .where(page)
        .order_by(_CONTACT.c.id, moment.desc(), found.id)
    )
    return connection.execute(query).all()
