"""What a note and a follow-up must look like before they are stored."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from crm_pwa.domain.note_rules import (
    DIRECTIONS,
    KINDS,
    SENTIMENTS,
    RuleError,
    check_direction,
    check_due_on,
    check_kind,
    check_occurred_at,
    check_sentiment,
    check_snooze_until,
    check_status,
    check_transition,
    clean_summary,
    clean_title,
    earliest_next_step,
    earliest_planned,
    horizon,
)

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
TODAY = date(2026, 11, 23)


def test_every_documented_value_is_accepted_when_checking_enumerations() -> None:
    assert [check_kind(kind) for kind in KINDS] == [
        "meeting",
        "call",
        "email",
        "message",
        "visit",
        "note",
    ]
    assert [check_direction(d) for d in DIRECTIONS] == ["outbound", "inbound"]
    assert [check_sentiment(s) for s in SENTIMENTS] == ["positive", "neutral", "negative"]
    assert [check_status(s) for s in ("open", "done", "snoozed")] == ["open", "done", "snoozed"]


@pytest.mark.parametrize(
    ("check", "value", "field"),
    [
        (check_kind, "lunch", "kind"),
        (check_kind, "Meeting", "kind"),
        (check_direction, "sideways", "direction"),
        (check_sentiment, "ecstatic", "sentiment"),
        (check_status, "cancelled", "status"),
    ],
)
def test_unknown_value_is_refused_naming_the_choices_when_checking_enumerations(
    check: object, value: str, field: str
) -> None:
    assert callable(check)
    with pytest.raises(RuleError) as refused:
        check(value)
    assert refused.value.field == field
    assert repr(value) in refused.value.message and "one of" in refused.value.message


def test_summary_is_stripped_when_it_has_surrounding_space() -> None:
    assert clean_summary("  Talked pricing\n") == "Talked pricing"


@pytest.mark.parametrize("text", ["", "   ", "\n\t"])
def test_summary_is_refused_when_it_is_empty(text: str) -> None:
    with pytest.raises(RuleError, match="empty") as refused:
        clean_summary(text)
    assert refused.value.field == "summary"


def test_summary_of_exactly_10000_characters_is_kept_when_checked() -> None:
    assert len(clean_summary("é" * 10_000)) == 10_000


def test_summary_is_refused_with_its_length_when_over_10000_characters() -> None:
    with pytest.raises(RuleError, match="at most 10,000 characters; this one has 10,001"):
        clean_summary("x" * 10_001)


@pytest.mark.parametrize(("clean", "field"), [(clean_summary, "summary"), (clean_title, "title")])
def test_text_is_refused_when_it_holds_a_nul_character(clean: object, field: str) -> None:
    assert callable(clean)
    with pytest.raises(RuleError, match="NUL") as refused:
        clean("before\x00after")
    assert refused.value.field == field


def test_title_is_refused_when_empty_or_over_300_characters() -> None:
    assert clean_title(" Call back ") == "Call back"
    assert len(clean_title("t" * 300)) == 300
    with pytest.raises(RuleError, match="empty"):
        clean_title("  ")
    with pytest.raises(RuleError, match="at most 300"):
        clean_title("t" * 301)


def test_occurred_at_is_refused_when_it_has_no_offset() -> None:
    with pytest.raises(RuleError, match="offset"):
        check_occurred_at(datetime(2026, 11, 23, 9, 0), NOW)


def test_occurred_at_up_to_a_day_ahead_is_accepted_when_a_phone_clock_runs_fast() -> None:
    ahead = NOW + timedelta(days=1)
    assert check_occurred_at(ahead, NOW) == ahead
    east = datetime(2026, 11, 24, 9, 0, tzinfo=timezone(timedelta(hours=14)))
    assert check_occurred_at(east, NOW) == east


def test_occurred_at_is_refused_when_more_than_a_day_in_the_future() -> None:
    with pytest.raises(RuleError, match="future") as refused:
        check_occurred_at(NOW + timedelta(days=1, seconds=1), NOW)
    assert refused.value.field == "occurred_at"


def test_due_on_is_accepted_from_the_earliest_day_to_two_years_ahead() -> None:
    assert check_due_on(TODAY, earliest=TODAY, today=TODAY) == TODAY
    assert check_due_on(date(2028, 11, 23), earliest=TODAY, today=TODAY) == date(2028, 11, 23)


def test_due_on_is_refused_in_plain_words_when_before_the_earliest_day() -> None:
    with pytest.raises(RuleError) as refused:
        check_due_on(date(2026, 11, 19), earliest=date(2026, 11, 21), today=TODAY)
    assert refused.value.field == "due_on"
    assert refused.value.message == (
        "The next step's date, 19 Nov 2026, has already passed; choose 21 Nov 2026 or a later day."
    )


def test_due_on_is_refused_when_more_than_two_years_ahead() -> None:
    with pytest.raises(RuleError, match="2 years away"):
        check_due_on(date(2028, 11, 24), earliest=TODAY, today=TODAY)


@pytest.mark.parametrize(
    ("note_at", "rep_day", "earliest"),
    [
        # Los Angeles phone at 17:00 on the 23rd, rep's zone still UTC (the 24th).
        (
            datetime(2026, 11, 23, 17, 0, tzinfo=timezone(timedelta(hours=-8))),
            date(2026, 11, 24),
            date(2026, 11, 23),
        ),
        # Auckland rep at 08:00 on the 24th; the phone sends UTC (the 23rd).
        (datetime(2026, 11, 23, 19, 0, tzinfo=UTC), date(2026, 11, 24), date(2026, 11, 23)),
        # Kolkata, same day either way.
        (
            datetime(2026, 11, 23, 23, 0, tzinfo=timezone(timedelta(hours=5, minutes=30))),
            date(2026, 11, 23),
            date(2026, 11, 23),
        ),
    ],
)
def test_next_step_may_fall_on_the_day_of_the_note_in_the_reps_or_the_phones_calendar(
    note_at: datetime, rep_day: date, earliest: date
) -> None:
    assert earliest_next_step(note_at, rep_day) == earliest


def test_follow_up_planned_on_its_own_may_fall_on_yesterday_for_zones_behind() -> None:
    assert earliest_planned(TODAY) == date(2026, 11, 22)


def test_horizon_falls_on_28_february_when_today_is_a_leap_day() -> None:
    assert horizon(date(2028, 2, 29)) == date(2030, 2, 28)


def test_snooze_is_refused_when_it_has_no_date_or_a_past_one() -> None:
    with pytest.raises(RuleError, match="until when"):
        check_snooze_until(None, today=TODAY)
    with pytest.raises(RuleError, match="in the past"):
        check_snooze_until(date(2026, 11, 22), today=TODAY)
    with pytest.raises(RuleError, match="2 years"):
        check_snooze_until(date(2029, 1, 1), today=TODAY)
    assert check_snooze_until(TODAY, today=TODAY) == TODAY


@pytest.mark.parametrize(
    ("current", "new"),
    [
        ("open", "done"),
        ("open", "snoozed"),
        ("snoozed", "open"),
        ("snoozed", "done"),
        ("snoozed", "snoozed"),
        ("done", "open"),
        ("done", "done"),
    ],
)
def test_transition_is_allowed_when_it_makes_sense(current: str, new: str) -> None:
    assert check_transition(current, new) == new


def test_transition_is_refused_when_snoozing_a_done_follow_up() -> None:
    with pytest.raises(RuleError, match="reopen it first") as refused:
        check_transition("done", "snoozed")
    assert refused.value.field == "status"
