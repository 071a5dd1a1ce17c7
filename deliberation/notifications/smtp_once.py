"""Send an e-mail and record it as sent, exactly once even if the process dies.

SMTP and the database cannot commit together, so the order decides what a crash can
do. Here the whole message goes to the SMTP server *except its final dot*, then the
database records it as sent and commits, and only then the dot is written — the
moment the server accepts the message. A process killed before the commit leaves
the server with an unterminated message, which it discards (the retry sends it once);
killed after the commit, the dot is already in the kernel's send buffer or follows
within microseconds. A 4xx answer to the dot (try later) un-marks the row for the
sweeper. Other backends (console, file, memory: `make run` and tests) send inside
the transaction."""

from __future__ import annotations

import logging
import smtplib
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.core.mail import EmailMessage
from django.core.mail.backends.smtp import EmailBackend as SMTPBackend
from django.core.mail.message import sanitize_address
from django.db import transaction

logger = logging.getLogger(__name__)


class SMTPRefused(Exception):
    """The server refused the envelope or the data (a 4xx/5xx answer): not sent."""


class Prepared:
    """A message on the SMTP server but for its final dot."""

    def __init__(self, connection: SMTPBackend) -> None:
        self.connection = connection

    def finish(self) -> int:
        """Write the dot (after the commit); the server's reply code."""
        smtp: Any = self.connection.connection
        smtp.send(b".\r\n")
        code, reply = smtp.getreply()
        if code != 250:
            logger.warning("SMTP refused a notification e-mail: %s %r", code, reply)
        return code

    def abort(self) -> None:
        """The commit failed: close, and the server discards the message."""
        self.connection.close()


def begin(msg: EmailMessage, connection) -> Prepared | None:
    """Inside the transaction that marks the message sent. SMTP: everything but the
    dot, returning what `finish` completes after the commit. Other backends: sent
    now (None)."""
    if not isinstance(connection, SMTPBackend):
        msg.send()
        return None
    if connection.connection is None:
        connection.open()
    smtp: Any = connection.connection
    if smtp.sock is not None and not getattr(smtp, "_torget_nodelay", False):
        # the dot is a small write after the body: without TCP_NODELAY, Nagle's
        # algorithm and the server's delayed ACK hold it ~40 ms
        smtp.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        smtp._torget_nodelay = True
    encoding = msg.encoding or "utf-8"
    sender = sanitize_address(msg.from_email, encoding)
    recipients = [sanitize_address(a, encoding) for a in msg.recipients()]
    data = msg.message().as_bytes(linesep="\r\n")  # type: ignore[call-arg]
    smtp.ehlo_or_helo_if_needed()
    code, reply = smtp.mail(sender)
    if code != 250:
        smtp.rset()
        raise SMTPRefused(f"MAIL FROM: {code} {reply!r}")
    for rcpt in recipients:
        code, reply = smtp.rcpt(rcpt)
        if code not in (250, 251):
            smtp.rset()
            raise SMTPRefused(f"RCPT TO: {code} {reply!r}")
    code, reply = smtp.docmd("DATA")
    if code != 354:
        smtp.rset()
        raise SMTPRefused(f"DATA: {code} {reply!r}")
    body = smtplib._quote_periods(data)  # type: ignore[attr-defined]
    if body[-2:] != b"\r\n":
        body += b"\r\n"
    smtp.send(body)
    return Prepared(connection)


class Outbox:
    """What `once` yields: `send(msg)` at most one message in the transaction."""

    def __init__(self, connection) -> None:
        self.connection = connection
        self.prepared: Prepared | None = None
        self.sent = False
        self.code = 0

    def send(self, msg: EmailMessage) -> None:
        self.prepared = begin(msg, self.connection)
        self.sent = True

    @property
    def accepted(self) -> bool:
        return self.code == 250

    @property
    def try_later(self) -> bool:
        return 400 <= self.code < 500


@contextmanager
def once(connection) -> Iterator[Outbox]:
    """A transaction whose commit falls between a message and its dot:

    with once(connection) as outbox:
        row = lock the row; outbox.send(msg); mark the row sent
    if outbox.try_later: unmark the row
    """
    outbox = Outbox(connection)
    try:
        with transaction.atomic():
            yield outbox
    except BaseException:
        if outbox.prepared is not None:
            outbox.prepared.abort()
        raise
    if outbox.prepared is not None:
        outbox.code = outbox.prepared.finish()
    elif outbox.sent:
        outbox.code = 250
