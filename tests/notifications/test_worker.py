"""Exactly once with a real Celery worker (Redis broker), PostgreSQL and a real SMTP
server: a worker killed (SIGKILL) in the middle of a fan-out, or while the commit
that marks an e-mail sent is on its way, and chunk tasks delivered twice, leave
every recipient with one notification and one e-mail."""

from __future__ import annotations

import os
import signal
import sys
import time
from collections import Counter

import pytest
from django.db import connection
from django.utils import timezone

from deliberation.celery import app
from deliberation.members.models import Member, Membership
from deliberation.notifications.models import (
    Follow,
    Notification,
    NotificationEvent,
    NotificationPreference,
)
from proposals import services as proposal_services
from tests.e2e.servers import Process, clean_env
from tests.factories import MemberFactory, make_tree
from tests.smtp import SMTPServer

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not (
            os.environ.get("DATABASE_URL", "").startswith("postgres")
            and os.environ.get("REDIS_URL")
        ),
        reason="a worker process needs PostgreSQL and Redis",
    ),
]

FOLLOWERS = 200
CHUNK = 40


def followers(unit, count: int = FOLLOWERS) -> list[int]:
    today = timezone.localdate()
    members = Member.objects.bulk_create(
        [
            Member(username=f"f{i}", email=f"f{i}@example.org", password="!")
            for i in range(count)
        ]
    )
    Membership.objects.bulk_create(
        [Membership(member=m, unit=unit, since=today) for m in members]
    )
    Follow.objects.bulk_create(
        [Follow(member=m, target_kind="unit", target_id=unit.pk) for m in members]
    )
    NotificationPreference.objects.bulk_create(
        [
            NotificationPreference(member=m, kind="proposal_new", channel="email")
            for m in members
        ]
    )
    return [m.pk for m in members]


def worker(tmp_path, smtp: SMTPServer, queue: str, n: int) -> Process:
    db = connection.settings_dict
    broker = os.environ["REDIS_URL"]
    env = clean_env(
        DATABASE_URL=f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        REDIS_URL=broker,
        CELERY_BROKER_URL=broker,
        CELERY_QUEUE=queue,
        CELERY_VISIBILITY_TIMEOUT="5",
        NOTIFICATION_CHUNK=str(CHUNK),
        EMAIL_URL=f"smtp://127.0.0.1:{smtp.port}",
        CHANNEL_PREFIX=os.environ.get("CHANNEL_PREFIX", "torget"),
    )
    argv = [sys.executable, "-m", "celery", "-A", "deliberation", "worker"]
    argv += ["--pool", "solo", "-Q", queue, "-l", "info", "--without-gossip"]
    argv += ["--without-mingle", "--without-heartbeat"]
    return Process(argv, env, tmp_path / f"worker{n}.log").start()


def wait(predicate, timeout: float, what: str, explain=None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    raise AssertionError(
        f"timed out waiting for {what}" + (f"\n{explain()}" if explain else "")
    )


def missing_report(event, smtp: SMTPServer, workers: list[Process]) -> str:
    """Who has no e-mail yet, the state of their notification rows, the tail of
    each worker's log: what a failure needs to be understood."""
    got = {m["X-Rcpt-To"] for m in smtp.messages}
    rows = list(
        Notification.objects.filter(event=event)
        .order_by("recipient_id")
        .values_list("pk", "recipient__email", "channel", "emailed")
    )
    missing = [r for r in rows if r[1] not in got]
    lines = [
        f"{len(smtp.messages)} e-mails for {len(got)} recipients; "
        f"{len(rows)} notification rows; {len(missing)} without an e-mail:"
    ]
    lines += [f"  id={pk} {to} {ch} emailed={at}" for pk, to, ch, at in missing[:20]]
    for w in workers:
        tail = w.output().splitlines()[-40:] if hasattr(w, "log") else []
        lines += [f"--- {w.log_path.name} (last {len(tail)} lines)", *tail]
    return "\n".join(lines)


def kill(process: Process) -> None:
    """SIGKILL, then long enough for the broker to hand its unacknowledged task to
    the next worker at its start (CELERY_VISIBILITY_TIMEOUT=5 s; kombu scans for
    such tasks when a worker starts, then only every ~100 s)."""
    os.killpg(process.proc.pid, signal.SIGKILL)
    process.proc.wait(10)
    time.sleep(5.5)


def test_worker_killed_mid_batch_and_tasks_delivered_twice(tmp_path, settings):
    tree = make_tree()
    author = MemberFactory(units=[tree["branch"]])
    ids = followers(tree["branch"])
    smtp = SMTPServer().start()
    queue = f"notify-test-{os.getpid()}"
    old = app.conf.task_always_eager, app.conf.task_default_queue
    app.conf.task_always_eager, app.conf.task_default_queue = False, queue
    first = worker(tmp_path, smtp, queue, 1)
    second = None
    try:
        proposal_services.create_proposal(
            actor=author,
            title="Ett förslag till alla",
            clauses=["att vi"],
            unit=tree["branch"],
            publish=True,
        )
        event = NotificationEvent.objects.get(kind="proposal_new")
        # kill the worker in the middle of the e-mails, without warning
        wait(lambda: len(smtp.messages) >= CHUNK * 3 // 2, 120, "the first e-mails")
        os.killpg(first.proc.pid, signal.SIGKILL)
        first.proc.wait(10)
        sent_at_kill = len(smtp.messages)
        assert sent_at_kill < FOLLOWERS, "killed too late to prove anything"
        # the same chunk handed out twice more (a broker redelivering it)
        for _ in range(2):
            app.send_task(
                "notifications.deliver_chunk", args=[event.pk, ids[:CHUNK]], queue=queue
            )
        time.sleep(5.5)  # see kill()
        second = worker(tmp_path, smtp, queue, 2)
        wait(
            lambda: len(smtp.messages) >= FOLLOWERS,
            180,
            "every e-mail",
            lambda: missing_report(event, smtp, [first, second]),
        )
        time.sleep(8)  # anything redelivered late would arrive now
        assert Notification.objects.filter(event=event).count() == FOLLOWERS
        per_recipient = Counter(m["X-Rcpt-To"] for m in smtp.messages)
        assert len(per_recipient) == FOLLOWERS
        assert set(per_recipient.values()) == {1}, per_recipient.most_common(3)
        assert not Notification.objects.filter(event=event, emailed__isnull=True)
    finally:
        app.conf.task_always_eager, app.conf.task_default_queue = old
        first.stop()
        if second is not None:
            second.stop()
        smtp.stop()


SLOW_COMMIT = """
CREATE TABLE test_slow_commit (armed boolean NOT NULL);
INSERT INTO test_slow_commit VALUES (true);
CREATE FUNCTION test_slow_commit() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM test_slow_commit WHERE armed) THEN
    UPDATE test_slow_commit SET armed = false;
    PERFORM pg_sleep(4);
  END IF;
  RETURN NULL;
END $$;
CREATE CONSTRAINT TRIGGER test_slow_commit AFTER UPDATE OF emailed
  ON notifications_notification DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
  WHEN (OLD.emailed IS NULL AND NEW.emailed IS NOT NULL)
  EXECUTE FUNCTION test_slow_commit();
"""
NO_SLOW_COMMIT = """
DROP TRIGGER IF EXISTS test_slow_commit ON notifications_notification;
DROP FUNCTION IF EXISTS test_slow_commit();
DROP TABLE IF EXISTS test_slow_commit;
"""


def committing() -> bool:
    """A worker's backend is inside the (slowed) COMMIT that marks an e-mail sent."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
            " AND state = 'active' AND query = 'COMMIT' AND wait_event = 'PgSleep'"
        )
        return cursor.fetchone()[0] > 0


def test_worker_killed_while_its_commit_is_on_the_way_sends_once(tmp_path):
    """The window the CI failure fell into: the worker waits for the COMMIT that
    marks an e-mail sent (slowed here to 4 s by a deferred trigger, an fsync under
    load in real life) and is killed. The database commits anyway, so the row says
    "sent": the dot must have left before that wait, or the e-mail is lost."""
    tree = make_tree()
    author = MemberFactory(units=[tree["branch"]])
    ids = followers(tree["branch"], 3)
    with connection.cursor() as cursor:
        cursor.execute(SLOW_COMMIT)
    smtp = SMTPServer().start()
    queue = f"notify-commit-{os.getpid()}"
    old = app.conf.task_always_eager, app.conf.task_default_queue
    app.conf.task_always_eager, app.conf.task_default_queue = False, queue
    first = worker(tmp_path, smtp, queue, 1)
    second = None
    try:
        proposal_services.create_proposal(
            actor=author,
            title="Ett förslag till tre",
            clauses=["att vi"],
            unit=tree["branch"],
            publish=True,
        )
        event = NotificationEvent.objects.get(kind="proposal_new")
        wait(committing, 120, "a worker inside its COMMIT")
        kill(first)
        second = worker(tmp_path, smtp, queue, 2)
        wait(
            lambda: len(smtp.messages) >= len(ids),
            60,
            "every e-mail",
            lambda: missing_report(event, smtp, [first, second]),
        )
        time.sleep(3)  # a second copy would arrive now
        per_recipient = Counter(m["X-Rcpt-To"] for m in smtp.messages)
        assert sorted(per_recipient) == sorted(f"f{i}@example.org" for i in range(3))
        assert set(per_recipient.values()) == {1}, per_recipient
        assert not Notification.objects.filter(event=event, emailed__isnull=True)
    finally:
        app.conf.task_always_eager, app.conf.task_default_queue = old
        first.stop()
        if second is not None:
            second.stop()
        smtp.stop()
        with connection.cursor() as cursor:
            cursor.execute(NO_SLOW_COMMIT)
