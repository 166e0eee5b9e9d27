"""The contact list: find contacts by words or filters, a page at a time."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel
from sqlmodel import Session, col, select

from crm_pwa.db.contact import Contact
from crm_pwa.db.contact_pages import BadCursor, ContactFilter, list_contacts
from crm_pwa.db.contact_search import Whose, find_contact_ids
from crm_pwa.domain import contact_rules as rules
from crm_pwa.domain.input_rules import check_moment, check_text
from crm_pwa.domain.search import lead_first, parse_query
from crm_pwa.services.actor import Actor, visible_owner_ids, visible_team
from crm_pwa.services.contacts import ContactPublic, public_contacts
from crm_pwa.services.errors import Forbidden, Invalid

MAX_PAGE = 100
BAD_CURSOR = "That page cursor is not valid; start again from the first page."


class ContactPage(BaseModel):
    items: list[ContactPublic]
    next_cursor: str | None


def search_contacts(
    *,
    session: Session,
    actor: Actor,
    q: str = "",
    kind: str | None = None,
    tier: str | None = None,
    band: str | None = None,
    limit: int = 20,
    cursor: str | None = None,
    updated_since: datetime | None = None,
    owner: uuid.UUID | None = None,
) -> ContactPage:
    """Best match first when `q` is given, else by name; `cursor` continues a page.

    `owner` narrows to one person's contacts, someone the actor may see: a manager
    looking at one rep's book.
    """
    try:
        check_text("q", q)
        filters = _filters(kind=kind, tier=tier, band=band, updated_since=updated_since)
    except rules.RuleError as error:
        raise Invalid(error.message, error.field) from error
    if not 1 <= limit <= MAX_PAGE:
        raise Invalid(f"Limit must be between 1 and {MAX_PAGE}.", "limit")
    try:
        if q.strip():
            whose = _whose(session, actor, owner)
            words = lead_first(parse_query(q))
            ids, next_cursor = find_contact_ids(session, whose, words, filters, limit, cursor)
        else:
            owners = _narrowed(visible_owner_ids(session, actor), owner)
            ids, next_cursor = list_contacts(session, owners, filters, limit, cursor)
    except BadCursor as error:
        raise Invalid(BAD_CURSOR, "cursor") from error
    return ContactPage(items=public_contacts(session, ids), next_cursor=next_cursor)


def _whose(session: Session, actor: Actor, owner: uuid.UUID | None) -> Whose:
    """A manager's whole team is searched by the team, inside the search's own
    statements: listing its people first would cost a round trip of its own."""
    team = visible_team(actor)
    if owner is None and team is not None:
        return Whose(team=team)
    return Whose(owners=_narrowed(visible_owner_ids(session, actor), owner))


def _narrowed(owners: list[uuid.UUID] | None, owner: uuid.UUID | None) -> list[uuid.UUID] | None:
    if owner is None:
        return owners
    if owners is not None and owner not in owners:
        raise Forbidden("You may list the contacts of your own team only.")
    return [owner]


def _filters(
    *, kind: str | None, tier: str | None, band: str | None, updated_since: datetime | None
) -> ContactFilter:
    if updated_since is not None and updated_since.tzinfo is None:
        raise rules.RuleError("updated_since", "Give updated_since with a time zone offset.")
    if updated_since is not None:
        check_moment("updated_since", updated_since)
    return ContactFilter(
        kind=None if kind is None else rules.clean_kind(kind),
        tier=None if tier is None else rules.clean_tier(tier),
        band=None if band is None else rules.clean_band(band),
        updated_since=updated_since,
    )


def visible_contact_ids(*, session: Session, actor: Actor) -> list[uuid.UUID]:
    """Every contact id the actor may see: the offline contact book drops the others."""
    query = select(Contact.id)
    owners = visible_owner_ids(session, actor)
    if owners is not None:
        query = query.where(col(Contact.owner_id).in_(owners))
    return list(session.exec(query.order_by(col(Contact.id))).all())


def has_contacts(*, session: Session, actor: Actor) -> bool:
    """Whether the caller sees any contact: an empty book offers the import instead."""
    query = select(Contact.id)
    owners = visible_owner_ids(session, actor)
    if owners is not None:
        query = query.where(col(Contact.owner_id).in_(owners))
    return session.exec(query.limit(1)).first() is not None
