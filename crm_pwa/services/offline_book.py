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
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from operator import itemgetter
from typing import Any

import orjson
from pydantic import BaseModel
from sqlalchemy import ColumnElement
from sqlalchemy.engine import Connection
from sqlmodel import Session

from crm_pwa.db import offline_book as rows
from crm_pwa.db.contact import Contact
from crm_pwa.domain import book as rules
from crm_pwa.domain.timeline import describe
from crm_pwa.services.actor import Actor, visible_owner_ids
from crm_pwa.services.contacts import ContactPublic, public_fields
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


# One timeline entry, a note or (direction null) what came of one, as the card says it:
# [at, kind, direction, sentiment, author, summary], an array rather than an object, as
# the phone keeps it (the keys would travel 100,000 times in a full book). The summary
# of the three newest is cut at 500 characters, of the older ones at 120.
BookHistory = tuple[datetime, str, str | None, str | None, str, str]


class BookCard(ContactPublic):
    follow_ups: list[BookFollowUp]
    complaints: list[BookComplaint]
    opportunities: list[BookOpportunity]
    # Newest first, at most 20: [at, kind, direction, sentiment, author, summary] each.
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

    Plain data, serialised by `book_json`: validating or building 100,000 timeline
    entries as models would be most of a full download's time.
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
        "items": _cards(connection, rows.page_of(connection, ids)) if ids else [],
        "removed": removed,
        "next_cursor": following.encode(),
        "more": more,
        "as_of": at.started,
        "time_zone": actor.time_zone,
        "digest": None if more else rules.digest(rows.visible_numbers(connection, owners)),
    }


def book_json(page: dict[str, Any]) -> bytes:
    """The page as JSON, byte for byte as pydantic writes a `BookPage` (UTC as "Z"), in
    orjson: twice as fast on the 24 MB of a full book."""
    return orjson.dumps(page, option=orjson.OPT_UTC_Z)


def _gone(session: Session, owners: list[uuid.UUID] | None, since: datetime) -> list[uuid.UUID]:
    allowed = None if owners is None else {str(owner) for owner in owners}
    gone: list[uuid.UUID] = []
    for object_id, detail in rows.gone_since(session.connection(), since):
        # Only contacts this rep could have had: ids of other people's contacts stay home.
        if allowed is None or detail.get("owner_id") in allowed:
            gone.append(uuid.UUID(object_id))
    return sorted(set(gone))


def _cards(connection: Connection, page: ColumnElement[bool]) -> list[dict[str, Any]]:
    """The page's cards as plain data, shaped as `BookCard`."""
    follow_ups = _by_contact(rows.open_follow_ups(connection, page))
    complaints = _by_contact(rows.open_complaints(connection, page))
    opportunities = _by_contact(
        {**row, "amount": None if row["amount"] is None else f"{row['amount']:.2f}"}
        for row in rows.open_opportunities(connection, page)
    )
    history = _history(connection, page)
    cards = []
    for contact in rows.contacts(connection, page):
        contact_id = contact["id"]
        open_follow_ups = follow_ups.get(contact_id, [])
        cards.append(
            {
                **public_fields(contact, len(open_follow_ups)),
                "follow_ups": open_follow_ups,
                "complaints": complaints.get(contact_id, []),
                "opportunities": opportunities.get(contact_id, []),
                "timeline": history.get(contact_id.int, []),
            }
        )
    return cards


def _by_contact(found: Iterable[Mapping[Any, Any]]) -> dict[uuid.UUID, list[dict[str, Any]]]:
    """Rows of a page grouped by their `contact_id` (which stays behind)."""
    grouped: dict[uuid.UUID, list[dict[str, Any]]] = defaultdict(list)
    for row in found:
        item = dict(row)
        grouped[item.pop("contact_id")].append(item)
    return grouped


def _history(connection: Connection, page: ColumnElement[bool]) -> dict[int, list[list[Any]]]:
    """The latest 20 timeline entries of each contact (by `uuid.int`), newest first (at
    the same instant notes before events), as `BookHistory` arrays.

    The database picks each contact's newest notes and events and dates them (one query
    for each, for the whole page); here they are merged, events put into words and
    summaries clipped."""
    size = rules.TIMELINE_SIZE
    # Events shaped as the rows of notes: (contact, at, at as text, author, kind,
    # direction, sentiment, summary).
    events: dict[Any, list[tuple[Any, ...]]] = defaultdict(list)
    for contact, at, text, author, kind, detail in rows.latest_events(connection, page, size):
        words = describe(kind, json.loads(detail))
        events[contact].append((contact, at, text, author, kind, None, None, words))
    notes: dict[Any, list[Any]] = defaultdict(list)
    for note in rows.latest_notes(connection, page, size):
        notes[note[0]].append(note)
    history: dict[int, list[list[Any]]] = {}
    for contact in notes.keys() | events.keys():
        entries = notes.get(contact, []) + events.get(contact, [])
        # A stable sort: on the same instant notes, listed first, stay before events.
        entries.sort(key=itemgetter(1), reverse=True)
        history[rows.raw_key(contact)] = [
            [text, kind, direction, sentiment, author, rules.clip(summary, place)]
            for place, (_, _, text, author, kind, direction, sentiment, summary) in enumerate(
                entries[:size]
            )
        ]
    return history


def card_changed(session: Session, contact_id: uuid.UUID, now: datetime) -> None:
    """Something the card shows changed besides the contact's own fields (a complaint,
    an opportunity): its `updated_at` moves so the next book refresh sends the card."""
    contact = session.get(Contact, contact_id)
    if contact is not None:
        contact.updated_at = now
        session.add(contact)
