"""Logging notes (interactions), with the follow-ups they promise, exactly once.

A note carries the id its phone made; storing it is an INSERT that does nothing
when that id exists, so a replayed outbox flush, or two flushes racing each
other, leave one row. `store_notes` serves one note from a page and a whole
outbox batch (`crm_pwa.services.sync`) alike.

A batch is judged first (contact, dates, ids already taken) with a handful of
queries for all of it; what passes goes in with a few multi-row INSERTs inside
one savepoint. Should the database still refuse something there, that
savepoint is rolled back and the notes are stored again one by one, each in
its own savepoint, so a failing note never takes the others down and never
leaves half of itself behind. A savepoint per note in the common case would
cost three round trips per note: seconds for 1,000 notes on a busy server.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from pydantic import BaseModel, ValidationError, ValidationInfo, field_validator
from sqlalchemy import Connection, Insert, Table, Update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, SQLModel, col, select

from crm_pwa.db.columns import UTCDateTime
from crm_pwa.db.contact import Contact
from crm_pwa.db.engine import begin_writing
from crm_pwa.db.interaction import FollowUp, Interaction
from crm_pwa.domain.days import local_day
from crm_pwa.domain.note_rules import (
    RuleError,
    check_aware,
    check_direction,
    check_due_on,
    check_kind,
    check_occurred_at,
    check_sentiment,
    clean_summary,
    clean_title,
)
from crm_pwa.domain.sync import CREATED, REJECTED, SyncStatus, replayed_note_status
from crm_pwa.services.actor import Actor, visible_owner_ids
from crm_pwa.services.errors import Invalid, NotFound, ServiceError
from crm_pwa.services.health import refresh_all_health, refresh_contact_health

CONTACT_NOT_FOUND = "Contact not found."
FOLLOW_UP_ID_TAKEN = "This follow-up id is already used by another follow-up."
NOT_STORABLE = "The database refused this note; check its values."


class FollowUpIn(BaseModel):
    id: uuid.UUID | None = None
    due_on: date
    title: str

    @field_validator("title")
    @classmethod
    def _title(cls, value: str) -> str:
        return clean_title(value)


class NoteIn(BaseModel):
    id: uuid.UUID | None = None
    contact_id: uuid.UUID
    kind: str
    direction: str = "outbound"
    occurred_at: datetime
    summary: str
    sentiment: str = "neutral"
    follow_up: FollowUpIn | None = None

    @field_validator("kind")
    @classmethod
    def _kind(cls, value: str) -> str:
        return check_kind(value)

    # A phone that leaves a choice unset sends null: that means the default.
    @field_validator("direction", "sentiment", mode="before")
    @classmethod
    def _null_is_default(cls, value: Any, info: ValidationInfo) -> Any:
        if value is None and info.field_name is not None:
            return cls.model_fields[info.field_name].default
        return value

    @field_validator("direction")
    @classmethod
    def _direction_known(cls, value: str) -> str:
        return check_direction(value)

    @field_validator("sentiment")
    @classmethod
    def _sentiment_known(cls, value: str) -> str:
        return check_sentiment(value)

    @field_validator("occurred_at")
    @classmethod
    def _occurred_at(cls, value: datetime) -> datetime:
        return check_aware("occurred_at", value)

    @field_validator("summary")
    @classmethod
    def _summary(cls, value: str) -> str:
        return clean_summary(value)


def describe_validation_error(error: ValidationError) -> str:
    """One readable line: the rule's own words where a rule refused, else field: message."""
    parts: list[str] = []
    for item in error.errors(include_url=False):
        cause = (item.get("ctx") or {}).get("error")
        if isinstance(cause, RuleError):
            parts.append(cause.message)
            continue
        where = ".".join(str(part) for part in item["loc"])
        parts.append(f"{where}: {item['msg']}" if where else item["msg"])
    return "; ".join(parts)


def visible_contacts(
    session: Session, actor: Actor, contact_ids: Collection[uuid.UUID], *, lock: bool = False
) -> set[uuid.UUID]:
    """Those of these contacts the actor may see, in one query; the rest are "not found".

    `lock` keeps them from being erased until commit (PostgreSQL FOR KEY SHARE;
    SQLite's write lock, taken by `begin_writing`, already does).
    """
    if not contact_ids:
        return set()
    query = select(Contact.id).where(col(Contact.id).in_(list(contact_ids)))
    owners = visible_owner_ids(session, actor)
    if owners is not None:
        query = query.where(col(Contact.owner_id).in_(owners))
    if lock:
        query = query.with_for_update(read=True, key_share=True)
    return set(session.exec(query))


def stored_notes(
    session: Session, note_ids: Collection[uuid.UUID]
) -> dict[uuid.UUID, tuple[uuid.UUID, uuid.UUID]]:
    """Contact and author of those of these note ids that are already stored."""
    if not note_ids:
        return {}
    rows = session.exec(
        select(Interaction.id, Interaction.contact_id, Interaction.author_id).where(
            col(Interaction.id).in_(list(note_ids))
        )
    )
    return {note_id: (contact_id, author_id) for note_id, contact_id, author_id in rows}


def _stored_follow_up_ids(session: Session, ids: Collection[uuid.UUID]) -> set[uuid.UUID]:
    if not ids:
        return set()
    return set(session.exec(select(FollowUp.id).where(col(FollowUp.id).in_(list(ids)))))


def _table(model: type[SQLModel]) -> Table:
    table: Table = model.__table__  # type: ignore[attr-defined]
    return table


def _insert_ignoring_duplicates(
    connection: Connection, model: type[SQLModel], rows: list[dict[str, Any]]
) -> set[uuid.UUID]:
    """INSERT ... ON CONFLICT (id) DO NOTHING for many rows; returns the ids that went in.

    One compiled single-row statement, which SQLAlchemy's "insertmanyvalues"
    sends as multi-row INSERTs. RETURNING, not a row count: psycopg reports no
    reliable count for skipped rows.
    """
    if not rows:
        return set()
    table = _table(model)
    insert = postgresql_insert if connection.dialect.name == "postgresql" else sqlite_insert
    statement: Insert = (
        insert(table).on_conflict_do_nothing(index_elements=["id"]).returning(table.c.id)
    )
    return set(connection.execute(statement, rows).scalars())


@dataclass(frozen=True, slots=True)
class NoteOutcome:
    status: SyncStatus
    note_id: uuid.UUID
    error: ServiceError | None = None


@dataclass(frozen=True, slots=True)
class _Planned:
    """A note that passed every check and is to be inserted."""

    index: int
    note_id: uuid.UUID
    note: NoteIn
    follow_up_id: uuid.UUID | None


def _check(note: NoteIn, visible: Collection[uuid.UUID], today: date, now: datetime) -> None:
    if note.contact_id not in visible:
        raise NotFound(CONTACT_NOT_FOUND)
    try:
        check_occurred_at(note.occurred_at, now)
        if note.follow_up is not None:
            check_due_on(note.follow_up.due_on, since=note.occurred_at.date(), today=today)
    except RuleError as error:
        raise Invalid(error.message, field=error.field) from error


def _replayed(
    known: tuple[uuid.UUID, uuid.UUID], note: NoteIn, note_id: uuid.UUID, actor: Actor
) -> NoteOutcome:
    try:
        status = replayed_note_status(
            stored_contact_id=known[0],
            stored_author_id=known[1],
            contact_id=note.contact_id,
            author_id=actor.id,
        )
    except RuleError as error:
        return NoteOutcome(REJECTED, note_id, Invalid(error.message, field=error.field))
    return NoteOutcome(status, note_id)


def _interaction_row(plan: _Planned, actor: Actor, now: datetime) -> dict[str, Any]:
    note = plan.note
    return {
        "id": plan.note_id,
        "contact_id": note.contact_id,
        "author_id": actor.id,
        "kind": note.kind,
        "direction": note.direction,
        "occurred_at": note.occurred_at,
        "summary": note.summary,
        "sentiment": note.sentiment,
        "created_at": now,
    }


def _follow_up_row(plan: _Planned, actor: Actor, now: datetime) -> dict[str, Any]:
    note, follow_up = plan.note, plan.note.follow_up
    assert follow_up is not None and plan.follow_up_id is not None
    return {
        "id": plan.follow_up_id,
        "contact_id": note.contact_id,
        "owner_id": actor.id,
        "interaction_id": plan.note_id,
        "title": follow_up.title,
        "due_on": follow_up.due_on,
        "status": "open",
        "snooze_until": None,
        "done_on": None,
        # The phone's own time for the promise, so that a "done" tapped on the
        # same phone right after, in the same batch, is newer.
        "changed_at": min(note.occurred_at, now),
        "created_at": now,
        "last_reminded_on": None,
    }


def _insert_planned(
    connection: Connection, actor: Actor, plans: list[_Planned], now: datetime
) -> tuple[set[uuid.UUID], set[uuid.UUID]]:
    """Insert the planned notes and follow-ups; returns (notes added, notes undone).

    A note whose follow-up id was taken meanwhile is deleted again (undone), so
    no note is left without the follow-up it promised.
    """
    # Ordered by id, so two flushes racing over the same notes lock them in the
    # same order and wait for each other instead of deadlocking.
    ordered = sorted(plans, key=lambda plan: plan.note_id)
    added = _insert_ignoring_duplicates(
        connection, Interaction, [_interaction_row(plan, actor, now) for plan in ordered]
    )
    promised = [plan for plan in ordered if plan.note_id in added and plan.follow_up_id]
    follow_ups = _insert_ignoring_duplicates(
        connection, FollowUp, [_follow_up_row(plan, actor, now) for plan in promised]
    )
    undone = {plan.note_id for plan in promised if plan.follow_up_id not in follow_ups}
    if undone:
        interactions = _table(Interaction)
        connection.execute(interactions.delete().where(interactions.c.id.in_(list(undone))))
    return added - undone, undone


def _insert_one(
    connection: Connection, actor: Actor, plan: _Planned, now: datetime
) -> tuple[set[uuid.UUID], set[uuid.UUID]]:
    """The same as `_insert_planned` for one note, in its own savepoint."""
    try:
        with connection.begin_nested():
            return _insert_planned(connection, actor, [plan], now)
    except (sa.exc.IntegrityError, sa.exc.DataError):
        return set(), set()


def store_notes(
    *, session: Session, actor: Actor, notes: Sequence[NoteIn], now: datetime
) -> list[NoteOutcome]:
    """Store each note once; one outcome per note, in order. Health is not refreshed here.

    A repeated id within the batch is answered like a replay of its first copy.
    """
    begin_writing(session)
    connection = session.connection()
    today = local_day(now, actor.time_zone)
    visible = visible_contacts(session, actor, {note.contact_id for note in notes}, lock=True)
    ids = [note.id or uuid.uuid4() for note in notes]
    outcomes: list[NoteOutcome | None] = [None] * len(notes)
    first_copy: dict[uuid.UUID, int] = {}
    for index, note in enumerate(notes):
        try:
            _check(note, visible, today, now)
        except ServiceError as error:
            outcomes[index] = NoteOutcome(REJECTED, ids[index], error)
            continue
        first_copy.setdefault(ids[index], index)

    stored = stored_notes(session, first_copy.keys())
    for note_id, index in first_copy.items():
        if note_id in stored:
            outcomes[index] = _replayed(stored[note_id], notes[index], note_id, actor)

    plans = _plan(session, notes, ids, first_copy, outcomes)
    for index in _store_planned(session, connection, actor, plans, now, outcomes):
        outcomes[index] = NoteOutcome(REJECTED, ids[index], Invalid(NOT_STORABLE))

    for index, note in enumerate(notes):
        first = first_copy.get(ids[index])
        if outcomes[index] is None and first is not None and first != index:
            earlier = outcomes[first]
            assert earlier is not None
            outcomes[index] = (
                earlier
                if earlier.status == REJECTED
                else _replayed((notes[first].contact_id, actor.id), note, ids[index], actor)
            )
    answered = [outcome for outcome in outcomes if outcome is not None]
    assert len(answered) == len(notes), "every note has an outcome"
    return answered


def _plan(
    session: Session,
    notes: Sequence[NoteIn],
    ids: list[uuid.UUID],
    first_copy: Mapping[uuid.UUID, int],
    outcomes: list[NoteOutcome | None],
) -> list[_Planned]:
    """The notes still to insert, with their follow-up ids; a taken follow-up id is refused."""
    pending = [index for index in first_copy.values() if outcomes[index] is None]
    follow_up_ids: dict[int, uuid.UUID] = {}
    for index in pending:
        follow_up = notes[index].follow_up
        if follow_up is not None:
            follow_up_ids[index] = follow_up.id or uuid.uuid4()
    taken = _stored_follow_up_ids(session, set(follow_up_ids.values()))
    plans: list[_Planned] = []
    for index in pending:
        follow_up_id = follow_up_ids.get(index)
        if follow_up_id is not None and follow_up_id in taken:
            error = Invalid(FOLLOW_UP_ID_TAKEN, field="follow_up.id")
            outcomes[index] = NoteOutcome(REJECTED, ids[index], error)
            continue
        if follow_up_id is not None:
            taken.add(follow_up_id)  # a second note of this batch may not reuse it
        plans.append(_Planned(index, ids[index], notes[index], follow_up_id))
    return plans


def _store_planned(
    session: Session,
    connection: Connection,
    actor: Actor,
    plans: list[_Planned],
    now: datetime,
    outcomes: list[NoteOutcome | None],
) -> list[int]:
    """Insert the plans, filling `outcomes`; returns the indexes the database refused."""
    if not plans:
        return []
    try:
        with connection.begin_nested():
            added, undone = _insert_planned(connection, actor, plans, now)
        results = {plan.note_id: (added, undone) for plan in plans}
    except (sa.exc.IntegrityError, sa.exc.DataError):
        results = {plan.note_id: _insert_one(connection, actor, plan, now) for plan in plans}
    raced: list[_Planned] = []
    for plan in plans:
        added, undone = results[plan.note_id]
        if plan.note_id in added:
            outcomes[plan.index] = NoteOutcome(CREATED, plan.note_id)
        elif plan.note_id in undone:
            error = Invalid(FOLLOW_UP_ID_TAKEN, field="follow_up.id")
            outcomes[plan.index] = NoteOutcome(REJECTED, plan.note_id, error)
        else:
            raced.append(plan)
    # Not added and not undone: another flush stored the id since the lookup,
    # or the database refused this one note.
    stored = stored_notes(session, [plan.note_id for plan in raced])
    refused: list[int] = []
    for plan in raced:
        known = stored.get(plan.note_id)
        if known is None:
            refused.append(plan.index)
        else:
            outcomes[plan.index] = _replayed(known, plan.note, plan.note_id, actor)
    return refused


def _touch_statement() -> Update:
    contacts = _table(Contact)
    newest = sa.bindparam("b_newest", type_=UTCDateTime())
    stored_at = contacts.c.last_interaction_at
    return (
        contacts.update()
        .where(contacts.c.id == sa.bindparam("b_id"))
        .values(
            updated_at=sa.bindparam("b_now", type_=UTCDateTime()),
            # In SQL, not read-modify-write: a concurrent flush may have stored a
            # newer note. A null `b_newest` compares as unknown and keeps the stored time.
            last_interaction_at=sa.case(
                (stored_at.is_(None) | (stored_at < newest), newest), else_=stored_at
            ),
        )
    )


def refresh_touched_contacts(
    session: Session, touched: Mapping[uuid.UUID, datetime | None], now: datetime
) -> None:
    """After notes or follow-ups changed: last talked, updated_at and health, once per contact.

    `touched` maps each contact to the newest note time just stored for it
    (None when only follow-ups changed). The phone's book refreshes what changed
    since its last look by `updated_at`, and it shows last talked and follow-ups.
    """
    if not touched:
        return
    ids = sorted(touched)  # one lock order for every flush: no deadlock between two
    session.connection().execute(
        _touch_statement(),
        [{"b_id": contact_id, "b_newest": touched[contact_id], "b_now": now} for contact_id in ids],
    )
    # Loaded contacts would still show the old times; reload them when next read.
    for contact_id in ids:
        loaded = session.identity_map.get(session.identity_key(Contact, contact_id))
        if loaded is not None:
            session.expire(loaded)
    if len(ids) == 1:
        refresh_contact_health(session, ids[0], now)
    else:
        refresh_all_health(session, now, col(Contact.id).in_(ids))


def log_note(
    *, session: Session, actor: Actor, note: NoteIn, now: datetime
) -> tuple[str, uuid.UUID]:
    """Store a note once: ("created", id), or ("duplicate", id) when this note is already stored.

    Raises NotFound for a contact the actor may not see, Invalid for a note or
    follow-up id that belongs to something else, or a date out of range.
    """
    outcome = store_notes(session=session, actor=actor, notes=[note], now=now)[0]
    if outcome.error is not None:
        raise outcome.error
    if outcome.status == CREATED:
        refresh_touched_contacts(session, {note.contact_id: note.occurred_at}, now)
    return outcome.status, outcome.note_id
