"""What every benchmark script shares: a migrated database to run in, the machine, a stopwatch.

with postgres_engine("rapport_bench") as engine:
    seconds, result = timed(lambda: work(engine))
"""

from __future__ import annotations

import os
import platform
import sqlite3
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session

from crm_pwa import clock
from crm_pwa.db.engine import make_engine
from crm_pwa.migration import migrate

PG_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432"

T = TypeVar("T")


@contextmanager
def sqlite_engine() -> Iterator[Engine]:
    """A migrated SQLite file in a temporary folder, removed afterwards."""
    with tempfile.TemporaryDirectory(prefix="rapport-bench-") as folder:
        url = f"sqlite:///{Path(folder) / 'bench.db'}"
        migrate(url)
        engine = make_engine(url)
        try:
            yield engine
        finally:
            engine.dispose()


@contextmanager
def postgres_engine(database: str, keep: bool = False) -> Iterator[Engine]:
    """A migrated PostgreSQL database made afresh through the `postgres` superuser.

    It is dropped first (a run that was killed leaves one behind), and afterwards
    unless `keep`: then it stays for EXPLAIN (ANALYZE) of what was timed.
    """
    server = sa.create_engine(f"{PG_SERVER}/postgres", isolation_level="AUTOCOMMIT")
    drop = sa.text(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")
    with server.connect() as connection:
        connection.execute(drop)
        connection.execute(sa.text(f"CREATE DATABASE {database}"))
    try:
        url = f"{PG_SERVER}/{database}"
        migrate(url)
        engine = make_engine(url)
        try:
            yield engine
        finally:
            engine.dispose()
    finally:
        if not keep:
            with server.connect() as connection:
                connection.execute(drop)
        server.dispose()


def load_average() -> str:
    """The 1, 5 and 15 minute load: others' work on the same cores skews timings."""
    return ", ".join(f"{value:.1f}" for value in os.getloadavg())


def machine() -> dict[str, Any]:
    """The facts docs/benchmarks.md gives for the machine, and its load now."""
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor() or "unknown CPU",
    )
    memory_kb = next(
        int(line.split()[1])
        for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal")
    )
    return {
        "date": clock.now().strftime("%Y-%m-%d %H:%M UTC"),
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "arch": platform.machine(),
        "system": f"{platform.system()} {platform.release()}",
        "ram_gb": round(memory_kb / 1024 / 1024, 1),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "load_average": load_average(),
    }


def machine_line() -> str:
    """`machine()` as one line of prose."""
    facts = machine()
    return (
        f"{facts['date']}, {facts['nproc']} CPUs ({facts['cpu']}, {facts['arch']}), "
        f"{facts['ram_gb']:.0f} GiB RAM, {facts['system']}, Python {facts['python']}, "
        f"SQLite {facts['sqlite']}, load average {facts['load_average']}"
    )


def server_cpu(session: Session) -> float:
    """CPU seconds used so far by this session's PostgreSQL backend (on this machine); 0 on
    SQLite, whose work is in this process."""
    if session.get_bind().dialect.name != "postgresql":
        return 0.0
    pid = session.connection().exec_driver_sql("SELECT pg_backend_pid()").scalar_one()
    return process_cpu(int(pid))


def process_cpu(pid: int) -> float:
    """CPU seconds (user and system) used so far by the process `pid` on this machine."""
    user, system = process_cpu_split(pid)
    return user + system


def process_cpu_split(pid: int) -> tuple[float, float]:
    """CPU seconds in user space and in the kernel used so far by the process `pid`."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    tick = os.sysconf("SC_CLK_TCK")
    return int(fields[11]) / tick, int(fields[12]) / tick


def timed(action: Callable[[], T]) -> tuple[float, T]:
    """Seconds `action` took, and what it returned."""
    started = time.perf_counter()
    result = action()
    return time.perf_counter() - started, result
