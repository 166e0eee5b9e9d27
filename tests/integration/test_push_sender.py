from __future__ import annotations

import base64
import socket
import stat
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from crm_pwa.push.sender import PushOutcome, SubscriptionKeys, parse_retry_after, send_push
from crm_pwa.push.vapid import VapidKeys, load_or_create_vapid
from tests.utils.push_service import FakePushService

SUBJECT = "mailto:ops@rapport.example"
PAYLOAD = {
    "title": "Call back Dana Reyes",
    "body": "Overdue since Tuesday 17 Nov — Send the revised quote",
    "url": "/contacts/42",
    "tag": "fu-42",
}


@pytest.fixture
def push_service() -> Iterator[FakePushService]:
    with FakePushService() as service:
        yield service


@pytest.fixture(scope="module")
def vapid() -> VapidKeys:
    return VapidKeys.generate()


@pytest.fixture
def client() -> Iterator[httpx.Client]:
    with httpx.Client() as http_client:
        yield http_client


def keys_of(subscription: dict[str, Any]) -> SubscriptionKeys:
    return SubscriptionKeys(
        endpoint=subscription["endpoint"],
        p256dh=subscription["keys"]["p256dh"],
        auth=subscription["keys"]["auth"],
    )


def send(
    client: httpx.Client, vapid: VapidKeys, subscription: dict[str, Any], **options: Any
) -> PushOutcome:
    return send_push(
        client, keys_of(subscription), PAYLOAD, vapid=vapid, subject=SUBJECT, **options
    )


def test_browser_reads_the_payload_when_the_push_is_sent(
    push_service: FakePushService, vapid: VapidKeys, client: httpx.Client
) -> None:
    subscription = push_service.new_browser("phone")

    outcome = send(client, vapid, subscription, urgency="high", topic="fu-42")

    assert outcome == PushOutcome("sent", http_status=201)
    [request] = push_service.received
    assert request.path == "/push/phone"
    assert push_service.decrypt_json(request) == PAYLOAD
    assert request.headers["content-encoding"] == "aes128gcm"
    assert request.headers["ttl"] == "86400"
    assert request.headers["urgency"] == "high"
    assert request.headers["topic"] == "fu-42"


def test_push_service_accepts_the_vapid_token_when_the_push_is_sent(
    push_service: FakePushService, vapid: VapidKeys, client: httpx.Client
) -> None:
    send(client, vapid, push_service.new_browser("phone"))

    [request] = push_service.received
    assert request.answered == 201
    assert request.vapid_public_key == vapid.public_key_b64url
    assert request.vapid_claims is not None
    assert request.vapid_claims["aud"] == push_service.url
    assert request.vapid_claims["sub"] == SUBJECT
    assert 11 * 3600 < request.vapid_claims["exp"] - time.time() <= 12 * 3600


def test_headers_carry_the_defaults_when_no_options_are_given(
    push_service: FakePushService, vapid: VapidKeys, client: httpx.Client
) -> None:
    send(client, vapid, push_service.new_browser("phone"), ttl=3600)

    [request] = push_service.received
    assert request.headers["ttl"] == "3600"
    assert request.headers["urgency"] == "normal"
    assert "topic" not in request.headers


def test_each_push_service_gets_its_own_audience_when_one_key_sends_to_several(
    vapid: VapidKeys, client: httpx.Client
) -> None:
    with FakePushService() as first, FakePushService() as second:
        outcomes = [
            send(client, vapid, first.new_browser("a")),
            send(client, vapid, second.new_browser("b")),
            send(client, vapid, first.new_browser("c")),
        ]

        assert [outcome.status for outcome in outcomes] == ["sent", "sent", "sent"]
        assert {r.vapid_claims["aud"] for r in first.received if r.vapid_claims} == {first.url}
        assert {r.vapid_claims["aud"] for r in second.received if r.vapid_claims} == {second.url}


@pytest.mark.parametrize("status", [404, 410])
def test_subscription_is_gone_when_the_push_service_answers_not_found_or_gone(
    push_service: FakePushService, vapid: VapidKeys, client: httpx.Client, status: int
) -> None:
    push_service.script("/push/old-phone", status)

    outcome = send(client, vapid, push_service.new_browser("old-phone"))

    assert outcome.status == "gone"
    assert outcome.http_status == status


def test_retry_waits_for_retry_after_when_the_push_service_answers_429(
    push_service: FakePushService, vapid: VapidKeys, client: httpx.Client
) -> None:
    push_service.script("/push/busy", 429, {"Retry-After": "120"})

    outcome = send(client, vapid, push_service.new_browser("busy"))

    assert (outcome.status, outcome.http_status, outcome.retry_after) == ("retry", 429, 120.0)


def test_retry_has_no_delay_when_the_push_service_fails_with_500(
    push_service: FakePushService, vapid: VapidKeys, client: httpx.Client
) -> None:
    push_service.script("/push/broken", 500)

    outcome = send(client, vapid, push_service.new_browser("broken"))

    assert (outcome.status, outcome.http_status, outcome.retry_after) == ("retry", 500, None)


def test_retry_is_asked_when_the_push_service_does_not_answer_in_time(
    push_service: FakePushService, vapid: VapidKeys, client: httpx.Client
) -> None:
    push_service.script("/push/slow", 201, delay=5.0)
    started = time.monotonic()

    outcome = send(client, vapid, push_service.new_browser("slow"), timeout=0.3)

    assert outcome.status == "retry"
    assert outcome.http_status is None
    assert outcome.error is not None and "Timeout" in outcome.error
    assert time.monotonic() - started < 3


def test_retry_is_asked_when_the_push_service_cannot_be_reached(
    vapid: VapidKeys, client: httpx.Client
) -> None:
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    with FakePushService() as elsewhere:
        subscription = elsewhere.new_browser("phone")
    subscription["endpoint"] = f"http://127.0.0.1:{port}/push/phone"

    outcome = send(client, vapid, subscription)

    assert outcome.status == "retry"
    assert outcome.error is not None and "ConnectError" in outcome.error


@pytest.mark.parametrize("status", [400, 401, 403, 413])
def test_push_fails_when_the_push_service_refuses_the_message(
    push_service: FakePushService, vapid: VapidKeys, client: httpx.Client, status: int
) -> None:
    push_service.script("/push/refused", status)

    outcome = send(client, vapid, push_service.new_browser("refused"))

    assert (outcome.status, outcome.http_status, outcome.retry_after) == ("failed", status, None)
    assert outcome.error is not None and str(status) in outcome.error


def test_redirect_is_not_followed_when_the_push_service_redirects(vapid: VapidKeys) -> None:
    seen: list[str] = []

    def redirect(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        return httpx.Response(307, headers={"Location": "http://10.0.0.5/internal"})

    with FakePushService() as service:
        subscription = service.new_browser("phone")
    with httpx.Client(transport=httpx.MockTransport(redirect), follow_redirects=True) as client:
        outcome = send(client, vapid, subscription)

    assert outcome.status == "failed"
    assert seen == [subscription["endpoint"]]


def test_nothing_is_posted_when_the_subscription_keys_are_broken(
    push_service: FakePushService, vapid: VapidKeys, client: httpx.Client
) -> None:
    subscription = push_service.new_browser("phone")
    subscription["keys"]["p256dh"] = base64.urlsafe_b64encode(b"\x04" + b"\x01" * 64).decode()

    outcome = send(client, vapid, subscription)

    assert outcome.status == "failed"
    assert push_service.received == []


@pytest.mark.parametrize(
    "options",
    [{"urgency": "urgent"}, {"topic": "fu-" + "x" * 30}, {"topic": "fu/42"}, {"ttl": -1}],
)
def test_send_fails_loudly_when_the_caller_passes_a_bad_option(
    push_service: FakePushService, vapid: VapidKeys, client: httpx.Client, options: dict[str, Any]
) -> None:
    with pytest.raises(ValueError):
        send(client, vapid, push_service.new_browser("phone"), **options)
    assert push_service.received == []


def test_send_fails_loudly_when_the_payload_is_too_big_for_push_services(
    push_service: FakePushService, vapid: VapidKeys, client: httpx.Client
) -> None:
    subscription = keys_of(push_service.new_browser("phone"))

    with pytest.raises(ValueError, match="payload"):
        send_push(client, subscription, {"body": "x" * 4000}, vapid=vapid, subject=SUBJECT)
    assert push_service.received == []


def test_retry_after_is_read_when_it_is_an_http_date() -> None:
    now = 1_790_000_000.0  # 2026-09-21T14:13:20Z
    assert parse_retry_after("Mon, 21 Sep 2026 14:15:20 GMT", now=now) == 120.0
    assert parse_retry_after("Mon, 21 Sep 2026 14:00:00 GMT", now=now) == 0.0
    assert parse_retry_after("soon", now=now) is None
    assert parse_retry_after(None) is None


def test_key_file_is_created_private_when_absent(tmp_path: Path) -> None:
    path = tmp_path / "secrets" / "vapid.pem"

    created = load_or_create_vapid(path)

    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_or_create_vapid(path).public_key_b64url == created.public_key_b64url
    assert [p.name for p in path.parent.iterdir()] == ["vapid.pem"]


def test_public_key_is_what_the_browser_needs_when_shared() -> None:
    raw = base64.urlsafe_b64decode(VapidKeys.generate().public_key_b64url + "=")

    assert len(raw) == 65
    assert raw[0] == 4


def test_key_round_trips_when_saved_as_pem(vapid: VapidKeys) -> None:
    assert VapidKeys.from_pem(vapid.private_pem()).public_key_b64url == vapid.public_key_b64url


@pytest.mark.parametrize(
    "pem",
    [
        b"not a key",
        rsa.generate_private_key(public_exponent=65537, key_size=2048).private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ),
    ],
)
def test_key_loading_fails_when_the_file_is_not_an_ec_key(pem: bytes) -> None:
    with pytest.raises(ValueError, match="VAPID key file"):
        VapidKeys.from_pem(pem)
