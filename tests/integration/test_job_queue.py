"""Scheduled work on the job queue: `python -m crm_pwa worker` processes on one PostgreSQL.

Real worker processes (not threads) against the test database and a local push
service: two of them as two hosts would run them, one killed with SIGKILL in
the middle of a fan-out, one stopped with SIGTERM.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, ExitStack, contextmanager
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time
from functools import partial
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session, func, select

from crm_pwa.db.health import HealthSnapshot
from crm_pwa.db.interaction import FollowUp
from crm_pwa.db.user import User
from crm_pwa.domain.days import earliest_day, local_day
from crm_pwa.job_queue import STALLED_BEATS
from crm_pwa.services import push
from crm_pwa.services.actor import Actor
from crm_pwa.services.snapshot import last_full_week
from crm_pwa.settings import get_settings
from tests.conftest import REDIS_URL, Database, require_redis
from tests.utils.app_server import _free_port
from tests.utils.factories import NOW, PASSWORD, make_contact, make_user
from tests.utils.processes import logged_process
from tests.utils.push_service import FakePushService

pytestmark = pytest.mark.postgres

ZONES = ("America/Los_Angeles", "Pacific/Auckland", "Asia/Kolkata")
QUEUE_TABLES = (
    "procrastinate_events",
    "procrastinate_periodic_defers",
    "procrastinate_jobs",
    "procrastinate_workers",
)


@pytest.fixture
def pg(pg: Database) -> Iterator[Database]:
    """The test PostgreSQL database (the queue lives only there), with an empty queue."""
    _empty_queue(pg.engine)
    yield pg
    _empty_queue(pg.engine)


def _empty_queue(engine: Engine) -> None:
    with engine.begin() as connection:
        connection.execute(sa.text(f"TRUNCATE {', '.join(QUEUE_TABLES)} CASCADE"))


@pytest.fixture
def service(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakePushService]:
    with FakePushService() as fake:
        monkeypatch.setenv("RAPPORT_PUSH_EXTRA_HOSTS", fake.host)
        get_settings.cache_clear()
        yield fake


def make_reps(
    session: Session,
    service: FakePushService,
    reps: int,
    follow_ups_each: int,
    *,
    phones: bool = True,
) -> list[tuple[str, uuid.UUID, str]]:
    """Reps in three zones, no quiet hours, reminders from midnight, one contact each,
    a phone each and overdue follow-ups; (email, contact id, zone) of each rep."""
    due = date.today() - timedelta(days=7)
    made: list[tuple[str, uuid.UUID, str]] = []
    for number in range(reps):
        rep = make_user(session, f"rep{number}@example.com")
        stored = session.get(User, rep.id)
        assert stored is not None
        stored.time_zone = ZONES[number % len(ZONES)]
        stored.quiet_start = stored.quiet_end = stored.reminder_time = clock_time(0, 0)
        session.add(stored)
        if phones:
            push.subscribe(
                session=session,
                actor=Actor.of(rep),
                subscription=service.new_browser(f"phone-{number}"),
                user_agent="Mozilla/5.0 (Linux; Android 14; Pixel 7) Chrome/130.0",
                now=NOW,
            )
        # One contact per rep holds all of the rep's promises: cheap to build.
        contact = make_contact(session, rep, f"Contact {number}")
        follow_ups = [
            FollowUp(
                contact_id=contact.id,
                owner_id=rep.id,
                title=f"Send the revised quote {index}",
                due_on=due,
                changed_at=NOW,
                created_at=NOW,
            )
            for index in range(follow_ups_each)
        ]
        session.add_all(follow_ups)
        made.append((rep.email, contact.id, stored.time_zone))
        session.commit()
    return made


def follow_up_topics(pg: Database) -> set[str]:
    """The Topic header carries the follow-up's id: "fu-" and 29 hex digits."""
    with pg.session() as session:
        return {one.hex[:29] for one in session.exec(select(FollowUp.id))}


def worker_env(pg: Database, service: FakePushService, data: Path) -> dict[str, str]:
    env = {
        **os.environ,
        "RAPPORT_DATABASE_URL": pg.url,
        # The VAPID key of the database's hosts: every worker signs with the same one.
        "RAPPORT_DATA_DIR": str(data),
        "RAPPORT_PUSH_EXTRA_HOSTS": service.host,
        "RAPPORT_WORKER_HEARTBEAT_SECONDS": "1",
        "RAPPORT_SCHEDULER": "queue",
    }
    env.pop("RAPPORT_CLOCK_FILE", None)
    return env


def worker(env: dict[str, str], log: Path) -> AbstractContextManager[subprocess.Popen[bytes]]:
    """A `python -m crm_pwa worker` process, as a host runs it; killed after."""
    return logged_process([sys.executable, "-m", "crm_pwa", "worker"], env, log)


def topics(service: FakePushService) -> Counter[str]:
    """How many pushes each follow-up got, by its Topic."""
    return Counter(
        request.headers["topic"].removeprefix("fu-")
        for request in service.received
        if request.answered == 201
    )


def wait_for(condition: Callable[[], bool], seconds: float, what: str, log: Path) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"{what} within {seconds:.0f} s; worker log:\n{log.read_text()[-3000:]}")
        time.sleep(0.1)


def queue_jobs(pg: Database, task: str, statuses: tuple[str, ...] = ("todo", "doing")) -> int:
    with pg.engine.connect() as connection:
        return int(
            connection.execute(
                sa.text(
                    "SELECT count(*) FROM procrastinate_jobs "
                    "WHERE task_name = :task AND status::text = ANY(:statuses)"
                ),
                {"task": task, "statuses": list(statuses)},
            ).scalar_one()
        )


def periodic_defers(pg: Database, task: str) -> list[int]:
    with pg.engine.connect() as connection:
        return [
            int(row[0])
            for row in connection.execute(
                sa.text(
                    "SELECT defer_timestamp FROM procrastinate_periodic_defers "
                    "WHERE task_name = :task"
                ),
                {"task": task},
            )
        ]


def running_jobs_of_live_workers(pg: Database, env: dict[str, str]) -> int:
    """Running jobs whose worker has beaten within the time after which a starting
    worker calls it dead (procrastinate's own test, as `retry_stalled_jobs` asks it)."""
    stale_after = STALLED_BEATS * int(env["RAPPORT_WORKER_HEARTBEAT_SECONDS"])
    with pg.engine.connect() as connection:
        return int(
            connection.execute(
                sa.text(
                    "SELECT count(*) FROM procrastinate_jobs job "
                    "JOIN procrastinate_workers w ON w.id = job.worker_id "
                    "WHERE job.status = 'doing' "
                    "AND w.last_heartbeat >= NOW() - make_interval(secs => :seconds)"
                ),
                {"seconds": stale_after},
            ).scalar_one()
        )


def claims_left(pg: Database) -> int:
    with pg.engine.connect() as connection:
        return int(
            connection.execute(
                select(func.count()).select_from(FollowUp).where(FollowUp.reminder_claim != None)  # noqa: E711
            ).scalar_one()
        )


def reminder_states(pg: Database) -> tuple[set[str], set[str]]:
    """Follow-ups reminded and confirmed sent, and those claimed but not yet confirmed."""
    with pg.session() as session:
        rows = session.exec(
            select(FollowUp.id, FollowUp.reminder_claim).where(FollowUp.last_reminded_on != None)  # noqa: E711
        ).all()
    confirmed = {row[0].hex[:29] for row in rows if row[1] is None}
    held = {row[0].hex[:29] for row in rows if row[1] is not None}
    return confirmed, held


@contextmanager
def app_hosts(env: dict[str, str], log: Path, count: int) -> Iterator[list[str]]:
    """`count` app hosts' APIs (uvicorn, as tests/utils/api_server.py runs it), started
    together (each spends seconds importing the app), each ready."""
    ports: list[int] = []
    while len(ports) < count:
        port = _free_port()
        if port not in ports:
            ports.append(port)
    with ExitStack() as hosts:
        for port in ports:
            command = [sys.executable, "-m", "uvicorn", "--factory", "crm_pwa.api.app:create_api"]
            command += ["--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"]
            hosts.enter_context(logged_process(command, env, log, stop=signal.SIGTERM))
        urls = [f"http://127.0.0.1:{port}" for port in ports]
        for url in urls:
            wait_for(partial(_ready, url), 90, "the app instance ready", log)
        yield urls


def _ready(url: str) -> bool:
    try:
        answer = httpx.get(f"{url}/readyz", timeout=2)
    except httpx.HTTPError:
        return False
    # Ready means the shared database and the shared Redis both answer.
    return answer.status_code == 200 and answer.json()["redis"] == "ok"


def test_two_hosts_send_each_reminder_once_and_write_each_weekly_snapshot_once(
    pg: Database, service: FakePushService, tmp_path: Path
) -> None:
    require_redis(ci=os.environ.get("CI", "").lower() == "true")
    with pg.session() as session:
        reps = make_reps(session, service, reps=4, follow_ups_each=0, phones=False)
    env = {
        **worker_env(pg, service, tmp_path),
        "RAPPORT_REDIS_URL": REDIS_URL,
        "RAPPORT_FAST_PASSWORD_HASHING": "1",
    }
    log = tmp_path / "hosts.log"
    expected: set[str] = set()
    # Two hosts, each an app instance and a worker, on one PostgreSQL and one Redis.
    with app_hosts(env, log, 2) as (host_a, host_b):
        # Reps work through either host: each turns reminders on and promises calls.
        for number, (email, contact_id, zone) in enumerate(reps):
            host = (host_a, host_b)[number % 2]
            token = httpx.post(
                f"{host}/api/v1/auth/token", json={"email": email, "password": PASSWORD}
            ).json()["access_token"]
            auth = {"Authorization": f"Bearer {token}"}
            httpx.post(
                f"{host}/api/v1/push/subscriptions",
                json=service.new_browser(f"phone-{number}"),
                headers=auth,
            ).raise_for_status()
            today = local_day(datetime.now(UTC), zone).isoformat()
            for index in range(5):
                answer = httpx.post(
                    f"{host}/api/v1/contacts/{contact_id}/follow-ups",
                    json={"title": f"Call back about the quote {index}", "due_on": today},
                    headers=auth,
                )
                answer.raise_for_status()
                expected.add(uuid.UUID(answer.json()["id"]).hex[:29])
        # Both hosts' workers start together: each defers the minute's reminder run
        # and the latest weekly snapshot, and each period's job is queued once.
        with worker(env, log), worker(env, log):
            wait_for(lambda: set(topics(service)) >= expected, 60, "every reminder sent", log)
            wait_for(
                lambda: (
                    queue_jobs(pg, "send-reminders") == 0 and queue_jobs(pg, "weekly-snapshot") == 0
                ),
                60,
                "every job done",
                log,
            )
            # Whatever a second run would send has had time to arrive.
            time.sleep(2)
    week = last_full_week(earliest_day(datetime.now(UTC)))
    with pg.session() as session:
        per_contact = session.exec(
            select(HealthSnapshot.contact_id, func.count())
            .where(HealthSnapshot.week == week)
            .group_by(HealthSnapshot.contact_id)
        ).all()

    sent = topics(service)
    assert set(sent) == expected
    assert max(sent.values()) == 1, "a reminder was sent twice"
    assert len(periodic_defers(pg, "weekly-snapshot")) == 1
    assert len(per_contact) == len(reps)
    assert {count for _contact, count in per_contact} == {1}
    assert claims_left(pg) == 0


def test_a_worker_killed_mid_fan_out_loses_no_reminder_and_resends_only_what_was_in_flight(
    pg: Database, service: FakePushService, tmp_path: Path
) -> None:
    with pg.session() as session:
        make_reps(session, service, reps=8, follow_ups_each=50)
    expected = follow_up_topics(pg)
    # A slow push service keeps the fan-out going long enough to kill it halfway.
    for number in range(8):
        service.script(f"/push/phone-{number}", 201, delay=0.2)
    env = worker_env(pg, service, tmp_path)
    log = tmp_path / "workers.log"
    with worker(env, log) as first:
        wait_for(lambda: len(topics(service)) >= len(expected) // 4, 60, "a quarter sent", log)
        os.killpg(first.pid, signal.SIGKILL)
        first.wait(timeout=10)
    before_kill = topics(service)
    assert len(before_kill) < len(expected), "the fan-out ended before the kill"
    confirmed, held = reminder_states(pg)
    # The dead worker's heartbeat goes stale (3 beats of 1 s); the next worker to
    # start puts its running job back in the queue.
    # The next worker checks seconds later, once it has imported the app.
    wait_for(lambda: running_jobs_of_live_workers(pg, env) == 0, 30, "the heartbeat stale", log)
    with worker(env, log):
        wait_for(lambda: set(topics(service)) >= expected, 90, "every reminder sent", log)
        wait_for(lambda: queue_jobs(pg, "send-reminders") == 0, 60, "every job done", log)
        time.sleep(1)

    sent = topics(service)
    assert set(sent) == expected, "a reminder was lost"
    twice = {topic for topic, count in sent.items() if count > 1}
    # What the dead worker had written down as sent is never sent again; only
    # what it held unconfirmed can go twice: messages in flight at the kill
    # (the push service had taken them, the worker had not yet written so).
    assert confirmed and all(sent[topic] == 1 for topic in confirmed)
    assert twice <= held
    assert max(sent.values()) <= 2
    assert claims_left(pg) == 0
    print(
        f"killed after {len(before_kill)} of {len(expected)}: {len(held)} held, {len(twice)} twice"
    )


def test_sigterm_lets_the_running_fan_out_finish_before_the_worker_exits(
    pg: Database, service: FakePushService, tmp_path: Path
) -> None:
    with pg.session() as session:
        make_reps(session, service, reps=4, follow_ups_each=50)
    expected = follow_up_topics(pg)
    for number in range(4):
        service.script(f"/push/phone-{number}", 201, delay=0.2)
    env = worker_env(pg, service, tmp_path)
    log = tmp_path / "workers.log"
    with worker(env, log) as running:
        wait_for(lambda: len(topics(service)) >= 20, 60, "the fan-out under way", log)
        running.send_signal(signal.SIGTERM)
        assert running.wait(timeout=60) == 0
        at_exit = topics(service)

    assert set(at_exit) == expected, "SIGTERM cut the running fan-out short"
    assert max(at_exit.values()) == 1
    assert queue_jobs(pg, "send-reminders", ("todo", "doing", "failed")) == 0
    assert claims_left(pg) == 0
