"""GET /sw.js: the service worker, stamped with the build it belongs to.

The cache names in the worker carry a hash of the built frontend, so a new
release gets new caches and the old ones are dropped on activation. The file
is served with `Cache-Control: no-cache` so browsers look for a new release on
every visit.
"""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from pathlib import Path

from fastapi import APIRouter, Response

from crm_pwa.settings import PROJECT_ROOT

router = APIRouter(include_in_schema=False)

BUILD_DIR = PROJECT_ROOT / ".web" / "build" / "client"
SOURCE = PROJECT_ROOT / "assets" / "sw.js"
# The shell a phone needs to open the app with no signal: pages, scripts, styles,
# icons. Compressed twins (.gz) are the server's business, not the cache's.
SHELL_SUFFIXES = (".html", ".js", ".css", ".webmanifest", ".png", ".svg", ".woff2", ".ico")


# Prerendered pages other than these two are left out: some answer with a redirect
# (/signin -> /signin/), which a cache cannot hand back for a navigation. Every
# route renders from the SPA fallback instead.
SHELL_PAGES = {"index.html": "/", "__spa-fallback.html": "/__spa-fallback.html"}


def _shell_files(build_dir: Path) -> list[Path]:
    return sorted(
        path
        for path in build_dir.rglob("*")
        if path.is_file()
        and path.suffix in SHELL_SUFFIXES
        and path.name != "sw.js"
        and (path.suffix != ".html" or path.relative_to(build_dir).as_posix() in SHELL_PAGES)
    )


def _url(build_dir: Path, path: Path) -> str:
    relative = path.relative_to(build_dir).as_posix()
    return SHELL_PAGES.get(relative, "/" + relative)


@lru_cache(maxsize=4)
def _render(build_dir: Path, stamp: tuple[float, float]) -> str:
    files = _shell_files(build_dir)
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.relative_to(build_dir).as_posix().encode())
        digest.update(path.read_bytes())
    digest.update(SOURCE.read_bytes())
    urls = [_url(build_dir, path) for path in files]
    return (
        SOURCE.read_text()
        .replace(
            "const BUILD_ID = '__BUILD_ID__';",
            f"const BUILD_ID = {json.dumps(digest.hexdigest()[:16])};",
        )
        .replace("const PRECACHE = __PRECACHE__;", f"const PRECACHE = {json.dumps(urls)};")
    )


def render_service_worker(build_dir: Path = BUILD_DIR) -> str:
    index = build_dir / "index.html"
    stamp = (index.stat().st_mtime if index.exists() else 0.0, SOURCE.stat().st_mtime)
    return _render(build_dir, stamp)


@router.get("/sw.js")
def service_worker() -> Response:
    return Response(
        render_service_worker(),
        media_type="application/javascript",
        headers={"Cache-Control": "no-cache", "Service-Worker-Allowed": "/"},
    )
