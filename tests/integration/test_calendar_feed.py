"""The follow-up calendar feed: what a phone's calendar sees at the secret address."""

from __future__ import annotations

from datetime import date, timedelta
from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient
from icalendar import Calendar
from sqlmodel import Session, select

from crm_pwa import clock
from crm_pwa.db.audit import AuditEvent
from crm_pwa.db.calendar_feed import CalendarFeed
from crm_pwa.db.user import User
from crm_pwa.domain.days import local_day
from tests.utils.factories import bearer, make_contact, make_user

API = "/api/v1"


def _rep(session: Session, email: str, zone: str) -> User:
    user = make_user(session, email)
    user.time_zone = zone
    user.time_zone_chosen = True
    session.add(user)
    session.commit()
    return user


def _follow_up(
    client: TestClient, headers: dict[str, str], contact_id: object, title: str, due: date
) -> str:
    answer = client.post(
        f"{API}/contacts/{contact_id}/follow-ups",
        json={"title": title, "due_on": due.isoformat()},
        headers=headers,
    )
    assert answer.status_code == 201, answer.text
    return str(answer.json()["id"])


def _events(client: TestClient, url: str) -> dict[str, tuple[object, object]]:
    answer = client.get(urlsplit(url).path)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/calendar")
    feed = Calendar.from_ical(answer.content)
    return {
        str(event["summary"]): (event.decoded("dtstart"), event.decoded("dtend"))
        for event in feed.walk("VEVENT")
    }


@pytest.mark.parametrize("zone", ["Pacific/Auckland", "America/Los_Angeles", "Asia/Kolkata"])
def test_feed_lists_the_open_follow_ups_on_their_day_when_a_calendar_fetches_it(
    client: TestClient, session: Session, zone: str
) -> None:
    rep = _rep(session, "riley@example.com", zone)
    other = _rep(session, "sam@example.com", "UTC")
    dana = make_contact(session, rep, "Dana Reyes")
    quiet = make_contact(session, rep, "Quiet Person", do_not_contact=True)
    theirs = make_contact(session, other, "Ola Berg")
    headers = bearer(client, "riley@example.com")
    today = local_day(clock.now(), zone)
    _follow_up(client, headers, dana.id, "Send the quote", today)
    snoozed = _follow_up(client, headers, dana.id, "Call about the pilot", today)
    done = _follow_up(client, headers, dana.id, "Book the visit", today + timedelta(days=1))
    _follow_up(client, headers, quiet.id, "Do not call", today)
    _follow_up(client, bearer(client, "sam@example.com"), theirs.id, "Not mine", today)
    client.patch(
        f"{API}/follow-ups/{snoozed}",
        json={"status": "snoozed", "snooze_until": (today + timedelta(days=3)).isoformat()},
        headers=headers,
    )
    client.patch(f"{API}/follow-ups/{done}", json={"status": "done"}, headers=headers)

    made = client.post(f"{API}/me/calendar-feed", headers=headers)
    assert made.status_code == 201
    assert made.json()["url"].startswith("http://testserver/api/v1/calendar/")

    # All-day events (dates, not times) on the rep's own days.
    assert _events(client, made.json()["url"]) == {
        "Dana Reyes: Send the quote": (today, today + timedelta(days=1)),
        "Dana Reyes: Call about the pilot": (
            today + timedelta(days=3),
            today + timedelta(days=4),
        ),
    }


def test_a_replaced_or_turned_off_address_answers_404_when_fetched(
    client: TestClient, session: Session
) -> None:
    rep = _rep(session, "riley@example.com", "Pacific/Auckland")
    headers = bearer(client, "riley@example.com")
    assert client.get(f"{API}/me/calendar-feed", headers=headers).json() == {
        "active": False,
        "created_at": None,
    }
    first = client.post(f"{API}/me/calendar-feed", headers=headers).json()["url"]
    assert client.get(urlsplit(first).path).status_code == 200
    second = client.post(f"{API}/me/calendar-feed", headers=headers).json()["url"]
    assert second != first
    old = client.get(urlsplit(first).path)
    assert old.status_code == 404
    assert old.json() == {"detail": "No calendar at this address: it was replaced or turned off."}
    assert client.get(urlsplit(second).path).status_code == 200
    status = client.get(f"{API}/me/calendar-feed", headers=headers).json()
    assert status["active"] is True and "url" not in status

    assert client.delete(f"{API}/me/calendar-feed", headers=headers).status_code == 204
    assert client.get(urlsplit(second).path).status_code == 404
    assert client.get(f"{API}/calendar/not-a-secret.ics").status_code == 404

    # Only a hash of the secret is stored; the trail says what happened, to whom, nothing else.
    third = client.post(f"{API}/me/calendar-feed", headers=headers).json()["url"]
    secret = urlsplit(third).path.rsplit("/", 1)[-1].removesuffix(".ics")
    stored = session.get(CalendarFeed, rep.id)
    assert stored is not None and secret not in stored.secret_hash
    actions = session.exec(
        select(AuditEvent.action)
        .where(AuditEvent.user_id == rep.id, AuditEvent.action != "sign_in")
        .order_by(AuditEvent.at)
    ).all()
    assert sorted(actions) == sorted(
        [
            "calendar_feed.created",
            "calendar_feed.replaced",
            "calendar_feed.stopped",
            "calendar_feed.created",
        ]
    )


def test_the_feed_stops_when_its_owner_is_deactivated(client: TestClient, session: Session) -> None:
    rep = _rep(session, "riley@example.com", "UTC")
    url = client.post(f"{API}/me/calendar-feed", headers=bearer(client, "riley@example.com"))
    rep.is_active = False
    session.add(rep)
    session.commit()
    assert client.get(urlsplit(url.json()["url"]).path).status_code == 404


def test_the_feed_address_needs_a_signed_in_caller_to_be_made(client: TestClient) -> None:
    assert client.post(f"{API}/me/calendar-feed").status_code == 401
    assert client.get(f"{API}/me/calendar-feed").status_code == 401
    assert client.delete(f"{API}/me/calendar-feed").status_code == 401
