"""Benchmark: one comment reaches 1,000 connected websocket clients (production profile).

Starts the production profile's processes on a dedicated PostgreSQL database and Redis:
N uvicorn processes (default 2) for /ws/ and gunicorn for HTTP, opens 1,000 websocket
clients spread across the uvicorn processes (token auth), waits until every client has
received a `presence.changed` (it comes through Redis to the thread's group, so it
proves the client is subscribed), then measures three figures, each per delivery:

1. commit → client: a comment written by `post_comment` in this process; the clock
   starts when its transaction has committed (an on_commit callback registered before
   the publish). This is the real-time path: publish after commit, Redis pub/sub, the
   uvicorn processes, the sockets.
2. POST → client: `POST /api/v1/threads/{id}/comments/` to gunicorn; the clock starts
   before the request. HTTP, authentication, the database, the commit, then path 1.
3. bare Redis: PUBLISH to 1,000 redis.asyncio subscribers (one connection each) — the
   floor the machine sets.

One warm-up round of each path is not counted. A client that has not received a
comment 10 s after it was sent counts as a lost
delivery: its latency is infinite, so it stays in p99 (p99 then reads "lost") and the
lost count has a target of 0. Exits 1 when a figure misses its target. Creates and drops
its own database; flushes its Redis database at the end.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/torget REDIS_URL=redis://127.0.0.1:6379/13 \\
        .venv/bin/python bench/bench_fanout.py [--clients 1000] [--servers 2] [--rounds 15]

The clients run in this one Python process on the same machine as the servers,
PostgreSQL and Redis, so the figures include the client's own scheduling; the bare
Redis figure is measured the same way.
"""  # noqa: E501

from __future__ import annotations

import argparse
import asyncio
import json
import math
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import harness

DB_NAME = "torget_bench_fanout"
REDIS_DB = 13
LOST_AFTER = 10.0  # seconds


def raise_nofile(n=20000):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = min(max(soft, n), hard)
    if want > soft:
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))


def create_world(members: int) -> dict:
    from rest_framework.authtoken.models import Token

    from deliberation.discussions.services import create_thread
    from deliberation.members.models import Member, UnitKind
    from deliberation.members.services import add_membership, create_unit

    parent = None
    for kind in (
        UnitKind.NATIONAL,
        UnitKind.DISTRICT,
        UnitKind.MUNICIPALITY,
        UnitKind.BRANCH,
    ):
        parent = create_unit(
            name=f"Bench {kind}", code=f"bench-{kind}", kind=kind, parent=parent
        )
    people = []
    for i in range(members):
        m = Member.objects.create(username=f"fan{i}")
        add_membership(member=m, unit=parent)
        people.append(m)
    thread = create_thread(title="Fan-out", unit=parent)
    return {
        "thread": thread,
        "writer": people[0],
        "tokens": [Token.objects.create(user=m).key for m in people],
    }


def commit_comment(thread, author, body: str) -> tuple[int, float]:
    """Write a comment; return its id and the moment its transaction committed."""
    from django.db import transaction

    from deliberation.discussions.services import post_comment

    marks: dict[str, float] = {}
    with transaction.atomic():
        # Registered before post_comment's publish, so it runs first after COMMIT.
        transaction.on_commit(lambda: marks.setdefault("commit", time.perf_counter()))
        comment = post_comment(
            thread=thread, author=author, body=body, enforce_rate=False
        )
    return comment.pk, marks["commit"]


class Deliveries:
    """Per round, every client's latency; `inf` for a lost delivery."""

    def __init__(self) -> None:
        self.latencies: list[float] = []
        self.last_client: list[float] = []
        self.lost = 0

    def add_round(self, started: float, arrivals: list[float | None]) -> None:
        got = [math.inf if a is None else a - started for a in arrivals]
        self.lost += sum(1 for a in arrivals if a is None)
        self.latencies += got
        self.last_client.append(max(got))

    def summary(self) -> tuple[float, float, float]:
        return (
            harness.percentile(self.latencies, 50) * 1000,
            harness.percentile(self.latencies, 99) * 1000,
            statistics.median(self.last_client) * 1000,
        )


async def wait_all(arrivals, key, deadline_s: float = LOST_AFTER) -> None:
    deadline = time.perf_counter() + deadline_s
    while time.perf_counter() < deadline:
        if all(key in a for a in arrivals):
            return
        await asyncio.sleep(0.005)


async def websocket_rounds(uvicorns, gunicorn_url, world, clients, rounds):
    import httpx
    import websockets

    tid = world["thread"].pk
    tokens = world["tokens"]
    arrivals: list[dict[int, float]] = [{} for _ in range(clients)]
    presence = [False] * clients
    sockets = []

    async def reader(i, ws):
        try:
            async for raw in ws:
                now = time.perf_counter()
                if '"comment.created"' in raw:
                    arrivals[i][json.loads(raw)["id"]] = now
                elif '"presence.changed"' in raw:
                    presence[i] = True
        except websockets.ConnectionClosed:
            pass

    async def open_one(i):
        server = uvicorns[i % len(uvicorns)]
        url = f"{server.ws}/ws/threads/{tid}/?token={tokens[i % len(tokens)]}"
        for attempt in range(5):
            try:
                ws = await websockets.connect(
                    url, compression=None, ping_interval=None, open_timeout=30,
                    max_queue=None,
                )  # fmt: skip
                break
            except (OSError, websockets.InvalidStatus, TimeoutError):
                if attempt == 4:
                    raise
                await asyncio.sleep(0.5 * (attempt + 1))
        sockets.append(ws)
        return asyncio.create_task(reader(i, ws))

    t0 = time.perf_counter()
    tasks = []
    for start in range(0, clients, 50):
        tasks += await asyncio.gather(
            *(open_one(i) for i in range(start, min(clients, start + 50)))
        )
    print(
        f"  {clients} websocket clients connected to {len(uvicorns)} uvicorn processes "
        f"in {time.perf_counter() - t0:.1f} s"
    )
    deadline = time.perf_counter() + 30
    while not all(presence) and time.perf_counter() < deadline:
        await asyncio.sleep(0.05)
    print(
        f"  {sum(presence)}/{clients} proven subscribed (presence.changed received) "
        f"after {time.perf_counter() - t0:.1f} s"
    )

    commit, post = Deliveries(), Deliveries()
    async with httpx.AsyncClient(timeout=30) as http:
        for r in range(-1, rounds):  # round -1 warms both paths up and is not counted
            if r == 0:
                commit, post = Deliveries(), Deliveries()
            # path 1: commit → clients
            cid, started = await asyncio.to_thread(
                commit_comment, world["thread"], world["writer"], f"Commit {r}"
            )
            await wait_all(arrivals, cid)
            commit.add_round(started, [a.get(cid) for a in arrivals])
            await asyncio.sleep(0.1)
            # path 2: POST through gunicorn → clients
            headers = {"Authorization": f"Token {tokens[(r + 1) % len(tokens)]}"}
            started = time.perf_counter()
            resp = await http.post(
                f"{gunicorn_url}/api/v1/threads/{tid}/comments/",
                headers=headers,
                json={"body": f"Round {r}", "stance": "neutral"},
            )
            assert resp.status_code == 201, resp.text
            cid = resp.json()["id"]
            await wait_all(arrivals, cid)
            post.add_round(started, [a.get(cid) for a in arrivals])
            await asyncio.sleep(0.1)
    for ws in sockets:
        await ws.close()
    for t in tasks:
        t.cancel()
    return commit, post


async def redis_rounds(redis_url, clients, rounds) -> Deliveries:
    import redis.asyncio as aioredis

    channel = "bench-fanout-bare"
    arrivals: list[dict[int, float]] = [{} for _ in range(clients)]

    async def listen(i, pubsub):
        async for msg in pubsub.listen():
            if msg["type"] == "message":
                arrivals[i][int(msg["data"])] = time.perf_counter()

    conns = []
    for start in range(0, clients, 100):
        batch = []
        for _i in range(start, min(clients, start + 100)):
            client = aioredis.from_url(redis_url)
            pubsub = client.pubsub()
            batch.append(pubsub.subscribe(channel))
            conns.append((client, pubsub))
        await asyncio.gather(*batch)
    tasks = [asyncio.create_task(listen(i, ps)) for i, (_c, ps) in enumerate(conns)]
    publisher = aioredis.from_url(redis_url)
    # Subscribed: PUBSUB NUMSUB counts the subscriptions Redis has confirmed.
    deadline = time.perf_counter() + 30
    while time.perf_counter() < deadline:
        (_name, n), = await publisher.pubsub_numsub(channel)  # fmt: skip
        if n >= clients:
            break
        await asyncio.sleep(0.05)
    bare = Deliveries()
    for r in range(rounds):
        started = time.perf_counter()
        await publisher.publish(channel, str(r))
        await wait_all(arrivals, r)
        bare.add_round(started, [a.get(r) for a in arrivals])
        await asyncio.sleep(0.2)
    for t in tasks:
        t.cancel()
    for client, pubsub in conns:
        await pubsub.aclose()
        await client.aclose()
    await publisher.aclose()
    return bare


def fmt(ms: float) -> str:
    return "   lost" if math.isinf(ms) else f"{ms:7.1f}"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=1000)
    parser.add_argument("--servers", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args()
    raise_nofile()
    import redis

    base = harness.base_database_url()
    redis_url = harness.redis_url(REDIS_DB)
    redis.Redis.from_url(redis_url).flushdb()
    env = harness.production_env(
        harness.create_database(base, DB_NAME),
        redis_url,
        CHANNEL_PREFIX="benchfan",
        CACHE_PREFIX="benchfan",
        COMMENT_RATE="100000",
        REDIS_POOL_SIZE="100",
    )
    harness.use_in_this_process(env)
    tmp = Path(tempfile.mkdtemp(prefix="bench-fanout-"))
    processes = []
    try:
        from django.core.management import call_command
        from django.db import connections

        call_command("migrate", verbosity=0)
        world = create_world(100)
        connections.close_all()
        uvicorns = []
        for i in range(args.servers):
            uvicorns.append(harness.start_uvicorn(env, tmp / f"uvicorn-{i}.log"))
            processes.append(uvicorns[-1])
        gunicorn = harness.start_gunicorn(env, tmp / "gunicorn.log", workers=2)
        processes.append(gunicorn)
        print(
            f"fan-out of one comment to {args.clients} websocket clients on "
            f"{args.servers} uvicorn processes, gunicorn for HTTP, Redis pub/sub, "
            f"PostgreSQL, {args.rounds} rounds of each path"
        )
        commit, post = asyncio.run(
            websocket_rounds(uvicorns, gunicorn.url, world, args.clients, args.rounds)
        )
        bare = asyncio.run(redis_rounds(redis_url, args.clients, args.rounds))
        report = harness.Report("bench_fanout")
        for label, d, p99_target in [
            ("commit → client (real-time path)", commit, 500),
            ("POST → client (gunicorn → uvicorn)", post, 750),
            (f"bare Redis pub/sub → {args.clients} subscribers", bare, 150),
        ]:
            p50, p99, last = d.summary()
            n = len(d.latencies)
            report.add(
                label,
                f"p50 {fmt(p50)} ms  p99 {fmt(p99)} ms  last client (median) "
                f"{fmt(last)} ms  lost {d.lost}/{n}",
                p99,
                p99_target,
            )
            name = label.split(" (")[0]
            report.add(f"  lost deliveries, {name}", f"{d.lost}", d.lost, 1, "")
        c99, b99 = commit.summary()[1], bare.summary()[1]
        ratio = math.inf if math.isinf(c99) or math.isinf(b99) else c99 / b99
        report.add(
            "ratio commit path / bare Redis, p99",
            "lost" if math.isinf(ratio) else f"{ratio:5.1f}×",
            ratio,
            8,
            "×",
        )
        report.finish()
    finally:
        for proc in processes:
            proc.stop()
        from django.db import connections

        connections.close_all()
        harness.drop_database(base, DB_NAME)
        redis.Redis.from_url(redis_url).flushdb()


if __name__ == "__main__":
    main()
