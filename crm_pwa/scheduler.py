"""Jobs the running app does by itself: rescoring for time passing, weekly snapshots.

A job is a name, a "next run" function (given the current time, when should it
run next) and an async runner. `run_scheduler` is an app lifespan task for one
machine (the default, `make run`): every app worker runs it, so each job must be
safe to run twice at once (the snapshot is idempotent, the daily rescoring
writes the same scores, reminders are claimed). With RAPPORT_SCHEDULER=queue the
app runs none of them: the same job bodies run on the job queue
(crm_pwa/job_queue.py), once per period however many hosts run. A feature adds
its own job with `register_job(Job(...))` or one more entry in `JOBS`, and to
`job_queue.PERIODIC`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from crm_pwa import clock
from crm_pwa.db.engine import session_scope
from crm_pwa.domain.days import earliest_day
from crm_pwa.services.auth import forget_old_sign_ins
from crm_pwa.services.health import refresh_all_health
from crm_pwa.services.import_staging import forget_abandoned
from crm_pwa.services.invitation_sending import resume_sending
from crm_pwa.services.reminders import send_due_reminders
from crm_pwa.services.snapshot import last_full_week, snapshot_week
from crm_pwa.settings import get_settings

log = logging.getLogger(__name__)

NextRun = Callable[[datetime], datetime]

# The longest a job waits between two looks at the clock: clock.now() can jump
# (a demo or a browser test moves it), and a due job should notice within a minute.
POLL_SECONDS = 60.0


@dataclass(frozen=True, slots=True)
class Job:
    name: str
    next_run: NextRun
    run: Callable[[], Awaitable[None]]
    # Also run once when the app starts: catches up what a stopped app missed.
    at_start: bool = False


def every(interval: timedelta) -> NextRun:
    """Runs `interval` after the previous run."""
    if interval <= timedelta(0):
        raise ValueError(f"interval must be positive, not {interval}")
    return lambda now: now + interval


def _zone(time_zone: str | None) -> ZoneInfo:
    return ZoneInfo(time_zone or get_settings().time_zone)


def daily_at(at: time, time_zone: str | None = None) -> NextRun:
    """Runs every day at `at` in `time_zone` (default: the configured time zone)."""

    def next_run(now: datetime) -> datetime:
        local = now.astimezone(_zone(time_zone))
        candidate = datetime.combine(local.date(), at, local.tzinfo)
        if candidate <= local:
            candidate = datetime.combine(local.date() + timedelta(days=1), at, local.tzinfo)
        return candidate

    return next_run


def weekly_at(weekday: int, at: time, time_zone: str | None = None) -> NextRun:
    """Runs every week on `weekday` (Monday 0) at `at` in `time_zone` (default: configured)."""
    if not 0 <= weekday <= 6:
        raise ValueError(f"weekday must be 0 (Monday) to 6 (Sunday), not {weekday}")
    daily = daily_at(at, time_zone)

    def next_run(now: datetime) -> datetime:
        candidate = daily(now)
        return candidate + timedelta(days=(weekday - candidate.weekday()) % 7)

    return next_run


def _refresh_health() -> int:
    with session_scope() as session:
        return refresh_all_health(session, clock.now(), after_batch=session.commit)


def _snapshot_last_week() -> int:
    # The week that has ended for every rep, wherever they live.
    today = earliest_day(clock.now())
    with session_scope() as session:
        return snapshot_week(session=session, week=last_full_week(today), today=today)


async def refresh_health_job() -> None:
    """Rescores every contact: overdue follow-ups and silence grow without any event."""
    changed = await asyncio.to_thread(_refresh_health)
    log.info("health refreshed: %d scores changed", changed)


async def snapshot_job() -> None:
    """Writes the snapshot of the week that just ended (nothing if it is there)."""
    written = await asyncio.to_thread(_snapshot_last_week)
    log.info("weekly health snapshot: %d rows written", written)


async def reminders_job() -> None:
    """Sends the push reminders that are due; each is claimed, so workers never double one."""
    report = await asyncio.to_thread(send_due_reminders)
    if report.claimed or report.errors:
        log.info("push reminders: %s", report.summary())


def _forget_old_sign_ins() -> int:
    with session_scope() as session:
        return forget_old_sign_ins(session=session, now=clock.now())


async def forget_old_sign_ins_job() -> None:
    """Deletes expired and idle tokens, quiet guessing streaks and long-unused devices."""
    gone = await asyncio.to_thread(_forget_old_sign_ins)
    log.info("old sign-ins forgotten: %d rows", gone)


async def forget_abandoned_imports_job() -> None:
    """Deletes the files staged for an import preview and never imported."""
    gone = await asyncio.to_thread(forget_abandoned)
    if gone:
        log.info("abandoned import files deleted: %d", gone)


async def resume_invitations_job() -> None:
    """Starts a sending run for each invitation left half-sent (a restart, an outage)."""
    started = await asyncio.to_thread(resume_sending)
    if started:
        log.info("invitations: %d sending runs resumed", started)


JOBS: list[Job] = [
    # Hourly: a rep's day turns at their own midnight, one zone after another.
    Job("refresh-health", every(timedelta(hours=1)), refresh_health_job, at_start=True),
    # Monday 12:00 UTC: Sunday is over in every zone by then.
    Job("weekly-snapshot", weekly_at(0, time(12, 0), "UTC"), snapshot_job, at_start=True),
    Job("push-reminders", every(timedelta(minutes=1)), reminders_job, at_start=True),
    Job("forget-old-sign-ins", every(timedelta(hours=6)), forget_old_sign_ins_job, at_start=True),
    # The files are in this app's data directory, so not a job of the queue's workers
    # (which may run elsewhere): with RAPPORT_SCHEDULER=queue, staging a file sweeps.
    Job(
        "forget-abandoned-imports",
        every(timedelta(hours=1)),
        forget_abandoned_imports_job,
        at_start=True,
    ),
    Job("resume-invitations", every(timedelta(minutes=5)), resume_invitations_job, at_start=True),
]


def register_job(job: Job) -> None:
    """Adds a job; names are unique so a module imported twice cannot double it."""
    if any(existing.name == job.name for existing in JOBS):
        raise ValueError(f"a job named {job.name!r} is already registered")
    JOBS.append(job)


async def _run(job: Job) -> None:
    try:
        await job.run()
    except Exception:
        # One failing run must not stop this job's next runs, nor the other jobs.
        log.exception("scheduled job %s failed", job.name)


async def run_job_forever(job: Job) -> None:
    if job.at_start:
        await _run(job)
    due = job.next_run(clock.now())
    while True:
        now = clock.now()
        if now >= due:
            await _run(job)
            due = job.next_run(clock.now())
            continue
        await asyncio.sleep(min((due - now).total_seconds(), POLL_SECONDS))


async def run_scheduler() -> None:
    """Runs every registered job until the app stops; nothing when the scheduler is off
    or the job queue's workers run them (RAPPORT_SCHEDULER=queue, crm_pwa/job_queue.py)."""
    mode = get_settings().scheduler
    if mode != "on":
        log.info("scheduler is not in this process (RAPPORT_SCHEDULER=%s)", mode)
        return
    async with asyncio.TaskGroup() as group:
        for job in JOBS:
            group.create_task(run_job_forever(job), name=f"job:{job.name}")
