"""The production app on a free port with its own demo data, for browser tests and benchmarks.

The app runs as `reflex run --env prod --single-port` in its own process group
with a fresh SQLite database holding the demo data. The clock file lets a
caller move the server's "today".
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import psutil

from tests.utils import app_build
from tests.utils.processes import crm_pwa

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
REP = "riley@example.com"
PASSWORD = "rapport-demo"


@dataclass
class RunningApp:
    url: str
    env: dict[str, str]
    clock_file: Path
    # The server process (Granian's, which starts the app workers) and its log.
    pid: int = 0
    log: Path | None = None
    # The tokens given by `token`, by email.
    tokens: dict[str, str] = field(default_factory=dict)

    def workers(self) -> list[int]:
        """The app workers' process ids, as Granian has them now."""
        children = psutil.Process(self.pid).children()
        return [child.pid for child in children if child.status() != psutil.STATUS_ZOMBIE]

    def api(
        self, method: str, path: str, token: str | None = None, **kwargs: Any
    ) -> httpx.Response:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return httpx.request(
            method, f"{self.url}/api/v1{path}", headers=headers, timeout=30, **kwargs
        )

    def token(self, email: str = REP) -> str:
        """A token of `email`'s: the one given before while the server still takes it
        (a test may have signed it out, or moved the clock past its idle limit), else
        a new one. A sign-in costs a production argon2 hash; the tests ask for many."""
        given = self.tokens.get(email)
        if given is not None and self.api("GET", "/me", token=given).status_code == 200:
            return given
        answer = self.api("POST", "/auth/token", json={"email": email, "password": PASSWORD})
        answer.raise_for_status()
        self.tokens[email] = str(answer.json()["access_token"])
        return self.tokens[email]

    def move_clock(self, days: float) -> None:
        self.clock_file.write_text(str(days))

    def cli(self, *args: str) -> str:
        done = subprocess.run(
            [sys.executable, "-m", "crm_pwa", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            check=True,
        )
        return done.stdout


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_until_up(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("the app stopped while starting:\n" + log.read_text()[-3000:])
        try:
            if (
                httpx.get(f"{url}/ping", timeout=2).status_code == 200
                and httpx.get(f"{url}/signin/", timeout=5).status_code == 200
            ):
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise RuntimeError("the app did not start in time:\n" + log.read_text()[-3000:])


@dataclass(frozen=True)
class Scale:
    """Several app workers sharing a PostgreSQL database and Reflex state in Redis."""

    database_url: str
    redis_url: str
    workers: int = 2


@contextmanager
def running_app(data: Path, scale: Scale | None = None) -> Iterator[RunningApp]:
    """Migrates and seeds a database (SQLite in `data`, or the scale's PostgreSQL),
    serves the app (the last build again when it can, tests/utils/app_build.py),
    stops its process group after."""
    clock_file = data / "clock-offset-days"
    clock_file.write_text("0")
    env = {
        **os.environ,
        "RAPPORT_DATA_DIR": str(data),
        "RAPPORT_CLOCK_FILE": str(clock_file),
        "RAPPORT_PUSH_EXTRA_HOSTS": "127.0.0.1",
        "RAPPORT_DEMO": "on",
    }
    for name in ("RAPPORT_DATABASE_URL", "REFLEX_DB_URL", "RAPPORT_REDIS_URL", "REFLEX_REDIS_URL"):
        env.pop(name, None)
    if scale is not None:
        env["RAPPORT_DATABASE_URL"] = scale.database_url
        env["RAPPORT_REDIS_URL"] = scale.redis_url
        env["GRANIAN_WORKERS"] = str(scale.workers)
    # Production password hashing: the app is tested with the cost users meet.
    env.pop("RAPPORT_FAST_PASSWORD_HASHING", None)
    crm_pwa(env, ["migrate"], ["seed-demo"])
    reflex = shutil.which("reflex", path=str(Path(sys.executable).parent))
    if reflex is None:
        raise RuntimeError("reflex is not installed in this environment")
    built_port = app_build.reusable_port(env)
    if built_port is None:
        port, sources = _free_port(), app_build.sources_digest(env)
        app_build.forget()
        command = [reflex]
    else:
        port, sources = built_port, ""
        command = [sys.executable, "-c", app_build.SERVE_BUILT]
    log = data / "app.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [
                *command,
                "run",
                "--env",
                "prod",
                "--single-port",
                "--frontend-port",
                str(port),
                "--backend-port",
                str(port),
                "--loglevel",
                "info",
            ],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(url, process, log)
        if sources:
            app_build.remember(port, env, sources)
        yield RunningApp(url=url, env=env, clock_file=clock_file, pid=process.pid, log=log)
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            # Reaped, or the unreaped child fails the run with a ResourceWarning.
            process.wait()
