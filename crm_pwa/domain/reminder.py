"""Which follow-ups deserve a push reminder right now, and what it says.

A pure function over plain data: the scheduler loads candidates, calls
`plan_reminders`, sends, then records `Reminder.local_date` as the day the
follow-up was last reminded. Every date rule is judged in the rep's own time
zone, because "due today" and "quiet hours" mean the rep's day, not the server's.
"""

from __future__ import annotations

import base64
import hashlib
import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from crm_pwa.domain.due import attention_day, due_state, is_overdue

Urgency = Literal["normal", "high"]

# Notification text is clipped so that the JSON payload stays under 3,000 bytes
# even when every character is escaped as a surrogate pair (12 bytes): push
# services only guarantee about 4 KB of encrypted body.
_TITLE_MAX_CHARS = 60
_BODY_MAX_CHARS = 150
_TOPIC_PREFIX = "fu-"
# RFC 8030 §5.4: a Topic is at most 32 characters of the base64url alphabet.
_TOPIC_MAX_CHARS = 32
_TOPIC_ALPHABET = re.compile(r"[A-Za-z0-9_-]+")

_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@dataclass(frozen=True)
class ReminderCandidate:
    follow_up_id: str
    contact_id: str
    contact_name: str
    title: str
    due_on: date
    status: str
    snooze_until: date | None
    last_reminded_on: date | None
    do_not_contact: bool


@dataclass(frozen=True)
class RepSchedule:
    """When a rep wants to hear from us; quiet hours may wrap midnight.

    Quiet hours run from `quiet_start` (inclusive) to `quiet_end` (exclusive);
    equal start and end mean no quiet hours at all.
    """

    time_zone: str
    reminder_time: time = time(9, 0)
    quiet_start: time = time(20, 0)
    quiet_end: time = time(8, 0)

    def __post_init__(self) -> None:
        try:
            ZoneInfo(self.time_zone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {self.time_zone!r}") from exc

    def is_quiet(self, local_time: time) -> bool:
        start, end = self.quiet_start, self.quiet_end
        if start == end:
            return False
        if start < end:
            return start <= local_time < end
        return local_time >= start or local_time < end


@dataclass(frozen=True)
class Reminder:
    follow_up_id: str
    title: str
    body: str
    url: str
    topic: str
    urgency: Urgency
    local_date: date

    def payload(self) -> dict[str, Any]:
        """The JSON the service worker receives and turns into a notification."""
        return {
            "title": self.title,
            "body": self.body,
            "url": self.url,
            "tag": self.topic,
            "follow_up_id": self.follow_up_id,
            "actions": [
                {"action": "done", "title": "Done"},
                {"action": "snooze", "title": "Snooze 1 day"},
            ],
        }


def plan_reminders(
    candidates: Iterable[ReminderCandidate], schedule: RepSchedule, now: datetime
) -> list[Reminder]:
    """The reminders to send at `now` (an aware datetime), oldest promise first."""
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be an aware datetime")
    local_now = now.astimezone(ZoneInfo(schedule.time_zone))
    if schedule.is_quiet(local_now.time()):
        return []
    today = local_now.date()
    reminder_time_reached = local_now.time() >= schedule.reminder_time
    due = [
        candidate
        for candidate in candidates
        if _is_due(candidate, today, reminder_time_reached=reminder_time_reached)
    ]
    due.sort(key=lambda candidate: (candidate.due_on, candidate.follow_up_id))
    return [_reminder_for(candidate, today) for candidate in due]


def follow_up_topic(follow_up_id: str) -> str:
    """A Topic header for the follow-up, so a newer reminder replaces an older one."""
    room = _TOPIC_MAX_CHARS - len(_TOPIC_PREFIX)
    try:
        return _TOPIC_PREFIX + uuid.UUID(follow_up_id).hex[:room]
    except ValueError:
        pass
    if len(follow_up_id) <= room and _TOPIC_ALPHABET.fullmatch(follow_up_id):
        return _TOPIC_PREFIX + follow_up_id
    digest = hashlib.sha256(follow_up_id.encode("utf-8")).digest()
    return _TOPIC_PREFIX + base64.urlsafe_b64encode(digest).decode("ascii")[:room]


def _is_due(candidate: ReminderCandidate, today: date, *, reminder_time_reached: bool) -> bool:
    if candidate.do_not_contact:
        return False
    if candidate.last_reminded_on is not None and candidate.last_reminded_on >= today:
        return False
    state = due_state(candidate.status, candidate.due_on, candidate.snooze_until, today)
    return state == "overdue" or (state == "due_today" and reminder_time_reached)


def _reminder_for(candidate: ReminderCandidate, today: date) -> Reminder:
    overdue = is_overdue(candidate.status, candidate.due_on, candidate.snooze_until, today)
    if overdue:
        day = attention_day(candidate.due_on, candidate.snooze_until)
        when = f"Overdue since {_describe_day(day, today)}"
    else:
        when = "Promised today"
    what = _one_line(candidate.title)
    body = f"{when} — {what}" if what else when
    return Reminder(
        follow_up_id=candidate.follow_up_id,
        title=_clip(f"Call back {_one_line(candidate.contact_name)}", _TITLE_MAX_CHARS),
        body=_clip(body, _BODY_MAX_CHARS),
        url=f"/contacts/{candidate.contact_id}",
        topic=follow_up_topic(candidate.follow_up_id),
        urgency="high" if overdue else "normal",
        local_date=today,
    )


def _describe_day(day: date, today: date) -> str:
    if day == today - timedelta(days=1):
        return "yesterday"
    words = f"{_WEEKDAYS[day.weekday()]} {day.day} {_MONTHS[day.month - 1]}"
    return words if day.year == today.year else f"{words} {day.year}"


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _clip(text: str, max_chars: int) -> str:
    if len(text) <= max_chars:
        return text
    return text[: max_chars - 1].rstrip() + "…"
