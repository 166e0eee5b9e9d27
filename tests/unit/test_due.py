"""The one "overdue" rule: a snooze moves the day a follow-up asks for attention."""

from __future__ import annotations

from datetime import date

import pytest

from crm_pwa.domain.due import attention_day, due_state, is_overdue

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
