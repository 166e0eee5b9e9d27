"""/api/v1/invitations as a phone or a script calls it: who may ask, and what they get."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient

from crm_pwa import clock
from tests.conftest import Database
from tests.utils.factories import bearer, make_contact, make_team, make_user


def _setup(db: Database) -> dict[str, str]:
    with db.session() as session:
        team = make_team(session)
        rep = make_user(session, "riley@example.com", team=team, name="Riley Chen")
        make_user(session, "morgan@example.com", role="manager", team=team)
        make_user(session, "sam@example.com")
        ana = make_contact(session, rep, "Ana Ito", email="ana@example.com", tier="high")
        ben = make_contact(session, rep, "Ben Ode", email="", tier="high")
        return {"ana": str(ana.id), "ben": str(ben.id), "rep": str(rep.id)}


def _body(**changes: object) -> dict[str, object]:
    body: dict[str, object] = {
        "kind": "event",
        "title": "Roadshow",
        "message": "Hi {first_name}",
        "starts_at": (clock.now() + timedelta(days=7)).isoformat(),
        "place": "Hall 2",
        "filters": {"tier": "high"},
    }
    return body | changes


def test_a_rep_invites_sends_by_hand_and_marks_attendance_through_the_api(
    db: Database, client: TestClient
) -> None:
    ids = _setup(db)
    riley = bearer(client, "riley@example.com")
    created = client.post("/api/v1/invitations", json=_body(), headers=riley)
    assert created.status_code == 201, created.text
    invitation = created.json()["invitation"]["id"]
    assert [g["name"] for g in created.json()["excluded"]] == ["Ben Ode"]
    assert created.json()["excluded"][0]["reason_words"] == "No e-mail address"
    base = f"/api/v1/invitations/{invitation}"
    refused = client.post(
        f"{base}/guests/{ids['ben']}/include", json={"confirm": True}, headers=riley
    )
    assert refused.status_code == 409
    sent = client.post(f"{base}/send", headers=riley)
    assert sent.status_code == 202 and sent.json()["channel"] == "mailto"
    guest = f"{base}/guests/{ids['ana']}"
    assert client.post(f"{guest}/sent", headers=riley).status_code == 200
    answer = client.patch(guest, json={"status": "accepted"}, headers=riley)
    assert answer.json()["status"] == "accepted"
    assert client.patch(guest, json={"status": "maybe"}, headers=riley).status_code == 422
    came = client.post(f"{base}/attended", json={"contact_ids": [ids["ana"]]}, headers=riley)
    assert came.status_code == 200 and came.json()["follow_ups"][0]["name"] == "Ana Ito"
    results = client.get(f"{base}/results", headers=riley).json()
    assert (results["invited"], results["attended"], results["excluded_by_reason"]) == (
        1,
        1,
        {"no_email": 1},
    )
    morgan = bearer(client, "morgan@example.com")
    team = client.get("/api/v1/invitations/results", headers=morgan).json()
    assert {r["name"]: r["results"]["attended"] for r in team}["Riley Chen"] == 1


def test_only_the_team_may_see_an_invitation_and_nobody_without_signing_in(
    db: Database, client: TestClient
) -> None:
    ids = _setup(db)
    riley = bearer(client, "riley@example.com")
    invitation = client.post("/api/v1/invitations", json=_body(), headers=riley).json()
    base = f"/api/v1/invitations/{invitation['invitation']['id']}"
    sam = bearer(client, "sam@example.com")
    assert client.get(f"{base}/preview", headers=sam).status_code == 404
    assert client.post(f"{base}/send", headers=sam).status_code == 404
    assert client.get("/api/v1/invitations/not-an-id", headers=sam).status_code == 404
    assert client.get(f"{base}/preview").status_code == 401
    stranger = _body(filters={"owner_id": ids["rep"]})
    assert client.post("/api/v1/invitations", json=stranger, headers=sam).status_code == 403
    morgan = bearer(client, "morgan@example.com")
    assert client.get(f"{base}/preview", headers=morgan).status_code == 200
    assert client.get("/api/v1/invitations", headers=sam).json() == []


def test_bad_invitations_are_refused_in_words_and_nothing_is_stored(
    db: Database, client: TestClient
) -> None:
    _setup(db)
    riley = bearer(client, "riley@example.com")
    typo = client.post("/api/v1/invitations", json=_body(message="Hi {firstname}"), headers=riley)
    assert typo.status_code == 422 and "Unknown placeholder {firstname}" in typo.text
    undated = client.post("/api/v1/invitations", json=_body(starts_at=None), headers=riley)
    assert undated.status_code == 422 and "needs a date" in undated.text
    assert client.get("/api/v1/invitations", headers=riley).json() == []
