"""The JSON API under Rapport's Granian (crm_pwa/app_server.py) with several workers.

`reflex run --env prod` starts the same Granian class for the whole app; the API
alone starts in seconds and is where notes are saved, which is what the tests of
worker crashes and stops are about.

The main process imports the app before it starts the workers, as `reflex run
--env prod` does (it compiles the app, then Granian forks the workers, the start
method on Linux): each worker, a respawned one too, begins with the app's modules
loaded instead of spending seconds of CPU importing them.
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import psutil

from tests.utils.app_server import _free_port
from tests.utils.processes import logged_process

SERVE = """
import sys
import crm_pwa.api.app
from granian.constants import Interfaces
from crm_pwa.app_server import RapportGranian
RapportGranian(
    target="crm_pwa.api.app:create_api", factory=True, interface=Interfaces.ASGI,
    address="127.0.0.1", port=int(sys.argv[1]), workers=int(sys.argv[2]),
).serve()
"""


@dataclass
class AppWorkers:
    url: str
    process: subprocess.Popen[bytes]
    log: Path

    def workers(self) -> list[int]:
        """The pids of the worker processes alive now."""
        try:
            children = psutil.Process(self.process.pid).children()
        except psutil.NoSuchProcess:
            return []
        return [child.pid for child in children if child.status() != psutil.STATUS_ZOMBIE]


def _ready(url: str) -> bool:
    try:
        return httpx.get(f"{url}/readyz", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


@contextmanager
def app_workers(env: dict[str, str], log: Path, workers: int = 2) -> Iterator[AppWorkers]:
    """Serves the API on a free port with `workers` workers, each ready; kills what is
    left of the process group after."""
    port = _free_port()
    command = [sys.executable, "-c", SERVE, str(port), str(workers)]
    # Nothing is left after, when the test stopped it, workers and all.
    with logged_process(command, env, log) as process:
        server = AppWorkers(url=f"http://127.0.0.1:{port}", process=process, log=log)
        deadline = time.monotonic() + 90
        # Every worker has started when the log says so; one answering is not enough.
        while not (_ready(server.url) and log.read_text().count("Started worker-") >= workers):
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the app workers did not start:\n" + log.read_text()[-3000:])
            time.sleep(0.2)
        yield server
