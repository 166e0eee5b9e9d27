"""How the pages word dates: the rep reads them at a glance."""

from datetime import UTC, date, datetime

import pytest

from crm_pwa.components.when import due_label, moment_label, short_date, talked_label

TODAY = date(2026, 11, 23)


@pytest.mark.parametrize(
    ("moment", "words"),
    [
        (None, "Never talked"),
        (datetime(2026, 11, 23, 8, 0, tzinfo=UTC), "Talked today"),
        (datetime(2026, 11, 11, 8, 0, tzinfo=UTC), "Talked 12 d ago"),
    ],
)
def test_talked_label_counts_whole_days_when_given_the_last_interaction(
    moment: datetime | None, words: str
) -> None:
    assert talked_label(moment, TODAY, "UTC") == words


def test_talked_label_counts_in_the_reps_time_zone_when_utc_is_already_tomorrow() -> None:
    late_evening_in_new_york = datetime(2026, 11, 23, 3, 30, tzinfo=UTC)
    assert talked_label(late_evening_in_new_york, TODAY, "UTC") == "Talked today"
    assert talked_label(late_evening_in_new_york, TODAY, "America/New_York") == "Talked 1 d ago"


@pytest.mark.parametrize(
    ("due_on", "words"),
    [
        (date(2026, 11, 20), "Overdue 3 d · was due Fri 20 Nov"),
        (TODAY, "Due today"),
        (date(2026, 11, 24), "Due tomorrow"),
        (date(2026, 11, 30), "Due Mon 30 Nov"),
        (date(2027, 1, 4), "Due Mon 4 Jan 2027"),
    ],
)
def test_due_label_says_overdue_in_words_when_the_date_has_passed(due_on: date, words: str) -> None:
    assert due_label(due_on, TODAY) == words


def test_short_date_leaves_out_the_year_when_it_is_this_year() -> None:
    assert short_date(date(2026, 2, 1), TODAY) == "Sun 1 Feb"
    assert short_date(date(2025, 2, 1), TODAY) == "Sat 1 Feb 2025"


def test_moment_label_shows_local_time_when_the_zone_differs_from_utc() -> None:
    moment = datetime(2026, 11, 23, 14, 5, tzinfo=UTC)
    assert moment_label(moment, TODAY, "UTC") == "Today 14:05"
    assert moment_label(moment, TODAY, "Europe/Berlin") == "Today 15:05"
    assert (
        moment_label(datetime(2026, 11, 20, 9, 30, tzinfo=UTC), TODAY, "UTC") == "Fri 20 Nov 09:30"
    )
