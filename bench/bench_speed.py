"""Benchmark of the speed issue: pages and posts next to what the machine can do.

gunicorn as the production profile runs it (deploy/gunicorn.conf.py, 2 sync workers,
DEBUG off, PostgreSQL, Redis cache and Celery broker — no Celery worker runs, so a
POST pays for enqueuing its tasks, not for running them) serves the data set of
bench/speed_data.py. Every GET row is timed one request at a time over real HTTP,
each request between two of `/bench/hello/` (a bare Django JSON view behind the same
middleware in the same workers, routed only with TORGET_BENCH_HELLO, sent without
cookie or token); the rows take turns, so drift on a shared machine hits them alike.
A row's ratio is its median over the median of the hellos just before and after its
requests. SQL queries are counted in-process (CaptureQueriesContext) on the same data.
The comment POST runs 8 client processes as 8 different members for `--seconds`, next
to 8 clients of hello for as long just before and just after; every 201 must be stored
exactly once. `COMMENT_RATE` is raised for the run (a setting, as any operator may) so
the rate limit is paid for but does not refuse.

Prints a table and exits 1 when a row misses its target.

    .venv/bin/python bench/bench_speed.py [--rows thread,post] [--runs 40] [--seconds 5]

Rows: thread, thread-size, comments, proposals, proposals-api, proposal, post.
PostgreSQL from DATABASE_URL (its server; the database is created and dropped:
`<name of TEST_DATABASE_URL, else torget>_bench_speed`), Redis from TEST_REDIS_URL,
else REDIS_URL's server, db 13 (only this run's keys are touched).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import re
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

sys.path.insert(0, str(Path(__file__).resolve().parent))

import harness
import speed_data

CLIENTS = 8


@dataclass
class Target:
    key: str
    label: str
    ratio: float  # ≤ for GET rows (× hello), ≥ for the POST (× hello throughput)
    queries: int | None = None


TARGETS = [
    Target("thread", "thread page, 2,000 comments (20 roots + 80 replies)", 10, 10),
    Target("thread-size", "thread page, same page, 2,000 vs 20 comments", 1.5),
    Target("comments", "comments API, first page", 8),
    Target("proposals", "proposal list page /proposals/, 10,000", 10),
    Target("proposals-api", "proposal list API /api/v1/proposals/", 8),
    Target("proposal", "proposal page (discussion, revisions, 10 comments)", 10, 12),
    Target("post", "comment POST, 8 clients, 8 members", 0.3),
]
ROW_KEYS = [t.key for t in TARGETS]


def names() -> tuple[str, str, str]:
    """(database name, Redis URL, key prefix) of this checkout's run."""
    test_db = urlparse(os.environ.get("TEST_DATABASE_URL", "")).path.strip("/")
    db = f"{test_db or 'torget'}_bench_speed"
    redis = os.environ.get("TEST_REDIS_URL") or harness.redis_url(13)
    return db, redis, "benchspeed_" + re.sub(r"\W", "_", db)


# --- one request at a time ----------------------------------------------------------


@dataclass
class Series:
    key: str
    url: str
    headers: dict[str, str]
    samples: list[float]
    hellos: list[float]

    @property
    def median(self) -> float:
        return statistics.median(self.samples)

    @property
    def p90(self) -> float:
        return harness.percentile(self.samples, 90)

    @property
    def hello(self) -> float:
        return statistics.median(self.hellos)


def time_in_turn(http, series: list[Series], runs: int, warm: int = 4) -> None:
    """`runs` rounds; in each, every series gets one GET right after a hello. Each
    series keeps the hellos just before and just after its requests."""

    def get(url: str, headers: dict[str, str]) -> float:
        t0 = time.perf_counter()
        resp = http.get(url, headers=headers)
        elapsed = (time.perf_counter() - t0) * 1000
        assert resp.status_code == 200, (url, resp.status_code)
        return elapsed

    for s in series:
        for _ in range(warm):
            get(s.url, s.headers)
            get(harness.HELLO, {})
    previous = get(harness.HELLO, {})
    for _ in range(runs):
        for s in series:
            s.samples.append(get(s.url, s.headers))
            after = get(harness.HELLO, {})
            s.hellos += [previous, after]
            previous = after


def count_queries(client, url: str, headers: dict[str, str]) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url, headers=headers)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url, headers=headers).status_code == 200, url
    return len(ctx.captured_queries)


# --- 8 clients at once --------------------------------------------------------------


def _client(url, requests, start_at, stop_at, out) -> None:
    """One client process: `requests` is a list of (method, path, headers, body),
    sent in turn until `stop_at`. Counts answers that arrive before `stop_at`."""
    import http.client

    parsed = urlparse(url)
    conn = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=30)
    ok = created = 0
    errors: dict[str, int] = {}
    time.sleep(max(0.0, start_at - time.time()))
    i = 0
    while time.time() < stop_at:
        method, path, headers, body = requests[i % len(requests)]
        i += 1
        try:
            conn.request(method, path, body=body, headers=headers)
            resp = conn.getresponse()
            resp.read()
            status = resp.status
        except OSError as exc:
            conn.close()
            errors[type(exc).__name__] = errors.get(type(exc).__name__, 0) + 1
            continue
        if status == 201:
            created += 1
        if status in (200, 201):
            ok += time.time() <= stop_at
        else:
            errors[str(status)] = errors.get(str(status), 0) + 1
    out.put({"ok": ok, "created": created, "errors": errors})


def load(url: str, per_client: list[list], seconds: float) -> dict:
    """One process per entry of `per_client`, all started together; the rate is the
    answers within the window over its length."""
    ctx = multiprocessing.get_context("fork")
    out = ctx.Queue()
    start_at = time.time() + 0.5
    stop_at = start_at + seconds
    procs = [
        ctx.Process(target=_client, args=(url, reqs, start_at, stop_at, out))
        for reqs in per_client
    ]
    for p in procs:
        p.start()
    results = [out.get(timeout=seconds + 60) for _ in procs]
    for p in procs:
        p.join()
    errors: dict[str, int] = {}
    for r in results:
        for k, v in r["errors"].items():
            errors[k] = errors.get(k, 0) + v
    return {
        "rate": sum(r["ok"] for r in results) / seconds,
        "created": sum(r["created"] for r in results),
        "errors": errors,
    }


def post_requests(thread_id: int, token: str, roots: list[int], k: int) -> list:
    """Client k's posts: top-level comments and replies to the first page's roots."""
    headers = {"Authorization": f"Token {token}", "Content-Type": "application/json"}
    path = f"/api/v1/threads/{thread_id}/comments/"
    requests = []
    for i in range(40):
        body = {
            "body": f"Inlägg {k}-{i} med **Markdown** och en [länk](https://example.org/).",
            "stance": ["for", "against", "question", "neutral"][i % 4],
            "parent": roots[(k + i) % len(roots)] if i % 2 else None,
        }
        requests.append(("POST", path, headers, json.dumps(body)))
    return requests


def profile_rows(directory, series, page_client, in_process, world, posters) -> None:
    from speed_profile import profile

    for s in series:
        client = page_client if "Cookie" in s.headers else in_process
        headers = {} if "Cookie" in s.headers else s.headers
        profile(
            directory,
            s.key,
            lambda c=client, u=s.url, h=headers: c.get(u, headers=h),
        )
    if posters:
        profile(
            directory,
            "post",
            lambda: in_process.post(
                f"/api/v1/threads/{world.post_thread}/comments/",
                {"body": "profiled", "stance": "for"},
                content_type="application/json",
                headers={"Authorization": f"Token {posters[1]}"},
            ),
        )


# --- the run ------------------------------------------------------------------------


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--rows",
        default=",".join(ROW_KEYS),
        help=f"comma-separated, of: {', '.join(ROW_KEYS)} (default: all)",
    )
    parser.add_argument("--runs", type=int, default=40, help="requests per GET row")
    parser.add_argument(
        "--seconds", type=float, default=5, help="each phase of the POST row"
    )
    parser.add_argument(
        "--profile",
        type=Path,
        metavar="DIR",
        help="also profile each row in-process with pyinstrument into DIR",
    )
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="keep the database afterwards and reuse a kept one (skips the build)",
    )
    args = parser.parse_args()
    args.rows = [r.strip() for r in args.rows.split(",") if r.strip()]
    unknown = set(args.rows) - set(ROW_KEYS)
    if unknown:
        parser.error(f"unknown rows: {', '.join(sorted(unknown))}")
    return args


def main() -> None:
    args = parse_args()
    import redis
    from speed_report import print_table

    db_name, redis_url, prefix = names()
    base = harness.base_database_url()
    tmp = Path(tempfile.mkdtemp(prefix="bench-speed-"))
    (tmp / "metrics").mkdir()
    database_url = (
        base.rsplit("/", 1)[0] + f"/{db_name}"
        if args.reuse and database_exists(base, db_name)
        else harness.create_database(base, db_name)
    )
    env = harness.production_env(
        database_url,
        redis_url,
        CACHE_PREFIX=prefix,
        CHANNEL_PREFIX=prefix,
        CELERY_BROKER_URL=redis_url,
        CELERY_QUEUE=prefix,
        COMMENT_RATE="1000000",
        PROMETHEUS_MULTIPROC_DIR=str(tmp / "metrics"),
    )
    harness.use_in_this_process(env)
    servers: list[harness.Server] = []
    try:
        measured = run(args, env, tmp, servers)
    finally:
        for server in servers:
            server.stop()
        from django.db import connections

        connections.close_all()
        if not args.reuse:
            harness.drop_database(base, db_name)
        shutil.rmtree(tmp, ignore_errors=True)
        r = redis.Redis.from_url(redis_url)
        for key in [*r.scan_iter(f"*{prefix}*"), prefix]:  # + kombu bindings
            r.delete(key)
    sys.exit(0 if print_table(TARGETS, measured, args) else 1)


def database_exists(base: str, name: str) -> bool:
    import psycopg

    with psycopg.connect(base.rsplit("/", 1)[0] + "/postgres") as conn:
        row = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        return row.fetchone() is not None


def prepare():
    """The data set: a kept one (`--reuse`, migrated to this checkout) or new."""
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    world = speed_data.load_world()
    if world is not None:
        print("reusing the kept data set")
        return world
    t0 = time.perf_counter()
    world = speed_data.build()
    speed_data.save_world(world)
    print(f"built the data set in {time.perf_counter() - t0:.1f} s")
    return world


def run(args, env, tmp: Path, servers: list) -> dict:
    import httpx
    from django.db import connections
    from django.test import Client
    from rest_framework.authtoken.models import Token

    from deliberation.discussions.models import Comment
    from deliberation.members.models import Member

    world = prepare()
    page_client = Client()
    page_client.force_login(Member.objects.get(pk=world.viewer))
    token = Token.objects.get_or_create(user_id=world.viewer)[0].key
    page = {"Cookie": f"sessionid={page_client.cookies['sessionid'].value}"}
    api = {"Authorization": f"Token {token}"}
    urls = {
        "thread": (f"/threads/{world.big_thread}/", page),
        "thread-small": (f"/threads/{world.small_thread}/", page),
        "comments": (f"/api/v1/threads/{world.big_thread}/comments/", api),
        "proposals": ("/proposals/", page),
        "proposals-api": ("/api/v1/proposals/", api),
        "proposal": (f"/proposals/{world.proposal}/", page),
    }
    wanted = [k for k in urls if k in args.rows]
    if "thread-size" in args.rows:
        wanted += [k for k in ("thread", "thread-small") if k not in wanted]
    measured: dict = {}
    series = [Series(k, *urls[k], [], []) for k in urls if k in wanted]
    in_process = Client()
    for s in series:
        client = page_client if "Cookie" in s.headers else in_process
        headers = {} if "Cookie" in s.headers else s.headers
        measured[f"{s.key}:queries"] = count_queries(client, s.url, headers)
    posters = [Token.objects.get_or_create(user_id=m)[0].key for m in world.posters]
    if "post" in args.rows:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        def post():
            resp = in_process.post(
                f"/api/v1/threads/{world.post_thread}/comments/",
                {"body": "counted", "stance": "for"},
                content_type="application/json",
                headers={"Authorization": f"Token {posters[0]}"},
            )
            assert resp.status_code == 201, resp.content

        post()  # the first request of a process warms caches
        with CaptureQueriesContext(connection) as ctx:
            post()
        measured["post:queries"] = len(ctx.captured_queries)
    if args.profile:
        chosen = posters if "post" in args.rows else []
        profile_rows(args.profile, series, page_client, in_process, world, chosen)
    stored_before = Comment.objects.filter(thread_id=world.post_thread).count()
    connections.close_all()
    gunicorn = harness.start_gunicorn(env, tmp / "gunicorn.log", workers=2, config=True)
    servers.append(gunicorn)
    print(
        f"gunicorn (2 sync workers, deploy/gunicorn.conf.py) on {gunicorn.url}; "
        f"{args.runs} requests per row; load average "
        + " ".join(f"{x:.1f}" for x in os.getloadavg())
    )
    with httpx.Client(base_url=gunicorn.url, timeout=30) as http:
        time_in_turn(http, series, args.runs)
    for s in series:
        measured[s.key] = s
    if "post" in args.rows:
        hello = [[("GET", harness.HELLO, {}, None)]] * CLIENTS
        before = load(gunicorn.url, hello, args.seconds)
        posts = load(
            gunicorn.url,
            [
                post_requests(world.post_thread, posters[k], world.post_roots, k)
                for k in range(CLIENTS)
            ],
            args.seconds,
        )
        after = load(gunicorn.url, hello, args.seconds)
        stored = Comment.objects.filter(thread_id=world.post_thread).count()
        connections.close_all()
        measured["post"] = {
            "hello_before": before,
            "hello_after": after,
            "posts": posts,
            "stored": stored - stored_before,
        }
    print(f"load average after: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    return measured


if __name__ == "__main__":
    main()
