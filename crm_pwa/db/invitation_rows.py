"""The statements behind sending an invitation: claim copies, record them sent, count them."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, col, func, select

from crm_pwa.db.contact import Contact
from crm_pwa.db.engine import begin_writing
from crm_pwa.db.invitation import InvitationGuest
from crm_pwa.db.note_rows import table_of

# A copy is given up on after this many failed tries (or at once, when the server
# refuses the address for good).
MAX_ATTEMPTS = 3


@dataclass(frozen=True, slots=True)
class ClaimedCopy:
    guest: InvitationGuest
    name: str
    company: str
    email: str


def _to_send(invitation_id: uuid.UUID) -> sa.ColumnElement[bool]:
    return sa.and_(
        col(InvitationGuest.invitation_id) == invitation_id,
        col(InvitationGuest.status) != "excluded",
        col(InvitationGuest.sent_at).is_(None),
        col(InvitationGuest.attempts) < MAX_ATTEMPTS,
    )


def claim_copies(
    session: Session,
    invitation_id: uuid.UUID,
    claim: str,
    *,
    now: datetime,
    stale_before: datetime,
    limit: int,
) -> list[ClaimedCopy]:
    """Claim up to `limit` unsent copies for the run `claim`: free ones, ones this run
    (a retry of it) already held, and ones whose run went silent before `stale_before`.

    Copies of people who since asked for no contact or unsubscribed are excluded
    instead of claimed. The caller commits, so the claim holds before anything is sent.
    """
    begin_writing(session)
    # The guard's final reasons, as they stand now: they may have changed since the preview.
    for flag, reason, words in (
        (Contact.do_not_contact, "do_not_contact", "Asked not to be contacted"),
        (Contact.invitations_opt_out, "unsubscribed", "Unsubscribed from invitations"),
    ):
        gone = select(Contact.id).where(col(flag).is_(True))
        session.connection().execute(
            sa.update(InvitationGuest)
            .where(_to_send(invitation_id), col(InvitationGuest.contact_id).in_(gone))
            .values(status="excluded", excluded_reason=reason, reason_words=words, send_claim=None)
        )
    free = sa.or_(
        col(InvitationGuest.send_claim).is_(None),
        col(InvitationGuest.send_claim) == claim,
        col(InvitationGuest.claimed_at) < stale_before,
    )
    ids_query = (
        select(InvitationGuest.id)
        .where(_to_send(invitation_id), free)
        .order_by(col(InvitationGuest.id))
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    ids = list(session.exec(ids_query))
    if not ids:
        return []
    session.connection().execute(
        sa.update(InvitationGuest)
        .where(col(InvitationGuest.id).in_(ids), free)
        .values(send_claim=claim, claimed_at=now)
    )
    rows = session.exec(
        select(InvitationGuest, Contact.name, Contact.company, Contact.email)
        .join(Contact, col(Contact.id) == InvitationGuest.contact_id)
        .where(col(InvitationGuest.id).in_(ids), col(InvitationGuest.send_claim) == claim)
        .order_by(col(InvitationGuest.id))
        .execution_options(populate_existing=True)
    ).all()
    return [ClaimedCopy(guest, name, company, email) for guest, name, company, email in rows]


def record_sent(session: Session, guest_id: uuid.UUID, now: datetime) -> None:
    session.connection().execute(
        sa.update(InvitationGuest)
        .where(col(InvitationGuest.id) == guest_id, col(InvitationGuest.sent_at).is_(None))
        .values(sent_at=now, send_claim=None, send_error="")
    )


def record_failure(session: Session, guest_id: uuid.UUID, error: str, *, final: bool) -> None:
    """One failed try of a copy (a refusal for good gives up on it at once)."""
    attempts = sa.literal(MAX_ATTEMPTS) if final else col(InvitationGuest.attempts) + 1
    session.connection().execute(
        sa.update(InvitationGuest)
        .where(col(InvitationGuest.id) == guest_id)
        .values(attempts=attempts, send_error=error[:500], send_claim=None)
    )


def release_claims(session: Session, invitation_id: uuid.UUID, claim: str) -> None:
    """Hand back what the run `claim` holds and did not send: nothing of it went out."""
    session.connection().execute(
        sa.update(InvitationGuest)
        .where(
            col(InvitationGuest.invitation_id) == invitation_id,
            col(InvitationGuest.send_claim) == claim,
            col(InvitationGuest.sent_at).is_(None),
        )
        .values(send_claim=None)
    )


@dataclass(frozen=True, slots=True)
class CopyCounts:
    total: int
    sent: int
    failed: int

    @property
    def pending(self) -> int:
        return self.total - self.sent - self.failed


def copy_counts(session: Session, invitation_id: uuid.UUID) -> CopyCounts:
    guests = InvitationGuest
    row = session.exec(
        select(
            func.count(),
            func.count(col(guests.sent_at)),
            func.sum(
                sa.case(
                    (
                        sa.and_(
                            col(guests.sent_at).is_(None), col(guests.attempts) >= MAX_ATTEMPTS
                        ),
                        1,
                    ),
                    else_=0,
                )
            ),
        ).where(col(guests.invitation_id) == invitation_id, col(guests.status) != "excluded")
    ).one()
    return CopyCounts(total=int(row[0]), sent=int(row[1]), failed=int(row[2] or 0))


def unlogged_copies(session: Session, invitation_id: uuid.UUID) -> list[InvitationGuest]:
    """Copies sent whose outbound e-mail is not on the contact's timeline yet."""
    return list(
        session.exec(
            select(InvitationGuest).where(
                col(InvitationGuest.invitation_id) == invitation_id,
                col(InvitationGuest.sent_at).is_not(None),
                col(InvitationGuest.interaction_id).is_(None),
            )
        )
    )


@dataclass(frozen=True, slots=True)
class StoredGuest:
    id: uuid.UUID
    included_by_hand: bool
    status: str
    reason: str
    words: str


def stored_guests(session: Session, invitation_id: uuid.UUID) -> dict[uuid.UUID, StoredGuest]:
    """The guest list as stored, by contact."""
    guests = table_of(InvitationGuest).c
    rows = session.connection().execute(
        sa.select(
            guests.contact_id,
            guests.id,
            guests.included_by_hand,
            guests.status,
            guests.excluded_reason,
            guests.reason_words,
        ).where(guests.invitation_id == invitation_id)
    )
    return {row[0]: StoredGuest(*row[1:]) for row in rows}


def write_guest_list(
    session: Session,
    *,
    added: list[dict[str, object]],
    changed: list[StoredGuest],
    removed: list[uuid.UUID],
) -> None:
    """Insert, update (status and reason) and delete guest rows, a statement each."""
    table = table_of(InvitationGuest)
    connection = session.connection()
    if added:
        connection.execute(sa.insert(table), added)
    if changed:
        connection.execute(
            sa.update(table)
            .where(table.c.id == sa.bindparam("guest_id"))
            .values(
                status=sa.bindparam("new_status"),
                excluded_reason=sa.bindparam("new_reason"),
                reason_words=sa.bindparam("new_words"),
            ),
            [
                {
                    "guest_id": guest.id,
                    "new_status": guest.status,
                    "new_reason": guest.reason,
                    "new_words": guest.words,
                }
                for guest in changed
            ],
        )
    if removed:
        connection.execute(sa.delete(table).where(table.c.id.in_(removed)))
