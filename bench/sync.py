"""One outbox flush of 1,000 notes, server side: under 2 s, and a replay stores nothing.

Builds ten reps with 200 contacts each (and a little history) in a temporary
SQLite file and in a fresh PostgreSQL database (`rapport_bench_sync`, created
and dropped through the `postgres` superuser on 127.0.0.1). One rep then
flushes 1,000 notes spread over their 200 contacts, about 30% carrying a
follow-up. What is timed is what POST /api/v1/sync does once the body has
arrived: parse the JSON, validate, store, refresh health, commit. The same
body is then sent again and must create no row. Exits 1 on any miss.

    .venv/bin/python bench/sync.py [--notes 1000] [--only sqlite|postgres]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import uuid
from collections import Counter
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    # Run as a script (`python bench/sync.py`): make the project importable.
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session

from bench.common import postgres_engine, sqlite_engine, timed
from bench.fixtures import build_org
from crm_pwa import clock
from crm_pwa.db.interaction import FollowUp, Interaction
from crm_pwa.domain.days import local_day
from crm_pwa.services.actor import Actor
from crm_pwa.services.sync import SyncBatch, sync_outbox

TARGET_SECONDS = 2.0
PG_DATABASE = "rapport_bench_sync"
CONTACTS_PER_REP = 200
REPS = 10
FOLLOW_UP_SHARE = 0.3
WARM_UP_NOTES = 20
SUMMARIES = (
    "Walked the site with the facilities lead; they want the revised quote by Friday.",
    "Quick call: delivery slipped a week, they are fine with it if we confirm in writing.",
    "Coffee after the trade show. Daughter starts university in May; asked about our pilot.",
    "Renewal signed for two years. Wants a training session for the new staff in spring.",
    "Complained about the invoice format again; promised a fix from accounts.",
)


@dataclass
class Figures:
    backend: str
    notes: int
    follow_ups: int
    contacts: int
    seconds: float
    statuses: Counter[str]
    replay_seconds: float
    replay_statuses: Counter[str]
    replay_new_rows: int


def make_body(rep: Actor, contact_ids: list[uuid.UUID], count: int, seed: int) -> bytes:
    rng = random.Random(seed)
    now = clock.now()
    today = local_day(clock.now(), "UTC")
    interactions: list[dict[str, Any]] = []
    for number in range(count):
        occurred = now - timedelta(minutes=rng.randint(5, 3 * 24 * 60))
        follow_up = None
        if rng.random() < FOLLOW_UP_SHARE:
            follow_up = {
                "id": str(uuid.uuid4()),
                "due_on": (today + timedelta(days=rng.choice((1, 3, 7, 14)))).isoformat(),
                "title": "Send the revised quote",
            }
        interactions.append(
            {
                "id": str(uuid.uuid4()),
                "contact_id": str(contact_ids[number % len(contact_ids)]),
                "kind": rng.choice(("meeting", "call", "email", "message", "visit", "note")),
                "direction": rng.choice(("outbound", "outbound", "inbound")),
                "occurred_at": occurred.isoformat(),
                "summary": rng.choice(SUMMARIES),
                "sentiment": rng.choice(("positive", "positive", "neutral", "negative")),
                "follow_up": follow_up,
            }
        )
    return json.dumps({"interactions": interactions, "follow_up_updates": []}).encode()


def flush(engine: Engine, rep: Actor, raw: bytes) -> tuple[float, Counter[str]]:
    """What the route does with an arrived body, timed from parse to commit."""

    def route() -> Counter[str]:
        batch = SyncBatch.model_validate(json.loads(raw))
        with Session(engine, expire_on_commit=False) as session:
            results = sync_outbox(session=session, actor=rep, batch=batch, now=clock.now())
            session.commit()
        return Counter(result.status for result in results)

    return timed(route)


def row_count(engine: Engine) -> int:
    with engine.connect() as connection:
        notes = connection.execute(sa.select(sa.func.count()).select_from(Interaction)).scalar()
        follow_ups = connection.execute(sa.select(sa.func.count()).select_from(FollowUp)).scalar()
    return int(notes or 0) + int(follow_ups or 0)


def run(backend: str, engine: Engine, notes: int) -> Figures:
    org = build_org(
        engine,
        contacts=CONTACTS_PER_REP * REPS,
        reps=REPS,
        team_size=REPS,
        interactions_per_contact=5,
    )
    rep = org.reps[0]
    mine = [contact["id"] for contact in org.contacts if contact["owner_id"] == rep.id]
    flush(engine, rep, make_body(rep, mine, WARM_UP_NOTES, seed=1))

    raw = make_body(rep, mine, notes, seed=2)
    follow_ups = sum(1 for item in json.loads(raw)["interactions"] if item["follow_up"])
    seconds, statuses = flush(engine, rep, raw)
    rows = row_count(engine)
    replay_seconds, replay_statuses = flush(engine, rep, raw)
    return Figures(
        backend=backend,
        notes=notes,
        follow_ups=follow_ups,
        contacts=len(mine),
        seconds=seconds,
        statuses=statuses,
        replay_seconds=replay_seconds,
        replay_statuses=replay_statuses,
        replay_new_rows=row_count(engine) - rows,
    )


def on_sqlite(notes: int) -> Figures:
    with sqlite_engine() as engine:
        return run("sqlite", engine, notes)


def on_postgres(notes: int) -> Figures:
    with postgres_engine(PG_DATABASE) as engine:
        return run("postgres", engine, notes)


def misses(figures: Figures) -> list[str]:
    found: list[str] = []
    if figures.seconds >= TARGET_SECONDS:
        found.append(f"{figures.backend}: flush took {figures.seconds:.2f} s")
    if figures.statuses != Counter({"created": figures.notes}):
        found.append(f"{figures.backend}: first flush answered {dict(figures.statuses)}")
    if figures.replay_statuses != Counter({"duplicate": figures.notes}):
        found.append(f"{figures.backend}: replay answered {dict(figures.replay_statuses)}")
    if figures.replay_new_rows:
        found.append(f"{figures.backend}: replay created {figures.replay_new_rows} rows")
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notes", type=int, default=1000)
    parser.add_argument("--only", choices=("sqlite", "postgres"))
    args = parser.parse_args()
    runners = {"sqlite": on_sqlite, "postgres": on_postgres}
    failures: list[str] = []
    for name, runner in runners.items():
        if args.only and name != args.only:
            continue
        figures = runner(args.notes)
        print(
            f"{name:9} {figures.notes} notes ({figures.follow_ups} with a follow-up) "
            f"over {figures.contacts} contacts: {figures.seconds:.3f} s "
            f"(target < {TARGET_SECONDS:.0f} s); replay {figures.replay_seconds:.3f} s, "
            f"{dict(figures.replay_statuses)}, {figures.replay_new_rows} new rows"
        )
        failures.extend(misses(figures))
    for failure in failures:
        print(f"MISS {failure}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
