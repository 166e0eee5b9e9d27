"""A larger SQLite page cache for one big write: an import's terms, a handover's moved book.

With SQLite's default 2 MB the transaction spills dirty index pages to the log
and reads them back, most of the time of a write that touches a large share of
the search terms (docs/benchmarks.md). Cache size is memory only, per
connection, and is put back afterwards; durability (synchronous=FULL) is
untouched. PostgreSQL sizes its own buffers: there it does nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlmodel import Session

# In KiB: enough to hold the search-term table and its indexes at 100,000 contacts.
BULK_CACHE_KIB = 256 * 1024


@contextmanager
def large_page_cache(session: Session) -> Iterator[None]:
    if session.get_bind().dialect.name != "sqlite":
        yield
        return
    raw = session.connection().connection.driver_connection
    assert raw is not None
    (previous,) = raw.execute("PRAGMA cache_size").fetchone()
    raw.execute(f"PRAGMA cache_size=-{BULK_CACHE_KIB}")
    try:
        yield
    finally:
        raw.execute(f"PRAGMA cache_size={previous}")
