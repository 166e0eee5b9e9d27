"""Scoring everyone dates a million stored times by the owner's day, once per UTC day
(`LocalDays`): read back as text or datetimes (follow-ups), or as whole seconds since
1970 turned into day numbers (`LocalDays.ordinals`, interactions). Every time must land
on the day `local_day` gives it, clock changes included."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from crm_pwa.db.local_days import LocalDays
from crm_pwa.domain.days import local_day

# Days with a clock change in each zone, and an ordinary day.
CASES = [
    ("UTC", date(2026, 3, 29)),
    ("Europe/Berlin", date(2026, 3, 29)),
    ("Europe/Berlin", date(2026, 10, 25)),
    ("America/New_York", date(2026, 3, 8)),
    ("America/New_York", date(2026, 11, 1)),
    ("America/Los_Angeles", date(2026, 11, 1)),
    ("America/Los_Angeles", date(2026, 11, 24)),
    ("Pacific/Auckland", date(2026, 4, 4)),
    ("Pacific/Auckland", date(2026, 9, 26)),
    ("Asia/Kolkata", date(2026, 6, 1)),
    # Half an hour of daylight saving, changed at half past the UTC hour.
    ("Australia/Lord_Howe", date(2026, 4, 4)),
    ("Australia/Lord_Howe", date(2026, 10, 3)),
    ("America/St_Johns", date(2026, 3, 8)),
    ("Asia/Kathmandu", date(2026, 6, 1)),
    ("Pacific/Kiritimati", date(2026, 6, 1)),
    ("Pacific/Pago_Pago", date(2026, 6, 1)),
    # Samoa skipped 30 December 2011 when it crossed the date line.
    ("Pacific/Apia", date(2011, 12, 29)),
    ("Pacific/Apia", date(2011, 12, 30)),
    # Not a zone: treated as UTC, as everywhere else.
    ("Not/AZone", date(2026, 3, 29)),
]


@pytest.mark.parametrize(("time_zone", "utc_day"), CASES)
def test_every_minute_lands_on_the_owners_day(time_zone: str, utc_day: date) -> None:
    as_text, as_datetime = LocalDays(time_zone, text=True), LocalDays(time_zone, text=False)
    start = datetime.combine(utc_day, datetime.min.time())
    moments = [start + timedelta(minutes=minute, seconds=41) for minute in range(0, 24 * 60, 7)]
    expected = [local_day(moment.replace(second=0, tzinfo=UTC), time_zone) for moment in moments]
    for moment, day in zip(moments, expected, strict=True):
        # SQLite hands back the stored text, PostgreSQL a naive UTC datetime.
        assert as_text(moment.strftime("%Y-%m-%d %H:%M:%S.%f")) == day, moment
        assert as_datetime(moment) == day, moment
    seconds = (int(moment.replace(tzinfo=UTC).timestamp()) for moment in moments)
    assert as_text.ordinals(seconds) == [day.toordinal() for day in expected]
