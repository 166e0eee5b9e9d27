"""How items from a phone's offline outbox merge into what the server holds.

Notes are append-only and keyed by the id the phone made, so a replay is a
`duplicate`, never a second row; the same id sent with different content is a
`conflict` (the first copy stays, the phone keeps its own). Follow-up changes
carry the time the rep made them (`changed_at`): the latest change wins,
whatever order they arrive in, and a change no newer than the stored one is
ignored and answered `duplicate` so the phone can forget it. A phone whose
clock runs fast stamps its changes in the future: the server never stores a
time after its own, or the follow-up would refuse every other change until
that time had passed.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Final, Literal

from crm_pwa.domain.note_rules import RuleError, check_snooze_until, check_transition

SyncStatus = Literal["created", "duplicate", "updated", "rejected", "conflict"]
CREATED: Final = "created"
DUPLICATE: Final = "duplicate"
UPDATED: Final = "updated"
REJECTED: Final = "rejected"
CONFLICT: Final = "conflict"

NOTE_ID_TAKEN = "This note id is already used by another note."
NOTE_CONFLICT = (
    "A different note with this id was already saved; it was kept as it was, "
    "and this copy stays on the phone."
)
# The smallest step of a stored time: one change after another at the same instant.
_TICK = timedelta(microseconds=1)

MAX_BATCH_ITEMS = 1000


def batch_size_error(count: int) -> str | None:
    """Why a batch of `count` items is refused as a whole, or None when it is acceptable."""
    if count > MAX_BATCH_ITEMS:
        return (
            f"A sync holds at most {MAX_BATCH_ITEMS:,} items; this one has {count:,}. "
            "Send the rest in another call."
        )
    return None


@dataclass(frozen=True, slots=True)
class NoteContent:
    """What a note says, as stored (summary trimmed): two copies are the same note when equal."""

    contact_id: uuid.UUID
    kind: str
    direction: str
    occurred_at: datetime
    summary: str
    sentiment: str


def replayed_note_status(
    *,
    stored_author_id: uuid.UUID,
    author_id: uuid.UUID,
    stored: NoteContent,
    sent: NoteContent,
) -> SyncStatus:
    """A note id that is already stored: `duplicate` when it is the same rep's same note,
    `conflict` when that rep's note says something else; another rep's id is refused
    (RuleError), never overwritten."""
    if stored_author_id != author_id:
        raise RuleError("id", NOTE_ID_TAKEN)
    return DUPLICATE if stored == sent else CONFLICT


@dataclass(frozen=True, slots=True)
class FollowUpState:
    status: str
    snooze_until: date | None
    done_on: date | None
    changed_at: datetime


def merge_follow_up_change(
    stored: FollowUpState,
    *,
    status: str,
    snooze_until: date | None,
    changed_at: datetime,
    changed_on: date,
    now: datetime,
) -> FollowUpState | None:
    """The follow-up after a change, or None when the change is not newer than the stored one.

    `changed_on` is the rep's day the change was made: a follow-up done offline
    on Monday and synced on Wednesday was done on Monday, and a snooze is judged
    against the day it was chosen. One already done keeps its first completion day.

    Times after `now` come from a fast clock. A stored one (kept from before
    this rule) counts as just before `now`, so any change made now wins; a
    change stamped after `now` happened now, so it is newer than anything
    stored and is stored at `now` (one tick later when a change is already
    stored at `now`, to keep their order).
    """
    stored_at = stored.changed_at if stored.changed_at <= now else now - _TICK
    if changed_at <= stored_at:
        return None
    stamped = changed_at if changed_at <= now else max(now, stored_at + _TICK)
    check_transition(stored.status, status)
    until = check_snooze_until(snooze_until, today=changed_on) if status == "snoozed" else None
    completed: date | None = None
    if status == "done":
        completed = stored.done_on if stored.status == "done" and stored.done_on else changed_on
    return FollowUpState(status=status, snooze_until=until, done_on=completed, changed_at=stamped)
