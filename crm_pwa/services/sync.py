"""The offline outbox flush: many notes and follow-up changes, each answered on its own.

Every item is validated on its own, so a bad one is `rejected` with its reason
while the others go in, and nothing of a rejected item is left behind. A note
whose next step is refused is still stored: its result says `created` (or
`duplicate`) and carries the follow-up's refusal. Notes are stored by
`store_notes` (a few statements for the whole batch, with a savepoint per note
when the database refuses one); each follow-up change runs in its own
savepoint. Health is refreshed once per touched contact at the end.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy.exc import DataError, IntegrityError
from sqlmodel import Session

from crm_pwa.db.engine import begin_writing
from crm_pwa.domain.note_rules import RuleError
from crm_pwa.domain.sync import (
    CONFLICT,
    CREATED,
    NOTE_CONFLICT,
    REJECTED,
    UPDATED,
    SyncStatus,
    batch_size_error,
)
from crm_pwa.services.actor import Actor
from crm_pwa.services.contact_updates import refresh_touched_contacts
from crm_pwa.services.errors import ServiceError, TooLarge
from crm_pwa.services.follow_ups import FollowUpChange, apply_change
from crm_pwa.services.note_input import ReadNote, describe_validation_error, echoed_id, read_note
from crm_pwa.services.notes import NOT_STORABLE, store_notes


class SyncBatch(BaseModel):
    """The body of POST /sync. Items stay raw here so each one is judged on its own."""

    # An unknown top-level key would be a silent drop of whatever it carried.
    model_config = ConfigDict(extra="forbid")

    interactions: list[Any] = Field(default_factory=list)
    follow_up_updates: list[Any] = Field(default_factory=list)


class FollowUpResult(BaseModel):
    """A note's next step that was refused while the note itself was kept."""

    id: str | None
    status: Literal["rejected"] = "rejected"
    error: str


class SyncResult(BaseModel):
    id: str | None
    status: SyncStatus
    error: str | None = None
    # Only when the note's next step was refused; absent otherwise.
    follow_up: FollowUpResult | None = Field(default=None, exclude_if=lambda value: value is None)


def _raw_id(item: Any) -> str | None:
    """The id as the phone sent it, so its outbox can match the answer to its record."""
    return echoed_id(item.get("id")) if isinstance(item, dict) else None


def _not_an_object(what: str) -> SyncResult:
    return SyncResult(id=None, status=REJECTED, error=f"Each {what} must be a JSON object.")


def _parse_note(item: Any) -> ReadNote | SyncResult:
    if not isinstance(item, dict):
        return _not_an_object("interaction")
    try:
        return read_note(item)
    except ValidationError as error:
        return SyncResult(id=_raw_id(item), status=REJECTED, error=describe_validation_error(error))


def _parse_change(item: Any) -> FollowUpChange | SyncResult:
    if not isinstance(item, dict):
        return _not_an_object("follow-up update")
    try:
        return FollowUpChange.model_validate(item)
    except ValidationError as error:
        return SyncResult(id=_raw_id(item), status=REJECTED, error=describe_validation_error(error))


def _change(
    session: Session, actor: Actor, raw: Any, change: FollowUpChange, now: datetime
) -> tuple[SyncResult, uuid.UUID | None]:
    """One follow-up change in its own savepoint: the result, and the contact it touched."""
    try:
        with session.begin_nested():
            status, contact_id = apply_change(session, actor, change, now)
    except (ServiceError, RuleError) as error:
        return SyncResult(id=_raw_id(raw), status=REJECTED, error=error.message), None
    except (IntegrityError, DataError):
        return SyncResult(id=_raw_id(raw), status=REJECTED, error=NOT_STORABLE), None
    result = SyncResult(id=_raw_id(raw) or str(change.id), status=status)
    return result, contact_id if status == UPDATED else None


def sync_outbox(
    *, session: Session, actor: Actor, batch: SyncBatch, now: datetime
) -> list[SyncResult]:
    """One result per item, in order: interactions first, then follow-up updates.

    Raises TooLarge (413) for more than 1,000 items, before anything is stored.
    """
    too_large = batch_size_error(len(batch.interactions) + len(batch.follow_up_updates))
    if too_large:
        raise TooLarge(too_large)
    begin_writing(session)

    parsed = [_parse_note(item) for item in batch.interactions]
    notes = [read for read in parsed if isinstance(read, ReadNote)]
    outcomes = iter(store_notes(session=session, actor=actor, notes=notes, now=now))
    touched: dict[uuid.UUID, datetime | None] = {}
    results: list[SyncResult] = []
    for raw, read in zip(batch.interactions, parsed, strict=True):
        if isinstance(read, SyncResult):
            results.append(read)
            continue
        note = read.note
        outcome = next(outcomes)
        error = outcome.error.message if outcome.error else None
        if outcome.status == CONFLICT:
            error = NOTE_CONFLICT
        refused = outcome.refused_follow_up
        results.append(
            SyncResult(
                id=_raw_id(raw) or str(outcome.note_id),
                status=outcome.status,
                error=error,
                follow_up=None
                if refused is None
                else FollowUpResult(id=refused.id, error=refused.error),
            )
        )
        if outcome.status == CREATED:
            newest = touched.get(note.contact_id)
            touched[note.contact_id] = (
                note.occurred_at if newest is None else max(newest, note.occurred_at)
            )

    for raw in batch.follow_up_updates:
        change = _parse_change(raw)
        if isinstance(change, SyncResult):
            results.append(change)
            continue
        result, contact_id = _change(session, actor, raw, change, now)
        results.append(result)
        if contact_id is not None:
            touched.setdefault(contact_id, None)

    refresh_touched_contacts(session, touched, now)
    return results
