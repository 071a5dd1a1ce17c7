"""The machine's own limits for bench_load.py, measured in the same run: raw Redis
pub/sub round trips and raw PostgreSQL INSERT transactions. (The third baseline,
`/bench/hello/` through the same gunicorn, is Locust's: a step of its own at full
speed, and a task inside every step.)"""

from __future__ import annotations

import statistics
import threading
import time

from harness import percentile


def redis_pubsub(url: str, rounds: int = 2000) -> dict:
    """PUBLISH on one connection, the message received on another, one at a time:
    round trips per second and their p50/p99 (ms)."""
    import redis

    sub = redis.Redis.from_url(url).pubsub(ignore_subscribe_messages=True)
    pub = redis.Redis.from_url(url)
    channel = "bench-load-baseline"
    sub.subscribe(channel)
    for _ in range(20):  # until the subscription is live
        pub.publish(channel, "warm")
        message = sub.get_message(timeout=0.5)
        if message and message["data"] == b"warm":
            break
    times = []
    t_all = time.perf_counter()
    for i in range(rounds):
        t0 = time.perf_counter()
        pub.publish(channel, str(i))
        while True:
            message = sub.get_message(timeout=5.0)
            if message and message["data"] == str(i).encode():
                break
            if message is None:
                raise RuntimeError("raw Redis pub/sub lost a message")
        times.append((time.perf_counter() - t0) * 1000)
    took = time.perf_counter() - t_all
    sub.close()
    pub.close()
    return {
        "per_s": rounds / took,
        "p50": statistics.median(times),
        "p99": percentile(times, 99),
    }


def postgres_inserts(url: str, connections: int = 4, seconds: float = 4.0) -> dict:
    """Single-row INSERT transactions (a comment-sized row) from `connections`
    threads, each its own connection: rows per second and p50/p99 (ms)."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(
            "CREATE TABLE IF NOT EXISTS bench_load_raw (id bigserial PRIMARY KEY, "
            "thread_id bigint, author_id bigint, body text, created timestamptz)"
        )
    body = "Ett inlägg i en tråd, ungefär så långt som ett vanligt kommentarsfält. " * 2
    times: list[list[float]] = [[] for _ in range(connections)]
    start = threading.Barrier(connections)

    def loop(k: int) -> None:
        with psycopg.connect(url, autocommit=True) as conn:
            start.wait()
            deadline = time.perf_counter() + seconds
            while (t0 := time.perf_counter()) < deadline:
                conn.execute(
                    "INSERT INTO bench_load_raw (thread_id, author_id, body, created) "
                    "VALUES (%s, %s, %s, now())",
                    [k, k, body],
                )
                times[k].append((time.perf_counter() - t0) * 1000)

    threads = [threading.Thread(target=loop, args=(k,)) for k in range(connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("DROP TABLE bench_load_raw")
    flat = [x for per in times for x in per]
    return {
        "per_s": len(flat) / seconds,
        "p50": statistics.median(flat),
        "p99": percentile(flat, 99),
        "connections": connections,
    }


def password_check(rounds: int = 3) -> float:
    """One password check with the production hasher, in this process (ms): what
    every real sign-in costs before anything else."""
    from django.contrib.auth.hashers import check_password, make_password

    encoded = make_password("a password of a member")
    times = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        assert check_password("a password of a member", encoded)
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)
