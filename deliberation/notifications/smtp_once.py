"""Send an e-mail and record it as sent, exactly once even if the process dies.

SMTP and the database cannot commit together, so the order decides what a crash can
do. Here the whole message goes to the SMTP server *except its final dot*, then the
row is marked sent, and the COMMIT and the dot leave back to back: on PostgreSQL the
COMMIT is written to the database socket and the dot to the SMTP socket *before*
waiting for either answer (`_commit_and_dot`). A process killed before the COMMIT is
written leaves the server with an unterminated message, which it discards (the
retry sends it once); killed after it, both are in the kernel's send buffers and
arrive. Waiting for the COMMIT's answer first (fsync: 10-25 ms on a loaded machine)
would leave a window in which a SIGKILL loses the message: committed as sent, the
dot never written. A COMMIT that fails after the dot went marks the row again in a
new transaction (`Outbox.unrecorded`); if even that fails (the database is down)
the message may go twice, with the same Message-ID. A 4xx answer to the dot
(try later) un-marks the row for the sweeper. Inside an outer transaction (tests)
or on another database the dot follows the commit; other backends (console, file,
memory: `make run` and tests) send inside the transaction."""

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
from django.db import connection as db_connection
from django.db import transaction

logger = logging.getLogger(__name__)


class SMTPRefused(Exception):
    """The server refused the envelope or the data (a 4xx/5xx answer): not sent."""


class Prepared:
    """A message on the SMTP server but for its final dot."""

    def __init__(self, connection: SMTPBackend) -> None:
        self.connection = connection

    def send_dot(self) -> None:
        """Write the dot: from here the message is the server's."""
        smtp: Any = self.connection.connection
        smtp.send(b".\r\n")

    def reply(self) -> int:
        """The server's answer to the dot."""
        smtp: Any = self.connection.connection
        code, reply = smtp.getreply()
        if code != 250:
            logger.warning("SMTP refused a notification e-mail: %s %r", code, reply)
        return code

    def finish(self) -> int:
        """Write the dot (after the commit); the server's reply code."""
        self.send_dot()
        return self.reply()

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
        self.dot_sent = False
        self.committed = True

    def send(self, msg: EmailMessage) -> None:
        self.prepared = begin(msg, self.connection)
        self.sent = True

    @property
    def accepted(self) -> bool:
        return self.code == 250

    @property
    def try_later(self) -> bool:
        return 400 <= self.code < 500

    @property
    def unrecorded(self) -> bool:
        """Accepted by the server, but the COMMIT that marked it sent failed: mark it
        again (a new transaction)."""
        return self.accepted and not self.committed


def _pipelined_commit_possible() -> bool:
    """PostgreSQL (psycopg 3) and no transaction around ours."""
    return db_connection.vendor == "postgresql" and not db_connection.in_atomic_block


def _commit_and_dot(outbox: Outbox, prepared: Prepared) -> None:
    """Write the COMMIT, then the dot, then read both answers (module docstring).
    Afterwards the database connection is idle, so the atomic block's own commit
    does nothing."""
    from psycopg import generators, pq

    raw: Any = db_connection.connection
    pg = raw.pgconn
    with raw.lock:
        pg.send_query(b"COMMIT")
        raw.wait(generators.send(pg))
        prepared.send_dot()
        outbox.dot_sent = True
        results = raw.wait(generators.fetch_many(pg))
    outbox.committed = bool(results) and all(
        r.status == pq.ExecStatus.COMMAND_OK and r.command_status == b"COMMIT"
        for r in results
    )
    if not outbox.committed:
        logger.error(
            "The commit marking an e-mail sent failed after its dot went: %s",
            [r.error_message for r in results],
        )
    outbox.code = prepared.reply()


@contextmanager
def once(connection) -> Iterator[Outbox]:
    """A transaction whose commit falls between a message and its dot:

    with once(connection) as outbox:
        row = lock the row; outbox.send(msg); mark the row sent
    if outbox.try_later: unmark the row
    elif outbox.unrecorded: mark the row sent (again)
    """
    outbox = Outbox(connection)
    pipelined = _pipelined_commit_possible()
    try:
        with transaction.atomic():
            yield outbox
            if outbox.prepared is not None and pipelined:
                _commit_and_dot(outbox, outbox.prepared)
    except BaseException:
        if outbox.prepared is not None and not outbox.dot_sent:
            outbox.prepared.abort()
        raise
    if outbox.prepared is not None and not outbox.dot_sent:
        outbox.code = outbox.prepared.finish()
    elif outbox.prepared is None and outbox.sent:
        outbox.code = 250
