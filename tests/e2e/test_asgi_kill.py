"""An ASGI process killed with -9 while websocket clients are connected to it and
comments keep being posted through the other one: the clients reconnect to the
survivor, resume by `seq` and receive every comment exactly once, in order; the
survivor's /healthz says ok throughout, and the dead one answers nothing. Real
uvicorn processes, real PostgreSQL and Redis (the run's own database, this process's
own channel, cache and queue names)."""

from __future__ import annotations

import asyncio
import os
import signal
import time

import httpx
import pytest

from tests.e2e.conftest import run_django, run_redis_url
from tests.e2e.servers import clean_env, free_port, run_async
from tests.e2e.stack import HealthPoller, Watcher, forget_queue, healthy, uvicorn
from tests.e2e.test_live_cross_process import SETUP

pytestmark = pytest.mark.e2e

PREFIX = f"e2ekill{os.getpid()}"
COMMENTS = 40
KILL_AFTER = 12  # comments posted before process A is killed


def test_clients_of_a_killed_asgi_process_resume_on_the_survivor(
    live_database, tmp_path
):
    redis_url = run_redis_url()
    env = clean_env(
        TORGET_ENV="production",
        DJANGO_SECRET_KEY="e2e-" + "k" * 60,
        DATABASE_URL=live_database,
        REDIS_URL=redis_url,
        CELERY_BROKER_URL=redis_url,
        CELERY_QUEUE=PREFIX,
        CHANNEL_PREFIX=PREFIX,
        CACHE_PREFIX=PREFIX,
        BEHIND_TLS_PROXY="0",
        COMMENT_RATE="1000",
    )
    world = run_django(env, SETUP)
    tid = world["thread"]
    ports = free_port(), free_port()
    a, b = (
        uvicorn(port, env, tmp_path / f"uvicorn-{i}.log")
        for i, port in enumerate(ports)
    )
    on_a, on_b = (f"127.0.0.1:{port}" for port in ports)
    headers = {"Authorization": f"Token {world['writer']}"}
    posted: list[dict] = []
    killed_at: list[float] = []

    def post_and_kill() -> None:
        """COMMENTS comments through B, one every 50 ms; A is killed after
        KILL_AFTER of them."""
        with httpx.Client(base_url=f"http://{on_b}", headers=headers, timeout=20) as c:
            for i in range(COMMENTS):
                if i == KILL_AFTER:
                    os.killpg(a.proc.pid, signal.SIGKILL)
                    a.proc.wait(10)
                    killed_at.append(time.monotonic())
                answer = c.post(
                    f"/api/v1/threads/{tid}/comments/",
                    json={"body": f"k{i}", "stance": "for", "parent": None},
                )
                assert answer.status_code == 201, answer.text
                posted.append(answer.json())
                time.sleep(0.05)

    async def scenario(health: HealthPoller):
        # four clients on A (they fail over to B), two on B (they never drop)
        watchers = [Watcher([on_a, on_b], tid, world["reader"]) for _ in range(4)]
        watchers += [Watcher([on_b, on_a], tid, world["reader"]) for _ in range(2)]
        for watcher in watchers:
            watcher.start()
        try:
            for watcher in watchers:
                await watcher.wait_connected()
            await asyncio.to_thread(post_and_kill)
            for watcher in watchers:
                await watcher.wait_for_seq(posted[-1]["seq"], timeout=30)
            await asyncio.sleep(1)  # a double would arrive now
        finally:
            for watcher in watchers:
                await watcher.stop()
        return watchers

    try:
        a.start()
        b.start()
        with HealthPoller(f"http://{on_b}/healthz") as health:
            started = time.monotonic()
            watchers = run_async(lambda: scenario(health), timeout=120)
            ended = time.monotonic()
        try:
            httpx.get(f"http://{on_a}/healthz", timeout=2)
            dead_answered = True
        except httpx.HTTPError:
            dead_answered = False
    finally:
        a.stop()
        b.stop()
        forget_queue(redis_url, PREFIX)

    want = [(c["id"], c["seq"]) for c in posted]
    for n, watcher in enumerate(watchers):
        got = [(e["id"], e["seq"]) for e in watcher.events]
        assert got == want, f"watcher {n} via {watcher.connections}"
        assert {e["type"] for e in watcher.events} == {"comment.created"}
    assert [w.connections for w in watchers[:4]] == [[on_a, on_b]] * 4
    assert [w.connections for w in watchers[4:]] == [[on_b]] * 2
    answers = health.within(started, ended)
    assert len(answers) >= 5, answers
    assert any(asked > killed_at[0] for asked, *_ in health.answers)
    assert all(healthy(answer) for answer in answers), [
        answer for answer in answers if not healthy(answer)
    ]
    assert not dead_answered
