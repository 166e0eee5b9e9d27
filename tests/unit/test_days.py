"""The end of a rep's day, as an instant SQL can compare stored times with."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from crm_pwa.domain.days import day_end, local_day


@pytest.mark.parametrize(
    ("zone", "end"),
    [
        ("America/Los_Angeles", datetime(2026, 11, 24, 8, 0, tzinfo=UTC)),
        ("Pacific/Auckland", datetime(2026, 11, 23, 11, 0, tzinfo=UTC)),
        ("Asia/Kolkata", datetime(2026, 11, 23, 18, 30, tzinfo=UTC)),
        ("UTC", datetime(2026, 11, 24, 0, 0, tzinfo=UTC)),
    ],
)
def test_day_end_is_the_reps_next_midnight_when_zones_differ(zone: str, end: datetime) -> None:
    monday = date(2026, 11, 23)
    assert day_end(monday, zone) == end
    assert local_day(end - timedelta(microseconds=1), zone) == monday
    assert local_day(end, zone) == monday + timedelta(days=1)


def test_day_end_follows_the_clock_change_when_the_day_is_23_hours_long() -> None:
    # Los Angeles springs forward on Sunday 8 March 2026: that day ends at 07:00 UTC.
    assert day_end(date(2026, 3, 8), "America/Los_Angeles") == datetime(
        2026, 3, 9, 7, 0, tzinfo=UTC
    )
