"""Weekly snapshots: one row per contact per week, written once however often it runs."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlmodel import Session, col, func, select

from crm_pwa import clock, scheduler
from crm_pwa.__main__ import main
from crm_pwa.db.contact import Contact
from crm_pwa.db.health import HealthSnapshot
from crm_pwa.db.interaction import Interaction
from crm_pwa.domain.days import local_day
from crm_pwa.services.errors import Invalid
from crm_pwa.services.snapshot import last_full_week, snapshot_week
from crm_pwa.settings import get_settings
from tests.conftest import Database
from tests.unit.test_snapshot_rules import run_in_own_loop
from tests.utils.factories import make_contact, make_team, make_user

TODAY = date(2026, 11, 25)  # a Wednesday in 2026-W48


def _talk(session: Session, contact: Contact, day: date) -> None:
    at = datetime.combine(day, time(10), UTC)
    session.add(
        Interaction(
            contact_id=contact.id,
            author_id=contact.owner_id,
            kind="call",
            occurred_at=at,
            summary="Talked",
            sentiment="positive",
            created_at=at,
        )
    )


def _contacts(session: Session, count: int) -> list[Contact]:
    rep = make_user(session, "riley@example.com", "rep", make_team(session))
    contacts = [make_contact(session, rep, f"Contact {n}", tier="high") for n in range(count)]
    for contact in contacts:
        _talk(session, contact, date(2026, 11, 2))
    session.commit()
    return contacts


def _rows(session: Session, week: str) -> dict[object, tuple[int | None, str]]:
    rows = session.exec(
        select(HealthSnapshot.contact_id, HealthSnapshot.score, HealthSnapshot.band).where(
            HealthSnapshot.week == week
        )
    ).all()
    return {contact_id: (score, band) for contact_id, score, band in rows}


def test_snapshot_scores_each_contact_as_of_the_weeks_sunday_when_the_week_is_past(
    session: Session,
) -> None:
    contacts = _contacts(session, 3)
    # Talked again after 2026-W46 ended: the W46 row must not know about it.
    _talk(session, contacts[0], date(2026, 11, 20))
    session.commit()

    written = snapshot_week(session=session, week="2026-W46", today=TODAY)
    session.commit()

    rows = _rows(session, "2026-W46")
    assert written == 3
    # As of Sunday 15 November: last talked 13 days before, 6 past a 7-day rhythm.
    assert set(rows.values()) == {(69, "watch")}
    assert set(rows) == {contact.id for contact in contacts}


def test_snapshot_of_the_running_week_scores_as_of_today_when_no_week_is_given(
    session: Session,
) -> None:
    _contacts(session, 2)

    assert snapshot_week(session=session, today=TODAY) == 2
    assert snapshot_week(session=session, week="2026-W48", today=TODAY) == 2
    session.commit()

    assert set(_rows(session, "2026-W47").values()) == {(60, "watch")}
    assert set(_rows(session, "2026-W48").values()) == {(57, "watch")}


def test_snapshot_writes_nothing_when_the_week_is_run_again(session: Session) -> None:
    contacts = _contacts(session, 4)
    assert snapshot_week(session=session, week="2026-W47", today=TODAY) == 4
    session.commit()
    _talk(session, contacts[0], date(2026, 11, 21))
    make_contact(session, make_user(session, "sam@example.com"), "Added later")
    session.commit()

    again = snapshot_week(session=session, week="2026-W47", today=TODAY)
    session.commit()

    count = session.exec(select(func.count()).select_from(HealthSnapshot)).one()
    assert again == 1
    assert count == 5
    assert _rows(session, "2026-W47")[contacts[0].id] == (60, "watch")


def test_snapshot_writes_each_week_once_when_two_runs_race(db: Database, session: Session) -> None:
    contacts = _contacts(session, 60)
    start = threading.Barrier(2)
    written: list[int] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            with db.session() as own:
                start.wait(timeout=10)
                written.append(snapshot_week(session=own, week="2026-W47", today=TODAY))
                own.commit()
        except BaseException as error:  # reported by the test below
            errors.append(error)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert sorted(written) == [0, 60]
    rows = session.exec(
        select(HealthSnapshot.contact_id, func.count())
        .where(HealthSnapshot.week == "2026-W47")
        .group_by(col(HealthSnapshot.contact_id))
    ).all()
    assert len(rows) == len(contacts)
    assert {count for _, count in rows} == {1}


@pytest.mark.parametrize(
    ("week", "message"),
    [
        ("2026-W49", "2026-W49 has not started yet."),
        ("2026-47", "'2026-47' is not an ISO week; expected YYYY-Www, e.g. 2026-W47"),
        ("2025-W53", "'2025-W53' is not an ISO week; 2025 has weeks W01 to W52"),
    ],
)
def test_snapshot_is_refused_when_the_week_is_future_or_malformed(
    session: Session, week: str, message: str
) -> None:
    _contacts(session, 1)

    with pytest.raises(Invalid) as refused:
        snapshot_week(session=session, week=week, today=TODAY)

    assert refused.value.message == message
    assert session.exec(select(func.count()).select_from(HealthSnapshot)).one() == 0


def test_cli_prints_rows_written_when_run_twice_for_a_week(
    session: Session, capsys: pytest.CaptureFixture[str]
) -> None:
    _contacts(session, 3)

    first = main(["snapshot", "--week", "2026-W40"])
    second = main(["snapshot", "--week", "2026-W40"])
    bad = main(["snapshot", "--week", "2026-W99"])

    out, err = capsys.readouterr()
    assert (first, second, bad) == (0, 0, 2)
    assert out.splitlines() == [
        "Health snapshot 2026-W40: 3 rows written.",
        "Health snapshot 2026-W40: 0 rows written.",
    ]
    assert "2026 has weeks W01 to W53" in err
    session.expire_all()
    assert len(_rows(session, "2026-W40")) == 3


def test_snapshot_row_keeps_the_tier_and_owner_when_written(session: Session) -> None:
    contact = _contacts(session, 1)[0]

    snapshot_week(session=session, week="2026-W47", today=TODAY)
    session.commit()

    row = session.exec(select(HealthSnapshot)).one()
    assert (row.owner_id, row.tier, row.week) == (contact.owner_id, "high", "2026-W47")
    assert row.created_at.tzinfo is not None
    assert row.created_at > clock.now() - timedelta(hours=1)


def test_scheduled_jobs_rescore_and_write_last_week_when_the_app_starts(
    session: Session,
) -> None:
    contacts = _contacts(session, 2)

    for job in (scheduler.refresh_health_job, scheduler.snapshot_job, scheduler.snapshot_job):
        run_in_own_loop(job())

    session.expire_all()
    bands = {session.get_one(Contact, contact.id).health_band for contact in contacts}
    last_week = last_full_week(local_day(clock.now(), get_settings().time_zone))
    assert "new" not in bands
    assert len(_rows(session, last_week)) == 2
    assert session.exec(select(func.count()).select_from(HealthSnapshot)).one() == 2
