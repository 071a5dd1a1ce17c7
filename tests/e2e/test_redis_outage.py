"""The production profile through a Redis restart: a member posts every 100 ms through
gunicorn while Redis (cache, channel layer) is stopped and started again —
every comment is answered 201 and stored, the open socket on uvicorn gets new events
again after Redis is back, and `resume` returns every comment, in order. Real
processes, real PostgreSQL, a Redis of the test's own."""

from __future__ import annotations

import asyncio
import json
import time

import httpx
import pytest
import websockets

from tests.e2e.conftest import run_django
from tests.e2e.servers import Process, bin_path, clean_env, free_port, run_async
from tests.e2e.test_live_cross_process import SETUP, stream_event, subscribed
from tests.redis_server import own_redis  # noqa: F401 (fixture)

pytestmark = pytest.mark.e2e


def test_posting_through_a_redis_restart_succeeds_and_resume_is_exact(
    live_database,
    own_redis,  # noqa: F811
    tmp_path,
):
    env = clean_env(
        TORGET_ENV="production",
        DJANGO_SECRET_KEY="e2e-" + "k" * 60,
        DATABASE_URL=live_database,
        REDIS_URL=own_redis.url(),
        CELERY_BROKER_URL=own_redis.url(1),
        CHANNEL_PREFIX="e2eoutage",
        CACHE_PREFIX="e2eoutage",
        BEHIND_TLS_PROXY="0",
        COMMENT_RATE="1000",
    )
    world = run_django(env, SETUP)
    http_port, ws_port = free_port(), free_port()
    gunicorn = Process(
        [
            bin_path("gunicorn"),
            "deliberation.wsgi:application",
            "-b",
            f"127.0.0.1:{http_port}",
            "-w",
            "2",
        ],
        env,
        tmp_path / "gunicorn.log",
        port=http_port,
    )
    uvicorn = Process(
        [
            bin_path("uvicorn"),
            "deliberation.asgi:application",
            "--port",
            str(ws_port),
            "--lifespan",
            "off",
            "--ws",
            "websockets-sansio",
        ],
        env,
        tmp_path / "uvicorn.log",
        port=ws_port,
    )
    tid = world["thread"]
    url = f"http://127.0.0.1:{http_port}/api/v1/threads/{tid}/comments/"
    ws_url = f"ws://127.0.0.1:{ws_port}/ws/threads/{tid}/?token={world['reader']}"
    headers = {"Authorization": f"Token {world['writer']}"}
    try:
        gunicorn.start()
        uvicorn.start()

        def post_through_the_outage() -> list[httpx.Response]:
            """3 comments, Redis stopped, 10 more every 100 ms, Redis started, 3."""
            answers: list[httpx.Response] = []
            with httpx.Client(headers=headers, timeout=30) as client:

                def post(n: int) -> None:
                    for _ in range(n):
                        body = {"body": f"c{len(answers)}"}
                        answers.append(client.post(url, json=body))
                        time.sleep(0.1)

                post(3)
                own_redis.stop()
                post(10)
                own_redis.start()
                post(3)
            return answers

        async def scenario():
            async with websockets.connect(ws_url) as live:
                await subscribed(live)  # presence through Redis: subscribed
                answers = await asyncio.to_thread(post_through_the_outage)
                codes = [r.status_code for r in answers]
                assert set(codes) == {201}, [r.text for r in answers if r.is_error]
                posted = [r.json() for r in answers]
                # the open socket is live again once Redis is back
                await asyncio.sleep(2)
                last = await asyncio.to_thread(
                    lambda: httpx.post(
                        url, json={"body": "after"}, headers=headers, timeout=10
                    ).json()
                )
                async with asyncio.timeout(15):
                    while (await stream_event(live))["seq"] != last["seq"]:
                        pass
            async with websockets.connect(ws_url) as fresh:
                await fresh.send(json.dumps({"type": "resume", "after_seq": 0}))
                got = [await stream_event(fresh) for _ in range(len(posted) + 1)]
            assert [(e["id"], e["seq"]) for e in got] == [
                (c["id"], c["seq"]) for c in [*posted, last]
            ]
            return len(posted)

        n = run_async(scenario, timeout=120)
        print(f"{n} comments through a Redis outage: all 201, resume exact")
    finally:
        gunicorn.stop()
        uvicorn.stop()
    log = gunicorn.log_path.read_text()
    assert "Could not publish comment.created" in log
    assert "counted in the database" in log
