"""Invitations through the services: the guard's preview, hands-on inclusion, sending by
hand (mailto), answers, attendance and results, on SQLite and PostgreSQL."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
from sqlmodel import Session, select

from crm_pwa.db.contact import Contact
from crm_pwa.db.interaction import Complaint, Interaction
from crm_pwa.db.invitation import Invitation, InvitationGuest
from crm_pwa.domain.invitation_guard import GuestFacts, judge_guest
from crm_pwa.services.actor import Actor
from crm_pwa.services.contact_card import contact_card
from crm_pwa.services.errors import Conflict, Forbidden, Invalid, NotFound
from crm_pwa.services.invitation_guests import mark_attended, mark_sent, set_guest_status
from crm_pwa.services.invitation_models import InvitationFilters, InvitationIn
from crm_pwa.services.invitation_results import invitation_results, rep_results
from crm_pwa.services.invitations import (
    create_invitation,
    include_guest,
    preview_invitation,
    send_invitation,
)
from crm_pwa.services.person_export import export_person
from tests.utils.factories import NOW, make_contact, make_team, make_user


def _workshop(**filters: object) -> InvitationIn:
    return InvitationIn(
        kind="event",
        title="Pricing workshop",
        message="Hello {first_name}, {rep_name} invites {company} to our workshop.",
        starts_at=NOW + timedelta(days=10),
        place="Leeds office",
        filters=InvitationFilters.model_validate(filters),
    )


def _book(session: Session) -> tuple[Actor, dict[str, Contact]]:
    team = make_team(session)
    rep = make_user(session, "riley@example.com", team=team, name="Riley Chen")
    contacts = {
        "ana": make_contact(
            session,
            rep,
            "Ana Ito",
            email="ana@example.com",
            tier="high",
            company="Acme",
            last_interaction_at=NOW - timedelta(days=2),
        ),
        "ben": make_contact(
            session,
            rep,
            "Ben Ode",
            email="ben@example.com",
            tier="low",
            last_interaction_at=NOW - timedelta(days=20),
        ),
        "cy": make_contact(session, rep, "Cy Dube", email="", tier="high"),
        "dee": make_contact(
            session, rep, "Dee Park", email="dee@example.com", tier="high", do_not_contact=True
        ),
        "eve": make_contact(
            session,
            rep,
            "Eve Lund",
            email="eve@example.com",
            tier="medium",
            last_interaction_at=NOW - timedelta(days=45),
        ),
    }
    session.add(
        Complaint(
            contact_id=contacts["eve"].id,
            owner_id=rep.id,
            summary="Late",
            opened_at=NOW - timedelta(days=1),
        )
    )
    session.commit()
    return Actor.of(rep), contacts


def test_preview_lists_everyone_with_the_guard_reason_when_a_rep_invites(
    session: Session,
) -> None:
    rep, people = _book(session)
    preview = create_invitation(session=session, actor=rep, invitation_in=_workshop(), now=NOW)
    session.commit()
    assert [line.name for line in preview.invited] == ["Ana Ito"]
    reasons = {line.name: (line.reason, line.reason_words) for line in preview.excluded}
    assert reasons == {
        "Ben Ode": (
            "contacted_recently",
            "Low-touch, contacted 20 days ago; expected every 90 days",
        ),
        "Cy Dube": ("no_email", "No e-mail address"),
        "Dee Park": ("do_not_contact", "Asked not to be contacted"),
        "Eve Lund": ("open_complaint", "A complaint is open: call them in person instead"),
    }
    assert preview.excluded_by_reason == {
        "contacted_recently": 1,
        "no_email": 1,
        "do_not_contact": 1,
        "open_complaint": 1,
    }


def test_an_excluded_person_is_invited_by_hand_only_when_confirmed(session: Session) -> None:
    rep, people = _book(session)
    invitation = create_invitation(session=session, actor=rep, invitation_in=_workshop(), now=NOW)
    invitation_id = invitation.invitation.id
    with pytest.raises(Invalid):
        include_guest(
            session=session,
            actor=rep,
            invitation_id=invitation_id,
            contact_id=people["ben"].id,
            confirm=False,
            now=NOW,
        )
    with pytest.raises(Conflict):
        include_guest(
            session=session,
            actor=rep,
            invitation_id=invitation_id,
            contact_id=people["dee"].id,
            confirm=True,
            now=NOW,
        )
    line = include_guest(
        session=session,
        actor=rep,
        invitation_id=invitation_id,
        contact_id=people["ben"].id,
        confirm=True,
        now=NOW,
    )
    assert (line.status, line.included_by_hand, line.reason) == (
        "invited",
        True,
        "contacted_recently",
    )
    again = preview_invitation(session=session, actor=rep, invitation_id=invitation_id, now=NOW)
    assert [line.name for line in again.invited] == ["Ana Ito", "Ben Ode"]


def test_sending_by_hand_logs_each_invitation_once_and_attendance_as_a_meeting(
    session: Session,
) -> None:
    rep, people = _book(session)
    created = create_invitation(session=session, actor=rep, invitation_in=_workshop(), now=NOW)
    invitation_id = created.invitation.id
    progress = send_invitation(session=session, actor=rep, invitation_id=invitation_id, now=NOW)
    session.commit()
    assert (progress.channel, progress.total, progress.pending) == ("mailto", 1, 1)
    line = preview_invitation(
        session=session, actor=rep, invitation_id=invitation_id, now=NOW
    ).invited[0]
    assert line.mailto is not None and line.mailto.startswith("mailto:ana@example.com?subject=")
    assert "Hello%20Ana%2C%20Riley%20Chen%20invites%20Acme" in line.mailto
    for _ in range(2):
        sent = mark_sent(
            session=session,
            actor=rep,
            invitation_id=invitation_id,
            contact_id=people["ana"].id,
            now=NOW,
        )
    session.commit()
    assert sent.sent_at is not None and sent.mailto is None
    ana = people["ana"].id
    emails = session.exec(select(Interaction).where(Interaction.contact_id == ana)).all()
    assert [(i.kind, i.summary) for i in emails] == [("email", "Invitation sent: Pricing workshop")]
    # The invitation is a contact: last talked and the score count it.
    contact = session.get(Contact, ana, populate_existing=True)
    assert contact is not None and contact.last_interaction_at == NOW
    assert contact.health_score is not None

    accepted = set_guest_status(
        session=session,
        actor=rep,
        invitation_id=invitation_id,
        contact_id=ana,
        status="accepted",
        now=NOW,
    )
    assert accepted.status == "accepted"
    attendance = mark_attended(
        session=session,
        actor=rep,
        invitation_id=invitation_id,
        contact_ids=[ana],
        now=NOW + timedelta(days=11),
    )
    session.commit()
    assert [line.status for line in attendance.attended] == ["attended"]
    assert attendance.follow_ups[0].title == "Follow up after Pricing workshop"
    card = contact_card(
        session=session, actor=rep, contact_id=ana, today=(NOW + timedelta(days=11)).date()
    )
    assert [line.summary for line in card.interactions][:2] == [
        "Met at Pricing workshop",
        "Invitation sent: Pricing workshop",
    ]
    exported = export_person(session=session, actor=rep, contact_id=ana, now=NOW).invitations
    assert [(i.title, i.status) for i in exported] == [("Pricing workshop", "attended")]
    results = invitation_results(session=session, actor=rep, invitation_id=invitation_id)
    assert (results.invited, results.sent, results.accepted, results.attended) == (1, 1, 1, 1)
    assert results.excluded_by_reason["no_email"] == 1
    with pytest.raises(Invalid):
        set_guest_status(
            session=session,
            actor=rep,
            invitation_id=invitation_id,
            contact_id=ana,
            status="declined",
            now=NOW,
        )


def test_another_rep_neither_sees_nor_reads_the_results_of_an_invitation(session: Session) -> None:
    rep, people = _book(session)
    other = Actor.of(make_user(session, "sam@example.com"))
    created = create_invitation(session=session, actor=rep, invitation_in=_workshop(), now=NOW)
    with pytest.raises(NotFound):
        preview_invitation(
            session=session, actor=other, invitation_id=created.invitation.id, now=NOW
        )
    with pytest.raises(Forbidden):
        create_invitation(
            session=session, actor=other, invitation_in=_workshop(owner_id=str(rep.id)), now=NOW
        )
    assert rep_results(session=session, actor=other)[0].results.invitations == 0


def test_the_preview_gives_each_generated_contact_the_guard_s_own_verdict(
    session: Session,
) -> None:
    rng = random.Random(16)
    rep = make_user(session, "lee@example.com", name="Lee Fox")
    rep.time_zone = "America/Los_Angeles"
    session.add(rep)
    earlier = Invitation(
        owner_id=rep.id,
        kind="campaign",
        title="Earlier",
        message="Hi",
        state="sent",
        channel="mailto",
        created_at=NOW,
        updated_at=NOW,
    )
    session.add(earlier)
    session.commit()
    expected: dict[str, str | None] = {}
    for n in range(40):
        last = NOW - timedelta(hours=rng.randint(0, 24 * 200)) if rng.random() < 0.8 else None
        contact = make_contact(
            session,
            rep,
            f"Person {n:02d}",
            tier=rng.choice(("high", "medium", "low")),
            rhythm_days=rng.choice((None, None, 10, 45)),
            last_interaction_at=last,
            do_not_contact=rng.random() < 0.1,
            invitations_opt_out=rng.random() < 0.1,
            email=f"p{n}@example.com" if rng.random() < 0.9 else "",
        )
        complaint = rng.random() < 0.15
        if complaint:
            session.add(
                Complaint(
                    contact_id=contact.id,
                    owner_id=rep.id,
                    summary="x",
                    opened_at=NOW - timedelta(days=3),
                )
            )
        invited_at = NOW - timedelta(hours=rng.randint(1, 24 * 30)) if rng.random() < 0.3 else None
        if invited_at is not None:
            session.add(
                InvitationGuest(
                    invitation_id=earlier.id,
                    contact_id=contact.id,
                    message_id=f"<{n}@x>",
                    unsubscribe_token=f"t{n}",
                    sent_at=invited_at,
                )
            )
        session.commit()
        facts = GuestFacts(
            contact.tier,
            contact.rhythm_days,
            last,
            contact.do_not_contact,
            contact.invitations_opt_out,
            bool(contact.email),
            int(complaint),
            invited_at,
        )
        expected[contact.name] = judge_guest(facts, NOW, rep.time_zone).reason
    preview = create_invitation(
        session=session, actor=Actor.of(rep), invitation_in=_workshop(), now=NOW
    )
    shown = {line.name: line.reason for line in preview.invited + preview.excluded}
    assert shown == expected
    assert {line.name for line in preview.invited} == {n for n, r in expected.items() if r is None}


def test_an_invitation_nobody_passes_is_sent_at_once_with_nothing_to_send(session: Session) -> None:
    rep, people = _book(session)
    preview = create_invitation(
        session=session, actor=rep, invitation_in=_workshop(tier="low"), now=NOW
    )
    assert preview.invited == [] and [line.name for line in preview.excluded] == ["Ben Ode"]
    progress = send_invitation(
        session=session, actor=rep, invitation_id=preview.invitation.id, now=NOW
    )
    assert (progress.state, progress.total) == ("sent", 0)
    with pytest.raises(Conflict):
        send_invitation(session=session, actor=rep, invitation_id=preview.invitation.id, now=NOW)
