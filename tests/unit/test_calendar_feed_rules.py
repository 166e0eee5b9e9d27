"""Which follow-ups the calendar feed shows, and on which day."""

from __future__ import annotations

from datetime import date

from crm_pwa.domain.calendar_feed import FeedCandidate, feed_day

DUE = date(2026, 12, 1)


def test_an_open_follow_up_is_on_its_due_day() -> None:
    assert feed_day(FeedCandidate("open", DUE, None, False)) == DUE


def test_a_snoozed_follow_up_is_on_the_day_its_snooze_ends() -> None:
    assert feed_day(FeedCandidate("snoozed", DUE, date(2026, 12, 4), False)) == date(2026, 12, 4)


def test_a_snooze_without_an_end_or_a_done_follow_up_is_not_in_the_feed() -> None:
    assert feed_day(FeedCandidate("snoozed", DUE, None, False)) is None
    assert feed_day(FeedCandidate("done", DUE, None, False)) is None


def test_a_contact_who_asked_not_to_be_contacted_is_not_in_the_feed() -> None:
    assert feed_day(FeedCandidate("open", DUE, None, True)) is None
