"""The one "overdue" rule: a snooze moves the day a follow-up asks for attention."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from crm_pwa.components.follow_up_item import follow_up_view
from crm_pwa.domain.days import local_day
from crm_pwa.domain.due import (
    attention_day,
    due_state,
    is_overdue,
    snooze_choices,
    undone_state,
)

TODAY = date(2026, 11, 23)


@pytest.mark.parametrize(
    ("status", "due_on", "snooze_until", "state"),
    [
        ("open", date(2026, 11, 22), None, "overdue"),
        ("open", TODAY, None, "due_today"),
        ("open", date(2026, 11, 24), None, "upcoming"),
        ("done", date(2026, 11, 1), None, "done"),
        ("snoozed", date(2026, 11, 1), date(2026, 11, 25), "upcoming"),
        # The day a snooze ends is "due today" everywhere, overdue from the next day.
        ("snoozed", date(2026, 11, 1), TODAY, "due_today"),
        ("snoozed", date(2026, 11, 1), date(2026, 11, 22), "overdue"),
        # A snooze that ends before the due date does not bring it forward.
        ("snoozed", date(2026, 11, 30), date(2026, 11, 20), "upcoming"),
        # Snoozed with no end date: asleep until someone gives it one.
        ("snoozed", date(2026, 11, 1), None, "upcoming"),
    ],
)
def test_due_state_follows_the_snooze_end_when_judged_today(
    status: str, due_on: date, snooze_until: date | None, state: str
) -> None:
    assert due_state(status, due_on, snooze_until, TODAY) == state
    assert is_overdue(status, due_on, snooze_until, TODAY) is (state == "overdue")


def test_attention_day_is_the_later_of_due_date_and_snooze_end() -> None:
    assert attention_day(date(2026, 11, 1), date(2026, 11, 25)) == date(2026, 11, 25)
    assert attention_day(date(2026, 11, 30), date(2026, 11, 25)) == date(2026, 11, 30)
    assert attention_day(date(2026, 11, 30), None) == date(2026, 11, 30)


@pytest.mark.parametrize(
    ("time_zone", "tomorrow", "next_week"),
    [
        # 11:30 UTC on 30 Nov is already 00:30 on 1 Dec in Auckland...
        ("Pacific/Auckland", date(2026, 12, 2), date(2026, 12, 8)),
        # ...03:30 on 30 Nov in Los Angeles, and 17:00 on 30 Nov in Kolkata.
        ("America/Los_Angeles", date(2026, 12, 1), date(2026, 12, 7)),
        ("Asia/Kolkata", date(2026, 12, 1), date(2026, 12, 7)),
    ],
)
def test_snooze_choices_count_from_the_reps_own_day_when_zones_differ(
    time_zone: str, tomorrow: date, next_week: date
) -> None:
    today = local_day(datetime(2026, 11, 30, 11, 30, tzinfo=UTC), time_zone)
    assert snooze_choices(today) == (tomorrow, next_week)
    view = follow_up_view(
        follow_up_id="f1",
        title="Send the quote",
        status="open",
        due_on=today,
        snooze_until=None,
        today=today,
    )
    assert (view.snooze_tomorrow, view.snooze_next_week) == (
        tomorrow.isoformat(),
        next_week.isoformat(),
    )


def test_undo_puts_back_the_snooze_when_it_has_not_ended() -> None:
    today = date(2026, 11, 30)
    assert undone_state("snoozed", date(2026, 12, 3), today) == ("snoozed", date(2026, 12, 3))
    assert undone_state("snoozed", today, today) == ("snoozed", today)


def test_undo_reopens_when_the_snooze_ended_or_it_was_open() -> None:
    today = date(2026, 11, 30)
    assert undone_state("snoozed", date(2026, 11, 29), today) == ("open", None)
    assert undone_state("snoozed", None, today) == ("open", None)
    assert undone_state("open", None, today) == ("open", None)
