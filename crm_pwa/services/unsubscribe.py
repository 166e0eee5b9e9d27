"""One-click unsubscribe from invitations (RFC 8058): the link's token is the only key.

Unsubscribing sets the contact's `invitations_opt_out`: no more invitations from
anyone in the app, while the rep's own calls, e-mails and reminders go on (that
is `do_not_contact`, which only the rep sets). It is written to the audit trail
with no user (the person themself did it) and marked on the copy, so the
invitation's results count it. Doing it twice changes nothing more.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, select

from crm_pwa.db.contact import Contact
from crm_pwa.db.engine import begin_writing
from crm_pwa.db.invitation import Invitation, InvitationGuest
from crm_pwa.db.user import User
from crm_pwa.services.audit import record_audit
from crm_pwa.services.errors import NotFound
from crm_pwa.services.invitation_models import UnsubscribeView

UNKNOWN_LINK = "This unsubscribe link is not known (it may have been copied incompletely)."
MAX_TOKEN_CHARS = 64


def _find(session: Session, token: str) -> tuple[InvitationGuest, Invitation, Contact, str]:
    if not token or len(token) > MAX_TOKEN_CHARS:
        raise NotFound(UNKNOWN_LINK)
    row = session.exec(
        select(InvitationGuest, Invitation, Contact, User.name)
        .join(Invitation, col(Invitation.id) == InvitationGuest.invitation_id)
        .join(Contact, col(Contact.id) == InvitationGuest.contact_id)
        .join(User, col(User.id) == Invitation.owner_id)
        .where(InvitationGuest.unsubscribe_token == token)
    ).first()
    if row is None:
        raise NotFound(UNKNOWN_LINK)
    return row


def unsubscribe_view(*, session: Session, token: str) -> UnsubscribeView:
    """What the confirmation page shows for a link; NotFound for an unknown one."""
    _guest, invitation, contact, sender = _find(session, token)
    return UnsubscribeView(
        invitation_title=invitation.title,
        sender_name=sender,
        unsubscribed=contact.invitations_opt_out,
    )


def unsubscribe(
    *, session: Session, token: str, now: datetime, device: str = ""
) -> UnsubscribeView:
    """Stop invitations to the link's contact; audited once. NotFound for an unknown link."""
    begin_writing(session)
    guest, invitation, contact, sender = _find(session, token)
    if not contact.invitations_opt_out:
        contact.invitations_opt_out = True
        contact.updated_at = now
        session.add(contact)
        record_audit(
            session,
            actor_id=None,
            action="contact.unsubscribed",
            object_type="contact",
            object_id=contact.id,
            at=now,
            detail={"invitation_id": str(invitation.id)},
            device=device,
        )
    if guest.unsubscribed_at is None:
        guest.unsubscribed_at = now
        session.add(guest)
    session.flush()
    return UnsubscribeView(invitation_title=invitation.title, sender_name=sender, unsubscribed=True)
