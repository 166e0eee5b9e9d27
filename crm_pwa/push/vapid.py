"""The server's VAPID identity (RFC 8292): one P-256 key pair for every push.

Browsers bind a subscription to the public key given at subscribe time, so the
key must survive restarts and be the same for every worker: it lives in a PEM
file, created once and readable only by its owner.
"""

from __future__ import annotations

import base64
import os
import re
import tempfile
import threading
import time
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from py_vapid import Vapid02, VapidException

from crm_pwa.private_files import make_private_dir

# Push services refuse tokens that expire more than 24 h ahead.
TOKEN_LIFETIME_SECONDS = 12 * 3600
# Signing costs an ECDSA signature plus JSON and base64 work on every message;
# a fan-out of thousands of reminders to one push service would redo it for an
# identical token. A cached token is reused for a few minutes only, so it always
# has hours of validity left when the push service checks it.
TOKEN_REUSE_SECONDS = 5 * 60

_AUDIENCE = re.compile(r"https?://[^/:]+(:\d+)?", re.IGNORECASE)


class VapidKeys:
    """A VAPID private key and the Authorization headers it signs."""

    def __init__(self, private_key: ec.EllipticCurvePrivateKey) -> None:
        if not isinstance(private_key.curve, ec.SECP256R1):
            raise ValueError("a VAPID key must be on the P-256 curve")
        self._private_key = private_key
        self._vapid = Vapid02(private_key=private_key)
        public_point = private_key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        self._public_key_b64url = _b64url(public_point)
        self._tokens: dict[tuple[str, str], tuple[float, str]] = {}
        self._lock = threading.Lock()

    @classmethod
    def generate(cls) -> VapidKeys:
        return cls(ec.generate_private_key(ec.SECP256R1()))

    @classmethod
    def from_pem(cls, pem: bytes) -> VapidKeys:
        try:
            key = serialization.load_pem_private_key(pem, password=None)
        except (ValueError, TypeError) as exc:
            raise ValueError("the VAPID key file is not an unencrypted PEM private key") from exc
        if not isinstance(key, ec.EllipticCurvePrivateKey):
            raise ValueError("the VAPID key file does not hold an elliptic-curve key")
        return cls(key)

    @property
    def public_key_b64url(self) -> str:
        """The raw public point, base64url without padding: the applicationServerKey."""
        return self._public_key_b64url

    def private_pem(self) -> bytes:
        return self._private_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )

    def sign(self, *, audience: str, subject: str, expires_at: int) -> str:
        """A fresh `vapid t=<JWT>,k=<public key>` Authorization header value."""
        if not _AUDIENCE.fullmatch(audience):
            raise ValueError(f"VAPID audience {audience!r} is not scheme://host[:port]")
        # A new dict on every call: pywebpush and py_vapid write into claim dicts,
        # and a shared one leaks one push service's `aud` into another's token.
        claims = {"aud": audience, "exp": expires_at, "sub": subject}
        try:
            headers = self._vapid.sign(claims)
        except VapidException as exc:
            raise ValueError(f"cannot sign VAPID claims: {exc}") from exc
        return str(headers["Authorization"])

    def authorization(self, *, audience: str, subject: str) -> str:
        """The Authorization header for `audience`, reusing a recent token."""
        now = time.time()
        key = (audience, subject)
        with self._lock:
            cached = self._tokens.get(key)
        if cached is not None and now - cached[0] < TOKEN_REUSE_SECONDS:
            return cached[1]
        header = self.sign(
            audience=audience, subject=subject, expires_at=int(now) + TOKEN_LIFETIME_SECONDS
        )
        with self._lock:
            self._tokens[key] = (now, header)
        return header


def load_or_create_vapid(path: Path) -> VapidKeys:
    """The key pair stored at `path`, generating and saving one on first use."""
    if path.exists():
        return VapidKeys.from_pem(path.read_bytes())
    make_private_dir(path.parent)
    created = VapidKeys.generate()
    # Write a complete private file first, then link it into place: the link
    # fails if another worker won the race, and nobody ever reads a half-written
    # key. mkstemp creates the file with mode 0600.
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".vapid-", suffix=".pem")
    try:
        with os.fdopen(fd, "wb") as file:
            file.write(created.private_pem())
            file.flush()
            os.fsync(file.fileno())
        try:
            os.link(temporary, path)
        except FileExistsError:
            return VapidKeys.from_pem(path.read_bytes())
    finally:
        os.unlink(temporary)
    return created


def _b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")
