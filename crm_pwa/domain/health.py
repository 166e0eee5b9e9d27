"""The relationship health score: a 0-100 number that explains itself.

Five parts, each between 0 and 1, are weighed into the score (docs/health.md
walks a manager through them with a worked example):

- recency: 1 while the last interaction is at most one rhythm `c` old, then
  halving for every further `c` days: `0.5 ** ((g - c) / c)`.
- rhythm: `min(1, n / 4)` for the `n` interactions of the last `4c` days,
  times `min(1, 8 / m)` for the `m` interactions of the `4c` days up to and
  including the last one. The over-contact count ends at the last interaction
  so that silence alone never looks like an improvement: only recency and
  under-contact change while nobody calls.
- follow-through: `(kept + 1) / (settled + 1) * 0.75 ** (overdue + broken)`.
  Settled are the follow-ups due in the last 90 days that are done, broken or
  overdue; kept are those done on or before their due date after talking to
  the contact; the `+ 1` is one kept promise of benefit of the doubt, so a
  single slip does not zero a young relationship. Overdue is domain/due.py's
  rule; broken and kept are domain/follow_through.py's.
- sentiment: the weighted mean of positive 1, neutral 0.6, negative 0, where an
  interaction weighs half as much as one a rhythm newer.
- care: `0.7` for every open complaint up to 2 days old, `0.3` for every older
  one, multiplied together.

The score is computed "as of" `today`: interactions, complaints and
completions dated after it are ignored, so past weeks can be scored again.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Literal

from crm_pwa.domain.follow_through import (
    FollowUpFact,
    follow_through,
    follow_through_reason,
)
from crm_pwa.domain.interaction_days import InteractionFact, day_numbers, sentiments_of
from crm_pwa.domain.rounding import whole

Band = Literal["strong", "watch", "at_risk", "new"]
Trend = Literal["up", "down", "steady"]

TIERS = ("high", "medium", "low")
SENTIMENTS = ("positive", "neutral", "negative")
PARTS = ("recency", "rhythm", "follow_through", "sentiment", "care")
NEW_REASON = "No interaction logged yet"
_KNOWN_SENTIMENTS = frozenset(SENTIMENTS)


@dataclass(frozen=True, slots=True)
class HealthModel:
    """Every constant of the health score; change the model here and nowhere else."""

    recency_weight: float = 0.35
    rhythm_weight: float = 0.20
    follow_through_weight: float = 0.20
    sentiment_weight: float = 0.15
    care_weight: float = 0.10

    # Days expected between two contacts, unless the contact sets its own.
    high_rhythm_days: int = 7
    medium_rhythm_days: int = 30
    low_rhythm_days: int = 90

    # Rhythm looks back this many rhythms and expects one contact in each.
    rhythm_periods: int = 4
    # Contacting more than this many times the expected count is over-contact.
    over_contact_factor: int = 2

    follow_through_days: int = 90
    overdue_factor: float = 0.75

    positive_value: float = 1.0
    neutral_value: float = 0.6
    negative_value: float = 0.0
    # Below this the reason says interactions "went badly", above "lukewarm".
    bad_sentiment_below: float = 0.5

    complaint_grace_days: int = 2
    fresh_complaint_factor: float = 0.7
    stale_complaint_factor: float = 0.3

    strong_from: int = 70
    watch_from: int = 40

    trend_threshold: float = 5.0
    trend_weeks: int = 4

    # A rep's or team's score weighs each contact by its tier.
    high_tier_weight: int = 3
    medium_tier_weight: int = 2
    low_tier_weight: int = 1

    # A part costing fewer points than this is not worth a reason.
    reason_min_points: float = 2.0

    def __post_init__(self) -> None:
        weights = (
            self.recency_weight,
            self.rhythm_weight,
            self.follow_through_weight,
            self.sentiment_weight,
            self.care_weight,
        )
        if min(weights) < 0 or not math.isclose(sum(weights), 1.0):
            raise ValueError(f"part weights must be 0 or more and add up to 1, not {weights}")
        if min(self.high_rhythm_days, self.medium_rhythm_days, self.low_rhythm_days) < 1:
            raise ValueError("tier rhythms must be at least 1 day")
        factors = (self.overdue_factor, self.fresh_complaint_factor, self.stale_complaint_factor)
        if not all(0 < factor < 1 for factor in factors):
            raise ValueError(f"penalty factors must be between 0 and 1, not {factors}")
        values = (self.positive_value, self.neutral_value, self.negative_value)
        if not all(0 <= value <= 1 for value in values):
            raise ValueError(f"sentiment values must be between 0 and 1, not {values}")
        if not 0 <= self.watch_from <= self.strong_from <= 100:
            raise ValueError("bands need 0 <= watch_from <= strong_from <= 100")
        if self.reason_min_points * len(weights) > 100 - self.strong_from:
            # Otherwise a score below strong could come without any reason.
            raise ValueError("reason_min_points is too high for the strong band")

    def rhythm_days_for(self, tier: str, override: int | None = None) -> int:
        """Days expected between contacts: the contact's own, else its tier's."""
        if override is not None:
            if override < 1:
                raise ValueError(f"rhythm_days must be at least 1, not {override}")
            return override
        if tier == "high":
            return self.high_rhythm_days
        if tier == "medium":
            return self.medium_rhythm_days
        if tier == "low":
            return self.low_rhythm_days
        raise ValueError(f"unknown tier {tier!r}; expected one of {', '.join(TIERS)}")

    def tier_weight(self, tier: str) -> int:
        if tier == "high":
            return self.high_tier_weight
        if tier == "medium":
            return self.medium_tier_weight
        if tier == "low":
            return self.low_tier_weight
        raise ValueError(f"unknown tier {tier!r}; expected one of {', '.join(TIERS)}")


DEFAULT_MODEL = HealthModel()


@dataclass(frozen=True, slots=True)
class ComplaintFact:
    opened_on: date
    resolved_on: date | None


@dataclass(frozen=True, slots=True)
class RelationshipFacts:
    """What the score needs to know about one contact; `rhythm_days` None = tier default."""

    tier: str
    rhythm_days: int | None
    interactions: Sequence[InteractionFact]
    follow_ups: Sequence[FollowUpFact]
    complaints: Sequence[ComplaintFact]


@dataclass(frozen=True, slots=True)
class Health:
    """A score with its parts (each 0..1, keyed by PARTS) and reasons, main one first.

    A "new" contact has no score, no parts and the single reason NEW_REASON.
    """

    score: int | None
    band: Band
    parts: dict[str, float]
    reasons: tuple[str, ...]


def score_relationship(
    facts: RelationshipFacts, today: date, model: HealthModel = DEFAULT_MODEL
) -> Health:
    """Score one relationship as of `today`; see the module docstring for the formulas."""
    cadence = model.rhythm_days_for(facts.tier, facts.rhythm_days)
    contact = _contact_pattern(facts.interactions, today, cadence, model)
    if contact is None:
        return Health(score=None, band="new", parts={}, reasons=(NEW_REASON,))
    newest, recent, run, sentiment = contact
    promises = follow_through(
        facts.follow_ups,
        facts.interactions,
        today,
        window_days=model.follow_through_days,
        overdue_factor=model.overdue_factor,
    )
    care, open_complaints, oldest_complaint = _care(facts.complaints, today, model)

    recency = 1.0 if newest <= cadence else 0.5 ** ((newest - cadence) / cadence)
    window = model.rhythm_periods * cadence
    under_contact = min(1.0, recent / model.rhythm_periods)
    ceiling = model.over_contact_factor * model.rhythm_periods
    over_contact = 1.0 if run <= ceiling else ceiling / run
    rhythm = under_contact * over_contact

    points = 100 * (
        model.recency_weight * recency
        + model.rhythm_weight * rhythm
        + model.follow_through_weight * promises.part
        + model.sentiment_weight * sentiment
        + model.care_weight * care
    )
    score = min(100, max(0, whole(points)))

    # Reasons are ranked by the points each part costs; ties keep PARTS order.
    min_loss = model.reason_min_points
    ranked: list[tuple[float, int, str]] = []
    loss = 100 * model.recency_weight * (1 - recency)
    if loss >= min_loss:
        ranked.append((-loss, 0, f"No contact for {newest} days; expected every {cadence}"))
    loss = 100 * model.rhythm_weight * (1 - rhythm)
    if loss >= min_loss:
        text = (
            _under_contact_reason(recent, window, model.rhythm_periods)
            if under_contact <= over_contact
            else _over_contact_reason(run, window, model.rhythm_periods, newest)
        )
        ranked.append((-loss, 1, text))
    loss = 100 * model.follow_through_weight * (1 - promises.part)
    if loss >= min_loss:
        ranked.append((-loss, 2, follow_through_reason(promises, model.follow_through_days)))
    loss = 100 * model.sentiment_weight * (1 - sentiment)
    if loss >= min_loss:
        text = (
            "Recent interactions went badly"
            if sentiment < model.bad_sentiment_below
            else "Recent interactions were lukewarm"
        )
        ranked.append((-loss, 3, text))
    loss = 100 * model.care_weight * (1 - care)
    if loss >= min_loss:
        ranked.append((-loss, 4, _care_reason(open_complaints, oldest_complaint)))
    ranked.sort()

    return Health(
        score=score,
        band=band_for(score, model),
        parts={
            "recency": recency,
            "rhythm": rhythm,
            "follow_through": promises.part,
            "sentiment": sentiment,
            "care": care,
        },
        reasons=tuple(text for _, _, text in ranked),
    )


def _contact_pattern(
    interactions: Sequence[InteractionFact], today: date, cadence: int, model: HealthModel
) -> tuple[int, int, int, float] | None:
    """Days since the last interaction, the under- and over-contact counts, and sentiment.

    None when nothing happened on or before `today`.
    """
    sentiments = sentiments_of(interactions)
    if not _KNOWN_SENTIMENTS.issuperset(sentiments):
        unknown = next(sentiment for sentiment in sentiments if sentiment not in SENTIMENTS)
        raise ValueError(f"unknown sentiment {unknown!r}; expected one of {', '.join(SENTIMENTS)}")
    today_ord = today.toordinal()
    # Ages are whole days before today; later interactions (negative ages) are ignored.
    ages = [today_ord - day for day in day_numbers(interactions)]
    past = [age for age in ages if age >= 0]
    if not past:
        return None
    newest = min(past)

    window = model.rhythm_periods * cadence
    positive, neutral, negative = model.positive_value, model.neutral_value, model.negative_value
    recent = 0
    run = 0
    # Summed with fsum at the end: exactly rounded, so the order the facts
    # arrive in (say, from the database) cannot change a single bit.
    weights: list[float] = []
    weighted_values: list[float] = []
    for age, sentiment in zip(ages, sentiments, strict=True):
        if age < 0:
            continue
        since_newest = age - newest
        if age < window:
            recent += 1
        if since_newest < window:
            run += 1
        weight = 0.5 ** (since_newest / cadence)
        weights.append(weight)
        if sentiment == "positive":
            weighted_values.append(weight * positive)
        elif sentiment == "neutral":
            weighted_values.append(weight * neutral)
        else:
            weighted_values.append(weight * negative)
    return newest, recent, run, math.fsum(weighted_values) / math.fsum(weights)


def _care(
    complaints: Sequence[ComplaintFact], today: date, model: HealthModel
) -> tuple[float, int, int]:
    """The care part, with the number of open complaints and the oldest one's age in days."""
    today_ord = today.toordinal()
    open_complaints = stale = oldest = 0
    for complaint in complaints:
        opened = complaint.opened_on.toordinal()
        resolved_on = complaint.resolved_on
        if opened > today_ord or (resolved_on is not None and resolved_on <= today):
            continue
        open_complaints += 1
        age = today_ord - opened
        oldest = max(oldest, age)
        if age > model.complaint_grace_days:
            stale += 1
    part = (
        model.fresh_complaint_factor ** (open_complaints - stale)
        * model.stale_complaint_factor**stale
    )
    return part, open_complaints, oldest


def _days(n: int) -> str:
    return "1 day" if n == 1 else f"{n} days"


def _under_contact_reason(recent: int, window: int, expected: int) -> str:
    span = f"in the last {window} days; expected about {expected}"
    if recent == 0:
        return f"Not contacted {span}"
    if recent == 1:
        return f"Contacted once {span}"
    return f"Contacted {recent} times {span}"


def _over_contact_reason(run: int, window: int, expected: int, newest: int) -> str:
    span = f"the last {window} days" if newest == 0 else f"the {window} days up to the last contact"
    return f"Contacted {run} times in {span}; expected about {expected}"


def _care_reason(open_complaints: int, oldest: int) -> str:
    if open_complaints == 1:
        return "Complaint opened today" if oldest == 0 else f"Complaint open for {_days(oldest)}"
    if oldest == 0:
        return f"{open_complaints} complaints opened today"
    return f"{open_complaints} complaints open, the oldest for {_days(oldest)}"


def band_for(score: int | None, model: HealthModel = DEFAULT_MODEL) -> Band:
    """strong, watch or at_risk for a score; "new" when there is none."""
    if score is None:
        return "new"
    if score >= model.strong_from:
        return "strong"
    if score >= model.watch_from:
        return "watch"
    return "at_risk"


def trend(
    this_week: float | None,
    previous: Sequence[float | None],
    model: HealthModel = DEFAULT_MODEL,
) -> Trend:
    """This week against the mean of the weeks before it.

    `previous` lists weekly scores oldest first; only the last `trend_weeks`
    (four) count, and weeks without a score (None) are left out of the mean.
    No score this week, or none in those weeks, is "steady".
    """
    if this_week is None:
        return "steady"
    history = [score for score in previous[-model.trend_weeks :] if score is not None]
    if not history:
        return "steady"
    # Rounded so that float noise cannot flip a change of exactly 5 points.
    change = round(this_week - sum(history) / len(history), 6)
    if change >= model.trend_threshold:
        return "up"
    if change <= -model.trend_threshold:
        return "down"
    return "steady"
