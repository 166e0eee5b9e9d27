"""Invitations through a real SMTP server on 127.0.0.1 (aiosmtpd): the messages and their
headers, one-click unsubscribe, and a server that fails mid-run without anyone getting two."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from crm_pwa import clock
from crm_pwa.db.audit import AuditEvent
from crm_pwa.db.contact import Contact
from crm_pwa.db.interaction import Interaction
from crm_pwa.db.invitation import InvitationGuest
from crm_pwa.services.actor import Actor
from crm_pwa.services.invitation_models import InvitationFilters, InvitationIn
from crm_pwa.services.invitation_sending import (
    CLAIM_LEASE,
    SendingPaused,
    run_sending,
    sending_progress,
)
from crm_pwa.services.invitations import create_invitation, preview_invitation, send_invitation
from crm_pwa.settings import get_settings
from tests.conftest import Database
from tests.utils.factories import bearer, make_contact, make_user
from tests.utils.smtp_server import Mailbox, smtp_server

GUESTS = 6


@pytest.fixture
def mailbox(db: Database, monkeypatch: pytest.MonkeyPatch) -> Iterator[Mailbox]:
    with smtp_server() as (box, controller):
        monkeypatch.setenv("RAPPORT_SMTP_URL", f"smtp://127.0.0.1:{controller.port}")
        monkeypatch.setenv("RAPPORT_MAIL_FROM", "Rapport <invitations@rapport.example>")
        monkeypatch.setenv("RAPPORT_PUBLIC_URL", "https://crm.example.com")
        # Nothing starts by itself: each test runs the sending run it means to.
        monkeypatch.setenv("RAPPORT_SCHEDULER", "off")
        monkeypatch.setenv("RAPPORT_SMTP_PER_SECOND", "1000")
        get_settings.cache_clear()
        yield box
    get_settings.cache_clear()


def _invite(session: Session, actor: Actor) -> uuid.UUID:
    now = clock.now()
    preview = create_invitation(
        session=session,
        actor=actor,
        invitation_in=InvitationIn(
            kind="campaign",
            title="Winter newsletter",
            message="Dear {first_name} at {company}, news from {rep_name}.",
            filters=InvitationFilters(tier="high"),
        ),
        now=now,
    )
    send_invitation(session=session, actor=actor, invitation_id=preview.invitation.id, now=now)
    session.commit()
    return preview.invitation.id


def _rep_with_guests(session: Session) -> Actor:
    rep = make_user(session, "riley@example.com", name="Riley Chen")
    for n in range(GUESTS):
        make_contact(
            session,
            rep,
            f"Guest{n} Person",
            email=f"guest{n}@example.com",
            tier="high",
            company=f"Firm {n}",
        )
    return Actor.of(rep)


def test_each_guest_gets_one_filled_message_with_unsubscribe_headers_when_sent_by_smtp(
    session: Session, mailbox: Mailbox
) -> None:
    rep = _rep_with_guests(session)
    invitation_id = _invite(session, rep)
    progress = run_sending(invitation_id, "test-run", waits=())
    assert (progress.state, progress.sent, progress.pending) == ("sent", GUESTS, 0)
    received = mailbox.by_recipient()
    assert sorted(received) == [f"guest{n}@example.com" for n in range(GUESTS)]
    message = received["guest3@example.com"][0]
    assert message["From"] == "Rapport <invitations@rapport.example>"
    assert message["Reply-To"] == "Riley Chen <riley@example.com>"
    assert message["Subject"] == "Winter newsletter"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message["List-Unsubscribe"].startswith("<https://crm.example.com/api/v1/unsubscribe/")
    assert "Dear Guest3 at Firm 3, news from Riley Chen." in message.get_content()
    ids = {m["Message-ID"] for m in mailbox.messages}
    assert len(ids) == GUESTS and all(i.endswith("@rapport.example>") for i in ids)
    logged = session.exec(select(Interaction.summary).where(Interaction.kind == "email")).all()
    assert logged == ["Invitation sent: Winter newsletter"] * GUESTS


def test_one_click_unsubscribe_excludes_the_person_from_the_next_invitation(
    session: Session, mailbox: Mailbox, client: TestClient
) -> None:
    rep = _rep_with_guests(session)
    run_sending(_invite(session, rep), "first", waits=())
    message = mailbox.by_recipient()["guest2@example.com"][0]
    link = message["List-Unsubscribe"].strip("<>").removeprefix("https://crm.example.com")
    page = client.get(link)
    assert page.status_code == 200 and "Unsubscribe" in page.text
    answer = client.post(
        link,
        content=b"List-Unsubscribe=One-Click",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert answer.status_code == 200 and "unsubscribed" in answer.text
    guest = session.exec(select(Contact).where(Contact.email == "guest2@example.com")).one()
    session.refresh(guest)
    assert guest.invitations_opt_out and not guest.do_not_contact
    audit = session.exec(
        select(AuditEvent).where(AuditEvent.action == "contact.unsubscribed")
    ).all()
    assert [entry.object_id for entry in audit] == [str(guest.id)]
    assert client.post(link).status_code == 200  # twice changes nothing more
    assert client.get("/api/v1/unsubscribe/not-a-token").status_code == 404

    later = clock.now() + timedelta(days=30)
    preview = create_invitation(
        session=session,
        actor=rep,
        invitation_in=InvitationIn(
            kind="campaign",
            title="Spring news",
            message="Hi {first_name}",
            filters=InvitationFilters(tier="high"),
        ),
        now=later,
    )
    excluded = {line.name: line.reason for line in preview.excluded}
    assert excluded == {"Guest2 Person": "unsubscribed"}


def test_a_server_failing_mid_run_resumes_without_sending_anyone_twice(
    session: Session, db: Database
) -> None:
    rep = _rep_with_guests(session)
    with smtp_server() as (mailbox, controller):
        port = controller.port
        with _smtp_at(port):
            invitation_id = _invite(session, rep)
            # Two go out, then the server answers 421 (closing) to every message.
            mailbox.refuse_after = 2
            with pytest.raises(SendingPaused):
                run_sending(invitation_id, "run-1", waits=(0, 0), sleep=lambda _: None)
    progress = sending_progress(session=session, actor=rep, invitation_id=invitation_id)
    assert (progress.state, progress.sent, progress.pending) == ("sending", 2, GUESTS - 2)
    assert "Could not reach the mail server" in progress.error

    # The server is gone: the connection is refused, nothing is sent or lost.
    with _smtp_at(port), pytest.raises(SendingPaused):
        run_sending(invitation_id, "run-2", waits=(0,), sleep=lambda _: None)

    # Back on the same port: the next run sends the rest, nobody twice.
    mailbox.refuse_after = None
    with smtp_server(port, mailbox), _smtp_at(port):
        done = run_sending(invitation_id, "run-3", waits=())
    assert (done.state, done.sent, done.failed, done.error) == ("sent", GUESTS, 0, "")
    counts = {to: len(copies) for to, copies in mailbox.by_recipient().items()}
    assert counts == {f"guest{n}@example.com": 1 for n in range(GUESTS)}
    logged = session.exec(select(Interaction.contact_id).where(Interaction.kind == "email")).all()
    assert len(logged) == len(set(logged)) == GUESTS


@contextmanager
def _smtp_at(port: int) -> Iterator[None]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("RAPPORT_SMTP_URL", f"smtp://127.0.0.1:{port}")
        patch.setenv("RAPPORT_SCHEDULER", "off")
        patch.setenv("RAPPORT_SMTP_PER_SECOND", "1000")
        get_settings.cache_clear()
        yield
    get_settings.cache_clear()


def test_a_run_skips_copies_a_live_run_holds_and_resends_those_a_dead_run_left(
    session: Session, mailbox: Mailbox
) -> None:
    rep = _rep_with_guests(session)
    invitation_id = _invite(session, rep)
    guests = session.exec(
        select(InvitationGuest)
        .where(InvitationGuest.invitation_id == invitation_id)
        .order_by(col(InvitationGuest.id))
    ).all()
    now = clock.now()
    # A live run holds the first copy; a run that died ten minutes ago held the second
    # (sent or not, nobody knows); the third's person unsubscribed after the preview.
    guests[0].send_claim, guests[0].claimed_at = "live", now
    guests[1].send_claim, guests[1].claimed_at = "dead", now - CLAIM_LEASE - timedelta(seconds=1)
    gone = session.get(Contact, guests[2].contact_id)
    assert gone is not None
    gone.invitations_opt_out = True
    session.add_all([guests[0], guests[1], gone])
    session.commit()
    progress = run_sending(invitation_id, "this-run", waits=())
    assert (progress.state, progress.sent, progress.pending) == ("sending", GUESTS - 2, 1)
    received = mailbox.by_recipient()
    live = session.get(Contact, guests[0].contact_id)
    dead = session.get(Contact, guests[1].contact_id)
    assert live is not None and dead is not None
    assert live.email not in received and gone.email not in received
    [resent] = received[dead.email]
    assert resent["Message-ID"] == guests[1].message_id
    session.refresh(guests[2])
    assert (guests[2].status, guests[2].excluded_reason) == ("excluded", "unsubscribed")


def test_sending_through_the_api_runs_in_the_background_and_shows_its_progress(
    db: Database, mailbox: Mailbox, client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RAPPORT_SCHEDULER", "on")
    get_settings.cache_clear()
    with db.session() as session:
        _rep_with_guests(session)
    riley = bearer(client, "riley@example.com")
    body = {
        "kind": "campaign",
        "title": "News",
        "message": "Hi {first_name}",
        "filters": {"tier": "high"},
    }
    invitation = client.post("/api/v1/invitations", json=body, headers=riley).json()
    base = f"/api/v1/invitations/{invitation['invitation']['id']}"
    started = client.post(f"{base}/send", headers=riley)
    assert started.status_code == 202 and started.json()["channel"] == "smtp"
    deadline = time.monotonic() + 20
    progress = started.json()
    while progress["state"] != "sent" and time.monotonic() < deadline:
        time.sleep(0.1)
        progress = client.get(f"{base}/progress", headers=riley).json()
    assert (progress["state"], progress["sent"], progress["total"]) == ("sent", GUESTS, GUESTS)
    assert len(mailbox.messages) == GUESTS


def test_an_address_the_server_refuses_is_given_up_on_and_the_rest_go_out(
    session: Session, mailbox: Mailbox
) -> None:
    rep = _rep_with_guests(session)
    mailbox.unknown = {"guest4@example.com"}
    invitation_id = _invite(session, rep)
    progress = run_sending(invitation_id, "run", waits=())
    assert (progress.state, progress.sent, progress.failed) == ("sent", GUESTS - 1, 1)
    lines = preview_invitation(
        session=session, actor=rep, invitation_id=invitation_id, now=clock.now()
    )
    refused = {line.name: line.send_error for line in lines.invited if line.send_error}
    assert refused == {
        "Guest4 Person": "The mail server refused the address: 550 No such user here"
    }
