"""A new rep's zone comes from the phone, once; a zone nobody lives in is refused."""

from __future__ import annotations

import pytest
from sqlmodel import Session

from crm_pwa.db.user import User
from crm_pwa.services import auth, push
from crm_pwa.services.actor import Actor
from crm_pwa.services.errors import Invalid
from tests.utils.factories import NOW, PASSWORD, make_user


def _zone(session: Session, user: User) -> tuple[str, bool]:
    session.expire_all()
    found = session.get(User, user.id)
    assert found is not None
    return found.time_zone, found.time_zone_chosen


def test_first_sign_in_takes_the_phones_zone_instead_of_utc(session: Session) -> None:
    rep = make_user(session, "new@example.com")
    assert _zone(session, rep) == ("UTC", False)

    signed_in = auth.sign_in(session=session, email=rep.email, password=PASSWORD, now=NOW)
    # Chromium reports India's zone by its old name.
    assert push.adopt_phone_zone(session=session, actor=signed_in.actor, phone_zone="Asia/Calcutta")
    session.commit()

    assert _zone(session, rep) == ("Asia/Kolkata", True)
    # A later sign-in from a phone elsewhere does not move a zone already set.
    assert not push.adopt_phone_zone(
        session=session, actor=Actor.of(rep), phone_zone="America/Los_Angeles"
    )
    assert _zone(session, rep) == ("Asia/Kolkata", True)


@pytest.mark.parametrize("phone_zone", ["", "Etc/GMT+5", "Factory", "Mars/Olympus"])
def test_phone_zone_nobody_can_pick_leaves_the_account_as_it_was(
    session: Session, phone_zone: str
) -> None:
    rep = make_user(session, "new@example.com")

    assert not push.adopt_phone_zone(session=session, actor=Actor.of(rep), phone_zone=phone_zone)
    assert _zone(session, rep) == ("UTC", False)


@pytest.mark.parametrize("zone", ["Etc/GMT+5", "Factory", "localtime", "US/Pacific"])
def test_saving_a_zone_nobody_lives_in_is_refused_in_plain_words(
    session: Session, zone: str
) -> None:
    rep = make_user(session, "new@example.com")

    with pytest.raises(Invalid, match="not a time zone you can pick"):
        push.update_reminder_settings(
            session=session,
            actor=Actor.of(rep),
            reminder_time="09:00",
            quiet_start="20:00",
            quiet_end="08:00",
            time_zone=zone,
        )
    assert _zone(session, rep) == ("UTC", False)


def test_saving_a_zone_in_settings_marks_it_chosen(session: Session) -> None:
    rep = make_user(session, "new@example.com")

    push.update_reminder_settings(
        session=session,
        actor=Actor.of(rep),
        reminder_time="09:00",
        quiet_start="20:00",
        quiet_end="08:00",
        time_zone="UTC",
    )
    session.commit()

    assert _zone(session, rep) == ("UTC", True)
    assert not push.adopt_phone_zone(
        session=session, actor=Actor.of(rep), phone_zone="Pacific/Auckland"
    )
