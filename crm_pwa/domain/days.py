"""Which day it is: always the rep's own calendar day.

Every "which day is it" question (is a follow-up due today, how many days since
the last call, which day did a note happen on, which day does a week end) is
answered with `local_day` in the zone of the rep who owns the relationship.
Stored times are UTC instants; a day is only ever derived from them here.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

# The zones furthest ahead of and behind UTC (Kiribati's Line Islands, Baker Island).
_AHEAD = timedelta(hours=14)
_BEHIND = timedelta(hours=12)


def zone(time_zone: str) -> ZoneInfo:
    """The zone named `time_zone`, or UTC for a name that is not a zone."""
    try:
        return ZoneInfo(time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def local_day(moment: datetime, time_zone: str) -> date:
    """The calendar day at `moment` for someone living in `time_zone`."""
    if moment.tzinfo is None:
        raise ValueError("a moment without a time zone has no calendar day")
    return moment.astimezone(zone(time_zone)).date()


def latest_day(moment: datetime) -> date:
    """The newest calendar day anywhere on Earth at `moment`."""
    return (moment.astimezone(UTC) + _AHEAD).date()


def earliest_day(moment: datetime) -> date:
    """The oldest calendar day anywhere on Earth at `moment`: a week is over for
    everyone once this day is past its Sunday."""
    return (moment.astimezone(UTC) - _BEHIND).date()


def day_end(day: date, time_zone: str) -> datetime:
    """The instant `day` ends for someone living in `time_zone` (the next local midnight).

    A moment is on or before `day` for them exactly when it is before this instant,
    so SQL can ask "by the end of the rep's day" with a plain comparison.
    """
    return datetime.combine(day + timedelta(days=1), time(0), zone(time_zone)).astimezone(UTC)
