"""When a follow-up asks for attention: the one "overdue" rule.

A snooze moves the day a follow-up asks for attention to the snooze's end:
snoozed until Friday, it is "due today" on Friday and overdue from Saturday.
A follow-up that is done asks for nothing, nor one snoozed with no end date.
Everything that says "overdue" or "due today" (the card, Today, the API, the
health score, the team view's SQL in services/team.py and the push reminder)
asks `due_state`.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Literal

DueState = Literal["done", "overdue", "due_today", "upcoming"]


def attention_day(due_on: date, snooze_until: date | None) -> date:
    """The day the follow-up asks for attention: its due date, or the end of a later snooze."""
    if snooze_until is not None and snooze_until > due_on:
        return snooze_until
    return due_on


def due_state(status: str, due_on: date, snooze_until: date | None, today: date) -> DueState:
    """Done, overdue (its day is before today), due today, or upcoming."""
    if status == "done":
        return "done"
    if status == "snoozed" and snooze_until is None:
        # A snooze without an end date has no day to wake up on.
        return "upcoming"
    day = attention_day(due_on, snooze_until)
    if day < today:
        return "overdue"
    if day == today:
        return "due_today"
    return "upcoming"


def is_overdue(status: str, due_on: date, snooze_until: date | None, today: date) -> bool:
    return due_state(status, due_on, snooze_until, today) == "overdue"


# "Snooze until tomorrow" and "until next week", in days after the rep's today
# (the same steps the note sheet's next-step chips take).
SNOOZE_TOMORROW_DAYS = 1
SNOOZE_NEXT_WEEK_DAYS = 7


def snooze_choices(today: date) -> tuple[date, date]:
    """(tomorrow, next week) for a rep whose day is `today` (`domain.days.local_day`)."""
    return today + timedelta(days=SNOOZE_TOMORROW_DAYS), today + timedelta(
        days=SNOOZE_NEXT_WEEK_DAYS
    )


def undone_state(status: str, snooze_until: date | None, today: date) -> tuple[str, date | None]:
    """What Undo after "Done" puts back: the open or snoozed follow-up it was.

    The card reopens the follow-up, then snoozes it again when it was snoozed (a
    done follow-up cannot be snoozed without reopening, `note_rules.check_transition`).
    A snooze that has already ended comes back as open: its day is past either
    way, so the follow-up asks for attention the same, and a snooze into the past
    is refused (`note_rules.check_snooze_until`).
    """
    if status == "snoozed" and snooze_until is not None and snooze_until >= today:
        return "snoozed", snooze_until
    return "open", None
