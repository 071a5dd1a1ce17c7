"""Benchmark: casting ballots on `make run`'s embedded profile (issue 9, "Figures").

The embedded server (`manage.py runserver_embedded`: one ASGI process, SQLite in WAL
mode, in-memory channel layer, tasks in-process) gets secret ballots at a steady
BENCH_RATE per second (50) for BENCH_SECONDS (60) from BENCH_VOTERS members (100):
each member's first ballot, then replacements with the receipt it got — the full
casting path (roll check, sealing, row lock, turnout event). Baseline in the same run:
the bare `/bench/hello/` view at the same rate on the same server.
Targets: zero "database is locked" (responses and server log), zero failed casts,
cast p99 < 200 ms, and the rate held (≥ 95 % of the requests sent on time); then
participations == voters who cast and sealed ballots == participations.

Run:  .venv/bin/python bench/bench_voting_embedded.py [--seconds 60] [--rate 50]
(or `make bench`). Needs no server installed; uses a temporary DATA_DIR.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import os
import sys
import tempfile
import threading
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import harness
import httpx

from tests.e2e.servers import Process, clean_env, free_port, manage

SECONDS = float(os.environ.get("BENCH_SECONDS", "60"))
RATE = float(os.environ.get("BENCH_RATE", "50"))
VOTERS = int(os.environ.get("BENCH_VOTERS", "100"))


def setup_poll(voters: int) -> tuple[int, list[str]]:
    """In this process, against the same SQLite file: a branch with `voters` members
    (API tokens) and an open secret yes/no advisory poll."""
    from django.utils import timezone
    from rest_framework.authtoken.models import Token

    from tests.factories import MemberFactory, make_tree
    from voting import services

    tree = make_tree()
    members = [MemberFactory(units=[tree["branch"]]) for _ in range(voters)]
    poll = services.create_advisory_poll(
        actor=members[0],
        unit=tree["branch"],
        thread=None,
        question="Ska vi mäta röstningen?",
        method="yes_no_abstain",
        options=None,
        ballot="secret",
        closes=timezone.now() + timedelta(hours=2),
    )
    tokens = [Token.objects.get_or_create(user=m)[0].key for m in members]
    return poll.pk, tokens


def paced(
    n: int, rate: float, send, workers: int = 32
) -> tuple[list[float], list[int], int]:
    """Send n requests at `rate` per second; returns latencies (ms), status codes and
    how many were sent more than 100 ms late (the client could not keep the pace)."""
    latencies: list[float] = []
    codes: list[int] = []
    late = 0
    lock = threading.Lock()

    def one(i: int) -> None:
        t0 = time.perf_counter()
        code = send(i)
        ms = (time.perf_counter() - t0) * 1000
        with lock:
            latencies.append(ms)
            codes.append(code)

    start = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(workers) as pool:
        futures = []
        for i in range(n):
            due = start + i / rate
            wait = due - time.perf_counter()
            if wait > 0:
                time.sleep(wait)
            elif wait < -0.1:
                late += 1
            futures.append(pool.submit(one, i))
        for f in futures:
            f.result()
    return latencies, codes, late


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=SECONDS)
    parser.add_argument("--rate", type=float, default=RATE)
    parser.add_argument("--voters", type=int, default=VOTERS)
    args = parser.parse_args()

    data = Path(tempfile.mkdtemp(prefix="torget-bench-embedded-"))
    env = clean_env(DATA_DIR=str(data), TORGET_BENCH_HELLO="1", LOG_LEVEL="WARNING")
    manage("migrate", "--noinput", env=env)
    harness.use_in_this_process(env)
    poll_id, tokens = setup_poll(args.voters)

    port = free_port()
    log = data / "server.log"
    server = Process(
        [
            sys.executable,
            "manage.py",
            "runserver_embedded",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        env,
        log,
        port=port,
    ).start()
    url = f"http://127.0.0.1:{port}"
    report = harness.Report("bench_voting_embedded")
    try:
        harness.wait_ok(url + harness.HELLO, server)
        n = int(args.seconds * args.rate)
        receipts: dict[int, str] = {}
        locked = 0
        client = httpx.Client(timeout=30, limits=httpx.Limits(max_connections=64))

        def hello(_i: int) -> int:
            return client.get(url + harness.HELLO).status_code

        def cast(i: int) -> int:
            nonlocal locked
            voter = i % len(tokens)
            body: dict = {"choice": ("yes", "no", "abstain")[i % 3]}
            if voter in receipts:
                body["receipt"] = receipts[voter]
            r = client.post(
                f"{url}/api/v1/polls/{poll_id}/ballots/",
                json=body,
                headers={"Authorization": f"Token {tokens[voter]}"},
            )
            if "database is locked" in r.text:
                locked += 1
            if r.status_code == 201:
                receipts[voter] = r.json()["receipt"]
            return r.status_code

        baseline_n = int(min(args.seconds, 10) * args.rate)
        base_lat, base_codes, _ = paced(baseline_n, args.rate, hello)
        print(
            f"baseline hello at {args.rate:g}/s: p50 "
            f"{harness.percentile(base_lat, 50):.1f} ms, p99 "
            f"{harness.percentile(base_lat, 99):.1f} ms"
        )
        t0 = time.perf_counter()
        lat, codes, late = paced(n, args.rate, cast)
        elapsed = time.perf_counter() - t0
        failed = sum(1 for c in codes if c != 201)
        locked += server.output().count("database is locked")
        p50, p99 = harness.percentile(lat, 50), harness.percentile(lat, 99)
        hello99 = harness.percentile(base_lat, 99)
        print(
            f"{n} ballots in {elapsed:.1f} s ({n / elapsed:.1f}/s), "
            f"p50 {p50:.1f} ms, p99 {p99:.1f} ms (hello p99 {hello99:.1f} ms)"
        )
        report.add("cast p99 at the pace", f"{p99:7.1f} ms", p99, 200)
        report.add("'database is locked'", f"{locked:7d}", locked, 1, unit="")
        report.add("failed casts", f"{failed:7d}", failed, 1, unit="")
        report.add(
            "requests sent late (> 100 ms)", f"{late:7d}", late, n * 0.05 + 1, ""
        )

        from voting.models import Participation, PendingBallot

        parts = Participation.objects.filter(poll_id=poll_id).count()
        sealed = PendingBallot.objects.filter(poll_id=poll_id).count()
        print(
            f"participations {parts}, sealed ballots {sealed}, voters who cast "
            f"{len(receipts)}"
        )
        report.add(
            "participations ≠ voters who cast",
            f"{abs(parts - len(receipts)):7d}",
            abs(parts - len(receipts)) + abs(sealed - parts),
            1,
            unit="",
        )
    finally:
        server.stop()
    report.finish()


if __name__ == "__main__":
    main()
