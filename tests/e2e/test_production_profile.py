"""The production profile, as README "Deploy at scale" runs it: PostgreSQL, Redis,
gunicorn for HTTP, two uvicorn processes for /ws/, a Celery worker and Celery beat,
SMTP for e-mail. Every part is a real process; nothing is mocked.

The shared Redis is the test run's own database (REDIS_URL) with this process's own
channel, cache and Celery queue names, so parallel runs never see each other's
events, counters or tasks."""

from __future__ import annotations

import asyncio
import os
import re
import time

import httpx
import pytest

from tests.e2e.conftest import run_django, run_redis_url
from tests.e2e.servers import (
    Process,
    bin_path,
    clean_env,
    create_database,
    drop_database,
    free_port,
    manage,
    run_async,
)
from tests.e2e.stack import (
    celery_beat,
    celery_worker,
    forget_queue,
    seed_demo_quietly,
    uvicorn,
)
from tests.e2e.test_live_cross_process import SETUP, stream_event, subscribed
from tests.smtp import SMTPServer

pytestmark = pytest.mark.e2e

DB_NAME = f"torget_e2e_production_{os.getpid()}"


PREFIX = f"e2eprod{os.getpid()}"
MAILED = "e2e-reader@example.org"


@pytest.fixture(scope="module")
def production(tmp_path_factory):
    base_db = os.environ.get("DATABASE_URL", "")
    if not base_db.startswith("postgres"):
        pytest.fail(
            "the production profile test needs DATABASE_URL pointing at PostgreSQL"
        )
    tmp = tmp_path_factory.mktemp("production")
    smtp = SMTPServer().start()
    redis_url = run_redis_url()
    env = clean_env(
        TORGET_ENV="production",
        DJANGO_SECRET_KEY="e2e-" + "k" * 60,
        DATABASE_URL=create_database(base_db, DB_NAME),
        REDIS_URL=redis_url,
        CELERY_BROKER_URL=redis_url,
        EMAIL_URL=f"smtp://127.0.0.1:{smtp.port}",
        CHANNEL_PREFIX=PREFIX,
        CACHE_PREFIX=PREFIX,
        CELERY_QUEUE=PREFIX,
        SITE_URL="http://127.0.0.1",
        BEHIND_TLS_PROXY="0",
    )
    seed_demo_quietly(env, redis_url, f"{PREFIX}-demo")
    http_port, ws_port, ws2_port = free_port(), free_port(), free_port()
    processes = [
        Process(
            [
                bin_path("gunicorn"),
                "deliberation.wsgi:application",
                "-b",
                f"127.0.0.1:{http_port}",
                "-w",
                "2",
                "--timeout",
                "60",
            ],
            env,
            tmp / "gunicorn.log",
            port=http_port,
        ),
        uvicorn(ws_port, env, tmp / "uvicorn.log"),  # process A
        celery_worker(env, tmp / "worker.log"),
        celery_beat(env, tmp / "beat.log", tmp / "beat-schedule"),
        uvicorn(ws2_port, env, tmp / "uvicorn-2.log"),  # process B
    ]
    try:
        for process in processes:
            process.start()
        yield {
            "http": f"http://127.0.0.1:{http_port}",
            "ws": f"ws://127.0.0.1:{ws_port}",
            "asgi": [f"127.0.0.1:{ws_port}", f"127.0.0.1:{ws2_port}"],
            "env": env,
            "smtp": smtp,
            "processes": processes,
            "tmp": tmp,
        }
    finally:
        for process in processes:
            process.stop()
        smtp.stop()
        drop_database(base_db, DB_NAME)
        forget_queue(redis_url, PREFIX)


def test_gunicorn_serves_pages_and_api(production):
    with httpx.Client(base_url=production["http"], timeout=20) as client:
        assert client.get("/").status_code == 200
        assert client.get("/static/torget/css/torget.css").status_code == 200
        token = client.post(
            "/api/v1/auth/token/",
            json={"username": "anna", "password": "demo-pass-2026"},
        )
        assert token.status_code == 200
        me = client.get(
            "/api/v1/me/", headers={"Authorization": f"Token {token.json()['token']}"}
        )
        assert me.json()["username"] == "anna"
        login = client.get("/accounts/login/")
        assert "Secure" in login.headers.get("set-cookie", "")  # csrftoken cookie


def test_sign_in_lockout_is_shared_by_all_workers(production):
    with httpx.Client(base_url=production["http"], timeout=20) as client:
        for _ in range(5):
            client.post("/api/v1/auth/token/", json={"username": "bo", "password": "x"})
        locked = client.post(
            "/api/v1/auth/token/", json={"username": "bo", "password": "demo-pass-2026"}
        )
        assert locked.status_code == 429


def test_celery_worker_sends_invitations_over_smtp(production, tmp_path):
    roll = tmp_path / "roll.csv"
    roll.write_text(
        "member_number,full_name,email,unit_code\n"
        "900001,Ida Invite,ida@example.org,sodermalm\n",
        encoding="utf-8",
    )
    manage("import_members", str(roll), env=production["env"])
    messages = production["smtp"].wait_for_recipient("ida@example.org", timeout=60)
    worker_log = production["processes"][2].output()
    assert messages, f"no e-mail arrived; worker log:\n{worker_log}"
    assert messages[0]["X-Rcpt-To"] == "ida@example.org"
    assert "/accounts/invite/" in SMTPServer.body(messages[0])
    # sent by the worker (its start-up banner lists every task name: not that)
    done = r"Task members\.send_invitation\[[^\]]+\] succeeded"
    deadline = time.monotonic() + 10
    while not re.search(done, worker_log) and time.monotonic() < deadline:
        time.sleep(0.2)
        worker_log = production["processes"][2].output()
    assert re.search(done, worker_log), worker_log[-3000:]


def test_beat_runs_and_uvicorn_accepts_only_known_origins(production):
    beat = production["processes"][3]
    deadline = time.monotonic() + 20
    while "beat: Starting" not in beat.output() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert beat.alive()
    assert "beat: Starting" in beat.output()
    import websockets

    async def handshake(origin: str) -> int:
        try:
            async with websockets.connect(
                production["ws"] + "/ws/threads/1/", origin=origin, open_timeout=10
            ):
                return 101
        except websockets.InvalidStatus as exc:
            return exc.response.status_code

    assert run_async(lambda: handshake("http://evil.example")) == 403


def test_comment_posted_through_gunicorn_reaches_a_websocket_on_uvicorn(production):
    """HTTP on gunicorn (WSGI) publishes through the Redis pub/sub layer; the client on
    the uvicorn process receives it — the production topology of docs/deploy.md."""
    import json

    import websockets

    with httpx.Client(base_url=production["http"], timeout=20) as client:
        token = client.post(
            "/api/v1/auth/token/",
            json={"username": "anna", "password": "demo-pass-2026"},
        ).json()
        headers = {"Authorization": f"Token {token['token']}"}
        thread = client.get("/api/v1/threads/", headers=headers).json()["results"][0]

        async def scenario():
            url = (
                f"{production['ws']}/ws/threads/{thread['id']}/?token={token['token']}"
            )
            async with websockets.connect(url, open_timeout=10) as ws:
                await subscribed(ws)  # before we post
                posted = await asyncio.to_thread(
                    client.post,
                    f"/api/v1/threads/{thread['id']}/comments/",
                    headers=headers,
                    json={"body": "Från gunicorn", "stance": "for", "parent": None},
                )
                assert posted.status_code == 201, posted.text
                async with asyncio.timeout(10):
                    while True:
                        event = json.loads(await ws.recv())
                        if event["type"] == "comment.created":
                            return posted.json(), event

        comment, event = run_async(scenario)
    assert (event["id"], event["seq"]) == (comment["id"], comment["seq"])


def test_reply_through_asgi_a_reaches_asgi_b_live_and_is_mailed_once(production):
    """The whole chain of the production profile: a member replies to another
    member's comment through uvicorn A's HTTP API (as clients do, DESIGN.md §5); a
    websocket on uvicorn B receives the comment through Redis; the reply notification
    (the parent's author chose e-mail at once) is sent by the Celery worker to the
    SMTP server exactly once — though the reply also mentions them."""
    import websockets

    env = production["env"]
    code = SETUP + f"Member.objects.filter(pk=r.pk).update(email='{MAILED}')\n"
    world = run_django(env, code)
    a, b = production["asgi"]
    tid = world["thread"]
    reader = {"Authorization": f"Token {world['reader']}"}  # the parent's author
    writer = {"Authorization": f"Token {world['writer']}"}
    with httpx.Client(base_url=f"http://{a}", timeout=20) as via_a:
        chosen = via_a.put(
            "/api/v1/notification-preferences/",
            headers=reader,
            json=[{"kind": "reply", "channel": "email"}],
        )
        assert chosen.status_code == 200, chosen.text
        assert {"kind": "reply", "channel": "email"}.items() <= next(
            p for p in chosen.json() if p["kind"] == "reply"
        ).items()
        parent = via_a.post(
            f"/api/v1/threads/{tid}/comments/",
            headers=reader,
            json={"body": "Vad tycker ni?", "stance": "question", "parent": None},
        )
        assert parent.status_code == 201, parent.text
        parent = parent.json()

        async def scenario():
            url = f"ws://{b}/ws/threads/{tid}/?token={world['reader']}"
            async with websockets.connect(url, open_timeout=10) as ws:
                await subscribed(ws)  # subscribed on B before A publishes
                posted = await asyncio.to_thread(
                    via_a.post,
                    f"/api/v1/threads/{tid}/comments/",
                    headers=writer,
                    json={
                        "body": "Ja, @e2e-reader, det gör vi.",
                        "stance": "for",
                        "parent": parent["id"],
                    },
                )
                assert posted.status_code == 201, posted.text
                event = await stream_event(ws, timeout=15)
                return posted.json(), event

        reply, event = run_async(scenario)
        assert event["type"] == "comment.created"
        assert (event["id"], event["seq"]) == (reply["id"], reply["seq"])
        assert event["data"]["parent"] == parent["id"]

        smtp = production["smtp"]
        mails = smtp.wait_for_recipient(MAILED, timeout=60)
        worker = production["processes"][2]
        assert mails, f"no e-mail to {MAILED}; worker log:\n{worker.output()[-3000:]}"
        time.sleep(3)  # a second message (the mention, a redelivery) would be here
        mails = [m for m in smtp.messages if m["X-Rcpt-To"] == MAILED]
        assert len(mails) == 1, [m["Subject"] for m in mails]
        assert f"#c-{reply['id']}" in SMTPServer.body(mails[0])
        # sent by the worker (the start-up banner lists every task name: not that)
        assert re.search(
            r"Task notifications\.deliver_event\[[^\]]+\] succeeded", worker.output()
        ), worker.output()[-3000:]
        inbox = via_a.get("/api/v1/notifications/", headers=reader).json()
    assert [(n["kind"], n["url"].rsplit("#", 1)[-1]) for n in inbox["results"]] == [
        ("reply", f"c-{reply['id']}")
    ], inbox
