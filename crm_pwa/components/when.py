"""Dates in the words a rep reads at a glance: "12 d ago", "Overdue since Mon 1 Dec"."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from crm_pwa.domain.days import local_day


def short_date(day: date, today: date) -> str:
    """ "Tue 2 Dec", with the year only when it is not this year's."""
    text = f"{day:%a} {day.day} {day:%b}"
    return text if day.year == today.year else f"{text} {day.year}"


def days_ago(moment: datetime, today: date, time_zone: str) -> str:
    days = (today - local_day(moment, time_zone)).days
    if days <= 0:
        return "today"
    return f"{days} d ago"


def talked_label(moment: datetime | None, today: date, time_zone: str) -> str:
    """ "Talked 12 d ago", "Talked today" or "Never talked"."""
    if moment is None:
        return "Never talked"
    return f"Talked {days_ago(moment, today, time_zone)}"


def due_label(due_on: date, today: date) -> str:
    if due_on < today:
        days = (today - due_on).days
        return f"Overdue {days} d · was due {short_date(due_on, today)}"
    if due_on == today:
        return "Due today"
    if (due_on - today).days == 1:
        return "Due tomorrow"
    return f"Due {short_date(due_on, today)}"


def moment_label(moment: datetime, today: date, time_zone: str) -> str:
    """ "Today 14:05", "Mon 1 Dec 09:30"."""
    local = moment.astimezone(ZoneInfo(time_zone))
    day = "Today" if local.date() == today else short_date(local.date(), today)
    return f"{day} {local:%H:%M}"
