"""A client-chosen id already in use answers the same whoever's object holds it."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from crm_pwa import clock
from crm_pwa.db.contact import Contact
from crm_pwa.domain.days import local_day
from crm_pwa.domain.sync import NOTE_ID_TAKEN
from crm_pwa.services.errors import ID_TAKEN
from tests.utils.factories import bearer, make_contact, make_user

API = "/api/v1"
REP = "riley@example.com"
OTHER_REP = "sam@example.com"


class Reps:
    def __init__(self, client: TestClient, session: Session) -> None:
        rep = make_user(session, REP)
        other = make_user(session, OTHER_REP)
        self.mine = make_contact(session, rep, "Dana Reyes")
        self.theirs = make_contact(session, other, "Ola Berg")
        self.also_mine = make_contact(session, rep, "Lee Park")
        self.client = client
        self.rep = bearer(client, REP)
        self.other = bearer(client, OTHER_REP)

    def post(self, path: str, headers: dict[str, str], json: dict[str, Any]) -> tuple[int, Any]:
        answer = self.client.post(f"{API}{path}", json=json, headers=headers)
        return answer.status_code, answer.json()


@pytest.fixture
def reps(client: TestClient, session: Session) -> Reps:
    return Reps(client, session)


def test_contact_id_answers_alike_when_it_is_yours_or_someone_elses(reps: Reps) -> None:
    own = reps.post("/contacts", reps.rep, {"id": str(reps.mine.id), "name": "Kim"})
    foreign = reps.post("/contacts", reps.rep, {"id": str(reps.theirs.id), "name": "Kim"})
    assert own == foreign == (409, {"detail": ID_TAKEN})


def test_opportunity_id_answers_alike_when_it_is_yours_or_someone_elses(reps: Reps) -> None:
    def add(contact: Contact, headers: dict[str, str], opportunity_id: str) -> tuple[int, Any]:
        body = {"id": opportunity_id, "title": "Fleet renewal", "stage": "lead"}
        return reps.post(f"/contacts/{contact.id}/opportunities", headers, body)

    own_id, foreign_id = str(uuid.uuid4()), str(uuid.uuid4())
    assert add(reps.mine, reps.rep, own_id)[0] == 201
    assert add(reps.theirs, reps.other, foreign_id)[0] == 201
    own = add(reps.also_mine, reps.rep, own_id)
    foreign = add(reps.also_mine, reps.rep, foreign_id)
    assert own == foreign == (409, {"detail": ID_TAKEN})


def _note(contact: Contact, note_id: str, follow_up_id: str) -> dict[str, Any]:
    return {
        "id": note_id,
        "contact_id": str(contact.id),
        "kind": "call",
        "occurred_at": (clock.now() - timedelta(hours=1)).isoformat(),
        "summary": "Asked for the quote.",
        "follow_up": {
            "id": follow_up_id,
            "due_on": (local_day(clock.now(), "UTC") + timedelta(days=7)).isoformat(),
            "title": "Send the quote",
        },
    }


def _outcome(reps: Reps, item: dict[str, Any]) -> tuple[str, str]:
    status, body = reps.post("/sync", reps.rep, {"interactions": [item]})
    assert status == 200
    result = body["results"][0]
    return result["status"], result["error"]


def test_synced_ids_answer_alike_when_they_are_yours_or_someone_elses(reps: Reps) -> None:
    own_follow_up = str(uuid.uuid4())
    their_note, their_follow_up = str(uuid.uuid4()), str(uuid.uuid4())
    reps.post(
        "/sync", reps.rep, {"interactions": [_note(reps.mine, str(uuid.uuid4()), own_follow_up)]}
    )
    reps.post(
        "/sync", reps.other, {"interactions": [_note(reps.theirs, their_note, their_follow_up)]}
    )
    # Another rep's note id: refused in words that say nothing of whose note it is.
    # (The caller's own id with other content is a `conflict`: the caller wrote it.)
    foreign = _outcome(reps, _note(reps.also_mine, their_note, str(uuid.uuid4())))
    assert foreign == ("rejected", NOTE_ID_TAKEN)
    own = _outcome(reps, _note(reps.also_mine, str(uuid.uuid4()), own_follow_up))
    foreign = _outcome(reps, _note(reps.also_mine, str(uuid.uuid4()), their_follow_up))
    # A taken follow-up id never costs its note, whoever's follow-up holds it.
    assert own == foreign == ("created", None)
