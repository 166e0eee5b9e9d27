"""Send one Web Push message over an injected httpx client.

pywebpush only speaks `requests`/`aiohttp`, so we encrypt as its
`WebPusher.encode` does (http_ece's aes128gcm with a fresh ECDH key per message)
and post the body ourselves. One shared `httpx.Client` keeps connections to
each push service alive across a fan-out.
Every outcome, HTTP failure or network error, comes back as a `PushOutcome`
telling the caller what to do with the subscription.
"""

from __future__ import annotations

import base64
import json
import re
import time
from dataclasses import dataclass
from datetime import UTC
from email.utils import parsedate_to_datetime
from functools import lru_cache
from typing import Any, Literal
from urllib.parse import urlsplit

import http_ece
import httpx
from cryptography.hazmat.primitives.asymmetric import ec
from http_ece import ECEException

from crm_pwa.push.vapid import VapidKeys

PushStatus = Literal["sent", "gone", "retry", "failed"]

URGENCIES = ("very-low", "low", "normal", "high")
# One aes128gcm record within the 4,096 bytes every push service accepts:
# 4,096 minus the 86-byte header, the 16-byte tag and the 1-byte delimiter.
MAX_PLAINTEXT_BYTES = 3993
_TOPIC = re.compile(r"[A-Za-z0-9_-]{1,32}")
_ERROR_TEXT_CHARS = 200
# A rep's device gets each of the day's reminders: its keys are decoded (the
# public point checked on the curve) once, not once per message; the keys of the
# last 4,096 devices sent to are kept.
_DECODED_KEYS = 4096


@dataclass(frozen=True)
class SubscriptionKeys:
    """What `PushSubscription.toJSON()` gave us: the endpoint and its keys."""

    endpoint: str
    p256dh: str
    auth: str


@dataclass(frozen=True)
class PushOutcome:
    """`sent`; `gone` (delete the subscription); `retry` (after `retry_after`
    seconds when the push service said so, else with backoff); `failed` (this
    message will never be accepted as it is)."""

    status: PushStatus
    http_status: int | None = None
    retry_after: float | None = None
    error: str | None = None


def send_push(
    client: httpx.Client,
    subscription: SubscriptionKeys,
    payload: dict[str, Any],
    *,
    vapid: VapidKeys,
    subject: str,
    ttl: int = 86400,
    urgency: str = "normal",
    topic: str | None = None,
    timeout: float = 10.0,
) -> PushOutcome:
    """Encrypt `payload` for `subscription` and post it to its push service.

    Raises ValueError only for mistakes of the caller (bad urgency, topic, TTL,
    oversized payload, a `subject` py_vapid rejects), never for the push
    service's answer.
    """
    if urgency not in URGENCIES:
        raise ValueError(f"urgency must be one of {', '.join(URGENCIES)}")
    if topic is not None and not _TOPIC.fullmatch(topic):
        raise ValueError("topic must be 1-32 characters of the base64url alphabet")
    if ttl < 0:
        raise ValueError("ttl must not be negative")
    data = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    if len(data) > MAX_PLAINTEXT_BYTES:
        raise ValueError(f"payload is {len(data)} bytes; push services take {MAX_PLAINTEXT_BYTES}")

    audience = _audience(subscription.endpoint)
    if audience is None:
        return PushOutcome("failed", error="the endpoint has no http(s) origin VAPID can sign for")
    try:
        body = _encrypt(subscription, data)
    except (ECEException, ValueError, IndexError, TypeError) as exc:
        # The keys come from a browser we do not control; bad ones fail this
        # subscription only.
        return PushOutcome("failed", error=f"cannot encrypt for this subscription: {exc!r}")

    headers = {
        "Authorization": vapid.authorization(audience=audience, subject=subject),
        "Content-Encoding": "aes128gcm",
        "Content-Type": "application/octet-stream",
        "TTL": str(ttl),
        "Urgency": urgency,
    }
    if topic is not None:
        headers["Topic"] = topic
    try:
        response = client.post(
            subscription.endpoint,
            content=body,
            headers=headers,
            timeout=timeout,
            # A push service never redirects; following one would post to a
            # host the endpoint check never saw.
            follow_redirects=False,
        )
    except (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError) as exc:
        return PushOutcome("retry", error=f"{type(exc).__name__}: {exc}")
    except (httpx.HTTPError, httpx.InvalidURL) as exc:
        return PushOutcome("failed", error=f"{type(exc).__name__}: {exc}")
    return _outcome_for(response)


def parse_retry_after(value: str | None, *, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delay seconds or HTTP-date)."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    current = time.time() if now is None else now
    return max(0.0, when.timestamp() - current)


def _audience(endpoint: str) -> str | None:
    """scheme://host[:port] of the endpoint: the `aud` its push service expects."""
    try:
        parts = urlsplit(endpoint)
        port = parts.port
    except ValueError:
        return None
    # py_vapid only accepts a host without colons, so IPv6 literals cannot sign.
    if parts.scheme not in ("http", "https") or not parts.hostname or ":" in parts.hostname:
        return None
    default_port = 443 if parts.scheme == "https" else 80
    suffix = f":{port}" if port is not None and port != default_port else ""
    return f"{parts.scheme}://{parts.hostname}{suffix}"


def _encrypt(subscription: SubscriptionKeys, data: bytes) -> bytes:
    """RFC 8291: an ephemeral key of our own for this message, ECDH with the browser's."""
    receiver, auth = _receiver_keys(subscription.p256dh, subscription.auth)
    body = http_ece.encrypt(
        data,
        private_key=ec.generate_private_key(ec.SECP256R1()),
        dh=receiver,
        auth_secret=auth,
        version="aes128gcm",
    )
    return bytes(body)


@lru_cache(maxsize=_DECODED_KEYS)
def _receiver_keys(p256dh: str, auth: str) -> tuple[ec.EllipticCurvePublicKey, bytes]:
    """The browser's public key and auth secret, from their base64url text."""
    point = _b64decode(p256dh)
    return ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), point), _b64decode(auth)


def _b64decode(text: str) -> bytes:
    bare = text.rstrip("=")
    return base64.urlsafe_b64decode(bare + "=" * (-len(bare) % 4))


def _outcome_for(response: httpx.Response) -> PushOutcome:
    status = response.status_code
    if status in (200, 201, 202):
        return PushOutcome("sent", http_status=status)
    if status in (404, 410):
        return PushOutcome("gone", http_status=status, error=_error_text(response))
    if status in (408, 429) or status >= 500:
        return PushOutcome(
            "retry",
            http_status=status,
            retry_after=parse_retry_after(response.headers.get("Retry-After")),
            error=_error_text(response),
        )
    return PushOutcome("failed", http_status=status, error=_error_text(response))


def _error_text(response: httpx.Response) -> str:
    detail = " ".join(response.text.split())[:_ERROR_TEXT_CHARS]
    reason = f"HTTP {response.status_code} {response.reason_phrase}".strip()
    return f"{reason}: {detail}" if detail else reason
