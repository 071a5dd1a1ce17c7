"""A poll closes at its closing time — on a real Celery worker (a task with an eta),
after a worker that was down comes back (the sweeper), and under `make run`'s
embedded profile (the in-process timer)."""

from __future__ import annotations

import os
import sys
import time
from datetime import datetime, timedelta

import httpx
import pytest
from django.db import connection
from django.utils import timezone

from deliberation.celery import app
from tests.e2e.servers import Process, clean_env, free_port, manage
from voting import services
from voting.models import Result

needs_workers = pytest.mark.skipif(
    not (
        os.environ.get("DATABASE_URL", "").startswith("postgres")
        and os.environ.get("REDIS_URL")
    ),
    reason="a worker process needs PostgreSQL and Redis",
)


def _worker(tmp_path, queue: str) -> Process:
    db = connection.settings_dict
    broker = os.environ["REDIS_URL"]
    env = clean_env(
        DATABASE_URL=f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        REDIS_URL=broker,
        CELERY_BROKER_URL=broker,
        CHANNEL_PREFIX=os.environ.get("CHANNEL_PREFIX", "torget"),
    )
    return Process(
        [
            sys.executable, "-m", "celery", "-A", "deliberation", "worker",
            "--pool", "solo", "-Q", queue, "-l", "info",
            "--without-gossip", "--without-mingle", "--without-heartbeat",
        ],
        env,
        tmp_path / "worker.log",
    ).start()  # fmt: skip


def _ready(worker: Process, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if "ready." in worker.output():
            return
        time.sleep(0.1)
    raise AssertionError(worker.output())


def _poll(member, tree, seconds: float, settings):
    settings.POLL_MIN_DURATION = 1
    poll = services.create_advisory_poll(
        actor=member,
        unit=tree["branch"],
        thread=None,
        question="Ska vi ses på torsdag?",
        method="yes_no_abstain",
        options=None,
        ballot="secret",
        closes=timezone.now() + timedelta(seconds=seconds),
    )
    services.cast_ballot(poll=poll, member=member, payload={"choice": "yes"})
    return poll


def _wait_for_result(poll, timeout: float) -> Result | None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = Result.objects.filter(poll=poll).first()
        if result:
            return result
        time.sleep(0.05)
    return None


@needs_workers
@pytest.mark.e2e
@pytest.mark.filterwarnings("ignore::celery.exceptions.AlwaysEagerIgnored")
@pytest.mark.django_db(transaction=True)
def test_a_worker_closes_the_poll_at_its_closing_time(member, tree, settings, tmp_path):
    queue = f"voting-test-{os.getpid()}"
    worker = _worker(tmp_path, queue)
    try:
        _ready(worker)
        poll = _poll(member, tree, 4, settings)
        # what scheduling.schedule_close sends (to this test's own queue)
        app.send_task("voting.close_poll", args=[poll.pk], eta=poll.closes, queue=queue)
        time.sleep(1)
        assert not Result.objects.filter(poll=poll).exists()  # not before its time
        result = _wait_for_result(poll, 15)
        assert result is not None, worker.output()
        lag = (timezone.now() - poll.closes).total_seconds()
        assert result.ballots == 1
        assert lag < 2.0, lag  # counted within a second or so of the closing time
    finally:
        worker.stop()


@needs_workers
@pytest.mark.e2e
@pytest.mark.filterwarnings("ignore::celery.exceptions.AlwaysEagerIgnored")
@pytest.mark.django_db(transaction=True)
def test_a_worker_that_was_down_at_the_close_counts_when_back(
    member, tree, settings, tmp_path
):
    poll = _poll(member, tree, 1.5, settings)
    time.sleep(2)  # the close passes with no worker: the poll is "counting"
    poll.refresh_from_db()
    assert poll.phase() == "counting"
    queue = f"voting-test-{os.getpid()}-b"
    worker = _worker(tmp_path, queue)
    try:
        app.send_task("voting.sweep", queue=queue)  # the beat's next run
        app.send_task("voting.sweep", queue=queue)  # and a second beat by mistake
        assert _wait_for_result(poll, 20) is not None, worker.output()
        time.sleep(1)
        assert Result.objects.filter(poll=poll).count() == 1
    finally:
        worker.stop()


@pytest.mark.e2e
def test_embedded_profile_closes_at_the_closing_time(tmp_path):
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    env = clean_env(DATA_DIR=str(data_dir), POLL_MIN_DURATION="2")
    manage("migrate", "--noinput", env=env)
    manage("seed_demo", env=env)
    port = free_port()
    server = Process(
        [sys.executable, "manage.py", "runserver_embedded", "--port", str(port)],
        env,
        data_dir / "server.log",
        port=port,
    ).start()
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as client:
            token = client.post(
                "/api/v1/auth/token/",
                json={"username": "anna", "password": "demo-pass-2026"},
            ).json()["token"]
            headers = {"Authorization": f"Token {token}"}
            me = client.get("/api/v1/me/", headers=headers).json()
            unit = me["memberships"][0]["unit"]["id"]
            closes = datetime.now().astimezone() + timedelta(seconds=4)
            created = client.post(
                "/api/v1/polls/",
                headers=headers,
                json={
                    "unit": unit,
                    "question": "Fika efter mötet?",
                    "method": "yes_no_abstain",
                    "ballot": "secret",
                    "closes": closes.isoformat(),
                },
            )
            assert created.status_code == 201, created.text
            pid = created.json()["id"]
            vote = client.post(
                f"/api/v1/polls/{pid}/ballots/", headers=headers, json={"choice": "yes"}
            )
            assert vote.status_code == 201
            while datetime.now().astimezone() < closes:
                time.sleep(0.05)
            deadline = time.monotonic() + 10
            result = None
            while time.monotonic() < deadline:
                r = client.get(f"/api/v1/polls/{pid}/result/", headers=headers)
                if r.status_code == 200:
                    result = r.json()
                    break
                time.sleep(0.05)
            lag = (datetime.now().astimezone() - closes).total_seconds()
            assert result is not None, server.output()
            assert result["ballots"] == 1
            assert lag < 1.5, lag  # not the 5 s beat tick, let alone a minute
    finally:
        server.stop()
