"""A local push service on 127.0.0.1 that plays FCM/autopush for tests.

It answers like a real push service: 401 without a VAPID token, 403 when the
token does not verify, has another `aud` or a bad `exp`, 400 without TTL or
aes128gcm, 413 above 4,096 bytes, otherwise 201 (or what a test scripted). It
records every request so tests can check headers and decrypt the body with the
keys of a browser subscription made here.

    with FakePushService() as service:
        subscription = service.new_browser("phone")
        ...send to subscription["endpoint"]...
        assert service.decrypt_json(service.received[-1]) == payload
"""

from __future__ import annotations

import base64
import json
import os
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any

import http_ece
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from py_vapid import Vapid02
from py_vapid.jwt import decode as decode_vapid_token

MAX_BODY_BYTES = 4096
MAX_TOKEN_LIFETIME_SECONDS = 24 * 3600


def b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def make_browser_subscription(
    endpoint: str,
) -> tuple[dict[str, Any], ec.EllipticCurvePrivateKey, bytes]:
    """What `PushSubscription.toJSON()` returns, with the browser's secrets."""
    ua_private_key = ec.generate_private_key(ec.SECP256R1())
    ua_public = ua_private_key.public_key().public_bytes(
        Encoding.X962, PublicFormat.UncompressedPoint
    )
    auth_secret = os.urandom(16)
    subscription = {
        "endpoint": endpoint,
        "expirationTime": None,
        "keys": {"p256dh": b64url(ua_public), "auth": b64url(auth_secret)},
    }
    return subscription, ua_private_key, auth_secret


def decrypt(body: bytes, ua_private_key: ec.EllipticCurvePrivateKey, auth: bytes) -> bytes:
    """Decrypt an aes128gcm push body the way the browser does."""
    # The sender's ephemeral public key travels in the record header (keyid).
    clear = http_ece.decrypt(
        body, private_key=ua_private_key, auth_secret=auth, version="aes128gcm"
    )
    return bytes(clear)


@dataclass(frozen=True)
class ReceivedPush:
    path: str
    headers: dict[str, str]  # lower-case names
    body: bytes
    answered: int
    vapid_claims: dict[str, Any] | None
    vapid_public_key: str | None


@dataclass
class _Script:
    status: int
    headers: dict[str, str]
    delay: float


@dataclass
class _Browser:
    private_key: ec.EllipticCurvePrivateKey
    auth_secret: bytes


@dataclass
class _State:
    origin: str = ""
    received: list[ReceivedPush] = field(default_factory=list)
    scripts: dict[str, _Script] = field(default_factory=dict)
    browsers: dict[str, _Browser] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    closing: threading.Event = field(default_factory=threading.Event)


class FakePushService:
    def __init__(self) -> None:
        self._state = _State()
        handler = type("_BoundHandler", (_PushHandler,), {"state": self._state})
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True
        port = self._server.server_address[1]
        self.host = f"127.0.0.1:{port}"
        self.url = f"http://{self.host}"
        self._state.origin = self.url
        # A short poll keeps shutdown, and so every test using the service, fast.
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    def __enter__(self) -> FakePushService:
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._state.closing.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()

    def endpoint(self, name: str) -> str:
        return f"{self.url}/push/{name}"

    def new_browser(self, name: str) -> dict[str, Any]:
        """A subscription on this service whose pushes `decrypt_json` can read."""
        subscription, private_key, auth_secret = make_browser_subscription(self.endpoint(name))
        with self._state.lock:
            self._state.browsers[f"/push/{name}"] = _Browser(private_key, auth_secret)
        return subscription

    def script(
        self, path: str, status: int, headers: dict[str, str] | None = None, *, delay: float = 0.0
    ) -> None:
        """Answer `path` (e.g. "/push/old-phone") with `status` after `delay` seconds."""
        with self._state.lock:
            self._state.scripts[path] = _Script(status, dict(headers or {}), delay)

    @property
    def received(self) -> list[ReceivedPush]:
        with self._state.lock:
            return list(self._state.received)

    def decrypt_json(self, request: ReceivedPush) -> Any:
        with self._state.lock:
            browser = self._state.browsers[request.path]
        return json.loads(decrypt(request.body, browser.private_key, browser.auth_secret))


class _PushHandler(BaseHTTPRequestHandler):
    state: _State
    protocol_version = "HTTP/1.1"  # keep-alive, as real push services allow
    timeout = 30

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        headers = {name.lower(): value for name, value in self.headers.items()}
        claims, public_key = _vapid_token(headers.get("authorization"))
        with self.state.lock:
            script = self.state.scripts.get(self.path)
        status, extra = self._judge(headers, body, claims)
        if script is not None and status == 201:
            status, extra = script.status, script.headers
        received = ReceivedPush(self.path, headers, body, status, claims, public_key)
        with self.state.lock:
            self.state.received.append(received)
        if script is not None and script.delay:
            self.state.closing.wait(script.delay)
        self.send_response(status)
        for name, value in extra.items():
            self.send_header(name, value)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _judge(
        self, headers: dict[str, str], body: bytes, claims: dict[str, Any] | None
    ) -> tuple[int, dict[str, str]]:
        if "authorization" not in headers:
            return 401, {}
        now = time.time()
        if (
            claims is None
            or claims.get("aud") != self.state.origin
            or not now < claims.get("exp", 0) <= now + MAX_TOKEN_LIFETIME_SECONDS
        ):
            return 403, {}
        if "ttl" not in headers or headers.get("content-encoding") != "aes128gcm":
            return 400, {}
        if len(body) > MAX_BODY_BYTES:
            return 413, {}
        return 201, {"Location": f"{self.state.origin}/message/{uuid.uuid4().hex}"}

    def log_message(self, format: str, *args: Any) -> None:
        """Silence the per-request log lines."""


def _vapid_token(authorization: str | None) -> tuple[dict[str, Any] | None, str | None]:
    """The claims of a valid `vapid t=..,k=..` header, and its public key."""
    if authorization is None:
        return None, None
    try:
        scheme, params = authorization.split(" ", 1)
        parts = dict(part.strip().split("=", 1) for part in params.split(","))
        if scheme.lower() != "vapid" or not Vapid02.verify(authorization):
            return None, parts.get("k")
        claims = decode_vapid_token(parts["t"], parts["k"])
    except (AssertionError, InvalidSignature, KeyError, ValueError):
        return None, None
    return (claims if isinstance(claims, dict) else None), parts["k"]
