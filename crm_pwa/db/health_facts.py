"""The facts health is scored from, loaded in batches.

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
from sqlmodel import Session, col, select

from crm_pwa.db.contact import Contact
from crm_pwa.db.interaction import Complaint, FollowUp, Interaction
from crm_pwa.db.local_days import LocalDays, StoredDays
from crm_pwa.db.note_rows import table_of
from crm_pwa.db.raw_sql import RawSql
from crm_pwa.db.user import User
from crm_pwa.domain.follow_through import FollowUpFact
from crm_pwa.domain.health import ComplaintFact, RelationshipFacts
from crm_pwa.domain.interaction_days import InteractionDays

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
    day (`LocalDays`), and interactions stay day numbers (`InteractionDays`).
    """
    raw = RawSql(session)
    days = StoredDays()
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

    # One row per contact, its interactions' times and sentiments in step: the
    # database makes the numbers and joins them, so Python handles a string or a
    # list per contact instead of a row per interaction.
    interactions: dict[str, InteractionDays] = {}
    where, params = restrict(raw, "contact_id")
    seconds = raw.epoch_seconds("occurred_at")
    if raw.sqlite:
        together = f"group_concat({seconds}), group_concat(sentiment)"
    else:
        together = f"array_agg({seconds}), array_agg(sentiment::text)"
    for contact_id, moments, sentiments in raw.fetch(
        f"SELECT {raw.id_text('contact_id')}, {together} "
        f"FROM {table_of(Interaction).name} WHERE {where} AND occurred_at < {mark} "
        "GROUP BY contact_id",
        [*params, end],
    ):
        zone_days = local.get(contact_id)
        if zone_days is not None:
            if raw.sqlite:
                moments, sentiments = map(int, moments.split(",")), sentiments.split(",")
            interactions[contact_id] = InteractionDays(zone_days.ordinals(moments), sentiments)

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
