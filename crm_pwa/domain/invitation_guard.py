"""Who an invitation may go to: the relationship decides, before anything is sent.

A contact chosen by an invitation's filters is invited unless one of these holds,
checked in this order (the first that holds is the reason shown):

1. do-not-contact: the contact asked for no contact at all;
2. unsubscribed: the contact unsubscribed from invitations (one-click link);
3. no e-mail: there is no address to send to;
4. open complaint: a complaint is open, so a personal call fits better than a mailing;
5. invited recently: an invitation to something else went out in the last 14 days;
6. contacted within rhythm: a low- or medium-touch contact already contacted
   within their rhythm (the tier's, or the contact's own), because the invitation
   is one more contact and too many hurt such a relationship (docs/health.md).

Days are the owner's calendar days (domain/days.py): "contacted 30 days ago"
means the same here as on the card and in the health score. The sender may
include a contact excluded for reasons 4-6 by hand; reasons 1-3 are final
(the person said no, or there is nowhere to send).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from crm_pwa.domain.days import local_day
from crm_pwa.domain.health import DEFAULT_MODEL, HealthModel

Reason = Literal[
    "do_not_contact",
    "unsubscribed",
    "no_email",
    "open_complaint",
    "invited_recently",
    "contacted_recently",
]

REASONS: tuple[Reason, ...] = (
    "do_not_contact",
    "unsubscribed",
    "no_email",
    "open_complaint",
    "invited_recently",
    "contacted_recently",
)
# What the sender may override by hand, after confirming: the relationship's
# judgement, not the person's own wish nor a missing address.
OVERRIDABLE: frozenset[Reason] = frozenset(
    {"open_complaint", "invited_recently", "contacted_recently"}
)
# Tiers whose contacts are not invited again within their rhythm.
GUARDED_TIERS = ("medium", "low")
INVITATION_GAP_DAYS = 14


@dataclass(frozen=True, slots=True)
class GuestFacts:
    """What the guard needs to know about one contact; times are UTC instants."""

    tier: str
    rhythm_days: int | None
    last_contact_at: datetime | None
    do_not_contact: bool
    unsubscribed: bool
    has_email: bool
    open_complaints: int
    last_invited_at: datetime | None


@dataclass(frozen=True, slots=True)
class Verdict:
    """Invited, or excluded with a reason code and its words."""

    invited: bool
    reason: Reason | None
    words: str

    @property
    def overridable(self) -> bool:
        return self.reason is not None and self.reason in OVERRIDABLE


INVITED = Verdict(True, None, "Invited")


def _days(n: int) -> str:
    if n == 0:
        return "today"
    if n == 1:
        return "yesterday"
    return f"{n} days ago"


def judge_guest(
    facts: GuestFacts, now: datetime, time_zone: str, model: HealthModel = DEFAULT_MODEL
) -> Verdict:
    """Whether one contact is invited, judged on the owner's day at `now` (see the module)."""
    if facts.do_not_contact:
        return Verdict(False, "do_not_contact", "Asked not to be contacted")
    if facts.unsubscribed:
        return Verdict(False, "unsubscribed", "Unsubscribed from invitations")
    if not facts.has_email:
        return Verdict(False, "no_email", "No e-mail address")
    if facts.open_complaints > 0:
        return Verdict(False, "open_complaint", "A complaint is open: call them in person instead")
    today = local_day(now, time_zone)
    if facts.last_invited_at is not None:
        gap = (today - local_day(facts.last_invited_at, time_zone)).days
        if gap < INVITATION_GAP_DAYS:
            return Verdict(
                False,
                "invited_recently",
                f"Invited to something else {_days(max(gap, 0))}; "
                f"at most one invitation in {INVITATION_GAP_DAYS} days",
            )
    if facts.tier in GUARDED_TIERS and facts.last_contact_at is not None:
        rhythm = model.rhythm_days_for(facts.tier, facts.rhythm_days)
        since = (today - local_day(facts.last_contact_at, time_zone)).days
        if since <= rhythm:
            return Verdict(
                False,
                "contacted_recently",
                f"{facts.tier.capitalize()}-touch, contacted {_days(max(since, 0))}; "
                f"expected every {rhythm} days",
            )
    return INVITED


def guest_status(verdict: Verdict, included_by_hand: bool) -> str:
    """Invited or excluded on the guest list: the guard's verdict, unless the sender
    included the person by hand and the reason is one that may be overridden."""
    if verdict.invited or (included_by_hand and verdict.overridable):
        return "invited"
    return "excluded"
