"""Signing out on a shared phone takes the rep's reminders off it, and only theirs."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlmodel import Session

from crm_pwa import clock
from crm_pwa.db.user import User
from crm_pwa.services.actor import Actor
from crm_pwa.services.sign_out import sign_out_everywhere, sign_out_of_browser
from tests.integration.test_push_api import RILEY, SAM, endpoints, riley, sam, service, subscribe
from tests.utils.factories import bearer
from tests.utils.push_service import FakePushService

__all__ = ["riley", "sam", "service"]


def _token(headers: dict[str, str]) -> str:
    return headers["Authorization"].removeprefix("Bearer ")


def test_signing_out_of_a_shared_phone_ends_this_reps_reminders_there_and_keeps_the_others(
    client: TestClient, session: Session, service: FakePushService, riley: User, sam: User
) -> None:
    riley_headers, sam_headers = bearer(client, RILEY), bearer(client, SAM)
    shared = service.new_browser("shared-phone")
    own = service.new_browser("riley-own-phone")
    for headers, subscription in (
        (riley_headers, shared),
        (riley_headers, own),
        (sam_headers, shared),
    ):
        assert subscribe(client, headers, subscription).status_code == 201

    sign_out_of_browser(
        session=session,
        token=_token(riley_headers),
        push_endpoint=shared["endpoint"],
        now=clock.now(),
    )
    session.commit()

    assert client.get("/api/v1/me", headers=riley_headers).status_code == 401
    riley_again = bearer(client, RILEY)
    assert endpoints(client, riley_again) == [own["endpoint"]]
    assert endpoints(client, sam_headers) == [shared["endpoint"]]


def test_an_ended_session_signing_out_removes_no_ones_reminders(
    client: TestClient, session: Session, service: FakePushService, riley: User, sam: User
) -> None:
    riley_headers, sam_headers = bearer(client, RILEY), bearer(client, SAM)
    shared = service.new_browser("shared-phone")
    subscribe(client, riley_headers, shared)
    subscribe(client, sam_headers, shared)
    assert client.delete("/api/v1/auth/token", headers=riley_headers).status_code == 204

    sign_out_of_browser(
        session=session,
        token=_token(riley_headers),
        push_endpoint=shared["endpoint"],
        now=clock.now(),
    )
    session.commit()

    assert endpoints(client, bearer(client, RILEY)) == [shared["endpoint"]]
    assert endpoints(client, sam_headers) == [shared["endpoint"]]


def test_signing_out_everywhere_ends_the_reps_reminders_on_every_device(
    client: TestClient, session: Session, service: FakePushService, riley: User, sam: User
) -> None:
    riley_headers, sam_headers = bearer(client, RILEY), bearer(client, SAM)
    shared = service.new_browser("shared-phone")
    for name in ("shared", "laptop"):
        subscribe(client, riley_headers, shared if name == "shared" else service.new_browser(name))
    subscribe(client, sam_headers, shared)

    sign_out_everywhere(session=session, actor=Actor.of(riley), now=clock.now())
    session.commit()

    assert client.get("/api/v1/me", headers=riley_headers).status_code == 401
    assert endpoints(client, bearer(client, RILEY)) == []
    assert endpoints(client, sam_headers) == [shared["endpoint"]]
