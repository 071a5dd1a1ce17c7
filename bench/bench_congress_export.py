"""Benchmark: the congress exports (issue 12, "Exports of 1,000 items complete
(streamed, not held whole in memory), in under 10 s").

1,000 items of two clauses each (with member results and roll-call votes of 20
delegates) are written in bulk; then `GET /api/v1/congresses/{id}/export.csv` and
`export.json` are downloaded whole over HTTP from gunicorn (one sync worker, the
production profile), each timed to the last byte, with the peak memory of the
worker before and after. Baseline in the same run: a bare psycopg fetch of the same
rows (items, proposals, units, clauses and the roll-call counts in one query) written
with `csv.writer` into memory in this process.

Run:  DATABASE_URL=postgres://postgres@127.0.0.1:5432/torget .venv/bin/python bench/bench_congress_export.py [--items N]
(or `make bench`). Creates (and drops) the database `torget_bench_congress`; Redis
database BENCH_REDIS_DB (12). Exits 1 when a figure misses its target.
"""  # noqa: E501

from __future__ import annotations

import argparse
import csv
import io
import os
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import harness

BENCH_DB = "torget_bench_congress"
REDIS_DB = int(os.environ.get("BENCH_REDIS_DB", "12"))
TARGET_S = 10.0
DELEGATES = 20


def create_items(n: int):
    from django.core.management import call_command
    from django.utils import timezone
    from rest_framework.authtoken.models import Token

    call_command("migrate", verbosity=0)
    from congress.models import (
        Congress,
        CongressItem,
        Delegate,
        DelegateVote,
        ItemClause,
        Route,
    )
    from deliberation.members.models import Member, UnitKind
    from deliberation.members.services import add_membership, create_unit
    from proposals.models import Proposal

    national = create_unit(name="Partiet", code="national", kind=UnitKind.NATIONAL)
    district = create_unit(
        name="Distriktet", code="d1", kind=UnitKind.DISTRICT, parent=national
    )
    member = Member.objects.create_user(username="bench", password="bench-pass-1")
    add_membership(member=member, unit=district)
    now = timezone.now()
    congress = Congress.objects.create(
        name="Benchkongressen",
        starts=timezone.localdate(),
        ends=timezone.localdate() + timedelta(days=1),
        window_opens=now - timedelta(days=30),
        items_deadline=now + timedelta(days=1),
    )
    proposals = Proposal.objects.bulk_create(
        [
            Proposal(
                title=f"Förslag nummer {i} om något viktigt, med ”citat”, och komma",
                body="Motivering.",
                clauses=["att göra a", "att göra b"],
                unit=national,
                state="adopted",
                published_at=now,
                closed_at=now,
            )
            for i in range(n)
        ]
    )
    items = CongressItem.objects.bulk_create(
        [
            CongressItem(
                congress=congress,
                proposal=p,
                route=Route.ADOPTED,
                eligible=10_000,
                participations=4_000 + i,
                turnout=round((4_000 + i) / 10_000, 4),
                margin=0.2,
            )
            for i, p in enumerate(proposals)
        ]
    )
    clauses = ItemClause.objects.bulk_create(
        [
            ItemClause(
                item=item,
                number=k,
                text=f"att göra {'ab'[k - 1]}",
                member_yes=2_500,
                member_no=1_400,
                member_abstain=100,
                member_outcome="adopted",
            )
            for item in items
            for k in (1, 2)
        ]
    )
    delegates = []
    for d in range(DELEGATES):
        m = Member.objects.create(username=f"delegate{d}", password="!")
        add_membership(member=m, unit=district)
        delegates.append(
            Delegate.objects.create(
                congress=congress, member=m, unit=district, chosen="vald"
            )
        )
    DelegateVote.objects.bulk_create(
        [
            DelegateVote(clause=c, delegate=d, vote=("yes", "no", "abstain")[i % 3])
            for c in clauses
            for i, d in enumerate(delegates)
        ],
        batch_size=5_000,
    )
    return congress, Token.objects.create(user=member).key


BASELINE_SQL = """
    SELECT i.id, p.id, p.title, u.name, i.route, c.number, c.text, c.member_yes,
           c.member_no, c.member_abstain, c.member_outcome, i.turnout,
           i.participations, i.eligible,
           COUNT(v.id) FILTER (WHERE v.vote = 'yes'),
           COUNT(v.id) FILTER (WHERE v.vote = 'no'),
           COUNT(v.id) FILTER (WHERE v.vote = 'abstain'),
           c.decision, i.decision, i.followup_status
    FROM congress_congressitem i
    JOIN proposals_proposal p ON p.id = i.proposal_id
    JOIN members_unit u ON u.id = p.unit_id
    JOIN congress_itemclause c ON c.item_id = i.id
    LEFT JOIN congress_delegatevote v ON v.clause_id = c.id
    WHERE i.congress_id = %s
    GROUP BY i.id, p.id, u.name, c.id
    ORDER BY i.id, c.number
"""


def baseline(database_url: str, congress_id: int) -> tuple[float, int]:
    import psycopg

    t0 = time.perf_counter()
    with psycopg.connect(database_url) as conn:
        rows = conn.execute(BASELINE_SQL, [congress_id]).fetchall()
    out = io.StringIO()
    writer = csv.writer(out)
    for row in rows:
        writer.writerow(row)
    return time.perf_counter() - t0, len(rows)


def download(client, path: str) -> tuple[float, int]:
    t0 = time.perf_counter()
    size = 0
    with client.stream("GET", path) as resp:
        resp.raise_for_status()
        for chunk in resp.iter_bytes():
            size += len(chunk)
    return time.perf_counter() - t0, size


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--items", type=int, default=1000)
    n = parser.parse_args().items
    import httpx
    import redis

    base = harness.base_database_url()
    redis_url = harness.redis_url(REDIS_DB)
    database_url = harness.create_database(base, BENCH_DB)
    env = harness.production_env(
        database_url,
        redis_url,
        CACHE_PREFIX="benchcongress",
        CHANNEL_PREFIX="benchcongress",
    )
    harness.use_in_this_process(env)
    try:
        t0 = time.perf_counter()
        congress, token = create_items(n)
        print(
            f"{n:,} items ({2 * n:,} clauses, {2 * n * DELEGATES:,} delegate votes) in "
            f"{time.perf_counter() - t0:.1f} s; load average "
            f"{' '.join(f'{x:.1f}' for x in os.getloadavg())} on {os.cpu_count()} cores"
        )
        base_s, base_rows = baseline(database_url, congress.pk)
        print(
            f"  baseline: bare SQL fetch + csv.writer, {base_rows:,} rows: "
            f"{base_s * 1000:.0f} ms"
        )
        report = harness.Report("bench_congress_export")
        with tempfile.TemporaryDirectory() as tmp:
            server = harness.start_gunicorn(env, Path(tmp) / "gunicorn.log")
            try:
                headers = {"Authorization": f"Token {token}"}
                with httpx.Client(
                    base_url=server.url, headers=headers, timeout=60
                ) as client:
                    for kind in ("csv", "json"):
                        path = f"/api/v1/congresses/{congress.pk}/export.{kind}"
                        download(client, path)  # warm: imports, connection
                        seconds, size = download(client, path)
                        report.add(
                            f"export.{kind}, {n:,} items",
                            f"{seconds:.2f} s, {size / 1024:.0f} KiB, "
                            f"{seconds / base_s:.1f}× baseline",
                            seconds,
                            TARGET_S,
                            unit="s",
                        )
                pid = server.proc.pid
                children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
                peak = max((rss_kib(int(c)) for c in children), default=0)
                print(f"  gunicorn worker peak memory (VmHWM): {peak / 1024:.0f} MiB")
            finally:
                server.stop()
        report.finish()
    finally:
        from django.db import connections

        connections.close_all()
        harness.drop_database(base, BENCH_DB)
        redis.Redis.from_url(redis_url).flushdb()


if __name__ == "__main__":
    main()
