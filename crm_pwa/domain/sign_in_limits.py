"""How fast anyone may guess a password: a brake that grows, never a lock.

Each sign-in attempt is counted *before* its password is checked, against every
key it touches (the account, the client address, or the known device). The
first `free` attempts of a streak go through at once; from then on each attempt
must wait twice as long as the one before, up to `longest`. A streak is
forgotten after `forget_after` without attempts; a correct password ends the
account's streak and gives the client its attempt back.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True, slots=True)
class Brake:
    free: int
    first_delay: timedelta = timedelta(minutes=1)
    longest: timedelta = timedelta(hours=1)
    forget_after: timedelta = timedelta(hours=24)

    def delay_after(self, attempts: int) -> timedelta:
        """How long the next attempt waits once `attempts` were made in a streak."""
        if attempts < self.free:
            return timedelta(0)
        doublings = min(attempts - self.free, 32)
        grown: timedelta = self.first_delay * (2**doublings)
        return min(grown, self.longest)


@dataclass(frozen=True, slots=True)
class Streak:
    attempts: int
    last_at: datetime | None
    blocked_until: datetime | None


@dataclass(frozen=True, slots=True)
class Refused:
    wait: timedelta

    @property
    def retry_after_seconds(self) -> int:
        return max(1, int(-(-self.wait.total_seconds() // 1)))

    @property
    def message(self) -> str:
        minutes = max(1, int(-(-self.wait.total_seconds() // 60)))
        return f"Too many attempts. Try again in {minutes} minute{'s' if minutes > 1 else ''}."


def next_streak(streak: Streak, brake: Brake, now: datetime) -> Streak | Refused:
    """The streak once one more attempt is counted, or why it must wait."""
    if streak.blocked_until is not None and streak.blocked_until > now:
        return Refused(streak.blocked_until - now)
    quiet = streak.last_at is None or now - streak.last_at >= brake.forget_after
    attempts = 1 if quiet else streak.attempts + 1
    delay = brake.delay_after(attempts)
    return Streak(attempts=attempts, last_at=now, blocked_until=now + delay if delay else None)
