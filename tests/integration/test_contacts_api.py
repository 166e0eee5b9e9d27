"""The contact routes of the API: add, read, change, erase, timeline, complaints, opportunities."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func
from sqlmodel import Session, SQLModel, select

from crm_pwa.db.audit import AuditEvent
from crm_pwa.db.contact import Contact, ContactSearchTerm
from crm_pwa.db.health import HealthSnapshot
from crm_pwa.db.interaction import Complaint, FollowUp, Interaction, Opportunity
from tests.conftest import Database
from tests.utils.factories import NOW, bearer, make_user

API = "/api/v1"
REP = "riley@example.com"
# Signing in writes these; everything else must stay as it was after a refused request.
_SIGN_IN_TABLES = {"authtoken", "signinfailure"}


def table_rows(db: Database) -> dict[str, list[str]]:
    """Every row of every table but the sign-in ones, to prove a request changed nothing."""
    with db.engine.connect() as connection:
        return {
            table.name: sorted(repr(tuple(row)) for row in connection.execute(table.select()))
            for table in SQLModel.metadata.sorted_tables
            if table.name not in _SIGN_IN_TABLES
        }


@pytest.fixture
def rep_headers(client: TestClient, session: Session) -> dict[str, str]:
    make_user(session, REP, name="Riley Chen")
    return bearer(client, REP)


def add_contact(client: TestClient, headers: dict[str, str], **fields: Any) -> dict[str, Any]:
    answer = client.post(f"{API}/contacts", json={"name": "Dana Reyes", **fields}, headers=headers)
    assert answer.status_code == 201, answer.text
    body: dict[str, Any] = answer.json()
    return body


def test_contact_is_stored_normalised_when_created(
    client: TestClient, rep_headers: dict[str, str], session: Session
) -> None:
    body = add_contact(
        client,
        rep_headers,
        name="  Dana Reyes ",
        company="Acme Logistics",
        kind="prospect",
        tier="high",
        rhythm_days=14,
        phone="(415) 555-0100",
        email="dana@acme.example",
        tags=["vip", " VIP ", "renewal"],
        connection_notes="Chases storms",
    )
    assert body["name"] == "Dana Reyes"
    assert body["phone"] == "+14155550100" and body["phone_digits"] == "14155550100"
    assert body["tags"] == ["vip", "renewal"]
    assert body["kind"] == "prospect" and body["tier"] == "high" and body["rhythm_days"] == 14
    assert body["health"] == {
        "score": None,
        "band": "new",
        "reasons": ["No interaction logged yet"],
    }
    assert body["open_follow_ups"] == 0
    read = client.get(f"{API}/contacts/{body['id']}", headers=rep_headers)
    assert read.status_code == 200 and read.json() == body
    stored = session.get(Contact, uuid.UUID(body["id"]))
    assert stored is not None and stored.owner_id == uuid.UUID(body["owner_id"])


def test_contact_keeps_the_client_id_when_one_is_given(
    client: TestClient, rep_headers: dict[str, str]
) -> None:
    chosen = str(uuid.uuid4())
    assert add_contact(client, rep_headers, id=chosen)["id"] == chosen
    again = client.post(
        f"{API}/contacts", json={"id": chosen, "name": "Someone Else"}, headers=rep_headers
    )
    assert again.status_code == 409
    assert client.get(f"{API}/contacts/{chosen}", headers=rep_headers).json()["name"] == (
        "Dana Reyes"
    )


def test_only_sent_fields_change_when_a_contact_is_patched(
    client: TestClient, rep_headers: dict[str, str]
) -> None:
    created = add_contact(client, rep_headers, company="Acme", tier="low", rhythm_days=45)
    answer = client.patch(
        f"{API}/contacts/{created['id']}",
        json={"title": "CFO", "phone": "+44 20 7946 0958", "rhythm_days": None},
        headers=rep_headers,
    )
    assert answer.status_code == 200
    body = answer.json()
    assert body["title"] == "CFO" and body["company"] == "Acme"
    assert body["phone"] == "+442079460958"
    assert body["rhythm_days"] is None and body["effective_rhythm_days"] == 90
    found = client.get(f"{API}/contacts", params={"q": "cfo"}, headers=rep_headers).json()
    assert [item["id"] for item in found["items"]] == [created["id"]]


BAD_NEW_CONTACTS = [
    ({"name": "   "}, "name"),
    ({"connection_notes": "x" * 10_001}, "connection notes"),
    ({"kind": "friend"}, "Kind"),
    ({"tier": "urgent"}, "Tier"),
    ({"rhythm_days": 0}, "Rhythm"),
    ({"rhythm_days": 366}, "Rhythm"),
    ({"email": "not-an-address"}, "email"),
    ({"phone": "call me maybe"}, "phone"),
    ({"tags": [f"tag{n}" for n in range(21)]}, "tags"),
    ({"tags": ["x" * 41]}, "over 40"),
    ({"company": "c" * 201}, "company"),
]


def test_bad_contact_is_refused_with_422_and_nothing_stored_when_created(
    client: TestClient, rep_headers: dict[str, str], db: Database
) -> None:
    before = table_rows(db)
    for fields, field in BAD_NEW_CONTACTS:
        answer = client.post(
            f"{API}/contacts", json={"name": "Dana Reyes", **fields}, headers=rep_headers
        )
        assert answer.status_code == 422, fields
        assert field.lower() in answer.json()["detail"].lower(), fields
    assert table_rows(db) == before


BAD_CHANGES = [
    {"name": ""},
    {"name": None},
    {"connection_notes": "x" * 10_001},
    {"kind": "enemy"},
    {"tier": None},
    {"tags": "vip"},
    {"rhythm_days": "weekly"},
]


def test_bad_change_is_refused_and_the_contact_untouched_when_patched(
    client: TestClient, rep_headers: dict[str, str], db: Database
) -> None:
    created = add_contact(client, rep_headers, company="Acme")
    before = table_rows(db)
    for fields in BAD_CHANGES:
        answer = client.patch(f"{API}/contacts/{created['id']}", json=fields, headers=rep_headers)
        assert answer.status_code == 422, fields
        assert answer.json()["detail"], fields
    assert table_rows(db) == before


def test_malformed_json_is_refused_when_creating_a_contact(
    client: TestClient, rep_headers: dict[str, str], db: Database
) -> None:
    before = table_rows(db)
    answer = client.post(
        f"{API}/contacts",
        content=b'{"name": "Dana',
        headers={**rep_headers, "content-type": "application/json"},
    )
    assert answer.status_code == 422
    assert table_rows(db) == before


def test_unknown_contact_id_gets_404_on_every_contact_route(
    client: TestClient, rep_headers: dict[str, str], db: Database
) -> None:
    before = table_rows(db)
    for raw in (str(uuid.uuid4()), "not-a-uuid"):
        for method, path, body in (
            ("GET", f"/contacts/{raw}", None),
            ("PATCH", f"/contacts/{raw}", {"name": "X"}),
            ("DELETE", f"/contacts/{raw}", None),
            ("GET", f"/contacts/{raw}/timeline", None),
            ("POST", f"/contacts/{raw}/complaints", {"summary": "Late"}),
            ("POST", f"/contacts/{raw}/opportunities", {"title": "Deal"}),
            ("POST", f"/complaints/{raw}/resolve", {"resolution": "Done"}),
            ("PATCH", f"/opportunities/{raw}", {"stage": "won"}),
        ):
            answer = client.request(method, f"{API}{path}", json=body, headers=rep_headers)
            assert answer.status_code == 404, (method, path)
            assert "not found" in answer.json()["detail"]
    assert table_rows(db) == before


def test_timeline_shows_history_newest_first_when_the_contact_has_some(
    client: TestClient, rep_headers: dict[str, str], session: Session
) -> None:
    created = add_contact(client, rep_headers)
    contact_id = uuid.UUID(created["id"])
    rep = session.exec(select(Contact.owner_id).where(Contact.id == contact_id)).one()
    now = datetime.now(UTC)
    for days, summary in ((10, "Older call"), (1, "Newer visit")):
        session.add(
            Interaction(
                contact_id=contact_id,
                author_id=rep,
                kind="call",
                occurred_at=now - timedelta(days=days),
                summary=summary,
                sentiment="positive",
                created_at=now,
            )
        )
    session.add(
        FollowUp(
            contact_id=contact_id,
            owner_id=rep,
            title="Send the quote",
            due_on=(now - timedelta(days=2)).date(),
            changed_at=now,
            created_at=now,
        )
    )
    session.add(
        FollowUp(
            contact_id=contact_id,
            owner_id=rep,
            title="Already sent",
            due_on=(now - timedelta(days=5)).date(),
            status="done",
            changed_at=now,
            created_at=now,
        )
    )
    session.commit()
    answer = client.get(f"{API}/contacts/{contact_id}/timeline", headers=rep_headers)
    assert answer.status_code == 200
    body = answer.json()
    assert set(body) == {
        "contact",
        "interactions",
        "open_follow_ups",
        "complaints",
        "opportunities",
        "events",
        "currency",
        "owner_name",
    }
    # Whose contact it is, by name, for a manager reading the card.
    assert body["owner_name"] == "Riley Chen"
    # The demo-less test team never chose a currency: the documented default.
    assert body["currency"] == "USD"
    assert [item["summary"] for item in body["interactions"]] == ["Newer visit", "Older call"]
    assert body["interactions"][0]["author_name"] == "Riley Chen"
    assert [(item["title"], item["overdue"]) for item in body["open_follow_ups"]] == [
        ("Send the quote", True)
    ]
    assert body["contact"]["open_follow_ups"] == 1


def test_complaint_is_flagged_stale_when_open_for_more_than_two_days(
    client: TestClient,
    rep_headers: dict[str, str],
    clock_file: Path,
) -> None:
    contact_id = add_contact(client, rep_headers)["id"]
    logged = client.post(
        f"{API}/contacts/{contact_id}/complaints",
        json={"summary": "  Double billed  "},
        headers=rep_headers,
    )
    assert logged.status_code == 201
    assert logged.json()["summary"] == "Double billed" and logged.json()["resolved_at"] is None
    timeline = f"{API}/contacts/{contact_id}/timeline"
    clock_file.write_text("2")
    assert client.get(timeline, headers=rep_headers).json()["complaints"][0]["stale"] is False
    clock_file.write_text("3")
    assert client.get(timeline, headers=rep_headers).json()["complaints"][0]["stale"] is True


def test_complaint_is_resolved_once_when_a_resolution_is_given(
    client: TestClient, rep_headers: dict[str, str], db: Database
) -> None:
    contact_id = add_contact(client, rep_headers)["id"]
    complaint = client.post(
        f"{API}/contacts/{contact_id}/complaints", json={"summary": "Late"}, headers=rep_headers
    ).json()
    resolve = f"{API}/complaints/{complaint['id']}/resolve"
    before = table_rows(db)
    assert client.post(resolve, json={"resolution": "  "}, headers=rep_headers).status_code == 422
    assert client.post(resolve, json={}, headers=rep_headers).status_code == 422
    assert table_rows(db) == before
    answer = client.post(resolve, json={"resolution": "Credited"}, headers=rep_headers)
    assert answer.status_code == 200
    assert answer.json()["resolution"] == "Credited" and answer.json()["resolved_at"]
    again = client.post(resolve, json={"resolution": "Twice"}, headers=rep_headers)
    assert again.status_code == 409
    card = client.get(f"{API}/contacts/{contact_id}/timeline", headers=rep_headers).json()
    assert card["complaints"][0]["resolution"] == "Credited"
    assert card["complaints"][0]["stale"] is False


def test_complaint_is_refused_when_empty_or_over_ten_thousand_characters(
    client: TestClient, rep_headers: dict[str, str], db: Database
) -> None:
    contact_id = add_contact(client, rep_headers)["id"]
    before = table_rows(db)
    for summary in ("", "x" * 10_001):
        answer = client.post(
            f"{API}/contacts/{contact_id}/complaints",
            json={"summary": summary},
            headers=rep_headers,
        )
        assert answer.status_code == 422
    assert table_rows(db) == before


def test_open_complaint_lowers_health_when_logged(
    client: TestClient, rep_headers: dict[str, str], session: Session
) -> None:
    contact_id = uuid.UUID(add_contact(client, rep_headers)["id"])
    owner = session.exec(select(Contact.owner_id).where(Contact.id == contact_id)).one()
    now = datetime.now(UTC)
    session.add(
        Interaction(
            contact_id=contact_id,
            author_id=owner,
            kind="call",
            occurred_at=now - timedelta(days=1),
            summary="Call",
            sentiment="positive",
            created_at=now,
        )
    )
    session.commit()
    # A change of tier rescores the contact with the interaction now on record.
    scored = client.patch(
        f"{API}/contacts/{contact_id}", json={"tier": "high"}, headers=rep_headers
    )
    before = scored.json()["health"]["score"]
    assert before is not None
    client.post(
        f"{API}/contacts/{contact_id}/complaints", json={"summary": "Late"}, headers=rep_headers
    )
    after = client.get(f"{API}/contacts/{contact_id}", headers=rep_headers).json()["health"]
    assert after["score"] < before


def test_prospect_becomes_a_customer_when_an_opportunity_is_won(
    client: TestClient, rep_headers: dict[str, str], session: Session
) -> None:
    contact_id = add_contact(client, rep_headers, kind="prospect")["id"]
    created = client.post(
        f"{API}/contacts/{contact_id}/opportunities",
        json={"title": "New site", "amount": "12500.5", "expected_close": "2027-01-31"},
        headers=rep_headers,
    )
    assert created.status_code == 201
    opportunity = created.json()
    assert opportunity["stage"] == "lead" and opportunity["amount"] == "12500.50"
    contact_url = f"{API}/contacts/{contact_id}"
    assert client.get(contact_url, headers=rep_headers).json()["kind"] == "prospect"
    won = client.patch(
        f"{API}/opportunities/{opportunity['id']}", json={"stage": "won"}, headers=rep_headers
    )
    assert won.status_code == 200 and won.json()["stage"] == "won"
    assert client.get(contact_url, headers=rep_headers).json()["kind"] == "customer"
    card = client.get(f"{contact_url}/timeline", headers=rep_headers).json()
    assert card["opportunities"] == [
        {
            "id": opportunity["id"],
            "title": "New site",
            "stage": "won",
            "amount": "12500.50",
            "expected_close": "2027-01-31",
        }
    ]
    audit = session.exec(
        select(AuditEvent).where(AuditEvent.action == "contact.kind_changed")
    ).one()
    assert audit.object_id == contact_id and audit.detail["to"] == "customer"


def test_partner_keeps_its_kind_when_an_opportunity_is_won(
    client: TestClient, rep_headers: dict[str, str]
) -> None:
    contact_id = add_contact(client, rep_headers, kind="partner")["id"]
    client.post(
        f"{API}/contacts/{contact_id}/opportunities",
        json={"title": "Co-sell", "stage": "won"},
        headers=rep_headers,
    )
    assert client.get(f"{API}/contacts/{contact_id}", headers=rep_headers).json()["kind"] == (
        "partner"
    )


BAD_OPPORTUNITIES = [
    {"title": ""},
    {"title": "Deal", "stage": "closed"},
    {"title": "Deal", "amount": "-5"},
    {"title": "Deal", "amount": "lots"},
    {"title": "Deal", "expected_close": "next Tuesday"},
    {"title": "Deal", "expected_close": "2027-02-30"},
]


def test_bad_opportunity_is_refused_and_nothing_stored_when_created(
    client: TestClient, rep_headers: dict[str, str], db: Database
) -> None:
    contact_id = add_contact(client, rep_headers, kind="prospect")["id"]
    before = table_rows(db)
    for body in BAD_OPPORTUNITIES:
        answer = client.post(
            f"{API}/contacts/{contact_id}/opportunities", json=body, headers=rep_headers
        )
        assert answer.status_code == 422, body
        assert answer.json()["detail"], body
    assert table_rows(db) == before


def test_bad_stage_change_is_refused_and_the_prospect_kept_when_patched(
    client: TestClient, rep_headers: dict[str, str], db: Database
) -> None:
    contact_id = add_contact(client, rep_headers, kind="prospect")["id"]
    opportunity = client.post(
        f"{API}/contacts/{contact_id}/opportunities", json={"title": "Deal"}, headers=rep_headers
    ).json()
    before = table_rows(db)
    for body in ({"stage": "WON"}, {"title": None}, {"amount": "1e400"}):
        answer = client.patch(
            f"{API}/opportunities/{opportunity['id']}", json=body, headers=rep_headers
        )
        assert answer.status_code == 422, body
    assert table_rows(db) == before


def test_erase_removes_the_contact_and_all_its_history_when_deleted(
    client: TestClient, rep_headers: dict[str, str], session: Session
) -> None:
    keep = add_contact(client, rep_headers, name="Kept Contact")
    gone = add_contact(client, rep_headers, name="Gone Person", phone="4155550100")
    gone_id = uuid.UUID(gone["id"])
    owner = uuid.UUID(gone["owner_id"])
    interaction = Interaction(
        contact_id=gone_id,
        author_id=owner,
        kind="visit",
        occurred_at=NOW,
        summary="Talked about her divorce",
        created_at=NOW,
    )
    session.add(interaction)
    session.flush()
    session.add(
        FollowUp(
            contact_id=gone_id,
            owner_id=owner,
            interaction_id=interaction.id,
            title="Call back",
            due_on=NOW.date(),
            changed_at=NOW,
            created_at=NOW,
        )
    )
    session.add(
        HealthSnapshot(
            contact_id=gone_id,
            owner_id=owner,
            week="2026-W48",
            tier="medium",
            band="new",
            created_at=NOW,
        )
    )
    session.commit()
    client.post(f"{API}/contacts/{gone_id}/complaints", json={"summary": "x"}, headers=rep_headers)
    client.post(
        f"{API}/contacts/{gone_id}/opportunities", json={"title": "Deal"}, headers=rep_headers
    )

    assert client.delete(f"{API}/contacts/{gone_id}", headers=rep_headers).status_code == 204

    assert client.get(f"{API}/contacts/{gone_id}", headers=rep_headers).status_code == 404
    session.expire_all()
    for table in (Interaction, FollowUp, Complaint, Opportunity, HealthSnapshot, ContactSearchTerm):
        count = session.exec(
            select(func.count()).select_from(table).where(table.contact_id == gone_id)
        ).one()
        assert count == 0, table.__name__
    assert session.get(Contact, uuid.UUID(keep["id"])) is not None
    audit = session.exec(select(AuditEvent).where(AuditEvent.action == "contact.erased")).one()
    assert audit.object_id == str(gone_id)
    assert "Gone" not in repr(audit.detail) and "divorce" not in repr(audit.detail)
    found = client.get(f"{API}/contacts", params={"q": "gone"}, headers=rep_headers).json()
    assert found["items"] == []


def test_ids_lists_every_visible_contact_when_asked(
    client: TestClient, rep_headers: dict[str, str]
) -> None:
    made = {add_contact(client, rep_headers, name=f"Person {n}")["id"] for n in range(3)}
    answer = client.get(f"{API}/contacts/ids", headers=rep_headers)
    assert answer.status_code == 200
    assert set(answer.json()["ids"]) == made


def test_contacts_are_listed_by_name_and_filtered_when_no_query_is_given(
    client: TestClient, rep_headers: dict[str, str]
) -> None:
    add_contact(client, rep_headers, name="Cara", tier="low", kind="supplier")
    add_contact(client, rep_headers, name="Abe", tier="high")
    add_contact(client, rep_headers, name="Bo", tier="high", kind="supplier")
    listed = client.get(f"{API}/contacts", headers=rep_headers).json()
    assert [item["name"] for item in listed["items"]] == ["Abe", "Bo", "Cara"]
    assert listed["next_cursor"] is None
    high = client.get(f"{API}/contacts", params={"tier": "high"}, headers=rep_headers).json()
    assert [item["name"] for item in high["items"]] == ["Abe", "Bo"]
    supplier_high = client.get(
        f"{API}/contacts", params={"tier": "high", "kind": "supplier"}, headers=rep_headers
    ).json()
    assert [item["name"] for item in supplier_high["items"]] == ["Bo"]
    new = client.get(f"{API}/contacts", params={"band": "new"}, headers=rep_headers).json()
    assert len(new["items"]) == 3
    strong = client.get(f"{API}/contacts", params={"band": "strong"}, headers=rep_headers)
    assert strong.json()["items"] == []


BAD_LIST_PARAMETERS = [
    {"kind": "friend"},
    {"tier": "top"},
    {"band": "great"},
    {"limit": 0},
    {"limit": 101},
    {"limit": "ten"},
    {"cursor": "bm90LWEtY3Vyc29y"},
    {"cursor": "%%%"},
    {"updated_since": "yesterday"},
    {"updated_since": "2026-11-23T12:00:00"},
]


def test_contact_list_is_refused_with_422_when_a_parameter_is_wrong(
    client: TestClient, rep_headers: dict[str, str]
) -> None:
    for params in BAD_LIST_PARAMETERS:
        answer = client.get(f"{API}/contacts", params=params, headers=rep_headers)
        assert answer.status_code == 422, params
        assert answer.json()["detail"], params


def test_only_changed_contacts_are_listed_when_updated_since_is_given(
    client: TestClient,
    rep_headers: dict[str, str],
    clock_file: Path,
) -> None:
    add_contact(client, rep_headers, name="Old")
    changed = add_contact(client, rep_headers, name="Changed")
    clock_file.write_text("1")
    since = (datetime.now(UTC) + timedelta(hours=12)).isoformat()
    client.patch(f"{API}/contacts/{changed['id']}", json={"title": "CFO"}, headers=rep_headers)
    answer = client.get(f"{API}/contacts", params={"updated_since": since}, headers=rep_headers)
    assert [item["name"] for item in answer.json()["items"]] == ["Changed"]


def test_routes_refuse_with_401_when_no_token_is_sent(client: TestClient, db: Database) -> None:
    for method, path in (
        ("GET", "/contacts"),
        ("GET", "/contacts/ids"),
        ("POST", "/contacts"),
        ("GET", f"/contacts/{uuid.uuid4()}"),
        ("GET", f"/contacts/{uuid.uuid4()}/timeline"),
    ):
        assert client.request(method, f"{API}{path}").status_code == 401, path
