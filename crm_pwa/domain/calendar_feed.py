"""Which follow-ups the rep's calendar feed shows, and on which day.

The feed is a to-do list laid on the calendar: each open follow-up is one
all-day event on the day it asks for attention (its due day, or the end of a
snooze, `attention_day`). Follow-ups stored with a due *date* are already in the
rep's own days, so an all-day event on that date lands on the right square in
any zone the phone is in. Done ones are not shown; neither is a snooze without
an end (it has no day), nor a follow-up with a contact who asked not to be
contacted: the feed is a reminder, and that flag stops reminders.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from crm_pwa.domain.due import attention_day


@dataclass(frozen=True, slots=True)
class FeedCandidate:
    status: str
    due_on: date
    snooze_until: date | None
    do_not_contact: bool


def feed_day(candidate: FeedCandidate) -> date | None:
    """The all-day event's date, or None when the follow-up is not in the feed."""
    if candidate.status == "done" or candidate.do_not_contact:
        return None
    if candidate.status == "snoozed" and candidate.snooze_until is None:
        return None
    return attention_day(candidate.due_on, candidate.snooze_until)
