"""ISO weeks ("2026-W47"), the unit of the weekly health snapshot.

ISO weeks run Monday to Sunday and belong to the year that holds their
Thursday, so 2026-12-31 is in 2026-W53 and 2027-01-01 is in 2026-W53 too.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

_ISO_WEEK = re.compile(r"([0-9]{4})-W([0-9]{2})")


def iso_week(d: date) -> str:
    """The ISO week that contains `d`, e.g. "2026-W47"."""
    year, week, _ = d.isocalendar()
    return f"{year:04d}-W{week:02d}"


def weeks_in_year(year: int) -> int:
    """52 or 53: 28 December always falls in the last ISO week of its year."""
    return date(year, 12, 28).isocalendar().week


def parse_iso_week(s: str) -> tuple[date, date]:
    """The Monday and the Sunday of an ISO week written "YYYY-Www".

    Raises ValueError with a message fit to show a user for anything else,
    including weeks the year does not have ("2026-W60", "2025-W53").
    """
    match = _ISO_WEEK.fullmatch(s)
    if match is None:
        raise ValueError(f"{s!r} is not an ISO week; expected YYYY-Www, e.g. 2026-W47")
    year, week = int(match[1]), int(match[2])
    if year < 1:
        raise ValueError(f"{s!r} is not an ISO week; the year must be 0001 or later")
    last = weeks_in_year(year)
    if not 1 <= week <= last:
        raise ValueError(f"{s!r} is not an ISO week; {year} has weeks W01 to W{last}")
    monday = date.fromisocalendar(year, week, 1)
    try:
        sunday = monday + timedelta(days=6)
    except OverflowError as error:
        # 9999-W52 ends in the year 10000, past the last day `date` can hold.
        raise ValueError(f"{s!r} ends after 9999-12-31, the last supported day") from error
    return monday, sunday


def previous_weeks(week: str, n: int) -> list[str]:
    """The `n` ISO weeks just before `week`, oldest first."""
    if n < 0:
        raise ValueError(f"n must be 0 or more, not {n}")
    monday, _ = parse_iso_week(week)
    try:
        return [iso_week(monday - timedelta(weeks=k)) for k in range(n, 0, -1)]
    except OverflowError as error:
        raise ValueError(f"there are not {n} weeks before {week}") from error
