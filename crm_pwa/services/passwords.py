"""Password hashing, bounded: at most one argon2 run per core at a time.

argon2 is made to be costly (64 MiB and about a third of a second of a core per
check). Unbounded, sixteen sign-ins at once took the server past 1 GiB and
every other request waited. Here a few more callers than there are slots may
wait their turn; anyone beyond that, or waiting too long, is told to come back
(503 with Retry-After) instead of piling up.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError

from crm_pwa.domain.password_policy import password_problem
from crm_pwa.services.errors import Invalid, ServerBusy
from crm_pwa.settings import get_settings

WAITING_PER_SLOT = 3
LONGEST_WAIT_SECONDS = 10.0
BUSY_MESSAGE = "Too many sign-ins at once. Try again in a few seconds."


@lru_cache(maxsize=2)
def _hasher(fast: bool) -> tuple[PasswordHasher, str]:
    """The argon2 hasher, and a dummy hash to verify against for unknown addresses.

    Verifying the dummy keeps the answer time the same, so timing does not tell
    which addresses have an account. The fast profile exists for test suites,
    which create hundreds of users; a deployment never sets it.
    """
    hasher = PasswordHasher.from_parameters(profiles.CHEAPEST) if fast else PasswordHasher()
    return hasher, hasher.hash("not a real password")


@lru_cache(maxsize=4)
def _slots(size: int) -> tuple[threading.BoundedSemaphore, threading.BoundedSemaphore]:
    """(running, admitted): `size` hashes run, `size * (1 + WAITING_PER_SLOT)` may be in line."""
    return threading.BoundedSemaphore(size), threading.BoundedSemaphore(
        size * (1 + WAITING_PER_SLOT)
    )


@contextmanager
def hashing_slot() -> Iterator[None]:
    running, admitted = _slots(get_settings().password_hash_slots)
    if not admitted.acquire(blocking=False):
        raise ServerBusy(BUSY_MESSAGE, 2)
    try:
        if not running.acquire(timeout=LONGEST_WAIT_SECONDS):
            raise ServerBusy(BUSY_MESSAGE, 2)
        try:
            yield
        finally:
            running.release()
    finally:
        admitted.release()


def hash_password(password: str) -> str:
    problem = password_problem(password)
    if problem:
        raise Invalid(problem, "password")
    hasher = _hasher(get_settings().fast_password_hashing)[0]
    with hashing_slot():
        return hasher.hash(password)


def password_matches(password_hash: str | None, password: str) -> bool:
    """Checks against the dummy hash when there is no account, so both take as long."""
    hasher, dummy = _hasher(get_settings().fast_password_hashing)
    with hashing_slot():
        try:
            return hasher.verify(password_hash or dummy, password) and password_hash is not None
        except (VerificationError, InvalidHashError):
            return False
