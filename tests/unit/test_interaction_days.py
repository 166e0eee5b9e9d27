"""A full rescore hands interactions over as day numbers (`InteractionDays`); they must
score exactly as the same interactions given one `InteractionFact` each."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from crm_pwa.domain.follow_through import FollowUpFact
from crm_pwa.domain.health import (
    SENTIMENTS,
    InteractionFact,
    RelationshipFacts,
    score_relationship,
)
from crm_pwa.domain.interaction_days import InteractionDays

TODAY = date(2026, 11, 23)

interaction = st.builds(
    InteractionFact,
    st.integers(-5, 400).map(lambda age: TODAY - timedelta(days=age)),
    st.sampled_from(SENTIMENTS),
)
follow_up = st.builds(
    FollowUpFact,
    due_on=st.integers(-10, 120).map(lambda age: TODAY - timedelta(days=age)),
    status=st.sampled_from(("open", "done", "snoozed")),
    done_on=st.one_of(st.none(), st.integers(-3, 120).map(lambda a: TODAY - timedelta(days=a))),
    snooze_until=st.none(),
    promised_on=st.integers(0, 130).map(lambda age: TODAY - timedelta(days=age)),
    from_note=st.booleans(),
)


def as_days(interactions: list[InteractionFact]) -> InteractionDays:
    return InteractionDays(
        [fact.occurred_on.toordinal() for fact in interactions],
        [fact.sentiment for fact in interactions],
    )


@given(
    st.sampled_from(("high", "medium", "low")),
    st.lists(interaction, max_size=15),
    st.lists(follow_up, max_size=4),
)
def test_day_numbers_score_the_same_as_facts(
    tier: str, interactions: list[InteractionFact], follow_ups: list[FollowUpFact]
) -> None:
    as_facts = RelationshipFacts(tier, None, interactions, follow_ups, ())
    as_numbers = RelationshipFacts(tier, None, as_days(interactions), follow_ups, ())

    assert score_relationship(as_numbers, TODAY) == score_relationship(as_facts, TODAY)


def test_day_numbers_read_back_as_facts() -> None:
    interactions = [
        InteractionFact(TODAY, "positive"),
        InteractionFact(date(2026, 1, 2), "neutral"),
    ]

    days = as_days(interactions)

    assert list(days) == interactions
    assert days[1] == interactions[1]
    assert list(days[:1]) == interactions[:1]


def test_an_unknown_sentiment_is_refused_either_way() -> None:
    with pytest.raises(ValueError, match="unknown sentiment 'angry'"):
        score_relationship(
            RelationshipFacts("high", None, as_days([InteractionFact(TODAY, "angry")]), (), ()),
            TODAY,
        )


def test_days_and_sentiments_must_pair_up() -> None:
    with pytest.raises(ValueError, match="2 days for 1 sentiments"):
        InteractionDays([1, 2], ["positive"])
