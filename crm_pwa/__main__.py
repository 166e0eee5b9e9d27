"""Command line: python -m crm_pwa migrate | create-user | seed-demo | remind | snapshot |
import | worker."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import logging
import sys
import time
from pathlib import Path

from sqlmodel import select

from crm_pwa import clock
from crm_pwa.db.engine import session_scope
from crm_pwa.db.user import Team
from crm_pwa.domain.days import earliest_day, local_day
from crm_pwa.domain.import_file import MAX_IMPORT_BYTES
from crm_pwa.job_queue import run_worker
from crm_pwa.migration import migrate
from crm_pwa.services import auth, demo, passwords
from crm_pwa.services.contact_import import import_contacts, owner_by_email
from crm_pwa.services.errors import ServiceError
from crm_pwa.services.reminders import send_due_reminders
from crm_pwa.services.snapshot import last_full_week, snapshot_week
from crm_pwa.settings import get_settings


def _create_user(args: argparse.Namespace) -> int:
    password = getpass.getpass("Password: ")
    if password != getpass.getpass("Password again: "):
        print("The passwords differ; nothing was created.", file=sys.stderr)
        return 2
    with session_scope() as session:
        team = None
        if args.team:
            team = session.exec(select(Team).where(Team.name == args.team)).first()
            if team is None:
                team = Team(name=args.team, created_at=clock.now())
                session.add(team)
                session.flush()
        user = auth.create_user(
            session=session,
            email=args.email,
            name=args.name,
            password=password,
            role=args.role,
            now=clock.now(),
            team=team,
            time_zone=args.time_zone,
        )
        print(f"Created {user.role} {user.name} <{user.email}>.")
    return 0


def _seed_demo(args: argparse.Namespace) -> int:
    if not get_settings().demo:
        print(
            "The demo accounts share a published password: they are loaded only with "
            "RAPPORT_DEMO=on (as `make run` does), never on a real server.",
            file=sys.stderr,
        )
        return 2
    with session_scope() as session:
        if args.if_empty and demo.has_users(session):
            print("Demo data already loaded; nothing to do.")
            return 0
        summary = demo.seed_demo(
            session=session, seed=args.seed, today=local_day(clock.now(), "UTC")
        )
    print(summary)
    return 0


def _snapshot(args: argparse.Namespace) -> int:
    # The week that has ended for every rep, as the scheduler's weekly job writes it.
    today = earliest_day(clock.now())
    week = args.week or last_full_week(today)
    with session_scope() as session:
        written = snapshot_week(session=session, week=week, today=today)
    print(f"Health snapshot {week}: {written} rows written.")
    return 0


def _remind(args: argparse.Namespace) -> int:
    while True:
        started = time.monotonic()
        report = send_due_reminders()
        print(report.summary(), flush=True)
        for error in report.errors:
            print(f"  {error}", file=sys.stderr)
        if args.once:
            return 0
        time.sleep(max(0.0, args.every - (time.monotonic() - started)))


def _import(args: argparse.Namespace) -> int:
    path = Path(args.file)
    if not path.is_file():
        print(f"{path} is not a file.", file=sys.stderr)
        return 2
    with path.open("rb") as stream:
        # One byte over the limit is enough for the import to refuse the file by its size.
        data = stream.read(MAX_IMPORT_BYTES + 1)
    with session_scope() as session:
        report = import_contacts(
            session=session,
            actor=owner_by_email(session, args.owner),
            data=data,
            now=clock.now(),
            dry_run=args.dry_run,
        )
    would = "would be " if args.dry_run else ""
    print(
        f"{report.created} {would}created, {report.updated} {would}updated, "
        f"{report.skipped} skipped, {len(report.errors)} with errors."
    )
    for error in report.errors:
        print(f"  line {error.line}: {error.error}", file=sys.stderr)
    return 0


def _worker(args: argparse.Namespace) -> int:
    settings = get_settings()
    if not settings.database_url.startswith("postgresql"):
        print(
            "The job queue lives in PostgreSQL: set RAPPORT_DATABASE_URL to a "
            "postgresql+psycopg:// URL. On one machine with SQLite the app runs its "
            "scheduled work itself; no worker is needed.",
            file=sys.stderr,
        )
        return 2
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    # httpx logs every request at INFO: a line per push, 10,000 in a fan-out, each
    # formatted and written under the handler's lock by one of the sending threads.
    # Each job's summary says what they would.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    asyncio.run(run_worker(args.concurrency))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m crm_pwa", description="Rapport")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("migrate", help="apply database migrations")
    create = commands.add_parser("create-user", help="add a user (asks for the password)")
    create.add_argument("--email", required=True)
    create.add_argument("--name", required=True)
    create.add_argument("--role", choices=("rep", "manager", "admin"), default="rep")
    create.add_argument("--team", default="")
    create.add_argument(
        "--time-zone", default=None, help="default: the phone's zone at the first sign-in"
    )
    seed = commands.add_parser("seed-demo", help="load the demo team and contacts")
    seed.add_argument("--seed", type=int, default=7)
    seed.add_argument("--if-empty", action="store_true", help="only when there are no users")
    remind = commands.add_parser("remind", help="send the push reminders that are due")
    remind.add_argument("--once", action="store_true", help="one run, e.g. from cron")
    remind.add_argument("--every", type=float, default=60.0, help="seconds between runs")
    worker = commands.add_parser(
        "worker", help="run scheduled work from the job queue (PostgreSQL; until SIGTERM)"
    )
    worker.add_argument(
        "--concurrency", type=int, default=None, help="jobs at once (RAPPORT_WORKER_CONCURRENCY)"
    )
    snapshot = commands.add_parser("snapshot", help="write a week's health snapshot")
    snapshot.add_argument("--week", default="", help="YYYY-Www; default: the week just ended")
    importer = commands.add_parser("import", help="import contacts from a vCard or CSV file")
    importer.add_argument("file", help="a .vcf or .csv file")
    importer.add_argument("--owner", required=True, help="e-mail of the user who gets them")
    importer.add_argument("--dry-run", action="store_true", help="report only; change nothing")
    args = parser.parse_args(argv)
    # A command on a busy machine waits for its password hashes rather than give up.
    with passwords.patiently():
        return _run(args)


def _run(args: argparse.Namespace) -> int:
    try:
        if args.command == "migrate":
            migrate()
            print("Database is up to date.")
            return 0
        if args.command == "create-user":
            return _create_user(args)
        if args.command == "snapshot":
            return _snapshot(args)
        if args.command == "import":
            return _import(args)
        if args.command == "remind":
            return _remind(args)
        if args.command == "worker":
            return _worker(args)
        return _seed_demo(args)
    except ServiceError as refused:
        print(refused.message, file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
