"""Reading an invitation and its guest list the way the pages and the API show them."""

from __future__ import annotations

import uuid
from collections.abc import Collection

import sqlalchemy as sa
from sqlmodel import Session

from crm_pwa.db.contact import Contact
from crm_pwa.db.invitation import Invitation, InvitationGuest
from crm_pwa.db.note_rows import table_of
from crm_pwa.db.user import User
from crm_pwa.domain.invitation_guard import OVERRIDABLE
from crm_pwa.services.actor import Actor, visible_owner_ids
from crm_pwa.services.errors import NotFound
from crm_pwa.services.invitation_mail import mailto_link
from crm_pwa.services.invitation_models import GuestLine, InvitationPublic

NOT_FOUND = "Invitation not found."


def load_invitation(session: Session, actor: Actor, invitation_id: uuid.UUID) -> Invitation:
    """The invitation if the actor may see its writer's contacts; NotFound otherwise."""
    invitation = session.get(Invitation, invitation_id)
    owners = visible_owner_ids(session, actor)
    if invitation is None or (owners is not None and invitation.owner_id not in owners):
        raise NotFound(NOT_FOUND)
    return invitation


def public_invitation(invitation: Invitation, owner_name: str) -> InvitationPublic:
    return InvitationPublic(
        id=invitation.id,
        owner_id=invitation.owner_id,
        owner_name=owner_name,
        team_id=invitation.team_id,
        kind=invitation.kind,
        title=invitation.title,
        message=invitation.message,
        starts_at=invitation.starts_at,
        place=invitation.place,
        filters=dict(invitation.filters),
        state=invitation.state,
        channel=invitation.channel,
        send_error=invitation.send_error,
        created_at=invitation.created_at,
        sent_at=invitation.sent_at,
    )


def guest_lines(
    session: Session, invitation: Invitation, contact_ids: Collection[uuid.UUID] | None = None
) -> list[GuestLine]:
    """The guest list by name (or those of `contact_ids`); a copy still to send by hand
    carries its prepared `mailto:` link."""
    guest_table, contact_table = table_of(InvitationGuest), table_of(Contact)
    guests, contacts = guest_table.c, contact_table.c
    query = (
        sa.select(guest_table, contacts.name, contacts.company, contacts.email, contacts.owner_id)
        .join(contact_table, contacts.id == guests.contact_id)
        .where(guests.invitation_id == invitation.id)
    )
    if contact_ids is not None:
        query = query.where(guests.contact_id.in_(list(contact_ids)))
    by_hand = invitation.channel != "smtp"
    writer = session.get(User, invitation.owner_id) if by_hand else None
    lines: list[GuestLine] = []
    rows = session.connection().execute(query.order_by(contacts.name, contacts.id)).mappings()
    for row in rows:
        reason = row["excluded_reason"] or None
        status = row["status"]
        to_send = writer is not None and status != "excluded" and row["sent_at"] is None
        lines.append(
            GuestLine(
                contact_id=row["contact_id"],
                name=row["name"],
                company=row["company"],
                email=row["email"],
                owner_id=row["owner_id"],
                status=status,
                reason=reason,
                reason_words=row["reason_words"],
                overridable=status == "excluded" and reason in OVERRIDABLE,
                included_by_hand=row["included_by_hand"],
                sent_at=row["sent_at"],
                send_error=row["send_error"],
                mailto=mailto_link(
                    invitation,
                    name=row["name"],
                    company=row["company"],
                    email=row["email"],
                    writer=writer,
                )
                if to_send and writer is not None
                else None,
            )
        )
    return lines
