"""Benchmark: notifications (issue 11, "Figures"), production profile (PostgreSQL,
Redis broker, real Celery worker processes, a real SMTP server).

1. Fan-out: one `proposal_new` event to N followers (default 100,000) of a unit, from
   the commit of the publish to the moment all N in-app notifications exist, with
   BENCH_WORKERS Celery worker processes (prefork, concurrency 1 each) — next to a
   PostgreSQL COPY of N rows of the same shape into a scratch table in the same run
   (target: ≤ 4×). Also: tasks used (≤ 1 per 500 recipients, + 1 fan-out task) and
   duplicates (target 0).
2. E-mails per second to a local SMTP server (aiosmtpd in this process): one event to
   BENCH_EMAILS followers who chose e-mail at once.
3. The daily digest for N members (each with two notifications on `daily`): the beat
   tick is run until everything is sent, the tasks go to the workers; total time,
   tasks used, and the longest time one tick takes to hand out its batches (how long
   it holds the queue: live notifications pass in between).

Run:  DATABASE_URL=postgres://postgres@127.0.0.1:5432/torget .venv/bin/python bench/bench_notifications.py [--followers N]
Creates (and drops) the database `torget_bench_notify`; Redis database
BENCH_REDIS_DB (12). Exits 1 when a figure misses its target.
"""  # noqa: E501

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import harness

BENCH_DB = "torget_bench_notify"
REDIS_DB = int(os.environ.get("BENCH_REDIS_DB", "12"))
WORKERS = int(os.environ.get("BENCH_WORKERS", "2"))
EMAILS = int(os.environ.get("BENCH_EMAILS", "2000"))


def create_world(n: int):
    from django.core.management import call_command
    from django.utils import timezone

    from deliberation.members.models import Member, Membership, UnitKind
    from deliberation.members.services import create_unit

    call_command("migrate", verbosity=0)
    national = create_unit(name="Partiet", code="national", kind=UnitKind.NATIONAL)
    district = create_unit(
        name="Distrikt", code="d1", kind=UnitKind.DISTRICT, parent=national
    )
    town = create_unit(
        name="Kommun", code="m1", kind=UnitKind.MUNICIPALITY, parent=district
    )
    branch = create_unit(name="Avdelning", code="b1", kind=UnitKind.BRANCH, parent=town)
    other = create_unit(name="Annan", code="b2", kind=UnitKind.BRANCH, parent=town)
    today = timezone.localdate()
    Member.objects.bulk_create(
        [
            Member(username=f"m{i}", email=f"m{i}@example.org", password="!")
            for i in range(n)
        ],
        batch_size=10_000,
    )
    members = list(Member.objects.values_list("pk", flat=True))
    Membership.objects.bulk_create(
        [Membership(member_id=m, unit=branch, since=today) for m in members],
        batch_size=10_000,
    )
    author = Member.objects.create(username="author", email="a@example.org")
    Membership.objects.create(member=author, unit=branch, since=today)
    Membership.objects.create(member=author, unit=other, since=today)
    return branch, other, author, members


def follow_all(unit, ids: list[int]) -> None:
    from deliberation.notifications.models import Follow

    Follow.objects.bulk_create(
        [Follow(member_id=m, target_kind="unit", target_id=unit.pk) for m in ids],
        batch_size=10_000,
    )


def copy_baseline(n: int) -> float:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(
            "CREATE TABLE bench_copy (id bigserial primary key, recipient_id bigint, "
            "event_id bigint, kind varchar(40), channel varchar(8), "
            "created timestamptz, read timestamptz, emailed timestamptz, "
            "UNIQUE (recipient_id, event_id))"
        )
        rows = "".join(
            f"{i}\t1\tproposal_new\tin_app\t2026-01-01 00:00:00+00\n" for i in range(n)
        )
        t0 = time.perf_counter()
        with cur.copy(
            "COPY bench_copy (recipient_id, event_id, kind, channel, created) "
            "FROM STDIN"
        ) as copy:
            copy.write(rows)
        connection.commit() if not connection.get_autocommit() else None
        took = time.perf_counter() - t0
        cur.execute("DROP TABLE bench_copy")
    return took


def start_workers(env: dict, tmp: Path, queue: str) -> list:
    workers = []
    for i in range(WORKERS):
        argv = [sys.executable, "-m", "celery", "-A", "deliberation", "worker"]
        argv += [
            "--pool",
            "prefork",
            "--concurrency",
            "1",
            "-Q",
            queue,
            "-n",
            f"w{i}@%h",
        ]
        argv += [
            "-l",
            "warning",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ]
        workers.append(harness.Process(argv, env, tmp / f"worker{i}.log").start())
    time.sleep(6)  # the workers boot (Django setup) before the clock starts
    return workers


def publish(unit, author, title: str):
    from proposals import services

    return services.create_proposal(
        actor=author, title=title, clauses=["att vi"], unit=unit, publish=True
    )


def wait_for(predicate, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def bench_fanout(report, branch, author, n: int, copy_s: float) -> None:
    from django.db import transaction
    from django.db.models import Count

    from deliberation.notifications.models import Notification, NotificationEvent

    committed = {}
    with transaction.atomic():
        publish(branch, author, "Ett förslag till hundratusen")
        transaction.on_commit(lambda: committed.setdefault("t", time.perf_counter()))
    event = NotificationEvent.objects.get(kind="proposal_new")
    ok = wait_for(lambda: Notification.objects.filter(event=event).count() >= n, 600)
    took = time.perf_counter() - committed["t"]
    dupes = (
        Notification.objects.filter(event=event)
        .values("recipient_id")
        .annotate(c=Count("id"))
        .filter(c__gt=1)
        .count()
    )
    chunks = -(-n // 500)
    print(f"  fan-out {n:,}: {took:.1f} s (COPY {copy_s:.2f} s), complete={ok}")
    report.add(
        "fan-out to followers vs COPY", f"{took / copy_s:.1f}×", took / copy_s, 4.0, "×"
    )
    report.add("fan-out: seconds", f"{took:.1f} s", took, 60.0, "s")
    report.add("fan-out: duplicates", f"{dupes}", dupes, 0.5, "")
    report.add(
        "fan-out: tasks (chunk tasks + 1)",
        f"{chunks + 1}",
        chunks + 1,
        n / 500 + 1.5,
        "",
    )


def bench_email(report, other, author, smtp) -> None:
    from deliberation.members.models import Member
    from deliberation.notifications.models import NotificationPreference

    ids = list(
        Member.objects.exclude(pk=author.pk).values_list("pk", flat=True)[:EMAILS]
    )
    follow_all(other, ids)
    NotificationPreference.objects.bulk_create(
        [
            NotificationPreference(member_id=m, kind="proposal_new", channel="email")
            for m in ids
        ]
    )
    t0 = time.perf_counter()
    publish(other, author, "Ett förslag per e-post")
    ok = wait_for(lambda: len(smtp.messages) >= EMAILS, 600)
    took = time.perf_counter() - t0
    rate = len(smtp.messages) / took
    print(f"  {len(smtp.messages):,} e-mails in {took:.1f} s, complete={ok}")
    report.add("e-mails per second (1/rate)", f"{rate:.0f}/s", 1000 / rate, 50.0, "ms")


def bench_digest(report, n: int, smtp) -> None:
    from datetime import timedelta

    from django.conf import settings
    from django.utils import timezone

    from deliberation.notifications import digest
    from deliberation.notifications.models import Notification
    from deliberation.notifications.tasks import send_digests

    settings.NOTIFICATION_DIGEST_SPREAD = 1  # all due now: the worst case
    before = len(smtp.messages)
    # every member's fan-out notification (and the e-mail one) goes to the daily digest
    Notification.objects.update(
        channel="daily", emailed=None, created=timezone.now() - timedelta(days=2)
    )
    members = Notification.objects.values("recipient_id").distinct().count()
    t0 = time.perf_counter()
    ticks, tasks, longest = 0, 0, 0.0
    while Notification.objects.filter(channel="daily", emailed__isnull=True).exists():
        s = time.perf_counter()
        batches = digest.plan_tick()
        for channel, ids in batches:
            send_digests.apply_async(args=[channel, ids])
        longest = max(longest, time.perf_counter() - s)
        ticks, tasks = ticks + 1, tasks + len(batches)
        if time.perf_counter() - t0 > float(os.environ.get("BENCH_DIGEST_MAX", "600")):
            break
        time.sleep(2)  # the beat ticks every minute; here as soon as it can
    took = time.perf_counter() - t0
    sent = len(smtp.messages) - before
    left = Notification.objects.filter(channel="daily", emailed__isnull=True)
    left_members = left.values("recipient_id").distinct().count()
    done = members - left_members
    print(f"  digests sent to {done:,} of {members:,} members ({done / took:.0f}/s)")
    print(
        f"  digest for {members:,} members: {took:.0f} s, {tasks} tasks over {ticks} "
        f"ticks, {sent:,} e-mails, longest tick {longest * 1000:.0f} ms"
    )
    report.add(
        "digest: longest tick holds the queue",
        f"{longest * 1000:.0f} ms",
        longest * 1000,
        2000,
    )
    report.add(
        "digest: tasks per 200 members",
        f"{tasks / (members / 200):.2f}",
        tasks / (members / 200),
        1.5,
        "",
    )


def bench_badge(report, branch, env: dict, tmp: Path, rounds: int) -> None:
    """Commit of a reply → `notification.created` on the recipient's open socket
    (uvicorn, Redis pub/sub layer, the Celery workers in between)."""
    import asyncio
    import threading

    import websockets
    from django.db import transaction
    from rest_framework.authtoken.models import Token

    from deliberation.discussions.services import create_thread, post_comment
    from deliberation.members.models import Member

    recipient = Member.objects.create(username="badge", email="badge@example.org")
    replier = Member.objects.create(username="replier", email="r@example.org")
    for m in (recipient, replier):
        m.memberships.create(unit=branch)
    thread = create_thread(title="Märket", unit=branch, actor=recipient)
    mine = post_comment(thread=thread, author=recipient, body="Svara mig")
    token = Token.objects.create(user=recipient).key
    server = harness.start_uvicorn(env, tmp / "uvicorn.log")
    arrivals: list[float] = []
    ready = threading.Event()

    async def listen() -> None:
        url = f"{server.ws}/ws/notifications/?token={token}"
        async with websockets.connect(url, ping_interval=None) as ws:
            ready.set()
            async for raw in ws:
                if '"notification.created"' in raw:
                    arrivals.append(time.perf_counter())

    loop = asyncio.new_event_loop()
    threading.Thread(
        target=loop.run_until_complete, args=(listen(),), daemon=True
    ).start()
    ready.wait(30)
    latencies: list[float] = []
    try:
        for i in range(rounds + 1):
            committed: dict[str, float] = {}
            with transaction.atomic():
                post_comment(
                    thread=thread,
                    author=replier,
                    body=f"Svar {i}",
                    parent=mine,
                    enforce_rate=False,
                )
                transaction.on_commit(
                    lambda c=committed: c.setdefault("t", time.perf_counter())
                )
            got = wait_for(lambda n=i: len(arrivals) > n, 10)
            if i:  # the first round warms up
                latencies.append(
                    (arrivals[i] - committed["t"]) * 1000 if got else float("inf")
                )
            time.sleep(0.2)
    finally:
        server.stop()
    p50 = harness.percentile(latencies, 50)
    p99 = harness.percentile(latencies, 99)
    print(
        f"  live badge over {len(latencies)} replies: "
        f"p50 {p50:.0f} ms, p99 {p99:.0f} ms"
    )
    report.add("live badge: commit → socket, p50", f"{p50:.0f} ms", p50, 500)
    report.add("live badge: commit → socket, p99", f"{p99:.0f} ms", p99, 2000)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--followers",
        type=int,
        default=int(os.environ.get("BENCH_FOLLOWERS", "100000")),
    )
    parser.add_argument("--no-digest", action="store_true")
    parser.add_argument("--badge-rounds", type=int, default=50)
    args = parser.parse_args()
    n = args.followers
    import tempfile

    import redis

    from tests.smtp import SMTPServer

    base = harness.base_database_url()
    redis_url = harness.redis_url(REDIS_DB)
    redis.Redis.from_url(redis_url).flushdb()
    database_url = harness.create_database(base, BENCH_DB)
    smtp = SMTPServer().start()
    queue = "bench-notify"
    env = harness.production_env(
        database_url,
        redis_url,
        CELERY_BROKER_URL=redis_url,
        CELERY_QUEUE=queue,
        CACHE_PREFIX="benchnotify",
        CHANNEL_PREFIX="benchnotify",
        EMAIL_URL=f"smtp://127.0.0.1:{smtp.port}",
    )
    harness.use_in_this_process(env)
    tmp = Path(tempfile.mkdtemp(prefix="bench-notify-"))
    workers = []
    try:
        t0 = time.perf_counter()
        branch, other, author, members = create_world(n)
        follow_all(branch, members)
        print(
            f"{n:,} members following a unit in {time.perf_counter() - t0:.0f} s; "
            f"{WORKERS} worker processes; load average "
            f"{' '.join(f'{x:.1f}' for x in os.getloadavg())} on {os.cpu_count()} cores"
        )
        copy_s = copy_baseline(n)
        workers = start_workers(env, tmp, queue)
        report = harness.Report("bench_notifications")
        bench_badge(report, branch, env, tmp, args.badge_rounds)
        bench_fanout(report, branch, author, n, copy_s)
        bench_email(report, other, author, smtp)
        if not args.no_digest:
            bench_digest(report, n, smtp)
        report.finish()
    finally:
        for w in workers:
            w.stop()
        smtp.stop()
        from django.db import connections

        connections.close_all()
        harness.drop_database(base, BENCH_DB)


if __name__ == "__main__":
    main()
