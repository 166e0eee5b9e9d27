"""Contact search, server side, over 100,000 contacts: p95 must stay under 20 ms.

Builds the same data twice, in a temporary SQLite file and in a fresh
PostgreSQL database (`rapport_bench`, created and dropped through the
`postgres` superuser on 127.0.0.1), then times `search_contacts` — what the
API route and the contacts page call — for realistic typing: three-letter and
longer name prefixes, companies, emails, two words, phone fragments in the
formats people type. Queries are spread over reps (own contacts), managers
(their team's) and the admin (everyone). Exits 1 when any p95 reaches 20 ms.

    .venv/bin/python bench/search.py [--contacts 100000] [--queries 1000] [--only sqlite]
        [--database rapport_bench] [--keep]

`--keep` leaves the PostgreSQL database in place after the run, to EXPLAIN
(ANALYZE, BUFFERS) what was timed; `--database` names it (helpers sharing one
server each take their own).
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    # Run as a script (`python bench/search.py`): make the project importable.
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session

from bench.common import load_average, machine_line, postgres_engine, sqlite_engine, timed
from bench.fixtures import Org, build_org
from crm_pwa.services.actor import Actor
from crm_pwa.services.contact_list import search_contacts

TARGET_P95_MS = 20.0
PG_DATABASE = "rapport_bench"
WARM_UP = 100

Query = tuple[str, Actor, str]


def _prefix(word: str, rng: random.Random, shortest: int, longest: int) -> str:
    return word[: rng.randint(shortest, max(shortest, min(longest, len(word))))]


def _typed(contact: dict[str, Any], rng: random.Random) -> str:
    """What a person might type to find this contact."""
    first, _, last = contact["name"].partition(" ")
    digits = contact["phone_digits"]
    roll = rng.random()
    if roll < 0.35:
        return rng.choice((first, last))[:3].lower()
    if roll < 0.50:
        return _prefix(last, rng, 4, 7)
    if roll < 0.65:
        return f"{first.lower()} {last[:3].lower()}"
    if roll < 0.75:
        return _prefix(contact["company"].split()[0], rng, 3, 6).lower()
    if roll < 0.80:
        return contact["email"][: rng.randint(4, 10)]
    national = digits[-10:]
    return rng.choice(
        (
            digits[-4:],
            f"{national[3:6]} {national[6:]}",
            f"({national[:3]}) {national[3:6]}-{national[6:]}",
            f"{national[:3]} {national[3:6]}",
            f"+{digits}",
        )
    )


def make_queries(org: Org, count: int, seed: int = 11) -> list[Query]:
    rng = random.Random(seed)
    by_owner: dict[Any, list[dict[str, Any]]] = {}
    for contact in org.contacts:
        by_owner.setdefault(contact["owner_id"], []).append(contact)
    team_of = {rep.id: rep.team_id for rep in org.reps}
    queries: list[Query] = []
    for number in range(count):
        role = ("rep", "manager", "admin")[number % 3]
        if role == "rep":
            actor = rng.choice(org.reps)
            contact = rng.choice(by_owner[actor.id])
        elif role == "manager":
            actor = rng.choice(org.managers)
            team = [rep.id for rep in org.reps if team_of[rep.id] == actor.team_id]
            contact = rng.choice(by_owner[rng.choice(team)])
        else:
            actor = org.admin
            contact = rng.choice(org.contacts)
        queries.append((role, actor, _typed(contact, rng)))
    return queries


def _time(engine: Engine, actor: Actor, q: str) -> tuple[float, int]:
    with Session(engine) as session:
        seconds, page = timed(lambda: search_contacts(session=session, actor=actor, q=q, limit=20))
    return seconds * 1000, len(page.items)


def measure(engine: Engine, queries: list[Query]) -> dict[str, list[float]]:
    for _, actor, q in queries[:WARM_UP]:
        _time(engine, actor, q)
    timings: dict[str, list[float]] = {"rep": [], "manager": [], "admin": []}
    empty = 0
    for role, actor, q in queries:
        elapsed, found = _time(engine, actor, q)
        timings[role].append(elapsed)
        empty += found == 0
    if empty:
        # Every query is made from a contact the actor can see: none may come back empty.
        raise SystemExit(f"{empty} searches found nothing; the search is broken.")
    timings["all"] = [value for role in ("rep", "manager", "admin") for value in timings[role]]
    return timings


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def report(database: str, timings: dict[str, list[float]]) -> bool:
    passed = True
    for role, values in timings.items():
        p95 = percentile(values, 0.95)
        passed = passed and p95 < TARGET_P95_MS
        print(
            f"{database:<10} {role:<8} n={len(values):<5} "
            f"p50={statistics.median(values):6.2f} ms  p95={p95:6.2f} ms  "
            f"p99={percentile(values, 0.99):6.2f} ms  max={max(values):6.2f} ms"
        )
    return passed


def load(engine: Engine, contacts: int) -> Org:
    seconds, org = timed(lambda: build_org(engine, contacts=contacts, reps=50, team_size=10))
    print(f"  loaded {contacts:,} contacts in {seconds:.1f} s")
    return org


def run_sqlite(args: argparse.Namespace) -> bool:
    contacts, count = args.contacts, args.queries
    with sqlite_engine() as engine:
        org = load(engine, contacts)
        with engine.begin() as connection:
            connection.execute(sa.text("ANALYZE"))
        return report("sqlite", measure(engine, make_queries(org, count)))


def run_postgres(args: argparse.Namespace) -> bool:
    contacts, count = args.contacts, args.queries
    with postgres_engine(args.database, keep=args.keep) as engine:
        org = load(engine, contacts)
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(sa.text("VACUUM ANALYZE"))
        return report("postgresql", measure(engine, make_queries(org, count)))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--contacts", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=1_000)
    parser.add_argument("--only", choices=("sqlite", "postgresql"))
    parser.add_argument("--database", default=PG_DATABASE)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args(argv)
    runs: dict[str, Callable[[argparse.Namespace], bool]] = {
        "sqlite": run_sqlite,
        "postgresql": run_postgres,
    }
    print(machine_line())
    passed = True
    for name, run in runs.items():
        if args.only in (None, name):
            print(f"{name}: {args.contacts:,} contacts, {args.queries:,} searches")
            passed = run(args) and passed
    print(f"load average at the end: {load_average()}")
    print(f"target: p95 < {TARGET_P95_MS:.0f} ms -> {'PASS' if passed else 'FAIL'}")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
