"""Interactions reach the score as day numbers made from whole seconds since 1970
(`LocalDays.ordinals`); each must be the day `local_day` gives, clock changes included."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from crm_pwa.db.local_days import LocalDays
from crm_pwa.domain.days import local_day

CASES = [
    ("UTC", date(2026, 3, 29)),
    ("Europe/Berlin", date(2026, 3, 29)),
    ("Europe/Berlin", date(2026, 10, 25)),
    ("America/Los_Angeles", date(2026, 11, 1)),
    ("America/Los_Angeles", date(2026, 11, 24)),
    ("Pacific/Auckland", date(2026, 4, 4)),
    ("Pacific/Auckland", date(2026, 9, 26)),
    ("Asia/Kolkata", date(2026, 6, 1)),
    ("Australia/Lord_Howe", date(2026, 10, 3)),
    ("Pacific/Apia", date(2011, 12, 29)),
    ("Pacific/Apia", date(2011, 12, 30)),
    ("Not/AZone", date(2026, 3, 29)),
]


@pytest.mark.parametrize(("time_zone", "utc_day"), CASES)
def test_every_minute_lands_on_the_owners_day(time_zone: str, utc_day: date) -> None:
    start = datetime.combine(utc_day, datetime.min.time(), UTC)
    moments = [start + timedelta(minutes=minute, seconds=41) for minute in range(0, 24 * 60, 7)]

    days = LocalDays(time_zone, text=True).ordinals(int(moment.timestamp()) for moment in moments)

    assert days == [
        local_day(moment.replace(second=0), time_zone).toordinal() for moment in moments
    ]
