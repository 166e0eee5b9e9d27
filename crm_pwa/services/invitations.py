"""Invitations: written, previewed with the guard's reasons, people included by hand, sent.

Who may do what follows the contact list's rule (services/actor.py): a rep
invites from their own book, a manager from their team's, an admin from anyone's;
an invitation is seen by whoever may see its writer's contacts, and anyone else
is told it does not exist.

The guest list is stored from the start: every contact the filters choose, each
invited or excluded with the guard's reason (crm_pwa/domain/invitation_guard.py).
While the invitation is a draft each preview judges it again (a complaint
resolved since, a call logged since) and picks up contacts that now match; once
sending starts the list is fixed.
"""

from __future__ import annotations

import secrets
import uuid
from collections import Counter
from datetime import datetime
from email.utils import parseaddr
from functools import lru_cache

from sqlalchemy import event
from sqlmodel import Session, col, select

from crm_pwa.db.engine import begin_writing
from crm_pwa.db.invitation import Invitation, InvitationGuest
from crm_pwa.db.invitation_facts import ContactFilter, load_candidates
from crm_pwa.db.invitation_rows import StoredGuest, copy_counts, stored_guests, write_guest_list
from crm_pwa.db.user import User
from crm_pwa.domain.invitation_guard import guest_status, judge_guest
from crm_pwa.domain.invitation_message import check_event
from crm_pwa.domain.rules import RuleError
from crm_pwa.services.actor import Actor, visible_owner_ids
from crm_pwa.services.errors import Conflict, Forbidden, Invalid, NotFound
from crm_pwa.services.invitation_lines import guest_lines, load_invitation, public_invitation
from crm_pwa.services.invitation_models import (
    GuestLine,
    InvitationIn,
    InvitationPreview,
    InvitationPublic,
    SendProgress,
)
from crm_pwa.services.invitation_sending import sending_progress, start_sending
from crm_pwa.settings import get_settings

GUEST_NOT_FOUND = "That contact is not on this invitation's guest list."
NOT_A_DRAFT = "This invitation is already being sent; its guest list is fixed."
CONFIRM_NEEDED = "Confirm that you want to invite this person despite the reason shown."
FINAL_REASON = "This person cannot be invited: {words}."
NO_MAIL_SERVER = (
    "This invitation goes out through the mail server, which is no longer set up "
    "(RAPPORT_SMTP_URL); ask whoever runs the app."
)
OTHER_OWNER = "You may invite from your own team's contacts only."


def _owners(session: Session, actor: Actor, owner: uuid.UUID | None) -> list[uuid.UUID] | None:
    owners = visible_owner_ids(session, actor)
    if owner is None:
        return owners
    if owners is not None and owner not in owners:
        raise Forbidden(OTHER_OWNER)
    return [owner]


@lru_cache(maxsize=4)
def _mail_domain(mail_from: str) -> str:
    return parseaddr(mail_from)[1].rpartition("@")[2] or "rapport.invalid"


def _new_guest(invitation_id: uuid.UUID, contact_id: uuid.UUID) -> dict[str, object]:
    guest_id = uuid.uuid4()
    return {
        "id": guest_id,
        "invitation_id": invitation_id,
        "contact_id": contact_id,
        "status": "invited",
        "excluded_reason": "",
        "reason_words": "",
        "included_by_hand": False,
        # The same on every attempt: a copy sent twice is one message to mail programs.
        "message_id": f"<invitation-{guest_id}@{_mail_domain(get_settings().mail_from)}>",
        "unsubscribe_token": secrets.token_urlsafe(32),
        "send_claim": None,
        "claimed_at": None,
        "attempts": 0,
        "send_error": "",
        "sent_at": None,
        "interaction_id": None,
        "responded_at": None,
        "unsubscribed_at": None,
    }


def _filters(invitation: Invitation) -> ContactFilter:
    stored = invitation.filters
    return ContactFilter(
        kind=stored.get("kind"),
        tier=stored.get("tier"),
        band=stored.get("band"),
        company=stored.get("company"),
        tags=tuple(stored.get("tags") or ()),
    )


def _rejudge(session: Session, actor: Actor, invitation: Invitation, now: datetime) -> None:
    """Judge the draft's guest list again: new matches join, people who no longer match
    leave (unless included by hand), everyone's reason is brought up to date."""
    owner = invitation.filters.get("owner_id")
    owners = _owners(session, actor, uuid.UUID(owner) if owner else None)
    matched = {
        c.contact_id: c
        for c in load_candidates(
            session, owners=owners, filters=_filters(invitation), invitation_id=invitation.id
        )
    }
    stored = stored_guests(session, invitation.id)
    by_hand = [cid for cid, g in stored.items() if g.included_by_hand and cid not in matched]
    if by_hand:
        for c in load_candidates(
            session,
            owners=owners,
            filters=None,
            invitation_id=invitation.id,
            contact_ids=by_hand,
        ):
            matched[c.contact_id] = c
    added: list[dict[str, object]] = []
    changed: list[StoredGuest] = []
    for contact_id, candidate in matched.items():
        verdict = judge_guest(candidate.facts, now, candidate.time_zone)
        known = stored.get(contact_id)
        judged = StoredGuest(
            id=known.id if known else uuid.UUID(int=0),
            included_by_hand=known.included_by_hand if known else False,
            status=guest_status(verdict, known.included_by_hand if known else False),
            reason=verdict.reason or "",
            words="" if verdict.invited else verdict.words,
        )
        if known is None:
            row = _new_guest(invitation.id, contact_id)
            row.update(
                status=judged.status, excluded_reason=judged.reason, reason_words=judged.words
            )
            added.append(row)
        elif judged != known:
            changed.append(judged)
    removed = [guest.id for cid, guest in stored.items() if cid not in matched]
    write_guest_list(session, added=added, changed=changed, removed=removed)


def create_invitation(
    *, session: Session, actor: Actor, invitation_in: InvitationIn, now: datetime
) -> InvitationPreview:
    """Write a draft invitation and its guest list; answers its preview.

    Raises Invalid (an event without a date, a campaign with one) and Forbidden
    (an owner filter naming someone outside the actor's team).
    """
    try:
        check_event(invitation_in.kind, invitation_in.starts_at)
    except RuleError as error:
        raise Invalid(error.message, error.field) from error
    filters = invitation_in.filters
    _owners(session, actor, filters.owner_id)
    begin_writing(session)
    invitation = Invitation(
        owner_id=actor.id,
        team_id=actor.team_id,
        kind=invitation_in.kind,
        title=invitation_in.title,
        message=invitation_in.message,
        starts_at=invitation_in.starts_at,
        place=invitation_in.place,
        filters=filters.model_dump(mode="json", exclude_defaults=True),
        created_at=now,
        updated_at=now,
    )
    session.add(invitation)
    session.flush()
    _rejudge(session, actor, invitation, now)
    return _preview(session, invitation)


def list_invitations(*, session: Session, actor: Actor) -> list[InvitationPublic]:
    """The invitations the actor may see, newest first."""
    query = select(Invitation, User.name).join(User, col(User.id) == Invitation.owner_id)
    owners = visible_owner_ids(session, actor)
    if owners is not None:
        query = query.where(col(Invitation.owner_id).in_(owners))
    rows = session.exec(query.order_by(col(Invitation.created_at).desc(), col(Invitation.id)))
    return [public_invitation(invitation, name) for invitation, name in rows]


def get_invitation(*, session: Session, actor: Actor, invitation_id: uuid.UUID) -> InvitationPublic:
    invitation = load_invitation(session, actor, invitation_id)
    owner = session.get(User, invitation.owner_id)
    return public_invitation(invitation, owner.name if owner else "")


def _preview(session: Session, invitation: Invitation) -> InvitationPreview:
    owner = session.get(User, invitation.owner_id)
    lines = guest_lines(session, invitation)
    excluded = [line for line in lines if line.status == "excluded"]
    return InvitationPreview(
        invitation=public_invitation(invitation, owner.name if owner else ""),
        invited=[line for line in lines if line.status != "excluded"],
        excluded=excluded,
        excluded_by_reason=dict(Counter(line.reason or "" for line in excluded)),
    )


def preview_invitation(
    *, session: Session, actor: Actor, invitation_id: uuid.UUID, now: datetime
) -> InvitationPreview:
    """Who will be invited and who will not, with the reason in words; a draft is judged again."""
    invitation = load_invitation(session, actor, invitation_id)
    if invitation.state == "draft":
        begin_writing(session)
        _rejudge(session, actor, invitation, now)
    return _preview(session, invitation)


def include_guest(
    *,
    session: Session,
    actor: Actor,
    invitation_id: uuid.UUID,
    contact_id: uuid.UUID,
    confirm: bool,
    now: datetime,
) -> GuestLine:
    """Invite one excluded person by hand. Needs `confirm=True` (Invalid otherwise);
    Conflict once sending started or when the reason is final (do-not-contact,
    unsubscribed, no e-mail)."""
    invitation = load_invitation(session, actor, invitation_id)
    if invitation.state != "draft":
        raise Conflict(NOT_A_DRAFT)
    begin_writing(session)
    _rejudge(session, actor, invitation, now)
    guest = session.exec(
        select(InvitationGuest)
        .where(
            InvitationGuest.invitation_id == invitation.id,
            InvitationGuest.contact_id == contact_id,
        )
        # Judged again just above by statements the session did not see.
        .execution_options(populate_existing=True)
    ).first()
    if guest is None:
        raise NotFound(GUEST_NOT_FOUND)
    line = _line(session, invitation, contact_id)
    if guest.status == "excluded" and not line.overridable:
        raise Conflict(FINAL_REASON.format(words=line.reason_words))
    if not confirm:
        raise Invalid(CONFIRM_NEEDED, "confirm")
    if guest.status == "excluded":
        guest.included_by_hand = True
        guest.status = "invited"
        invitation.updated_at = now
        session.add_all([guest, invitation])
        session.flush()
    return _line(session, invitation, contact_id)


def _line(session: Session, invitation: Invitation, contact_id: uuid.UUID) -> GuestLine:
    lines = guest_lines(session, invitation, contact_ids=[contact_id])
    if not lines:
        raise NotFound(GUEST_NOT_FOUND)
    return lines[0]


def send_invitation(
    *, session: Session, actor: Actor, invitation_id: uuid.UUID, now: datetime
) -> SendProgress:
    """Fix the guest list (judged once more) and start sending.

    With RAPPORT_SMTP_URL set, the copies go out in the background once this
    transaction commits (services/invitation_sending.py); without it the channel
    is "mailto" and each guest's `mailto` link is sent by hand, then `mark_sent`.
    Sending again resumes a run that stopped (SMTP unreachable); Conflict when
    everything is sent already.
    """
    invitation = load_invitation(session, actor, invitation_id)
    if invitation.state == "sent":
        raise Conflict("This invitation has been sent already.")
    if invitation.channel == "smtp" and get_settings().smtp_url is None:
        raise Conflict(NO_MAIL_SERVER)
    begin_writing(session)
    if invitation.state == "draft":
        _rejudge(session, actor, invitation, now)
        invitation.state = "sending"
        invitation.channel = "smtp" if get_settings().smtp_url else "mailto"
        invitation.sent_at = now
    invitation.send_error = ""
    invitation.updated_at = now
    if copy_counts(session, invitation.id).pending == 0:
        invitation.state = "sent"  # nobody to send to, or every copy given up on
    session.add(invitation)
    session.flush()
    if invitation.channel == "smtp" and invitation.state == "sending":
        chosen = invitation.id

        def _after_commit(_session: Session) -> None:
            start_sending(chosen)

        event.listen(session, "after_commit", _after_commit, once=True)
    return sending_progress(session=session, actor=actor, invitation_id=invitation.id)
