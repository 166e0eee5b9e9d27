"""What the browser is told on every answer: what it may run, show in a frame, send and keep.

The prerendered pages carry a few inline scripts of their own (React Router's
hydration, Reflex's colour-mode and scroll restoration), and the sign-in pages
made in Python (crm_pwa/pages/signin.py) two of their own. The policy allows
exactly those by their SHA-256 hash, read from the built pages and from the
sign-in pages, and no other inline script. Reflex runs every `rx.call_script`
and every event callback (in the page or sent by this server) through `eval`,
hence `'unsafe-eval'` (docs/security.md says what dropping it takes); inline
styles are allowed because Emotion and Radix write them at run time.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from crm_pwa.api.service_worker import BUILD_DIR
from crm_pwa.pages.signin import pages_for_policy
from crm_pwa.settings import get_settings

API_PREFIX = "/api/v1"
# The build writes its code and styles under /assets/ named by a hash of their
# content: a copy never goes stale, so browsers keep it a year without asking.
HASHED_PREFIX = "/assets/"
IMMUTABLE = "public, max-age=31536000, immutable"
HSTS = "max-age=31536000; includeSubDomains"
PERMISSIONS_POLICY = (
    "camera=(), microphone=(), geolocation=(), payment=(), usb=(), "
    "magnetometer=(), gyroscope=(), accelerometer=()"
)
_INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc=)[^>]*>(.*?)</script>", re.DOTALL)


def inline_script_hashes(pages: Iterable[str]) -> list[str]:
    """CSP source expressions for every inline script in these HTML documents."""
    hashes: set[str] = set()
    for html in pages:
        for body in _INLINE_SCRIPT.findall(html):
            if body:
                digest = hashlib.sha256(body.encode()).digest()
                hashes.add(f"'sha256-{base64.b64encode(digest).decode()}'")
    return sorted(hashes)


def content_security_policy(script_hashes: Iterable[str]) -> str:
    script_src = " ".join(["'self'", "'unsafe-eval'", *script_hashes])
    return "; ".join(
        [
            "default-src 'self'",
            f"script-src {script_src}",
            "style-src 'self' 'unsafe-inline'",
            "img-src 'self' data: blob:",
            "font-src 'self' data:",
            "connect-src 'self'",
            "worker-src 'self'",
            "manifest-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


@lru_cache(maxsize=1)
def _built_policy(build_dir: Path) -> str:
    pages = [path.read_text(encoding="utf-8") for path in sorted(build_dir.rglob("*.html"))]
    return content_security_policy(inline_script_hashes([*pages, *pages_for_policy()]))


def served_over_https(scope: Scope, trusted_proxies: tuple[str, ...]) -> bool:
    """The scheme, or X-Forwarded-Proto when a trusted proxy in front terminated TLS."""
    if scope.get("scheme") == "https":
        return True
    client = scope.get("client")
    if client is None or client[0] not in trusted_proxies:
        return False
    forwarded = dict(scope.get("headers", ())).get(b"x-forwarded-proto", b"")
    return bool(forwarded.decode("latin-1").split(",")[0].strip().lower() == "https")


class BrowserHeaders:
    """Adds the security headers to every HTTP answer of the app, pages, assets and API."""

    def __init__(self, app: ASGIApp, build_dir: Path = BUILD_DIR) -> None:
        self.app = app
        self.build_dir = build_dir

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        settings = get_settings()
        policy = _built_policy(self.build_dir)
        https = served_over_https(scope, settings.trusted_proxies)
        personal = scope["path"].startswith(API_PREFIX)
        hashed = scope["path"].startswith(HASHED_PREFIX)

        async def told(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers["Content-Security-Policy"] = policy
                headers["X-Content-Type-Options"] = "nosniff"
                headers["Referrer-Policy"] = "same-origin"
                headers["X-Frame-Options"] = "DENY"
                headers["Permissions-Policy"] = PERMISSIONS_POLICY
                if https:
                    headers["Strict-Transport-Security"] = HSTS
                # Every API answer is about someone's contacts or account: no
                # browser or proxy cache may keep a copy.
                if personal and "cache-control" not in headers:
                    headers["Cache-Control"] = "no-store"
                if hashed and message["status"] in (200, 304):
                    headers["Cache-Control"] = IMMUTABLE
            await send(message)

        await self.app(scope, receive, told)
