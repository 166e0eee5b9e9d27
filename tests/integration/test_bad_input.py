"""Every route refuses, in words, text and dates no field may hold, and changes nothing.

Text with a lone surrogate (sent as a JSON escape, as a broken client does), a
NUL character or a bidirectional override, and dates outside 1900-2100, each
in every text or date input of every route: 422 with the API's usual `detail`
list naming the field, never a 500 and never a stored row.
"""

from __future__ import annotations

import json
import uuid
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlmodel import Session, SQLModel

from crm_pwa import clock
from crm_pwa.domain.days import local_day
from tests.conftest import Database
from tests.utils.factories import PASSWORD, bearer, make_contact, make_user

API = "/api/v1"
REP = "riley@example.com"
# Rows every authenticated request touches (token last use, sign-in failures).
VOLATILE_TABLES = {"authtoken", "signinfailure", "auditevent"}

# Short, to fit every field's length limit: the character is what is refused.
BAD_TEXT = {
    "lone surrogate": "a\ud800",
    "NUL": "a\x00",
    "right-to-left override": "a\u202e",
    "direction isolate": "a\u2067",
}
# A URL cannot carry a lone surrogate: percent-encoded bytes decode to U+FFFD.
BAD_QUERY_TEXT = {key: value for key, value in BAD_TEXT.items() if key != "lone surrogate"}
BAD_DAYS = ["0001-01-01", "1899-12-31", "2101-01-01", "9999-12-31"]
BAD_MOMENTS = [
    "0001-01-01T00:00:00+01:00",
    "0001-01-01T00:30:00+01:00",
    "1899-12-31T23:59:59+00:00",
    "9999-12-31T23:59:59-01:00",
]


class World:
    def __init__(self, client: TestClient, session: Session) -> None:
        self.rep = make_user(session, REP)
        self.contact = make_contact(session, self.rep, "Dana Reyes")
        self.headers = bearer(client, REP)
        due = (local_day(clock.now(), "UTC") + timedelta(days=3)).isoformat()
        self.complaint = self._post(
            client, f"/contacts/{self.contact.id}/complaints", {"summary": "Late delivery"}
        )
        self.opportunity = self._post(
            client, f"/contacts/{self.contact.id}/opportunities", {"title": "Renewal"}
        )
        self.follow_up = self._post(
            client, f"/contacts/{self.contact.id}/follow-ups", {"title": "Call back", "due_on": due}
        )

    def _post(self, client: TestClient, path: str, payload: dict[str, Any]) -> str:
        answer = client.post(API + path, json=payload, headers=self.headers)
        assert answer.status_code == 201, answer.text
        identifier: str = answer.json()["id"]
        return identifier


@pytest.fixture
def world(client: TestClient, session: Session) -> World:
    return World(client, session)


# (method, path, where, field, what, the rest of a valid input)
Case = tuple[str, str, str, str, str, dict[str, Any]]
SUBSCRIPTION = {
    "endpoint": "https://fcm.googleapis.com/fcm/send/abc",
    "keys": {"p256dh": "B" * 87, "auth": "A" * 22},
}
REMINDERS = {
    "reminder_time": "09:00",
    "quiet_start": "20:00",
    "quiet_end": "08:00",
    "time_zone": "Europe/London",
}
CONTACT_TEXT = ["name", "company", "title", "kind", "tier", "phone", "email", "address"]
CASES: list[Case] = [
    ("POST", "/auth/token", "body", "email", "text", {"email": REP, "password": PASSWORD}),
    ("POST", "/auth/token", "body", "password", "text", {"email": REP, "password": PASSWORD}),
    *[("GET", "/contacts", "query", field, "text", {}) for field in ("q", "cursor", "kind")],
    *[("GET", "/contacts", "query", field, "text", {}) for field in ("tier", "band")],
    ("GET", "/contacts", "query", "updated_since", "moment", {}),
    *[("POST", "/contacts", "body", field, "text", {"name": "Ana"}) for field in CONTACT_TEXT],
    ("POST", "/contacts", "body", "connection_notes", "text", {"name": "Ana"}),
    ("POST", "/contacts", "body", "tags.0", "text", {"name": "Ana", "tags": ["x"]}),
    *[("PATCH", "/contacts/{contact}", "body", field, "text", {}) for field in CONTACT_TEXT],
    ("PATCH", "/contacts/{contact}", "body", "connection_notes", "text", {}),
    ("PATCH", "/contacts/{contact}", "body", "tags.0", "text", {"tags": ["x"]}),
    ("POST", "/contacts/{contact}/complaints", "body", "summary", "text", {}),
    ("POST", "/complaints/{complaint}/resolve", "body", "resolution", "text", {}),
    ("POST", "/contacts/{contact}/opportunities", "body", "title", "text", {}),
    ("POST", "/contacts/{contact}/opportunities", "body", "stage", "text", {"title": "Deal"}),
    ("POST", "/contacts/{contact}/opportunities", "body", "expected_close", "day", {"title": "D"}),
    ("PATCH", "/opportunities/{opportunity}", "body", "title", "text", {}),
    ("PATCH", "/opportunities/{opportunity}", "body", "stage", "text", {}),
    ("PATCH", "/opportunities/{opportunity}", "body", "expected_close", "day", {}),
    ("GET", "/follow-ups", "query", "status", "text", {}),
    ("GET", "/follow-ups", "query", "due_before", "day", {}),
    ("PATCH", "/follow-ups/{follow_up}", "body", "status", "text", {}),
    ("PATCH", "/follow-ups/{follow_up}", "body", "snooze_until", "day", {"status": "snoozed"}),
    ("PATCH", "/follow-ups/{follow_up}", "body", "due_on", "day", {}),
    ("PATCH", "/follow-ups/{follow_up}", "body", "changed_at", "moment", {"status": "done"}),
    ("POST", "/contacts/{contact}/follow-ups", "body", "title", "text", {"due_on": "2026-12-01"}),
    ("POST", "/contacts/{contact}/follow-ups", "body", "due_on", "day", {"title": "Call"}),
    ("POST", "/push/subscriptions", "body", "endpoint", "text", SUBSCRIPTION),
    ("POST", "/push/subscriptions", "body", "keys.p256dh", "text", SUBSCRIPTION),
    ("POST", "/push/subscriptions", "body", "keys.auth", "text", SUBSCRIPTION),
    ("DELETE", "/push/subscriptions", "body", "endpoint", "text", {}),
    *[("PUT", "/push/reminder-settings", "body", field, "text", REMINDERS) for field in REMINDERS],
    ("GET", "/health/team", "query", "week", "text", {}),
]


def _with(valid: dict[str, Any], field: str, value: str) -> dict[str, Any]:
    payload = json.loads(json.dumps(valid))
    *parents, last = field.split(".")
    target: Any = payload
    for part in parents:
        target = target.setdefault(part, {})
    if isinstance(target, list):
        target[int(last)] = value
    else:
        target[last] = value
    return payload


def _bad_values(where: str, what: str) -> list[str]:
    if what == "day":
        return BAD_DAYS
    if what == "moment":
        return BAD_MOMENTS
    return list((BAD_QUERY_TEXT if where == "query" else BAD_TEXT).values())


def _everything(db: Database) -> dict[str, list[tuple[Any, ...]]]:
    with db.engine.connect() as connection:
        return {
            table.name: sorted(map(tuple, connection.execute(sa.select(table))), key=repr)
            for table in SQLModel.metadata.sorted_tables
            if table.name not in VOLATILE_TABLES
        }


def _send(client: TestClient, world: World, case: Case, value: str) -> tuple[int, dict[str, Any]]:
    method, path, where, field, _what, valid = case
    url = API + path.format(
        contact=world.contact.id,
        complaint=world.complaint,
        opportunity=world.opportunity,
        follow_up=world.follow_up,
    )
    headers = dict(world.headers)
    if where == "query":
        answer = client.request(method, url, params={field: value}, headers=headers)
    else:
        # ensure_ascii: a lone surrogate travels as the escape `\ud800`, as broken clients send it
        content = json.dumps(_with(valid, field, value), ensure_ascii=True)
        headers["Content-Type"] = "application/json"
        answer = client.request(method, url, content=content, headers=headers)
    return answer.status_code, answer.json()


ROUTES = sorted({(case[0], case[1]) for case in CASES})


@pytest.mark.parametrize("route", ROUTES, ids=" ".join)
def test_route_refuses_in_words_and_changes_nothing_when_a_text_or_date_is_unusable(
    client: TestClient, world: World, db: Database, route: tuple[str, str]
) -> None:
    before = _everything(db)
    for case in [case for case in CASES if (case[0], case[1]) == route]:
        _method, _path, where, field, what, _valid = case
        for value in _bad_values(where, what):
            status, answer = _send(client, world, case, value)

            assert status == 422, (field, value, answer)
            assert isinstance(answer["detail"], list) and answer["detail"], answer
            problem = answer["detail"][0]
            assert problem["loc"][0] == where
            assert [str(part) for part in problem["loc"][1:]] == field.split("."), answer
            words = problem["msg"]
            if what == "text":
                reasons = ("NUL character", "broken character", "reverses the text direction")
                assert any(reason in words for reason in reasons), (field, words)
            else:
                assert "between 1900 and 2100" in words, (field, words)
    assert _everything(db) == before


def test_contact_with_a_nul_in_its_name_is_refused_by_the_service_forms_use(
    world: World, session: Session
) -> None:
    from crm_pwa.services.actor import Actor
    from crm_pwa.services.contact_editing import ContactUpdate, update_contact
    from crm_pwa.services.errors import Invalid

    # The form builds its model without validation, as a Reflex handler may.
    changes = ContactUpdate.model_construct(name="Dana \x00 Reyes")
    changes.model_fields_set.add("name")
    with pytest.raises(Invalid, match="NUL character"):
        update_contact(
            session=session,
            actor=Actor.of(world.rep),
            contact_id=world.contact.id,
            contact_in=changes,
            now=clock.now(),
        )


def test_good_text_with_emoji_and_right_to_left_script_is_stored_unchanged(
    client: TestClient, world: World
) -> None:
    name = "مرحبا 👋 Dana"
    answer = client.post(f"{API}/contacts", json={"name": name}, headers=world.headers)
    assert answer.status_code == 201, answer.text
    assert answer.json()["name"] == name
    found = client.get(
        f"{API}/contacts",
        params={"updated_since": "2026-01-01T00:00:00+14:00"},
        headers=world.headers,
    )
    assert found.status_code == 200
    assert name in [item["name"] for item in found.json()["items"]]
    assert uuid.UUID(answer.json()["id"])
