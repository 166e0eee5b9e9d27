"""The websocket's admission rule and its measure of the event loop's lag."""

from __future__ import annotations

import asyncio
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from crm_pwa.api.event_admission import QueueWait, admits, probe_loop

SEARCH = "reflex___state____state.crm_pwa___pages___contacts____contacts_state.search"


@pytest.mark.parametrize(
    ("wait", "taken"),
    [(0.0, True), (0.2, True), (0.499, True), (0.5, False), (3.0, False)],
)
def test_a_search_is_taken_on_only_while_work_waits_less_than_the_limit(
    wait: float, taken: bool
) -> None:
    assert admits(SEARCH, wait, max_wait=0.5) is taken


@pytest.mark.parametrize(
    "name",
    [
        "reflex___state____state.hydrate",
        "reflex___state____state.hydrate_and_load",
        "reflex___state____state.reflex___state____on_load_internal_state.on_load_internal",
    ],
)
def test_opening_a_page_is_always_taken_on(name: str) -> None:
    assert admits(name, 30.0, max_wait=0.5)


def test_zero_refuses_every_event_but_opening_a_page() -> None:
    assert not admits(SEARCH, 0.0, max_wait=0.0)
    assert admits("reflex___state____state.hydrate", 0.0, max_wait=0.0)


def test_the_loop_lag_is_seen_while_the_loop_is_still_busy_and_fades_once_it_is_free() -> None:
    async def scenario() -> tuple[float, float, float]:
        loop_wait = QueueWait()
        probe = asyncio.create_task(probe_loop(loop_wait, every=0.05))
        await asyncio.sleep(0.2)
        idle = loop_wait.seconds()
        time.sleep(0.6)  # a handler holding the loop
        during = loop_wait.seconds()
        await asyncio.sleep(1.0)
        after = loop_wait.seconds()
        probe.cancel()
        return idle, during, after

    # A loop of its own, in a thread: the suite's browser tests keep one running here.
    with ThreadPoolExecutor(max_workers=1) as thread:
        idle, during, after = thread.submit(lambda: asyncio.run(scenario())).result()
    assert idle < 0.05
    # Seen before the probe itself gets its turn back.
    assert during >= 0.5
    assert after < 0.05


def test_work_still_waiting_counts_from_when_it_was_queued_and_cancelled_work_not_at_all() -> None:
    database = QueueWait()
    first = database.queued(since=time.monotonic() - 2.0)
    second = database.queued()
    assert database.seconds() >= 2.0
    database.started(first)
    # The first waited 2 s (smoothed in), the second has only just been queued.
    assert 0.5 <= database.seconds() < 1.0
    database.forget(second)
    database.started(second)  # a cancelled ticket is not measured
    for _ in range(30):
        database.started(database.queued())
    assert database.seconds() < 0.01
