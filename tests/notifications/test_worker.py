"""Exactly once with a real Celery worker (Redis broker), PostgreSQL and a real SMTP
server: a worker killed (SIGKILL) in the middle of a fan-out, and chunk tasks
delivered twice, leave every recipient with one notification and one e-mail."""

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

FOLLOWERS = 600


def followers(unit) -> list[int]:
    today = timezone.localdate()
    members = Member.objects.bulk_create(
        [
            Member(username=f"f{i}", email=f"f{i}@example.org", password="!")
            for i in range(FOLLOWERS)
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
        NOTIFICATION_CHUNK="100",
        EMAIL_URL=f"smtp://127.0.0.1:{smtp.port}",
        CHANNEL_PREFIX=os.environ.get("CHANNEL_PREFIX", "torget"),
    )
    argv = [sys.executable, "-m", "celery", "-A", "deliberation", "worker"]
    argv += ["--pool", "solo", "-Q", queue, "-l", "info", "--without-gossip"]
    argv += ["--without-mingle", "--without-heartbeat"]
    return Process(argv, env, tmp_path / f"worker{n}.log").start()


def wait(predicate, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


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
        wait(lambda: len(smtp.messages) >= 150, 300, "the first e-mails")
        os.killpg(first.proc.pid, signal.SIGKILL)
        first.proc.wait(10)
        sent_at_kill = len(smtp.messages)
        assert sent_at_kill < FOLLOWERS, "killed too late to prove anything"
        # the same chunk handed out twice more (a broker redelivering it)
        for _ in range(2):
            app.send_task(
                "notifications.deliver_chunk", args=[event.pk, ids[:100]], queue=queue
            )
        second = worker(tmp_path, smtp, queue, 2)
        wait(lambda: len(smtp.messages) >= FOLLOWERS, 400, "every e-mail")
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
