"""The guest list after sending: sent by hand, answers, attendance.

Marking guests attended logs a "Met at <event>" meeting for each through the
notes service (services/notes.py), so the health score counts it like any
meeting, and offers a follow-up for each (the page adds the ones the rep keeps
with services/follow_ups.add_follow_up).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from crm_pwa.db.contact import Contact
from crm_pwa.db.engine import begin_writing
from crm_pwa.db.invitation import Invitation, InvitationGuest
from crm_pwa.domain.days import local_day
from crm_pwa.domain.invitation_message import check_guest_move
from crm_pwa.domain.rules import RuleError
from crm_pwa.services.actor import Actor
from crm_pwa.services.contact_updates import refresh_touched_contacts
from crm_pwa.services.errors import Conflict, Invalid, NotFound
from crm_pwa.services.invitation_lines import guest_lines, load_invitation
from crm_pwa.services.invitation_models import Attendance, FollowUpOffer, GuestLine
from crm_pwa.services.invitation_sending import log_sent_copies
from crm_pwa.services.note_input import NoteIn, ReadNote
from crm_pwa.services.notes import store_notes

GUEST_NOT_FOUND = "That contact is not on this invitation's guest list."
DRAFT = "Send the invitation first."
NOT_BY_HAND = "This invitation goes out by e-mail from the server; it marks copies sent itself."
FOLLOW_UP_IN_DAYS = 2
_MEETING_ID = uuid.UUID("0b7f3c52-9d1e-4c61-8f0a-6a2d5e9b4c37")


def _guests(
    session: Session, invitation: Invitation, contact_ids: Sequence[uuid.UUID]
) -> list[InvitationGuest]:
    found = list(
        session.exec(
            select(InvitationGuest).where(
                InvitationGuest.invitation_id == invitation.id,
                col(InvitationGuest.contact_id).in_(list(contact_ids)),
            )
        )
    )
    if len(found) != len(set(contact_ids)):
        raise NotFound(GUEST_NOT_FOUND)
    return found


def _sent_invitation(session: Session, actor: Actor, invitation_id: uuid.UUID) -> Invitation:
    invitation = load_invitation(session, actor, invitation_id)
    if invitation.state == "draft":
        raise Conflict(DRAFT)
    return invitation


def mark_sent(
    *,
    session: Session,
    actor: Actor,
    invitation_id: uuid.UUID,
    contact_id: uuid.UUID,
    now: datetime,
) -> GuestLine:
    """The rep sent this guest's copy from their own mail app (the `mailto` link): it is
    recorded sent and logged on the contact's timeline as an outbound e-mail, once."""
    invitation = _sent_invitation(session, actor, invitation_id)
    if invitation.channel != "mailto":
        raise Conflict(NOT_BY_HAND)
    begin_writing(session)
    (guest,) = _guests(session, invitation, [contact_id])
    if guest.status == "excluded":
        raise Conflict("This person was not invited.")
    if guest.sent_at is None:
        guest.sent_at = now
        session.add(guest)
        session.flush()
        log_sent_copies(session, invitation, now)
        remaining = session.exec(
            select(InvitationGuest.id).where(
                InvitationGuest.invitation_id == invitation.id,
                InvitationGuest.status != "excluded",
                col(InvitationGuest.sent_at).is_(None),
            )
        ).first()
        if remaining is None:
            invitation.state = "sent"
        invitation.updated_at = now
        session.add(invitation)
        session.flush()
    return guest_lines(session, invitation, [contact_id])[0]


def set_guest_status(
    *,
    session: Session,
    actor: Actor,
    invitation_id: uuid.UUID,
    contact_id: uuid.UUID,
    status: str,
    now: datetime,
) -> GuestLine:
    """Record a guest's answer: invited, accepted or declined; "attended" is `mark_attended`
    for one. Invalid for an unknown status or a move the guest list does not allow."""
    if status == "attended":
        attendance = mark_attended(
            session=session,
            actor=actor,
            invitation_id=invitation_id,
            contact_ids=[contact_id],
            now=now,
        )
        return attendance.attended[0]
    invitation = _sent_invitation(session, actor, invitation_id)
    begin_writing(session)
    (guest,) = _guests(session, invitation, [contact_id])
    try:
        guest.status = check_guest_move(guest.status, status)
    except RuleError as error:
        raise Invalid(error.message, error.field) from error
    guest.responded_at = now
    session.add(guest)
    session.flush()
    return guest_lines(session, invitation, [contact_id])[0]


def mark_attended(
    *,
    session: Session,
    actor: Actor,
    invitation_id: uuid.UUID,
    contact_ids: Sequence[uuid.UUID],
    now: datetime,
    sentiment: str = "positive",
) -> Attendance:
    """Mark these guests attended in one step: each gets a "Met at <title>" meeting on
    their timeline (counted by health), and a follow-up is offered for each.

    All or nothing: NotFound when one is not on the list, Invalid when one was excluded.
    A guest marked attended before is answered as it is, with no second meeting.
    """
    invitation = _sent_invitation(session, actor, invitation_id)
    if not contact_ids:
        raise Invalid("Choose at least one guest.", "contact_ids")
    begin_writing(session)
    guests = _guests(session, invitation, contact_ids)
    for guest in guests:
        try:
            check_guest_move(guest.status, "attended")
        except RuleError as error:
            raise Invalid(error.message, "contact_ids") from error
    # The event's own time when it is over, else now (marked at the door).
    met_at = min(invitation.starts_at or now, now)
    newly = [guest for guest in guests if guest.status != "attended"]
    notes = [
        ReadNote(
            NoteIn(
                id=uuid.uuid5(_MEETING_ID, str(guest.id)),
                contact_id=guest.contact_id,
                kind="meeting",
                direction="outbound",
                occurred_at=met_at,
                summary=f"Met at {invitation.title}",
                sentiment=sentiment,
            )
        )
        for guest in newly
    ]
    touched: dict[uuid.UUID, datetime | None] = {}
    for guest, outcome in zip(
        newly, store_notes(session=session, actor=actor, notes=notes, now=now), strict=True
    ):
        if outcome.error is not None:
            raise Invalid(outcome.error.message, "contact_ids")
        guest.status = "attended"
        guest.responded_at = now
        session.add(guest)
        touched[guest.contact_id] = met_at
    session.flush()
    refresh_touched_contacts(session, touched, now)
    ids = [guest.contact_id for guest in guests]
    names = dict(
        session.exec(select(Contact.id, Contact.name).where(col(Contact.id).in_(ids))).all()
    )
    due_on = local_day(now, actor.time_zone) + timedelta(days=FOLLOW_UP_IN_DAYS)
    return Attendance(
        attended=guest_lines(session, invitation, ids),
        follow_ups=[
            FollowUpOffer(
                contact_id=contact_id,
                name=names[contact_id],
                title=f"Follow up after {invitation.title}",
                due_on=due_on,
            )
            for contact_id in sorted(ids, key=lambda cid: (names[cid], cid))
        ],
    )
