"""The brake on guessing: free attempts, then a wait that doubles, never a lock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from crm_pwa.domain.sign_in_limits import Brake, Refused, Streak, next_streak

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
BRAKE = Brake(free=5)


def _attempts(count: int) -> Streak:
    streak = Streak(0, None, None)
    for _ in range(count):
        decided = next_streak(streak, BRAKE, NOW)
        assert isinstance(decided, Streak)
        streak = decided
    return streak


def test_attempts_go_through_when_fewer_than_the_free_ones() -> None:
    streak = _attempts(4)
    assert streak.attempts == 4 and streak.blocked_until is None


def test_next_attempt_waits_a_minute_when_the_free_ones_are_used() -> None:
    refused = next_streak(_attempts(5), BRAKE, NOW + timedelta(seconds=10))
    assert isinstance(refused, Refused)
    assert refused.retry_after_seconds == 50
    assert refused.message == "Too many attempts. Try again in 1 minute."


def test_wait_doubles_when_attempts_go_on_and_stops_growing_at_an_hour() -> None:
    assert [BRAKE.delay_after(n).total_seconds() / 60 for n in range(4, 14)] == [
        0,
        1,
        2,
        4,
        8,
        16,
        32,
        60,
        60,
        60,
    ]


def test_streak_is_forgotten_when_quiet_for_a_day() -> None:
    later = NOW + timedelta(days=1, minutes=1)
    decided = next_streak(Streak(9, NOW, NOW + timedelta(minutes=16)), BRAKE, later)
    assert decided == Streak(1, later, None)
