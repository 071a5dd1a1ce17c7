"""The production profile through a PostgreSQL restart: a member posts comments and
voters cast secret ballots through gunicorn while the database (a private server,
tests/e2e/private_servers.py) is stopped for three seconds and started again.
Every request either succeeded — and its row exists exactly once — or was answered
503 with a JSON reason and `Retry-After` (never a 500); clients retry with the same
`Idempotency-Key`, so nothing is lost or doubled. `/healthz` says the database is
down while it is down and ok after."""

from __future__ import annotations

import threading
import time
import uuid
from dataclasses import dataclass, field

import httpx
import psycopg
import pytest

from tests.e2e.conftest import run_django
from tests.e2e.private_servers import PrivatePostgres
from tests.e2e.servers import Process, bin_path, clean_env, free_port

pytestmark = pytest.mark.e2e

COMMENTS = 30
VOTERS = 12
DOWN_FOR = 3.0

SETUP = f"""
import json
from datetime import date, timedelta
from django.utils import timezone
from rest_framework.authtoken.models import Token
from deliberation.members.models import Member, Unit, UnitKind
from deliberation.members.services import add_membership, create_unit
from deliberation.discussions.services import create_thread
from voting.services import create_advisory_poll
parent = None
for kind in (
    UnitKind.NATIONAL, UnitKind.DISTRICT, UnitKind.MUNICIPALITY, UnitKind.BRANCH
):
    parent = create_unit(
        name=f"PG {{kind}}", code=f"pg-{{kind}}", kind=kind, parent=parent)
branch = parent
since = date(2020, 1, 1)
members = []
for name in ["pg-writer"] + [f"pg-voter{{i}}" for i in range({VOTERS})]:
    m = Member.objects.create(username=name)
    add_membership(member=m, unit=branch, since=since)
    members.append(m)
thread = create_thread(title="Through a database restart", unit=branch,
                       actor=members[0])
poll = create_advisory_poll(
    actor=members[0], unit=branch, thread=thread, question="Ska vi fortsätta?",
    method="yes_no_abstain", options=None, ballot="secret",
    closes=timezone.now() + timedelta(hours=3))
tokens = [Token.objects.get_or_create(user=m)[0].key for m in members]
print(json.dumps({{"thread": thread.pk, "poll": poll.pk, "writer": tokens[0],
                  "voters": tokens[1:]}}))
"""


@dataclass
class Attempt:
    what: str
    started: float
    ended: float
    status: int  # 0: no answer (connection refused or reset)
    body: dict = field(default_factory=dict)


def send(client: httpx.Client, what: str, method: str, url: str, **kw) -> Attempt:
    started = time.monotonic()
    try:
        response = client.request(method, url, **kw)
    except httpx.TransportError:
        return Attempt(what, started, time.monotonic(), 0)
    try:
        body = response.json()
    except ValueError:
        body = {"raw": response.text[:200]}
    if response.status_code == 503:
        body["retry_after"] = response.headers.get("Retry-After")
    return Attempt(what, started, time.monotonic(), response.status_code, body)


def until_answered(client, what, method, url, log: list[Attempt], **kw) -> Attempt:
    """Send, and send again (same body, same key) while the answer is a 503 or
    none, as a client told `Retry-After` does; every attempt goes to `log`."""
    deadline = time.monotonic() + 60
    while True:
        attempt = send(client, what, method, url, **kw)
        log.append(attempt)
        if attempt.status not in (0, 503) or time.monotonic() > deadline:
            return attempt
        time.sleep(0.3)


def test_requests_through_a_postgres_restart_succeed_once_or_get_503(
    private_postgres, private_database, private_redis, tmp_path
):
    pg: PrivatePostgres = private_postgres
    env = clean_env(
        TORGET_ENV="production",
        DJANGO_SECRET_KEY="e2e-" + "p" * 60,
        DATABASE_URL=private_database,
        REDIS_URL=private_redis.url(),
        CELERY_BROKER_URL=private_redis.url(1),
        CHANNEL_PREFIX="e2epg",
        CACHE_PREFIX="e2epg",
        BEHIND_TLS_PROXY="0",
        COMMENT_RATE="1000",
        THROTTLE_WRITE="100000/min",
    )
    world = run_django(env, SETUP)
    port = free_port()
    gunicorn = Process(
        [bin_path("gunicorn"), "deliberation.wsgi:application"]
        + ["-b", f"127.0.0.1:{port}", "-w", "2", "--timeout", "60"],
        env,
        tmp_path / "gunicorn.log",
        port=port,
    )
    base = f"http://127.0.0.1:{port}"
    comments_url = f"{base}/api/v1/threads/{world['thread']}/comments/"
    ballots_url = f"{base}/api/v1/polls/{world['poll']}/ballots/"
    log: list[Attempt] = []
    health: list[Attempt] = []
    finals: dict[str, Attempt] = {}
    stop_health = threading.Event()

    def post_comments() -> None:
        headers = {"Authorization": f"Token {world['writer']}"}
        with httpx.Client(headers=headers, timeout=30) as client:
            for i in range(COMMENTS):
                key = f"pg-restart-{i}-{uuid.uuid4().hex[:12]}"
                finals[f"c{i}"] = until_answered(
                    client,
                    f"c{i}",
                    "POST",
                    comments_url,
                    log,
                    json={"body": f"c{i}", "stance": "neutral"},
                    headers={"Idempotency-Key": key},
                )
                time.sleep(0.2)

    def cast_ballots() -> None:
        for n, token in enumerate(world["voters"]):
            with httpx.Client(
                headers={"Authorization": f"Token {token}"}, timeout=30
            ) as client:
                finals[f"v{n}"] = until_answered(
                    client, f"v{n}", "POST", ballots_url, log, json={"choice": "yes"}
                )
            time.sleep(0.4)

    def watch_health() -> None:
        with httpx.Client(timeout=10) as client:
            while not stop_health.is_set():
                health.append(send(client, "healthz", "GET", f"{base}/healthz"))
                time.sleep(0.2)

    try:
        gunicorn.start()
        threads = [threading.Thread(target=f) for f in (post_comments, cast_ballots)]
        watcher = threading.Thread(target=watch_health)
        watcher.start()
        for t in threads:
            t.start()
        # the restart falls in the middle of the traffic, not before it
        deadline = time.monotonic() + 60
        while sum(a.status == 201 for a in log) < 4 and time.monotonic() < deadline:
            time.sleep(0.05)
        pg.stop("fast")
        down = time.monotonic()
        time.sleep(DOWN_FOR)
        pg.start()
        up = time.monotonic()
        for t in threads:
            t.join(120)
        time.sleep(1)
        stop_health.set()
        watcher.join(30)
    finally:
        stop_health.set()
        gunicorn.stop()
    server_log = gunicorn.log_path.read_text(errors="replace")

    # no 500, ever; the failures are 503s naming the database, with Retry-After
    statuses = sorted({a.status for a in log})
    assert 500 not in statuses, [a for a in log if a.status >= 500][:3]
    refused = [a for a in log if a.status == 503]
    assert refused, "the restart fell between the requests: nothing was proved"
    assert all(
        a.body.get("code") == "database_unavailable" and a.body.get("retry_after")
        for a in refused
    ), refused[:3]
    assert set(statuses) <= {0, 200, 201, 409, 503}, statuses
    assert "Internal Server Error" not in server_log, server_log[-3000:]

    # every request ended in success, exactly once
    for i in range(COMMENTS):
        assert finals[f"c{i}"].status in (200, 201), finals[f"c{i}"]
    for n in range(VOTERS):
        final = finals[f"v{n}"]
        # 409 already_voted only for a retry whose first try was stored
        assert final.status == 201 or (
            final.status == 409 and final.body.get("code") == "already_voted"
        ), final
    with psycopg.connect(private_database) as conn:
        bodies = [
            row[0]
            for row in conn.execute(
                "SELECT body FROM discussions_comment WHERE thread_id = %s",
                [world["thread"]],
            )
        ]
        participations = conn.execute(
            "SELECT count(*), count(DISTINCT member_id) FROM voting_participation"
            " WHERE poll_id = %s",
            [world["poll"]],
        ).fetchone()
        pending = conn.execute(
            "SELECT count(*) FROM voting_pendingballot WHERE poll_id = %s",
            [world["poll"]],
        ).fetchone()[0]
        ballots = conn.execute(
            "SELECT count(*) FROM voting_bulletinballot WHERE poll_id = %s",
            [world["poll"]],
        ).fetchone()[0]
    assert sorted(bodies) == sorted(f"c{i}" for i in range(COMMENTS))
    assert participations == (VOTERS, VOTERS)
    assert pending + ballots == VOTERS

    # /healthz told the truth: failing while the database was down, ok after
    during = [h for h in health if h.started >= down + 0.2 and h.ended <= up]
    assert during, "no health sample while the database was down"
    assert all(
        h.status == 503 and h.body["checks"]["database"]["ok"] is False for h in during
    ), during
    after = [h for h in health if h.started >= up + 1]
    assert after, "no health sample after the restart"
    assert all(h.status == 200 for h in after), after
    print(
        f"{len(log)} requests, {len(refused)} answered 503 during a "
        f"{DOWN_FOR:.0f} s PostgreSQL restart; {COMMENTS} comments and {VOTERS} "
        f"ballots stored once; {len(during)} health samples said 'down'"
    )
