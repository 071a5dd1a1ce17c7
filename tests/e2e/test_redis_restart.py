"""Redis restarted under live traffic, with the production processes on a Redis of
the test's own: two uvicorn processes, a Celery worker and beat. A member posts
through process A every 100 ms while Redis is stopped and started again.

What must hold: every comment is answered 201 and stored once; the websocket clients
on both processes — the sockets that stayed open, and one that tried to connect
while Redis was down (refused until it is back, then resumed from 0) — receive
every comment exactly once, in order; a reply posted during the
outage is e-mailed to its parent's author exactly once, after Redis is back (the
broker was down at commit: the sweeper hands it out); and /healthz on both processes
said "ok" before, "failing" with Redis and the broker down during, and "ok" after."""

from __future__ import annotations

import asyncio
import os
import time

import httpx
import pytest

from tests.e2e.conftest import run_django
from tests.e2e.servers import clean_env, free_port, run_async
from tests.e2e.stack import (
    HealthPoller,
    Watcher,
    celery_beat,
    celery_worker,
    healthy,
    uvicorn,
)
from tests.e2e.test_live_cross_process import SETUP
from tests.redis_server import own_redis  # noqa: F401 (fixture)
from tests.smtp import SMTPServer

pytestmark = pytest.mark.e2e

MAILED = "e2e-reader@example.org"
PREFIX = f"e2erestart{os.getpid()}"


def failing_with_redis_down(answer: tuple[int | None, dict | None]) -> bool:
    code, body = answer
    if code != 503 or body is None or body["status"] != "failing":
        return False
    checks = body["checks"]
    down = not checks["redis"]["ok"] and not checks["broker"]["ok"]
    return down and checks["database"]["ok"]


def test_a_redis_restart_under_live_traffic_loses_and_doubles_nothing(
    live_database,
    own_redis,  # noqa: F811
    tmp_path,
):
    smtp = SMTPServer().start()
    env = clean_env(
        TORGET_ENV="production",
        DJANGO_SECRET_KEY="e2e-" + "k" * 60,
        DATABASE_URL=live_database,
        REDIS_URL=own_redis.url(),
        CELERY_BROKER_URL=own_redis.url(1),
        CHANNEL_PREFIX=PREFIX,
        CACHE_PREFIX=PREFIX,
        EMAIL_URL=f"smtp://127.0.0.1:{smtp.port}",
        SITE_URL="http://127.0.0.1",
        BEHIND_TLS_PROXY="0",
        COMMENT_RATE="1000",
        # the sweeper hands out what the broker missed soon after it is back
        NOTIFICATION_SWEEP_SECONDS="2",
        NOTIFICATION_RETRY_AFTER="2",
    )
    code = SETUP + f"Member.objects.filter(pk=r.pk).update(email='{MAILED}')\n"
    world = run_django(env, code)
    tid = world["thread"]
    ports = free_port(), free_port()
    on_a, on_b = (f"127.0.0.1:{port}" for port in ports)
    processes = [
        uvicorn(ports[0], env, tmp_path / "uvicorn-a.log"),
        uvicorn(ports[1], env, tmp_path / "uvicorn-b.log"),
        celery_worker(env, tmp_path / "worker.log"),
        celery_beat(env, tmp_path / "beat.log", tmp_path / "beat-schedule"),
    ]
    reader = {"Authorization": f"Token {world['reader']}"}
    writer = {"Authorization": f"Token {world['writer']}"}
    comments = f"/api/v1/threads/{tid}/comments/"
    posted: list[dict] = []
    outage: dict[str, float] = {}
    health: list[HealthPoller] = []

    def post_through_the_restart(client: httpx.Client) -> None:
        """The reader's question, 3 comments, Redis stopped, 6 more (the writer's
        reply to the question among them) for at least 3 s, Redis started, 4 more."""

        def post(headers: dict, body: str, parent: int | None = None) -> None:
            answer = client.post(
                comments,
                headers=headers,
                json={"body": body, "stance": "for", "parent": parent},
            )
            assert answer.status_code == 201, answer.text
            posted.append(answer.json())
            time.sleep(0.1)

        post(reader, "Vad tycker ni?")
        question = posted[0]["id"]
        for i in range(3):
            post(writer, f"before {i}")
        own_redis.stop()
        outage["down"] = time.monotonic()
        for i in range(6):
            if i == 2:
                post(writer, "Ett svar medan Redis är nere.", parent=question)
            else:
                post(writer, f"during {i}")
        # down for at least 3 s and until each /healthz answered within the outage
        deadline = outage["down"] + 30
        while time.monotonic() < outage["down"] + 3 or (
            time.monotonic() < deadline
            and not all(
                h.within(outage["down"] + 0.2, time.monotonic()) for h in health
            )
        ):
            time.sleep(0.1)
        outage["restarting"] = time.monotonic()
        own_redis.start()
        outage["up"] = time.monotonic()
        for i in range(4):
            post(writer, f"after {i}")

    async def scenario(client: httpx.Client):
        # clients ping as live.js does (every 25 s there): a socket that stayed open
        # through the restart hears of what Redis lost by the next ping at the latest
        on = {"token": world["reader"], "ping_every": 2.0}
        watchers = [Watcher([on_a, on_b], tid, **on) for _ in range(2)]
        watchers += [Watcher([on_b, on_a], tid, **on) for _ in range(2)]
        for watcher in watchers:
            watcher.start()
        try:
            for watcher in watchers:
                await watcher.wait_connected()
            posting = asyncio.ensure_future(
                asyncio.to_thread(post_through_the_restart, client)
            )
            while "down" not in outage and not posting.done():
                await asyncio.sleep(0.02)
            # a client that connects while Redis is down: refused until it is back
            watchers.append(Watcher([on_b, on_a], tid, **on).start())
            await posting
            for watcher in watchers:
                await watcher.wait_for_seq(posted[-1]["seq"], timeout=30)
            await asyncio.sleep(1)  # a double would arrive now
        finally:
            for watcher in watchers:
                await watcher.stop()
        return watchers

    try:
        for process in processes:
            process.start()
        with httpx.Client(base_url=f"http://{on_a}", timeout=20) as client:
            chosen = client.put(
                "/api/v1/notification-preferences/",
                headers=reader,
                json=[{"kind": "reply", "channel": "email"}],
            )
            assert chosen.status_code == 200, chosen.text
            health += [
                HealthPoller(f"http://{on_a}/healthz"),
                HealthPoller(f"http://{on_b}/healthz"),
            ]
            with health[0], health[1]:
                # both processes said ok once before the traffic starts
                deadline = time.monotonic() + 60
                while not all(any(map(healthy, h.within(0, 1e12))) for h in health):
                    assert time.monotonic() < deadline, [h.answers for h in health]
                    time.sleep(0.1)
                started = time.monotonic()
                watchers = run_async(lambda: scenario(client), timeout=120)
                ended = time.monotonic()
            mails = smtp.wait_for_recipient(MAILED, timeout=45)
            assert mails, processes[2].output()[-3000:]
            time.sleep(3)  # a second message would be here by now
            mails = [m for m in smtp.messages if m["X-Rcpt-To"] == MAILED]
    finally:
        for process in processes:
            process.stop()
        smtp.stop()

    want = [(c["id"], c["seq"]) for c in posted]
    stored = run_django(
        env,
        "import json\nfrom deliberation.discussions.models import Comment\n"
        f"print(json.dumps(list(Comment.objects.filter(thread_id={tid})"
        ".order_by('id').values_list('id', flat=True))))",
    )
    assert stored == [c["id"] for c in posted]  # each stored once
    for n, watcher in enumerate(watchers):
        got = [(e["id"], e["seq"]) for e in watcher.events]
        assert got == want, f"watcher {n} via {watcher.connections}"
    late = watchers[-1]
    assert late.connected_at[0] > outage["restarting"], "refused while Redis is down"
    reply = next(c for c in posted if c["parent"] is not None)
    assert len(mails) == 1, [m["Subject"] for m in mails]
    assert f"#c-{reply['id']}" in SMTPServer.body(mails[0])

    for name, poller in zip("AB", health, strict=True):
        before = poller.within(started, outage["down"])
        during = poller.within(outage["down"] + 0.2, outage["restarting"])
        after = poller.within(outage["up"] + 0.5, ended)
        assert during, (name, poller.answers)
        assert after, (name, poller.answers)
        assert all(healthy(a) for a in before), (name, before)
        assert all(failing_with_redis_down(a) for a in during), (name, during)
        assert all(healthy(a) for a in after), (name, after)
    print(
        f"{len(posted)} comments through a Redis restart; connections per watcher:",
        [w.connections for w in watchers],
    )
