"""The rep's open follow-ups as an iCalendar feed at a secret, rotatable address.

A phone's calendar subscribes to a URL and fetches it on its own schedule,
without a sign-in, so the address itself is the key: 256 random bits, of
which only a SHA-256 is stored (like sign-in tokens). Making a new address
replaces the old one, which then answers 404; the address is shown once, when
it is made. Fetches are not audited (a calendar polls every hour or so);
making, replacing and turning off the address are.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from icalendar import Calendar, Event
from pydantic import BaseModel
from sqlmodel import Session, col, delete, select

from crm_pwa import routes
from crm_pwa.db.calendar_feed import CalendarFeed
from crm_pwa.db.contact import Contact
from crm_pwa.db.interaction import FollowUp
from crm_pwa.db.user import User
from crm_pwa.domain.calendar_feed import FeedCandidate, feed_day
from crm_pwa.services.actor import Actor
from crm_pwa.services.audit import record_audit
from crm_pwa.services.errors import NotFound

FEED_NOT_FOUND = "No calendar at this address: it was replaced or turned off."
FEED_PATH = "/api/v1/calendar/{secret}.ics"
# What calendars are asked to keep between fetches.
REFRESH = timedelta(hours=1)
PRODUCT_ID = "-//Rapport//Follow-ups//EN"


class FeedStatus(BaseModel):
    active: bool
    created_at: datetime | None


class NewFeed(BaseModel):
    url: str
    created_at: datetime


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def feed_url(base_url: str, secret: str) -> str:
    return base_url.rstrip("/") + FEED_PATH.format(secret=secret)


def feed_status(*, session: Session, actor: Actor) -> FeedStatus:
    feed = session.get(CalendarFeed, actor.id)
    return FeedStatus(active=feed is not None, created_at=feed.created_at if feed else None)


def new_feed(*, session: Session, actor: Actor, base_url: str, now: datetime) -> NewFeed:
    """A new secret address for the actor's feed; the previous one stops working."""
    secret = secrets.token_urlsafe(32)
    feed = session.get(CalendarFeed, actor.id)
    action = "calendar_feed.created" if feed is None else "calendar_feed.replaced"
    if feed is None:
        feed = CalendarFeed(user_id=actor.id, secret_hash=_hash(secret), created_at=now)
    feed.secret_hash = _hash(secret)
    feed.created_at = now
    session.add(feed)
    record_audit(
        session, actor_id=actor.id, action=action, object_type="user", object_id=actor.id, at=now
    )
    session.flush()
    return NewFeed(url=feed_url(base_url, secret), created_at=now)


def stop_feed(*, session: Session, actor: Actor, now: datetime) -> None:
    gone = session.exec(delete(CalendarFeed).where(col(CalendarFeed.user_id) == actor.id))
    if gone.rowcount:
        record_audit(
            session,
            actor_id=actor.id,
            action="calendar_feed.stopped",
            object_type="user",
            object_id=actor.id,
            at=now,
        )
    session.flush()


def feed_owner(session: Session, secret: str) -> User:
    """The active user whose feed lives at this secret; NotFound for any other secret."""
    owner = session.exec(
        select(User)
        .join(CalendarFeed, col(CalendarFeed.user_id) == User.id)
        .where(CalendarFeed.secret_hash == _hash(secret), col(User.is_active).is_(True))
    ).first()
    if owner is None:
        raise NotFound(FEED_NOT_FOUND)
    return owner


def calendar(*, session: Session, secret: str, base_url: str, now: datetime) -> bytes:
    """The iCalendar document of the open follow-ups of the feed's owner."""
    owner = feed_owner(session, secret)
    rows = session.exec(
        select(FollowUp, Contact.name, Contact.do_not_contact)
        .join(Contact, col(Contact.id) == FollowUp.contact_id)
        .where(FollowUp.owner_id == owner.id, FollowUp.status != "done")
        .order_by(col(FollowUp.due_on), col(FollowUp.id))
    ).all()
    feed = Calendar()
    feed.add("prodid", PRODUCT_ID)
    feed.add("version", "2.0")
    feed.add("calscale", "GREGORIAN")
    feed.add("method", "PUBLISH")
    feed.add("x-wr-calname", "Rapport follow-ups")
    # All-day events carry no zone; this names the days' zone for calendars that show it.
    feed.add("x-wr-timezone", owner.time_zone)
    feed.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    feed.add("x-published-ttl", REFRESH)
    for follow_up, contact_name, do_not_contact in rows:
        day = feed_day(
            FeedCandidate(
                follow_up.status, follow_up.due_on, follow_up.snooze_until, do_not_contact
            )
        )
        if day is None:
            continue
        event = Event()
        event.add("uid", f"{follow_up.id}@rapport")
        event.add("dtstamp", now)
        event.add("last-modified", follow_up.changed_at)
        event.add("dtstart", day)
        event.add("dtend", day + timedelta(days=1))
        event.add("summary", f"{contact_name}: {follow_up.title}")
        event.add("url", base_url.rstrip("/") + routes.contact(str(follow_up.contact_id)))
        event.add("transp", "TRANSPARENT")
        feed.add_component(event)
    return bytes(feed.to_ical())
