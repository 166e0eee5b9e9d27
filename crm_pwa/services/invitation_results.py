"""What came of invitations: per invitation, and per rep (a manager sees the team's).

Counts: invited (on the list, whether or not they answered), sent, excluded (and
by reason), accepted, declined, attended, unsubscribed (through this invitation's
link). An attended guest counts as accepted too: they came.
"""

from __future__ import annotations

import uuid
from collections import Counter, defaultdict

import sqlalchemy as sa
from sqlmodel import Session, col, select

from crm_pwa.db.invitation import Invitation, InvitationGuest
from crm_pwa.db.note_rows import table_of
from crm_pwa.db.user import User
from crm_pwa.services.actor import Actor, visible_owner_ids
from crm_pwa.services.errors import Forbidden
from crm_pwa.services.invitation_lines import load_invitation
from crm_pwa.services.invitation_models import RepResults, Results

_Row = tuple[uuid.UUID, str, str, bool, bool]


def _results(invitations: int, rows: list[_Row]) -> Results:
    statuses = Counter(status for _, status, _, _, _ in rows)
    reasons = Counter(reason for _, status, reason, _, _ in rows if status == "excluded")
    return Results(
        invitations=invitations,
        invited=len(rows) - statuses["excluded"],
        sent=sum(1 for _, _, _, sent, _ in rows if sent),
        excluded=statuses["excluded"],
        excluded_by_reason=dict(reasons),
        accepted=statuses["accepted"] + statuses["attended"],
        declined=statuses["declined"],
        attended=statuses["attended"],
        unsubscribed=sum(1 for *_, gone in rows if gone),
    )


def _rows(session: Session, invitation_ids: list[uuid.UUID]) -> list[_Row]:
    if not invitation_ids:
        return []
    guests = table_of(InvitationGuest).c
    found = session.connection().execute(
        sa.select(
            guests.invitation_id,
            guests.status,
            guests.excluded_reason,
            guests.sent_at.is_not(None),
            guests.unsubscribed_at.is_not(None),
        ).where(guests.invitation_id.in_(invitation_ids))
    )
    return [(row[0], row[1], row[2], bool(row[3]), bool(row[4])) for row in found]


def invitation_results(*, session: Session, actor: Actor, invitation_id: uuid.UUID) -> Results:
    """The counts of one invitation the actor may see (NotFound otherwise)."""
    invitation = load_invitation(session, actor, invitation_id)
    return _results(1, _rows(session, [invitation.id]))


def rep_results(
    *, session: Session, actor: Actor, owner_id: uuid.UUID | None = None
) -> list[RepResults]:
    """Each rep's invitations summed, by name: a rep gets their own, a manager each
    person of the team (one with `owner_id`), an admin everyone who invited.
    Forbidden for an `owner_id` outside the actor's team."""
    owners = visible_owner_ids(session, actor)
    if owner_id is not None:
        if owners is not None and owner_id not in owners:
            raise Forbidden("You may see the results of your own team only.")
        owners = [owner_id]
    query = select(Invitation.id, Invitation.owner_id)
    if owners is not None:
        query = query.where(col(Invitation.owner_id).in_(owners))
    by_owner: dict[uuid.UUID, list[uuid.UUID]] = defaultdict(list)
    for invitation_id, owner in session.exec(query):
        by_owner[owner].append(invitation_id)
    people = owners if owners is not None else list(by_owner)
    names = dict(session.exec(select(User.id, User.name).where(col(User.id).in_(people))).all())
    rows = _rows(session, [i for ids in by_owner.values() for i in ids])
    per_invitation: dict[uuid.UUID, list[_Row]] = defaultdict(list)
    for row in rows:
        per_invitation[row[0]].append(row)
    answer = [
        RepResults(
            owner_id=person,
            name=names.get(person, ""),
            results=_results(
                len(by_owner[person]),
                [row for i in by_owner[person] for row in per_invitation[i]],
            ),
        )
        for person in people
        if person in names
    ]
    return sorted(answer, key=lambda item: (item.name, item.owner_id))


def team_results(*, session: Session, actor: Actor) -> Results:
    """Everything the actor may see summed: the team's total for a manager."""
    per_rep = rep_results(session=session, actor=actor)
    total = Results(
        invitations=0,
        invited=0,
        sent=0,
        excluded=0,
        excluded_by_reason={},
        accepted=0,
        declined=0,
        attended=0,
        unsubscribed=0,
    )
    reasons: Counter[str] = Counter()
    for rep in per_rep:
        r = rep.results
        total.invitations += r.invitations
        total.invited += r.invited
        total.sent += r.sent
        total.excluded += r.excluded
        total.accepted += r.accepted
        total.declined += r.declined
        total.attended += r.attended
        total.unsubscribed += r.unsubscribed
        reasons.update(r.excluded_by_reason)
    total.excluded_by_reason = dict(reasons)
    return total
