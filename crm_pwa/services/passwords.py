"""Password hashing, bounded: at most one argon2 run per core at a time.

argon2 is made to be costly (64 MiB and about a third of a second of a core per
check). Unbounded, sixteen sign-ins at once took the server past 1 GiB and
every other request waited. Here hashes run on a few low-priority threads of
their own; a few more callers than there are threads may wait their turn, and
anyone beyond that, or waiting too long, is told to come back (503 with
Retry-After) instead of piling up. A command run from the shell serves no one
else and waits as long as its hash takes (`patiently`).
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from contextvars import ContextVar
from functools import lru_cache
from typing import TypeVar

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError

from crm_pwa.domain.password_policy import password_problem
from crm_pwa.services.errors import Invalid, ServerBusy
from crm_pwa.settings import get_settings

T = TypeVar("T")
WAITING_PER_SLOT = 3
# Nice 10 weighs about a tenth of nice 0: a request's thread gets the core first.
HASHING_NICENESS = 10
LONGEST_WAIT_SECONDS = 10.0
BUSY_MESSAGE = "Too many sign-ins at once. Try again in a few seconds."
_deadline: ContextVar[float | None] = ContextVar("hash_deadline", default=LONGEST_WAIT_SECONDS)


@lru_cache(maxsize=2)
def _hasher(fast: bool) -> tuple[PasswordHasher, str]:
    """The argon2 hasher, and a dummy hash to verify against for unknown addresses.

    Verifying the dummy keeps the answer time the same, so timing does not tell
    which addresses have an account. The fast profile exists for test suites,
    which create hundreds of users; a deployment never sets it.
    """
    hasher = PasswordHasher.from_parameters(profiles.CHEAPEST) if fast else PasswordHasher()
    return hasher, hasher.hash("not a real password")


def _yield_to_requests() -> None:
    """Hashing threads run at a lower priority than the ones answering requests.

    Linux keeps a nice value per thread; these threads only ever hash, so the
    priority is lowered once and never needs to come back up.
    """
    if sys.platform == "linux":
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), HASHING_NICENESS)


def hashing_places(size: int) -> int:
    """Callers that may hold a place with `size` hashing threads: running plus waiting."""
    return size * (1 + WAITING_PER_SLOT)


@lru_cache(maxsize=4)
def _hashing(size: int) -> tuple[ThreadPoolExecutor, threading.BoundedSemaphore]:
    """`size` threads that hash, and the places for callers."""
    pool = ThreadPoolExecutor(size, thread_name_prefix="argon2", initializer=_yield_to_requests)
    return pool, threading.BoundedSemaphore(hashing_places(size))


@contextmanager
def patiently() -> Iterator[None]:
    """Hashes inside wait their turn however long it takes: for commands, not requests."""
    token = _deadline.set(None)
    try:
        yield
    finally:
        _deadline.reset(token)


def _bounded(work: Callable[[], T]) -> T:
    """Runs `work` on a hashing thread, or refuses with 503 when too many are in line."""
    pool, places = _hashing(get_settings().password_hash_slots)
    deadline = _deadline.get()
    if not places.acquire(blocking=deadline is None):
        raise ServerBusy(BUSY_MESSAGE, 2)
    try:
        future = pool.submit(work)
        try:
            return future.result(timeout=deadline)
        except TimeoutError:
            future.cancel()
            raise ServerBusy(BUSY_MESSAGE, 2) from None
    finally:
        places.release()


def hash_password(password: str) -> str:
    problem = password_problem(password)
    if problem:
        raise Invalid(problem, "password")
    fast = get_settings().fast_password_hashing
    return _bounded(lambda: _hasher(fast)[0].hash(password))


def password_matches(password_hash: str | None, password: str) -> bool:
    """Checks against the dummy hash when there is no account, so both take as long."""
    fast = get_settings().fast_password_hashing

    def verify() -> bool:
        hasher, dummy = _hasher(fast)
        try:
            return hasher.verify(password_hash or dummy, password) and password_hash is not None
        except (VerificationError, InvalidHashError):
            return False

    return _bounded(verify)
