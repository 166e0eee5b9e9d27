"""With RAPPORT_SCHEDULER=queue an invitation is sent by a `python -m crm_pwa worker`
process: the app defers one job per invitation, the worker sends every copy once."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from sqlmodel import select

from crm_pwa import clock
from crm_pwa.db.invitation import Invitation
from crm_pwa.services.actor import Actor
from crm_pwa.services.invitation_models import InvitationFilters, InvitationIn
from crm_pwa.services.invitations import create_invitation, send_invitation
from crm_pwa.settings import get_settings
from tests.conftest import Database
from tests.integration.test_job_queue import pg, queue_jobs, wait_for, worker
from tests.utils.factories import make_contact, make_user
from tests.utils.smtp_server import smtp_server

pytestmark = pytest.mark.postgres
__all__ = ["pg"]

GUESTS = 5


def test_a_worker_sends_the_invitation_the_app_queued(
    pg: Database, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    with smtp_server() as (mailbox, controller):
        smtp_url = f"smtp://127.0.0.1:{controller.port}"
        monkeypatch.setenv("RAPPORT_SCHEDULER", "queue")
        monkeypatch.setenv("RAPPORT_SMTP_URL", smtp_url)
        get_settings.cache_clear()
        with pg.session() as session:
            rep = make_user(session, "riley@example.com")
            for n in range(GUESTS):
                make_contact(session, rep, f"Guest {n}", email=f"g{n}@example.com", tier="high")
            now = clock.now()
            preview = create_invitation(
                session=session,
                actor=Actor.of(rep),
                invitation_in=InvitationIn(
                    kind="campaign",
                    title="News",
                    message="Hi {first_name}",
                    filters=InvitationFilters(tier="high"),
                ),
                now=now,
            )
            send_invitation(
                session=session, actor=Actor.of(rep), invitation_id=preview.invitation.id, now=now
            )
            session.commit()
        assert queue_jobs(pg, "send-invitation") == 1
        env = {
            **os.environ,
            "RAPPORT_DATABASE_URL": pg.url,
            "RAPPORT_DATA_DIR": str(tmp_path),
            "RAPPORT_SCHEDULER": "queue",
            "RAPPORT_SMTP_URL": smtp_url,
            "RAPPORT_SMTP_PER_SECOND": "1000",
            "RAPPORT_WORKER_HEARTBEAT_SECONDS": "1",
        }
        log = tmp_path / "worker.log"

        def sent() -> bool:
            with pg.session() as session:
                return session.exec(select(Invitation.state)).one() == "sent"

        with worker(env, log):
            wait_for(sent, 90, "the invitation sent by the worker", log)
        assert sorted(m["To"].addresses[0].addr_spec for m in mailbox.messages) == [
            f"g{n}@example.com" for n in range(GUESTS)
        ]
