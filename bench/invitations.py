"""Invitations: the preview and the SMTP sending of 2,000 invitations in under 30 s.

Builds one rep with 2,500 contacts in a temporary SQLite file and in a fresh
PostgreSQL database (`rapport_bench_invitations`, made and dropped through the
`postgres` superuser on 127.0.0.1): 2,000 high-tier customers with an e-mail
address the guard lets through, and 500 it keeps out (no e-mail, do-not-contact,
low-touch contacted last week, an open complaint). Then, as the API does, the
rep creates the invitation (the guard judges all 2,500: the preview), sends it,
and one sending run (`run_sending`, what the job or the app's thread runs)
delivers every copy to a local SMTP server in its own process
(bench/smtp_sink.py), recording each copy and logging it on the contact's
timeline. The SMTP throttle is lifted (RAPPORT_SMTP_PER_SECOND=100000): it is
a provider's limit, not the app's speed. Exits 1 on a miss: over 30 s, a copy
missing or sent twice, a timeline entry missing.

    .venv/bin/python bench/invitations.py [--guests 2000] [--only sqlite|postgresql]
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    # Run as a script (`python bench/invitations.py`): make the project importable.
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session

from bench.common import machine_line, postgres_engine, sqlite_engine
from crm_pwa import clock
from crm_pwa.db import engine as engine_module
from crm_pwa.db.contact import Contact
from crm_pwa.db.interaction import Complaint, Interaction
from crm_pwa.db.note_rows import table_of
from crm_pwa.db.user import User
from crm_pwa.services.actor import Actor
from crm_pwa.services.invitation_models import InvitationFilters, InvitationIn
from crm_pwa.services.invitation_sending import run_sending
from crm_pwa.services.invitations import create_invitation, send_invitation
from crm_pwa.settings import get_settings

TARGET_SECONDS = 30.0
NO_PASSWORD = "$argon2id$v=19$m=65536,t=3,p=4$bm9wZQ$bm9wZQ"


def _build(engine: Engine, guests: int) -> Actor:
    now = clock.now()
    rep = User(
        email="rep@bench.example",
        name="Riley Bench",
        password_hash=NO_PASSWORD,
        role="rep",
        created_at=now,
        time_zone="Europe/London",
    )
    rows: list[dict[str, Any]] = []
    kept_out = guests // 4
    for n in range(guests + kept_out):
        row: dict[str, Any] = {
            "id": uuid.uuid4(),
            "owner_id": rep.id,
            "name": f"Guest {n:05d} Person",
            "company": f"Firm {n % 97}",
            "title": "",
            "kind": "customer",
            "tier": "high",
            "rhythm_days": None,
            "phone": "",
            "phone_digits": "",
            "email": f"g{n}@bench.example",
            "address": "",
            "tags": [],
            "connection_notes": "",
            "do_not_contact": False,
            "invitations_opt_out": False,
            "last_interaction_at": now - timedelta(days=20),
            "health_score": None,
            "health_band": "new",
            "health_reasons": [],
            "created_at": now,
            "updated_at": now,
        }
        if n >= guests:
            reason = n % 4
            if reason == 0:
                row["email"] = ""
            elif reason == 1:
                row["do_not_contact"] = True
            elif reason == 2:
                row.update(tier="low", last_interaction_at=now - timedelta(days=6))
        rows.append(row)
    with Session(engine, expire_on_commit=False) as session:
        session.add(rep)
        session.commit()
    with engine.begin() as connection:
        connection.execute(sa.insert(table_of(Contact)), rows)
        complaints = [
            {
                "id": uuid.uuid4(),
                "contact_id": row["id"],
                "owner_id": rep.id,
                "summary": "late",
                "opened_at": now - timedelta(days=1),
                "resolved_at": None,
                "resolution": "",
            }
            for n, row in enumerate(rows)
            if n >= guests and n % 4 == 3
        ]
        connection.execute(sa.insert(table_of(Complaint)), complaints)
    return Actor.of(rep)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _use(engine: Engine, port: int) -> None:
    os.environ["RAPPORT_DATABASE_URL"] = engine.url.render_as_string(hide_password=False)
    os.environ["RAPPORT_SMTP_URL"] = f"smtp://127.0.0.1:{port}"
    os.environ["RAPPORT_SMTP_PER_SECOND"] = "100000"
    os.environ["RAPPORT_SCHEDULER"] = "off"
    get_settings.cache_clear()
    engine_module.get_engine.cache_clear()


def run(label: str, engine: Engine, guests: int) -> dict[str, Any]:
    actor = _build(engine, guests)
    port = _free_port()
    sink = subprocess.Popen(
        [sys.executable, str(Path(__file__).with_name("smtp_sink.py")), str(port)],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert sink.stdout is not None and sink.stdout.readline().strip() == "ready"
    _use(engine, port)
    try:
        wall, cpu = time.perf_counter(), time.process_time()
        with Session(engine_module.get_engine(), expire_on_commit=False) as session:
            preview = create_invitation(
                session=session,
                actor=actor,
                now=clock.now(),
                invitation_in=InvitationIn(
                    kind="event",
                    title="Spring workshop",
                    message="Dear {first_name}, {rep_name} invites {company}.",
                    starts_at=clock.now() + timedelta(days=14),
                    place="Leeds",
                    filters=InvitationFilters(kind="customer"),
                ),
            )
            session.commit()
            preview_wall = time.perf_counter() - wall
            send_invitation(
                session=session, actor=actor, invitation_id=preview.invitation.id, now=clock.now()
            )
            session.commit()
        progress = run_sending(preview.invitation.id, "bench")
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    finally:
        sink.terminate()
        out, _ = sink.communicate(timeout=60)
    received = json.loads(out.strip().splitlines()[-1])
    with Session(engine) as session:
        logged = session.exec(
            sa.select(sa.func.count()).select_from(table_of(Interaction))  # type: ignore[call-overload]
        ).one()[0]
    figures = {
        "database": label,
        "invited": len(preview.invited),
        "excluded": len(preview.excluded),
        "preview_seconds": round(preview_wall, 2),
        "total_seconds": round(wall, 2),
        "sender_cpu_seconds": round(cpu, 2),
        "smtp_server_cpu_seconds": received["cpu_seconds"],
        "sent": progress.sent,
        "received": received["messages"],
        "distinct_recipients": received["recipients"],
        "distinct_message_ids": received["message_ids"],
        "timeline_entries": logged,
        "load_average": Path("/proc/loadavg").read_text().split()[:3],
    }
    figures["ok"] = (
        wall < TARGET_SECONDS
        and len(preview.invited) == guests
        and received["messages"] == received["recipients"] == received["message_ids"] == guests
        and logged == guests
    )
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--guests", type=int, default=2000)
    parser.add_argument("--only", choices=("sqlite", "postgresql"))
    args = parser.parse_args()
    print(machine_line())
    failed = False
    if args.only in (None, "sqlite"):
        with sqlite_engine() as engine:
            figures = run("sqlite", engine, args.guests)
        print(json.dumps(figures))
        failed |= not figures["ok"]
    if args.only in (None, "postgresql"):
        with postgres_engine("rapport_bench_invitations") as engine:
            figures = run("postgresql", engine, args.guests)
        print(json.dumps(figures))
        failed |= not figures["ok"]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
