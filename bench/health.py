"""Weekly snapshot and daily rescore of 100,000 contacts / 1,000,000 interactions: ≤ 15 s each.

Builds the same data in a temporary SQLite file and in a fresh PostgreSQL
database (`rapport_bench_health`, created and dropped through the `postgres`
superuser on 127.0.0.1): 200 reps in 20 teams, contacts of every tier with ten
interactions each over a span that fits their rhythm, three follow-ups each
(mostly kept, some late, some open, a few snoozed) and complaints on one
contact in twenty. Rows are written with the driver's bulk path (executemany
on SQLite, COPY on PostgreSQL) so building takes seconds, not minutes.

Then it times `snapshot_week` for the week that just ended, exactly as the
scheduled job runs it, a second run of the same week (which must write
nothing), and the daily rescoring of every contact. Besides the wall clock it
reports this process's CPU seconds and, on PostgreSQL, those of the server's
backend (read from /proc: the server runs on this machine): on a shared
machine they are the fairer figure. Exits 1 when the snapshot or the rescore
takes more than 15 s, or the snapshot writes the wrong number of rows.

    .venv/bin/python bench/health.py [--contacts 100000] [--interactions 10] [--only sqlite]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sqlite3
import sys
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    # Run as a script (`python bench/health.py`): make the project importable.
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session

from bench.common import load_average, machine, postgres_engine, sqlite_engine, timed
from bench.fixtures import NO_PASSWORD
from crm_pwa.db.contact import Contact
from crm_pwa.db.interaction import Complaint, FollowUp, Interaction
from crm_pwa.db.note_rows import table_of
from crm_pwa.services.health import refresh_all_health
from crm_pwa.services.snapshot import last_full_week, snapshot_week

TARGET_SECONDS = 15.0
PG_DATABASE = "rapport_bench_health"
TODAY = date(2026, 11, 25)
REPS = 200
TEAM_SIZE = 10
# Days over which a contact's interactions are spread, by tier: about one a rhythm.
SPREAD = {"high": 90, "medium": 330, "low": 900}
TIERS = ("high", "medium", "medium", "low")
KINDS = ("meeting", "call", "call", "email", "message", "visit")
SENTIMENTS = ("positive", "positive", "neutral", "neutral", "negative")

Row = tuple[Any, ...]


@dataclass
class Data:
    """Rows in column order, per table; ids and times as Python objects."""

    teams: list[Row]
    users: list[Row]
    contacts: list[Row]
    interactions: list[Row]
    follow_ups: list[Row]
    complaints: list[Row]


COLUMNS = {
    "team": ("id", "name", "created_at"),
    "user": (
        "id",
        "email",
        "name",
        "password_hash",
        "role",
        "team_id",
        "time_zone",
        "reminder_time",
        "quiet_start",
        "quiet_end",
        "is_active",
        "created_at",
    ),
    "contact": (
        "id",
        "owner_id",
        "name",
        "company",
        "title",
        "kind",
        "tier",
        "phone",
        "phone_digits",
        "email",
        "address",
        "tags",
        "connection_notes",
        "do_not_contact",
        "health_band",
        "health_reasons",
        "created_at",
        "updated_at",
    ),
    "interaction": (
        "id",
        "contact_id",
        "author_id",
        "kind",
        "direction",
        "occurred_at",
        "summary",
        "sentiment",
        "created_at",
    ),
    "followup": (
        "id",
        "contact_id",
        "owner_id",
        "title",
        "due_on",
        "status",
        "snooze_until",
        "done_on",
        "changed_at",
        "created_at",
    ),
    "complaint": (
        "id",
        "contact_id",
        "owner_id",
        "summary",
        "opened_at",
        "resolved_at",
        "resolution",
    ),
}


def generate(contacts: int, per_contact: int, seed: int = 7) -> Data:
    rng = random.Random(seed)
    now = datetime.combine(TODAY, clock_time(12), UTC)
    minute = timedelta(minutes=1)

    def new_id() -> uuid.UUID:
        return uuid.UUID(int=rng.getrandbits(128), version=4)

    teams: list[Row] = []
    users: list[Row] = []
    reps: list[uuid.UUID] = []
    for number in range(REPS):
        if number % TEAM_SIZE == 0:
            team_id = new_id()
            teams.append((team_id, f"Team {len(teams) + 1}", now))
            users.append(_user(new_id(), f"manager{len(teams)}", "manager", team_id, now))
        reps.append(new_id())
        users.append(_user(reps[-1], f"rep{number}", "rep", team_id, now))
    data = Data(teams, users, [], [], [], [])
    for number in range(contacts):
        contact_id, owner = new_id(), reps[number % REPS]
        tier = TIERS[number % len(TIERS)]
        data.contacts.append(
            (
                contact_id,
                owner,
                f"Contact {number}",
                "Acme",
                "Buyer",
                "customer",
                tier,
                "",
                "",
                "",
                "",
                "[]",
                "",
                False,
                "new",
                "[]",
                now,
                now,
            )
        )
        spread = SPREAD[tier] * 24 * 60
        for _ in range(per_contact):
            at = now - rng.randint(0, spread) * minute
            data.interactions.append(
                (
                    new_id(),
                    contact_id,
                    owner,
                    rng.choice(KINDS),
                    "outbound",
                    at,
                    "Checked in on the account.",
                    rng.choice(SENTIMENTS),
                    at,
                )
            )
        for _ in range(3):
            data.follow_ups.append(_follow_up(rng, new_id(), contact_id, owner, now))
        if rng.random() < 0.05:
            opened = now - rng.randint(0, 60 * 24 * 60) * minute
            resolved = opened + timedelta(days=rng.randint(1, 6)) if rng.random() < 0.6 else None
            data.complaints.append(
                (new_id(), contact_id, owner, "Late delivery", opened, resolved, "")
            )
    return data


def _user(user_id: uuid.UUID, name: str, role: str, team_id: uuid.UUID, now: datetime) -> Row:
    nine, eight, twenty = clock_time(9), clock_time(8), clock_time(20)
    email = f"{name}@bench.example"
    return (user_id, email, name, NO_PASSWORD, role, team_id, "UTC", nine, twenty, eight, True, now)


def _follow_up(
    rng: random.Random,
    follow_up_id: uuid.UUID,
    contact_id: uuid.UUID,
    owner: uuid.UUID,
    now: datetime,
) -> Row:
    due = TODAY - timedelta(days=rng.randint(-14, 150))
    roll = rng.random()
    done_on: date | None = None
    snooze_until: date | None = None
    status = "open"
    if due < TODAY and roll < 0.70:
        status, done_on = "done", due - timedelta(days=rng.randint(0, 2))
    elif due < TODAY and roll < 0.85:
        status, done_on = "done", min(TODAY, due + timedelta(days=rng.randint(1, 10)))
    elif roll > 0.97:
        status, snooze_until = "snoozed", TODAY + timedelta(days=rng.randint(1, 7))
    changed = datetime.combine(done_on or due, clock_time(9), UTC)
    created = datetime.combine(due - timedelta(days=7), clock_time(9), UTC)
    return (
        follow_up_id,
        contact_id,
        owner,
        "Call back",
        due,
        status,
        snooze_until,
        done_on,
        min(changed, now),
        created,
    )


def _chunks(rows: Sequence[Row], size: int = 50_000) -> Iterator[Sequence[Row]]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


def _tables(data: Data) -> list[tuple[str, list[Row]]]:
    return [
        ("team", data.teams),
        ("user", data.users),
        ("contact", data.contacts),
        ("interaction", data.interactions),
        ("followup", data.follow_ups),
        ("complaint", data.complaints),
    ]


def load_sqlite(engine: Engine, data: Data) -> None:
    """Bulk rows through sqlite3's executemany, stored as the app's column types store them."""
    # The same text the app's types write: UUIDs as 32 hex digits, UTC times
    # with microseconds, dates and times in ISO form.
    sqlite3.register_adapter(uuid.UUID, lambda value: value.hex)
    sqlite3.register_adapter(datetime, lambda value: value.strftime("%Y-%m-%d %H:%M:%S.%f"))
    sqlite3.register_adapter(date, lambda value: value.isoformat())
    sqlite3.register_adapter(clock_time, lambda value: value.strftime("%H:%M:%S.%f"))
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        # Room for the indexes being rebuilt; the default 2 MB cache thrashes.
        cursor.execute("PRAGMA cache_size=-262144")
        for table, rows in _tables(data):
            columns = COLUMNS[table]
            sql = (
                f'INSERT INTO "{table}" ({", ".join(columns)}) '
                f"VALUES ({', '.join('?' for _ in columns)})"
            )
            for chunk in _chunks(rows):
                cursor.executemany(sql, chunk)
        raw.commit()
    finally:
        raw.close()


def load_postgres(engine: Engine, data: Data) -> None:
    """Bulk rows through COPY, the fastest way into PostgreSQL."""
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        for table, rows in _tables(data):
            columns = ", ".join(COLUMNS[table])
            with cursor.copy(f'COPY "{table}" ({columns}) FROM STDIN') as copy:  # type: ignore[attr-defined]
                for row in rows:
                    copy.write_row(row)
        raw.commit()
    finally:
        raw.close()


def _without_indexes(engine: Engine, load: Callable[[], None]) -> int:
    """Loads with the secondary indexes dropped, then builds them: sorting beats a
    million inserts at random places in each index."""
    indexes = [
        index
        for model in (Contact, Interaction, FollowUp, Complaint)
        for index in table_of(model).indexes
    ]
    with engine.begin() as connection:
        for index in indexes:
            index.drop(connection)
    load()
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(sa.text("SET maintenance_work_mem = '256MB'"))
        for index in indexes:
            index.create(connection)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(
            sa.text("VACUUM ANALYZE" if engine.dialect.name == "postgresql" else "ANALYZE")
        )
    return len(indexes)


def measure(
    kind: str, engine: Engine, data: Data, load: Callable[[Engine, Data], None]
) -> dict[str, Any]:
    seconds_to_load, _ = timed(lambda: _without_indexes(engine, lambda: load(engine, data)))
    week = last_full_week(TODAY)

    def snapshot() -> int:
        with Session(engine) as session:
            written = snapshot_week(session=session, week=week, today=TODAY)
            session.commit()
        return written

    def refresh() -> int:
        with Session(engine) as session:
            changed = refresh_all_health(session, datetime.combine(TODAY, clock_time(12), UTC))
            session.commit()
        return changed

    first_seconds, (written, first_cpu) = timed(lambda: _with_cpu(engine, snapshot))
    again_seconds, (written_again, _) = timed(lambda: _with_cpu(engine, snapshot))
    refresh_seconds, (changed, refresh_cpu) = timed(lambda: _with_cpu(engine, refresh))
    return {
        "database": kind,
        "load_s": round(seconds_to_load, 1),
        "snapshot_s": round(first_seconds, 1),
        "snapshot_cpu_s": first_cpu,
        "rows_written": written,
        "second_run_s": round(again_seconds, 2),
        "second_run_rows": written_again,
        "daily_refresh_s": round(refresh_seconds, 1),
        "daily_refresh_cpu_s": refresh_cpu,
        "scores_changed": changed,
        "load_average": load_average(),
        "ok": first_seconds <= TARGET_SECONDS
        and refresh_seconds <= TARGET_SECONDS
        and written == len(data.contacts)
        and written_again == 0,
    }


def _backend_cpu(engine: Engine) -> float:
    """CPU seconds used so far by PostgreSQL's backends in this database (the pool's
    connection may be any of them), 0 on SQLite, whose work runs in this process."""
    if engine.dialect.name != "postgresql":
        return 0.0
    with engine.connect() as connection:
        pids = list(
            connection.exec_driver_sql(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
            ).scalars()
        )
    total = 0.0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def _with_cpu(engine: Engine, action: Callable[[], int]) -> tuple[int, dict[str, float]]:
    """What `action` returns, with the CPU seconds it cost here and in the database server."""
    backend, process = _backend_cpu(engine), time.process_time()
    result = action()
    process, backend = time.process_time() - process, _backend_cpu(engine) - backend
    return result, {"process": round(process, 1), "server": round(backend, 1)}


def run_sqlite(data: Data) -> dict[str, Any]:
    with sqlite_engine() as engine:
        return measure("SQLite", engine, data, load_sqlite)


def run_postgres(data: Data) -> dict[str, Any]:
    with postgres_engine(PG_DATABASE) as engine:
        return measure("PostgreSQL", engine, data, load_postgres)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contacts", type=int, default=100_000)
    parser.add_argument("--interactions", type=int, default=10, help="per contact")
    parser.add_argument("--only", choices=("sqlite", "postgres"))
    args = parser.parse_args(argv)
    generated, data = timed(lambda: generate(args.contacts, args.interactions))
    print(json.dumps(machine()))
    print(
        json.dumps(
            {
                "contacts": len(data.contacts),
                "interactions": len(data.interactions),
                "follow_ups": len(data.follow_ups),
                "complaints": len(data.complaints),
                "generate_s": round(generated, 1),
            }
        )
    )
    results = []
    if args.only in (None, "sqlite"):
        results.append(run_sqlite(data))
        print(json.dumps(results[-1]), flush=True)
    if args.only in (None, "postgres"):
        results.append(run_postgres(data))
        print(json.dumps(results[-1]), flush=True)
    return 0 if all(result["ok"] for result in results) else 1


if __name__ == "__main__":
    sys.exit(main())
