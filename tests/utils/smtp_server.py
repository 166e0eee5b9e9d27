"""A real SMTP server on 127.0.0.1 (aiosmtpd) that keeps what it receives, for the
invitation tests and bench; it can refuse for a while as if it were down."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller


@dataclass
class Mailbox:
    messages: list[EmailMessage] = field(default_factory=list)
    # Once this many messages are kept, answer 421 (closing) to every further one.
    refuse_after: int | None = None
    # Addresses refused for good at RCPT (550), like a mailbox that does not exist.
    unknown: set[str] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        if address in self.unknown:
            return "550 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self.lock:
            if self.refuse_after is not None and len(self.messages) >= self.refuse_after:
                return "421 Service not available, closing transmission channel"
            message = message_from_bytes(envelope.content, policy=policy.default)
            assert isinstance(message, EmailMessage)
            self.messages.append(message)
        return "250 Message accepted for delivery"

    def by_recipient(self) -> dict[str, list[EmailMessage]]:
        found: dict[str, list[EmailMessage]] = {}
        for message in self.messages:
            found.setdefault(message["To"].addresses[0].addr_spec, []).append(message)
        return found


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def smtp_server(
    port: int = 0, mailbox: Mailbox | None = None
) -> Iterator[tuple[Mailbox, Controller]]:
    """Yields the mailbox and the running server (`controller.port`)."""
    mailbox = mailbox or Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port or free_port())
    controller.start()
    try:
        yield mailbox, controller
    finally:
        controller.stop()
