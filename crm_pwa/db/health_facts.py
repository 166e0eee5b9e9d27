"""The facts health is scored from, loaded in batches, and the scores written back.

One contact is rescored after each change that feeds its score; the daily job
and the weekly snapshot score every contact, so the facts are loaded in large
batches with three queries per batch rather than three per contact, in SQL
written by hand (see `RawSql`).
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy import ColumnElement
from sqlalchemy.orm.util import identity_key
from sqlmodel import Session, SQLModel, col, select

from crm_pwa.db.contact import Contact
from crm_pwa.db.interaction import Complaint, FollowUp, Interaction
from crm_pwa.db.user import User
from crm_pwa.domain.days import local_day
from crm_pwa.domain.follow_through import FollowUpFact
from crm_pwa.domain.health import ComplaintFact, Health, InteractionFact, RelationshipFacts

# Contacts scored per round trip: large enough that query overhead vanishes,
# small enough that a batch of facts stays a few tens of megabytes.
BATCH_SIZE = 5_000


@dataclass(frozen=True, slots=True)
class ContactKey:
    """The columns of a contact that scoring and snapshots need."""

    id: uuid.UUID
    owner_id: uuid.UUID
    tier: str
    rhythm_days: int | None
    # The owner's zone: the contact's facts are dated in the owner's days.
    time_zone: str


def day_start(day: date) -> datetime:
    """Midnight UTC at the start of `day`."""
    return datetime.combine(day, time(0), UTC)


class _LocalDays:
    """UTC minutes ("YYYY-MM-DD HH:MM", as `RawSql.utc_minute` reads them) turned into
    a zone's calendar day, each (zone, minute) once: a full rescore reads a million."""

    def __init__(self) -> None:
        self._memo: dict[tuple[str, str], date] = {}

    def __call__(self, minute: str, time_zone: str) -> date:
        key = (time_zone, minute)
        day = self._memo.get(key)
        if day is None:
            moment = datetime.fromisoformat(minute).replace(tzinfo=UTC)
            day = self._memo[key] = local_day(moment, time_zone)
        return day


class _Days(dict[Any, date]):
    """Days as the database returns them (SQLite "YYYY-MM-DD" text, PostgreSQL dates),
    each turned into a date once."""

    def __missing__(self, value: Any) -> date:
        day = self[value] = value if isinstance(value, date) else date.fromisoformat(value)
        return day


class RawSql:
    """Hand-written SQL on the session's own connection, for the paths that score everyone.

    A full snapshot reads over a million rows and writes a hundred thousand:
    SQLAlchemy's per-row type processing and Row objects would cost more than
    the database. Values go in as the app's column types store them (on
    SQLite UUIDs as 32 hex digits and UTC times as text; native on PostgreSQL)
    and rows come back as plain tuples of text.
    """

    def __init__(self, session: Session) -> None:
        # Pending changes must be in the database before it is read directly.
        session.flush()
        self.sqlite = session.get_bind().dialect.name == "sqlite"
        self.mark = "?" if self.sqlite else "%s"
        connection = session.connection().connection.dbapi_connection
        if connection is None:
            raise RuntimeError("the session's connection is closed")
        self._connection = connection

    def id_value(self, value: uuid.UUID) -> Any:
        return value.hex if self.sqlite else value

    def key(self, value: uuid.UUID) -> str:
        """A contact id as `id_text` returns it."""
        return value.hex if self.sqlite else str(value)

    def moment(self, value: datetime) -> Any:
        if self.sqlite:
            return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
        return value

    def day(self, value: date) -> Any:
        return value.isoformat() if self.sqlite else value

    def id_text(self, column: str) -> str:
        return column if self.sqlite else f"{column}::text"

    def utc_minute(self, column: str) -> str:
        """A stored time to the minute in UTC, as "YYYY-MM-DD HH:MM" text."""
        if self.sqlite:
            # Stored as UTC text "YYYY-MM-DD HH:MM:SS.ffffff".
            return f"substr({column}, 1, 16)"
        return f"to_char({column} AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI')"

    def among(self, column: str, ids: Sequence[uuid.UUID]) -> tuple[str, list[Any]]:
        if self.sqlite:
            return f"{column} IN ({', '.join('?' for _ in ids)})", [value.hex for value in ids]
        return f"{column} = ANY(%s)", [list(ids)]

    def between(self, column: str, first: uuid.UUID, last: uuid.UUID) -> tuple[str, list[Any]]:
        return f"{column} BETWEEN {self.mark} AND {self.mark}", [
            self.id_value(first),
            self.id_value(last),
        ]

    def fetch(self, sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
        cursor = self._connection.cursor()
        try:
            cursor.execute(sql, params)
            return list(cursor.fetchall())
        finally:
            cursor.close()

    def execute(self, sql: str, params: Sequence[Any]) -> int:
        """Runs `sql` once; returns how many rows it changed."""
        cursor = self._connection.cursor()
        try:
            cursor.execute(sql, params)
            return int(cursor.rowcount)
        finally:
            cursor.close()

    def run_many(self, sql: str, rows: Sequence[Sequence[Any]]) -> int:
        """Runs `sql` once per row; returns how many rows it changed in all."""
        if not rows:
            return 0
        cursor = self._connection.cursor()
        try:
            cursor.executemany(sql, rows)
            return int(cursor.rowcount)
        finally:
            cursor.close()


def table_of(model: type[SQLModel]) -> sa.Table:
    table: sa.Table = model.__table__  # type: ignore[attr-defined]
    return table


# A contact filter in raw SQL: a condition on a contact_id column, and its parameters.
Restrict = Callable[[RawSql, str], tuple[str, list[Any]]]


def _facts(
    session: Session, keys: Sequence[ContactKey], restrict: Restrict, until: date
) -> list[tuple[ContactKey, RelationshipFacts]]:
    """The facts of `keys` dated up to `until` in their owners' days, read where
    `restrict` allows. Rows of contacts outside `keys` are dropped.
    """
    raw = RawSql(session)
    days = _Days()
    local = _LocalDays()
    zones = {raw.key(key.id): key.time_zone for key in keys}
    # A day ends up to 12 hours after UTC's; later facts are dropped by the score.
    end = raw.moment(day_start(until + timedelta(days=2)))
    mark = raw.mark

    interactions: dict[str, list[InteractionFact]] = defaultdict(list)
    where, params = restrict(raw, "contact_id")
    for contact_id, minute, sentiment in raw.fetch(
        f"SELECT {raw.id_text('contact_id')}, {raw.utc_minute('occurred_at')}, sentiment "
        f"FROM {table_of(Interaction).name} WHERE {where} AND occurred_at < {mark}",
        [*params, end],
    ):
        zone = zones.get(contact_id)
        if zone is not None:
            interactions[contact_id].append(InteractionFact(local(minute, zone), sentiment))

    follow_ups: dict[str, list[FollowUpFact]] = defaultdict(list)
    where, params = restrict(raw, "f.contact_id")
    # Follow-ups due later than `until` play no part in its score. A promise made
    # in a note dates from the note's day.
    promised = "COALESCE(i.occurred_at, f.created_at)"
    for contact_id, due_on, status, done_on, snooze_until, promised_at, note, changed in raw.fetch(
        f"SELECT {raw.id_text('f.contact_id')}, f.due_on, f.status, f.done_on, f.snooze_until, "
        f"{raw.utc_minute(promised)}, i.id IS NOT NULL, {raw.utc_minute('f.changed_at')} "
        f"FROM {table_of(FollowUp).name} f "
        f"LEFT JOIN {table_of(Interaction).name} i ON i.id = f.interaction_id "
        f"WHERE {where} AND f.due_on <= {mark}",
        [*params, raw.day(until)],
    ):
        zone = zones.get(contact_id)
        if zone is None:
            continue
        follow_ups[contact_id].append(
            FollowUpFact(
                days[due_on],
                status,
                None if done_on is None else days[done_on],
                None if snooze_until is None else days[snooze_until],
                promised_on=local(promised_at, zone),
                from_note=bool(note),
                changed_on=local(changed, zone),
            )
        )

    complaints: dict[str, list[ComplaintFact]] = defaultdict(list)
    where, params = restrict(raw, "contact_id")
    for contact_id, opened, resolved in raw.fetch(
        f"SELECT {raw.id_text('contact_id')}, {raw.utc_minute('opened_at')}, "
        f"{raw.utc_minute('resolved_at')} "
        f"FROM {table_of(Complaint).name} WHERE {where} AND opened_at < {mark}",
        [*params, end],
    ):
        zone = zones.get(contact_id)
        if zone is not None:
            complaints[contact_id].append(
                ComplaintFact(
                    local(opened, zone), None if resolved is None else local(resolved, zone)
                )
            )

    facts = []
    for key in keys:
        text = raw.key(key.id)
        facts.append(
            (
                key,
                RelationshipFacts(
                    tier=key.tier,
                    rhythm_days=key.rhythm_days,
                    interactions=interactions.get(text, ()),
                    follow_ups=follow_ups.get(text, ()),
                    complaints=complaints.get(text, ()),
                ),
            )
        )
    return facts


_KEY_COLUMNS = (
    col(Contact.id),
    col(Contact.owner_id),
    col(Contact.tier),
    col(Contact.rhythm_days),
    col(User.time_zone),
)


def _keys() -> Any:
    query: Any = select(*_KEY_COLUMNS)  # type: ignore[call-overload]
    return query.join(User, col(User.id) == col(Contact.owner_id))


def load_facts_for(
    session: Session, contact_ids: Sequence[uuid.UUID], until: date
) -> dict[uuid.UUID, tuple[ContactKey, RelationshipFacts]]:
    """The facts of a few contacts (by id) as of `until`; unknown ids are left out."""
    if not contact_ids:
        return {}
    keys = [
        ContactKey(*row) for row in session.exec(_keys().where(col(Contact.id).in_(contact_ids)))
    ]
    return {
        key.id: (key, facts)
        for key, facts in _facts(session, keys, _among([key.id for key in keys]), until)
    }


def _between(first: uuid.UUID, last: uuid.UUID) -> Restrict:
    return lambda raw, column: raw.between(column, first, last)


def _among(ids: list[uuid.UUID]) -> Restrict:
    return lambda raw, column: raw.among(column, ids)


def iter_facts(
    session: Session,
    until: date,
    where: ColumnElement[bool] | None = None,
    *,
    by_range: bool | None = None,
    batch_size: int = BATCH_SIZE,
) -> Iterator[list[tuple[ContactKey, RelationshipFacts]]]:
    """Every contact matching `where` (all when None) with its facts, in batches by id.

    `by_range` fetches a batch's facts by the range of its ids, which walks the
    (contact_id, ...) indexes and beats binding thousands of ids, but reads the
    facts of contacts in between that `where` left out; it suits a `where` that
    keeps most contacts, and is the default when there is none.
    """
    if by_range is None:
        by_range = where is None
    after: uuid.UUID | None = None
    while True:
        query = _keys().order_by(col(Contact.id)).limit(batch_size)
        if where is not None:
            query = query.where(where)
        if after is not None:
            query = query.where(col(Contact.id) > after)
        keys = [ContactKey(*row) for row in session.exec(query)]
        if not keys:
            return
        restrict = (
            _between(keys[0].id, keys[-1].id) if by_range else _among([key.id for key in keys])
        )
        yield _facts(session, keys, restrict, until)
        if len(keys) < batch_size:
            return
        after = keys[-1].id


def stored_health(
    session: Session, first: uuid.UUID, last: uuid.UUID
) -> dict[uuid.UUID, tuple[int | None, str, list[str]]]:
    """The stored (score, band, reasons) of the contacts with ids from `first` to `last`."""
    return {
        contact_id: (score, band, list(reasons))
        for contact_id, score, band, reasons in session.exec(
            select(
                Contact.id, Contact.health_score, Contact.health_band, Contact.health_reasons
            ).where(col(Contact.id).between(first, last))
        )
    }


_CONTACT = table_of(Contact).c
# Core executemany: one prepared UPDATE for a whole batch, no ORM bookkeeping per row.
_STORE_HEALTH = (
    sa.update(table_of(Contact))
    .where(_CONTACT.id == sa.bindparam("contact_id"))
    .values(
        health_score=sa.bindparam("score"),
        health_band=sa.bindparam("band"),
        health_reasons=sa.bindparam("reasons"),
    )
)
_HEALTH_FIELDS = ["health_score", "health_band", "health_reasons"]


def _forget_loaded_health(session: Session, contact_ids: list[uuid.UUID]) -> None:
    """Contacts this session already holds reload their health on next use."""
    for contact_id in contact_ids:
        loaded = session.identity_map.get(identity_key(Contact, contact_id))
        if loaded is not None:
            session.expire(loaded, _HEALTH_FIELDS)


def write_health(session: Session, scores: dict[uuid.UUID, Health]) -> None:
    """Stores each contact's new health in one prepared UPDATE for all of them."""
    if not scores:
        return
    session.connection().execute(
        _STORE_HEALTH,
        [
            {
                "contact_id": contact_id,
                "score": health.score,
                "band": health.band,
                "reasons": list(health.reasons),
            }
            for contact_id, health in scores.items()
        ],
    )
    _forget_loaded_health(session, list(scores))
