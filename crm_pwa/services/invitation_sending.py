"""Sending an invitation through SMTP: throttled, retried, resumable, nobody twice.

A run works in batches. It **claims** a batch of unsent copies (a committed
UPDATE naming the run), sends them over a few connections at once
(services/invitation_batch.py) and **records** each copy sent after the
server's "250 OK", in small groups (at most 50 copies or a quarter of a second
apart). So:

- two runs never send the same copy: a copy claimed by a live run is not free;
- a run that fails to reach the server (refused connection, dropped
  connection, a 4xx) knows those copies did not go out (no 250 came: RFC 5321
  makes the server responsible only from its 250 on): it records what did go
  out, hands its other claims back, waits and tries again a few times, then
  stops and says why on the invitation; the copies wait for the next run (Send
  again, the resume job every few minutes, or the job queue's retry);
- a process that dies between a 250 and the record of its group leaves those
  copies claimed and unrecorded (at most one group); once their claim is stale
  (`CLAIM_LEASE`) the next run sends them again under the same Message-ID,
  which mail programs show as one message. That is the one place a duplicate
  can happen. Recording before sending would lose those copies instead, and
  recording each copy alone costs a disk flush per copy on SQLite, which made
  2,000 copies take minutes.

A copy the server refuses for good (5xx for that address) is given up on at
once; other failures of one copy count towards `MAX_ATTEMPTS`.

Each recorded copy is logged on the contact's timeline as an outbound e-mail
through the notes service (services/notes.py) under an id made from the copy,
so it is there once however often this runs, and health counts it.

Where runs happen: a job on the job queue with RAPPORT_SCHEDULER=queue, else a
thread of the app process (like the scheduled jobs); with RAPPORT_SCHEDULER=off
nothing starts by itself and `run_sending` is called by hand (tests, bench).
"""

from __future__ import annotations

import logging
import smtplib
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from functools import partial

from sqlmodel import Session, select

from crm_pwa import clock
from crm_pwa.db.engine import begin_writing, session_scope
from crm_pwa.db.invitation import Invitation
from crm_pwa.db.invitation_rows import (
    ClaimedCopy,
    claim_copies,
    copy_counts,
    release_claims,
    unlogged_copies,
)
from crm_pwa.db.user import User
from crm_pwa.services.actor import Actor
from crm_pwa.services.contact_updates import refresh_touched_contacts
from crm_pwa.services.invitation_batch import Recorder, Throttle, connect_smtp, send_batch
from crm_pwa.services.invitation_lines import load_invitation
from crm_pwa.services.invitation_mail import email_copy, envelope_sender
from crm_pwa.services.invitation_models import SendProgress
from crm_pwa.services.note_input import NoteIn, ReadNote
from crm_pwa.services.notes import store_notes
from crm_pwa.settings import get_settings

log = logging.getLogger(__name__)

BATCH = 100
# A claim older than this belongs to a run that died: its copies are free again.
CLAIM_LEASE = timedelta(minutes=10)
# Seconds to wait before each new try to reach the server, within one run.
RETRY_WAITS: tuple[float, ...] = (2.0, 10.0, 30.0)
UNREACHABLE = (
    "Could not reach the mail server ({error}); {pending} invitations wait and go out "
    "when it answers (within minutes, or press Send again)."
)
_TIMELINE_ID = uuid.UUID("5f0c1d9e-6b57-4a8e-9a51-2f1b7c4e9d10")


class SendingPaused(RuntimeError):
    """The server could not be reached after every retry; the copies wait for the next run."""


def timeline_note_id(guest_id: uuid.UUID) -> uuid.UUID:
    """The id of the outbound e-mail a sent copy logs: one per copy, whoever logs it."""
    return uuid.uuid5(_TIMELINE_ID, str(guest_id))


def sent_summary(title: str) -> str:
    return f"Invitation sent: {title}"


def log_sent_copies(session: Session, invitation: Invitation, now: datetime) -> int:
    """Put every sent, not yet logged copy on its contact's timeline; returns how many."""
    copies = unlogged_copies(session, invitation.id)
    if not copies:
        return 0
    writer = session.get(User, invitation.owner_id)
    assert writer is not None
    notes = [
        ReadNote(
            NoteIn(
                id=timeline_note_id(copy.id),
                contact_id=copy.contact_id,
                kind="email",
                direction="outbound",
                occurred_at=copy.sent_at or now,
                summary=sent_summary(invitation.title),
                sentiment="neutral",
            )
        )
        for copy in copies
    ]
    outcomes = store_notes(session=session, actor=Actor.of(writer), notes=notes, now=now)
    touched: dict[uuid.UUID, datetime | None] = {}
    for copy, outcome in zip(copies, outcomes, strict=True):
        # Logged, or the contact is no longer the writer's to log on: either way done.
        copy.interaction_id = outcome.note_id
        session.add(copy)
        if outcome.error is None:
            touched[copy.contact_id] = copy.sent_at
    session.flush()
    refresh_touched_contacts(session, touched, now)
    return len(copies)


def _finish_if_done(session: Session, invitation_id: uuid.UUID, now: datetime) -> bool:
    invitation = session.get(Invitation, invitation_id)
    assert invitation is not None
    if copy_counts(session, invitation_id).pending:
        return False
    invitation.state = "sent"
    invitation.send_error = ""
    invitation.updated_at = now
    session.add(invitation)
    return True


def run_sending(
    invitation_id: uuid.UUID,
    claim: str,
    *,
    connect: Callable[[], smtplib.SMTP] | None = None,
    waits: Sequence[float] = RETRY_WAITS,
    sleep: Callable[[float], None] = time.sleep,
) -> SendProgress:
    """Send every unsent copy of the invitation as run `claim` (a retry of a run passes
    the same claim). Raises SendingPaused when the server stays unreachable."""
    settings = get_settings()
    if connect is None:
        url = settings.smtp_url
        if url is None:
            raise RuntimeError("RAPPORT_SMTP_URL is not set: invitations go out by mailto:")

        def connect() -> smtplib.SMTP:
            return connect_smtp(url)

    throttle = Throttle(settings.smtp_per_second, sleep)
    recorder = Recorder()
    while True:
        now = clock.now()
        with session_scope() as session:
            log_sent_copies(session, _invitation(session, invitation_id), now)
            if _finish_if_done(session, invitation_id, now):
                break
            batch = claim_copies(
                session,
                invitation_id,
                claim,
                now=now,
                stale_before=now - CLAIM_LEASE,
                limit=BATCH,
            )
            invitation = _invitation(session, invitation_id)
            writer = session.get(User, invitation.owner_id)
            assert writer is not None
        if not batch:
            break  # the rest is claimed by a live run, or given up on

        error = send_batch(
            batch,
            partial(_message, invitation, writer),
            sender=envelope_sender(),
            connect=connect,
            connections=settings.smtp_connections,
            throttle=throttle,
            recorder=recorder,
            waits=waits,
            sleep=sleep,
        )
        recorder.flush()
        if error is not None:
            _pause(invitation_id, claim, error)
    with session_scope() as session:
        return _progress(session, _invitation(session, invitation_id))


def _message(invitation: Invitation, writer: User, copy: ClaimedCopy) -> bytes:
    return email_copy(
        invitation,
        copy.guest,
        name=copy.name,
        company=copy.company,
        email=copy.email,
        writer=writer,
        now=clock.now(),
    )


def _invitation(session: Session, invitation_id: uuid.UUID) -> Invitation:
    invitation = session.get(Invitation, invitation_id, populate_existing=True)
    if invitation is None:
        raise LookupError(f"invitation {invitation_id} does not exist")
    return invitation


def _pause(invitation_id: uuid.UUID, claim: str, error: Exception) -> None:
    with session_scope() as session:
        begin_writing(session)
        release_claims(session, invitation_id, claim)
        invitation = _invitation(session, invitation_id)
        invitation.send_error = UNREACHABLE.format(
            error=str(error) or type(error).__name__,
            pending=copy_counts(session, invitation_id).pending,
        )
        session.add(invitation)
    raise SendingPaused(f"invitation {invitation_id}: {error}") from error


def _progress(session: Session, invitation: Invitation) -> SendProgress:
    counts = copy_counts(session, invitation.id)
    return SendProgress(
        invitation_id=invitation.id,
        state=invitation.state,
        channel=invitation.channel,
        total=counts.total,
        sent=counts.sent,
        failed=counts.failed,
        pending=counts.pending,
        error=invitation.send_error,
    )


def sending_progress(*, session: Session, actor: Actor, invitation_id: uuid.UUID) -> SendProgress:
    """How far sending got: copies to send, sent, given up on, still waiting, and why
    a run stopped short. The UI polls it for its progress bar."""
    return _progress(session, load_invitation(session, actor, invitation_id))


_running: set[uuid.UUID] = set()
_running_lock = threading.Lock()


def _send_in_thread(invitation_id: uuid.UUID) -> None:
    try:
        run_sending(invitation_id, f"thread-{uuid.uuid4()}")
    except SendingPaused as paused:
        log.warning("invitation sending paused: %s", paused)
    except Exception:
        log.exception("invitation %s: sending failed", invitation_id)
    finally:
        with _running_lock:
            _running.discard(invitation_id)


def start_sending(invitation_id: uuid.UUID) -> None:
    """Start a run for the invitation where scheduled work runs (see the module)."""
    mode = get_settings().scheduler
    if mode == "queue":
        from crm_pwa.job_queue import defer_invitation  # the queue imports the services

        defer_invitation(invitation_id)
        return
    if mode != "on":
        return
    with _running_lock:
        if invitation_id in _running:
            return
        _running.add(invitation_id)
    threading.Thread(
        target=_send_in_thread,
        args=(invitation_id,),
        name=f"invitation-{invitation_id}",
        daemon=True,
    ).start()


def invitations_to_resume(session: Session) -> list[uuid.UUID]:
    """Invitations being sent through SMTP with copies still waiting."""
    return list(
        session.exec(
            select(Invitation.id).where(Invitation.state == "sending", Invitation.channel == "smtp")
        )
    )


def resume_sending() -> int:
    """Start a run for every invitation left half-sent (a restart, an outage); how many."""
    if get_settings().smtp_url is None:
        return 0  # nothing can go out; Send again says so once the server is set
    with session_scope() as session:
        ids = invitations_to_resume(session)
    for invitation_id in ids:
        start_sending(invitation_id)
    return len(ids)
