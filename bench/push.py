"""Push fan-out: 10,000 due reminders reach a local push endpoint in under 15 s.

Builds 1,000 reps (one phone each) with 10,000 overdue follow-ups, in a
temporary SQLite file and in a fresh PostgreSQL database (`rapport_bench_push`,
created and dropped through the `postgres` superuser on 127.0.0.1), then times
one `run_reminders` in this process — what the in-app scheduler and `python -m
crm_pwa remind` call: load, plan, claim, encrypt, VAPID-sign and POST every
message. A second run must send nothing (each follow-up is reminded once a day).

`queue` (PostgreSQL) times the same fan-out as a multi-worker deployment runs it:
`--workers` (2) `python -m crm_pwa worker` processes are started and idle, then
the clock starts, the follow-ups become due and one `plan-reminders` job is
deferred; it splits them into `send-reminders` jobs the workers share; the clock
stops when the endpoint has taken every message and no job is left.

The push endpoint is a keep-alive HTTP server in its own process that checks each
request's VAPID, TTL and encoding headers and answers 201. Exits 1 on any miss.

    .venv/bin/python bench/push.py [--reminders 10000] [--reps 1000]
        [--only sqlite|postgresql|queue] [--workers 2]
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from datetime import time as time_of_day
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    # Run as a script (`python bench/push.py`): make the project importable.
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx
import sqlalchemy as sa
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from sqlalchemy import func, insert, select, update
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel, col

from bench.common import machine_line, postgres_engine, sqlite_engine, timed
from bench.fixtures import build_org
from crm_pwa import job_queue
from crm_pwa.db.columns import new_id
from crm_pwa.db.contact import Contact
from crm_pwa.db.interaction import FollowUp
from crm_pwa.db.user import User
from crm_pwa.services.reminders import run_reminders
from crm_pwa.settings import get_settings

TARGET_SECONDS = 15.0
PG_DATABASE = "rapport_bench_push"
TODAY = date(2026, 11, 23)
NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)  # outside the default quiet hours
CHUNK = 2_000
TABLES = SQLModel.metadata.tables


@dataclass
class Figures:
    backend: str
    seconds: float
    sent: int
    received: int
    failed: int
    second_run_sent: int
    second_run_seconds: float
    reminded: int


class _Endpoint(BaseHTTPRequestHandler):
    """Plays a push service: checks what a push service checks cheaply, answers 201."""

    protocol_version = "HTTP/1.1"
    counts = {"received": 0, "rejected": 0}
    lock = threading.Lock()

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        good = (
            (self.headers.get("Authorization") or "").startswith("vapid t=")
            and self.headers.get("Content-Encoding") == "aes128gcm"
            and self.headers.get("TTL") == "86400"
        )
        with self.lock:
            self.counts["received" if good else "rejected"] += 1
        self.send_response(201 if good else 400)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_GET(self) -> None:
        with self.lock:
            body = json.dumps(self.counts).encode()
            if self.path == "/reset":
                self.counts.update(received=0, rejected=0)
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        """Silence the per-request log lines."""


def serve() -> None:
    """The endpoint process: prints its port, serves until its stdin closes."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Endpoint)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    print(server.server_address[1], flush=True)
    sys.stdin.read()
    server.shutdown()


@contextmanager
def push_endpoint() -> Iterator[str]:
    """A push endpoint in its own process, so it does not share the sender's GIL."""
    process = subprocess.Popen(
        [sys.executable, __file__, "--serve"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        yield f"127.0.0.1:{int(process.stdout.readline())}"
    finally:
        assert process.stdin is not None
        process.stdin.close()
        process.wait(timeout=10)


def b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def endpoint_counts(host: str, reset: bool = False) -> dict[str, int]:
    answer = httpx.get(f"http://{host}/{'reset' if reset else 'stats'}", timeout=10)
    counts: dict[str, int] = answer.json()
    return counts


def load(engine: Engine, host: str, reminders: int, reps: int) -> None:
    """`reps` reps with a phone each and `reminders` overdue follow-ups among them."""
    started = time.perf_counter()
    # A few contacts are do-not-contact: build enough to have `reminders` that are not.
    org = build_org(engine, contacts=int(reminders * 1.05) + 10, reps=reps, today=TODAY)
    with engine.connect() as connection:
        reachable = connection.execute(
            select(col(Contact.id), col(Contact.owner_id))
            .where(col(Contact.do_not_contact).is_(False))
            .order_by(col(Contact.id))
        ).all()
    if len(reachable) < reminders:
        raise SystemExit("not enough reachable contacts were built")
    follow_ups = [
        {
            "id": new_id(),
            "contact_id": contact.id,
            "owner_id": contact.owner_id,
            "interaction_id": None,
            "title": "Send the revised quote",
            "due_on": TODAY - timedelta(days=1 + number % 10),
            "status": "open",
            "snooze_until": None,
            "done_on": None,
            "changed_at": NOW - timedelta(days=14),
            "created_at": NOW - timedelta(days=14),
            "last_reminded_on": None,
        }
        for number, contact in enumerate(reachable[:reminders])
    ]
    devices = []
    for number, rep in enumerate(org.reps):
        devices.append(
            {
                "id": new_id(),
                "user_id": rep.id,
                "endpoint": f"http://{host}/push/rep-{number}",
                "p256dh": b64url(
                    ec.generate_private_key(ec.SECP256R1())
                    .public_key()
                    .public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)
                ),
                "auth": b64url(os.urandom(16)),
                "user_agent": "bench",
                "created_at": NOW,
                "last_success_at": None,
                "retry_not_before": None,
            }
        )
    with engine.begin() as connection:
        for start in range(0, len(follow_ups), CHUNK):
            connection.execute(insert(TABLES["followup"]), follow_ups[start : start + CHUNK])
        connection.execute(insert(TABLES["pushsubscription"]), devices)
    print(
        f"  loaded {reps:,} reps with a phone each and {reminders:,} overdue follow-ups "
        f"in {time.perf_counter() - started:.1f} s"
    )


def measure(backend: str, engine: Engine, host: str) -> Figures:
    endpoint_counts(host, reset=True)
    with httpx.Client(
        limits=httpx.Limits(max_connections=64, max_keepalive_connections=64)
    ) as client:
        seconds, report = timed(
            lambda: run_reminders(engine_or_session=engine, now=NOW, client=client)
        )
        counts = endpoint_counts(host)
        second_seconds, again = timed(
            lambda: run_reminders(
                engine_or_session=engine, now=NOW + timedelta(minutes=1), client=client
            )
        )
    with engine.connect() as connection:
        reminded = connection.execute(
            select(func.count())
            .select_from(FollowUp)
            .where(col(FollowUp.last_reminded_on) == TODAY)
        ).scalar_one()
    if report.errors:
        print("  errors: " + "; ".join(report.errors[:5]))
    return Figures(
        backend=backend,
        seconds=seconds,
        sent=report.pushes_sent,
        received=counts["received"],
        failed=report.pushes_failed + counts["rejected"],
        second_run_sent=again.pushes_sent,
        second_run_seconds=second_seconds,
        reminded=int(reminded),
    )


def run_sqlite(host: str, reminders: int, reps: int) -> Figures:
    with sqlite_engine() as engine:
        load(engine, host, reminders, reps)
        return measure("sqlite", engine, host)


def run_postgres(host: str, reminders: int, reps: int) -> Figures:
    with postgres_engine(PG_DATABASE) as engine:
        load(engine, host, reminders, reps)
        return measure("postgresql", engine, host)


def run_queue(host: str, reminders: int, reps: int, workers: int) -> Figures:
    """The fan-out through the job queue, spread over `workers` worker processes."""
    with postgres_engine(PG_DATABASE) as engine:
        load(engine, host, reminders, reps)
        # Real time here (the workers run on the real clock): no quiet hours, and
        # nothing due until the clock starts.
        with engine.begin() as connection:
            connection.execute(
                update(User).values(quiet_start=time_of_day(0), quiet_end=time_of_day(0))
            )
            connection.execute(
                update(FollowUp).values(last_reminded_on=date.today() + timedelta(days=2))
            )
        url = engine.url.render_as_string(hide_password=False)
        env = {
            **os.environ,
            "RAPPORT_DATABASE_URL": url,
            "RAPPORT_SCHEDULER": "queue",
        }
        env.pop("RAPPORT_CLOCK_FILE", None)
        processes = [
            subprocess.Popen(
                [sys.executable, "-m", "crm_pwa", "worker"],
                cwd=Path(__file__).resolve().parent.parent,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                start_new_session=True,
            )
            for _ in range(workers)
        ]
        try:
            _until(lambda: _count(engine, "SELECT count(*) FROM procrastinate_workers") >= workers)
            _until(lambda: _count(engine, _UNFINISHED) == 0)
            endpoint_counts(host, reset=True)
            started = time.perf_counter()
            with engine.begin() as connection:
                connection.execute(update(FollowUp).values(last_reminded_on=None))
            os.environ["RAPPORT_DATABASE_URL"] = url
            get_settings.cache_clear()
            with job_queue.queue().open() as app:
                app.configure_task("plan-reminders").defer(timestamp=0)
            _until(lambda: endpoint_counts(host)["received"] >= reminders, limit=600)
            _until(lambda: _count(engine, _UNFINISHED) == 0, limit=600)
            seconds = time.perf_counter() - started
        finally:
            for process in processes:
                os.killpg(process.pid, signal.SIGTERM)
            for process in processes:
                process.wait(timeout=150)
        counts = endpoint_counts(host)
        with engine.connect() as connection:
            reminded = connection.execute(
                select(func.count())
                .select_from(FollowUp)
                .where(col(FollowUp.last_reminded_on) != None)  # noqa: E711
            ).scalar_one()
        return Figures(
            backend=f"queue ({workers} workers)",
            seconds=seconds,
            sent=counts["received"],
            received=counts["received"],
            failed=counts["rejected"],
            second_run_sent=0,
            second_run_seconds=0.0,
            reminded=int(reminded),
        )


_UNFINISHED = "SELECT count(*) FROM procrastinate_jobs WHERE status IN ('todo', 'doing')"


def _count(engine: Engine, query: str) -> int:
    with engine.connect() as connection:
        return int(connection.execute(sa.text(query)).scalar_one())


def _until(condition: Callable[[], bool], limit: float = 120) -> None:
    deadline = time.monotonic() + limit
    while not condition():
        if time.monotonic() > deadline:
            raise SystemExit("the workers did not get there in time")
        time.sleep(0.05)


def misses(figures: Figures, reminders: int) -> list[str]:
    found = []
    if figures.seconds >= TARGET_SECONDS:
        found.append(
            f"{figures.backend}: {figures.seconds:.1f} s is not under {TARGET_SECONDS:.0f} s"
        )
    if not figures.sent == figures.received == figures.reminded == reminders:
        found.append(
            f"{figures.backend}: {reminders:,} due, {figures.sent:,} sent, "
            f"{figures.received:,} received, {figures.reminded:,} marked reminded"
        )
    if figures.failed or figures.second_run_sent:
        found.append(
            f"{figures.backend}: {figures.failed} failed, {figures.second_run_sent} sent twice"
        )
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--reminders", type=int, default=10_000)
    parser.add_argument("--reps", type=int, default=1_000)
    parser.add_argument("--only", choices=("sqlite", "postgresql", "queue"))
    parser.add_argument("--workers", type=int, default=2, help="worker processes for `queue`")
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve:
        serve()
        return 0
    print(machine_line())
    runs: dict[str, Callable[[str, int, int], Figures]] = {
        "sqlite": run_sqlite,
        "postgresql": run_postgres,
        "queue": lambda host, reminders, reps: run_queue(host, reminders, reps, args.workers),
    }
    found: list[str] = []
    with tempfile.TemporaryDirectory() as data, push_endpoint() as host:
        os.environ["RAPPORT_DATA_DIR"] = data
        os.environ["RAPPORT_PUSH_EXTRA_HOSTS"] = host
        get_settings.cache_clear()
        for name, run in runs.items():
            if args.only not in (None, name):
                continue
            print(f"{name}: {args.reminders:,} due reminders, {args.reps:,} reps")
            figures = run(host, args.reminders, args.reps)
            rate = figures.sent / figures.seconds
            print(
                f"  fan-out {figures.seconds:.1f} s ({rate:,.0f} pushes/s): "
                f"{figures.sent:,} sent, {figures.received:,} received, {figures.failed} failed; "
                f"second run {figures.second_run_seconds:.2f} s, {figures.second_run_sent} sent"
            )
            found += misses(figures, args.reminders)
    for miss in found:
        print("MISS " + miss)
    print(f"target: under {TARGET_SECONDS:.0f} s -> {'FAIL' if found else 'PASS'}")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
