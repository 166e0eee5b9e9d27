"""Sending one claimed batch of invitation copies over a few SMTP connections at once.

Each connection is a thread that takes the next copy, waits for its turn under
the shared throttle, sends it, and hands the outcome to the recorder, which
writes outcomes in small groups (`RECORD_EVERY` copies or `RECORD_SECONDS`,
whichever comes first): on SQLite every commit waits for the disk, so one
commit per copy would make the disk, not the server, set the pace. The group
is the window the module docstring of invitation_sending.py speaks of.
"""

from __future__ import annotations

import queue
import smtplib
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import unquote, urlsplit

from crm_pwa import clock
from crm_pwa.db.engine import begin_writing, session_scope
from crm_pwa.db.invitation_rows import ClaimedCopy, record_failure, record_sent

RECORD_EVERY = 50
RECORD_SECONDS = 0.25


def connect_smtp(url: str, timeout: float = 30.0) -> smtplib.SMTP:
    """A connection to the server of RAPPORT_SMTP_URL, signed in when it names a user."""
    parts = urlsplit(url)
    host = parts.hostname or "localhost"
    server: smtplib.SMTP
    if parts.scheme == "smtps":
        server = smtplib.SMTP_SSL(host, parts.port or 465, timeout=timeout)
    else:
        server = smtplib.SMTP(host, parts.port or 25, timeout=timeout)
        if parts.scheme == "smtp+starttls":
            server.starttls()
    if parts.username:
        server.login(unquote(parts.username), unquote(parts.password or ""))
    return server


def transient(error: Exception) -> bool:
    """Whether the failure is the connection's or the server's for now, not this address's."""
    if isinstance(error, smtplib.SMTPNotSupportedError):
        return False  # an address the server cannot take (SMTPUTF8), however often tried
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in error.recipients.values()]
        return all(400 <= code < 500 for code in codes)
    if isinstance(error, smtplib.SMTPResponseException):
        return 400 <= error.smtp_code < 500 or error.smtp_code == -1
    return isinstance(error, (OSError, smtplib.SMTPException))


def describe(error: Exception) -> str:
    """The server's own answer where there is one ("550 No such user"), for the guest list."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        answers = list(error.recipients.values())
        if answers:
            code, text = answers[0]
            return f"The mail server refused the address: {code} {text.decode(errors='replace')}"
    if isinstance(error, smtplib.SMTPResponseException):
        answer: bytes | str = error.smtp_error
        shown = answer.decode(errors="replace") if isinstance(answer, bytes) else answer
        return f"The mail server refused the message: {error.smtp_code} {shown}"
    return f"The message could not be sent: {error or type(error).__name__}"


class Throttle:
    """At most `per_second` sends a second over all connections, without drifting."""

    def __init__(self, per_second: int, sleep: Callable[[float], None]) -> None:
        self.interval = 1.0 / per_second
        self.sleep = sleep
        self.next_at = time.monotonic()
        self.lock = threading.Lock()

    def wait(self) -> None:
        with self.lock:
            now = time.monotonic()
            turn = max(self.next_at, now)
            self.next_at = turn + self.interval
        if turn > now:
            self.sleep(turn - now)


@dataclass
class Recorder:
    """Outcomes waiting to be written; `flush` writes them in one transaction."""

    sent: list[tuple[uuid.UUID, datetime]] = field(default_factory=list)
    failed: list[tuple[uuid.UUID, str, bool]] = field(default_factory=list)
    oldest: float | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)
    writing: threading.Lock = field(default_factory=threading.Lock)

    def add_sent(self, guest_id: uuid.UUID) -> None:
        with self.lock:
            self.sent.append((guest_id, clock.now()))
            self.oldest = self.oldest or time.monotonic()
        self._maybe_flush()

    def add_failed(self, guest_id: uuid.UUID, error: str, *, final: bool) -> None:
        with self.lock:
            self.failed.append((guest_id, error, final))
            self.oldest = self.oldest or time.monotonic()
        self._maybe_flush()

    def _maybe_flush(self) -> None:
        with self.lock:
            due = len(self.sent) + len(self.failed) >= RECORD_EVERY or (
                self.oldest is not None and time.monotonic() - self.oldest >= RECORD_SECONDS
            )
        if due:
            self.flush()

    def flush(self) -> None:
        with self.writing:
            with self.lock:
                sent, failed = self.sent, self.failed
                self.sent, self.failed, self.oldest = [], [], None
            if not sent and not failed:
                return
            with session_scope() as session:
                begin_writing(session)
                for guest_id, at in sent:
                    record_sent(session, guest_id, at)
                for guest_id, error, final in failed:
                    record_failure(session, guest_id, error, final=final)


def send_batch(
    copies: Sequence[ClaimedCopy],
    message_for: Callable[[ClaimedCopy], bytes],
    sender: str,
    *,
    connect: Callable[[], smtplib.SMTP],
    connections: int,
    throttle: Throttle,
    recorder: Recorder,
    waits: Sequence[float],
    sleep: Callable[[float], None],
) -> Exception | None:
    """Send the copies over up to `connections` connections; each outcome goes to the
    recorder (not yet flushed). Returns the error that made a connection give up after
    every wait in `waits` (the copies it did not send stay unrecorded), else None."""
    work: queue.SimpleQueue[ClaimedCopy] = queue.SimpleQueue()
    for copy in copies:
        work.put(copy)
    gave_up: list[Exception] = []
    stop = threading.Event()

    def connection() -> None:
        server: smtplib.SMTP | None = None
        failures = 0
        try:
            while not stop.is_set():
                try:
                    copy = work.get_nowait()
                except queue.Empty:
                    return
                message = message_for(copy)
                while not stop.is_set():
                    try:
                        if server is None:
                            server = connect()
                        throttle.wait()
                        server.sendmail(sender, [copy.email], message)
                    except Exception as error:  # every failure is judged by `transient`
                        if isinstance(error, smtplib.SMTPRecipientsRefused) or not transient(error):
                            recorder.add_failed(
                                copy.guest.id, describe(error), final=not transient(error)
                            )
                            break
                        _drop(server)
                        server = None
                        if failures >= len(waits):
                            gave_up.append(error)
                            stop.set()
                            return
                        sleep(waits[failures])
                        failures += 1
                        continue
                    failures = 0
                    recorder.add_sent(copy.guest.id)
                    break
        finally:
            _drop(server)

    threads = [
        threading.Thread(target=connection, name=f"smtp-{n}", daemon=True)
        for n in range(max(1, min(connections, len(copies))))
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return gave_up[0] if gave_up else None


def _drop(server: smtplib.SMTP | None) -> None:
    if server is None:
        return
    try:
        server.quit()
    except (OSError, smtplib.SMTPException):
        server.close()
