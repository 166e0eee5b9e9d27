"""How scores are averaged and rounded, wherever one is shown.

A rep's or a team's score is the mean of their scored contacts weighted by tier
(HealthModel's tier weights). The database sums scores per tier for speed
(services/team.py); `weighted_mean` weighs those sums, so one rule serves both
a list of single scores and the database's per-tier sums.

A mean is kept to one decimal ("74.5") and shown whole by domain/rounding.py,
halves up, like a single relationship's score: 74.5 is 75 on every screen.
"""

from __future__ import annotations

from collections.abc import Iterable

from crm_pwa.domain.health import DEFAULT_MODEL, HealthModel
from crm_pwa.domain.rounding import tenths


def weighted_mean(
    groups: Iterable[tuple[str, float, int]], model: HealthModel = DEFAULT_MODEL
) -> float | None:
    """The tier-weighted mean of (tier, sum of scores, how many scores) groups, to one decimal.

    A single contact is the group (tier, score, 1); None when nothing is scored.
    """
    total = 0.0
    weights = 0
    for tier, score_sum, count in groups:
        weight = model.tier_weight(tier)
        total += weight * score_sum
        weights += weight * count
    return tenths(total / weights) if weights else None
