"""Benchmark: the first page of a thread with 5,000 comments.

Creates a throw-away test database (PostgreSQL when DATABASE_URL is set, else SQLite),
a thread of 5,000 comments (1,000 top-level comments with 4 replies each, reactions,
a few hidden and deleted), then renders the thread page (/threads/{id}/) and the
comments API (/api/v1/threads/{id}/comments/) in-process with Django's test client:
prints the median and p90 time and the number of SQL queries. The test database is
dropped at the end.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/torget \
        .venv/bin/python bench/bench_thread.py
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "deliberation.settings")
os.environ.setdefault("TORGET_TESTING", "1")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

N_ROOTS, REPLIES, RUNS = 1000, 4, 30


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
        m = Member.objects.create_user(username=f"bench{i}", password="x")
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


def measure(client, url):
    for _ in range(3):
        assert client.get(url).status_code == 200
    times = []
    for _ in range(RUNS):
        t0 = time.perf_counter()
        resp = client.get(url)
        times.append((time.perf_counter() - t0) * 1000)
        assert resp.status_code == 200
    with CaptureQueriesContext(connection) as ctx:
        client.get(url)
    times.sort()
    return (
        statistics.median(times),
        times[int(len(times) * 0.9)],
        len(ctx.captured_queries),
    )


def main():
    # No setup_test_environment(): it instruments every template render (the test
    # client then copies the context for each include), which production never does.
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        t0 = time.perf_counter()
        thread, viewer, n = build()
        print(
            f"built a thread of {n} comments in {time.perf_counter() - t0:.1f} s "
            f"({connection.vendor})"
        )
        client = Client()
        client.force_login(viewer)
        for label, url in [
            ("thread page  /threads/{id}/", f"/threads/{thread.pk}/"),
            ("arguments    ?view=arguments", f"/threads/{thread.pk}/?view=arguments"),
            (
                "API comments /api/v1/threads/{id}/comments/",
                f"/api/v1/threads/{thread.pk}/comments/",
            ),
        ]:
            median, p90, queries = measure(client, url)
            print(
                f"{label:48s} median {median:6.1f} ms  p90 {p90:6.1f} ms  "
                f"{queries} queries"
            )
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
