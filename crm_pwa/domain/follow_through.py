"""The follow-through part of the health score: promises kept, late, broken or overdue.

A promise is kept only by talking to the contact: a follow-up marked done
counts as kept when it was done on or before its due date and some interaction
with the contact was logged on a day from the promise's day to the day it was
marked done, not counting the note that made the promise. One marked done with
no such interaction, or snoozed after its due date had passed, is broken: it
counts as a slip and costs as much as an overdue one while it is in the window,
so closing or snoozing a follow-up without talking to anyone never raises the
score. docs/health.md explains this to managers with a worked example.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from crm_pwa.domain.due import is_overdue
from crm_pwa.domain.interaction_days import Dated, day_numbers

FOLLOW_UP_STATUSES = ("open", "done", "snoozed")


@dataclass(frozen=True, slots=True)
class FollowUpFact:
    """One follow-up; days are the owning rep's calendar days.

    `promised_on` is the day of the note that made the promise (`from_note`),
    or the day the follow-up was created; `changed_on` the day of its latest
    change, which for a snoozed follow-up is the day it was snoozed.
    """

    due_on: date
    status: str
    done_on: date | None
    snooze_until: date | None
    promised_on: date
    from_note: bool = False
    changed_on: date | None = None


@dataclass(frozen=True, slots=True)
class FollowThrough:
    part: float
    overdue: int
    late: int
    broken: int
    settled: int


def follow_through(
    follow_ups: Sequence[FollowUpFact],
    interactions: Sequence[Dated],
    today: date,
    *,
    window_days: int,
    overdue_factor: float,
) -> FollowThrough:
    """`(kept + 1) / (settled + 1) * overdue_factor ** (overdue + broken)` as of `today`."""
    today_ord = today.toordinal()
    window_start = today_ord - window_days
    talk_days = sorted(day for day in day_numbers(interactions) if day <= today_ord)
    kept = settled = late = overdue = broken = 0
    for follow_up in follow_ups:
        status = follow_up.status
        if status not in FOLLOW_UP_STATUSES:
            raise ValueError(
                f"unknown follow-up status {status!r}; "
                f"expected one of {', '.join(FOLLOW_UP_STATUSES)}"
            )
        due = follow_up.due_on.toordinal()
        in_window = window_start <= due <= today_ord
        done_on = follow_up.done_on
        if status == "done" and (done_on is None or done_on <= today):
            if not in_window:
                continue
            settled += 1
            if done_on is not None and not _talked(follow_up, done_on, talk_days):
                broken += 1
            # A completion without a date gets the benefit of the doubt.
            elif done_on is None or done_on.toordinal() <= due:
                kept += 1
            else:
                late += 1
            continue
        # Done only after `today` is still open as of `today`.
        state = "open" if status == "done" else status
        if is_overdue(state, follow_up.due_on, follow_up.snooze_until, today):
            overdue += 1
            if due >= window_start:
                settled += 1
        elif in_window and _snoozed_late(follow_up, today):
            broken += 1
            settled += 1
    part = (kept + 1) / (settled + 1) * overdue_factor ** (overdue + broken)
    return FollowThrough(part, overdue, late, broken, settled)


def _talked(follow_up: FollowUpFact, done_on: date, talk_days: Sequence[int]) -> bool:
    """Whether an interaction other than the promise's own note falls in the promise's days.

    `talk_days` are the interactions' day numbers (`date.toordinal()`), sorted."""
    count = bisect_right(talk_days, done_on.toordinal()) - bisect_left(
        talk_days, follow_up.promised_on.toordinal()
    )
    own_note = follow_up.from_note and follow_up.promised_on <= done_on
    return count > (1 if own_note else 0)


def _snoozed_late(follow_up: FollowUpFact, today: date) -> bool:
    return (
        follow_up.status == "snoozed"
        and follow_up.changed_on is not None
        and follow_up.due_on < follow_up.changed_on <= today
    )


def follow_through_reason(result: FollowThrough, window_days: int) -> str:
    window = f"in the last {window_days} days"
    texts = []
    if result.overdue:
        texts.append(_count(result.overdue, "follow-up") + " overdue")
    if result.broken:
        texts.append(_count(result.broken, "follow-up") + " closed or snoozed without contact")
    if not texts:
        return f"{result.late} of {result.settled} follow-ups due {window} done late"
    if result.late:
        texts.append(f"{result.late} done late {window}")
    return "; ".join(texts)


def _count(n: int, noun: str) -> str:
    return f"1 {noun}" if n == 1 else f"{n} {noun}s"
