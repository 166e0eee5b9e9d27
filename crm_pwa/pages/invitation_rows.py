"""What the invitation pages show, in words: an invitation's line, a guest's line, the counts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from crm_pwa import routes
from crm_pwa.domain.days import zone
from crm_pwa.services.invitation_models import (
    FollowUpOffer,
    GuestLine,
    InvitationPublic,
    Results,
)

KIND_LABELS = {"event": "Event", "campaign": "Campaign"}
STATE_LABELS = {"draft": "Draft", "sending": "Sending", "sent": "Sent"}
STATUS_LABELS = {
    "invited": "Invited",
    "accepted": "Accepted",
    "declined": "Declined",
    "attended": "Attended",
    "excluded": "Not invited",
}
# The short name of each of the guard's reasons, for the counts (a guest's line
# carries the reason's full words, e.g. "Low-touch, contacted 12 days ago").
REASON_LABELS = {
    "do_not_contact": "Asked not to be contacted",
    "unsubscribed": "Unsubscribed",
    "no_email": "No e-mail address",
    "open_complaint": "Open complaint",
    "invited_recently": "Invited recently",
    "contacted_recently": "Contacted within their rhythm",
}
# The answers a rep records from a guest; attendance has its own step.
ANSWERS = (("invited", "No answer yet"), ("accepted", "Accepted"), ("declined", "Declined"))


def when_label(moment: datetime | None, time_zone: str) -> str:
    """An event's start in the rep's zone, e.g. "Tue 8 Dec 2026, 18:00"; "" for a campaign."""
    if moment is None:
        return ""
    local = moment.astimezone(zone(time_zone))
    return f"{local:%a} {local.day} {local:%b %Y, %H:%M}"


@dataclass
class InvitationRow:
    id: str
    href: str
    title: str
    kind: str
    state: str
    state_label: str
    when: str
    owner_name: str

    @classmethod
    def of(cls, invitation: InvitationPublic, time_zone: str) -> InvitationRow:
        where = f" · {invitation.place}" if invitation.place else ""
        when = when_label(invitation.starts_at, time_zone)
        return cls(
            id=str(invitation.id),
            href=routes.invitation(str(invitation.id)),
            title=invitation.title,
            kind=KIND_LABELS.get(invitation.kind, invitation.kind),
            state=invitation.state,
            state_label=STATE_LABELS.get(invitation.state, invitation.state),
            when=(when + where) if when else "E-mail campaign",
            owner_name=invitation.owner_name,
        )


@dataclass
class GuestRow:
    contact_id: str
    contact_href: str
    name: str
    company: str
    email: str
    status: str
    status_label: str
    reason_words: str
    overridable: bool
    included_by_hand: bool
    sent: bool
    send_error: str
    mailto: str

    @classmethod
    def of(cls, line: GuestLine) -> GuestRow:
        return cls(
            contact_id=str(line.contact_id),
            contact_href=routes.contact(str(line.contact_id)),
            name=line.name,
            company=line.company,
            email=line.email,
            status=line.status,
            status_label=STATUS_LABELS.get(line.status, line.status),
            reason_words=line.reason_words,
            overridable=line.overridable,
            included_by_hand=line.included_by_hand,
            sent=line.sent_at is not None,
            send_error=line.send_error,
            mailto=line.mailto or "",
        )


@dataclass
class FollowUpRow:
    contact_id: str
    name: str
    title: str
    due_on: str

    @classmethod
    def of(cls, offer: FollowUpOffer) -> FollowUpRow:
        return cls(str(offer.contact_id), offer.name, offer.title, offer.due_on.isoformat())


@dataclass
class Count:
    label: str
    value: int


def result_counts(results: Results) -> list[Count]:
    """The counts in the order a rep reads an invitation's story: out, not out, came."""
    counts = [
        Count("Invited", results.invited),
        Count("Sent", results.sent),
        Count("Not invited", results.excluded),
    ]
    counts += [
        Count(f"Not invited: {REASON_LABELS.get(code, code)}", number)
        for code, number in sorted(results.excluded_by_reason.items())
        if number
    ]
    counts += [
        Count("Accepted", results.accepted),
        Count("Declined", results.declined),
        Count("Attended", results.attended),
        Count("Unsubscribed", results.unsubscribed),
    ]
    return counts


@dataclass
class RepCounts:
    name: str
    counts: list[Count]
