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

The push endpoint is a keep-alive HTTP server in its own process that judges each
message as a push service does (the VAPID token's ES256 signature, `aud`, `exp`
and `sub`; the TTL; an aes128gcm body of at most 4,096 bytes) and answers 201.
`queue` also prints the CPU seconds the workers, the database's backends and the
endpoint spent during the fan-out. Exits 1 on any miss.

    .venv/bin/python bench/push.py [--reminders 10000] [--reps 1000]
        [--only sqlite|postgresql|queue] [--workers 2]
"""

from __future__ import annotations

import argparse
import asyncio
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
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    # Run as a script (`python bench/push.py`): make the project importable.
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx
import sqlalchemy as sa
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from py_vapid.jwt import decode as decode_vapid_token
from sqlalchemy import func, insert, select, update
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel, col

from bench.common import (
    load_average,
    machine_line,
    postgres_engine,
    process_cpu,
    process_cpu_split,
    sqlite_engine,
    timed,
)
from bench.fixtures import build_org
from crm_pwa import job_queue
from crm_pwa.db.columns import new_id
from crm_pwa.db.contact import Contact
from crm_pwa.db.interaction import FollowUp
from crm_pwa.db.user import User
from crm_pwa.services.reminder_sending import REMINDER_TTL_SECONDS
from crm_pwa.services.reminders import run_reminders
from crm_pwa.settings import get_settings

TARGET_SECONDS = 15.0
PG_DATABASE = "rapport_bench_push"
TODAY = date(2026, 11, 23)
NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)  # outside the default quiet hours
CHUNK = 2_000
# What push services refuse: a token valid for more than a day, a body above
# 4,096 bytes. 86 bytes of aes128gcm header: salt, record size, key id length, key.
MAX_TOKEN_LIFETIME_SECONDS = 24 * 3600
MAX_BODY_BYTES = 4096
AES128GCM_HEADER_BYTES = 86
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
    # CPU seconds of the fan-out: the senders (this process, or the workers), the
    # PostgreSQL backends of the bench database, the push endpoint.
    cpu: dict[str, float] | None = None


class _PushService:
    """Judges each message as a push service does, counts what it took and refused."""

    def __init__(self, origin: str) -> None:
        self.origin = origin
        self.counts = {"received": 0, "rejected": 0}
        # Authorization header -> its claims, once its signature verified: the
        # same bytes verify the same way, and `aud` and `exp` are checked on
        # every message all the same.
        self.verified: dict[str, dict[str, Any]] = {}

    def judge(self, headers: dict[str, str], body: bytes) -> int:
        authorization = headers.get("authorization")
        if authorization is None:
            return 401
        claims = self.verified.get(authorization)
        if claims is None:
            claims = _vapid_claims(authorization)
            if claims is None:
                return 403
            self.verified[authorization] = claims
        now = time.time()
        exp = claims.get("exp")
        if (
            claims.get("aud") != self.origin
            or not isinstance(exp, int)
            or not now < exp <= now + MAX_TOKEN_LIFETIME_SECONDS
            or not str(claims.get("sub", "")).startswith(("mailto:", "https:"))
        ):
            return 403
        if (
            headers.get("ttl") != str(REMINDER_TTL_SECONDS)
            or headers.get("content-encoding") != "aes128gcm"
            or not _aes128gcm(body)
        ):
            return 400
        if len(body) > MAX_BODY_BYTES:
            return 413
        return 201


def _vapid_claims(authorization: str) -> dict[str, Any] | None:
    """The claims of a `vapid t=<JWT>, k=<key>` header whose ES256 signature verifies."""
    scheme, _, params = authorization.partition(" ")
    try:
        parts = dict(part.strip().split("=", 1) for part in params.split(","))
        header = json.loads(_b64url_decode(parts["t"].split(".", 1)[0]))
        claims = decode_vapid_token(parts["t"], parts["k"])
    except (InvalidSignature, KeyError, ValueError):
        return None
    if scheme.lower() != "vapid" or header != {"typ": "JWT", "alg": "ES256"}:
        return None
    return claims if isinstance(claims, dict) else None


def _aes128gcm(body: bytes) -> bool:
    """An RFC 8188 body as RFC 8291 has it: salt, record size, the sender's P-256
    key as key id, then one record (at least its padding delimiter and tag)."""
    if len(body) < AES128GCM_HEADER_BYTES + 17:
        return False
    record_size = int.from_bytes(body[16:20], "big")
    key_id = body[21 : 21 + body[20]]
    records = len(body) - AES128GCM_HEADER_BYTES
    return len(key_id) == 65 and key_id[0] == 4 and 18 <= records <= record_size


def _b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


_REASONS = {200: "OK", 201: "Created", 400: "Bad Request", 401: "Unauthorized"}
_REASONS |= {403: "Forbidden", 404: "Not Found", 413: "Content Too Large"}


async def _serve_connection(
    service: _PushService, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
) -> None:
    """HTTP/1.1 keep-alive: requests one after another until the sender hangs up."""
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            request_line, *lines = head[:-4].decode("latin-1").split("\r\n")
            method, path, _version = request_line.split(" ", 2)
            headers = {}
            for line in lines:
                name, _, value = line.partition(":")
                headers[name.strip().lower()] = value.strip()
            body = await reader.readexactly(int(headers.get("content-length") or 0))
            answer = b""
            if method == "POST" and path.startswith("/push/"):
                status = service.judge(headers, body)
                service.counts["received" if status == 201 else "rejected"] += 1
            elif method == "GET" and path in ("/stats", "/reset"):
                status, answer = 200, json.dumps(service.counts).encode()
                if path == "/reset":
                    service.counts.update(received=0, rejected=0)
            else:
                status = 404
            writer.write(
                f"HTTP/1.1 {status} {_REASONS[status]}\r\n"
                f"Content-Length: {len(answer)}\r\n\r\n".encode("latin-1")
                + answer
            )
    except (asyncio.IncompleteReadError, ConnectionError):
        pass
    finally:
        writer.close()


def serve() -> None:
    """The endpoint process: prints its port, serves until its stdin closes.

    One thread and an event loop, as push services are built: a thread per
    connection (http.server's) spent more CPU taking turns than answering."""
    loop = asyncio.new_event_loop()
    service = _PushService("")
    server = loop.run_until_complete(
        asyncio.start_server(
            lambda reader, writer: _serve_connection(service, reader, writer), "127.0.0.1", 0
        )
    )
    port = server.sockets[0].getsockname()[1]
    service.origin = f"http://127.0.0.1:{port}"
    threading.Thread(target=loop.run_forever, daemon=True).start()
    print(port, flush=True)
    sys.stdin.read()
    loop.call_soon_threadsafe(loop.stop)


@dataclass(frozen=True)
class Endpoint:
    host: str
    pid: int


@contextmanager
def push_endpoint() -> Iterator[Endpoint]:
    """A push endpoint in its own process, so it does not share the sender's GIL."""
    process = subprocess.Popen(
        [sys.executable, __file__, "--serve"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        yield Endpoint(f"127.0.0.1:{int(process.stdout.readline())}", process.pid)
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


def measure(backend: str, engine: Engine, endpoint: Endpoint) -> Figures:
    host = endpoint.host
    endpoint_counts(host, reset=True)
    cpu_before = time.process_time(), process_cpu(endpoint.pid)
    with httpx.Client(
        limits=httpx.Limits(max_connections=64, max_keepalive_connections=64)
    ) as client:
        seconds, report = timed(
            lambda: run_reminders(engine_or_session=engine, now=NOW, client=client)
        )
        counts = endpoint_counts(host)
        cpu = {
            "sender": time.process_time() - cpu_before[0],
            "endpoint": process_cpu(endpoint.pid) - cpu_before[1],
        }
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
        cpu=cpu,
    )


def run_sqlite(endpoint: Endpoint, reminders: int, reps: int) -> Figures:
    with sqlite_engine() as engine:
        load(engine, endpoint.host, reminders, reps)
        return measure("sqlite", engine, endpoint)


def run_postgres(endpoint: Endpoint, reminders: int, reps: int) -> Figures:
    with postgres_engine(PG_DATABASE) as engine:
        load(engine, endpoint.host, reminders, reps)
        return measure("postgresql", engine, endpoint)


def run_queue(endpoint: Endpoint, reminders: int, reps: int, workers: int) -> Figures:
    """The fan-out through the job queue, spread over `workers` worker processes."""
    host = endpoint.host
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
            cpu_before = _fan_out_cpu(engine, processes, endpoint)
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
            cpu_after = _fan_out_cpu(engine, processes, endpoint)
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
            cpu={name: cpu_after[name] - cpu_before[name] for name in cpu_after},
        )


def _fan_out_cpu(
    engine: Engine, workers: list[subprocess.Popen[bytes]], endpoint: Endpoint
) -> dict[str, float]:
    """CPU seconds so far of the workers, the bench database's backends and the endpoint."""
    with engine.connect() as connection:
        backends = connection.exec_driver_sql(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
        ).scalars()
        server = sum(_cpu_or_none(int(pid)) for pid in backends)
    split = [process_cpu_split(worker.pid) for worker in workers]
    return {
        "workers": sum(user + system for user, system in split),
        "of which in the kernel": sum(system for _user, system in split),
        "postgresql": server,
        "endpoint": process_cpu(endpoint.pid),
    }


def _cpu_or_none(pid: int) -> float:
    """A backend's CPU seconds; 0 for one that ended since it was listed."""
    try:
        return process_cpu(pid)
    except OSError:
        return 0.0


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
    runs: dict[str, Callable[[Endpoint, int, int], Figures]] = {
        "sqlite": run_sqlite,
        "postgresql": run_postgres,
        "queue": lambda endpoint, reminders, reps: run_queue(
            endpoint, reminders, reps, args.workers
        ),
    }
    found: list[str] = []
    with tempfile.TemporaryDirectory() as data, push_endpoint() as endpoint:
        os.environ["RAPPORT_DATA_DIR"] = data
        os.environ["RAPPORT_PUSH_EXTRA_HOSTS"] = endpoint.host
        get_settings.cache_clear()
        for name, run in runs.items():
            if args.only not in (None, name):
                continue
            print(f"{name}: {args.reminders:,} due reminders, {args.reps:,} reps")
            figures = run(endpoint, args.reminders, args.reps)
            rate = figures.sent / figures.seconds
            print(
                f"  fan-out {figures.seconds:.1f} s ({rate:,.0f} pushes/s): "
                f"{figures.sent:,} sent, {figures.received:,} received, {figures.failed} failed; "
                f"second run {figures.second_run_seconds:.2f} s, {figures.second_run_sent} sent"
            )
            if figures.cpu:
                spent = ", ".join(f"{name} {value:.1f} s" for name, value in figures.cpu.items())
                print(f"  CPU during the fan-out: {spent}; load average {load_average()}")
            found += misses(figures, args.reminders)
    for miss in found:
        print("MISS " + miss)
    print(f"target: under {TARGET_SECONDS:.0f} s -> {'FAIL' if found else 'PASS'}")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
