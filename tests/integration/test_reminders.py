"""The reminder run against a local push service, on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from datetime import time as clock_time
from typing import Any

import httpx
import pytest
from sqlmodel import Session, select

from crm_pwa import __main__ as cli
from crm_pwa import clock
from crm_pwa.db.contact import Contact
from crm_pwa.db.interaction import FollowUp
from crm_pwa.db.push import PushSubscription
from crm_pwa.db.user import User
from crm_pwa.domain.days import local_day
from crm_pwa.domain.reminder import follow_up_topic
from crm_pwa.services import push, reminders
from crm_pwa.services.actor import Actor
from crm_pwa.services.reminders import ReminderRunReport, run_reminders
from crm_pwa.settings import get_settings
from tests.conftest import Database
from tests.utils.factories import NOW, make_contact, make_user
from tests.utils.push_service import FakePushService

# NOW is Monday 23 Nov 2026, 12:00 UTC: outside the default quiet hours (20:00-08:00).
TODAY = NOW.date()
LAST_TUESDAY = date(2026, 11, 17)


@pytest.fixture
def service(db: Database, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakePushService]:
    with FakePushService() as fake:
        monkeypatch.setenv("RAPPORT_PUSH_EXTRA_HOSTS", fake.host)
        get_settings.cache_clear()
        yield fake


@pytest.fixture
def http() -> Iterator[httpx.Client]:
    with httpx.Client() as client:
        yield client


@pytest.fixture
def rep(session: Session) -> User:
    return make_user(session, "riley@example.com", name="Riley Chen")


@pytest.fixture
def dana(session: Session, rep: User) -> Contact:
    return make_contact(session, rep, "Dana Reyes")


def make_follow_up(
    session: Session,
    owner: User,
    contact: Contact,
    due_on: date,
    title: str = "Send the revised quote",
    **fields: Any,
) -> FollowUp:
    follow_up = FollowUp(
        contact_id=contact.id,
        owner_id=owner.id,
        title=title,
        due_on=due_on,
        changed_at=NOW,
        created_at=NOW,
        **fields,
    )
    session.add(follow_up)
    session.commit()
    return follow_up


def add_device(session: Session, service: FakePushService, user: User, name: str) -> dict[str, Any]:
    subscription = service.new_browser(name)
    push.subscribe(
        session=session,
        actor=Actor.of(user),
        subscription=subscription,
        user_agent="Mozilla/5.0 (Linux; Android 14; Pixel 7) Chrome/130.0 Mobile Safari/537.36",
        now=NOW,
    )
    session.commit()
    return subscription


def run(db: Database, http: httpx.Client, now: datetime = NOW, **options: Any) -> ReminderRunReport:
    return run_reminders(engine_or_session=db.engine, now=now, client=http, **options)


def reminded_on(session: Session, follow_up: FollowUp) -> date | None:
    session.expire_all()
    stored = session.get(FollowUp, follow_up.id)
    assert stored is not None
    return stored.last_reminded_on


def devices_of(session: Session, user: User) -> list[PushSubscription]:
    session.expire_all()
    return list(session.exec(select(PushSubscription).where(PushSubscription.user_id == user.id)))


def test_overdue_follow_up_reaches_the_phone_when_the_run_is_due(
    db: Database,
    session: Session,
    service: FakePushService,
    http: httpx.Client,
    rep: User,
    dana: Contact,
) -> None:
    follow_up = make_follow_up(session, rep, dana, LAST_TUESDAY)
    add_device(session, service, rep, "phone")

    report = run(db, http)

    [request] = service.received
    assert request.answered == 201
    assert request.headers["ttl"] == "86400"
    assert request.headers["urgency"] == "high"
    assert request.headers["topic"] == follow_up_topic(str(follow_up.id))
    assert request.vapid_claims is not None
    assert request.vapid_claims["aud"] == service.url
    assert request.vapid_claims["sub"] == get_settings().vapid_subject
    assert request.vapid_public_key == push.vapid_keys().public_key_b64url
    assert service.decrypt_json(request) == {
        "title": "Call back Dana Reyes",
        "body": "Overdue since Tuesday 17 Nov — Send the revised quote",
        "url": f"/contacts/{dana.id}",
        "tag": follow_up_topic(str(follow_up.id)),
        "follow_up_id": str(follow_up.id),
        "actions": [
            {"action": "done", "title": "Done"},
            {"action": "snooze", "title": "Snooze 1 day"},
        ],
    }
    assert reminded_on(session, follow_up) == TODAY
    [device] = devices_of(session, rep)
    assert device.last_success_at == NOW
    assert (report.claimed, report.pushes_sent, report.pushes_failed) == (1, 1, 0)


def test_due_today_waits_for_the_reminder_time_when_the_run_is_early(
    db: Database,
    session: Session,
    service: FakePushService,
    http: httpx.Client,
    rep: User,
    dana: Contact,
) -> None:
    follow_up = make_follow_up(session, rep, dana, TODAY, title="Call about the site visit")
    add_device(session, service, rep, "phone")

    run(db, http, now=datetime.combine(TODAY, clock_time(8, 30), NOW.tzinfo))
    assert service.received == []

    run(db, http, now=datetime.combine(TODAY, clock_time(9, 0), NOW.tzinfo))
    [request] = service.received
    assert request.headers["urgency"] == "normal"
    payload = service.decrypt_json(request)
    assert payload["body"] == "Promised today — Call about the site visit"
    assert reminded_on(session, follow_up) == TODAY


def test_follow_up_is_reminded_once_a_day_when_the_run_repeats(
    db: Database,
    session: Session,
    service: FakePushService,
    http: httpx.Client,
    rep: User,
    dana: Contact,
) -> None:
    follow_up = make_follow_up(session, rep, dana, LAST_TUESDAY)
    add_device(session, service, rep, "phone")

    for minutes in range(3):
        run(db, http, now=NOW + timedelta(minutes=minutes))
    assert len(service.received) == 1

    run(db, http, now=NOW + timedelta(days=1))
    assert len(service.received) == 2
    assert reminded_on(session, follow_up) == TODAY + timedelta(days=1)


def test_nothing_is_sent_when_follow_ups_are_done_snoozed_future_or_do_not_contact(
    db: Database,
    session: Session,
    service: FakePushService,
    http: httpx.Client,
    rep: User,
    dana: Contact,
) -> None:
    private = make_contact(session, rep, "Lee Park", do_not_contact=True)
    quiet_ones = [
        make_follow_up(session, rep, dana, LAST_TUESDAY, status="done", done_on=TODAY),
        make_follow_up(
            session, rep, dana, LAST_TUESDAY, status="snoozed", snooze_until=TODAY + timedelta(1)
        ),
        make_follow_up(session, rep, dana, TODAY + timedelta(days=1)),
        make_follow_up(session, rep, private, LAST_TUESDAY),
    ]
    add_device(session, service, rep, "phone")

    report = run(db, http)

    assert service.received == []
    assert report.claimed == 0
    assert [reminded_on(session, one) for one in quiet_ones] == [None] * 4


def test_snoozed_follow_up_is_reminded_when_its_snooze_ends_today(
    db: Database,
    session: Session,
    service: FakePushService,
    http: httpx.Client,
    rep: User,
    dana: Contact,
) -> None:
    make_follow_up(session, rep, dana, LAST_TUESDAY, status="snoozed", snooze_until=TODAY)
    add_device(session, service, rep, "phone")

    run(db, http)

    assert len(service.received) == 1


def test_nothing_is_sent_when_it_is_quiet_hours_in_the_reps_time_zone(
    db: Database,
    session: Session,
    service: FakePushService,
    http: httpx.Client,
    rep: User,
    dana: Contact,
) -> None:
    push.update_reminder_settings(
        session=session,
        actor=Actor.of(rep),
        reminder_time="09:00",
        quiet_start="20:00",
        quiet_end="08:00",
        time_zone="America/New_York",
    )
    session.commit()
    follow_up = make_follow_up(session, rep, dana, LAST_TUESDAY)
    add_device(session, service, rep, "phone")

    run(db, http)  # 12:00 UTC is 07:00 in New York
    assert service.received == []
    assert reminded_on(session, follow_up) is None

    run(db, http, now=NOW + timedelta(hours=1))  # 08:00 in New York
    assert len(service.received) == 1
    assert reminded_on(session, follow_up) == TODAY


def test_gone_device_is_removed_when_the_push_service_answers_410(
    db: Database,
    session: Session,
    service: FakePushService,
    http: httpx.Client,
    rep: User,
    dana: Contact,
) -> None:
    follow_up = make_follow_up(session, rep, dana, LAST_TUESDAY)
    add_device(session, service, rep, "old-phone")
    kept = add_device(session, service, rep, "new-phone")
    service.script("/push/old-phone", 410)

    report = run(db, http)

    assert sorted(r.path for r in service.received) == ["/push/new-phone", "/push/old-phone"]
    assert [d.endpoint for d in devices_of(session, rep)] == [kept["endpoint"]]
    assert reminded_on(session, follow_up) == TODAY
    assert (report.pushes_sent, report.subscriptions_removed) == (1, 1)


def test_retry_waits_for_retry_after_when_the_push_service_answers_429(
    db: Database,
    session: Session,
    service: FakePushService,
    http: httpx.Client,
    rep: User,
    dana: Contact,
) -> None:
    follow_up = make_follow_up(session, rep, dana, LAST_TUESDAY)
    add_device(session, service, rep, "phone")
    service.script("/push/phone", 429, {"Retry-After": "120"})

    report = run(db, http)
    assert len(service.received) == 1
    assert report.claims_released == 1
    assert reminded_on(session, follow_up) is None
    [device] = devices_of(session, rep)
    assert device.retry_not_before == NOW + timedelta(seconds=120)

    service.script("/push/phone", 201)
    run(db, http, now=NOW + timedelta(seconds=60))
    assert len(service.received) == 1

    run(db, http, now=NOW + timedelta(seconds=121))
    assert [r.answered for r in service.received] == [429, 201]
    assert reminded_on(session, follow_up) == TODAY


def test_server_errors_are_retried_with_backoff_when_the_push_service_fails(
    db: Database,
    session: Session,
    service: FakePushService,
    http: httpx.Client,
    rep: User,
    dana: Contact,
) -> None:
    follow_up = make_follow_up(session, rep, dana, LAST_TUESDAY)
    add_device(session, service, rep, "phone")
    service.script("/push/phone", 503)
    waits: list[float] = []

    report = run(db, http, sleep=waits.append)

    assert waits == [0.5, 1.0, 2.0]
    assert [r.answered for r in service.received] == [503] * 4
    assert report.claims_released == 1
    assert reminded_on(session, follow_up) is None

    def recover(delay: float) -> None:
        waits.append(delay)
        service.script("/push/phone", 201)

    service.script("/push/phone", 500)
    run(db, http, now=NOW + timedelta(minutes=1), sleep=recover)
    assert [r.answered for r in service.received][4:] == [500, 201]
    assert reminded_on(session, follow_up) == TODAY


def test_run_finishes_when_a_push_service_never_answers(
    db: Database,
    session: Session,
    service: FakePushService,
    http: httpx.Client,
    rep: User,
    dana: Contact,
) -> None:
    follow_up = make_follow_up(session, rep, dana, LAST_TUESDAY)
    add_device(session, service, rep, "phone")
    service.script("/push/phone", 201, delay=10)

    started = time.monotonic()
    report = run(db, http, timeout=0.3, retry_delays=())

    assert time.monotonic() - started < 5
    assert report.pushes_failed == 1
    assert reminded_on(session, follow_up) is None


def test_device_is_removed_unheard_when_its_host_leaves_the_allow_list(
    db: Database,
    session: Session,
    service: FakePushService,
    http: httpx.Client,
    rep: User,
    dana: Contact,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    make_follow_up(session, rep, dana, LAST_TUESDAY)
    add_device(session, service, rep, "phone")
    monkeypatch.setenv("RAPPORT_PUSH_EXTRA_HOSTS", "push.example.net")
    get_settings.cache_clear()

    report = run(db, http)

    assert service.received == []
    assert devices_of(session, rep) == []
    assert report.subscriptions_removed == 1


def test_each_reminder_is_sent_once_when_two_runs_overlap(
    db: Database,
    session: Session,
    service: FakePushService,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    expected: set[str] = set()
    for number in range(3):
        owner = make_user(session, f"rep{number}@example.com")
        add_device(session, service, owner, f"phone-{number}")
        for index in range(10):
            contact = make_contact(session, owner, f"Contact {number}-{index}")
            expected.add(str(make_follow_up(session, owner, contact, LAST_TUESDAY).id))
    # Both runs load the same due follow-ups before either claims one.
    both_loaded = threading.Barrier(2, timeout=30)
    load = reminders._load

    def load_then_wait(*args: Any) -> Any:
        loaded = load(*args)
        both_loaded.wait()
        return loaded

    monkeypatch.setattr(reminders, "_load", load_then_wait)
    reports: list[ReminderRunReport] = []

    def one_run() -> None:
        with httpx.Client() as client:
            reports.append(run(db, client))

    threads = [threading.Thread(target=one_run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert len(reports) == 2
    assert sorted(report.planned for report in reports) == [30, 30]
    assert sum(report.claimed for report in reports) == 30
    sent = [service.decrypt_json(request)["follow_up_id"] for request in service.received]
    assert sorted(sent) == sorted(expected)


def test_run_accepts_a_session_when_given_one(
    db: Database,
    session: Session,
    service: FakePushService,
    http: httpx.Client,
    rep: User,
    dana: Contact,
) -> None:
    make_follow_up(session, rep, dana, LAST_TUESDAY)
    add_device(session, service, rep, "phone")

    report = run_reminders(engine_or_session=session, now=NOW, client=http)

    assert report.pushes_sent == 1


def test_remind_once_sends_due_reminders_when_run_from_the_command_line(
    db: Database,
    session: Session,
    service: FakePushService,
    rep: User,
    dana: Contact,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # The command runs at the real time: whatever it is, it is not quiet hours.
    push.update_reminder_settings(
        session=session,
        actor=Actor.of(rep),
        reminder_time="00:00",
        quiet_start="00:00",
        quiet_end="00:00",
        time_zone="UTC",
    )
    make_follow_up(session, rep, dana, local_day(clock.now(), "UTC") - timedelta(days=2))
    add_device(session, service, rep, "phone")

    assert cli.main(["remind", "--once"]) == 0

    assert len(service.received) == 1
    assert "1 pushes sent" in capsys.readouterr().out
