"""The JSON API alone under a real uvicorn, on a free port, with the demo data.

Lighter than the whole app (tests/utils/app_server.py) for tests about the
server itself: its memory, its latency under load, how it reads bodies. The
password hashing is the production one unless a test asks otherwise.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from tests.utils.app_server import ROOT, _free_port
from tests.utils.processes import crm_pwa


@dataclass
class RunningApi:
    url: str
    pid: int


@contextmanager
def running_api(data: Path) -> Iterator[RunningApi]:
    env = {**os.environ, "RAPPORT_DATA_DIR": str(data), "RAPPORT_DEMO": "on"}
    for name in ("RAPPORT_DATABASE_URL", "REFLEX_DB_URL", "RAPPORT_FAST_PASSWORD_HASHING"):
        env.pop(name, None)
    crm_pwa(env, ["migrate"], ["seed-demo"], quiet=False)
    port = _free_port()
    log = data / "api.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "--factory",
                "crm_pwa.api.app:create_api",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the API did not start:\n" + log.read_text()[-3000:])
            try:
                httpx.get(f"{url}/api/v1/openapi.json", timeout=2)
                break
            except httpx.HTTPError:
                time.sleep(0.2)
        yield RunningApi(url=url, pid=process.pid)
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
