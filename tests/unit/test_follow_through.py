"""A promise is kept only by talking to the contact: closing or snoozing alone never helps."""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta
from pathlib import Path

from crm_pwa.domain.follow_through import FollowUpFact
from crm_pwa.domain.health import InteractionFact, RelationshipFacts, score_relationship

TODAY = date(2026, 11, 23)
DOCS = Path(__file__).resolve().parents[2] / "docs" / "health.md"


def ago(days: int) -> date:
    return TODAY - timedelta(days=days)


# A medium contact last met 40 days ago; at that meeting the rep promised a call
# back 10 days ago, which is overdue.
MEETINGS = [InteractionFact(ago(40), "neutral"), InteractionFact(ago(75), "negative")]
PROMISE = FollowUpFact(ago(10), "open", None, None, promised_on=ago(40), from_note=True)


def scored(promise: FollowUpFact, interactions: list[InteractionFact] = MEETINGS) -> int:
    facts = RelationshipFacts("medium", None, interactions, [promise], [])
    health = score_relationship(facts, TODAY)
    assert health.score is not None
    return health.score


def test_score_does_not_rise_when_an_overdue_follow_up_is_marked_done_without_a_call() -> None:
    closed = dataclasses.replace(PROMISE, status="done", done_on=TODAY, changed_on=TODAY)

    assert scored(closed) <= scored(PROMISE)


def test_dana_example_matches_the_numbers_documented_for_managers() -> None:
    closed = dataclasses.replace(PROMISE, status="done", done_on=TODAY, changed_on=TODAY)
    snoozed = dataclasses.replace(
        PROMISE, status="snoozed", snooze_until=TODAY + timedelta(days=7), changed_on=TODAY
    )
    call = [InteractionFact(TODAY, "neutral"), *MEETINGS]

    assert (scored(PROMISE), scored(closed), scored(snoozed)) == (62, 62, 62)
    assert (scored(PROMISE, call), scored(closed, call)) == (75, 78)
    documented = " ".join(DOCS.read_text(encoding="utf-8").split())
    assert "now overdue: Dana scores 62" in documented
    assert "snoozing it to next week does too: still 62" in documented
    assert "lifts Dana to 75" in documented
    assert "late rather than overdue: 78" in documented


def test_score_does_not_rise_when_an_overdue_follow_up_is_snoozed() -> None:
    snoozed = dataclasses.replace(
        PROMISE, status="snoozed", snooze_until=TODAY + timedelta(days=7), changed_on=TODAY
    )

    assert scored(snoozed) <= scored(PROMISE)


def test_score_rises_when_the_follow_up_is_done_after_talking_to_the_contact() -> None:
    call = [InteractionFact(TODAY, "neutral"), *MEETINGS]
    closed = dataclasses.replace(PROMISE, status="done", done_on=TODAY, changed_on=TODAY)

    assert scored(closed, call) > scored(PROMISE, call)


def test_promise_is_kept_when_done_on_time_after_a_call_and_broken_without_one() -> None:
    on_time = FollowUpFact(ago(5), "done", ago(6), None, promised_on=ago(40), from_note=True)
    called = [InteractionFact(ago(6), "neutral"), *MEETINGS]

    kept = score_relationship(RelationshipFacts("medium", None, called, [on_time], []), TODAY)
    broken = score_relationship(RelationshipFacts("medium", None, MEETINGS, [on_time], []), TODAY)

    assert kept.parts["follow_through"] == 1
    assert broken.parts["follow_through"] == 0.5 * 0.75
    assert "1 follow-up closed or snoozed without contact" in broken.reasons


def test_snooze_before_the_due_date_is_not_a_broken_promise() -> None:
    early = FollowUpFact(
        ago(1) + timedelta(days=5),
        "snoozed",
        None,
        TODAY + timedelta(days=9),
        promised_on=ago(40),
        from_note=True,
        changed_on=ago(2),
    )

    assert scored(early) == scored(dataclasses.replace(PROMISE, due_on=TODAY + timedelta(days=4)))
