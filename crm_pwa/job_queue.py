"""Scheduled work on a job queue: procrastinate on the PostgreSQL Rapport already uses.

With RAPPORT_SCHEDULER=queue the app processes run no scheduled work; each
`python -m crm_pwa worker` process (on any number of hosts) runs:

- the periodic jobs, each deferred once per period however many workers run:
  procrastinate inserts a periodic job under a unique (task, period) key, so
  the second worker's insert for the same minute is a no-op;
- the reminder fan-out: the minute's planning job finds the due follow-ups and
  defers one sending job per `FAN_OUT_CHUNK` of them, which the workers share;
- every job again when it fails (`RETRY`), or when its worker dies: a worker
  whose heartbeat is three beats old is dead, and `retry-stalled-jobs` (every
  minute, and at each worker's start) puts its running jobs back in the queue.

Why procrastinate on PostgreSQL (not arq, dramatiq or rq on Redis): a
multi-host Rapport already has PostgreSQL, the jobs then live next to the rows
they work on (one backup, one thing to watch), the periodic "once per period"
is a unique index rather than a lock with a timeout, dead workers are found by
heartbeats, and SIGTERM lets running jobs finish. arq needs redis<6 while
Reflex needs redis 7; rq and dramatiq would add a scheduler process of their own.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from contextlib import suppress
from functools import lru_cache

import psycopg
from procrastinate import App, JobContext, PsycopgConnector, RetryStrategy
from procrastinate.exceptions import AlreadyEnqueued
from procrastinate.types import JSONValue

from crm_pwa import clock
from crm_pwa.db.engine import get_engine
from crm_pwa.queue_schema import conninfo
from crm_pwa.scheduler import (
    forget_old_sign_ins_job,
    refresh_health_job,
    resume_invitations_job,
    snapshot_job,
)
from crm_pwa.services.invitation_sending import run_sending
from crm_pwa.services.reminders import due_follow_up_ids, send_due_reminders
from crm_pwa.settings import get_settings

log = logging.getLogger(__name__)

# Follow-ups per sending job: enough that a job is worth its round trips, few
# enough that 10,000 due reminders make 20 jobs for the workers to share.
FAN_OUT_CHUNK = 500
# A job that raises runs again, twice at most, a little later each time.
RETRY = RetryStrategy(max_attempts=3, wait=5, linear_wait=10)
# A worker that received SIGTERM finishes its running jobs for up to this long,
# then stops them: they run again on another worker (their claims are taken back).
SHUTDOWN_GRACE_SECONDS = 120.0
# Beats a worker may miss before it is taken for dead.
STALLED_BEATS = 3
# A worker that starts defers each periodic job's latest period if no worker has
# yet (what a stopped app missed, as the in-app scheduler's "at start" did), but
# not one older than this: a day and an hour covers the daily snapshot.
CATCH_UP_SECONDS = 25 * 3600


def stalled_after_seconds() -> float:
    return float(get_settings().worker_heartbeat_seconds * STALLED_BEATS)


@lru_cache(maxsize=1)
def queue() -> App:
    """The procrastinate app on the configured database, with Rapport's jobs."""
    app = App(
        connector=PsycopgConnector(conninfo=conninfo(get_settings().database_url)),
        periodic_defaults={"max_delay": CATCH_UP_SECONDS},
    )

    @app.task(name="send-reminders", pass_context=True, retry=RETRY)
    def send_reminders(context: JobContext, follow_up_ids: list[str]) -> None:
        # The job's id is its claim token: a retry of this job (same id) takes back
        # and sends what an attempt that died had claimed.
        assert context.job.id is not None
        report = send_due_reminders(only=follow_up_ids, claim=f"job-{context.job.id}")
        log.info("push reminders (job %s): %s", context.job.id, report.summary())

    @app.periodic(cron="* * * * *", periodic_id="minute")
    @app.task(name="plan-reminders", retry=RETRY)
    async def plan_reminders(timestamp: int) -> None:
        due = await asyncio.to_thread(_due_now)
        chunks = [due[start : start + FAN_OUT_CHUNK] for start in range(0, len(due), FAN_OUT_CHUNK)]
        if chunks:
            batches: list[dict[str, JSONValue]] = [{"follow_up_ids": list(c)} for c in chunks]
            await send_reminders.batch_defer_async(*batches)
            log.info("push reminders: %d due, %d sending jobs", len(due), len(chunks))

    @app.periodic(cron="7 * * * *", periodic_id="hourly")
    @app.task(name="refresh-health", retry=RETRY)
    async def refresh_health(timestamp: int) -> None:
        await refresh_health_job()

    # Daily, not only on Mondays: the snapshot writes the week that ended if it
    # is missing and nothing otherwise, so a Monday missed while every worker
    # was down is caught up the next day. Monday 12:00 UTC: Sunday is over everywhere.
    @app.periodic(cron="0 12 * * *", periodic_id="daily")
    @app.task(name="weekly-snapshot", retry=RETRY)
    async def weekly_snapshot(timestamp: int) -> None:
        await snapshot_job()

    @app.periodic(cron="17 */6 * * *", periodic_id="six-hourly")
    @app.task(name="forget-old-sign-ins", retry=RETRY)
    async def forget_old_sign_ins(timestamp: int) -> None:
        await forget_old_sign_ins_job()

    @app.task(name="send-invitation", pass_context=True, retry=RETRY)
    def send_invitation(context: JobContext, invitation_id: str) -> None:
        # The job's id is the run's claim: a retry of this job takes back its own copies.
        assert context.job.id is not None
        progress = run_sending(uuid.UUID(invitation_id), f"job-{context.job.id}")
        log.info(
            "invitation %s: %d sent, %d pending", invitation_id, progress.sent, progress.pending
        )

    @app.periodic(cron="*/5 * * * *", periodic_id="five-minutes")
    @app.task(name="resume-invitations", retry=RETRY)
    async def resume_invitations(timestamp: int) -> None:
        await resume_invitations_job()

    @app.periodic(cron="* * * * *", periodic_id="minute")
    @app.task(name="retry-stalled-jobs")
    async def retry_stalled(timestamp: int) -> None:
        await retry_stalled_jobs(app)

    return app


def defer_invitation(invitation_id: uuid.UUID) -> None:
    """Queue a sending run for the invitation, unless one is queued already (its lock)."""
    with queue().open() as app, suppress(AlreadyEnqueued):
        app.configure_task("send-invitation", queueing_lock=f"invitation-{invitation_id}").defer(
            invitation_id=str(invitation_id)
        )


def _due_now() -> list[str]:
    return due_follow_up_ids(get_engine(), clock.now())


async def retry_stalled_jobs(app: App) -> int:
    """Puts the running jobs of dead workers back in the queue; how many."""
    retried = 0
    stalled = await app.job_manager.get_stalled_jobs(
        seconds_since_heartbeat=stalled_after_seconds()
    )
    for job in stalled:
        try:
            await app.job_manager.retry_job(job)
        except psycopg.Error:
            # Another worker retried it first.
            continue
        retried += 1
        log.warning("job %s (%s) of a dead worker runs again", job.id, job.task_name)
    return retried


async def run_worker(concurrency: int | None = None) -> None:
    """The `worker` command: jobs until SIGTERM/SIGINT, then running jobs finish."""
    settings = get_settings()
    app = queue()
    async with app.open_async():
        await retry_stalled_jobs(app)
        await app.run_worker_async(
            concurrency=concurrency or settings.worker_concurrency,
            update_heartbeat_interval=float(settings.worker_heartbeat_seconds),
            stalled_worker_timeout=stalled_after_seconds(),
            shutdown_graceful_timeout=SHUTDOWN_GRACE_SECONDS,
            # Finished jobs are history nobody reads; failed ones stay to be looked at.
            delete_jobs="successful",
        )
