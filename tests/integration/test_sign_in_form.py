"""The sign-in page's form post: the same service, brakes and words as the API's sign-in."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from sqlmodel import Session, select

from crm_pwa.api.app import create_api
from crm_pwa.db.audit import AuditEvent
from crm_pwa.db.user import AuthToken, User
from tests.conftest import Database
from tests.utils.factories import PASSWORD, make_user

EMAIL = "dana@example.com"
OWN_PAGE = {"Sec-Fetch-Site": "same-origin", "Origin": "http://testserver"}


@pytest.fixture
def phone(db: Database) -> Iterator[TestClient]:
    with TestClient(create_api(), client=("198.51.100.7", 50000)) as client:
        yield client


def _post(
    client: TestClient,
    password: str = PASSWORD,
    next_page: str | None = None,
    headers: dict[str, str] | None = None,
    **fields: str,
) -> Response:
    params = {"next": next_page} if next_page is not None else None
    return client.post(
        "/signin",
        params=params,
        data={"email": EMAIL, "password": password, "device": "", "zone": "", **fields},
        headers=OWN_PAGE if headers is None else headers,
    )


def _handed_over(answer: Response) -> dict[str, str]:
    main = re.search(r'<main id="signed-in" ([^>]*)>', answer.text)
    assert main is not None, answer.text
    return dict(re.findall(r'data-([a-z]+)="([^"]*)"', main.group(1)))


def _tokens(session: Session) -> int:
    session.expire_all()
    return len(session.exec(select(AuthToken)).all())


def test_right_password_hands_the_session_to_the_app_and_opens_the_page_asked_for(
    phone: TestClient, session: Session
) -> None:
    make_user(session, EMAIL)
    answer = _post(phone, next_page="/contacts/42", zone="Asia/Calcutta")
    assert answer.status_code == 200
    assert answer.headers["cache-control"] == "no-store"
    given = _handed_over(answer)
    assert given["next"] == "/contacts/42"
    assert given["device"]
    me = phone.get("/api/v1/me", headers={"Authorization": f"Bearer {given['token']}"})
    assert me.json()["email"] == EMAIL
    # The phone's zone is adopted at the first sign-in, as the API's clients see it.
    session.expire_all()
    user = session.exec(select(User).where(User.email == EMAIL)).one()
    assert (user.time_zone, user.time_zone_chosen) == ("Asia/Kolkata", True)
    events = session.exec(select(AuditEvent).where(AuditEvent.action == "sign_in")).all()
    assert len(events) == 1


@pytest.mark.parametrize("elsewhere", ["https://evil.example/x", "//evil.example", "/signin"])
def test_next_naming_another_site_is_ignored_and_the_role_home_opens(
    phone: TestClient, session: Session, elsewhere: str
) -> None:
    make_user(session, EMAIL, role="manager")
    assert _handed_over(_post(phone, next_page=elsewhere))["next"] == "/team"


def test_wrong_password_says_what_the_api_says_keeps_the_email_and_stores_nothing(
    phone: TestClient, session: Session
) -> None:
    make_user(session, EMAIL)
    api = phone.post("/api/v1/auth/token", json={"email": EMAIL, "password": "nope"})
    answer = _post(phone, password="not the password", next_page="/contacts")
    assert answer.status_code == 401
    assert f'<p role="alert">{api.json()["detail"]}</p>' in answer.text
    assert f'value="{EMAIL}"' in answer.text
    # The form still posts back with the page to come back to.
    assert 'action="/signin?next=%2Fcontacts"' in answer.text
    assert "signed-in" not in answer.text
    assert _tokens(session) == 0


def test_guessing_through_the_form_is_braked_like_the_api(
    phone: TestClient, session: Session
) -> None:
    make_user(session, EMAIL)
    statuses = [_post(phone, password=f"guess {n}").status_code for n in range(8)]
    assert statuses[0] == 401
    braked = _post(phone)
    assert braked.status_code == 429, statuses
    assert int(braked.headers["retry-after"]) > 0
    assert 'role="alert"' in braked.text
    assert _tokens(session) == 0


@pytest.mark.parametrize(
    "headers",
    [
        {"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"},
        {"Sec-Fetch-Site": "same-site", "Origin": "https://sub.testserver"},
        {"Origin": "https://evil.example"},
        {"Origin": "null"},
    ],
)
def test_post_from_another_site_is_refused_before_the_password_is_checked(
    phone: TestClient, session: Session, headers: dict[str, str]
) -> None:
    make_user(session, EMAIL)
    answer = _post(phone, headers=headers)
    assert answer.status_code == 403
    assert "signed-in" not in answer.text
    assert _tokens(session) == 0
    session.expire_all()
    assert session.exec(select(AuditEvent)).all() == []
