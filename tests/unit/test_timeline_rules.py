"""Which change makes a timeline entry, and how the entry reads."""

from __future__ import annotations

from crm_pwa.domain import timeline as diary


def test_a_stage_move_is_an_entry_and_won_or_lost_say_so() -> None:
    assert diary.stage_event("lead", "proposal") == diary.STAGE_CHANGED
    assert diary.stage_event("proposal", "won") == diary.OPPORTUNITY_WON
    assert diary.stage_event("", "lost") == diary.OPPORTUNITY_LOST
    assert diary.stage_event("proposal", "proposal") is None


def test_entries_read_in_the_words_a_rep_uses() -> None:
    move = {"title": "Fleet", "from": "lead", "to": "proposal"}
    assert (
        diary.describe(diary.STAGE_CHANGED, move)
        == "Opportunity “Fleet” moved from Lead to Proposal"
    )
    snooze = {"title": "Call", "until": "2026-12-07"}
    assert (
        diary.describe(diary.FOLLOW_UP_SNOOZED, snooze)
        == "Follow-up snoozed until 2026-12-07: Call"
    )
    assert diary.describe(diary.CONVERTED, {"title": "Fleet"}) == "Became a customer: won “Fleet”"


def test_a_long_complaint_is_named_not_copied_whole() -> None:
    text = diary.describe(diary.COMPLAINT_OPENED, {"title": "x" * 500})
    assert len(text) < 160
    assert text.endswith("…")
