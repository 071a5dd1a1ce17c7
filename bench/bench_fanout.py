"""Benchmark: one comment reaches 1,000 connected websocket clients (production
profile).

Starts N uvicorn processes (default 2) with REDIS_URL (the Redis pub/sub channel layer)
on a dedicated PostgreSQL database, opens 1,000 websocket clients spread across them
(token auth), then posts one comment through the API, ROUNDS times, and measures for
every client the delay from the start of the POST to the arrival of its
`comment.created` event. In the same run it measures a bare Redis pub/sub round trip
to 1,000 subscribers (redis.asyncio, one connection each). Prints p50/p99 of both and
the ratio — the figure we track. Creates and drops its own database; flushes its Redis
database at the end.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/torget \\
    REDIS_URL=redis://127.0.0.1:6379/13 \\
        .venv/bin/python bench/bench_fanout.py \\
        [--clients 1000] [--servers 2] [--rounds 20]

The clients run in this one Python process on the same machine as the servers,
PostgreSQL and Redis, so the figures include the client's own scheduling; the bare
Redis figure is measured the same way, which is why the ratio is what we compare.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
import websockets  # noqa: E402

from tests.e2e.servers import (  # noqa: E402
    Process,
    clean_env,
    create_database,
    drop_database,
    free_port,
    manage,
)

DB_NAME = "torget_bench_fanout"
SETUP = """
import json
from rest_framework.authtoken.models import Token
from deliberation.members.models import Member, Unit, UnitKind
from deliberation.members.services import add_membership, create_unit
from deliberation.discussions.services import create_thread
parent = None
for kind in (
    UnitKind.NATIONAL, UnitKind.DISTRICT, UnitKind.MUNICIPALITY, UnitKind.BRANCH
):
    parent = create_unit(
        name=f"Bench {kind}", code=f"bench-{kind}", kind=kind, parent=parent
    )
tokens = []
for i in range(MEMBERS):
    m = Member.objects.create(username=f"fan{i}")
    add_membership(member=m, unit=parent)
    tokens.append(Token.objects.create(user=m).key)
t = create_thread(title="Fan-out", unit=parent)
print(json.dumps({"thread": t.pk, "tokens": tokens}))
"""


def percentile(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def raise_nofile(n=20000):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = min(max(soft, n), hard)
    if want > soft:
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))


def wait_http(url, process, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not process.alive():
            raise RuntimeError(process.output())
        try:
            if httpx.get(url, timeout=2).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise TimeoutError(url)


async def websocket_fanout(servers, world, clients, rounds):
    tid = world["thread"]
    tokens = world["tokens"]
    arrivals: list[dict[int, float]] = [{} for _ in range(clients)]
    sockets = []

    async def reader(i, ws):
        try:
            async for raw in ws:
                now = time.perf_counter()
                if '"comment.created"' in raw:
                    arrivals[i][json.loads(raw)["id"]] = now
        except websockets.ConnectionClosed:
            pass

    async def open_one(i):
        server = servers[i % len(servers)]
        url = f"{server['ws']}/ws/threads/{tid}/?token={tokens[i % len(tokens)]}"
        for attempt in range(5):
            try:
                ws = await websockets.connect(
                    url,
                    compression=None,
                    ping_interval=None,
                    open_timeout=30,
                    max_queue=None,
                )
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
        f"  {clients} websocket clients connected to {len(servers)} processes "
        f"in {time.perf_counter() - t0:.1f} s"
    )
    await asyncio.sleep(3)  # presence broadcasts settle

    latencies, last_client = [], []
    async with httpx.AsyncClient(timeout=30) as http:
        for r in range(rounds):
            server = servers[r % len(servers)]
            headers = {"Authorization": f"Token {tokens[r % len(tokens)]}"}
            started = time.perf_counter()
            resp = await http.post(
                f"{server['url']}/api/v1/threads/{tid}/comments/",
                headers=headers,
                json={"body": f"Round {r}", "stance": "neutral"},
            )
            assert resp.status_code == 201, resp.text
            cid = resp.json()["id"]
            deadline = time.perf_counter() + 15
            while time.perf_counter() < deadline:
                if all(cid in a for a in arrivals):
                    break
                await asyncio.sleep(0.005)
            got = [a[cid] - started for a in arrivals if cid in a]
            if len(got) < clients:
                print(f"  round {r}: only {len(got)}/{clients} clients got the comment")
            latencies += got
            last_client.append(max(got))
            await asyncio.sleep(0.3)
    for ws in sockets:
        await ws.close()
    for t in tasks:
        t.cancel()
    return latencies, last_client


async def redis_fanout(redis_url, clients, rounds):
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
    await asyncio.sleep(1)
    publisher = aioredis.from_url(redis_url)
    latencies, last_client = [], []
    for r in range(rounds):
        started = time.perf_counter()
        await publisher.publish(channel, str(r))
        deadline = time.perf_counter() + 10
        while time.perf_counter() < deadline and not all(r in a for a in arrivals):
            await asyncio.sleep(0.002)
        got = [a[r] - started for a in arrivals if r in a]
        latencies += got
        last_client.append(max(got))
        await asyncio.sleep(0.2)
    for t in tasks:
        t.cancel()
    for client, pubsub in conns:
        await pubsub.aclose()
        await client.aclose()
    await publisher.aclose()
    return latencies, last_client


def report(label, lat, last):
    p50, p99 = percentile(lat, 50) * 1000, percentile(lat, 99) * 1000
    print(
        f"{label:44s} p50 {p50:7.1f} ms  p99 {p99:7.1f} ms  "
        f"(last client: median {statistics.median(last) * 1000:6.1f} ms)"
    )
    return p50, p99


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=1000)
    parser.add_argument("--servers", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    base_db = os.environ.get(
        "DATABASE_URL", "postgres://postgres@127.0.0.1:5432/torget"
    )
    if not base_db.startswith("postgres"):
        sys.exit(
            "bench_fanout needs DATABASE_URL pointing at PostgreSQL "
            "(production profile)"
        )
    redis_url = (
        re.sub(r"/\d+$", "", os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/13"))
        + "/13"
    )
    raise_nofile()
    import redis

    redis.Redis.from_url(redis_url).flushdb()
    tmp = Path(tempfile.mkdtemp(prefix="bench-fanout-"))
    env = clean_env(
        DATABASE_URL=create_database(base_db, DB_NAME),
        REDIS_URL=redis_url,
        CHANNEL_PREFIX="benchfan",
        CACHE_PREFIX="benchfan",
        COMMENT_RATE="100000",
        LOG_LEVEL="WARNING",
        REDIS_POOL_SIZE="100",
    )
    processes = []
    try:
        manage("migrate", "--noinput", env=env)
        out = manage("shell", "-c", SETUP.replace("MEMBERS", "100"), env=env)
        world = json.loads(out.stdout.strip().splitlines()[-1])
        servers = []
        for i in range(args.servers):
            port = free_port()
            proc = Process(
                [
                    sys.executable,
                    "-m",
                    "uvicorn",
                    "deliberation.asgi:application",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(port),
                    "--lifespan",
                    "off",
                    "--ws",
                    "websockets-sansio",
                    "--log-level",
                    "warning",
                    "--backlog",
                    "4096",
                ],
                env,
                tmp / f"uvicorn-{i}.log",
            )
            proc.start()
            processes.append(proc)
            wait_http(f"http://127.0.0.1:{port}/api/v1/units/", proc)
            servers.append(
                {"url": f"http://127.0.0.1:{port}", "ws": f"ws://127.0.0.1:{port}"}
            )
        print(
            f"fan-out of one comment to {args.clients} websocket clients, "
            f"{args.servers} uvicorn processes, Redis pub/sub layer, PostgreSQL, "
            f"{args.rounds} rounds"
        )
        ws_lat, ws_last = asyncio.run(
            websocket_fanout(servers, world, args.clients, args.rounds)
        )
        redis_lat, redis_last = asyncio.run(
            redis_fanout(redis_url, args.clients, args.rounds)
        )
        w50, w99 = report("Torget: POST start → comment.created event", ws_lat, ws_last)
        r50, r99 = report(
            f"bare Redis pub/sub → {args.clients} subscribers", redis_lat, redis_last
        )
        print(
            f"ratio Torget / bare Redis:                  p50 {w50 / r50:5.1f}×   "
            f"p99 {w99 / r99:5.1f}×"
        )
    finally:
        for proc in processes:
            proc.stop()
        drop_database(base_db, DB_NAME)
        redis.Redis.from_url(redis_url).flushdb()


if __name__ == "__main__":
    main()
