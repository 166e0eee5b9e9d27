"""The offline book of a rep with 5,000 contacts: the first full download, an
incremental refresh after 50 changes, and what the phone stores.

Targets: the full download in at most 3 s of server time, stored in at most 25 MB
of IndexedDB; the refresh after 50 changes in at most 200 ms of server time.

One rep owns 5,000 contacts with a realistic card each: 25 notes of 100-500
characters, a few timeline events, open follow-ups on half of them, complaints
on a tenth, opportunities on a fifth. Server time is what GET /api/v1/book does
once the request has arrived: the service, its queries, the JSON and its gzip
(as the route sends it to a browser), summed over the pages (500 cards a page,
as the phone asks). Then 25 contacts are edited and 25 get a note through the
services, and the refresh is timed the same way.

The stored size is measured in Chromium: the real assets/contactbook.js runs
`crmBook.refresh()` against the pages the server produced (served to the page
as they were written), in a fresh profile, and the IndexedDB folder of that
profile is weighed on disk once the browser has closed, then again after the
browser has opened the book once more (LevelDB deletes the files its last merge
replaced only then: the figure for the target; see `stored_size`).

    .venv/bin/python bench/offline_book.py [--only sqlite|postgres] [--contacts 5000]
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

if __package__ in (None, ""):
    # Run as a script (`python bench/offline_book.py`): make the project importable.
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy.engine import Engine
from sqlmodel import Session

from bench.common import (
    load_average,
    machine_line,
    postgres_engine,
    server_cpu,
    sqlite_engine,
    timed,
)
from bench.fixtures import build_org, bulk_insert
from crm_pwa import clock
from crm_pwa.api.book import GZIP_LEVEL
from crm_pwa.db.interaction import Complaint, FollowUp, Interaction, Opportunity
from crm_pwa.db.timeline import TimelineEvent
from crm_pwa.services.actor import Actor
from crm_pwa.services.contact_editing import ContactUpdate, update_contact
from crm_pwa.services.offline_book import book_json, book_page
from crm_pwa.services.sync import SyncBatch, sync_outbox

ROOT = Path(__file__).resolve().parent.parent
FULL_TARGET_S = 3.0
INCREMENTAL_TARGET_S = 0.2
STORED_TARGET_MB = 25.0
PAGE = 500
NOTES_PER_CONTACT = 25
CHANGES = 50
PG_DATABASE = "rapport_bench_book"
SENTENCES = (
    "Walked the site with the facilities lead and went through the revised layout.",
    "They want the quote by Friday, with the delivery split over two months.",
    "Daughter starts university in May; asked about our pilot for small clinics.",
    "Renewal signed for two years. Wants a training session for new staff in spring.",
    "Complained about the invoice format again; promised a fix from accounts.",
    "Budget is frozen until the board meets in March, but the need is real.",
    "Met the new procurement manager, who prefers email to calls before noon.",
    "Coffee after the trade show; talked about vinyl records and the harbour run.",
)


@dataclass
class Figures:
    backend: str
    contacts: int
    full_seconds: float
    full_cpu: float
    full_db_cpu: float
    full_pages: int
    full_bytes: int
    full_gzipped: int
    refresh_seconds: float
    refresh_cpu: float
    refresh_cards: int
    refresh_bytes: int
    stored_mb: float | None = None
    stored_left_mb: float | None = None
    client_seconds: float | None = None


def _summary(rng: random.Random) -> str:
    text = ""
    while len(text) < rng.randint(100, 500):
        text += (" " if text else "") + rng.choice(SENTENCES)
    return text


def add_history(engine: Engine, rep: Actor, contact_ids: list[uuid.UUID], seed: int) -> None:
    """Notes, events, follow-ups, complaints and opportunities, as a busy rep's book has."""
    rng = random.Random(seed)
    now = clock.now()
    notes: list[dict[str, Any]] = []
    events: list[dict[str, Any]] = []
    follow_ups: list[dict[str, Any]] = []
    complaints: list[dict[str, Any]] = []
    deals: list[dict[str, Any]] = []
    for contact_id in contact_ids:
        for _ in range(NOTES_PER_CONTACT):
            at = now - timedelta(minutes=rng.randint(60, 365 * 24 * 60))
            notes.append(
                {
                    "id": uuid.uuid4(),
                    "contact_id": contact_id,
                    "author_id": rep.id,
                    "kind": rng.choice(("meeting", "call", "email", "visit", "note")),
                    "direction": rng.choice(("outbound", "inbound")),
                    "occurred_at": at,
                    "summary": _summary(rng),
                    "sentiment": rng.choice(("positive", "neutral", "negative")),
                    "created_at": at,
                }
            )
        for number in range(3):
            events.append(
                {
                    "id": uuid.uuid4(),
                    "contact_id": contact_id,
                    "actor_id": rep.id,
                    "kind": "follow_up_done",
                    "key": f"bench:{contact_id}:{number}",
                    "at": now - timedelta(days=rng.randint(1, 300)),
                    "detail": {"title": "Send the revised quote"},
                }
            )
        if rng.random() < 0.5:
            for _ in range(rng.randint(1, 2)):
                follow_ups.append(
                    {
                        "id": uuid.uuid4(),
                        "contact_id": contact_id,
                        "owner_id": rep.id,
                        "title": "Call back about the delivery dates",
                        "due_on": date.today() + timedelta(days=rng.randint(-10, 30)),
                        "status": "open",
                        "changed_at": now,
                        "created_at": now,
                    }
                )
        if rng.random() < 0.1:
            complaints.append(
                {
                    "id": uuid.uuid4(),
                    "contact_id": contact_id,
                    "owner_id": rep.id,
                    "summary": "The second delivery arrived damaged and late.",
                    "opened_at": now - timedelta(days=rng.randint(1, 40)),
                    "resolution": "",
                }
            )
        if rng.random() < 0.2:
            deals.append(
                {
                    "id": uuid.uuid4(),
                    "contact_id": contact_id,
                    "owner_id": rep.id,
                    "title": "Fleet maintenance contract",
                    "stage": rng.choice(("lead", "qualified", "proposal")),
                    "created_at": now,
                    "updated_at": now,
                }
            )
    with engine.begin() as connection:
        for model, rows in (
            (Interaction, notes),
            (TimelineEvent, events),
            (FollowUp, follow_ups),
            (Complaint, complaints),
            (Opportunity, deals),
        ):
            for start in range(0, len(rows), 10_000):
                bulk_insert(connection, model.__table__, rows[start : start + 10_000])  # type: ignore[attr-defined]


def download(
    engine: Engine, rep: Actor, cursor: str | None
) -> tuple[float, float, float, list[bytes], str, int]:
    """One pass as the phone makes it: (server seconds, of which this process's CPU
    seconds, the PostgreSQL backend's CPU seconds, the pages as JSON, the next cursor,
    bytes sent gzipped as the route sends them to a browser). On a shared machine the
    CPU time is what the work costs on a free core (for SQLite, all of it runs in this
    process; for PostgreSQL, add its backend's)."""
    pages: list[bytes] = []
    gzipped = 0
    seconds = 0.0
    cpu = 0.0
    db_cpu = 0.0
    while True:

        def one(after: str | None = cursor) -> tuple[bytes, bytes, float]:
            with Session(engine) as session:
                before = server_cpu(session)
                page = book_page(
                    session=session, actor=rep, cursor=after, limit=PAGE, now=clock.now()
                )
                spent = server_cpu(session) - before
                body = book_json(page)
                return body, gzip.compress(body, compresslevel=GZIP_LEVEL), spent

        started_cpu = time.process_time()
        took, (body, sent, spent) = timed(one)
        cpu += time.process_time() - started_cpu
        db_cpu += spent
        seconds += took
        pages.append(body)
        gzipped += len(sent)
        answer = json.loads(body)
        cursor = answer["next_cursor"]
        if not answer["more"]:
            return seconds, cpu, db_cpu, pages, cursor, gzipped


def make_changes(engine: Engine, rep: Actor, contact_ids: list[uuid.UUID]) -> None:
    """25 edits and 25 notes, through the services the app uses."""
    rng = random.Random(3)
    chosen = rng.sample(contact_ids, CHANGES)
    with Session(engine) as session:
        for contact_id in chosen[: CHANGES // 2]:
            update_contact(
                session=session,
                actor=rep,
                contact_id=contact_id,
                contact_in=ContactUpdate(connection_notes="Moved to the harbour office."),
                now=clock.now(),
            )
        notes = [
            {
                "id": str(uuid.uuid4()),
                "contact_id": str(contact_id),
                "kind": "meeting",
                "occurred_at": datetime.now(UTC).isoformat(),
                "summary": _summary(rng),
            }
            for contact_id in chosen[CHANGES // 2 :]
        ]
        sync_outbox(
            session=session, actor=rep, batch=SyncBatch(interactions=notes), now=clock.now()
        )
        session.commit()


def stored_size(pages: list[bytes]) -> tuple[float, float, float]:
    """(MB on disk of the profile's IndexedDB once opened again, MB right after the
    download, seconds crmBook.refresh() took) in Chromium."""
    from playwright.sync_api import BrowserContext, Page, Route, sync_playwright

    by_cursor: dict[str | None, bytes] = {}
    cursor: str | None = None
    for body in pages:
        by_cursor[cursor] = body
        cursor = json.loads(body)["next_cursor"]

    def answer(route: Route) -> None:
        url = urlsplit(route.request.url)
        if url.path == "/api/v1/book":
            after = parse_qs(url.query).get("cursor", [None])[0]
            route.fulfill(status=200, body=by_cursor[after], content_type="application/json")
        elif url.path == "/":
            scripts = "".join(
                f'<script src="/{n}"></script>' for n in ("outbox.js", "contactbook.js")
            )
            route.fulfill(status=200, body=f"<!doctype html>{scripts}", content_type="text/html")
        else:
            path = ROOT / "assets" / url.path.lstrip("/")
            kind = "application/json" if path.suffix == ".json" else "text/javascript"
            route.fulfill(status=200, body=path.read_bytes(), content_type=kind)

    with tempfile.TemporaryDirectory(prefix="rapport-book-") as profile, sync_playwright() as p:

        def open_page() -> tuple[BrowserContext, Page]:
            context = p.chromium.launch_persistent_context(
                profile, executable_path="/usr/bin/chromium", headless=True, args=["--no-sandbox"]
            )
            context.route("http://localhost/**", answer)
            page = context.new_page()
            page.goto("http://localhost/")
            return context, page

        context, page = open_page()
        page.evaluate("localStorage.setItem('rapport_token', 'bench')")
        took = page.evaluate(
            """async () => {
              const started = performance.now();
              const outcome = await crmBook.refresh();
              if (outcome.error) throw new Error(outcome.error);
              return (performance.now() - started) / 1000;
            }"""
        )
        # What the browser itself counts for IndexedDB, once its writes have settled.
        page.wait_for_timeout(5000)
        counted = page.evaluate(
            "navigator.storage.estimate().then((e) => (e.usageDetails || {}).indexedDB || 0)"
        )
        context.close()
        left = _indexeddb_bytes(Path(profile))
        # Chromium keeps IndexedDB in LevelDB, which merges its files in the background.
        # The files a merge replaced are deleted only once nothing reads the old version
        # any more: the book's own reads at the end of a refresh can hold them, and then
        # they stay until the database is next opened (the same pages weighed 14.5 to
        # 25.6 MB). Opened again, as the phone does at its next start, it is what the
        # book itself takes.
        context, page = open_page()
        cards = page.evaluate("crmBook.count()")
        page.wait_for_timeout(5000)
        context.close()
        kept = _indexeddb_bytes(Path(profile))
    print(
        f"  IndexedDB: {counted / 1e6:.1f} MB as the browser counts it after the download, "
        f"{left / 1e6:.1f} MB on disk then; {kept / 1e6:.1f} MB once opened again "
        f"({cards} cards)"
    )
    return kept / 1e6, left / 1e6, float(took)


def _indexeddb_bytes(profile: Path) -> int:
    folder = next(profile.rglob("IndexedDB"))
    return sum(f.stat().st_size for f in folder.rglob("*") if f.is_file())


def run(backend: str, engine: Engine, contacts: int, measure_storage: bool) -> Figures:
    org = build_org(engine, contacts=contacts, reps=1, team_size=1)
    rep = org.reps[0]
    ids = [contact["id"] for contact in org.contacts]
    add_history(engine, rep, ids, seed=11)
    download(engine, rep, None)  # warm the caches as a running server has them
    seconds, cpu, db_cpu, pages, cursor, gzipped = download(engine, rep, None)
    make_changes(engine, rep, ids)
    refresh_seconds, refresh_cpu, _, refresh_pages, _, _ = download(engine, rep, cursor)
    figures = Figures(
        backend=backend,
        contacts=contacts,
        full_seconds=seconds,
        full_cpu=cpu,
        full_db_cpu=db_cpu,
        full_pages=len(pages),
        full_bytes=sum(len(page) for page in pages),
        full_gzipped=gzipped,
        refresh_seconds=refresh_seconds,
        refresh_cpu=refresh_cpu,
        refresh_cards=sum(len(json.loads(page)["items"]) for page in refresh_pages),
        refresh_bytes=sum(len(page) for page in refresh_pages),
    )
    if measure_storage:
        figures.stored_mb, figures.stored_left_mb, figures.client_seconds = stored_size(pages)
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contacts", type=int, default=5000)
    parser.add_argument("--only", choices=("sqlite", "postgres"))
    args = parser.parse_args()
    print(machine_line())
    results: list[Figures] = []
    if args.only in (None, "sqlite"):
        with sqlite_engine() as engine:
            results.append(run("sqlite", engine, args.contacts, measure_storage=True))
    if args.only in (None, "postgres"):
        with postgres_engine(PG_DATABASE) as engine:
            results.append(run("postgres", engine, args.contacts, measure_storage=False))
    missed: list[str] = []
    for f in results:
        print(
            f"{f.backend}: full download of {f.contacts} cards {f.full_seconds:.2f} s server time "
            f"(CPU {f.full_cpu:.2f} s"
            + (f" + PostgreSQL's {f.full_db_cpu:.2f} s" if f.backend == "postgres" else "")
            + f"; {f.full_pages} pages, {f.full_bytes / 1e6:.1f} MB JSON, "
            f"{f.full_gzipped / 1e6:.1f} MB gzipped); "
            f"refresh after {CHANGES} changes {f.refresh_seconds * 1000:.0f} ms "
            f"(CPU {f.refresh_cpu * 1000:.0f} ms; {f.refresh_cards} cards, "
            f"{f.refresh_bytes / 1e3:.0f} kB)"
            + (
                f"; stored {f.stored_mb:.1f} MB of IndexedDB once opened again "
                f"({f.stored_left_mb:.1f} MB right after the download), phone-side refresh "
                f"{f.client_seconds:.1f} s"
                if f.stored_mb is not None
                and f.stored_left_mb is not None
                and f.client_seconds is not None
                else ""
            )
        )
        if f.full_seconds > FULL_TARGET_S:
            missed.append(f"{f.backend}: full download {f.full_seconds:.2f} s")
        if f.refresh_seconds > INCREMENTAL_TARGET_S:
            missed.append(f"{f.backend}: refresh {f.refresh_seconds * 1000:.0f} ms")
        if f.stored_mb is not None and f.stored_mb > STORED_TARGET_MB:
            missed.append(f"{f.backend}: stored {f.stored_mb:.1f} MB")
    print(f"load average after: {load_average()}")
    for miss in missed:
        print("MISSED", miss)
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
