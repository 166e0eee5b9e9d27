"""What both ways of paging through the contact list share (by typed words in
db/contact_search.py, by name here): the filter, the page cursors, and the
browse by name itself."""

from __future__ import annotations

import base64
import binascii
import json
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, String, Uuid, bindparam, literal, tuple_
from sqlmodel import Session, col, select

from crm_pwa.db.columns import UTCDateTime
from crm_pwa.db.contact import Contact

Found = tuple[list[uuid.UUID], str | None]


class BadCursor(ValueError):
    """A page cursor this module did not make."""


@dataclass(frozen=True, slots=True)
class ContactFilter:
    """Already validated narrowing of a list or a search; None means any."""

    kind: str | None = None
    tier: str | None = None
    band: str | None = None
    updated_since: datetime | None = None

    def shape(self) -> tuple[bool, bool, bool, bool]:
        return (
            self.kind is not None,
            self.tier is not None,
            self.band is not None,
            self.updated_since is not None,
        )

    def params(self) -> dict[str, Any]:
        values = {
            "kind": self.kind,
            "tier": self.tier,
            "band": self.band,
            "updated_since": self.updated_since,
        }
        return {name: value for name, value in values.items() if value is not None}


def filter_conditions(shape: tuple[bool, bool, bool, bool]) -> list[ColumnElement[bool]]:
    kind, tier, band, updated_since = shape
    conditions: list[ColumnElement[bool]] = []
    if kind:
        conditions.append(col(Contact.kind) == bindparam("kind", type_=String()))
    if tier:
        conditions.append(col(Contact.tier) == bindparam("tier", type_=String()))
    if band:
        conditions.append(col(Contact.health_band) == bindparam("band", type_=String()))
    if updated_since:
        conditions.append(
            col(Contact.updated_at) >= bindparam("updated_since", type_=UTCDateTime())
        )
    return conditions


def list_contacts(
    session: Session,
    owners: list[uuid.UUID] | None,
    narrow: ContactFilter,
    limit: int,
    cursor: str | None,
) -> Found:
    page = select(col(Contact.id), col(Contact.name)).where(*filter_conditions(narrow.shape()))
    if owners is not None:
        page = page.where(col(Contact.owner_id).in_(owners))
    if cursor:
        name, after = decode_cursor(cursor, "name", 2)
        page = page.where(
            tuple_(col(Contact.name), col(Contact.id))
            > tuple_(literal(name), literal(after, Uuid()))
        )
    rows = session.exec(
        page.order_by(col(Contact.name), col(Contact.id)).limit(limit + 1),
        params=narrow.params(),
    ).all()
    next_cursor = None
    if len(rows) > limit:
        last_id, last_name = rows[limit - 1]
        next_cursor = encode_cursor("name", [last_name, str(last_id)])
    return [contact_id for contact_id, _ in rows[:limit]], next_cursor


def encode_cursor(kind: str, values: list[Any]) -> str:
    raw = json.dumps([kind, *values], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, kind: str, size: int) -> tuple[Any, ...]:
    """The values of a cursor made by `encode_cursor(kind, ...)`; the last one is the contact id."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        values = json.loads(raw)
        if not isinstance(values, list) or len(values) != size + 1 or values[0] != kind:
            raise ValueError(cursor)
        if not isinstance(values[-2], str):
            raise ValueError(cursor)
        return (*values[1:-1], uuid.UUID(values[-1]))
    except (binascii.Error, UnicodeDecodeError, ValueError, TypeError, AttributeError) as error:
        raise BadCursor(cursor) from error
