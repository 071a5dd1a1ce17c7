"""Benchmark: a secret ranked poll on PostgreSQL (issue 9, "Figures").

1. Result after closing: N sealed secret ballots (10 ranked options, Schulze), from
   the closing time to the stored Result and `poll.closed` received on the channel
   layer (`voting.services.close_poll`, step 1), then step 2, the bulletin
   (`voting.closing.publish_bulletin`), reported separately. Baseline in the same run:
   a bare fetch of the same sealed rows, opened with the same key, and a numpy
   pairwise count. The ballots are sealed in bulk with the service's own functions
   (`voting/sealing.py`: receipt, lookup, `seal`), so the close works on real rows.
2. Casting: ballots per second through `voting.services.cast_ballot` from
   BENCH_CAST_THREADS threads (each its own connection), versus a raw PostgreSQL
   insert loop (one row of a sealed ballot's size per transaction) with 4
   connections, in the same run; then ballots == participations == successful casts.

Run:  DATABASE_URL=postgres://postgres@127.0.0.1:5432/torget .venv/bin/python bench/bench_voting.py [--ballots N]
(or `make bench`). Creates (and drops) the database `torget_bench_voting` on that
server; Redis database BENCH_REDIS_DB (14, as bench_proposals). Exits 1 when a figure misses its target.
Options: --ballots (BENCH_BALLOTS, 100000), BENCH_CAST_SECONDS (8),
BENCH_CAST_THREADS (8).
"""  # noqa: E501

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import sys
import threading
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import harness

BENCH_DB = "torget_bench_voting"
REDIS_DB = int(os.environ.get("BENCH_REDIS_DB", "14"))
OPTIONS = 10
CAST_SECONDS = float(os.environ.get("BENCH_CAST_SECONDS", "8"))
CAST_THREADS = int(os.environ.get("BENCH_CAST_THREADS", "8"))
RAW_CONNECTIONS = 4
HTTP_CLIENTS = int(os.environ.get("BENCH_HTTP_CLIENTS", "50"))
HTTP_WORKERS = int(os.environ.get("BENCH_HTTP_WORKERS", "2"))


class Report(harness.Report):
    """harness.Report with "at least" targets too (a rate against its baseline)."""

    def add_at_least(
        self, label: str, figure: str, value: float, target: float, unit: str = "×"
    ) -> None:
        row = harness.Row(label, figure, value, target, unit)
        row.__class__ = AtLeast
        self.rows.append(row)
        verdict = "OK" if row.ok else "MISSED"
        print(f"  {label:40s} {figure}  (target ≥ {target:g}{unit}) {verdict}")

    def finish(self) -> None:
        missed = [r for r in self.rows if not r.ok]
        if missed:
            print(f"{self.title}: {len(missed)} of {len(self.rows)} figures missed:")
            for r in missed:
                sign = "≥" if isinstance(r, AtLeast) else "<"
                print(
                    f"  {r.label.strip()}: {r.value:.3g} {r.unit}, target {sign} "
                    f"{r.target:g}"
                )
            sys.exit(1)
        print(f"{self.title}: all {len(self.rows)} figures within target")


class AtLeast(harness.Row):
    @property
    def ok(self) -> bool:
        return self.value >= self.target


# ------------------------------------------------------------------ data


def create_members(n: int):
    from datetime import date

    from django.core.management import call_command

    from deliberation.members.models import Member, Membership, UnitKind
    from deliberation.members.services import create_unit

    call_command("migrate", verbosity=0)
    national = create_unit(name="Partiet", code="national", kind=UnitKind.NATIONAL)
    district = create_unit(
        name="Distrikt", code="d1", kind=UnitKind.DISTRICT, parent=national
    )
    municipality = create_unit(
        name="Kommun", code="m1", kind=UnitKind.MUNICIPALITY, parent=district
    )
    branch = create_unit(
        name="Avdelning", code="b1", kind=UnitKind.BRANCH, parent=municipality
    )
    Member.objects.bulk_create(
        [
            Member(username=f"m{i}", full_name=f"Medlem {i}", password="!")
            for i in range(n)
        ],
        batch_size=10_000,
    )
    Membership.objects.bulk_create(
        [
            Membership(member_id=pk, unit=branch, since=date(2024, 1, 1))
            for pk in Member.objects.values_list("id", flat=True)
        ],
        batch_size=10_000,
    )
    return branch, Member.objects.order_by("id").first()


def ranked_poll(branch, actor, title: str):
    from datetime import timedelta

    from django.utils import timezone

    from deliberation.discussions.services.threads import create_thread
    from voting import services

    thread = create_thread(title=title, unit=branch, actor=actor)
    return services.create_advisory_poll(
        actor=actor,
        unit=branch,
        thread=thread,
        question=title,
        method="schulze",
        options=[f"Alternativ {i}" for i in range(OPTIONS)],
        ballot="secret",
        closes=timezone.now() + timedelta(hours=2),
    )


def option_ids(poll) -> list[int]:
    question = poll.questions.get()
    return list(question.options.order_by("position").values_list("id", flat=True))


def seal_ballots(poll, n: int, seed: int = 9) -> None:
    """n participations and n sealed ballots, as cast_ballot stores them (receipt →
    lookup and receipt hash, answers in the compact encoding checked by
    answers.encode, sealed with the poll's key), written in bulk."""
    from django.db import connection, transaction

    from voting import answers as codec
    from voting import sealing
    from voting.models import PendingBallot

    ids = option_ids(poll)
    specs = codec.specs_of(poll.questions.prefetch_related("options"))
    rng = random.Random(seed)
    # Realistic preferences: options with different popularity, noisy rankings.
    weight = {o: rng.random() * 3 for o in ids}
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO voting_participation (poll_id, member_id) "
            "SELECT poll_id, member_id FROM voting_voterroll WHERE poll_id = %s "
            "ORDER BY member_id LIMIT %s",
            [poll.pk, n],
        )
        assert cursor.rowcount == n, (cursor.rowcount, n)
        rows = []
        for k in range(n):
            ranking = sorted(ids, key=lambda o: weight[o] + rng.gauss(0, 1.5))
            if k % 4 == 0:  # a quarter rank only some options
                ranking = ranking[: rng.randint(1, OPTIONS - 1)]
            encoded = (
                codec.encode([{"question": specs[0].id, "ranking": ranking}], specs)
                if k < 100
                else ",".join(map(str, ranking))
            )
            assert k >= 100 or encoded == ",".join(map(str, ranking))
            receipt = sealing.new_receipt()
            lookup = sealing.replacement_lookup(poll.pk, receipt)
            rows.append(
                PendingBallot(
                    id=uuid.uuid4(),
                    poll=poll,
                    lookup=lookup,
                    sealed=sealing.seal(
                        poll,
                        lookup=lookup,
                        receipt_digest=sealing.receipt_hash(receipt),
                        unit=poll.unit_id,
                        answers=encoded,
                    ),
                )
            )
        PendingBallot.objects.bulk_create(rows, batch_size=10_000)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE voting_pendingballot")
        cursor.execute("VACUUM ANALYZE voting_participation")


# ------------------------------------------------------------------ 1. closing


def baseline_count(poll, ids: list[int]) -> tuple[float, dict]:
    """A bare fetch of the sealed rows, opened with the same AES-GCM key, and a numpy
    pairwise count (ballots × options positions, a < b per pair). Independent of
    voting/tally.py and voting/schulze.py."""
    import numpy as np
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM  # noqa: F401
    from django.db import connection

    from voting import sealing

    t0 = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT lookup, sealed FROM voting_pendingballot WHERE poll_id = %s",
            [poll.pk],
        )
        rows = cursor.fetchall()
    t1 = time.perf_counter()
    decrypt = sealing.poll_cipher(poll).decrypt
    prefix = f"torget:{poll.pk}:".encode()
    rankings = []
    for lookup, sealed in rows:
        raw = bytes(sealed)
        plain = decrypt(raw[:12], raw[12:], prefix + lookup.encode())
        rankings.append(plain.rstrip(b" ").rsplit(b"|", 1)[1])
    t2 = time.perf_counter()
    n, m = len(rankings), len(ids)
    flat = np.array(b",".join(rankings).split(b","), dtype=np.int64)
    lengths = np.array([r.count(b",") + 1 for r in rankings], dtype=np.int64)
    column = np.searchsorted(np.array(sorted(ids)), flat)
    row = np.repeat(np.arange(n), lengths)
    place = np.arange(flat.size) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    pos = np.full((n, m), m, dtype=np.int16)
    pos[row, column] = place
    d = np.empty((m, m), dtype=np.int64)
    for a in range(m):
        d[a] = (pos[:, a : a + 1] < pos).sum(axis=0)
    t3 = time.perf_counter()
    sorted_ids = sorted(ids)
    pairwise = {
        sorted_ids[a]: {sorted_ids[b]: int(d[a, b]) for b in range(m) if b != a}
        for a in range(m)
    }
    return t3 - t0, {
        "fetch": t1 - t0,
        "open": t2 - t1,
        "count": t3 - t2,
        "pairwise": pairwise,
        "n": n,
    }


def listen(group: str, ready: threading.Event, got: dict) -> None:
    """Wait for `poll.closed` on the channel layer's thread group (own event loop)."""
    from channels.layers import get_channel_layer

    async def run() -> None:
        layer = get_channel_layer()
        channel = await layer.new_channel()
        await layer.group_add(group, channel)
        ready.set()
        while True:
            message = await asyncio.wait_for(layer.receive(channel), timeout=120)
            if message.get("event", {}).get("type") == "poll.closed":
                got["at"] = time.time()
                got["event"] = message["event"]
                return

    try:
        asyncio.run(run())
    except Exception as exc:  # reported by the caller (no event)
        got["error"] = repr(exc)


def bench_close(report: Report, poll, n: int) -> None:
    from datetime import timedelta

    from django.utils import timezone

    from deliberation.realtime.events import thread_group
    from voting import closing
    from voting.models import BulletinBallot, Poll, Result

    ids = option_ids(poll)
    baselines, parts = [], []
    for _ in range(3):
        seconds, info = baseline_count(poll, ids)
        baselines.append(seconds)
        parts.append(info)
    baseline = statistics.median(baselines)
    info = parts[baselines.index(baseline)]

    ready, got = threading.Event(), {}
    listener = threading.Thread(
        target=listen, args=(thread_group(poll.thread_id), ready, got), daemon=True
    )
    listener.start()
    assert ready.wait(30), "channel layer listener did not start"
    closes = timezone.now() + timedelta(seconds=1)
    Poll.objects.filter(pk=poll.pk).update(closes=closes)
    # The close runs at its moment (a Celery task with that eta in production).
    time.sleep(max(0.0, closes.timestamp() - time.time()))
    result = closing.close_poll(poll=poll.pk)
    done = time.time()
    listener.join(30)
    assert result is not None
    assert "at" in got, f"no poll.closed received: {got}"
    step1 = got["at"] - closes.timestamp()
    step2 = done - got["at"]
    stored = Result.objects.get(poll=poll)
    assert stored.ballots == stored.participations == n, (stored.ballots, n)
    assert got["event"]["data"]["ballots"] == n
    ranked = stored.questions[0]
    same = {
        int(a): {int(b): c for b, c in row.items()}
        for a, row in ranked["pairwise"].items()
    }
    assert same == info["pairwise"], "the close and the baseline count differ"
    assert BulletinBallot.objects.filter(poll=poll).count() == n

    print(
        f"\n1. Result after closing, {n:,} secret ballots, {OPTIONS} ranked options "
        "(Schulze), PostgreSQL, in this process:"
    )
    print(
        f"  baseline (median of 3): {baseline * 1000:.0f} ms = fetch "
        f"{info['fetch'] * 1000:.0f} + open (AES-GCM) {info['open'] * 1000:.0f} + "
        f"numpy pairwise {info['count'] * 1000:.0f}; same pairwise matrix as the "
        "stored Result"
    )
    report.add(
        "closing time → Result + poll.closed",
        f"{step1 * 1000:7.0f} ms",
        step1 * 1000,
        1000,
    )
    report.add(
        "  … against the baseline",
        f"{step1 / baseline:7.2f}× ({baseline * 1000:.0f} ms)",
        step1 / baseline,
        3,
        unit="×",
    )
    print(
        f"  step 2, bulletin published (publish_bulletin): {step2 * 1000:.0f} ms "
        "after poll.closed (no target)"
    )


# ------------------------------------------------------------------ 2. casting


def raw_inserts(url: str, seconds: float, size: int) -> float:
    """Rows per second: RAW_CONNECTIONS connections, each a loop of one INSERT per
    transaction (autocommit) of a row shaped like a sealed ballot."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(
            "CREATE TABLE bench_raw (id uuid PRIMARY KEY, poll_id bigint, "
            "lookup varchar(64), sealed bytea)"
        )
    counts = [0] * RAW_CONNECTIONS
    start = threading.Barrier(RAW_CONNECTIONS + 1)

    def loop(k: int) -> None:
        with psycopg.connect(url, autocommit=True) as conn:
            start.wait()
            end = time.perf_counter() + seconds
            while time.perf_counter() < end:
                conn.execute(
                    "INSERT INTO bench_raw VALUES (%s, %s, %s, %s)",
                    [uuid.uuid4(), 1, uuid.uuid4().hex * 2, os.urandom(size)],
                )
                counts[k] += 1

    threads = [threading.Thread(target=loop, args=(k,)) for k in range(RAW_CONNECTIONS)]
    for t in threads:
        t.start()
    start.wait()
    t0 = time.perf_counter()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - t0
    with psycopg.connect(url, autocommit=True) as conn:
        stored = conn.execute("SELECT count(*) FROM bench_raw").fetchone()[0]
        conn.execute("DROP TABLE bench_raw")
    assert stored == sum(counts)
    return sum(counts) / elapsed


def casts(poll, seconds: float, threads: int) -> tuple[float, list[float], int, int]:
    """cast_ballot from `threads` threads for `seconds`, each cast for another member
    on the roll. → (rate, latencies in ms, casts, errors)."""
    from django.db import connections

    from deliberation.members.models import Member
    from voting.models import VoterRoll
    from voting.services import cast_ballot

    ids = option_ids(poll)
    member_ids = list(
        VoterRoll.objects.filter(poll=poll).values_list("member_id", flat=True)
    )
    random.Random(3).shuffle(member_ids)
    queue = iter(member_ids)
    lock = threading.Lock()
    latencies: list[list[float]] = [[] for _ in range(threads)]
    errors = [0] * threads
    start = threading.Barrier(threads + 1)

    def worker(k: int) -> None:
        rng = random.Random(k)
        try:
            Member.objects.exists()  # open this thread's connection before the clock
            start.wait()
            end = time.perf_counter() + seconds
            while time.perf_counter() < end:
                with lock:
                    member_id = next(queue)
                ranking = rng.sample(ids, len(ids))
                t0 = time.perf_counter()
                try:
                    result = cast_ballot(
                        poll=poll.pk,
                        member=Member(pk=member_id),
                        payload={"ranking": ranking},
                    )
                    assert result.receipt
                except Exception:
                    errors[k] += 1
                    continue
                latencies[k].append((time.perf_counter() - t0) * 1000)
        finally:
            connections.close_all()

    pool = [threading.Thread(target=worker, args=(k,)) for k in range(threads)]
    for t in pool:
        t.start()
    start.wait()
    t0 = time.perf_counter()
    for t in pool:
        t.join()
    elapsed = time.perf_counter() - t0
    flat = [x for per in latencies for x in per]
    return len(flat) / elapsed, flat, len(flat), sum(errors)


def bench_cast(report: Report, poll, database_url: str) -> float:
    from voting.models import Participation, PendingBallot

    poll.refresh_from_db()
    size = poll.sealed_size + 12 + 16
    raw = raw_inserts(database_url, CAST_SECONDS / 2, size)
    rate, latencies, ok, errors = casts(poll, CAST_SECONDS, CAST_THREADS)
    ballots = PendingBallot.objects.filter(poll=poll).count()
    participations = Participation.objects.filter(poll=poll).count()
    print(
        f"\n2. Casting: cast_ballot from {CAST_THREADS} threads (own connections) "
        f"for {CAST_SECONDS:g} s, secret ranked poll, {OPTIONS} options; baseline: "
        f"raw INSERT loop, {RAW_CONNECTIONS} psycopg connections, "
        f"{CAST_SECONDS / 2:g} s, same run:"
    )
    print(
        f"  {ok} ballots cast ({errors} errors): {rate:.0f}/s; raw inserts "
        f"{raw:.0f}/s; latency p50 {harness.percentile(latencies, 50):.1f} ms"
    )
    report.add_at_least(
        "ballots/s against raw inserts",
        f"{rate / raw:7.3f}× ({rate:.0f}/s vs {raw:.0f}/s)",
        rate / raw,
        0.10,
    )
    p99 = harness.percentile(latencies, 99)
    report.add("cast latency p99", f"{p99:7.1f} ms", p99, 150)
    lost = abs(ballots - ok) + abs(participations - ok) + errors
    report.add(
        "ballots == participations == casts",
        f"{ballots} ballots, {participations} participations, {ok} casts",
        lost,
        1,
        unit="lost/doubled/failed",
    )
    return raw


def http_casts(
    poll, env: dict, seconds: float, clients: int
) -> tuple[float, list[float], int, int]:
    """POST /api/v1/polls/{id}/ballots/ through gunicorn (HTTP_WORKERS sync workers,
    the production profile) from `clients` threads, each request with another
    member's token. → (rate, latencies in ms, 201s, other answers)."""
    import tempfile

    import httpx
    from django.db import connections
    from rest_framework.authtoken.models import Token

    from voting.models import VoterRoll

    ids = option_ids(poll)
    member_ids = list(
        VoterRoll.objects.filter(poll=poll)
        .order_by("?")
        .values_list("member_id", flat=True)[: int(seconds * 1000)]
    )
    tokens = Token.objects.bulk_create(
        [Token(key=uuid.uuid4().hex + "00000000", user_id=m) for m in member_ids],
        batch_size=5000,
    )
    connections.close_all()
    keys = iter([t.key for t in tokens])
    lock = threading.Lock()
    latencies: list[list[float]] = [[] for _ in range(clients)]
    errors = [0] * clients
    tmp = Path(tempfile.mkdtemp(prefix="bench-voting-"))
    server = harness.start_gunicorn(env, tmp / "gunicorn.log", workers=HTTP_WORKERS)
    start = threading.Barrier(clients + 1)
    path = f"/api/v1/polls/{poll.pk}/ballots/"

    def client(k: int) -> None:
        rng = random.Random(100 + k)
        with httpx.Client(base_url=server.url, timeout=30) as http:
            http.get(harness.HELLO)
            start.wait()
            end = time.perf_counter() + seconds
            while time.perf_counter() < end:
                with lock:
                    key = next(keys)
                body = {"ranking": rng.sample(ids, len(ids))}
                t0 = time.perf_counter()
                resp = http.post(
                    path, json=body, headers={"Authorization": f"Token {key}"}
                )
                if resp.status_code != 201:
                    errors[k] += 1
                    continue
                latencies[k].append((time.perf_counter() - t0) * 1000)

    try:
        pool = [threading.Thread(target=client, args=(k,)) for k in range(clients)]
        for t in pool:
            t.start()
        start.wait()
        t0 = time.perf_counter()
        for t in pool:
            t.join()
        elapsed = time.perf_counter() - t0
    finally:
        server.stop()
    flat = [x for per in latencies for x in per]
    return len(flat) / elapsed, flat, len(flat), sum(errors)


def bench_http_cast(report: Report, poll, env: dict, raw: float) -> None:
    from voting.models import Participation, PendingBallot

    rate, latencies, ok, errors = http_casts(poll, env, CAST_SECONDS, HTTP_CLIENTS)
    ballots = PendingBallot.objects.filter(poll=poll).count()
    participations = Participation.objects.filter(poll=poll).count()
    print(
        f"\n2b. Casting over HTTP: {HTTP_CLIENTS} client threads → gunicorn "
        f"({HTTP_WORKERS} sync workers, production profile) for {CAST_SECONDS:g} s, "
        "against the same raw-insert baseline:"
    )
    print(
        f"  {ok} ballots cast ({errors} non-201): {rate:.0f}/s; latency p50 "
        f"{harness.percentile(latencies, 50):.1f} ms"
    )
    report.add_at_least(
        "HTTP ballots/s against raw inserts",
        f"{rate / raw:7.3f}× ({rate:.0f}/s vs {raw:.0f}/s)",
        rate / raw,
        0.10,
    )
    p99 = harness.percentile(latencies, 99)
    report.add("HTTP cast latency p99", f"{p99:7.1f} ms", p99, 150)
    lost = abs(ballots - ok) + abs(participations - ok) + errors
    report.add(
        "HTTP ballots == participations == 201s",
        f"{ballots} ballots, {participations} participations, {ok} casts",
        lost,
        1,
        unit="lost/doubled/failed",
    )


# ------------------------------------------------------------------ main


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--ballots", type=int, default=int(os.environ.get("BENCH_BALLOTS", "100000"))
    )
    n = parser.parse_args().ballots
    import redis

    started = time.perf_counter()
    base = harness.base_database_url()
    redis_url = harness.redis_url(REDIS_DB)
    redis.Redis.from_url(redis_url).flushdb()
    database_url = harness.create_database(base, BENCH_DB)
    env = harness.production_env(
        database_url, redis_url, CACHE_PREFIX="benchvote", CHANNEL_PREFIX="benchvote"
    )
    harness.use_in_this_process(env)
    try:
        t0 = time.perf_counter()
        roll = max(n, int(CAST_SECONDS * 2000))
        branch, actor = create_members(roll)
        closing_poll = ranked_poll(branch, actor, "Vilket alternativ väljer vi?")
        seal_ballots(closing_poll, n)
        cast_poll = ranked_poll(branch, actor, "Och vilket väljer vi nu?")
        http_poll = ranked_poll(branch, actor, "Och över HTTP, då?")
        print(
            f"{roll:,} members, {n:,} sealed ballots in "
            f"{time.perf_counter() - t0:.1f} s; load average "
            f"{' '.join(f'{x:.1f}' for x in os.getloadavg())} on "
            f"{os.cpu_count()} cores (a shared, loaded machine: absolute times move "
            "with load; the ratios are measured in the same run)"
        )
        report = Report("bench_voting")
        bench_close(report, closing_poll, n)
        raw = bench_cast(report, cast_poll, database_url)
        bench_http_cast(report, http_poll, env, raw)
        print(
            f"  load average at the end "
            f"{' '.join(f'{x:.1f}' for x in os.getloadavg())}; total "
            f"{time.perf_counter() - started:.0f} s"
        )
        report.finish()
    finally:
        from django.db import connections

        connections.close_all()
        harness.drop_database(base, BENCH_DB)
        redis.Redis.from_url(redis_url).flushdb()


if __name__ == "__main__":
    main()
