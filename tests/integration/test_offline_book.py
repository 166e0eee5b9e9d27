"""GET /api/v1/book: the whole book once, then only what changed, removals included."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlmodel import Session

from crm_pwa.db.contact import Contact
from crm_pwa.domain.book import digest
from crm_pwa.services.offline_book import BookPage
from tests.utils.factories import bearer, make_user

API = "/api/v1"
REP = "riley@example.com"
OTHER = "sam@example.com"


def _book(client: TestClient, headers: dict[str, str], cursor: str | None = None, limit: int = 2):
    """Follows the cursor through one pass: (cards by id, removed ids, pages, last page)."""
    cards: dict[str, dict[str, Any]] = {}
    removed: list[str] = []
    pages = 0
    while True:
        params: dict[str, Any] = {"limit": limit}
        if cursor:
            params["cursor"] = cursor
        answer = client.get(f"{API}/book", params=params, headers=headers)
        assert answer.status_code == 200, answer.text
        page = answer.json()
        # The answer is what the documented schema says it is.
        BookPage.model_validate(page)
        pages += 1
        cards.update({card["id"]: card for card in page["items"]})
        removed += page["removed"]
        cursor = page["next_cursor"]
        if not page["more"]:
            return cards, removed, pages, page


def _add(client: TestClient, headers: dict[str, str], name: str, **fields: Any) -> str:
    answer = client.post(f"{API}/contacts", json={"name": name, **fields}, headers=headers)
    assert answer.status_code == 201, answer.text
    return str(answer.json()["id"])


def _note(client: TestClient, headers: dict[str, str], contact_id: str, summary: str, **more: Any):
    note = {
        "id": str(uuid.uuid4()),
        "contact_id": contact_id,
        "kind": "meeting",
        "occurred_at": datetime.now(UTC).isoformat(),
        "summary": summary,
        **more,
    }
    answer = client.post(f"{API}/sync", json={"interactions": [note]}, headers=headers)
    assert answer.json()["results"][0]["status"] == "created", answer.text


def test_book_carries_the_whole_card_and_then_only_what_changed(
    client: TestClient, session: Session, clock_file: Path
) -> None:
    make_user(session, REP, name="Riley Chen")
    sam = make_user(session, OTHER, name="Sam Okoye")
    rep, other = bearer(client, REP), bearer(client, OTHER)
    dana = _add(
        client,
        rep,
        "Dana Reyes",
        connection_notes="Collects vintage vinyl",
        address="1 Harbour St, Wellington",
        phone="+1 415 555 0100",
    )
    omar = _add(client, rep, "Omar Haddad")
    kim = _add(client, rep, "Kim Lee")
    theirs = _add(client, other, "Not Riley's")
    for n in range(22):
        _note(client, rep, dana, f"Visit number {n}")
    soon = (datetime.now(UTC) + timedelta(days=30)).date().isoformat()
    _note(
        client,
        rep,
        dana,
        "Long " + "x" * 2000,
        follow_up={"due_on": soon, "title": "Send the quote"},
    )
    complaint = client.post(
        f"{API}/contacts/{dana}/complaints", json={"summary": "Late van"}, headers=rep
    )
    assert complaint.status_code == 201, complaint.text
    deal = client.post(
        f"{API}/contacts/{dana}/opportunities", json={"title": "Fleet deal"}, headers=rep
    )
    assert deal.status_code == 201, deal.text

    cards, removed, pages, last = _book(client, rep)
    assert set(cards) == {dana, omar, kim} and removed == [] and pages == 2
    card = cards[dana]
    assert card["connection_notes"] == "Collects vintage vinyl"
    assert card["address"] == "1 Harbour St, Wellington"
    assert [f["title"] for f in card["follow_ups"]] == ["Send the quote"]
    assert [c["summary"] for c in card["complaints"]] == ["Late van"]
    assert [o["title"] for o in card["opportunities"]] == ["Fleet deal"]
    assert len(card["timeline"]) == 20
    assert [e["at"] for e in card["timeline"]] == sorted(
        (e["at"] for e in card["timeline"]), reverse=True
    )
    # Notes and what came of them (events have no direction), the newest nearly whole.
    assert {e["direction"] is None for e in card["timeline"]} == {True, False}
    long_note = next(e for e in card["timeline"] if e["summary"].startswith("Long "))
    assert len(long_note["summary"]) == 500 and long_note["summary"].endswith("…")
    assert max(len(e["summary"]) for e in card["timeline"][3:]) <= 120
    assert last["digest"] == digest(uuid.UUID(i).int for i in cards)
    assert last["time_zone"]

    # A day later: one note, one complaint resolved, one erase, one contact handed over.
    clock_file.write_text("1")
    _note(client, rep, omar, "Coffee at the depot")
    resolved = client.post(
        f"{API}/complaints/{complaint.json()['id']}/resolve",
        json={"resolution": "Refunded"},
        headers=rep,
    )
    assert resolved.status_code == 200, resolved.text
    assert client.delete(f"{API}/contacts/{kim}", headers=rep).status_code == 204
    assert client.delete(f"{API}/contacts/{theirs}", headers=other).status_code == 204
    # A pass resends what changed in the 30 s before the previous one began
    # (a change may commit after the pass read); the next refresh is a day on.
    clock_file.write_text("2")
    changed, removed, _, again = _book(client, rep, last["next_cursor"])
    assert set(changed) == {omar, dana}
    assert changed[omar]["timeline"][0]["summary"] == "Coffee at the depot"
    assert changed[dana]["complaints"] == []
    # Another rep's erase is none of this phone's business.
    assert removed == [kim]
    assert again["digest"] == digest([uuid.UUID(dana).int, uuid.UUID(omar).int])

    # Nothing changed: nothing travels.
    clock_file.write_text("3")
    quiet, removed, pages, _ = _book(client, rep, again["next_cursor"])
    assert (quiet, removed, pages) == ({}, [], 1)

    # Handed to another rep (no route does it yet; a manager's tool would): the digest
    # no longer matches what the phone holds, so the phone compares ids.
    handed = session.get(Contact, uuid.UUID(omar))
    assert handed is not None
    handed.owner_id = sam.id
    session.commit()
    _, _, _, after = _book(client, rep, again["next_cursor"])
    assert after["digest"] == digest([uuid.UUID(dana).int]) != again["digest"]


def test_book_refuses_a_stranger_and_a_forged_cursor(client: TestClient, session: Session) -> None:
    make_user(session, REP)
    rep = bearer(client, REP)
    assert client.get(f"{API}/book").status_code == 401
    answer = client.get(f"{API}/book", params={"cursor": "bm90IGEgY3Vyc29y"}, headers=rep)
    assert answer.status_code == 422
    assert "cursor" in answer.text
    assert client.get(f"{API}/book", params={"limit": 0}, headers=rep).status_code == 422


def test_book_travels_gzipped_to_a_caller_that_takes_it(
    client: TestClient, session: Session
) -> None:
    make_user(session, REP)
    rep = bearer(client, REP)
    _add(client, rep, "Dana Whitfield", connection_notes="Collects vinyl. " * 20)
    zipped = client.get(f"{API}/book", headers={**rep, "Accept-Encoding": "gzip, br"})
    plain = client.get(f"{API}/book", headers={**rep, "Accept-Encoding": "identity"})
    refused = client.get(f"{API}/book", headers={**rep, "Accept-Encoding": "gzip;q=0"})
    assert zipped.headers["content-encoding"] == "gzip"
    assert "content-encoding" not in plain.headers
    assert "content-encoding" not in refused.headers
    # The same book either way (the cursor's time aside), and the gzipped one smaller.
    assert zipped.json()["items"] == plain.json()["items"]
    assert zipped.json()["items"][0]["connection_notes"].startswith("Collects vinyl.")
    assert int(zipped.headers["content-length"]) < int(plain.headers["content-length"])
