"""The push routes: VAPID key, devices, test reminder and reminder hours."""

from __future__ import annotations

import base64
import stat
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from crm_pwa.db.push import PushSubscription
from crm_pwa.db.user import User
from crm_pwa.services import push
from crm_pwa.services.actor import Actor
from crm_pwa.services.reminders import run_reminders
from crm_pwa.settings import get_settings
from tests.conftest import Database
from tests.utils.factories import NOW, bearer, make_user
from tests.utils.push_service import FakePushService, make_browser_subscription

RILEY = "riley@example.com"
SAM = "sam@example.com"
PHONE_UA = "Mozilla/5.0 (Linux; Android 14; Pixel 7) AppleWebKit/537.36 Chrome/130.0 Mobile"


@pytest.fixture
def service(db: Database, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakePushService]:
    with FakePushService() as fake:
        monkeypatch.setenv("RAPPORT_PUSH_EXTRA_HOSTS", fake.host)
        get_settings.cache_clear()
        yield fake


@pytest.fixture
def outsider() -> Iterator[FakePushService]:
    """A listener on 127.0.0.1 that is NOT on the allow-list: it must hear nothing."""
    with FakePushService() as fake:
        yield fake


@pytest.fixture
def riley(session: Session) -> User:
    return make_user(session, RILEY, name="Riley Chen")


@pytest.fixture
def sam(session: Session) -> User:
    return make_user(session, SAM, name="Sam Okafor")


def subscribe(
    client: TestClient, headers: dict[str, str], subscription: dict[str, Any]
) -> httpx.Response:
    return client.post(
        "/api/v1/push/subscriptions",
        json=subscription,
        headers={**headers, "User-Agent": PHONE_UA},
    )


def endpoints(client: TestClient, headers: dict[str, str]) -> list[str]:
    answer = client.get("/api/v1/push/subscriptions", headers=headers)
    assert answer.status_code == 200, answer.text
    return [item["endpoint"] for item in answer.json()["items"]]


def _b64url_bytes(value: str) -> bytes:
    return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))


def test_vapid_key_is_public_and_stable_when_asked_without_a_token(
    client: TestClient, db: Database
) -> None:
    first = client.get("/api/v1/push/vapid-public-key")
    second = client.get("/api/v1/push/vapid-public-key")

    assert first.status_code == 200
    key = first.json()["public_key"]
    assert second.json()["public_key"] == key
    raw = _b64url_bytes(key)
    assert len(raw) == 65 and raw[0] == 4
    key_file = get_settings().vapid_private_key_path
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/api/v1/push/subscriptions"),
        ("DELETE", "/api/v1/push/subscriptions"),
        ("GET", "/api/v1/push/subscriptions"),
        ("POST", "/api/v1/push/test"),
        ("GET", "/api/v1/push/reminder-settings"),
        ("PUT", "/api/v1/push/reminder-settings"),
    ],
)
def test_push_routes_answer_401_when_no_token_is_sent(
    client: TestClient, method: str, path: str
) -> None:
    answer = client.request(method, path, json={"endpoint": "https://fcm.googleapis.com/x"})
    assert answer.status_code == 401


def test_device_is_listed_when_a_rep_subscribes(
    client: TestClient, service: FakePushService, riley: User
) -> None:
    headers = bearer(client, RILEY)
    subscription = service.new_browser("phone")

    answer = subscribe(client, headers, subscription)

    assert answer.status_code == 201, answer.text
    assert answer.json()["label"] == "Chrome on Android"
    [device] = client.get("/api/v1/push/subscriptions", headers=headers).json()["items"]
    assert device["endpoint"] == subscription["endpoint"]
    assert device["label"] == "Chrome on Android"
    assert device["last_success_at"] is None


def test_same_endpoint_updates_one_device_when_subscribed_again(
    client: TestClient, session: Session, service: FakePushService, riley: User
) -> None:
    headers = bearer(client, RILEY)
    subscription = service.new_browser("phone")
    subscribe(client, headers, subscription)
    renewed = {**subscription, "keys": make_browser_subscription("unused")[0]["keys"]}

    assert subscribe(client, headers, renewed).status_code == 201

    rows = session.exec(select(PushSubscription)).all()
    assert [(row.endpoint, row.p256dh) for row in rows] == [
        (subscription["endpoint"], renewed["keys"]["p256dh"])
    ]


def test_shared_device_keeps_each_reps_reminders_when_another_rep_subscribes_it(
    client: TestClient, service: FakePushService, riley: User, sam: User
) -> None:
    riley_headers, sam_headers = bearer(client, RILEY), bearer(client, SAM)
    subscription = service.new_browser("shared-tablet")
    subscribe(client, riley_headers, subscription)

    assert subscribe(client, sam_headers, subscription).status_code == 201

    assert endpoints(client, riley_headers) == [subscription["endpoint"]]
    assert endpoints(client, sam_headers) == [subscription["endpoint"]]
    for headers in (riley_headers, sam_headers):
        sent = client.post("/api/v1/push/test", headers=headers)
        assert sent.json() == {"devices": 1, "sent": 1, "removed": 0, "failed": 0}
    assert [r.path for r in service.received if r.answered == 201] == ["/push/shared-tablet"] * 2


def test_shared_device_stays_with_the_other_rep_when_one_turns_it_off(
    client: TestClient, service: FakePushService, riley: User, sam: User
) -> None:
    riley_headers, sam_headers = bearer(client, RILEY), bearer(client, SAM)
    subscription = service.new_browser("shared-tablet")
    subscribe(client, riley_headers, subscription)
    subscribe(client, sam_headers, subscription)

    body = {"endpoint": subscription["endpoint"]}
    by_sam = client.request("DELETE", "/api/v1/push/subscriptions", json=body, headers=sam_headers)

    assert by_sam.status_code == 204
    assert endpoints(client, sam_headers) == []
    assert endpoints(client, riley_headers) == [subscription["endpoint"]]


def test_endpoint_of_another_rep_is_kept_when_someone_subscribes_it_with_other_keys(
    client: TestClient, service: FakePushService, riley: User, sam: User
) -> None:
    riley_headers, sam_headers = bearer(client, RILEY), bearer(client, SAM)
    subscription = service.new_browser("riley-phone")
    subscribe(client, riley_headers, subscription)
    # Whoever learnt the address can neither take it nor change the keys Riley's phone uses.
    forged = {
        **subscription,
        "keys": make_browser_subscription("https://x.invalid/forged")[0]["keys"],
    }
    assert subscribe(client, sam_headers, forged).status_code == 201

    client.post("/api/v1/push/test", headers=riley_headers)
    delivered = [r for r in service.received if r.answered == 201]
    assert len(delivered) == 1
    assert service.decrypt_json(delivered[0])["title"] == "Test reminder"


@pytest.mark.parametrize(
    "endpoint",
    [
        "{outsider}/push/phone",
        "http://127.0.0.1/push/phone",
        "https://evil.example.com/push/phone",
        "https://fcm.googleapis.com.evil.example/fcm/send/x",
        "http://fcm.googleapis.com/fcm/send/x",
        "https://fcm.googleapis.com:8443/fcm/send/x",
        "https://user@fcm.googleapis.com/fcm/send/x",
        "file:///etc/passwd",
        "",
    ],
)
def test_subscription_is_refused_and_never_contacted_when_the_host_is_not_allowed(
    client: TestClient,
    db: Database,
    session: Session,
    service: FakePushService,
    outsider: FakePushService,
    riley: User,
    endpoint: str,
) -> None:
    headers = bearer(client, RILEY)
    subscription = outsider.new_browser("phone")
    subscription["endpoint"] = endpoint.format(outsider=outsider.url)

    answer = subscribe(client, headers, subscription)

    assert answer.status_code == 422, answer.text
    assert endpoints(client, headers) == []
    assert client.post("/api/v1/push/test", headers=headers).status_code == 409
    with httpx.Client() as http:
        run_reminders(engine_or_session=db.engine, now=NOW, client=http)
    assert outsider.received == []
    assert service.received == []


@pytest.mark.parametrize(
    "keys",
    [
        {"p256dh": "not base64!", "auth": "AAAAAAAAAAAAAAAAAAAAAA"},
        {
            "p256dh": base64.urlsafe_b64encode(b"\x04" + b"\x01" * 64).decode(),
            "auth": "AAAAAAAAAAAAAAAAAAAAAA",
        },
        {
            "p256dh": base64.urlsafe_b64encode(b"\x04" + b"\x00" * 32).decode(),
            "auth": "AAAAAAAAAAAAAAAAAAAAAA",
        },
        {"p256dh": "{good}", "auth": base64.urlsafe_b64encode(b"\x00" * 15).decode()},
        {"p256dh": "{good}", "auth": "a+b/" * 4},
        {"p256dh": "{good}"},
    ],
)
def test_subscription_is_refused_when_its_keys_are_malformed(
    client: TestClient, service: FakePushService, riley: User, keys: dict[str, str]
) -> None:
    headers = bearer(client, RILEY)
    subscription = service.new_browser("phone")
    good = subscription["keys"]["p256dh"]
    subscription["keys"] = {name: value.format(good=good) for name, value in keys.items()}

    assert subscribe(client, headers, subscription).status_code == 422
    assert endpoints(client, headers) == []


def test_delete_removes_only_the_callers_device_when_asked(
    client: TestClient, service: FakePushService, riley: User, sam: User
) -> None:
    riley_headers, sam_headers = bearer(client, RILEY), bearer(client, SAM)
    subscription = service.new_browser("phone")
    subscribe(client, riley_headers, subscription)
    body = {"endpoint": subscription["endpoint"]}

    by_sam = client.request("DELETE", "/api/v1/push/subscriptions", json=body, headers=sam_headers)
    assert by_sam.status_code == 204
    assert endpoints(client, riley_headers) == [subscription["endpoint"]]

    by_riley = client.request(
        "DELETE", "/api/v1/push/subscriptions", json=body, headers=riley_headers
    )
    assert by_riley.status_code == 204
    assert endpoints(client, riley_headers) == []


def test_test_reminder_reaches_each_device_when_requested(
    client: TestClient, service: FakePushService, riley: User
) -> None:
    headers = bearer(client, RILEY)
    for name in ("phone", "laptop", "old-phone"):
        subscribe(client, headers, service.new_browser(name))
    service.script("/push/old-phone", 410)

    answer = client.post("/api/v1/push/test", headers=headers)

    assert answer.status_code == 200, answer.text
    assert answer.json() == {"devices": 3, "sent": 2, "removed": 1, "failed": 0}
    delivered = [r for r in service.received if r.answered == 201]
    assert sorted(r.path for r in delivered) == ["/push/laptop", "/push/phone"]
    assert {service.decrypt_json(r)["title"] for r in delivered} == {"Test reminder"}
    assert len(endpoints(client, headers)) == 2


def test_test_reminder_is_refused_with_409_when_no_device_is_subscribed(
    client: TestClient, service: FakePushService, riley: User
) -> None:
    answer = client.post("/api/v1/push/test", headers=bearer(client, RILEY))
    assert answer.status_code == 409
    assert service.received == []


def test_reminder_hours_are_saved_when_valid(client: TestClient, riley: User) -> None:
    headers = bearer(client, RILEY)
    assert client.get("/api/v1/push/reminder-settings", headers=headers).json() == {
        "reminder_time": "09:00",
        "quiet_start": "20:00",
        "quiet_end": "08:00",
        "time_zone": "UTC",
    }
    wanted = {
        "reminder_time": "07:30",
        "quiet_start": "22:00",
        "quiet_end": "06:45",
        "time_zone": "Europe/Lisbon",
    }

    saved = client.put("/api/v1/push/reminder-settings", json=wanted, headers=headers)

    assert saved.status_code == 200, saved.text
    assert client.get("/api/v1/push/reminder-settings", headers=headers).json() == wanted


@pytest.mark.parametrize(
    "change",
    [
        {"time_zone": "Mars/Olympus_Mons"},
        {"time_zone": "../../etc/passwd"},
        {"reminder_time": "25:00"},
        {"quiet_start": "9am"},
        {"quiet_end": ""},
    ],
)
def test_reminder_hours_are_refused_with_422_when_invalid(
    client: TestClient, riley: User, change: dict[str, str]
) -> None:
    headers = bearer(client, RILEY)
    body = {
        "reminder_time": "09:00",
        "quiet_start": "20:00",
        "quiet_end": "08:00",
        "time_zone": "UTC",
        **change,
    }

    assert (
        client.put("/api/v1/push/reminder-settings", json=body, headers=headers).status_code == 422
    )
    assert (
        client.get("/api/v1/push/reminder-settings", headers=headers).json()["time_zone"] == "UTC"
    )


def test_oldest_device_makes_room_when_a_rep_adds_one_too_many(
    session: Session, service: FakePushService, riley: User
) -> None:
    actor = Actor.of(riley)
    for number in range(push.MAX_DEVICES_PER_USER + 1):
        push.subscribe(
            session=session,
            actor=actor,
            subscription=service.new_browser(f"device-{number}"),
            user_agent=PHONE_UA,
            now=NOW + timedelta(minutes=number),
        )
    session.commit()

    kept = [device.endpoint for device in push.list_devices(session=session, actor=actor)]

    assert len(kept) == push.MAX_DEVICES_PER_USER
    assert service.endpoint("device-0") not in kept
    assert service.endpoint(f"device-{push.MAX_DEVICES_PER_USER}") in kept
