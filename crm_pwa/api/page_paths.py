"""Prerendered pages answer at their own address: `/signin`, not a 307 to `/signin/`.

The build writes a page as `signin/index.html`. Starlette's static files answer
`/signin` with a redirect to `/signin/`, a round trip a phone pays on every
signed-out visit (and a redirect that a service worker cannot hand back for a
navigation). This rewrites such a request to the directory's index before the
static files see it; the address in the browser stays `/signin`.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from starlette.types import ASGIApp, Receive, Scope, Send

from crm_pwa.api.service_worker import BUILD_DIR

API_PREFIX = "/api/"


@lru_cache(maxsize=256)
def _has_index(build_dir: Path, path: str) -> bool:
    relative = path.strip("/")
    if not relative or ".." in relative.split("/"):
        return False
    return (build_dir / relative / "index.html").is_file()


def page_path(build_dir: Path, path: str) -> str:
    """The path the static files should serve for `path`."""
    if path.endswith("/") or path.startswith(API_PREFIX) or "." in path.rsplit("/", 1)[-1]:
        return path
    return path + "/" if _has_index(build_dir, path) else path


class PagePaths:
    def __init__(self, app: ASGIApp, build_dir: Path = BUILD_DIR) -> None:
        self.app = app
        self.build_dir = build_dir

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope.get("method") in ("GET", "HEAD"):
            path = page_path(self.build_dir, scope["path"])
            if path != scope["path"]:
                scope = {**scope, "path": path, "raw_path": path.encode()}
        await self.app(scope, receive, send)
