"""Logging notes (interactions), with the follow-ups they promise, exactly once.

A note carries the id its phone made; storing it is an INSERT that does nothing
when that id exists, so a replayed outbox flush, or two flushes racing each
other, leave one row. `store_notes` serves one note and a whole outbox batch
(`crm_pwa.services.sync`, which the note sheet's outbox calls) alike.

A note is never lost for its next step: a follow-up dated in the past, too far
ahead, or whose id is taken is refused on its own and the note is stored.

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
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Connection
from sqlmodel import Session

from crm_pwa.db.engine import begin_writing
from crm_pwa.db.interaction import FollowUp, Interaction
from crm_pwa.db.note_rows import (
    StoredNote,
    insert_ignoring_duplicates,
    stored_follow_up_ids,
    stored_notes,
)
from crm_pwa.domain.days import local_day
from crm_pwa.domain.note_rules import (
    RuleError,
    check_due_on,
    check_occurred_at,
    earliest_next_step,
)
from crm_pwa.domain.sync import CREATED, REJECTED, NoteContent, SyncStatus, replayed_note_status
from crm_pwa.services.actor import Actor
from crm_pwa.services.contact_updates import CONTACT_NOT_FOUND, visible_contacts
from crm_pwa.services.errors import Invalid, NotFound, ServiceError
from crm_pwa.services.note_input import NoteIn, ReadNote, RefusedFollowUp, refused_next_step

FOLLOW_UP_ID_TAKEN = "its id is already used by another follow-up."
NOT_STORABLE = "The database refused this note; check its values."


@dataclass(frozen=True, slots=True)
class NoteOutcome:
    status: SyncStatus
    note_id: uuid.UUID
    error: ServiceError | None = None
    refused_follow_up: RefusedFollowUp | None = None


@dataclass(frozen=True, slots=True)
class _Planned:
    """A note that passed every check and is to be inserted, with its follow-up if any."""

    index: int
    note_id: uuid.UUID
    note: NoteIn
    follow_up_id: uuid.UUID | None


def _content(note: NoteIn) -> NoteContent:
    return NoteContent(
        note.contact_id, note.kind, note.direction, note.occurred_at, note.summary, note.sentiment
    )


def _check_note(note: NoteIn, visible: Collection[uuid.UUID], now: datetime) -> None:
    if note.contact_id not in visible:
        raise NotFound(CONTACT_NOT_FOUND)
    try:
        check_occurred_at(note.occurred_at, now)
    except RuleError as error:
        raise Invalid(error.message, field=error.field) from error


def _check_follow_up(note: NoteIn, actor: Actor, today: date) -> RefusedFollowUp | None:
    """Why the note's next step is refused (judged on the rep's own day), or None."""
    if note.follow_up is None:
        return None
    earliest = earliest_next_step(note.occurred_at, local_day(note.occurred_at, actor.time_zone))
    try:
        check_due_on(note.follow_up.due_on, earliest=earliest, today=today)
    except RuleError as error:
        follow_up_id = str(note.follow_up.id) if note.follow_up.id else None
        return refused_next_step(follow_up_id, error.message)
    return None


def _replayed(known: StoredNote, note: NoteIn, note_id: uuid.UUID, actor: Actor) -> NoteOutcome:
    try:
        status = replayed_note_status(
            stored_author_id=known.author_id,
            author_id=actor.id,
            stored=known.content,
            sent=_content(note),
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
    """Insert the planned notes, then their follow-ups: (note ids added, follow-up ids added)."""
    # Ordered by id, so two flushes racing over the same notes lock them in the
    # same order and wait for each other instead of deadlocking.
    ordered = sorted(plans, key=lambda plan: plan.note_id)
    added = insert_ignoring_duplicates(
        connection, Interaction, [_interaction_row(plan, actor, now) for plan in ordered]
    )
    promised = [plan for plan in ordered if plan.note_id in added and plan.follow_up_id]
    follow_ups = insert_ignoring_duplicates(
        connection, FollowUp, [_follow_up_row(plan, actor, now) for plan in promised]
    )
    return added, follow_ups


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
    *, session: Session, actor: Actor, notes: Sequence[ReadNote], now: datetime
) -> list[NoteOutcome]:
    """Store each note once; one outcome per note, in order. Health is not refreshed here.

    A repeated id within the batch is answered like a replay of its first copy.
    """
    begin_writing(session)
    connection = session.connection()
    today = local_day(now, actor.time_zone)
    visible = visible_contacts(session, actor, {read.note.contact_id for read in notes}, lock=True)
    ids = [read.note.id or uuid.uuid4() for read in notes]
    outcomes: list[NoteOutcome | None] = [None] * len(notes)
    refusals: list[RefusedFollowUp | None] = [read.refused_follow_up for read in notes]
    first_copy: dict[uuid.UUID, int] = {}
    for index, read in enumerate(notes):
        try:
            _check_note(read.note, visible, now)
        except ServiceError as error:
            outcomes[index] = NoteOutcome(REJECTED, ids[index], error)
            continue
        refusals[index] = refusals[index] or _check_follow_up(read.note, actor, today)
        first_copy.setdefault(ids[index], index)

    stored = stored_notes(session, first_copy.keys())
    for note_id, index in first_copy.items():
        if note_id in stored:
            outcomes[index] = _replayed(stored[note_id], notes[index].note, note_id, actor)

    plans = _plan(session, [read.note for read in notes], ids, first_copy, outcomes, refusals)
    for index in _store_planned(session, connection, actor, plans, now, outcomes, refusals):
        outcomes[index] = NoteOutcome(REJECTED, ids[index], Invalid(NOT_STORABLE))

    for index, read in enumerate(notes):
        first = first_copy.get(ids[index])
        if outcomes[index] is None and first is not None and first != index:
            earlier = outcomes[first]
            assert earlier is not None
            # A later copy is judged against what is kept: the stored note, else the first copy.
            kept = stored.get(ids[index]) or StoredNote(actor.id, _content(notes[first].note))
            outcomes[index] = (
                earlier
                if earlier.status == REJECTED
                else _replayed(kept, read.note, ids[index], actor)
            )
    answered: list[NoteOutcome] = []
    for outcome, refusal in zip(outcomes, refusals, strict=True):
        assert outcome is not None, "every note has an outcome"
        keeps_note = outcome.status != REJECTED
        answered.append(replace(outcome, refused_follow_up=refusal) if keeps_note else outcome)
    return answered


def _plan(
    session: Session,
    notes: Sequence[NoteIn],
    ids: list[uuid.UUID],
    first_copy: Mapping[uuid.UUID, int],
    outcomes: list[NoteOutcome | None],
    refusals: list[RefusedFollowUp | None],
) -> list[_Planned]:
    """The notes still to insert, with the ids of the follow-ups that go in with them.

    A follow-up refused already, or whose id is taken, is left out (and refused).
    """
    pending = [index for index in first_copy.values() if outcomes[index] is None]
    follow_up_ids: dict[int, uuid.UUID] = {}
    for index in pending:
        follow_up = notes[index].follow_up
        if follow_up is not None and refusals[index] is None:
            follow_up_ids[index] = follow_up.id or uuid.uuid4()
    taken = stored_follow_up_ids(session, set(follow_up_ids.values()))
    plans: list[_Planned] = []
    for index in pending:
        follow_up_id = follow_up_ids.get(index)
        if follow_up_id is not None and follow_up_id in taken:
            refusals[index] = refused_next_step(str(follow_up_id), FOLLOW_UP_ID_TAKEN)
            follow_up_id = None
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
    refusals: list[RefusedFollowUp | None],
) -> list[int]:
    """Insert the plans, filling `outcomes`; returns the indexes the database refused."""
    if not plans:
        return []
    try:
        with connection.begin_nested():
            added = _insert_planned(connection, actor, plans, now)
        results = {plan.note_id: added for plan in plans}
    except (sa.exc.IntegrityError, sa.exc.DataError):
        results = {plan.note_id: _insert_one(connection, actor, plan, now) for plan in plans}
    raced: list[_Planned] = []
    for plan in plans:
        notes_added, follow_ups_added = results[plan.note_id]
        if plan.note_id not in notes_added:
            raced.append(plan)
            continue
        outcomes[plan.index] = NoteOutcome(CREATED, plan.note_id)
        if plan.follow_up_id is not None and plan.follow_up_id not in follow_ups_added:
            # Taken by another flush since the look-up.
            refusals[plan.index] = refused_next_step(str(plan.follow_up_id), FOLLOW_UP_ID_TAKEN)
    # Not added: another flush stored the id since the look-up, or the database
    # refused this one note.
    stored = stored_notes(session, [plan.note_id for plan in raced])
    refused: list[int] = []
    for plan in raced:
        known = stored.get(plan.note_id)
        if known is None:
            refused.append(plan.index)
        else:
            outcomes[plan.index] = _replayed(known, plan.note, plan.note_id, actor)
    return refused
