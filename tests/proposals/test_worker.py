"""The scheduled task in a real Celery worker process (Redis broker, PostgreSQL), as
beat would send it: the task name resolves and the worker moves the proposal."""

from __future__ import annotations

import os
import sys
import time

import pytest
from django.db import connection

from deliberation.celery import app
from proposals.models import Proposal, State, StateChange
from tests.e2e.servers import Process, clean_env
from tests.proposals.conftest import move_past_deadline

pytestmark = [
    pytest.mark.e2e,
    # the test process runs tasks eagerly; send_task goes to the broker regardless
    pytest.mark.filterwarnings("ignore::celery.exceptions.AlwaysEagerIgnored"),
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not (
            os.environ.get("DATABASE_URL", "").startswith("postgres")
            and os.environ.get("REDIS_URL")
        ),
        reason="a worker process needs PostgreSQL and Redis",
    ),
]


def test_worker_runs_the_schedule_task(make_proposal, tmp_path):
    p = make_proposal()
    move_past_deadline(p)
    db = connection.settings_dict
    broker = os.environ["REDIS_URL"]
    env = clean_env(
        DATABASE_URL=f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        REDIS_URL=broker,
        CELERY_BROKER_URL=broker,
        CHANNEL_PREFIX=os.environ.get("CHANNEL_PREFIX", "torget"),
    )
    queue = f"proposals-test-{os.getpid()}"
    worker = Process(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "deliberation",
            "worker",
            "--pool",
            "solo",
            "-Q",
            queue,
            "-l",
            "info",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ],
        env,
        tmp_path / "worker.log",
    ).start()
    try:
        app.send_task("proposals.advance_schedule", queue=queue)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if Proposal.objects.get(pk=p.pk).state == State.EXPIRED:
                break
            time.sleep(0.2)
        assert Proposal.objects.get(pk=p.pk).state == State.EXPIRED, worker.output()
        assert (
            StateChange.objects.get(proposal=p, to_state="expired").cause == "schedule"
        )
    finally:
        worker.stop()
