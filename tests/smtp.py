"""A real SMTP server for tests (aiosmtpd), collecting messages in memory."""

from __future__ import annotations

import email
import socket
import time
from email.message import Message

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _Collector:
    def __init__(self):
        self.messages: list[Message] = []

    async def handle_DATA(self, server, session, envelope):
        msg = email.message_from_bytes(envelope.content)
        msg["X-Rcpt-To"] = ", ".join(envelope.rcpt_tos)
        self.messages.append(msg)
        return "250 OK"


class SMTPServer:
    def __init__(self):
        self.port = free_port()
        self.handler = _Collector()
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)

    @property
    def messages(self) -> list[Message]:
        return self.handler.messages

    def start(self):
        self.controller.start()
        return self

    def stop(self):
        self.controller.stop()

    def wait_for(self, count: int, timeout: float = 10.0) -> list[Message]:
        deadline = time.monotonic() + timeout
        while len(self.messages) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        return self.messages

    def wait_for_recipient(self, address: str, timeout: float = 30.0) -> list[Message]:
        """The messages to `address` once at least one arrived (others — a demo's
        notifications, say — may arrive before it)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = [m for m in self.messages if m["X-Rcpt-To"] == address]
            if found:
                return found
            time.sleep(0.05)
        return []

    @staticmethod
    def body(msg: Message) -> str:
        if msg.is_multipart():
            return "".join(
                p.get_payload(decode=True).decode()
                for p in msg.walk()
                if p.get_content_type() == "text/plain"
            )
        return msg.get_payload(decode=True).decode()
