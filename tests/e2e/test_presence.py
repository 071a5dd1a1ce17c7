"""Presence returns to the truth: hundreds of members on two real uvicorn processes
leave at once, or one process is killed with -9 — within seconds the count a watcher
sees is right again. Real processes, real PostgreSQL, a Redis of the test's own."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import time

import pytest
import websockets

from tests.e2e.conftest import run_django
from tests.e2e.servers import clean_env, run_async
from tests.redis_server import own_redis  # noqa: F401 (fixture)

pytestmark = pytest.mark.e2e

MEMBERS = 300

SETUP = """
import json
from rest_framework.authtoken.models import Token
from deliberation.members.models import Member, Unit, UnitKind
from deliberation.members.services import add_membership, create_unit
from deliberation.discussions.services import create_thread
parent = None
kinds = (UnitKind.NATIONAL, UnitKind.DISTRICT, UnitKind.MUNICIPALITY, UnitKind.BRANCH)
for kind in kinds:
    code = f"presence-{kind}"
    parent = Unit.objects.filter(code=code).first() or create_unit(
        name=f"Presence {kind}", code=code, kind=kind, parent=parent)
tokens = []
for i in range(%d):
    m, new = Member.objects.get_or_create(username=f"presence-{i}")
    if new:
        add_membership(member=m, unit=parent)
    tokens.append(Token.objects.get_or_create(user=m)[0].key)
t = create_thread(title="Crowded", unit=parent, actor=m)
print(json.dumps({"thread": t.pk, "tokens": tokens}))
"""


async def wait_count(ws, want: int, timeout: float) -> float:
    """Seconds until `ws` is told the thread has `want` members."""
    start = time.monotonic()
    seen: list[int] = []
    try:
        async with asyncio.timeout(timeout):
            while True:
                event = json.loads(await ws.recv())
                if event["type"] == "presence.changed":
                    seen.append(event["data"]["count"])
                    if seen[-1] == want:
                        return time.monotonic() - start
    except TimeoutError:
        raise AssertionError(f"never told {want}; told {seen}") from None


async def open_many(urls: list[str]) -> list:
    gate = asyncio.Semaphore(40)

    async def one(url):
        async with gate:
            return await websockets.connect(url, open_timeout=30, max_queue=None)

    return list(await asyncio.gather(*(one(u) for u in urls)))


def test_presence_returns_to_the_truth_after_mass_leave_and_a_killed_process(
    live_database,
    asgi_servers,
    own_redis,  # noqa: F811
):
    env = clean_env(
        DATABASE_URL=live_database,
        REDIS_URL=own_redis.url(),
        CHANNEL_PREFIX="e2epresence",
        CACHE_PREFIX="e2epresence",
    )
    world = run_django(env, SETUP % (MEMBERS + 1))
    a, b = asgi_servers(2, env)
    tid = world["thread"]
    watcher_token, *tokens = world["tokens"]

    def url(server, token):
        return f"{server['ws']}/ws/threads/{tid}/?token={token}"

    async def scenario():
        async with websockets.connect(url(a, watcher_token), max_queue=None) as watch:
            await wait_count(watch, 1, 10)

            # Hundreds of members over both processes, then all leave at once.
            crowd = await open_many(
                [url(a if i % 2 else b, t) for i, t in enumerate(tokens)]
            )
            await wait_count(watch, MEMBERS + 1, 30)
            await asyncio.gather(*(ws.close() for ws in crowd))
            took = await wait_count(watch, 1, 10)
            print(f"{MEMBERS} left at once: count right again after {took:.2f} s")

            # Half of them come back on process B, which is then killed with -9.
            half = tokens[: MEMBERS // 2]
            crowd = await open_many([url(b, t) for t in half])
            await wait_count(watch, len(half) + 1, 30)
            os.killpg(b["process"].proc.pid, signal.SIGKILL)
            took = await wait_count(watch, 1, 20)
            print(f"process killed: its members gone after {took:.2f} s")
            for ws in crowd:
                ws.transport.abort()

    run_async(scenario, timeout=240)
    assert "Traceback" not in a["process"].output()
