"""A local SMTP server for bench/invitations.py, in its own process so that it does not
share the sender's interpreter: it keeps each message's recipient and Message-ID and,
when stopped (SIGTERM), prints how many it took, how many recipients and Message-IDs
were distinct, and its own CPU seconds, as one JSON line.

    python bench/smtp_sink.py PORT
"""

from __future__ import annotations

import json
import signal
import sys
import threading
import time
from email.parser import BytesHeaderParser
from typing import Any

from aiosmtpd.controller import Controller


class Sink:
    def __init__(self) -> None:
        self.recipients: list[str] = []
        self.message_ids: set[str] = set()
        self.parser = BytesHeaderParser()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        headers = self.parser.parsebytes(envelope.content)
        self.recipients.extend(envelope.rcpt_tos)
        self.message_ids.add(headers.get("Message-ID", ""))
        return "250 OK"


def main() -> None:
    sink = Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=int(sys.argv[1]))
    controller.start()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    print("ready", flush=True)
    stop.wait()
    controller.stop()
    print(
        json.dumps(
            {
                "messages": len(sink.recipients),
                "recipients": len(set(sink.recipients)),
                "message_ids": len(sink.message_ids),
                "cpu_seconds": round(time.process_time(), 2),
            }
        ),
        flush=True,
    )


if __name__ == "__main__":
    main()
