from datetime import date, timedelta
from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from crm_pwa.domain.week import iso_week, parse_iso_week, previous_weeks

weeks = st.dates(min_value=date(1900, 1, 1), max_value=date(2200, 12, 31)).map(iso_week)


@pytest.mark.parametrize(
    ("day", "week"),
    [
        (date(2026, 11, 23), "2026-W48"),
        (date(2026, 11, 22), "2026-W47"),
        (date(2026, 12, 31), "2026-W53"),
        (date(2027, 1, 3), "2026-W53"),
        (date(2027, 1, 4), "2027-W01"),
        (date(2024, 12, 30), "2025-W01"),
        (date(5, 1, 3), "0005-W01"),
    ],
)
def test_iso_week_names_the_thursday_year_when_a_week_straddles_new_year(
    day: date, week: str
) -> None:
    assert iso_week(day) == week


def test_parse_iso_week_returns_monday_and_sunday_when_the_week_exists() -> None:
    assert parse_iso_week("2026-W53") == (date(2026, 12, 28), date(2027, 1, 3))
    assert parse_iso_week("2026-W01") == (date(2025, 12, 29), date(2026, 1, 4))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2026-W60", "2026 has weeks W01 to W53"),
        ("2025-W53", "2025 has weeks W01 to W52"),
        ("2026-W00", "2026 has weeks W01 to W53"),
        ("abc", "expected YYYY-Www"),
        ("", "expected YYYY-Www"),
        ("2026W47", "expected YYYY-Www"),
        ("2026-w47", "expected YYYY-Www"),
        ("2026-W47 ", "expected YYYY-Www"),
        ("2026-W7", "expected YYYY-Www"),
        ("２０２６-W47", "expected YYYY-Www"),
        ("0000-W01", "0001 or later"),
        ("9999-W52", "after 9999-12-31"),
    ],
)
def test_parse_iso_week_explains_the_problem_when_the_text_is_not_a_week(
    text: str, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        parse_iso_week(text)


@given(st.dates(max_value=date(9999, 12, 26)))
def test_parsed_week_holds_the_day_when_named_by_iso_week(day: date) -> None:
    monday, sunday = parse_iso_week(iso_week(day))

    assert monday.weekday() == 0
    assert sunday - monday == timedelta(days=6)
    assert monday <= day <= sunday


def test_previous_weeks_lists_oldest_first_when_crossing_new_year() -> None:
    assert previous_weeks("2027-W02", 4) == ["2026-W51", "2026-W52", "2026-W53", "2027-W01"]


def test_previous_weeks_is_empty_when_none_are_asked_for() -> None:
    assert previous_weeks("2026-W48", 0) == []


@pytest.mark.parametrize(("week", "n"), [("2026-W48", -1), ("0001-W02", 3), ("2026-W60", 1)])
def test_previous_weeks_raises_value_error_when_the_request_is_impossible(
    week: str, n: int
) -> None:
    with pytest.raises(ValueError):
        previous_weeks(week, n)


@given(weeks, st.integers(min_value=1, max_value=60))
def test_previous_weeks_are_consecutive_when_any_week_is_given(week: str, n: int) -> None:
    result = previous_weeks(week, n)

    mondays = [parse_iso_week(w)[0] for w in [*result, week]]
    assert len(result) == n
    assert all(b - a == timedelta(weeks=1) for a, b in pairwise(mondays))
