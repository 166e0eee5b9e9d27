"""Stored UTC times turned into an owner's calendar days, fast enough for a million of them.

Every day here is the one `crm_pwa.domain.days.local_day` gives: the zone's
offset is looked up once per UTC day rather than once per time, and only the
days of a clock change look each time up on its own.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from crm_pwa.domain.days import local_day, zone

# date(1970, 1, 1).toordinal(): day numbers count as `date.toordinal()` does.
_EPOCH_DAY = 719_163
_DAY = 86_400


class LocalDays:
    """UTC times as `RawSql.utc_time` or `RawSql.epoch_seconds` return them turned into
    a zone's calendar days.

    A full rescore reads a million times, so the zone's offset is looked up once
    per UTC day, not once per time: a day whose offset is the same at its first
    and last minute (every day but those of a clock change) maps each time to
    the local day by adding that offset. Times count to the minute, as stored
    times are compared everywhere else in scoring.
    """

    def __init__(self, time_zone: str, text: bool) -> None:
        self._time_zone = time_zone
        self._zone = zone(time_zone)
        self._text = text
        # UTC day -> its local day (offset 0), (day before, day, day after, offset
        # in seconds), or None on a day the offset changes.
        self._rules: dict[Any, Any] = {}
        self._exact: dict[Any, date] = {}
        # UTC day number -> the offset in seconds all day, or None on a day it changes.
        self._offsets: dict[int, int | None] = {}

    def __call__(self, moment: Any) -> date:
        key = moment[:10] if self._text else moment.date()
        rule = self._rules.get(key, _UNKNOWN)
        if rule is _UNKNOWN:
            rule = self._rules[key] = self._rule(key)
        if rule.__class__ is date:
            return rule
        if rule is None:
            return self._exact_day(moment)
        if self._text:
            minute = int(moment[11:13]) * 60 + int(moment[14:16])
        else:
            minute = moment.hour * 60 + moment.minute
        # -1, 0 or 1 day from the UTC day: an offset is less than a day.
        return rule[(minute * 60 + rule[3]) // 86_400 + 1]  # type: ignore[no-any-return]

    def ordinals(self, seconds: Iterable[int]) -> list[int]:
        """The local days (as `date.toordinal()`) of UTC times given as seconds since 1970."""
        offsets = self._offsets
        days = []
        for second in seconds:
            # To the minute, like the times read as text.
            minute = second - second % 60
            utc_day = minute // _DAY
            offset = offsets.get(utc_day, _NONE)
            if offset is _NONE:
                offset = offsets[utc_day] = self._offset(utc_day)
            if offset is None:
                at = datetime.fromtimestamp(minute, UTC)
                days.append(local_day(at, self._time_zone).toordinal())
            else:
                days.append((minute + offset) // _DAY + _EPOCH_DAY)
        return days

    def _offset(self, utc_day: int) -> int | None:
        rule = self._rule(date.fromordinal(utc_day + _EPOCH_DAY))
        if rule is None:
            return None
        return 0 if rule.__class__ is date else rule[3]

    def _rule(self, key: Any) -> Any:
        utc_day = date.fromisoformat(key) if isinstance(key, str) else key
        first = datetime.combine(utc_day, time(0), UTC).astimezone(self._zone).utcoffset()
        last = datetime.combine(utc_day, time(23, 59), UTC).astimezone(self._zone).utcoffset()
        if first != last or first is None:
            return None
        offset = int(first.total_seconds())
        if offset == 0:
            return utc_day
        one = timedelta(days=1)
        return (utc_day - one, utc_day, utc_day + one, offset)

    def _exact_day(self, moment: Any) -> date:
        minute = moment[:16] if self._text else moment.replace(second=0, microsecond=0)
        day = self._exact.get(minute)
        if day is None:
            at = datetime.fromisoformat(minute) if self._text else minute
            day = self._exact[minute] = local_day(at.replace(tzinfo=UTC), self._time_zone)
        return day


_UNKNOWN = object()
_NONE: Any = object()


class StoredDays(dict[Any, date]):
    """Days as the database returns them (SQLite "YYYY-MM-DD" text, PostgreSQL dates),
    each turned into a date once."""

    def __missing__(self, value: Any) -> date:
        day = self[value] = value if isinstance(value, date) else date.fromisoformat(value)
        return day
