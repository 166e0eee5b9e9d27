"""What makes a logged note and a follow-up acceptable, in words a rep can read.

Pure functions over plain values. Each check returns the cleaned value or raises
`RuleError` naming the field; `RuleError` is a `ValueError`, so pydantic
validators may raise it as it is and the message reaches the caller unchanged.

Dates are judged with slack for time zones: a phone sends its own local time
with its offset, the server's "today" may already be tomorrow or still
yesterday, so a day either way is accepted where the rule is about "now".
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from crm_pwa.domain.input_rules import check_text

# Re-exported: the services catch the error of the rules they call.
from crm_pwa.domain.rules import RuleError as RuleError
from crm_pwa.domain.rules import one_of

KINDS = ("meeting", "call", "email", "message", "visit", "note")
DIRECTIONS = ("outbound", "inbound")
SENTIMENTS = ("positive", "neutral", "negative")
FOLLOW_UP_STATUSES = ("open", "done", "snoozed")

MAX_SUMMARY_CHARS = 10_000
MAX_TITLE_CHARS = 300
# A phone clock that runs ahead, or a rep a time zone east of the server.
CLOCK_SLACK = timedelta(days=1)
HORIZON_YEARS = 2

# Which status a follow-up may move to from each status. A done follow-up is
# reopened before it can be snoozed: snoozing something finished is a mistake
# the rep should hear about, not a change to store.
_TRANSITIONS: dict[str, frozenset[str]] = {
    "open": frozenset({"open", "done", "snoozed"}),
    "snoozed": frozenset({"open", "done", "snoozed"}),
    "done": frozenset({"open", "done"}),
}


def check_kind(value: str) -> str:
    return one_of("kind", value, KINDS)


def check_direction(value: str) -> str:
    return one_of("direction", value, DIRECTIONS)


def check_sentiment(value: str) -> str:
    return one_of("sentiment", value, SENTIMENTS)


def check_status(value: str) -> str:
    return one_of("status", value, FOLLOW_UP_STATUSES)


def clean_summary(text: str) -> str:
    summary = check_text("summary", text).strip()
    if not summary:
        raise RuleError("summary", "Write what happened: the note is empty.")
    if len(summary) > MAX_SUMMARY_CHARS:
        raise RuleError(
            "summary",
            f"A note can hold at most {MAX_SUMMARY_CHARS:,} characters; "
            f"this one has {len(summary):,}.",
        )
    return summary


def clean_title(text: str) -> str:
    title = check_text("title", text).strip()
    if not title:
        raise RuleError("title", "Say what the next step is: the follow-up title is empty.")
    if len(title) > MAX_TITLE_CHARS:
        raise RuleError(
            "title",
            f"A follow-up title can hold at most {MAX_TITLE_CHARS} characters; "
            f"this one has {len(title):,}.",
        )
    return title


def check_aware(field: str, moment: datetime) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise RuleError(field, f"{field} needs a time zone offset, e.g. 2026-11-23T14:30:00+01:00.")
    return moment


def check_not_future(field: str, moment: datetime, now: datetime) -> datetime:
    """An aware time that is at most a day ahead of `now`."""
    check_aware(field, moment)
    if moment > now + CLOCK_SLACK:
        raise RuleError(field, f"{field} is in the future: {moment.isoformat()}.")
    return moment


def check_occurred_at(occurred_at: datetime, now: datetime) -> datetime:
    return check_not_future("occurred_at", occurred_at, now)


def horizon(today: date) -> date:
    """The last date a follow-up may be planned for: two years from today."""
    try:
        return today.replace(year=today.year + HORIZON_YEARS)
    except ValueError:  # 29 February
        return today.replace(year=today.year + HORIZON_YEARS, day=28)


def earliest_next_step(note_at: datetime, rep_day_of_note: date) -> date:
    """The first day a note's next step may fall on: the rep's own day of the note.

    The phone's calendar (the note's own offset) is accepted too, since its date
    picker offers that day as "today" to a rep travelling outside their zone.
    """
    return min(rep_day_of_note, note_at.date())


def earliest_planned(today: date) -> date:
    """The first day a follow-up planned on its own may fall on (a day of slack for zones)."""
    return today - CLOCK_SLACK


def _day(value: date) -> str:
    """A date as a rep reads it: 23 Nov 2026."""
    return f"{value.day} {value:%b %Y}"


def check_due_on(due_on: date, *, earliest: date, today: date) -> date:
    """A follow-up date not before `earliest` and at most two years after `today`.

    `earliest` is the rep's day of the note that promised it, or the rep's
    today (with a day of slack) for a follow-up planned on its own.
    """
    if due_on < earliest:
        raise RuleError(
            "due_on",
            f"The next step's date, {_day(due_on)}, has already passed; "
            f"choose {_day(earliest)} or a later day.",
        )
    latest = horizon(today)
    if due_on > latest:
        raise RuleError(
            "due_on",
            f"The next step's date, {_day(due_on)}, is more than {HORIZON_YEARS} years away; "
            f"choose {_day(latest)} or an earlier day.",
        )
    return due_on


def check_snooze_until(snooze_until: date | None, *, today: date) -> date:
    if snooze_until is None:
        raise RuleError("snooze_until", "Say until when the follow-up is snoozed.")
    earliest = today - CLOCK_SLACK
    if snooze_until <= earliest:
        raise RuleError(
            "snooze_until",
            f"snooze_until {snooze_until.isoformat()} is in the past; "
            f"snooze to {today.isoformat()} or later.",
        )
    if snooze_until > horizon(today):
        raise RuleError(
            "snooze_until",
            f"snooze_until {snooze_until.isoformat()} is more than {HORIZON_YEARS} years ahead.",
        )
    return snooze_until


def check_transition(current: str, new: str) -> str:
    check_status(new)
    if new not in _TRANSITIONS.get(current, frozenset()):
        raise RuleError("status", f"A {current} follow-up cannot be {new}; reopen it first.")
    return new
