"""One rounding rule and one tier weighting for every score shown."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from crm_pwa.components.health_badge import badge_text
from crm_pwa.domain.health import TIERS
from crm_pwa.domain.rounding import tenths, whole
from crm_pwa.domain.scores import weighted_mean


def test_half_points_round_up_when_a_score_is_shown_whole() -> None:
    assert [whole(x) for x in (74.5, 75.5, 74.49, 0.5, 99.5)] == [75, 76, 74, 1, 100]
    assert badge_text("watch", 74.5) == "Watch 75"


def test_means_keep_one_decimal_halves_up_when_averaged() -> None:
    assert tenths(74.45) == 74.5
    assert tenths(74.44) == 74.4
    # 149 / 2 is 74.5 whatever the float noise of the division.
    assert weighted_mean([("low", 74, 1), ("low", 75, 1)]) == 74.5


def test_weighted_mean_counts_high_tier_three_times_a_low_one_when_averaging() -> None:
    assert weighted_mean([("high", 90, 1), ("low", 30, 1)]) == 75
    assert weighted_mean([("medium", 60, 1), ("low", 90, 1), ("high", 0, 0)]) == 70


@pytest.mark.parametrize("groups", [[], [("high", 0, 0), ("low", 0, 0)]])
def test_weighted_mean_is_none_when_no_contact_is_scored(
    groups: list[tuple[str, float, int]],
) -> None:
    assert weighted_mean(groups) is None


def test_weighted_mean_rejects_an_unknown_tier_when_averaging() -> None:
    with pytest.raises(ValueError, match="unknown tier 'vip'"):
        weighted_mean([("vip", 50, 1)])


@given(st.lists(st.tuples(st.sampled_from(TIERS), st.integers(0, 100)), max_size=30))
def test_per_tier_sums_give_the_mean_of_single_scores_when_grouped_like_the_database(
    scores: list[tuple[str, int]],
) -> None:
    singles = weighted_mean((tier, score, 1) for tier, score in scores)
    grouped = weighted_mean(
        (tier, sum(s for t, s in scores if t == tier), sum(1 for t, _ in scores if t == tier))
        for tier in TIERS
    )
    assert grouped == singles
