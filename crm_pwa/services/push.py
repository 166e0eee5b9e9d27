"""Devices that receive reminders, the server's VAPID key and the rep's reminder hours.

A subscription endpoint is an address a browser hands us and the server later
POSTs to, so it is checked against the push-service allow-list when stored and
again before every send: nothing else is ever contacted.
"""

from __future__ import annotations

import base64
import binascii
import re
import uuid
from dataclasses import dataclass
from datetime import datetime, time
from functools import lru_cache
from pathlib import Path
from typing import Any

import httpx
from cryptography.hazmat.primitives.asymmetric import ec
from sqlalchemy import delete
from sqlmodel import Session, col, select

from crm_pwa.db.push import PushSubscription, upsert_subscription
from crm_pwa.db.user import User
from crm_pwa.domain.push_endpoint import check_push_endpoint
from crm_pwa.domain.zones import canonical_zone, offered_zones
from crm_pwa.push.sender import SubscriptionKeys, send_push
from crm_pwa.push.vapid import VapidKeys, load_or_create_vapid
from crm_pwa.services.actor import Actor
from crm_pwa.services.errors import Conflict, Invalid, NotFound
from crm_pwa.settings import get_settings

# Each device is one more request per reminder; a phone replaced every year for a
# decade is plenty. The oldest subscription makes room for a new one.
MAX_DEVICES_PER_USER = 10
PUSH_TIMEOUT_SECONDS = 10.0
TEST_REMINDER_TTL_SECONDS = 600
_USER_AGENT_CHARS = 300
_B64URL = re.compile(r"[A-Za-z0-9_-]+={0,2}")
_P256DH_BYTES = 65
_AUTH_BYTES = 16
_CLOCK_TIME = re.compile(r"([01]\d|2[0-3]):([0-5]\d)(:[0-5]\d)?")


@dataclass(frozen=True)
class Device:
    id: uuid.UUID
    endpoint: str
    label: str
    created_at: datetime
    last_success_at: datetime | None


@dataclass(frozen=True)
class TestReminderReport:
    devices: int
    sent: int
    removed: int
    failed: int


@dataclass(frozen=True)
class ReminderSettings:
    reminder_time: time
    quiet_start: time
    quiet_end: time
    time_zone: str


def vapid_keys() -> VapidKeys:
    """The server's VAPID key pair, created (mode 0600) on first use."""
    return _vapid_keys_at(get_settings().vapid_private_key_path)


@lru_cache(maxsize=4)
def _vapid_keys_at(path: Path) -> VapidKeys:
    return load_or_create_vapid(path)


def endpoint_allowed(endpoint: str) -> bool:
    """Whether the allow-list (known push services plus the configured extras) takes it."""
    try:
        check_push_endpoint(endpoint, get_settings().push_extra_hosts)
    except ValueError:
        return False
    return True


def subscribe(
    *,
    session: Session,
    actor: Actor,
    subscription: dict[str, Any],
    user_agent: str,
    now: datetime,
) -> Device:
    """Store the browser's `PushSubscription.toJSON()` for the caller.

    The same endpoint again updates the caller's keys. On a device several reps
    share, each rep who turns reminders on holds the endpoint as their own
    device: one rep's tap never takes reminders away from another, and each
    rep removes only their own in Settings.
    """
    endpoint, p256dh, auth = _parse_subscription(subscription)
    upsert_subscription(
        session,
        user_id=actor.id,
        endpoint=endpoint,
        p256dh=p256dh,
        auth=auth,
        user_agent=user_agent[:_USER_AGENT_CHARS],
        now=now,
    )
    _drop_oldest_devices(session, actor.id)
    session.flush()
    stored = session.exec(
        select(PushSubscription)
        .where(PushSubscription.endpoint == endpoint, PushSubscription.user_id == actor.id)
        .execution_options(populate_existing=True)
    ).one()
    return _device(stored)


def unsubscribe(*, session: Session, actor: Actor, endpoint: str) -> None:
    """Forget the caller's subscription for `endpoint`; unknown or someone else's: no-op."""
    session.execute(
        delete(PushSubscription).where(
            col(PushSubscription.endpoint) == endpoint,
            col(PushSubscription.user_id) == actor.id,
        )
    )
    session.flush()


def forget_devices(*, session: Session, actor: Actor) -> None:
    """Forget every subscription of the caller (signed out everywhere)."""
    session.execute(delete(PushSubscription).where(col(PushSubscription.user_id) == actor.id))
    session.flush()


def remove_device(*, session: Session, actor: Actor, device_id: uuid.UUID) -> None:
    row = session.get(PushSubscription, device_id)
    if row is None or row.user_id != actor.id:
        raise NotFound("Device not found.")
    session.delete(row)
    session.flush()


def list_devices(*, session: Session, actor: Actor) -> list[Device]:
    rows = session.exec(
        select(PushSubscription)
        .where(PushSubscription.user_id == actor.id)
        .order_by(col(PushSubscription.created_at).desc(), col(PushSubscription.id))
    ).all()
    return [_device(row) for row in rows]


def send_test_reminder(
    *, session: Session, actor: Actor, client: httpx.Client
) -> TestReminderReport:
    """A notification to each of the caller's devices, now, so the rep sees it works."""
    rows = session.exec(select(PushSubscription).where(PushSubscription.user_id == actor.id)).all()
    if not rows:
        raise Conflict("No device has reminders turned on yet.")
    settings = get_settings()
    vapid = vapid_keys()
    payload = {
        "title": "Test reminder",
        "body": "Reminders reach this device.",
        "url": "/settings",
        "tag": "rapport-test",
    }
    sent = removed = failed = 0
    for row in rows:
        if not endpoint_allowed(row.endpoint):
            session.delete(row)
            removed += 1
            continue
        outcome = send_push(
            client,
            SubscriptionKeys(row.endpoint, row.p256dh, row.auth),
            payload,
            vapid=vapid,
            subject=settings.vapid_subject,
            ttl=TEST_REMINDER_TTL_SECONDS,
            urgency="high",
            topic="rapport-test",
            timeout=PUSH_TIMEOUT_SECONDS,
        )
        if outcome.status == "sent":
            sent += 1
        elif outcome.status == "gone":
            session.delete(row)
            removed += 1
        else:
            failed += 1
    session.flush()
    return TestReminderReport(devices=len(rows), sent=sent, removed=removed, failed=failed)


def reminder_settings(*, session: Session, actor: Actor) -> ReminderSettings:
    user = session.get(User, actor.id)
    if user is None:
        raise NotFound("User not found.")
    return ReminderSettings(user.reminder_time, user.quiet_start, user.quiet_end, user.time_zone)


def update_reminder_settings(
    *,
    session: Session,
    actor: Actor,
    reminder_time: time | str,
    quiet_start: time | str,
    quiet_end: time | str,
    time_zone: str,
) -> ReminderSettings:
    """Set when reminders come; equal quiet start and end mean no quiet hours."""
    at = parse_clock_time(reminder_time, "reminder_time")
    start = parse_clock_time(quiet_start, "quiet_start")
    end = parse_clock_time(quiet_end, "quiet_end")
    zone = time_zone.strip()
    if zone not in offered_zones():
        raise Invalid(
            f"{zone!r} is not a time zone you can pick; choose your city, such as London.",
            "time_zone",
        )
    user = session.get(User, actor.id)
    if user is None:
        raise NotFound("User not found.")
    user.reminder_time, user.quiet_start, user.quiet_end, user.time_zone = at, start, end, zone
    user.time_zone_chosen = True
    session.add(user)
    session.flush()
    return ReminderSettings(at, start, end, zone)


def parse_clock_time(value: time | str, field: str) -> time:
    """A time of day to the minute, from a `time` or "HH:MM"."""
    if isinstance(value, time):
        if value.tzinfo is not None:
            raise Invalid("Give a time of day without a time zone.", field)
        return value.replace(second=0, microsecond=0)
    match = _CLOCK_TIME.fullmatch(value.strip())
    if match is None:
        raise Invalid("Give a time of day as HH:MM, e.g. 09:00.", field)
    return time(int(match.group(1)), int(match.group(2)))


def adopt_phone_zone(*, session: Session, actor: Actor, phone_zone: str) -> bool:
    """On a sign-in: a rep who never chose a zone gets the phone's. True when it changed."""
    user = session.get(User, actor.id)
    zone = canonical_zone(phone_zone.strip())
    if user is None or user.time_zone_chosen or zone not in offered_zones():
        return False
    user.time_zone, user.time_zone_chosen = zone, True
    session.add(user)
    session.flush()
    return True


def describe_device(user_agent: str) -> str:
    """A name a person recognises, e.g. "Chrome on Android", from a User-Agent."""
    browsers = (
        ("EdgA/", "Edge"),
        ("Edg/", "Edge"),
        ("SamsungBrowser/", "Samsung Internet"),
        ("Firefox/", "Firefox"),
        ("FxiOS/", "Firefox"),
        ("CriOS/", "Chrome"),
        ("Chrome/", "Chrome"),
        ("Safari/", "Safari"),
    )
    systems = (
        ("Android", "Android"),
        ("iPhone", "iPhone"),
        ("iPad", "iPad"),
        ("Windows", "Windows"),
        ("Mac OS X", "Mac"),
        ("CrOS", "ChromeOS"),
        ("Linux", "Linux"),
    )
    browser = next((name for marker, name in browsers if marker in user_agent), "")
    system = next((name for marker, name in systems if marker in user_agent), "")
    if browser and system:
        return f"{browser} on {system}"
    return browser or system or "Unknown browser"


def _parse_subscription(subscription: dict[str, Any]) -> tuple[str, str, str]:
    endpoint = subscription.get("endpoint")
    keys = subscription.get("keys")
    if not isinstance(endpoint, str) or not isinstance(keys, dict):
        raise Invalid("Send the browser's subscription: endpoint and keys.", "endpoint")
    try:
        check_push_endpoint(endpoint, get_settings().push_extra_hosts)
    except ValueError as refused:
        raise Invalid(f"{refused}.", "endpoint") from refused
    p256dh = _b64url_key(keys.get("p256dh"), _P256DH_BYTES, "p256dh")
    try:
        ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), _decode(p256dh))
    except ValueError as bad_point:
        raise Invalid("keys.p256dh is not a P-256 public key.", "p256dh") from bad_point
    auth = _b64url_key(keys.get("auth"), _AUTH_BYTES, "auth")
    return endpoint, p256dh, auth


def _b64url_key(value: object, size: int, field: str) -> str:
    if not isinstance(value, str) or not _B64URL.fullmatch(value):
        raise Invalid(f"keys.{field} must be base64url.", field)
    try:
        raw = _decode(value)
    except (binascii.Error, ValueError) as bad:
        raise Invalid(f"keys.{field} must be base64url.", field) from bad
    if len(raw) != size:
        raise Invalid(f"keys.{field} must be {size} bytes.", field)
    return value.rstrip("=")


def _decode(value: str) -> bytes:
    bare = value.rstrip("=")
    return base64.urlsafe_b64decode(bare + "=" * (-len(bare) % 4))


def _drop_oldest_devices(session: Session, user_id: uuid.UUID) -> None:
    surplus = session.exec(
        select(PushSubscription.id)
        .where(PushSubscription.user_id == user_id)
        .order_by(col(PushSubscription.created_at).desc(), col(PushSubscription.id))
        .offset(MAX_DEVICES_PER_USER)
    ).all()
    if surplus:
        session.execute(delete(PushSubscription).where(col(PushSubscription.id).in_(surplus)))


def _device(row: PushSubscription) -> Device:
    return Device(
        id=row.id,
        endpoint=row.endpoint,
        label=describe_device(row.user_agent),
        created_at=row.created_at,
        last_success_at=row.last_success_at,
    )
