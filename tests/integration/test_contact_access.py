"""Who may see and change which contacts: reps their own, managers their team's, admins all."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from tests.conftest import Database
from tests.integration.test_contacts_api import API, add_contact, table_rows
from tests.utils.factories import bearer, make_team, make_user


@dataclass
class Org:
    headers: dict[str, dict[str, str]]
    ids: dict[str, str]
    # Contact id per owner: "a" and "b" are reps of West, "c" of East.
    contact: dict[str, str]
    complaint: dict[str, str]
    opportunity: dict[str, str]


@pytest.fixture
def org(client: TestClient, session: Session) -> Org:
    west, east = make_team(session, "West"), make_team(session, "East")
    people = {
        "a": make_user(session, "a@example.com", "rep", west),
        "b": make_user(session, "b@example.com", "rep", west),
        "c": make_user(session, "c@example.com", "rep", east),
        "west_manager": make_user(session, "wm@example.com", "manager", west),
        "admin": make_user(session, "admin@example.com", "admin"),
    }
    headers = {key: bearer(client, user.email) for key, user in people.items()}
    org = Org(headers, {k: str(u.id) for k, u in people.items()}, {}, {}, {})
    for rep in ("a", "b", "c"):
        contact = add_contact(
            client, headers[rep], name=f"Client Of{rep.upper()}", kind="prospect", company="Acme"
        )
        org.contact[rep] = contact["id"]
        org.complaint[rep] = client.post(
            f"{API}/contacts/{contact['id']}/complaints", json={"summary": "Late"}, **_h(org, rep)
        ).json()["id"]
        org.opportunity[rep] = client.post(
            f"{API}/contacts/{contact['id']}/opportunities", json={"title": "Deal"}, **_h(org, rep)
        ).json()["id"]
    return org


def _h(org: Org, who: str) -> dict[str, Any]:
    return {"headers": org.headers[who]}


def _routes(org: Org, owner: str) -> list[tuple[str, str, dict[str, Any] | None]]:
    contact = org.contact[owner]
    return [
        ("GET", f"/contacts/{contact}", None),
        ("PATCH", f"/contacts/{contact}", {"name": "Taken Over"}),
        ("GET", f"/contacts/{contact}/timeline", None),
        ("POST", f"/contacts/{contact}/complaints", {"summary": "Sneaky"}),
        ("POST", f"/contacts/{contact}/opportunities", {"title": "Sneaky deal"}),
        ("POST", f"/complaints/{org.complaint[owner]}/resolve", {"resolution": "Closed"}),
        ("PATCH", f"/opportunities/{org.opportunity[owner]}", {"stage": "won"}),
        ("DELETE", f"/contacts/{contact}", None),
    ]


def _names(client: TestClient, org: Org, who: str, **params: Any) -> set[str]:
    answer = client.get(f"{API}/contacts", params=params, **_h(org, who))
    assert answer.status_code == 200
    return {item["name"] for item in answer.json()["items"]}


@pytest.mark.parametrize(("who", "owner"), [("a", "b"), ("a", "c"), ("west_manager", "c")])
def test_foreign_contact_is_404_and_untouched_on_every_route_when_not_visible(
    client: TestClient, org: Org, db: Database, who: str, owner: str
) -> None:
    before = table_rows(db)
    for method, path, body in _routes(org, owner):
        answer = client.request(method, f"{API}{path}", json=body, **_h(org, who))
        assert answer.status_code == 404, (method, path, answer.text)
        assert "not found" in answer.json()["detail"]
    assert table_rows(db) == before
    ids = client.get(f"{API}/contacts/ids", **_h(org, who)).json()["ids"]
    assert org.contact[owner] not in ids


def test_rep_finds_only_their_own_contacts_when_searching_or_listing(
    client: TestClient, org: Org
) -> None:
    assert _names(client, org, "a") == {"Client OfA"}
    assert _names(client, org, "a", q="client") == {"Client OfA"}
    assert _names(client, org, "a", q="acme") == {"Client OfA"}
    assert client.get(f"{API}/contacts/ids", **_h(org, "a")).json()["ids"] == [org.contact["a"]]


def test_manager_sees_and_changes_the_team_but_not_another_team_when_signed_in(
    client: TestClient, org: Org
) -> None:
    assert _names(client, org, "west_manager") == {"Client OfA", "Client OfB"}
    assert _names(client, org, "west_manager", q="of") == {"Client OfA", "Client OfB"}
    ids = set(client.get(f"{API}/contacts/ids", **_h(org, "west_manager")).json()["ids"])
    assert ids == {org.contact["a"], org.contact["b"]}
    for method, path, body in _routes(org, "b"):
        answer = client.request(method, f"{API}{path}", json=body, **_h(org, "west_manager"))
        assert answer.status_code in (200, 201, 204), (method, path, answer.text)


def test_admin_sees_every_contact_when_signed_in(client: TestClient, org: Org) -> None:
    assert _names(client, org, "admin", q="client") == {"Client OfA", "Client OfB", "Client OfC"}
    for method, path, body in _routes(org, "c"):
        answer = client.request(method, f"{API}{path}", json=body, **_h(org, "admin"))
        assert answer.status_code in (200, 201, 204), (method, path, answer.text)


def test_contact_is_assigned_only_within_the_team_when_an_owner_is_given(
    client: TestClient, org: Org, db: Database
) -> None:
    assigned = client.post(
        f"{API}/contacts",
        json={"name": "Handed Over", "owner_id": org.ids["b"]},
        **_h(org, "west_manager"),
    )
    assert assigned.status_code == 201 and assigned.json()["owner_id"] == org.ids["b"]
    assert "Handed Over" in _names(client, org, "b")
    before = table_rows(db)
    for who, owner in (("west_manager", "c"), ("a", "b"), ("a", "west_manager")):
        answer = client.post(
            f"{API}/contacts", json={"name": "Sneaky", "owner_id": org.ids[owner]}, **_h(org, who)
        )
        assert answer.status_code == 422, (who, owner)
    unknown = client.post(
        f"{API}/contacts", json={"name": "Ghost", "owner_id": str(uuid.uuid4())}, **_h(org, "admin")
    )
    assert unknown.status_code == 422
    assert table_rows(db) == before
