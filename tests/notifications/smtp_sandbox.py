"""A real SMTP server in the test process (aiosmtpd), that records and can refuse.

The outbox talks to it through Django's own SMTP backend, configured in `MAILERS` as
production's relay is: what it proves holds for the real protocol, its replies and its
errors, not for a mock of them.
"""

from __future__ import annotations

import socket
import threading
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

TRY_LATER = "451 4.3.0 Mail server busy, try again later"
NO_SUCH_USER = "550 5.1.1 No such user here"


@dataclass
class SmtpSandbox:
    """What the server accepted, and the replies it gives to the next messages."""

    received: list[EmailMessage] = field(default_factory=list)
    refusals_left: int = 0
    refuse_always: bool = False
    unknown_recipients: set[str] = field(default_factory=set)
    data_commands: int = 0  # each message the client tried to hand over
    lock: threading.Lock = field(default_factory=threading.Lock)

    def refuse_next(self, count: int) -> None:
        with self.lock:
            self.refusals_left = count

    def message_ids(self) -> list[str]:
        with self.lock:
            return sorted(str(message["Message-ID"]).strip() for message in self.received)

    # aiosmtpd's hooks (they run in the server's thread)
    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: Any
    ) -> str:
        if address in self.unknown_recipients:
            return NO_SUCH_USER
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self.lock:
            self.data_commands += 1
            if self.refuse_always:
                return TRY_LATER
            if self.refusals_left:
                self.refusals_left -= 1
                return TRY_LATER
            message = message_from_bytes(envelope.original_content, policy=policy.default)
            assert isinstance(message, EmailMessage)
            self.received.append(message)
        return "250 2.0.0 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
