"""When the weekly snapshot and the other scheduled jobs run, and how the scheduler copes."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import pytest

from crm_pwa import scheduler
from crm_pwa.scheduler import Job, daily_at, every, run_job_forever, weekly_at
from crm_pwa.services.snapshot import last_full_week
from crm_pwa.settings import get_settings

T = TypeVar("T")
BERLIN = ZoneInfo("Europe/Berlin")


def run_in_own_loop(coroutine: Coroutine[Any, Any, T]) -> T:
    """asyncio.run on a thread of its own: Playwright's fixtures may hold this thread's loop."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


@pytest.mark.parametrize(
    ("today", "week"),
    [
        (date(2026, 11, 23), "2026-W47"),  # Monday: the week that ended last night
        (date(2026, 11, 29), "2026-W47"),  # Sunday: W48 is still running
        (date(2027, 1, 4), "2026-W53"),  # across the year end, into a 53-week year
    ],
)
def test_last_full_week_is_the_week_before_todays_when_asked_any_day(
    today: date, week: str
) -> None:
    assert last_full_week(today) == week


def test_weekly_snapshot_runs_at_monday_midnight_local_when_the_zone_is_not_utc() -> None:
    next_run = weekly_at(0, time(0, 0), "Europe/Berlin")

    # Sunday 22:30 UTC is 23:30 in Berlin: the run is half an hour away, at 23:00 UTC.
    sunday_night = datetime(2026, 11, 22, 22, 30, tzinfo=UTC)
    monday_morning = datetime(2026, 11, 23, 6, 0, tzinfo=UTC)

    assert next_run(sunday_night) == datetime(2026, 11, 23, 0, 0, tzinfo=BERLIN)
    assert next_run(sunday_night).astimezone(UTC) == datetime(2026, 11, 22, 23, 0, tzinfo=UTC)
    assert next_run(monday_morning) == datetime(2026, 11, 30, 0, 0, tzinfo=BERLIN)


def test_weekly_run_keeps_local_midnight_when_summer_time_ends_in_between() -> None:
    next_run = weekly_at(0, time(0, 0), "Europe/Berlin")

    after = next_run(datetime(2026, 10, 20, 12, 0, tzinfo=UTC))

    assert after == datetime(2026, 10, 26, 0, 0, tzinfo=BERLIN)
    assert after.astimezone(UTC) == datetime(2026, 10, 25, 23, 0, tzinfo=UTC)


def test_daily_job_runs_tomorrow_when_todays_time_has_passed() -> None:
    next_run = daily_at(time(0, 5), "UTC")

    assert next_run(datetime(2026, 11, 23, 0, 4, tzinfo=UTC)) == datetime(
        2026, 11, 23, 0, 5, tzinfo=UTC
    )
    assert next_run(datetime(2026, 11, 23, 0, 5, tzinfo=UTC)) == datetime(
        2026, 11, 24, 0, 5, tzinfo=ZoneInfo("UTC")
    )


def test_schedules_use_the_configured_zone_when_none_is_given(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("RAPPORT_TIME_ZONE", "America/New_York")
    get_settings.cache_clear()
    try:
        run_at = weekly_at(0, time(0, 0))(datetime(2026, 11, 23, 3, 0, tzinfo=UTC))
    finally:
        get_settings.cache_clear()

    # 03:00 UTC Monday is still Sunday 22:00 in New York: its Monday midnight comes next.
    assert run_at.astimezone(UTC) == datetime(2026, 11, 23, 5, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    "make",
    [lambda: every(timedelta(0)), lambda: weekly_at(7, time(0, 0))],
)
def test_schedule_is_refused_when_it_could_never_run(make: Callable[[], object]) -> None:
    with pytest.raises(ValueError):
        make()


def test_registering_a_job_is_refused_when_its_name_is_taken(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(scheduler, "JOBS", list(scheduler.JOBS))

    async def nothing() -> None:
        return None

    scheduler.register_job(Job("reminders", every(timedelta(minutes=1)), nothing))

    with pytest.raises(ValueError, match="already registered"):
        scheduler.register_job(Job("reminders", every(timedelta(minutes=5)), nothing))
    assert [job.name for job in scheduler.JOBS].count("reminders") == 1


def test_job_keeps_running_when_one_run_fails() -> None:
    runs: list[str] = []

    async def flaky() -> None:
        runs.append("run")
        if len(runs) == 1:
            raise RuntimeError("database away")

    async def three_runs() -> None:
        task = asyncio.create_task(
            run_job_forever(Job("flaky", every(timedelta(milliseconds=5)), flaky, at_start=True))
        )
        while len(runs) < 3:
            await asyncio.sleep(0.005)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    run_in_own_loop(asyncio.wait_for(three_runs(), timeout=5))

    assert len(runs) >= 3


@pytest.mark.parametrize("mode", ["off", "queue"])
def test_scheduler_starts_no_job_when_switched_off_or_on_the_job_queue(
    monkeypatch: pytest.MonkeyPatch, mode: str
) -> None:
    # On the queue the `worker` processes run the jobs; no app process rescores at start.
    started: list[str] = []

    async def record() -> None:
        started.append("run")

    monkeypatch.setattr(
        scheduler, "JOBS", [Job("record", every(timedelta(seconds=1)), record, at_start=True)]
    )
    monkeypatch.setenv("RAPPORT_SCHEDULER", mode)
    monkeypatch.setenv("RAPPORT_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1/none")
    get_settings.cache_clear()
    try:
        run_in_own_loop(asyncio.wait_for(scheduler.run_scheduler(), timeout=5))
    finally:
        get_settings.cache_clear()

    assert started == []


def test_scheduler_runs_every_job_at_start_when_switched_on(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    started: list[str] = []

    def job(name: str) -> Job:
        async def record() -> None:
            started.append(name)

        return Job(name, every(timedelta(hours=1)), record, at_start=True)

    monkeypatch.setattr(scheduler, "JOBS", [job("first"), job("second")])
    monkeypatch.setenv("RAPPORT_SCHEDULER", "on")
    get_settings.cache_clear()

    async def until_both_ran() -> None:
        task = asyncio.create_task(scheduler.run_scheduler())
        while len(started) < 2:
            await asyncio.sleep(0.005)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    try:
        run_in_own_loop(asyncio.wait_for(until_both_ran(), timeout=5))
    finally:
        get_settings.cache_clear()

    assert sorted(started) == ["first", "second"]
