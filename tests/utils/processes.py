"""Server and worker processes the tests start: the way every one of them is started and stopped."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
COMMANDS = """
import json, sys
from crm_pwa.__main__ import main
for args in map(json.loads, sys.argv[1:]):
    if main(args) != 0:
        sys.exit(f"python -m crm_pwa {' '.join(args)} failed")
"""


def crm_pwa(env: dict[str, str], *commands: list[str], quiet: bool = True) -> None:
    """Runs `python -m crm_pwa` commands (migrate, seed-demo) one after another in
    one process, as a deployment runs them: a process spends seconds importing the app."""
    subprocess.run(
        [sys.executable, "-c", COMMANDS, *map(json.dumps, commands)],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=quiet,
    )


@contextmanager
def logged_process(
    command: list[str],
    env: dict[str, str],
    log: Path,
    stop: signal.Signals = signal.SIGKILL,
    stop_seconds: float = 20,
) -> Iterator[subprocess.Popen[bytes]]:
    """Runs `command` in the project in a process group of its own, its output added
    to `log`. After, sends `stop` to what is left of the group (a test may have
    stopped it already) and waits for it; SIGKILL if it outstays `stop_seconds`."""
    with log.open("ab") as out:
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        yield process
    finally:
        with suppress(ProcessLookupError):
            os.killpg(process.pid, stop)
        try:
            process.wait(timeout=stop_seconds)
        except subprocess.TimeoutExpired:
            with suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()
