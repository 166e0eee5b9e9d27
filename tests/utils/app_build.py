"""The app's production build, made once and served again while nothing it is made of changed.

`reflex run --env prod` compiles the pages and bundles them with Vite: about a
minute of CPU, paid by every test run that starts the app. `make test` starts it
twice (the browser tests, then `make e2e-scaled`) from the same sources, so the
first build is recorded in a stamp and the second run serves it as it is.

The bundle names the port it was built for (its websocket URL), so a build is
served again only on that port, when that port is free. It is rebuilt when the
sources, the frontend lock or the settings the pages are compiled with differ,
or when anything else rebuilt `.web` since (`make run`, a benchmark).
"""

from __future__ import annotations

import hashlib
import json
import socket
from collections.abc import Mapping
from importlib.metadata import distributions
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
WEB = ROOT / ".web"
STAMP = WEB / "rapport-test-build.json"
# What a build is made of.
SOURCES = ("crm_pwa", "assets", "rxconfig.py", "reflex.lock", "pyproject.toml")
# What a build is: the bundle, the client's endpoints and the backend's page list.
OUTPUT = ("build", "backend", "env.json")
SETTING_PREFIXES = ("RAPPORT_", "REFLEX_", "VITE_", "NODE_")
# Where a run keeps its data and state, read by the server and never by the pages;
# and the test suite's own settings (RAPPORT_TEST_*), which the app never reads.
RUNTIME_ONLY = frozenset(
    {"RAPPORT_DATABASE_URL", "RAPPORT_REDIS_URL", "RAPPORT_DATA_DIR", "RAPPORT_CLOCK_FILE"}
)
TEST_ONLY = "RAPPORT_TEST_"

# `reflex run` as it is, less compiling the pages and bundling them: the backend
# reads the compiled pages' list as `--env prod` workers always do.
SERVE_BUILT = """
import sys
from reflex import reflex
from reflex.utils import build
reflex._compile_app = lambda **_: None
build.setup_frontend_prod = lambda _root: None
sys.argv = ["reflex", *sys.argv[1:]]
sys.exit(reflex.cli())
"""


def _files(paths: list[Path]) -> list[Path]:
    found = []
    for path in paths:
        if path.is_file():
            found.append(path)
        elif path.is_dir():
            found += [one for one in path.rglob("*") if one.is_file()]
    return sorted(one for one in found if "__pycache__" not in one.parts)


def sources_digest(env: Mapping[str, str]) -> str:
    # Every Reflex distribution (reflex, reflex-base, the component packages): an
    # upgrade of any of them compiles the pages differently.
    reflexes = sorted(
        f"{d.metadata['Name']}=={d.version}"
        for d in distributions()
        if d.metadata["Name"] and d.metadata["Name"].lower().startswith("reflex")
    )
    digest = hashlib.sha256("\n".join(reflexes).encode())
    for path in _files([ROOT / name for name in SOURCES]):
        digest.update(str(path.relative_to(ROOT)).encode() + b"\0" + path.read_bytes())
    settings = sorted(
        (name, value)
        for name, value in env.items()
        if name.startswith(SETTING_PREFIXES)
        and name not in RUNTIME_ONLY
        and not name.startswith(TEST_ONLY)
    )
    digest.update(json.dumps(settings).encode())
    return digest.hexdigest()


def _output_digest() -> str:
    """Names, sizes and times of the build's files: another build changes them."""
    digest = hashlib.sha256()
    for path in _files([WEB / name for name in OUTPUT]):
        stat = path.stat()
        digest.update(f"{path.relative_to(WEB)} {stat.st_size} {stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def _port_free(port: int) -> bool:
    with socket.socket() as sock:
        # As the server binds it: a port whose last connections are closing is free.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("0.0.0.0", port))
        except OSError:
            return False
    return True


def reusable_port(env: Mapping[str, str]) -> int | None:
    """The port of the last build when it can be served again as it is, else None."""
    try:
        stamp = json.loads(STAMP.read_text())
    except (OSError, ValueError):
        return None
    if stamp.get("sources") != sources_digest(env) or stamp.get("output") != _output_digest():
        return None
    port = int(stamp["port"])
    return port if _port_free(port) else None


def forget() -> None:
    """Before a build: a build cut short must not be taken for the last one."""
    STAMP.unlink(missing_ok=True)


def remember(port: int, env: Mapping[str, str], sources: str) -> None:
    """After a build served its first pages; `sources` is the digest taken before it.
    A source changed while it was built leaves no stamp: the next run builds again."""
    if sources_digest(env) == sources:
        STAMP.write_text(json.dumps({"port": port, "sources": sources, "output": _output_digest()}))
