"""The offline book: every card the rep may see, for reading with no signal.

A phone downloads the whole book once, then asks for what changed since (the
cursor of crm_pwa/domain/book.py). A card changes when its contact's
`updated_at` moves, which every service that changes something the card shows
does (notes and follow-ups through contact_updates, edits, complaints,
opportunities, merges). Contacts that leave the book travel as ids in `removed`:
those erased or merged away since the last refresh (from the audit trail). Any
other way a contact can leave (handed to another rep, a rep moved out of a
manager's team) shows up as a different `digest` of the visible ids, and the
phone then compares its ids with GET /contacts/ids once.
"""

from __future__ import annotations

import json
import uuid
from collections import defaultdict
from datetime import date, datetime
from typing import Any

from pydantic import BaseModel
from pydantic_core import to_json
from sqlmodel import Session

from crm_pwa.db import offline_book as rows
from crm_pwa.db.contact import Contact
from crm_pwa.domain import book as rules
from crm_pwa.domain.timeline import describe
from crm_pwa.services.actor import Actor, visible_owner_ids
from crm_pwa.services.contacts import ContactPublic, public_contacts
from crm_pwa.services.errors import Invalid

DEFAULT_PAGE = 500
MAX_PAGE = 1000
BAD_CURSOR = "That book cursor is not valid; refresh the whole book (no cursor)."


class BookFollowUp(BaseModel):
    id: uuid.UUID
    title: str
    due_on: date
    status: str
    snooze_until: date | None


class BookComplaint(BaseModel):
    id: uuid.UUID
    summary: str
    opened_at: datetime


class BookOpportunity(BaseModel):
    id: uuid.UUID
    title: str
    stage: str
    amount: str | None
    expected_close: date | None


class BookHistory(BaseModel):
    """One timeline entry: a note, or (direction null) what came of one, as the card says it."""

    at: datetime
    kind: str
    direction: str | None
    sentiment: str | None
    # The newest five cut at 500 characters, older ones at 160.
    summary: str
    author: str


class BookCard(ContactPublic):
    follow_ups: list[BookFollowUp]
    complaints: list[BookComplaint]
    opportunities: list[BookOpportunity]
    # Newest first, at most 20.
    timeline: list[BookHistory]


class BookPage(BaseModel):
    items: list[BookCard]
    # Contacts erased or merged away since the cursor's time: drop them.
    removed: list[uuid.UUID]
    # Call again with it: at once while `more`, else at the next refresh.
    next_cursor: str
    more: bool
    # The server's time the pass began: the book is current as of then.
    as_of: datetime
    # The rep's zone, to say "as of" in it.
    time_zone: str
    # On the last page of a pass: "<count>:<xor of ids>" of every visible contact.
    digest: str | None


def book_page(
    *, session: Session, actor: Actor, cursor: str | None, limit: int, now: datetime
) -> dict[str, Any]:
    """One page of the book, as plain data shaped as `BookPage` (tests hold it to it).

    Plain data serialised in pydantic's core (`book_json`): validating or building
    100,000 timeline entries as models would be most of a full download's time.
    """
    if not 1 <= limit <= MAX_PAGE:
        raise Invalid(f"Limit must be between 1 and {MAX_PAGE}.", "limit")
    try:
        at = rules.start_pass(None if cursor is None else rules.decode_cursor(cursor), now)
    except rules.BadBookCursor as error:
        raise Invalid(BAD_CURSOR, "cursor") from error
    owners = visible_owner_ids(session, actor)
    connection = session.connection()
    ids = rows.changed_ids(connection, owners, at.since, at.after, limit)
    removed: list[uuid.UUID] = []
    if at.since is not None and at.after is None:
        removed = _gone(session, owners, at.since)
    more = len(ids) == limit
    following = rules.BookCursor(at.since, ids[-1], at.started) if more else at.next_pass()
    return {
        "items": _cards(session, ids),
        "removed": removed,
        "next_cursor": following.encode(),
        "more": more,
        "as_of": at.started,
        "time_zone": actor.time_zone,
        "digest": None if more else rules.digest(rows.visible_numbers(connection, owners)),
    }


def book_json(page: dict[str, Any]) -> bytes:
    return to_json(page)


def _gone(session: Session, owners: list[uuid.UUID] | None, since: datetime) -> list[uuid.UUID]:
    allowed = None if owners is None else {str(owner) for owner in owners}
    gone: list[uuid.UUID] = []
    for object_id, detail in rows.gone_since(session.connection(), since):
        # Only contacts this rep could have had: ids of other people's contacts stay home.
        if allowed is None or detail.get("owner_id") in allowed:
            gone.append(uuid.UUID(object_id))
    return sorted(set(gone))


def _cards(session: Session, ids: list[uuid.UUID]) -> list[dict[str, Any]]:
    """The page's cards as plain data, shaped as `BookCard`."""
    if not ids:
        return []
    connection = session.connection()
    follow_ups: dict[uuid.UUID, list[dict[str, Any]]] = defaultdict(list)
    for row in rows.open_follow_ups(connection, ids):
        follow_ups[row["contact_id"]].append(dict(row))
    complaints: dict[uuid.UUID, list[dict[str, Any]]] = defaultdict(list)
    for row in rows.open_complaints(connection, ids):
        complaints[row["contact_id"]].append(dict(row))
    opportunities: dict[uuid.UUID, list[dict[str, Any]]] = defaultdict(list)
    for row in rows.open_opportunities(connection, ids):
        amount = row["amount"]
        opportunities[row["contact_id"]].append(
            {**row, "amount": None if amount is None else f"{amount:.2f}"}
        )
    history = _history(session, ids)
    return [
        {
            **contact.model_dump(),
            "follow_ups": follow_ups[contact.id],
            "complaints": complaints[contact.id],
            "opportunities": opportunities[contact.id],
            "timeline": history.get(contact.id.int, []),
        }
        for contact in public_contacts(session, ids)
    ]


def _history(session: Session, ids: list[uuid.UUID]) -> dict[int, list[dict[str, Any]]]:
    """The latest 20 timeline entries of each contact (by `uuid.int`), newest first.

    The database merges, ranks and dates them (one query for the page); only the
    words of events and the clipping are the domain's."""
    history: dict[int, list[dict[str, Any]]] = {}
    entries: list[dict[str, Any]] = []
    last: Any = None
    for (
        contact,
        place,
        at,
        kind,
        direction,
        sentiment,
        summary,
        detail,
        author,
    ) in rows.latest_history(session.connection(), ids, rules.TIMELINE_SIZE):
        if contact != last:
            entries = history[rows.raw_key(contact)] = []
            last = contact
        if detail is not None:
            summary = describe(kind, json.loads(detail))
        entries.append(
            {
                "at": at,
                "kind": kind,
                "direction": direction,
                "sentiment": sentiment,
                "summary": rules.clip(summary, place - 1),
                "author": author,
            }
        )
    return history


def card_changed(session: Session, contact_id: uuid.UUID, now: datetime) -> None:
    """Something the card shows changed besides the contact's own fields (a complaint,
    an opportunity): its `updated_at` moves so the next book refresh sends the card."""
    contact = session.get(Contact, contact_id)
    if contact is not None:
        contact.updated_at = now
        session.add(contact)
