import dataclasses
from collections.abc import Sequence
from datetime import date, timedelta
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from crm_pwa.domain.follow_through import FOLLOW_UP_STATUSES, FollowUpFact
from crm_pwa.domain.health import (
    DEFAULT_MODEL,
    NEW_REASON,
    PARTS,
    SENTIMENTS,
    TIERS,
    ComplaintFact,
    Health,
    HealthModel,
    InteractionFact,
    RelationshipFacts,
    band_for,
    score_relationship,
    trend,
)

TODAY = date(2026, 11, 23)
DOCS = Path(__file__).resolve().parents[2] / "docs" / "health.md"


def ago(days: int) -> date:
    return TODAY - timedelta(days=days)


def facts(
    *,
    tier: str = "medium",
    rhythm_days: int | None = None,
    interactions: Sequence[InteractionFact] = (),
    follow_ups: Sequence[FollowUpFact] = (),
    complaints: Sequence[ComplaintFact] = (),
) -> RelationshipFacts:
    return RelationshipFacts(tier, rhythm_days, interactions, follow_ups, complaints)


def talked(*ages: int, sentiment: str = "positive") -> list[InteractionFact]:
    return [InteractionFact(ago(age), sentiment) for age in ages]


def overdue(days: int) -> FollowUpFact:
    return FollowUpFact(
        due_on=ago(days), status="open", done_on=None, snooze_until=None, promised_on=ago(days + 7)
    )


def score(relationship: RelationshipFacts) -> Health:
    return score_relationship(relationship, TODAY)


def sc(relationship: RelationshipFacts) -> int:
    result = score(relationship).score
    assert result is not None
    return result


# A relationship kept exactly to a medium rhythm: contact every 30 days, all positive.
ON_RHYTHM = talked(0, 30, 60, 90)

past_interactions = st.lists(
    st.builds(
        InteractionFact,
        occurred_on=st.integers(0, 800).map(ago),
        sentiment=st.sampled_from(SENTIMENTS),
    ),
    max_size=30,
)
any_interactions = st.lists(
    st.builds(
        InteractionFact,
        occurred_on=st.integers(-30, 800).map(ago),
        sentiment=st.sampled_from(SENTIMENTS),
    ),
    max_size=30,
)
follow_up_lists = st.lists(
    st.builds(
        FollowUpFact,
        due_on=st.integers(-30, 200).map(ago),
        status=st.sampled_from(FOLLOW_UP_STATUSES),
        done_on=st.none() | st.integers(-10, 220).map(ago),
        snooze_until=st.none() | st.integers(-30, 30).map(ago),
        promised_on=st.integers(-30, 400).map(ago),
        from_note=st.booleans(),
        changed_on=st.none() | st.integers(-30, 200).map(ago),
    ),
    max_size=8,
)
complaint_lists = st.lists(
    st.builds(
        ComplaintFact,
        opened_on=st.integers(-5, 60).map(ago),
        resolved_on=st.none() | st.integers(-5, 60).map(ago),
    ),
    max_size=4,
)


def relationships(
    interactions: st.SearchStrategy[list[InteractionFact]],
) -> st.SearchStrategy[RelationshipFacts]:
    return st.builds(
        RelationshipFacts,
        tier=st.sampled_from(TIERS),
        rhythm_days=st.none() | st.integers(1, 365),
        interactions=interactions,
        follow_ups=follow_up_lists,
        complaints=complaint_lists,
    )


@given(relationships(any_interactions))
def test_score_stays_within_0_and_100_when_facts_are_arbitrary(
    relationship: RelationshipFacts,
) -> None:
    health = score(relationship)

    if health.score is None:
        assert health.band == "new"
    else:
        assert 0 <= health.score <= 100
        assert health.band == band_for(health.score)
        assert set(health.parts) == set(PARTS)
        assert all(0 <= part <= 1 for part in health.parts.values())


@given(relationships(past_interactions), st.integers(1, 400))
# A low-tier contact called weekly: silence must not read as "stopped pestering".
@example(facts(tier="low", interactions=talked(*range(7, 364, 7))), 53)
def test_score_never_rises_when_the_silence_grows_longer(
    relationship: RelationshipFacts, extra_days: int
) -> None:
    longer = dataclasses.replace(
        relationship,
        interactions=[
            dataclasses.replace(i, occurred_on=i.occurred_on - timedelta(days=extra_days))
            for i in relationship.interactions
        ],
    )

    before, after = score(relationship), score(longer)

    if before.score is None:
        assert after.score is None
    else:
        assert after.score is not None
        assert after.parts["recency"] <= before.parts["recency"]
        # Moving the talks against follow-ups that stay put can change which promise
        # a talk kept (one logged the day after a follow-up was closed keeps nothing;
        # a day earlier it does): another story, not a longer silence.
        if after.parts["follow_through"] == before.parts["follow_through"]:
            assert after.score <= before.score


def test_score_falls_when_a_medium_contact_goes_quiet() -> None:
    scores = [sc(facts(interactions=talked(age, age + 30))) for age in (0, 30, 45, 60, 120)]

    assert scores == sorted(scores, reverse=True)
    assert scores[0] > scores[-1]


@given(st.integers(8, 3650), follow_up_lists, complaint_lists)
def test_same_silence_hurts_a_high_tier_more_when_only_the_tier_differs(
    silence: int, follow_ups: list[FollowUpFact], complaints: list[ComplaintFact]
) -> None:
    def with_tier(tier: str) -> Health:
        return score(
            facts(
                tier=tier,
                interactions=talked(silence),
                follow_ups=follow_ups,
                complaints=complaints,
            )
        )

    high, low = with_tier("high"), with_tier("low")

    assert high.parts["recency"] < low.parts["recency"]
    assert high.score is not None
    assert low.score is not None
    assert high.score <= low.score


def test_forty_five_days_of_silence_costs_a_high_tier_contact_more_points() -> None:
    assert sc(facts(tier="high", interactions=talked(45))) < sc(
        facts(tier="low", interactions=talked(45))
    )


def test_recency_follows_the_contact_rhythm_when_the_tier_default_is_overridden() -> None:
    overridden = score(facts(tier="low", rhythm_days=14, interactions=talked(28)))

    assert overridden.parts["recency"] == 0.5
    assert overridden.reasons[0] == "No contact for 28 days; expected every 14"


@given(st.integers(1, 40))
def test_rhythm_drops_when_a_low_tier_contact_is_called_far_more_often_than_its_rhythm(
    every_days: int,
) -> None:
    pestered = score(facts(tier="low", interactions=talked(*range(0, 360, every_days))))
    on_rhythm = score(facts(tier="low", interactions=talked(0, 90, 180, 270)))

    assert pestered.parts["rhythm"] < 1
    assert on_rhythm.parts["rhythm"] == 1
    assert pestered.score is not None
    assert on_rhythm.score is not None
    assert pestered.score < on_rhythm.score


def test_reason_names_the_call_count_when_a_low_tier_contact_is_called_weekly() -> None:
    weekly = score(facts(tier="low", interactions=talked(*range(0, 360, 7))))

    assert weekly.parts["rhythm"] == pytest.approx(8 / 52)
    assert weekly.reasons == ("Contacted 52 times in the last 360 days; expected about 4",)


def test_rhythm_keeps_the_over_contact_penalty_when_the_rep_then_goes_quiet() -> None:
    quiet = score(facts(tier="low", interactions=talked(*range(30, 390, 7))))

    assert quiet.parts["rhythm"] == pytest.approx(8 / 52)
    assert quiet.reasons == (
        "Contacted 52 times in the 360 days up to the last contact; expected about 4",
    )


def test_rhythm_is_partial_when_fewer_contacts_than_expected() -> None:
    health = score(facts(interactions=talked(0, 30)))

    assert health.parts["rhythm"] == 0.5
    assert "Contacted 2 times in the last 120 days; expected about 4" in health.reasons


@given(relationships(past_interactions).filter(lambda r: bool(r.interactions)), st.integers(1, 5))
def test_each_overdue_follow_up_lowers_follow_through_when_added(
    relationship: RelationshipFacts, how_many: int
) -> None:
    results = [
        score(
            dataclasses.replace(
                relationship,
                follow_ups=[*relationship.follow_ups, *(overdue(3 + n) for n in range(count))],
            )
        )
        for count in range(how_many + 1)
    ]

    for before, after in pairwise(results):
        assert after.parts["follow_through"] < before.parts["follow_through"]
        assert after.score is not None
        assert before.score is not None
        assert after.score <= before.score


def test_each_overdue_follow_up_costs_points_when_the_contact_is_otherwise_healthy() -> None:
    scores = [
        sc(facts(interactions=ON_RHYTHM, follow_ups=[overdue(5)] * count)) for count in range(4)
    ]

    assert scores[0] == 100
    assert scores == sorted(set(scores), reverse=True)
    assert score(facts(interactions=ON_RHYTHM, follow_ups=[overdue(5)] * 2)).reasons[0] == (
        "2 follow-ups overdue"
    )


def test_follow_up_is_overdue_only_the_day_after_its_snooze_ends() -> None:
    def snoozed_until(day: date) -> FollowUpFact:
        return FollowUpFact(ago(5), "snoozed", None, day, promised_on=ago(9), changed_on=ago(6))

    def follow_through(until: date) -> float:
        return score(facts(interactions=ON_RHYTHM, follow_ups=[snoozed_until(until)])).parts[
            "follow_through"
        ]

    assert follow_through(TODAY + timedelta(days=1)) == 1
    # The day a snooze ends the follow-up is due today, as on the card and Today.
    assert follow_through(TODAY) == 1
    assert follow_through(ago(1)) == pytest.approx(0.5 * 0.75)


def test_follow_through_counts_late_completions_when_due_in_the_last_90_days() -> None:
    late = FollowUpFact(ago(20), "done", done_on=ago(15), snooze_until=None, promised_on=ago(31))
    kept = FollowUpFact(ago(30), "done", done_on=ago(30), snooze_until=None, promised_on=ago(35))
    long_ago = FollowUpFact(
        ago(120), "done", done_on=ago(100), snooze_until=None, promised_on=ago(125)
    )

    health = score(facts(interactions=ON_RHYTHM, follow_ups=[late, kept, long_ago]))

    assert health.parts["follow_through"] == pytest.approx(2 / 3)
    assert health.reasons == ("1 of 2 follow-ups due in the last 90 days done late",)


def test_follow_up_counts_as_overdue_when_it_was_done_only_after_the_scored_day() -> None:
    done_later = FollowUpFact(
        ago(5), "done", done_on=TODAY + timedelta(days=2), snooze_until=None, promised_on=ago(9)
    )

    health = score(facts(interactions=ON_RHYTHM, follow_ups=[done_later]))

    assert health.reasons == ("1 follow-up overdue",)


def test_follow_up_due_today_does_not_count_when_still_open() -> None:
    due_today = FollowUpFact(TODAY, "open", None, None, promised_on=ago(3))

    assert score(facts(interactions=ON_RHYTHM, follow_ups=[due_today])).parts["follow_through"] == 1


@given(relationships(past_interactions).filter(lambda r: bool(r.interactions)), st.integers(0, 2))
def test_open_complaint_lowers_care_more_when_older_than_two_days(
    relationship: RelationshipFacts, fresh_age: int
) -> None:
    def with_complaint(age: int | None) -> Health:
        extra = [] if age is None else [ComplaintFact(ago(age), None)]
        return score(
            dataclasses.replace(relationship, complaints=[*relationship.complaints, *extra])
        )

    without, fresh, stale = with_complaint(None), with_complaint(fresh_age), with_complaint(3)

    assert fresh.parts["care"] < without.parts["care"]
    assert stale.parts["care"] < fresh.parts["care"]
    assert without.score is not None
    assert fresh.score is not None
    assert stale.score is not None
    assert stale.score <= fresh.score <= without.score


def test_open_complaint_costs_more_points_when_older_than_two_days() -> None:
    def with_complaint(opened_days_ago: int) -> Health:
        return score(
            facts(interactions=ON_RHYTHM, complaints=[ComplaintFact(ago(opened_days_ago), None)])
        )

    fresh, stale = with_complaint(2), with_complaint(5)

    assert stale.score is not None
    assert fresh.score is not None
    assert stale.score < fresh.score < 100
    assert fresh.reasons == ("Complaint open for 2 days",)
    assert stale.reasons == ("Complaint open for 5 days",)


def test_resolved_complaint_does_not_lower_care_when_resolved_by_today() -> None:
    resolved = ComplaintFact(ago(10), resolved_on=ago(1))
    resolved_later = ComplaintFact(ago(10), resolved_on=TODAY + timedelta(days=1))

    assert score(facts(interactions=ON_RHYTHM, complaints=[resolved])).parts["care"] == 1
    assert score(facts(interactions=ON_RHYTHM, complaints=[resolved_later])).parts["care"] < 1


def test_reason_says_how_many_complaints_are_open_when_there_are_several() -> None:
    complaints = [ComplaintFact(ago(9), None), ComplaintFact(ago(1), None)]

    health = score(facts(interactions=ON_RHYTHM, complaints=complaints))

    assert health.reasons == ("2 complaints open, the oldest for 9 days",)


def test_sentiment_reason_says_badly_when_recent_interactions_were_negative() -> None:
    health = score(facts(interactions=talked(0, 30, 60, 90, sentiment="negative")))

    assert health.parts["sentiment"] == 0
    assert health.reasons == ("Recent interactions went badly",)


def test_sentiment_weighs_the_newest_interaction_most_when_moods_differ() -> None:
    improving = [*talked(0), *talked(30, 60, 90, sentiment="negative")]
    declining = [*talked(0, sentiment="negative"), *talked(30, 60, 90)]

    assert score(facts(interactions=improving)).parts["sentiment"] > 0.5
    assert score(facts(interactions=declining)).parts["sentiment"] < 0.5


@given(relationships(any_interactions), st.data())
def test_score_is_identical_when_computed_twice_or_with_facts_in_another_order(
    relationship: RelationshipFacts, data: st.DataObject
) -> None:
    shuffled = dataclasses.replace(
        relationship,
        interactions=data.draw(st.permutations(relationship.interactions)),
        follow_ups=data.draw(st.permutations(relationship.follow_ups)),
        complaints=data.draw(st.permutations(relationship.complaints)),
    )

    assert score(relationship) == score(relationship) == score(shuffled)


def test_score_rounds_half_points_up_when_the_parts_add_up_to_a_half() -> None:
    # 35 + 20 + 20 × 0.375 + 15 + 10 × 0.7 = 84.5 points exactly.
    health = score(
        facts(
            interactions=ON_RHYTHM,
            follow_ups=[overdue(5)],
            complaints=[ComplaintFact(ago(1), None)],
        )
    )

    assert health.score == 85


def test_contact_is_new_and_unscored_when_it_has_no_interaction() -> None:
    health = score(
        facts(tier="high", follow_ups=[overdue(3)], complaints=[ComplaintFact(ago(9), None)])
    )

    assert health == Health(score=None, band="new", parts={}, reasons=(NEW_REASON,))


def test_contact_is_new_when_its_only_interaction_is_after_today() -> None:
    assert score(facts(interactions=talked(-1))).band == "new"


@given(relationships(any_interactions))
def test_score_has_a_reason_when_below_strong(relationship: RelationshipFacts) -> None:
    health = score(relationship)

    if health.score is not None and health.score < 70:
        assert health.reasons
        assert all(health.reasons)


def test_main_reason_comes_first_when_several_parts_are_low() -> None:
    health = score(facts(interactions=talked(100, sentiment="neutral"), follow_ups=[overdue(2)]))

    assert health.reasons[0] == "No contact for 100 days; expected every 30"
    assert health.reasons[1:] == (
        "Contacted once in the last 120 days; expected about 4",
        "1 follow-up overdue",
        "Recent interactions were lukewarm",
    )


# Sam Okafor, the worked example of docs/health.md, as of Monday 23 November 2026.
SAM_INTERACTIONS = [
    InteractionFact(date(2026, 9, 24), "neutral"),
    InteractionFact(date(2026, 8, 25), "positive"),
]
SAM_KEPT = [
    FollowUpFact(date(2026, 8, 25), "done", date(2026, 8, 25), None, promised_on=date(2026, 8, 1)),
    FollowUpFact(
        date(2026, 9, 24),
        "done",
        date(2026, 9, 24),
        None,
        promised_on=date(2026, 8, 25),
        from_note=True,
    ),
]
SAM_NOT_DUE = FollowUpFact(
    date(2026, 11, 28), "open", None, None, promised_on=date(2026, 9, 24), from_note=True
)
SAM_OVERDUE = FollowUpFact(
    date(2026, 11, 13), "open", None, None, promised_on=date(2026, 9, 24), from_note=True
)
SAM_COMPLAINT = ComplaintFact(date(2026, 11, 18), resolved_on=None)


def test_worked_example_matches_the_numbers_documented_for_managers() -> None:
    sam = facts(
        tier="medium",
        interactions=SAM_INTERACTIONS,
        follow_ups=[*SAM_KEPT, SAM_OVERDUE, SAM_NOT_DUE],
        complaints=[SAM_COMPLAINT],
    )
    reasons = (
        "No contact for 60 days; expected every 30",
        "Contacted 2 times in the last 120 days; expected about 4",
        "1 follow-up overdue",
        "Complaint open for 5 days",
        "Recent interactions were lukewarm",
    )

    health = score_relationship(sam, date(2026, 11, 23))

    assert health.score == 53
    assert health.band == "watch"
    assert health.parts == pytest.approx(
        {"recency": 0.5, "rhythm": 0.5, "follow_through": 0.5625, "sentiment": 11 / 15, "care": 0.3}
    )
    assert health.reasons == reasons
    documented = DOCS.read_text(encoding="utf-8")
    assert "| **Score** | | | **52.75 → 53, watch** |" in documented
    assert all(f'"{reason}"' in documented for reason in reasons)


def test_worked_example_recovers_as_documented_when_sam_gets_a_good_call() -> None:
    good_call = [InteractionFact(TODAY, "positive"), *SAM_INTERACTIONS]
    called = facts(
        interactions=good_call,
        follow_ups=[*SAM_KEPT, SAM_OVERDUE, SAM_NOT_DUE],
        complaints=[SAM_COMPLAINT],
    )
    settled = facts(
        interactions=good_call,
        follow_ups=[*SAM_KEPT, dataclasses.replace(SAM_OVERDUE, status="done", done_on=TODAY)],
        complaints=[dataclasses.replace(SAM_COMPLAINT, resolved_on=TODAY)],
    )

    after_call, after_fixes = score(called), score(settled)

    assert (after_call.score, after_call.band) == (78, "strong")
    assert after_call.reasons[0] == "1 follow-up overdue"
    assert after_fixes.score == 89
    documented = " ".join(DOCS.read_text(encoding="utf-8").split())
    assert "the score becomes 78, strong" in documented
    assert "makes it 89" in documented


@pytest.mark.parametrize(
    ("value", "band"),
    [
        (100, "strong"),
        (70, "strong"),
        (69, "watch"),
        (40, "watch"),
        (39, "at_risk"),
        (0, "at_risk"),
        (None, "new"),
    ],
)
def test_band_follows_the_thresholds_when_given_a_score(value: int | None, band: str) -> None:
    assert band_for(value) == band


@pytest.mark.parametrize(
    ("this_week", "previous", "expected"),
    [
        (75, [70, 70, 70, 70], "up"),
        (65, [70, 70, 70, 70], "down"),
        (74.9, [70, 70, 70, 70], "steady"),
        (65.1, [70, 70, 70, 70], "steady"),
        (75.3, [70.1, 70.2, 70.4, 70.5], "up"),
        (75, [0, 70, 70, 70, 70], "up"),
        (72, [None, 60, None, 80], "steady"),
        (76, [None, None, 71, None], "up"),
        (75, [], "steady"),
        (75, [None, None], "steady"),
        (None, [70, 70], "steady"),
    ],
)
def test_trend_compares_with_the_four_weeks_before_when_given_history(
    this_week: float | None, previous: list[float | None], expected: str
) -> None:
    assert trend(this_week, previous) == expected


@pytest.mark.parametrize(
    ("relationship", "message"),
    [
        (facts(tier="vip", interactions=ON_RHYTHM), "unknown tier 'vip'"),
        (facts(rhythm_days=0, interactions=ON_RHYTHM), "at least 1"),
        (facts(interactions=talked(1, sentiment="great")), "unknown sentiment 'great'"),
        (
            facts(
                interactions=ON_RHYTHM, follow_ups=[FollowUpFact(TODAY, "late", None, None, TODAY)]
            ),
            "unknown follow-up status 'late'",
        ),
    ],
)
def test_score_raises_value_error_when_facts_hold_unknown_values(
    relationship: RelationshipFacts, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        score(relationship)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"recency_weight": 0.5}, "add up to 1"),
        ({"care_weight": -0.1, "recency_weight": 0.55}, "add up to 1"),
        ({"overdue_factor": 1.0}, "between 0 and 1"),
        ({"neutral_value": 1.5}, "sentiment values must be between 0 and 1"),
        ({"watch_from": 80}, "watch_from <= strong_from"),
        ({"low_rhythm_days": 0}, "at least 1 day"),
        ({"reason_min_points": 7.0}, "reason_min_points"),
    ],
)
def test_health_model_is_refused_when_its_constants_contradict_each_other(
    change: dict[str, Any], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        dataclasses.replace(DEFAULT_MODEL, **change)


def test_custom_model_changes_the_score_when_passed_in() -> None:
    strict = HealthModel(medium_rhythm_days=10)
    relationship = facts(interactions=talked(20, 50, 80, 110))

    assert score_relationship(relationship, TODAY, strict).parts["recency"] == 0.5
    assert score(relationship).parts["recency"] == 1
