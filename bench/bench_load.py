"""Benchmark: a scripted member day at party scale (issue 15, "Load"), the production
profile under Locust.

1. Prepares a database: `fill_party` (100,000 members, 10,000 proposals, 1,000,000
   comments, closed polls; `--small` for its small size) when the command exists, else
   a smaller party of its own (bench/load_data.py); then the simulated members
   (password, token), 20 hot threads and 4 open polls (3 secret, 1 open).
2. Starts the production profile's processes on free ports, as bench/harness.py does:
   gunicorn (sync workers) for HTTP, 2 uvicorn for /ws/, a Celery worker, PostgreSQL
   and Redis, DEBUG off.
3. Baselines in the same run: raw PostgreSQL INSERT transactions (4 connections), raw
   Redis pub/sub round trips, and `/bench/hello/` through the same gunicorn at full
   speed (a Locust step of its own, and a task inside every step).
4. 1,000 websocket watchers (bench/load_watchers.py) on the hot threads, then Locust
   headless (bench/load_locust.py): members sign in on the login page, browse the
   front page, the proposal list, proposals, threads, search, support, comment; the
   user count steps up to find where it saturates; then a voting peak. psutil samples
   every process group's CPU (bench/load_resources.py).
5. Prints per step and endpoint rps, p50/p95/p99 and failures, the watchers'
   deliveries (none lost), what saturated first, and the figures next to their
   baselines. Exits 1 on any failed request, any lost delivery, a p95 ≥ 200 ms at the
   target load (`--target-users`, the first step by default), or no step within it.

Run:  DATABASE_URL=postgres://postgres@127.0.0.1:5432/torget .venv/bin/python bench/bench_load.py [--small]
(`make bench` runs it too; `make install-bench` installs Locust). Creates (and drops,
unless --keep) the database `torget_bench_load`; Redis database BENCH_REDIS_DB (13).
The load generators run on the same machine as the servers: their CPU is reported.
"""  # noqa: E501

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import harness
import load_baselines
import load_data
import load_report
from load_resources import Sampler

BENCH_DB = "torget_bench_load"
REDIS_DB = int(os.environ.get("BENCH_REDIS_DB", "13"))
HERE = Path(__file__).resolve().parent


def parse() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--small", action="store_true", help="a small fill, a quick run")
    p.add_argument("--own-fill", action="store_true", help="not fill_party")
    p.add_argument("--steps", default="5,10,20,40,80", help="users per step")
    p.add_argument("--step-seconds", type=float, default=25)
    p.add_argument("--voting-users", type=int, default=0, help="0: the 2nd step's")
    p.add_argument("--target-users", type=int, default=0, help="0: the 1st step's")
    p.add_argument("--watchers", type=int, default=1000)
    p.add_argument("--web-workers", type=int, default=3)
    p.add_argument("--keep", action="store_true", help="keep the database")
    p.add_argument("--reuse", action="store_true", help="a kept database, no fill")
    return p.parse_args()


def database(base: str, reuse: bool) -> tuple[str, bool]:
    """The benchmark's database URL, and whether it is already filled."""
    import psycopg

    prefix, _ = base.rsplit("/", 1)
    if reuse:
        with psycopg.connect(f"{prefix}/postgres", autocommit=True) as conn:
            found = conn.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", [BENCH_DB]
            ).fetchone()
        if found:
            return f"{prefix}/{BENCH_DB}", True
    return harness.create_database(base, BENCH_DB), False


def start_servers(env: dict, tmp: Path, workers: int) -> dict:
    gunicorn = harness.start_gunicorn(
        env, tmp / "gunicorn.log", workers=workers, config=True
    )
    uvicorns = [harness.start_uvicorn(env, tmp / f"uvicorn{i}.log") for i in (1, 2)]
    celery = harness.Process(
        [
            sys.executable,
            *("-m", "celery", "-A", "deliberation", "worker", "--pool", "prefork"),
            *("--concurrency", "2", "-l", "info", "--without-gossip"),
            *("--without-mingle", "--without-heartbeat"),
        ],
        env,
        tmp / "celery.log",
    ).start()
    return {"gunicorn": gunicorn, "uvicorn": uvicorns, "celery": celery}


def start_watchers(config: dict, tmp: Path) -> tuple[subprocess.Popen, dict]:
    (tmp / "watchers.json").write_text(json.dumps(config))
    proc = subprocess.Popen(
        [
            sys.executable,
            str(HERE / "load_watchers.py"),
            str(tmp / "watchers.json"),
            str(tmp / "watched.json"),
        ],
        stdout=subprocess.PIPE,
        stderr=open(tmp / "watchers.log", "w"),  # noqa: SIM115 (lives with the process)
        text=True,
        start_new_session=True,
    )
    line = proc.stdout.readline() if proc.stdout else ""
    if not line:
        raise RuntimeError(
            f"the watchers did not connect:\n{(tmp / 'watchers.log').read_text()}"
        )
    return proc, json.loads(line)


def run_locust(plan: dict, tmp: Path, timeout: float, sampler: Sampler) -> dict:
    (tmp / "plan.json").write_text(json.dumps(plan))
    proc = subprocess.Popen(
        [
            sys.executable,
            str(HERE / "load_locust.py"),
            str(tmp / "plan.json"),
            str(tmp / "locust.json"),
        ],
        stderr=open(tmp / "locust.log", "w"),  # noqa: SIM115 (closed with the process)
        start_new_session=True,
    )
    sampler.roots["locust (load generator)"] = [proc.pid]
    try:
        code = proc.wait(timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        raise
    if code != 0:
        raise RuntimeError(f"locust failed:\n{(tmp / 'locust.log').read_text()}")
    return json.loads((tmp / "locust.json").read_text())


def steps_of(args: argparse.Namespace) -> list[dict]:
    """The hello baseline, the voting peak, then the member day stepping up (users
    only grow from the peak on, so a saturated step is the last)."""
    users = [int(u) for u in args.steps.split(",")]
    voting = args.voting_users or users[min(1, len(users) - 1)]
    steps = [{"users": 20, "seconds": 10, "phase": "hello"}]
    steps.append({"users": voting, "seconds": args.step_seconds, "phase": "voting"})
    steps += [{"users": n, "seconds": args.step_seconds, "phase": "day"} for n in users]
    return steps


def main() -> None:
    import redis

    args = parse()
    steps = steps_of(args)
    base = harness.base_database_url()
    redis_url = harness.redis_url(REDIS_DB)
    redis.Redis.from_url(redis_url).flushdb()
    db_url, filled = database(base, args.reuse)
    env = harness.production_env(
        db_url,
        redis_url,
        CELERY_BROKER_URL=redis_url,
        CACHE_PREFIX="benchload",
        CHANNEL_PREFIX="benchload",
        SESSION_COOKIE_SECURE="0",  # plain HTTP on loopback, no TLS proxy
        CSRF_COOKIE_SECURE="0",
        LOG_FORMAT="text",
    )
    harness.use_in_this_process(env)
    tmp = Path(tempfile.mkdtemp(prefix="bench-load-"))
    servers: dict = {}
    watchers = None
    try:
        from django.core.management import call_command
        from django.db import connections

        call_command("migrate", verbosity=0)
        how = "a kept database (--reuse)"
        if not filled:
            how = load_data.fill(small=args.small, own=args.own_fill)
        counts = load_report.database_counts()
        plan = load_data.prepare(
            users=max(s["users"] for s in steps), watchers=args.watchers
        )
        # Opening the 4 national polls queued their "poll opened" notifications to
        # every member (4 × the party: bench_notifications.py measures that fan-out).
        # The worker is not started yet; those tasks are dropped so that it works for
        # the day measured here (its comments, supports and ballots) only.
        broker = redis.Redis.from_url(redis_url)
        print(f"  dropped {broker.llen('celery')} queued poll-opening tasks")
        broker.delete("celery")
        servers = start_servers(env, tmp, args.web_workers)
        plan["host"] = servers["gunicorn"].url
        plan["steps"] = steps
        plan["stop_p95"] = 5 * load_report.TARGET_P95
        connections.close_all()
        print("baselines (same run, before the load):")
        raw_pg = load_baselines.postgres_inserts(db_url)
        raw_redis = load_baselines.redis_pubsub(redis_url)
        raw_pg["password_ms"] = load_baselines.password_check()
        print(
            f"  raw PostgreSQL INSERT: {raw_pg['per_s']:,.0f} rows/s on "
            f"{raw_pg['connections']} connections (p50 {raw_pg['p50']:.2f} ms); raw "
            f"Redis pub/sub: {raw_redis['per_s']:,.0f} round trips/s, p50 "
            f"{raw_redis['p50']:.2f} ms, p99 {raw_redis['p99']:.2f} ms; one password "
            f"check (PBKDF2) in-process: {raw_pg['password_ms']:.0f} ms"
        )
        roots = {
            f"gunicorn ({args.web_workers} sync workers)": [
                servers["gunicorn"].proc.pid
            ],
            "uvicorn (2 processes)": [u.proc.pid for u in servers["uvicorn"]],
            "celery worker (2 processes)": [servers["celery"].proc.pid],
        }
        sampler = Sampler(roots, BENCH_DB).start()
        watchers, ready = start_watchers(
            {
                "ws": [u.ws for u in servers["uvicorn"]],
                "threads": plan["hot_threads"],
                "tokens": plan["watcher_tokens"],
            },
            tmp,
        )
        sampler.roots["watchers (load generator)"] = [watchers.pid]
        print(
            f"{ready['ready']} websocket watchers connected in {ready['seconds']:.1f} s"
        )
        budget = sum(s["seconds"] + 125 for s in steps) + 60
        print(f"Locust: steps {[(s['users'], s['phase']) for s in steps]}")
        result = run_locust(plan, tmp, budget, sampler)
        time.sleep(5)  # deliveries in flight reach the watchers
        os.killpg(watchers.pid, signal.SIGTERM)
        watchers.wait(30)
        watched = json.loads((tmp / "watched.json").read_text())
        sampler.stop()
        failed = load_report.report(
            result=result,
            watched=watched,
            sampler=sampler,
            raw_pg=raw_pg,
            raw_redis=raw_redis,
            target_users=args.target_users or int(args.steps.split(",")[0]),
            counts=counts,
            how=how,
            celery_log=(tmp / "celery.log").read_text(errors="replace"),
        )
    finally:
        if watchers is not None and watchers.poll() is None:
            os.killpg(watchers.pid, signal.SIGKILL)
        for server in [servers.get("gunicorn"), *servers.get("uvicorn", [])]:
            if server is not None:
                server.stop()
        if servers.get("celery"):
            servers["celery"].stop()
        from django.db import connections

        connections.close_all()
        if not args.keep:
            harness.drop_database(base, BENCH_DB)
        redis.Redis.from_url(redis_url).flushdb()
        print(f"logs in {tmp}")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
