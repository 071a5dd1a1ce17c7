"""The production profile, as README "Deploy at scale" runs it: PostgreSQL, Redis,
gunicorn for HTTP, uvicorn for /ws/, a Celery worker and Celery beat, SMTP for e-mail.
Every part is a real process; nothing is mocked."""

from __future__ import annotations

import asyncio
import os
import re
import time

import httpx
import pytest

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
from tests.e2e.test_live_cross_process import subscribed
from tests.smtp import SMTPServer

pytestmark = pytest.mark.e2e

DB_NAME = f"torget_e2e_production_{os.getpid()}"


def _redis_url(db: int) -> str:
    base = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/15")
    return re.sub(r"/\d+$", "", base) + f"/{db}"


@pytest.fixture(scope="module")
def production(tmp_path_factory):
    base_db = os.environ.get("DATABASE_URL", "")
    if not base_db.startswith("postgres"):
        pytest.fail(
            "the production profile test needs DATABASE_URL pointing at PostgreSQL"
        )
    tmp = tmp_path_factory.mktemp("production")
    smtp = SMTPServer().start()
    redis_url = _redis_url(11)
    import redis

    redis.Redis.from_url(redis_url).flushdb()
    env = clean_env(
        TORGET_ENV="production",
        DJANGO_SECRET_KEY="e2e-" + "k" * 60,
        DATABASE_URL=create_database(base_db, DB_NAME),
        REDIS_URL=redis_url,
        CELERY_BROKER_URL=redis_url,
        EMAIL_URL=f"smtp://127.0.0.1:{smtp.port}",
        CHANNEL_PREFIX="e2eprod",
        SITE_URL="http://127.0.0.1",
        BEHIND_TLS_PROXY="0",
    )
    manage("migrate", "--noinput", env=env)
    manage("seed_demo", env=env)
    http_port, ws_port = free_port(), free_port()
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
        Process(
            [
                bin_path("uvicorn"),
                "deliberation.asgi:application",
                "--host",
                "127.0.0.1",
                "--port",
                str(ws_port),
                "--lifespan",
                "off",
                "--ws",
                "websockets-sansio",
            ],
            env,
            tmp / "uvicorn.log",
            port=ws_port,
        ),
        Process(
            [
                bin_path("celery"),
                "-A",
                "deliberation",
                "worker",
                "--loglevel=INFO",
                "--concurrency=1",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
            ],
            env,
            tmp / "worker.log",
        ),
        Process(
            [
                bin_path("celery"),
                "-A",
                "deliberation",
                "beat",
                "--loglevel=INFO",
                "-s",
                str(tmp / "beat-schedule"),
            ],
            env,
            tmp / "beat.log",
        ),
    ]
    try:
        for process in processes:
            process.start()
        yield {
            "http": f"http://127.0.0.1:{http_port}",
            "ws": f"ws://127.0.0.1:{ws_port}",
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
    assert "members.send_invitation" in worker_log


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
