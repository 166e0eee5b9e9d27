"""People administration over the API: who may call what, links, deactivation, passwords, audit."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, col, func, select

from crm_pwa import clock
from crm_pwa.db.contact import Contact
from crm_pwa.db.push import PushSubscription
from crm_pwa.db.user import Team, User
from crm_pwa.services.errors import Invalid, NotFound
from crm_pwa.services.sign_in_links import check_link, use_link
from tests.utils.factories import NOW, PASSWORD, bearer, make_contact, make_team, make_user

NEW_PASSWORD = "tangerine ladder 42 orbit"


@dataclass
class World:
    west: Team
    east: Team
    admin: User
    west_manager: User
    east_manager: User
    riley: User
    sam: User


@pytest.fixture
def world(session: Session) -> World:
    west, east = make_team(session, "West"), make_team(session, "East")
    return World(
        west,
        east,
        make_user(session, "admin@example.com", "admin"),
        make_user(session, "wendy@example.com", "manager", west),
        make_user(session, "eddie@example.com", "manager", east),
        make_user(session, "riley@example.com", "rep", west),
        make_user(session, "sam@example.com", "rep", west),
    )


# Each route of people administration, as (method, path, body) for the world.
ROUTES: dict[str, Callable[[World], tuple[str, str, dict[str, Any] | None]]] = {
    "list users": lambda w: ("GET", "/api/v1/users", None),
    "add user": lambda w: (
        "POST",
        "/api/v1/users",
        {"name": "Nia Park", "email": "nia@example.com", "role": "rep", "team_id": str(w.west.id)},
    ),
    "read a user": lambda w: ("GET", f"/api/v1/users/{w.sam.id}", None),
    "change a user": lambda w: ("PATCH", f"/api/v1/users/{w.sam.id}", {"role": "manager"}),
    "change an unknown user": lambda w: ("PATCH", f"/api/v1/users/{uuid.uuid4()}", {"role": "rep"}),
    "reset link": lambda w: ("POST", f"/api/v1/users/{w.sam.id}/reset-link", None),
    "own password": lambda w: (
        "POST",
        "/api/v1/me/password",
        {"old_password": PASSWORD, "new_password": NEW_PASSWORD},
    ),
    "audit log": lambda w: ("GET", "/api/v1/audit", None),
    "list teams": lambda w: ("GET", "/api/v1/teams", None),
    "create team": lambda w: ("POST", "/api/v1/teams", {"name": "North"}),
    "change a team": lambda w: ("PATCH", f"/api/v1/teams/{w.west.id}", {"name": "West Coast"}),
    "change an unknown team": lambda w: ("PATCH", f"/api/v1/teams/{uuid.uuid4()}", {"name": "X"}),
}
# Callers: a rep of the West team, the manager of the East team, an admin.
EXPECTED = {
    "list users": (403, 200, 200),
    "add user": (403, 403, 201),
    "read a user": (403, 404, 200),
    "change a user": (403, 403, 200),
    "change an unknown user": (403, 403, 404),
    "reset link": (403, 403, 201),
    "own password": (204, 204, 204),
    "audit log": (403, 403, 200),
    "list teams": (403, 200, 200),
    "create team": (403, 403, 201),
    "change a team": (403, 403, 200),
    "change an unknown team": (403, 403, 404),
}


@pytest.mark.parametrize("route", list(ROUTES))
def test_route_answers_each_role_as_its_rights_say_when_called(
    client: TestClient, world: World, route: str
) -> None:
    method, path, body = ROUTES[route](world)
    got = []
    for caller in (world.riley, world.east_manager, world.admin):
        headers = bearer(client, caller.email)
        got.append(client.request(method, path, json=body, headers=headers).status_code)
    assert tuple(got) == EXPECTED[route]
    assert client.request(method, path, json=body).status_code == 401


def test_manager_reads_their_own_team_only_when_listing_people(
    client: TestClient, world: World
) -> None:
    headers = bearer(client, world.west_manager.email)
    listed = client.get("/api/v1/users", headers=headers).json()["items"]
    assert sorted(p["email"] for p in listed) == [
        "riley@example.com",
        "sam@example.com",
        "wendy@example.com",
    ]
    assert client.get(f"/api/v1/users/{world.sam.id}", headers=headers).status_code == 200
    assert client.get(f"/api/v1/users/{world.admin.id}", headers=headers).status_code == 404
    everyone = client.get("/api/v1/users", headers=bearer(client, world.admin.email)).json()
    assert len(everyone["items"]) == 5


def _secret(path: str) -> str:
    return path.rsplit("/", 1)[-1]


def test_new_person_signs_in_once_through_their_link_when_an_admin_adds_them(
    client: TestClient, world: World, session: Session
) -> None:
    admin = bearer(client, world.admin.email)
    answer = client.post(
        "/api/v1/users",
        json={
            "name": "Nia Park",
            "email": "Nia@Example.com",
            "role": "rep",
            "team_id": str(world.west.id),
        },
        headers=admin,
    )
    assert answer.status_code == 201, answer.text
    added = answer.json()
    assert added["person"]["email"] == "nia@example.com"
    assert added["person"]["team_name"] == "West"
    assert added["person"]["last_active_at"] is None
    secret = _secret(added["link"]["path"])
    assert added["link"]["path"].startswith("/set-password/")
    # Until the link is used there is no password that opens the account.
    refused = client.post("/api/v1/auth/token", json={"email": "nia@example.com", "password": ""})
    assert refused.status_code in (401, 422)

    now = clock.now()
    assert check_link(session, secret=secret, now=now).name == "Nia Park"
    signed_in = use_link(
        session, secret=secret, password=NEW_PASSWORD, now=now, label="test", device="test"
    )
    session.commit()
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {signed_in.token}"})
    assert me.json()["email"] == "nia@example.com"
    assert bearer(client, "nia@example.com", NEW_PASSWORD)

    with pytest.raises(NotFound, match="already been used"):
        use_link(
            session, secret=secret, password="another fine password 7", now=now, label="", device=""
        )
    session.rollback()
    with pytest.raises(NotFound, match="not valid"):
        check_link(session, secret=secret[:-2], now=now)


def test_link_is_refused_when_72_hours_have_passed_or_a_newer_one_was_made(
    client: TestClient, world: World, session: Session
) -> None:
    admin = bearer(client, world.admin.email)
    first = client.post(f"/api/v1/users/{world.sam.id}/reset-link", headers=admin).json()
    now = clock.now()
    with pytest.raises(NotFound, match="expired"):
        check_link(session, secret=_secret(first["path"]), now=now + timedelta(hours=72))
    second = client.post(f"/api/v1/users/{world.sam.id}/reset-link", headers=admin).json()
    with pytest.raises(NotFound, match="replaced"):
        check_link(session, secret=_secret(first["path"]), now=now)
    assert check_link(session, secret=_secret(second["path"]), now=now).email == "sam@example.com"


def test_weak_password_is_refused_and_the_link_still_works_when_set_through_a_link(
    client: TestClient, world: World, session: Session
) -> None:
    admin = bearer(client, world.admin.email)
    path = client.post(f"/api/v1/users/{world.sam.id}/reset-link", headers=admin).json()["path"]
    with pytest.raises(Invalid, match="at least 12"):
        use_link(
            session, secret=_secret(path), password="short", now=clock.now(), label="", device=""
        )
    session.rollback()
    assert check_link(session, secret=_secret(path), now=clock.now()).name == world.sam.name


def _count(session: Session, table: Any, **where: Any) -> int:
    query = select(func.count()).select_from(table)
    for name, value in where.items():
        query = query.where(col(getattr(table, name)) == value)
    return int(session.exec(query).one())


def test_deactivated_rep_is_shut_out_at_once_and_keeps_their_contacts_when_an_admin_acts(
    client: TestClient, world: World, session: Session
) -> None:
    rep = bearer(client, world.riley.email)
    for n in range(2):
        session.add(
            PushSubscription(
                user_id=world.riley.id,
                endpoint=f"https://push.example.com/{n}",
                p256dh="k",
                auth="a",
                created_at=NOW,
            )
        )
    session.commit()
    for name in ("Dana Reyes", "Omar Haddad"):
        make_contact(session, world.riley, name)
    admin = bearer(client, world.admin.email)
    listed = client.get(f"/api/v1/users/{world.riley.id}", headers=admin).json()
    assert (listed["sessions"], listed["push_devices"]) == (1, 2)

    answer = client.patch(f"/api/v1/users/{world.riley.id}", json={"active": False}, headers=admin)
    assert answer.status_code == 200
    assert answer.json()["active"] is False

    assert client.get("/api/v1/me", headers=rep).status_code == 401
    session.expire_all()
    assert _count(session, PushSubscription, user_id=world.riley.id) == 0
    assert _count(session, Contact, owner_id=world.riley.id) == 2
    refused = client.post(
        "/api/v1/auth/token", json={"email": world.riley.email, "password": PASSWORD}
    )
    assert refused.status_code == 403
    assert "deactivated" in refused.json()["detail"]
    # A guesser without the password learns nothing about the account.
    guessed = client.post(
        "/api/v1/auth/token", json={"email": world.riley.email, "password": "wrong guess 123"}
    )
    assert (guessed.status_code, guessed.json()["detail"]) == (401, "Wrong email or password.")

    back = client.patch(f"/api/v1/users/{world.riley.id}", json={"active": True}, headers=admin)
    assert back.json()["active"] is True
    assert bearer(client, world.riley.email)


def test_admin_cannot_lock_themselves_out_when_changing_their_own_account(
    client: TestClient, world: World
) -> None:
    admin = bearer(client, world.admin.email)
    for change in ({"active": False}, {"role": "rep"}):
        answer = client.patch(f"/api/v1/users/{world.admin.id}", json=change, headers=admin)
        assert answer.status_code == 422
        assert "another admin" in answer.json()["detail"]


def test_role_and_team_change_and_a_bad_team_changes_nothing_when_patched(
    client: TestClient, world: World
) -> None:
    admin = bearer(client, world.admin.email)
    path = f"/api/v1/users/{world.sam.id}"
    moved = client.patch(
        path, json={"role": "manager", "team_id": str(world.east.id)}, headers=admin
    )
    assert (moved.json()["role"], moved.json()["team_name"]) == ("manager", "East")
    bad = client.patch(path, json={"role": "rep", "team_id": str(uuid.uuid4())}, headers=admin)
    assert bad.status_code == 422
    assert client.get(path, headers=admin).json()["role"] == "manager"
    loose = client.patch(path, json={"team_id": None}, headers=admin)
    assert loose.json()["team_id"] is None
    assert client.patch(path, json={"role": "boss"}, headers=admin).status_code == 422


def test_own_password_changes_and_other_sessions_end_when_the_old_one_is_given(
    client: TestClient, world: World
) -> None:
    here = bearer(client, world.riley.email)
    elsewhere = bearer(client, world.riley.email)
    wrong = client.post(
        "/api/v1/me/password",
        json={"old_password": "not it at all", "new_password": NEW_PASSWORD},
        headers=here,
    )
    assert wrong.status_code == 422 and "current password" in wrong.json()["detail"]
    common = client.post(
        "/api/v1/me/password",
        json={"old_password": PASSWORD, "new_password": "password1234"},
        headers=here,
    )
    assert common.status_code == 422 and "lists attackers try" in common.json()["detail"]
    assert client.get("/api/v1/me", headers=elsewhere).status_code == 200

    done = client.post(
        "/api/v1/me/password",
        json={"old_password": PASSWORD, "new_password": NEW_PASSWORD},
        headers=here,
    )
    assert done.status_code == 204
    assert client.get("/api/v1/me", headers=here).status_code == 200
    assert client.get("/api/v1/me", headers=elsewhere).status_code == 401
    assert bearer(client, world.riley.email, NEW_PASSWORD)


def test_team_gets_a_manager_only_when_the_person_is_a_manager(
    client: TestClient, world: World
) -> None:
    admin = bearer(client, world.admin.email)
    made = client.post("/api/v1/teams", json={"name": "  North  "}, headers=admin)
    assert made.status_code == 201 and made.json()["name"] == "North"
    assert client.post("/api/v1/teams", json={"name": "north"}, headers=admin).status_code == 422
    path = f"/api/v1/teams/{made.json()['id']}"
    rep = client.patch(path, json={"manager_id": str(world.sam.id)}, headers=admin)
    assert rep.status_code == 422 and "manager first" in rep.json()["detail"]
    given = client.patch(path, json={"manager_id": str(world.east_manager.id)}, headers=admin)
    assert given.json()["manager_ids"] == [str(world.east_manager.id)]
    # The manager now sees the team they run.
    theirs = client.get("/api/v1/teams", headers=bearer(client, world.east_manager.email)).json()
    assert [team["name"] for team in theirs["items"]] == ["North"]


def test_audit_log_lists_each_action_once_newest_first_without_contact_data_when_read(
    client: TestClient, world: World, session: Session
) -> None:
    contact = make_contact(session, world.riley, "Dana Reyes", email="dana@client.example")
    admin = bearer(
        client,
        world.admin.email,
    )
    client.post("/api/v1/auth/token", json={"email": world.sam.email, "password": "nope nope 1"})
    nia = client.post(
        "/api/v1/users",
        json={"name": "Nia Park", "email": "nia@example.com", "role": "rep"},
        headers={**admin, "User-Agent": "Mozilla/5.0 (X11; Linux x86_64) Firefox/133.0"},
    ).json()["person"]["id"]
    client.patch(f"/api/v1/users/{nia}", json={"team_id": str(world.west.id)}, headers=admin)
    client.post(f"/api/v1/users/{nia}/reset-link", headers=admin)
    client.patch(f"/api/v1/users/{nia}", json={"active": False}, headers=admin)
    client.patch(f"/api/v1/users/{nia}", json={"active": True}, headers=admin)
    client.post(
        "/api/v1/me/password",
        json={"old_password": PASSWORD, "new_password": NEW_PASSWORD},
        headers=admin,
    )

    entries = client.get("/api/v1/audit", headers=admin).json()["items"]
    actions = [entry["action"] for entry in entries]
    assert actions == [
        "password_changed",
        "person_reactivated",
        "person_deactivated",
        "reset_link_issued",
        "person_changed",
        "person_added",
        "sign_in_failed",
        "sign_in",
    ]
    added = entries[actions.index("person_added")]
    assert (added["actor_name"], added["object_name"]) == ("Admin", "Nia Park")
    assert added["device"] == "Firefox on Linux"
    assert entries[actions.index("sign_in_failed")]["object_id"] == str(world.sam.id)
    assert contact.name not in str(entries) and "dana@client.example" not in str(entries)

    about_nia = client.get("/api/v1/audit", params={"person": nia}, headers=admin).json()["items"]
    assert len(about_nia) == 5
    failed = client.get("/api/v1/audit", params={"action": "sign_in_failed"}, headers=admin)
    assert [entry["object_id"] for entry in failed.json()["items"]] == [str(world.sam.id)]
