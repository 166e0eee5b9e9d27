"""What any text or date from outside may hold, whatever field it is for.

Every route and every form passes its text and dates through these checks
before anything else looks at them, so a value the database, the JSON encoder
or a date calculation would choke on is refused in words instead of failing
later as a server error:

- a lone surrogate (half of an emoji, left by a broken client) cannot be
  encoded as UTF-8, so it could be neither stored nor sent back;
- a NUL character cannot be stored by PostgreSQL, and no keyboard types one;
- the bidirectional override and isolate controls (U+202A-U+202E,
  U+2066-U+2069) make a name or a note display as something else than what
  it holds ("Trojan Source"), so nobody should be able to save them;
- a date before 1900 or after 2100 is a typo or a probe; far outside that range
  converting a time to UTC, or adding a day, overflows.

The year is checked on the value as written, before any conversion, because
`0001-01-01T00:30:00+01:00` cannot even be converted to UTC.
"""

from __future__ import annotations

import re
from datetime import date, datetime

from crm_pwa.domain.rules import RuleError

EARLIEST_YEAR = 1900
LATEST_YEAR = 2100

_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
_DIRECTION_CONTROL = re.compile("[\u202a-\u202e\u2066-\u2069]")


def _label(field: str) -> str:
    return field.replace("_", " ").capitalize() if field else "This text"


def broken_character_message(field: str) -> str:
    return f"{_label(field)} contains a broken character (half of an emoji or symbol); retype it."


def check_text(field: str, text: str) -> str:
    """`text` unchanged, or RuleError when it holds a character no field may hold."""
    if "\x00" in text:
        raise RuleError(field, f"{_label(field)} contains a NUL character; remove it.")
    if _LONE_SURROGATE.search(text):
        raise RuleError(field, broken_character_message(field))
    if _DIRECTION_CONTROL.search(text):
        raise RuleError(
            field,
            f"{_label(field)} contains an invisible control that reverses the text direction; "
            "remove it.",
        )
    return text


def _check_year(field: str, year: int) -> None:
    if not EARLIEST_YEAR <= year <= LATEST_YEAR:
        raise RuleError(
            field,
            f"{_label(field) if field else 'The date'} must be between {EARLIEST_YEAR} "
            f"and {LATEST_YEAR}; the year given is {year}.",
        )


def check_day(field: str, day: date) -> date:
    """A calendar date between 1900 and 2100."""
    _check_year(field, day.year)
    return day


def check_moment(field: str, moment: datetime) -> datetime:
    """A date and time whose date, as written (before any conversion), is in 1900-2100."""
    _check_year(field, moment.year)
    return moment
