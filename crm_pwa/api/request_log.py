"""One JSON line per HTTP request: route, status, duration, user id. No personal data.

The route is the template (`/api/v1/contacts/{contact_id}`), never the raw path
or the query string: a search query or an e-mail typed into one is personal
data. The user id comes from `request.state.user_id`, which the caller lookup
sets once the token is known; names and e-mail addresses are never logged.
"""

from __future__ import annotations

import json
import logging
import sys
import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger("crm_pwa.requests")


def configure() -> None:
    """Requests go to stderr as bare JSON lines, whatever the server's own logging."""
    if not log.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(message)s"))
        log.addHandler(handler)
        log.setLevel(logging.INFO)
        log.propagate = False


def _route(scope: Scope, prefix: str) -> str:
    path = str(scope.get("path", ""))
    template = getattr(scope.get("route"), "path", None)
    if not template:
        # No API route matched: Reflex's pages and assets, whose paths carry no user data.
        return path
    # A route knows its path within the router it was declared on, not the prefix
    # the router was included under.
    if path.startswith(prefix) and not str(template).startswith(prefix):
        return f"{prefix}{template}"
    return str(template)


class RequestLog:
    def __init__(self, app: ASGIApp, prefix: str) -> None:
        self.app = app
        self.prefix = prefix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500  # what the client sees if the app fails before answering

        async def watched(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, watched)
        finally:
            state = scope.get("state") or {}
            user_id = state.get("user_id")
            line = {
                "event": "request",
                "method": scope["method"],
                "route": _route(scope, self.prefix),
                "status": status,
                "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                "user_id": str(user_id) if user_id else None,
            }
            log.info(json.dumps(line))
