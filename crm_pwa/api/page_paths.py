"""Pages answer at their own address, and a signed-out page load gets the sign-in page.

The build writes a page as `contacts/index.html`. Starlette's static files answer
`/contacts` with a redirect to `/contacts/`, a round trip a phone pays (and a
redirect that a service worker cannot hand back for a navigation). This rewrites
such a request to the directory's index before the static files see it; the
address in the browser stays `/contacts`.

The sign-in page is not a React page: it is made here, in Python
(crm_pwa/pages/signin.py), for `/signin` and for a page load of `/` (or any
signed-in page) from a browser without the signed-in hint
(crm_pwa/domain/sign_in_hint.py). Its script then shows `/signin` in the address
bar, with the page asked for as `next`. Those answers name the cookie in `Vary`
and are revalidated each time, so no cache hands the sign-in page to a rep who
has since signed in.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from crm_pwa.api.service_worker import BUILD_DIR
from crm_pwa.api.signin_form import sign_in_answer
from crm_pwa.domain.deep_link import SIGN_IN
from crm_pwa.domain.sign_in_hint import signed_in_pattern, wants_sign_in

API_PREFIX = "/api/"
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
        own_page = asked.rstrip("/") == SIGN_IN
        if own_page or wants_sign_in(asked, navigation, headers.get("cookie", "")):
            answer = sign_in_answer(asked, scope.get("query_string", b"").decode("latin-1"))
            await answer(scope, receive, send if own_page else _vary(send))
            return
        path = page_path(self.build_dir, asked)
        if path != asked:
            scope = {**scope, "path": path, "raw_path": path.encode()}
        await self.app(scope, receive, _vary(send) if _SIGNED_IN.match(asked) else send)


def _vary(send: Send) -> Send:
    """Answers that depend on the signed-in hint say so, and are asked again each time."""

    async def vary(message: Message) -> None:
        if message["type"] == "http.response.start":
            answer = MutableHeaders(scope=message)
            answer.append("Vary", "Cookie")
            answer["Cache-Control"] = "no-cache"
        await send(message)

    return vary
