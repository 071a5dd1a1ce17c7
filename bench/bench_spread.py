"""Benchmark: the spread view of a proposal (docs/flat.md, "Ideas climb") with 10,000
supporters from 300 units, page and API, through gunicorn over real HTTP (the
production profile: DEBUG off, PostgreSQL, Redis), each request right after one of
`/bench/hello/` in the same worker. Target: the speed issue's page target, a median
under 10× hello. SQL queries per request are counted in-process. Exits 1 when a
figure misses its target.

Run:  DATABASE_URL=postgres://postgres@127.0.0.1:5432/torget .venv/bin/python bench/bench_spread.py
(or `make bench`). Creates (and drops) its own database `torget_bench_spread`.
Options: BENCH_SUPPORTERS (10000), BENCH_UNITS (300), BENCH_REQUESTS (50).
"""  # noqa: E501

from __future__ import annotations

import os
import sys
import tempfile
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import harness

N_SUPPORTERS = int(os.environ.get("BENCH_SUPPORTERS", "10000"))
N_UNITS = int(os.environ.get("BENCH_UNITS", "300"))
N_REQUESTS = int(os.environ.get("BENCH_REQUESTS", "50"))
BENCH_DB = "torget_bench_spread"
REDIS_DB = int(os.environ.get("BENCH_REDIS_DB", "12"))
TARGET_RATIO = 10.0  # the speed issue's page target: under 10× hello


def create_data():
    """national > 5 districts > 30 municipalities > N_UNITS branches; N_SUPPORTERS
    members spread unevenly over the branches, all supporting one proposal that
    climbed from a branch to its municipality, district and the national level."""
    from django.core.management import call_command
    from django.utils import timezone

    from deliberation.members.models import Member, Membership, UnitKind
    from deliberation.members.services import create_unit
    from proposals.models import Climb, Proposal, State, Support

    call_command("migrate", verbosity=0)
    national = create_unit(name="Partiet", code="nat", kind=UnitKind.NATIONAL)
    branches = []
    for d in range(5):
        district = create_unit(
            name=f"Distrikt {d}", code=f"d{d}", kind=UnitKind.DISTRICT, parent=national
        )
        for m in range(6):
            town = create_unit(
                name=f"Kommun {d}-{m}",
                code=f"m{d}-{m}",
                kind=UnitKind.MUNICIPALITY,
                parent=district,
            )
            for b in range(N_UNITS // 30):
                branches.append(
                    create_unit(
                        name=f"Avdelning {d}-{m}-{b}",
                        code=f"b{d}-{m}-{b}",
                        kind=UnitKind.BRANCH,
                        parent=town,
                    )
                )
    Member.objects.bulk_create(
        [
            Member(username=f"s{i}", full_name=f"Stödjare {i}", password="!")
            for i in range(N_SUPPORTERS + 1)
        ],
        batch_size=2000,
    )
    members = list(Member.objects.order_by("id"))
    viewer, supporters = members[0], members[1:]
    # uneven: a few branches carry many supporters, most a handful
    weights = [1 + (30 if i < 5 else 0) + (i % 7) for i in range(len(branches))]
    total = sum(weights)
    home = []
    for branch, w in zip(branches, weights, strict=True):
        home += [branch] * max(1, round(w * len(supporters) / total))
    home = (home + branches * 2)[: len(supporters)]
    Membership.objects.bulk_create(
        [Membership(member=viewer, unit=branches[0], since=date(2024, 1, 1))]
        + [
            Membership(member=m, unit=u, since=date(2024, 1, 1))
            for m, u in zip(supporters, home, strict=True)
        ],
        batch_size=2000,
    )
    now = timezone.now()
    published = now - timedelta(days=40)
    origin = branches[0]
    path = [origin.parent, origin.parent.parent, national]
    proposal = Proposal.objects.create(
        title="Nattbussar i hela landet",
        unit=national,
        state=State.DISCUSSION,
        published_at=published,
        discussion_started_at=published + timedelta(days=5),
        phase_ends=now + timedelta(days=10),
        support_count=len(supporters),
        support_needed=1000,
        eligible_count=len(members),
    )
    step = timedelta(days=39) / len(supporters)
    Support.objects.bulk_create(
        [
            Support(proposal=proposal, member=m, unit=u, created=published + i * step)
            for i, (m, u) in enumerate(zip(supporters, home, strict=True))
        ],
        batch_size=2000,
    )
    below = [origin, *path[:-1]]
    Climb.objects.bulk_create(
        [
            Climb(
                proposal=proposal,
                from_unit=f,
                to_unit=t,
                at=published + timedelta(days=5 + 10 * i),
                support_count=100 * (i + 1),
                support_needed=100 * (i + 1),
                units=3,
            )
            for i, (f, t) in enumerate(zip(below, path, strict=True))
        ]
    )
    return viewer, proposal


def count_queries(client, url: str, headers: dict | None = None) -> tuple[int, int]:
    from django.db import connection

    client.get(url, headers=headers or {})
    queries = []

    def count(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        resp = client.get(url, headers=headers or {})
    assert resp.status_code == 200, (url, resp.status_code)
    return len(queries), len(resp.content)


def main() -> None:
    import httpx
    import redis

    base = harness.base_database_url()
    redis_url = harness.redis_url(REDIS_DB)
    redis.Redis.from_url(redis_url).flushdb()
    env = harness.production_env(
        harness.create_database(base, BENCH_DB), redis_url, CACHE_PREFIX="benchspread"
    )
    harness.use_in_this_process(env)
    gunicorn = None
    try:
        from django.test import Client
        from rest_framework.authtoken.models import Token

        viewer, proposal = create_data()
        client = Client()
        client.force_login(viewer)
        token = Token.objects.create(user=viewer).key
        auth = {"Authorization": f"Token {token}"}
        rows = [
            ("spread page", f"/proposals/{proposal.pk}/spread/", {}),
            ("spread API", f"/api/v1/proposals/{proposal.pk}/spread/", auth),
        ]
        counts = {url: count_queries(client, url, h) for _l, url, h in rows}
        from django.db import connections

        connections.close_all()
        tmp = Path(tempfile.mkdtemp(prefix="bench-spread-"))
        gunicorn = harness.start_gunicorn(env, tmp / "gunicorn.log")
        http = httpx.Client(
            base_url=gunicorn.url,
            timeout=30,
            headers={"Cookie": f"sessionid={client.cookies['sessionid'].value}"},
        )
        print(
            f"\nOver HTTP through gunicorn (1 sync worker), {N_REQUESTS} requests per "
            f"row, a proposal with {N_SUPPORTERS} supporters from {N_UNITS} units, "
            "PostgreSQL; ratio = median / median of /bench/hello/ in the same worker:"
        )
        report = harness.Report("bench_spread")
        for label, url, headers in rows:
            http.headers.update(headers)
            t = harness.time_http(http, url, N_REQUESTS)
            for key in headers:
                del http.headers[key]
            queries, size = counts[url]
            report.add(
                label,
                f"median {t.median:6.1f} ms  p90 {t.p90:6.1f}  "
                f"hello {t.hello:4.1f} ms  {queries:2d} queries {size:7d} B",
                t.ratio,
                TARGET_RATIO,
                unit="× hello",
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
