"""Benchmark: proposal list (API and page) and full-text search over 10,000 proposals,
through gunicorn over real HTTP (the production profile: DEBUG off, PostgreSQL, Redis).

Run:  DATABASE_URL=postgres://postgres@127.0.0.1:5432/torget .venv/bin/python bench/bench_proposals.py
(or `make bench`). It creates (and drops) its own database `torget_bench` on that
server, bulk-inserts the data, starts one gunicorn worker and times each URL over HTTP,
each request right after one of `/bench/hello/` (a bare Django JSON view in the same
worker), so every row also prints its ratio to the machine. The SQL queries per request
are counted in-process. Exits 1 when a figure misses its target.
Options: BENCH_PROPOSALS (10000), BENCH_REQUESTS (50).
"""  # noqa: E501

from __future__ import annotations

import itertools
import os
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import harness

N_PROPOSALS = int(os.environ.get("BENCH_PROPOSALS", "10000"))
N_REQUESTS = int(os.environ.get("BENCH_REQUESTS", "50"))
BENCH_DB = "torget_bench"
REDIS_DB = 14

SV = [
    "cykelbanor",
    "kollektivtrafik",
    "skola",
    "bostäder",
    "vård",
    "klimat",
    "solceller",
    "hyror",
    "bibliotek",
    "fritidsgårdar",
    "pensioner",
    "skatt",
    "äldreomsorg",
    "parker",
    "förskola",
    "arbetstid",
    "demokrati",
    "energi",
    "tåg",
    "bussar",
    "vatten",
    "kultur",
]
EN = [
    "bicycles",
    "transport",
    "schools",
    "housing",
    "healthcare",
    "climate",
    "solar",
    "rents",
    "libraries",
    "youth",
    "pensions",
    "taxes",
    "elderly",
    "parks",
    "childcare",
    "workweek",
    "democracy",
    "energy",
    "railways",
    "buses",
    "water",
    "culture",
]
SYLLABLES = [
    "ka",
    "lo",
    "mi",
    "ner",
    "sta",
    "vik",
    "ber",
    "gan",
    "tor",
    "ul",
    "es",
    "rin",
    "ham",
    "sko",
    "pel",
    "dra",
    "fun",
    "lis",
    "mo",
    "tek",
]
FILLER = ["".join(parts) for parts in itertools.product(SYLLABLES, repeat=3)]
random.Random(7).shuffle(FILLER)
FILLER = FILLER[:3000]
VERBS_SV = ["Fler", "Bättre", "Billigare", "Gratis", "Trygga", "Nya", "Öppna"]
VERBS_EN = ["More", "Better", "Cheaper", "Free", "Safer", "New", "Open"]


def create_data():
    from datetime import date, timedelta

    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from deliberation.members.models import Member, Membership, UnitKind
    from deliberation.members.services import create_unit
    from proposals.models import Proposal, ProposalAuthor, State, Topic
    from proposals.search import refresh_search_vector

    call_command("migrate", verbosity=0)
    rng = random.Random(2026)
    national = create_unit(name="Partiet", code="national", kind=UnitKind.NATIONAL)
    units = [national]
    for d in range(3):
        district = create_unit(
            name=f"Distrikt {d}", code=f"d{d}", kind=UnitKind.DISTRICT, parent=national
        )
        units.append(district)
        for m in range(2):
            muni = create_unit(
                name=f"Kommun {d}{m}",
                code=f"m{d}{m}",
                kind=UnitKind.MUNICIPALITY,
                parent=district,
            )
            units.append(muni)
            for b in range(2):
                units.append(
                    create_unit(
                        name=f"Avdelning {d}{m}{b}",
                        code=f"b{d}{m}{b}",
                        kind=UnitKind.BRANCH,
                        parent=muni,
                    )
                )
    branches = [u for u in units if u.kind == UnitKind.BRANCH]
    Member.objects.bulk_create(
        [
            Member(username=f"m{i}", full_name=f"Medlem {i}", password="!")
            for i in range(1000)
        ]
    )
    members = list(Member.objects.order_by("id"))
    Membership.objects.bulk_create(
        [
            Membership(
                member=m, unit=branches[i % len(branches)], since=date(2024, 1, 1)
            )
            for i, m in enumerate(members)
        ]
    )
    topics = Topic.objects.bulk_create(
        [Topic(name=f"Ämne {i}", slug=f"t{i}") for i in range(8)]
    )
    states = (
        [State.GATHERING_SUPPORT] * 5
        + [State.DISCUSSION] * 2
        + [
            State.FROZEN,
            State.VOTING,
            State.ADOPTED,
            State.REJECTED,
            State.EXPIRED,
            State.DRAFT,
        ]
    )
    now = timezone.now()
    rows = []
    for i in range(N_PROPOSALS):
        swedish = i % 2 == 0
        words = SV if swedish else EN
        topic_word = rng.choice(words)
        places = (
            ["staden", "kommunen", "regionen"]
            if swedish
            else ["the city", "the region", "our towns"]
        )
        title = (
            f"{rng.choice(VERBS_SV if swedish else VERBS_EN)} {topic_word} "
            f"{'i' if swedish else 'in'} {rng.choice(places)} #{i}"
        )
        # 80 words: two topical ones, the rest from a 3,000-word vocabulary, so a
        # search term matches a realistic share of proposals (a few percent).
        body = " ".join(
            [*rng.sample(words, 2), *(rng.choice(FILLER) for _ in range(78))]
        )
        state = rng.choice(states)
        rows.append(
            Proposal(
                title=title,
                body=body,
                body_html=f"<p>{body}</p>",
                clauses=[
                    f"att partiet verkar för {topic_word}"
                    if swedish
                    else f"that the party works for {topic_word}"
                ],
                unit=rng.choice(units),
                state=state,
                support_count=rng.randint(0, 120),
                support_needed=rng.randint(5, 120),
                eligible_count=1000,
                created=now - timedelta(minutes=i),
                published_at=None
                if state == State.DRAFT
                else now - timedelta(minutes=i),
                phase_ends=now + timedelta(hours=rng.randint(1, 900)),
            )
        )
    t0 = time.perf_counter()
    Proposal.objects.bulk_create(rows, batch_size=2000)
    proposals = list(Proposal.objects.values_list("id", flat=True))
    ProposalAuthor.objects.bulk_create(
        [
            ProposalAuthor(
                proposal_id=pid,
                member=members[j % len(members)],
                is_creator=True,
                accepted_at=now,
            )
            for j, pid in enumerate(proposals)
        ],
        batch_size=5000,
    )
    through = Proposal.topics.through
    through.objects.bulk_create(
        [
            through(proposal_id=pid, topic_id=topics[j % 8].pk)
            for j, pid in enumerate(proposals)
        ],
        batch_size=5000,
    )
    refresh_search_vector(Proposal.objects.all())
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    print(f"inserted {N_PROPOSALS} proposals in {time.perf_counter() - t0:.1f} s")
    return members[0]


def count_queries(client, url: str) -> tuple[int, int]:
    """SQL queries and response size of one in-process request (DEBUG off)."""
    from django.db import connection

    client.get(url)
    queries = []

    def count(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        resp = client.get(url)
    assert resp.status_code == 200, (url, resp.status_code)
    return len(queries), len(resp.content)


ROWS = [
    # label, url, target for the median over HTTP (ms)
    ("list API, page of 25", "/api/v1/proposals/?page_size=25", 30),
    ("list API, page of 5", "/api/v1/proposals/?page_size=5", 30),
    ("list API, most supported", "/api/v1/proposals/?ordering=most_supported", 30),
    ("list API, state + unit filter", "/api/v1/proposals/?state=discussion&unit=2", 30),
    ("list page, 25", "/proposals/?page_size=25", 30),
    ("list page, 5", "/proposals/?page_size=5", 30),
    ("search API 'cykelbanor' (sv)", "/api/v1/proposals/?q=cykelbanor", 50),
    ("search API 'cykelbana' (stem)", "/api/v1/proposals/?q=cykelbana", 50),
    ("search API 'railways' (en)", "/api/v1/proposals/?q=railways", 50),
    ("search API 'solar energy'", "/api/v1/proposals/?q=solar%20energy", 50),
    ("search page 'bostäder'", "/proposals/?q=bost%C3%A4der", 50),
    # any word of a draft title, ranked (bench titles repeat a lot, so ~2,000 of the
    # 10,000 match here)
    (
        "similar while writing",
        "/api/v1/proposals/similar/?q=Fler%20cykelbanor%20i%20staden",
        80,
    ),
]


def main() -> None:
    import httpx
    import redis

    base = harness.base_database_url()
    redis_url = harness.redis_url(REDIS_DB)
    redis.Redis.from_url(redis_url).flushdb()
    env = harness.production_env(
        harness.create_database(base, BENCH_DB), redis_url, CACHE_PREFIX="benchprop"
    )
    harness.use_in_this_process(env)
    gunicorn = None
    try:
        from django.test import Client
        from rest_framework.authtoken.models import Token

        viewer = create_data()
        client = Client()
        client.force_login(viewer)
        token = Token.objects.create(user=viewer).key
        counts = {url: count_queries(client, url) for _l, url, _t in ROWS}
        from django.db import connections

        connections.close_all()
        tmp = Path(tempfile.mkdtemp(prefix="bench-proposals-"))
        gunicorn = harness.start_gunicorn(env, tmp / "gunicorn.log")
        http = httpx.Client(
            base_url=gunicorn.url,
            timeout=30,
            headers={"Cookie": f"sessionid={client.cookies['sessionid'].value}"},
        )
        print(
            f"\nOver HTTP through gunicorn (1 sync worker), {N_REQUESTS} requests per "
            f"row, {N_PROPOSALS} proposals, PostgreSQL; ratio = median / median of "
            "/bench/hello/ in the same worker:"
        )
        report = harness.Report("bench_proposals")
        hellos = []
        for label, url, target in ROWS:
            headers = {"Authorization": f"Token {token}"} if "/api/" in url else {}
            http.headers.update(headers)
            t = harness.time_http(http, url, N_REQUESTS)
            for key in headers:
                del http.headers[key]
            hellos.append(t.hello)
            queries, size = counts[url]
            report.add(
                label,
                f"median {t.median:6.1f} ms  p90 {t.p90:6.1f}  {t.ratio:4.1f}× hello  "
                f"{queries:2d} queries {size:7d} B",
                t.median,
                target,
            )
        lo, hi = min(hellos), max(hellos)
        print(f"  /bench/hello/ median over the run: {lo:.1f}–{hi:.1f} ms")
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
