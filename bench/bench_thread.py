"""Benchmark: the first page of a thread with 5,000 comments, through gunicorn over
real HTTP (the production profile: DEBUG off, PostgreSQL, Redis).

Creates its own database `torget_bench_thread`, a thread of 5,000 comments (1,000
top-level comments with 4 replies each, reactions, a few hidden and deleted), starts one
gunicorn worker and times the thread page (/threads/{id}/), the arguments view and the
comments API, each request right after one of `/bench/hello/` (a bare Django JSON view
in the same worker): median, p90 and the ratio to hello. SQL queries are counted
in-process. Exits 1 when a figure misses its target.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/torget .venv/bin/python bench/bench_thread.py
"""  # noqa: E501

from __future__ import annotations

import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import harness

N_ROOTS, REPLIES, RUNS = 1000, 4, 30
BENCH_DB = "torget_bench_thread"
REDIS_DB = 14


def build():
    from django.utils import timezone

    from deliberation.discussions.models import Comment, Stance, Thread
    from deliberation.discussions.services import create_thread, render_comment
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
    members = []
    for i in range(50):
        m = Member.objects.create(username=f"bench{i}", password="!")
        add_membership(member=m, unit=parent)
        members.append(m)
    thread = create_thread(
        title="Five thousand comments", unit=parent, actor=members[0]
    )
    rng = random.Random(7)
    stances = list(Stance.values)
    start = timezone.now() - timezone.timedelta(days=10)
    bodies = [
        f"Comment number {i} with **some** Markdown and a [link](https://example.org/{i})."
        for i in range(20)
    ]
    htmls = [render_comment(b, []) for b in bodies]

    def comment(i, **kw):
        k = rng.randrange(20)
        counts = {"like": rng.randrange(5), "agree": rng.randrange(3)}
        return Comment(
            thread=thread,
            author=rng.choice(members),
            stance=rng.choice(stances),
            body=bodies[k],
            body_html=htmls[k],
            seq=i + 1,
            created=start + timezone.timedelta(seconds=i * 60),
            reaction_counts=counts,
            reaction_total=sum(counts.values()),
            hidden=(i % 97 == 0),
            deleted=(start if i % 89 == 0 else None),
            **kw,
        )

    roots = Comment.objects.bulk_create([comment(i) for i in range(N_ROOTS)])
    replies = []
    n = N_ROOTS
    for root in roots:
        for _ in range(REPLIES):
            replies.append(comment(n, parent=root, root=root, depth=1))
            n += 1
    Comment.objects.bulk_create(replies)
    Thread.objects.filter(pk=thread.pk).update(comment_count=n, last_seq=n)
    return thread, members[1], n


def count_queries(client, url: str) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def main():
    import httpx
    import redis

    base = harness.base_database_url()
    redis_url = harness.redis_url(REDIS_DB)
    redis.Redis.from_url(redis_url).flushdb()
    env = harness.production_env(
        harness.create_database(base, BENCH_DB), redis_url, CACHE_PREFIX="benchthr"
    )
    harness.use_in_this_process(env)
    gunicorn = None
    try:
        from django.core.management import call_command
        from django.db import connection, connections
        from django.test import Client
        from rest_framework.authtoken.models import Token

        call_command("migrate", verbosity=0)
        t0 = time.perf_counter()
        thread, viewer, n = build()
        print(
            f"built a thread of {n} comments in {time.perf_counter() - t0:.1f} s "
            f"({connection.vendor})"
        )
        client = Client()
        client.force_login(viewer)
        token = Token.objects.create(user=viewer).key
        rows = [
            ("thread page  /threads/{id}/", f"/threads/{thread.pk}/", 100),
            (
                "arguments    ?view=arguments",
                f"/threads/{thread.pk}/?view=arguments",
                100,
            ),
            ("comments API", f"/api/v1/threads/{thread.pk}/comments/", 50),
        ]
        counts = {url: count_queries(client, url) for _l, url, _t in rows}
        connections.close_all()
        tmp = Path(tempfile.mkdtemp(prefix="bench-thread-"))
        gunicorn = harness.start_gunicorn(env, tmp / "gunicorn.log")
        http = httpx.Client(
            base_url=gunicorn.url,
            timeout=30,
            headers={"Cookie": f"sessionid={client.cookies['sessionid'].value}"},
        )
        print(
            f"Over HTTP through gunicorn (1 sync worker), {RUNS} requests per row; "
            "ratio = median / median of /bench/hello/ in the same worker:"
        )
        report = harness.Report("bench_thread")
        for label, url, target in rows:
            api = "/api/" in url
            if api:
                http.headers["Authorization"] = f"Token {token}"
            t = harness.time_http(http, url, RUNS, warm=3)
            http.headers.pop("Authorization", None)
            report.add(
                label,
                f"median {t.median:6.1f} ms  p90 {t.p90:6.1f}  {t.ratio:4.1f}× hello "
                f"({t.hello:.1f} ms)  {counts[url]} queries",
                t.median,
                target,
            )
        report.finish()
    finally:
        if gunicorn is not None:
            gunicorn.stop()
        from django.db import connections

        connections.close_all()
        harness.drop_database(base, BENCH_DB)
        redis.Redis.from_url(redis_url).flushdb()


if __name__ == "__main__":
    main()
