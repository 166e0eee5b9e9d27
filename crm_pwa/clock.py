"""The one place that asks what time it is (which day it is: crm_pwa/domain/days.py).

A deployment may run ahead of real time for demos and tests: RAPPORT_CLOCK_FILE
(Settings.clock_file) names a file holding a number of days to add. The file is
read on every call, so a browser test can move the running server's "today" to
a follow-up's due date without restarting it.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from crm_pwa.settings import get_settings


def _offset() -> timedelta:
    path = get_settings().clock_file
    if path is None:
        return timedelta(0)
    try:
        return timedelta(days=float(path.read_text().strip() or 0))
    except (OSError, ValueError):
        return timedelta(0)


def now() -> datetime:
    return datetime.now(UTC) + _offset()
