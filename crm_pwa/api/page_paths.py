"""Prerendered pages answer at their own address: `/signin`, not a 307 to `/signin/`;
a signed-out page load of a signed-in page gets the sign-in page at once.

The build writes a page as `signin/index.html`. Starlette's static files answer
`/signin` with a redirect to `/signin/`, a round trip a phone pays on every
signed-out visit (and a redirect that a service worker cannot hand back for a
navigation). This rewrites such a request to the directory's index before the
static files see it; the address in the browser stays `/signin`.

A page load of `/` (or any signed-in page) from a browser without the signed-in
hint (crm_pwa/domain/sign_in_hint.py) is answered with the sign-in page, whose
head script then shows `/signin` in the address bar. Those answers name the
cookie in `Vary` and are revalidated each time, so no cache hands the sign-in
page to a rep who has since signed in.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from crm_pwa.api.service_worker import BUILD_DIR
from crm_pwa.domain.sign_in_hint import signed_in_pattern, wants_sign_in

API_PREFIX = "/api/"
SIGN_IN_PAGE = "/signin/"
_SIGNED_IN = re.compile(signed_in_pattern())


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
        if scope["type"] != "http" or scope.get("method") not in ("GET", "HEAD"):
            await self.app(scope, receive, send)
            return
        asked = scope["path"]
        headers = Headers(scope=scope)
        navigation = headers.get("sec-fetch-mode") == "navigate"
        if wants_sign_in(asked, navigation, headers.get("cookie", "")):
            path = SIGN_IN_PAGE
        else:
            path = page_path(self.build_dir, asked)
        if path != asked:
            scope = {**scope, "path": path, "raw_path": path.encode()}
        if not _SIGNED_IN.match(asked):
            await self.app(scope, receive, send)
            return

        async def vary(message: Message) -> None:
            if message["type"] == "http.response.start":
                answer = MutableHeaders(scope=message)
                answer.append("Vary", "Cookie")
                answer["Cache-Control"] = "no-cache"
            await send(message)

        await self.app(scope, receive, vary)
