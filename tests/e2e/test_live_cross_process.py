"""A comment posted through one ASGI process reaches a websocket client connected to
another, through the Redis pub/sub channel layer; after a dropped connection `resume`
returns exactly the missed events, in order, none twice. Real processes, real
PostgreSQL, real Redis."""

from __future__ import annotations

import asyncio
import json
import os

import httpx
import pytest
import websockets

from tests.e2e.conftest import run_django, run_redis_url
from tests.e2e.servers import clean_env, run_async

pytestmark = pytest.mark.e2e

# the run's own Redis database, with this process's own names in it (no FLUSHDB: a
# parallel run's presence and counters stay theirs)
PREFIX = f"e2elive{os.getpid()}"

SETUP = """
import json
from rest_framework.authtoken.models import Token
from deliberation.members.models import Member, Unit, UnitKind
from deliberation.members.services import add_membership, create_unit
from deliberation.discussions.services import create_thread
parent = Unit.objects.filter(kind=UnitKind.NATIONAL).first()
for kind in (
    UnitKind.NATIONAL, UnitKind.DISTRICT, UnitKind.MUNICIPALITY, UnitKind.BRANCH
):
    if kind == UnitKind.NATIONAL and parent is not None:
        continue
    code = f"e2e-{kind}"
    parent = Unit.objects.filter(code=code).first() or create_unit(
        name=f"E2E {kind}", code=code, kind=kind, parent=parent)
branch = parent
m, new = Member.objects.get_or_create(username="e2e-writer")
if new:
    add_membership(member=m, unit=branch)
r, new = Member.objects.get_or_create(username="e2e-reader")
if new:
    add_membership(member=r, unit=branch)
t = create_thread(title="Across processes", unit=branch, actor=m)
print(json.dumps({"thread": t.pk, "writer": Token.objects.get_or_create(user=m)[0].key,
                  "reader": Token.objects.get_or_create(user=r)[0].key}))
"""


async def stream_event(ws, timeout=10.0) -> dict:
    """Next event of the seq stream (presence messages are skipped)."""
    async with asyncio.timeout(timeout):
        while True:
            event = json.loads(await ws.recv())
            if event.get("type") != "presence.changed":
                return event


async def subscribed(ws, timeout=10.0) -> None:
    """Wait for the socket's first `presence.changed`: the server sends it to the
    thread's group through Redis, so its arrival proves this socket is subscribed."""
    async with asyncio.timeout(timeout):
        while json.loads(await ws.recv()).get("type") != "presence.changed":
            pass


async def quiet(ws, wait=1.0) -> bool:
    try:
        async with asyncio.timeout(wait):
            while True:
                event = json.loads(await ws.recv())
                if event.get("type") != "presence.changed":
                    raise AssertionError(f"unexpected {event}")
    except TimeoutError:
        return True


def test_comment_crosses_processes_and_resume_is_exact(live_database, asgi_servers):
    env = clean_env(
        DATABASE_URL=live_database,
        REDIS_URL=run_redis_url(),
        CHANNEL_PREFIX=PREFIX,
        CACHE_PREFIX=PREFIX,
        COMMENT_RATE="100",
    )
    world = run_django(env, SETUP)
    a, b = asgi_servers(2, env)
    tid = world["thread"]
    ws_url = f"{a['ws']}/ws/threads/{tid}/?token={world['reader']}"
    headers = {"Authorization": f"Token {world['writer']}"}

    def post(body: str) -> dict:
        resp = httpx.post(
            f"{b['url']}/api/v1/threads/{tid}/comments/",
            headers=headers,
            json={"body": body, "stance": "for", "parent": None},
            timeout=10,
        )
        assert resp.status_code == 201, resp.text
        return resp.json()

    async def scenario():
        async with websockets.connect(ws_url) as ws:
            await subscribed(ws)  # before we post
            first = await asyncio.to_thread(post, "Hello from process B")
            event = await stream_event(ws)
            assert event["type"] == "comment.created"
            assert (event["id"], event["seq"]) == (first["id"], first["seq"])
            assert event["data"]["body_html"] == "<p>Hello from process B</p>\n"
            last_seq = event["seq"]
        # the connection is gone; three comments are posted meanwhile
        missed = [await asyncio.to_thread(post, f"missed {i}") for i in range(3)]
        async with websockets.connect(ws_url) as ws:
            await subscribed(ws)
            await ws.send(json.dumps({"type": "resume", "after_seq": last_seq}))
            got = [await stream_event(ws) for _ in range(3)]
            assert [e["id"] for e in got] == [c["id"] for c in missed]
            assert [e["seq"] for e in got] == [last_seq + 1, last_seq + 2, last_seq + 3]
            assert await quiet(ws)
            # and the socket is live again, across processes
            after = await asyncio.to_thread(post, "after resume")
            event = await stream_event(ws)
            assert (event["id"], event["seq"]) == (after["id"], last_seq + 4)

    run_async(scenario, timeout=120)


def test_websocket_refusals_on_a_real_server(live_database, asgi_servers):
    env = clean_env(
        DATABASE_URL=live_database,
        REDIS_URL=run_redis_url(),
        CHANNEL_PREFIX=PREFIX,
        CACHE_PREFIX=PREFIX,
    )
    world = run_django(env, SETUP)
    (a,) = asgi_servers(1, env)

    async def answer(url: str, **kwargs) -> int | str:
        """HTTP status of a refused handshake, the close code of a refused socket,
        or "open" when the socket answers a ping."""
        try:
            async with websockets.connect(url, open_timeout=10, **kwargs) as ws:
                try:
                    await ws.send(json.dumps({"type": "ping"}))
                    async with asyncio.timeout(10):
                        while json.loads(await ws.recv())["type"] != "pong":
                            pass
                except websockets.exceptions.ConnectionClosed as exc:
                    return exc.rcvd.code if exc.rcvd else "closed"
                return "open"
        except websockets.exceptions.InvalidStatus as exc:
            return exc.response.status_code

    async def scenario():
        base = f"{a['ws']}/ws/threads/{world['thread']}/"
        ours = a["url"]  # http://127.0.0.1:<port>: the origin the page came from
        reader = f"?token={world['reader']}"
        other_port = ours.rsplit(":", 1)[0] + ":9"
        got = {
            "anonymous": await answer(base),
            "bad token": await answer(base + "?token=wrong"),
            "no such thread": await answer(f"{a['ws']}/ws/threads/999999/{reader}"),
            "foreign origin": await answer(
                base + reader, origin="https://evil.example"
            ),
            "our host, other port": await answer(base + reader, origin=other_port),
            "our host, https": await answer(
                base + reader, origin=ours.replace("http:", "https:")
            ),
            "our origin": await answer(base + reader, origin=ours),
            "no origin, token": await answer(base + reader),
        }
        assert got == {
            "anonymous": 4401,
            "bad token": 4401,
            "no such thread": 4404,
            "foreign origin": 403,
            "our host, other port": 403,
            "our host, https": 403,
            "our origin": "open",
            "no origin, token": "open",
        }

    run_async(scenario, timeout=90)


def test_presence_counts_members_across_processes(live_database, asgi_servers):
    env = clean_env(
        DATABASE_URL=live_database,
        REDIS_URL=run_redis_url(),
        CHANNEL_PREFIX=PREFIX,
        CACHE_PREFIX=PREFIX,
    )
    world = run_django(env, SETUP)
    a, b = asgi_servers(2, env)
    tid = world["thread"]

    async def presence(ws, want, timeout=10.0):
        async with asyncio.timeout(timeout):
            while True:
                event = json.loads(await ws.recv())
                if (
                    event["type"] == "presence.changed"
                    and event["data"]["count"] == want
                ):
                    return True

    async def scenario():
        async with websockets.connect(
            f"{a['ws']}/ws/threads/{tid}/?token={world['reader']}"
        ) as on_a:
            assert await presence(on_a, 1)
            async with websockets.connect(
                f"{b['ws']}/ws/threads/{tid}/?token={world['writer']}"
            ) as on_b:
                assert await presence(on_a, 2)  # joined through the other process
                assert await presence(on_b, 2)
            assert await presence(on_a, 1)  # and left again

    run_async(scenario, timeout=60)
