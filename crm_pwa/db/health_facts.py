"""The facts health is scored from, loaded in batches, and the scores written back.

One piece on purpose (494 lines): the batch reads and the set-based writes share
the per-dialect SQL and the contact keys, and are tuned together for speed.

One contact is rescored after each change that feeds its score; the daily job
and the weekly snapshot score every contact, so the facts are loaded in large
batches with three queries per batch rather than three per contact, in SQL
written by hand (see `RawSql`).
"""

from __future__ import annotations

import json
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
from crm_pwa.domain.days import local_day, zone
from crm_pwa.domain.follow_through import FollowUpFact
from crm_pwa.domain.health import ComplaintFact, Health, InteractionFact, RelationshipFacts

# Contacts scored per round trip: large enough that query overhead vanishes,
# small enough that a batch of facts stays a few tens of megabytes.
BATCH_SIZE = 5_000


@dataclass(frozen=True, slots=True)
class ContactKey:
    """The columns of a contact that scoring and snapshots need.

    Ids stay as the database gives them as text (`RawSql.key`): a full run reads
    a hundred thousand keys and writes most of them back, so a UUID is built
    only when a caller asks for one.
    """

    # The contact's id as text, to match fact rows by.
    ref: str
    owner_ref: str
    tier: str
    rhythm_days: int | None
    # The owner's zone: the contact's facts are dated in the owner's days.
    time_zone: str

    @property
    def id(self) -> uuid.UUID:
        return uuid.UUID(self.ref)

    @property
    def owner_id(self) -> uuid.UUID:
        return uuid.UUID(self.owner_ref)


def day_start(day: date) -> datetime:
    """Midnight UTC at the start of `day`."""
    return datetime.combine(day, time(0), UTC)


class LocalDays:
    """UTC times as `RawSql.utc_time` returns them turned into a zone's calendar days.

    A full rescore reads a million times, so the zone's offset is looked up once
    per UTC day, not once per time: a day whose offset is the same at its first
    and last minute (every day but those of a clock change) maps each time to
    the local day by adding that offset. Times count to the minute, as stored
    times are compared everywhere else in scoring.
    """

    def __init__(self, time_zone: str, text: bool) -> None:
        self._time_zone = time_zone
        self._zone = zone(time_zone)
        self._text = text
        # UTC day -> its local day (offset 0), (day before, day, day after, offset
        # in seconds), or None on a day the offset changes.
        self._rules: dict[Any, Any] = {}
        self._exact: dict[Any, date] = {}

    def __call__(self, moment: Any) -> date:
        key = moment[:10] if self._text else moment.date()
        rule = self._rules.get(key, _UNKNOWN)
        if rule is _UNKNOWN:
            rule = self._rules[key] = self._rule(key)
        if rule.__class__ is date:
            return rule
        if rule is None:
            return self._exact_day(moment)
        if self._text:
            minute = int(moment[11:13]) * 60 + int(moment[14:16])
        else:
            minute = moment.hour * 60 + moment.minute
        # -1, 0 or 1 day from the UTC day: an offset is less than a day.
        return rule[(minute * 60 + rule[3]) // 86_400 + 1]  # type: ignore[no-any-return]

    def _rule(self, key: Any) -> Any:
        utc_day = date.fromisoformat(key) if self._text else key
        first = datetime.combine(utc_day, time(0), UTC).astimezone(self._zone).utcoffset()
        last = datetime.combine(utc_day, time(23, 59), UTC).astimezone(self._zone).utcoffset()
        if first != last or first is None:
            return None
        offset = int(first.total_seconds())
        if offset == 0:
            return utc_day
        one = timedelta(days=1)
        return (utc_day - one, utc_day, utc_day + one, offset)

    def _exact_day(self, moment: Any) -> date:
        minute = moment[:16] if self._text else moment.replace(second=0, microsecond=0)
        day = self._exact.get(minute)
        if day is None:
            at = datetime.fromisoformat(minute) if self._text else minute
            day = self._exact[minute] = local_day(at.replace(tzinfo=UTC), self._time_zone)
        return day


_UNKNOWN = object()


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

    def utc_time(self, column: str) -> str:
        """A stored time in UTC: on SQLite its stored text "YYYY-MM-DD HH:MM:SS.ffffff",
        on PostgreSQL a naive datetime (which the driver builds in C, unlike text
        that `to_char` would format row by row)."""
        if self.sqlite:
            return column
        return f"({column} AT TIME ZONE 'UTC')"

    def json_text(self, column: str) -> str:
        """A JSON column as its text, for `json.loads` (which beats any driver's)."""
        return column if self.sqlite else f"{column}::text"

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
    session: Session,
    keys: Sequence[ContactKey],
    restrict: Restrict,
    until: date,
    by_zone: dict[str, LocalDays] | None = None,
) -> list[tuple[ContactKey, RelationshipFacts]]:
    """The facts of `keys` dated up to `until` in their owners' days, read where
    `restrict` allows. Rows of contacts outside `keys` are dropped. `by_zone`
    keeps each zone's days from one batch to the next.

    This is the inner loop of every full rescore (a million interactions), so it
    works on plain tuples: each owner's zone turns times into days once per UTC
    day (`LocalDays`), and equal facts are shared rather than built again.
    """
    raw = RawSql(session)
    days = _Days()
    if by_zone is None:
        by_zone = {}
    local: dict[str, LocalDays] = {}
    for key in keys:
        zone_days = by_zone.get(key.time_zone)
        if zone_days is None:
            zone_days = by_zone[key.time_zone] = LocalDays(key.time_zone, raw.sqlite)
        local[key.ref] = zone_days
    # A day ends up to 12 hours after UTC's; later facts are dropped by the score.
    end = raw.moment(day_start(until + timedelta(days=2)))
    mark = raw.mark

    interactions: dict[str, list[InteractionFact]] = {key: [] for key in local}
    shared: dict[tuple[date, str], InteractionFact] = {}
    where, params = restrict(raw, "contact_id")
    for contact_id, moment, sentiment in raw.fetch(
        f"SELECT {raw.id_text('contact_id')}, {raw.utc_time('occurred_at')}, sentiment "
        f"FROM {table_of(Interaction).name} WHERE {where} AND occurred_at < {mark}",
        [*params, end],
    ):
        zone_days = local.get(contact_id)
        if zone_days is not None:
            day = zone_days(moment)
            fact = shared.get((day, sentiment))
            if fact is None:
                fact = shared[day, sentiment] = InteractionFact(day, sentiment)
            interactions[contact_id].append(fact)

    follow_ups: dict[str, list[FollowUpFact]] = defaultdict(list)
    where, params = restrict(raw, "f.contact_id")
    # Follow-ups due later than `until` play no part in its score. A promise made
    # in a note dates from the note's day. The note is looked up per follow-up:
    # a join would let PostgreSQL hash every interaction of the book per batch.
    note_at = (
        f"(SELECT {raw.utc_time('i.occurred_at')} FROM {table_of(Interaction).name} i "
        "WHERE i.id = f.interaction_id)"
    )
    for contact_id, due_on, status, done_on, snooze_until, noted, created, changed in raw.fetch(
        f"SELECT {raw.id_text('f.contact_id')}, f.due_on, f.status, f.done_on, f.snooze_until, "
        f"{note_at}, {raw.utc_time('f.created_at')}, {raw.utc_time('f.changed_at')} "
        f"FROM {table_of(FollowUp).name} f "
        f"WHERE {where} AND f.due_on <= {mark}",
        [*params, raw.day(until)],
    ):
        zone_days = local.get(contact_id)
        if zone_days is None:
            continue
        follow_ups[contact_id].append(
            FollowUpFact(
                days[due_on],
                status,
                None if done_on is None else days[done_on],
                None if snooze_until is None else days[snooze_until],
                promised_on=zone_days(created if noted is None else noted),
                from_note=noted is not None,
                changed_on=zone_days(changed),
            )
        )

    complaints: dict[str, list[ComplaintFact]] = defaultdict(list)
    where, params = restrict(raw, "contact_id")
    for contact_id, opened, resolved in raw.fetch(
        f"SELECT {raw.id_text('contact_id')}, {raw.utc_time('opened_at')}, "
        f"{raw.utc_time('resolved_at')} "
        f"FROM {table_of(Complaint).name} WHERE {where} AND opened_at < {mark}",
        [*params, end],
    ):
        zone_days = local.get(contact_id)
        if zone_days is not None:
            complaints[contact_id].append(
                ComplaintFact(zone_days(opened), None if resolved is None else zone_days(resolved))
            )

    facts = []
    for key in keys:
        text = key.ref
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


# Ids come back as text: turning them into UUIDs here is cheaper than SQLAlchemy's
# per-row type processing, and the text matches the fact rows' ids as they are.
_KEY_COLUMNS = (
    sa.cast(col(Contact.id), sa.String),
    sa.cast(col(Contact.owner_id), sa.String),
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
        ContactKey(*row)
        for row in session.connection().execute(_keys().where(col(Contact.id).in_(contact_ids)))
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
    by_zone: dict[str, LocalDays] = {}
    while True:
        query = _keys().order_by(col(Contact.id)).limit(batch_size)
        if where is not None:
            query = query.where(where)
        if after is not None:
            query = query.where(col(Contact.id) > after)
        keys = [ContactKey(*row) for row in session.connection().execute(query)]
        if not keys:
            return
        restrict = (
            _between(keys[0].id, keys[-1].id) if by_range else _among([key.id for key in keys])
        )
        yield _facts(session, keys, restrict, until, by_zone)
        if len(keys) < batch_size:
            return
        after = keys[-1].id


def stored_health(
    session: Session, first: ContactKey, last: ContactKey
) -> dict[str, tuple[int | None, str, str]]:
    """The stored (score, band, reasons as JSON text) of the contacts from `first` to
    `last` in id order, by `ContactKey.ref`."""
    raw = RawSql(session)
    where, params = raw.between("id", first.id, last.id)
    return {
        ref: (score, band, reasons)
        for ref, score, band, reasons in raw.fetch(
            f"SELECT {raw.id_text('id')}, health_score, health_band, "
            f"{raw.json_text('health_reasons')} FROM {table_of(Contact).name} WHERE {where}",
            params,
        )
    }


def same_health(stored: tuple[int | None, str, str] | None, health: Health) -> bool:
    """Whether `stored_health` already holds `health`; the reasons' JSON is read only
    when score and band agree."""
    return (
        stored is not None
        and stored[0] == health.score
        and stored[1] == health.band
        and json.loads(stored[2]) == list(health.reasons)
    )


_HEALTH_FIELDS = ["health_score", "health_band", "health_reasons"]


def _forget_loaded_health(session: Session, raw: RawSql, refs: set[str]) -> None:
    """Contacts this session already holds reload their health on next use.

    The session's few loaded objects are matched against the written ids, not
    the other way round: a full rescore writes a hundred thousand."""
    for loaded in list(session.identity_map.values()):
        if isinstance(loaded, Contact) and raw.key(identity_key(instance=loaded)[1][0]) in refs:
            session.expire(loaded, _HEALTH_FIELDS)


def write_health(session: Session, scores: dict[ContactKey, Health]) -> None:
    """Stores each contact's new health: one prepared UPDATE run for every row on
    SQLite, one UPDATE from arrays on PostgreSQL (a statement per row there would
    cost a round of the server's executor each)."""
    if not scores:
        return
    raw = RawSql(session)
    table = table_of(Contact).name
    if raw.sqlite:
        raw.run_many(
            f"UPDATE {table} SET health_score = ?, health_band = ?, health_reasons = ? "
            "WHERE id = ?",
            [
                (health.score, health.band, json.dumps(list(health.reasons)), key.ref)
                for key, health in scores.items()
            ],
        )
    else:
        raw.execute(
            f"UPDATE {table} SET health_score = u.score, health_band = u.band, "
            "health_reasons = u.reasons::json "
            "FROM unnest(%s::uuid[], %s::int[], %s::text[], %s::text[]) "
            "AS u(id, score, band, reasons) "
            f"WHERE {table}.id = u.id",
            [
                [key.ref for key in scores],
                [health.score for health in scores.values()],
                [health.band for health in scores.values()],
                [json.dumps(list(health.reasons)) for health in scores.values()],
            ],
        )
    _forget_loaded_health(session, raw, {key.ref for key in scores})
