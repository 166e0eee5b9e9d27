"""The one place that asks what time it is (which day it is: crm_pwa/domain/days.py).

A deployment may run ahead of real time for demos and tests: RAPPORT_CLOCK_FILE
names a file holding a number of days to add. It is read on every call, so a
browser test can move the running server's "today" to a follow-up's due date
without restarting it.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path


def _offset() -> timedelta:
    name = os.environ.get("RAPPORT_CLOCK_FILE")
    if not name:
        return timedelta(0)
    try:
        return timedelta(days=float(Path(name).read_text().strip() or 0))
    except (OSError, ValueError):
        return timedelta(0)


def now() -> datetime:
    return datetime.now(UTC) + _offset()
