"""How items from a phone's offline outbox merge into what the server holds.

Notes are append-only and keyed by the id the phone made, so a replay is a
`duplicate`, never a second row. Follow-up changes carry the time the rep made
them (`changed_at`): the latest change wins, whatever order they arrive in, and
a change no newer than the stored one is ignored and answered `duplicate` so
the phone can forget it.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import Final, Literal

from crm_pwa.domain.note_rules import RuleError, check_snooze_until, check_transition

SyncStatus = Literal["created", "duplicate", "updated", "rejected"]
CREATED: Final = "created"
DUPLICATE: Final = "duplicate"
UPDATED: Final = "updated"
REJECTED: Final = "rejected"

MAX_BATCH_ITEMS = 1000


def batch_size_error(count: int) -> str | None:
    """Why a batch of `count` items is refused as a whole, or None when it is acceptable."""
    if count > MAX_BATCH_ITEMS:
        return (
            f"A sync holds at most {MAX_BATCH_ITEMS:,} items; this one has {count:,}. "
            "Send the rest in another call."
        )
    return None


def replayed_note_status(
    *,
    stored_contact_id: uuid.UUID,
    stored_author_id: uuid.UUID,
    contact_id: uuid.UUID,
    author_id: uuid.UUID,
) -> SyncStatus:
    """A note id that is already stored is a replay only if it is the same rep's note
    on the same contact; anything else is refused, never overwritten."""
    if stored_contact_id == contact_id and stored_author_id == author_id:
        return DUPLICATE
    raise RuleError("id", "This note id is already used by another note.")


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
) -> FollowUpState | None:
    """The follow-up after a change, or None when the change is not newer than the stored one.

    `changed_on` is the rep's day the change was made: a follow-up done offline
    on Monday and synced on Wednesday was done on Monday, and a snooze is judged
    against the day it was chosen. One already done keeps its first completion day.
    """
    if changed_at <= stored.changed_at:
        return None
    check_transition(stored.status, status)
    until = check_snooze_until(snooze_until, today=changed_on) if status == "snoozed" else None
    completed: date | None = None
    if status == "done":
        completed = stored.done_on if stored.status == "done" and stored.done_on else changed_on
    return FollowUpState(
        status=status, snooze_until=until, done_on=completed, changed_at=changed_at
    )
