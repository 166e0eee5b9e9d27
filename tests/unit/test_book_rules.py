"""The offline book's rules: cursors, the digest of visible ids, how much history a card keeps."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from crm_pwa.domain.book import (
    MAX_OLDER_CHARS,
    MAX_RECENT_CHARS,
    OVERLAP,
    WHOLE_ENTRIES,
    BadBookCursor,
    BookCursor,
    clip,
    decode_cursor,
    digest,
    start_pass,
)

NOW = datetime(2026, 11, 30, 10, 42, tzinfo=UTC)


def test_cursor_reads_back_what_it_wrote_when_a_pass_goes_on() -> None:
    cursor = BookCursor(since=NOW - timedelta(days=1), after=uuid.uuid4(), started=NOW)
    assert decode_cursor(cursor.encode()) == cursor
    # A pass under way keeps its start, so the next one begins where this one did.
    assert start_pass(cursor, NOW + timedelta(minutes=5)) == cursor


def test_next_pass_starts_a_little_before_the_last_one_began_when_a_pass_ends() -> None:
    done = BookCursor(since=None, after=uuid.uuid4(), started=NOW).next_pass()
    assert (done.since, done.after) == (NOW - OVERLAP, None)
    later = NOW + timedelta(hours=2)
    assert start_pass(done, later) == BookCursor(NOW - OVERLAP, None, later)
    assert start_pass(None, later) == BookCursor(None, None, later)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "not base64 at all!",
        "bm90IGpzb24",  # "not json"
        "eyJzIjpudWxsfQ",  # {"s": null}: fields missing
        "eyJzIjpudWxsLCJhIjoieCIsInQiOiIyMDI2LTExLTMwVDEwOjQyOjAwKzAwOjAwIn0",  # bad id
        "eyJzIjpudWxsLCJhIjpudWxsLCJ0IjoiMjAyNi0xMS0zMFQxMDo0MjowMCJ9",  # no time zone
        "a" * 401,
    ],
)
def test_cursor_is_refused_when_the_server_did_not_write_it(text: str) -> None:
    with pytest.raises(BadBookCursor):
        decode_cursor(text)


def test_digest_is_the_same_whatever_the_order_and_differs_when_one_id_goes() -> None:
    ids = [uuid.uuid4().int for _ in range(50)]
    assert digest(ids) == digest(reversed(ids))
    assert digest(ids) != digest(ids[1:])
    assert digest([]) == "0:" + "0" * 32
    assert digest([uuid.UUID(int=5).int, uuid.UUID(int=3).int]) == "2:" + f"{6:032x}"


def test_newest_entries_stay_nearly_whole_and_older_ones_keep_a_first_line() -> None:
    long = "x" * 2000
    assert clip("short", 0) == "short"
    newest = clip(long, WHOLE_ENTRIES - 1)
    assert len(newest) == MAX_RECENT_CHARS and newest.endswith("…")
    older = clip(long, WHOLE_ENTRIES)
    assert len(older) == MAX_OLDER_CHARS and older.endswith("…")
    assert clip("y" * MAX_OLDER_CHARS, 19) == "y" * MAX_OLDER_CHARS
