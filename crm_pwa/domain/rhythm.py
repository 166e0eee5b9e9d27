"""Who to reach out to this week: contacts whose rhythm has lapsed.

A contact's rhythm is the days expected between two contacts (its tier's, or
its own override, as in the health score). It has lapsed when the last
interaction is more than one rhythm ago; a contact never talked to counts from
the day it was added, so a new high-tier contact is not forgotten either.
People who asked not to be contacted never appear.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from crm_pwa.domain.health import DEFAULT_MODEL, TIERS, HealthModel

_TIER_ORDER = {tier: order for order, tier in enumerate(TIERS)}


@dataclass(frozen=True, slots=True)
class RhythmFacts:
    key: str
    tier: str
    rhythm_days: int | None
    last_interaction_on: date | None
    added_on: date
    do_not_contact: bool = False


@dataclass(frozen=True, slots=True)
class Lapsed:
    key: str
    tier: str
    rhythm_days: int
    days_since_last: int
    days_overdue: int
    never_contacted: bool


def lapsed(facts: RhythmFacts, today: date, model: HealthModel = DEFAULT_MODEL) -> Lapsed | None:
    """The lapse of one contact's rhythm as of `today`, or None while it holds."""
    if facts.do_not_contact:
        return None
    rhythm = model.rhythm_days_for(facts.tier, facts.rhythm_days)
    since = facts.last_interaction_on or facts.added_on
    days = (today - since).days
    if days <= rhythm:
        return None
    return Lapsed(
        key=facts.key,
        tier=facts.tier,
        rhythm_days=rhythm,
        days_since_last=days,
        days_overdue=days - rhythm,
        never_contacted=facts.last_interaction_on is None,
    )


def reach_out(
    contacts: Iterable[RhythmFacts],
    today: date,
    limit: int = 10,
    model: HealthModel = DEFAULT_MODEL,
) -> list[Lapsed]:
    """Lapsed contacts, high tier first, then the most overdue; at most `limit`."""
    found = [hit for facts in contacts if (hit := lapsed(facts, today, model)) is not None]
    found.sort(key=lambda hit: (_TIER_ORDER.get(hit.tier, len(_TIER_ORDER)), -hit.days_overdue))
    return found[:limit]
