"""Runs a coroutine to its end from a test, whatever loop the test's thread holds.

Playwright's sync API keeps an event loop running in the main thread for the
whole session once a browser test has run, and `asyncio.run` refuses to start
inside a running loop: a thread of its own gives the coroutine a fresh loop.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")


def run_async(make: Callable[[], Coroutine[Any, Any, T]]) -> T:
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(lambda: asyncio.run(make())).result()
