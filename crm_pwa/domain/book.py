"""The offline book's rules: where a refresh stands (its cursor), how a phone checks
that it holds exactly the contacts it may see (the digest), and how much history
one card carries.

A refresh is a pass over the contacts changed since the last one, in id order,
a page at a time. The cursor names the pass: `since` (changes from then on; None
for the first, full download), `after` (the last id sent in this pass) and
`started` (the server's time when the pass began, which becomes the next pass's
`since`).
"""

from __future__ import annotations

import base64
import binascii
import json
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

TIMELINE_SIZE = 20
# The phone keeps the newest entries nearly whole and the older ones as a first
# line (the card online shows every word): 20 entries per card of a 5,000-contact
# book then stay under 25 MB of IndexedDB (bench/offline_book.py measures it).
WHOLE_ENTRIES = 3
MAX_RECENT_CHARS = 500
MAX_OLDER_CHARS = 120
# A change is stamped with the time its transaction began and becomes visible at
# commit: the next pass starts this much before this one did, so a change that
# committed while the pass read is sent again rather than lost.
OVERLAP = timedelta(seconds=30)
MAX_CURSOR_CHARS = 400


class BadBookCursor(ValueError):
    """A cursor this server did not write."""


@dataclass(frozen=True)
class BookCursor:
    since: datetime | None
    after: uuid.UUID | None
    started: datetime

    def encode(self) -> str:
        raw = {
            "s": self.since.isoformat() if self.since else None,
            "a": str(self.after) if self.after else None,
            "t": self.started.isoformat(),
        }
        packed = json.dumps(raw, separators=(",", ":")).encode()
        return base64.urlsafe_b64encode(packed).decode().rstrip("=")

    def next_pass(self) -> BookCursor:
        """Where the refresh after a finished pass starts (its own start is set then)."""
        return BookCursor(since=self.started - OVERLAP, after=None, started=self.started)


def start_pass(cursor: BookCursor | None, now: datetime) -> BookCursor:
    """Where this page starts: a pass under way goes on where it stopped; a new one
    (no cursor: the whole book) takes `now` as its start."""
    if cursor is None:
        return BookCursor(since=None, after=None, started=now)
    if cursor.after is None:
        return BookCursor(since=cursor.since, after=None, started=now)
    return cursor


def decode_cursor(text: str) -> BookCursor:
    if len(text) > MAX_CURSOR_CHARS:
        raise BadBookCursor(text)
    try:
        raw = json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
        since = None if raw["s"] is None else datetime.fromisoformat(raw["s"])
        after = None if raw["a"] is None else uuid.UUID(raw["a"])
        started = datetime.fromisoformat(raw["t"])
    except (binascii.Error, ValueError, KeyError, TypeError, UnicodeDecodeError) as error:
        raise BadBookCursor(text) from error
    if started.tzinfo is None or (since is not None and since.tzinfo is None):
        raise BadBookCursor(text)
    return BookCursor(since=since, after=after, started=started)


def digest(numbers: Iterable[int]) -> str:
    """`<count>:<xor of the ids>` over the ids' 128-bit numbers (`uuid.int`): equal on
    the phone and the server when both hold the same set, whatever the order.
    assets/contactbook.js computes it too."""
    count = 0
    folded = 0
    for number in numbers:
        count += 1
        folded ^= number
    return f"{count}:{folded:032x}"


def clip(text: str, place: int) -> str:
    """The text of the timeline entry at `place` (0 = newest) as the book keeps it."""
    limit = MAX_RECENT_CHARS if place < WHOLE_ENTRIES else MAX_OLDER_CHARS
    if len(text) <= limit:
        return text
    return text[: limit - 1] + "…"
