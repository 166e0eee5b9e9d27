"""GET /sw.js: the service worker, stamped with the build it belongs to.

The cache names in the worker carry a hash of the built frontend, so a new
release gets new caches and the old ones are dropped on activation. The file
is served with `Cache-Control: no-cache` so browsers look for a new release on
every visit.
"""

from __future__ import annotations

import hashlib
import json
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Response

from crm_pwa.settings import PROJECT_ROOT

router = APIRouter(include_in_schema=False)

BUILD_DIR = PROJECT_ROOT / ".web" / "build" / "client"
SOURCE = PROJECT_ROOT / "assets" / "sw.js"
# The app's own files at the top of the build (offline scripts, styles, icons,
# manifest). Compressed twins (.gz, .br) are the server's business, not the cache's.
SHELL_SUFFIXES = (".js", ".css", ".webmanifest", ".png", ".svg", ".woff2", ".ico")
# Only Today's page and the SPA fallback: every route renders from either, and a
# cached redirect could not be handed back for a navigation.
SHELL_PAGES = {"index.html": "/", "__spa-fallback.html": "/__spa-fallback.html"}
# What a rep opens with no signal: Today, the contact list, a contact's card, a
# new contact, and the edit page (which then says plainly that editing needs a
# signal, docs/offline.md). Other pages' code (the Team chart, import, settings) is cached only
# once visited, so a rep's phone never downloads the manager's chart.
OFFLINE_ROUTES = {
    None,
    "",
    "contacts",
    "contacts/:contact_id",
    "contacts/:contact_id/edit",
    "contacts/new",
}
_ROUTER_MANIFEST = re.compile(r"^window\.__reactRouterManifest=(.*?);?\s*$", re.DOTALL)
_PAGE_ASSET = re.compile(r'(?:href|src)="(/assets/[^"]+)"')


def _router_manifest(build_dir: Path) -> dict[str, Any]:
    for path in sorted((build_dir / "assets").glob("manifest-*.js")):
        found = _ROUTER_MANIFEST.match(path.read_text(encoding="utf-8"))
        if found:
            return dict(json.loads(found.group(1)))
    return {}


def _route_assets(build_dir: Path) -> set[str]:
    """The code of the offline routes, from React Router's manifest of the build."""
    manifest = _router_manifest(build_dir)
    entry = manifest.get("entry", {})
    urls = {entry.get("module", ""), *entry.get("imports", ()), manifest.get("url", "")}
    for route in manifest.get("routes", {}).values():
        if route.get("path") in OFFLINE_ROUTES:
            urls.update([route.get("module", ""), *route.get("imports", ()), *route.get("css", ())])
    return {url for url in urls if url}


def _shell_urls(build_dir: Path) -> list[str]:
    urls = set(_route_assets(build_dir))
    for relative, url in SHELL_PAGES.items():
        page = build_dir / relative
        if page.is_file():
            urls.add(url)
            urls.update(_PAGE_ASSET.findall(page.read_text(encoding="utf-8")))
    urls.update(
        "/" + path.name
        for path in build_dir.iterdir()
        if path.is_file() and path.suffix in SHELL_SUFFIXES and path.name != "sw.js"
    )
    icons = build_dir / "icons"
    if icons.is_dir():
        urls.update(
            "/" + path.relative_to(build_dir).as_posix()
            for path in icons.rglob("*")
            if path.suffix in SHELL_SUFFIXES
        )
    return sorted(url for url in urls if (build_dir / _relative(url)).is_file())


def _relative(url: str) -> str:
    return next((page for page, name in SHELL_PAGES.items() if name == url), url.lstrip("/"))


@lru_cache(maxsize=4)
def _render(build_dir: Path, stamp: tuple[float, float]) -> str:
    urls = _shell_urls(build_dir)
    digest = hashlib.sha256()
    for url in urls:
        digest.update(url.encode())
        digest.update((build_dir / _relative(url)).read_bytes())
    digest.update(SOURCE.read_bytes())
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
