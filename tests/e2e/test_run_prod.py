"""`make run-prod` as an operator starts it (deploy/run-prod, honcho, deploy/Procfile):
nginx in front, gunicorn for HTTP, two uvicorn processes for /ws/, a Celery worker and
beat, on PostgreSQL and Redis. What it must show: health that tells the truth, metrics
only with the token, JSON logs whose request id follows the request into Celery, and
websockets through the proxy on either ASGI process."""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
import time

import httpx
import pytest

from tests.e2e.conftest import run_redis_url
from tests.e2e.servers import (
    ROOT,
    VENV_BIN,
    Process,
    clean_env,
    create_database,
    drop_database,
    free_port,
)
from tests.e2e.stack import forget_queue, seed_demo_quietly
from tests.e2e.test_live_cross_process import subscribed
from tests.smtp import SMTPServer

pytestmark = pytest.mark.e2e

DB_NAME = f"torget_e2e_runprod_{os.getpid()}"
METRICS_TOKEN = "m" * 40
DEMO_EMAIL = "anna@example.org"


# the run's own Redis database, with this process's own names in it: parallel runs
# never share a counter, an event or a Celery task
PREFIX = f"e2erunprod{os.getpid()}"


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    base_db = os.environ.get("DATABASE_URL", "")
    if not base_db.startswith("postgres"):
        pytest.fail("run-prod needs DATABASE_URL pointing at PostgreSQL")
    if not (shutil.which("nginx") or os.path.exists("/usr/sbin/nginx")):
        pytest.fail("run-prod needs nginx (make test installs it: make chromium)")
    tmp = tmp_path_factory.mktemp("runprod")
    smtp = SMTPServer().start()
    redis_url = run_redis_url()
    port = free_port()
    env = clean_env(
        DATABASE_URL=create_database(base_db, DB_NAME),
        REDIS_URL=redis_url,
        CELERY_BROKER_URL=redis_url,
        DJANGO_SECRET_KEY="runprod-" + "k" * 60,
        EMAIL_URL=f"smtp://127.0.0.1:{smtp.port}",
        CHANNEL_PREFIX=PREFIX,
        CACHE_PREFIX=PREFIX,
        CELERY_QUEUE=PREFIX,
        METRICS_TOKEN=METRICS_TOKEN,
        DATA_DIR=str(tmp / "data"),
        STATIC_ROOT=str(tmp / "static"),
        PORT=str(port),
        WEB_PORT=str(free_port()),
        WS1_PORT=str(free_port()),
        WS2_PORT=str(free_port()),
        WEB_WORKERS="2",
        WORKER_CONCURRENCY="1",
        SEED_DEMO="0",  # seeded below, without the demo's mail backlog
        PY=str(VENV_BIN / "python"),
    )
    env["PATH"] = f"{VENV_BIN}:{env.get('PATH', '')}:/usr/sbin"
    seed_demo_quietly(env, redis_url, f"{PREFIX}-demo")
    process = Process([str(ROOT / "deploy" / "run-prod")], env, tmp / "run-prod.log")
    process.start()
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if not process.alive():
            pytest.fail(f"run-prod exited:\n{process.output()}")
        try:
            if httpx.get(base + "/healthz", timeout=2).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    else:
        pytest.fail(f"run-prod never became healthy:\n{process.output()}")
    try:
        yield {"base": base, "env": env, "process": process, "smtp": smtp}
    finally:
        process.stop()
        smtp.stop()
        drop_database(base_db, DB_NAME)
        forget_queue(redis_url, PREFIX)


def test_health_and_readiness_report_every_part(stack):
    health = httpx.get(stack["base"] + "/healthz", timeout=10)
    assert health.status_code == 200
    body = health.json()
    assert body["status"] == "ok"
    assert {"database", "redis", "broker"} <= set(body["checks"])
    assert all(check["ok"] for check in body["checks"].values()), body
    assert body["checks"]["database"]["detail"] == "postgresql"
    ready = httpx.get(stack["base"] + "/readyz", timeout=10)
    assert ready.status_code == 200
    assert ready.json()["checks"]["migrations"]["detail"] == "applied"


def test_metrics_need_the_token_and_count_requests(stack):
    base = stack["base"]
    assert httpx.get(base + "/api/v1/units/", timeout=10).status_code == 200
    assert httpx.get(base + "/metrics", timeout=10).status_code == 401
    wrong = {"Authorization": "Bearer nope"}
    assert httpx.get(base + "/metrics", headers=wrong, timeout=10).status_code == 401
    good = {"Authorization": f"Bearer {METRICS_TOKEN}"}
    metrics = httpx.get(base + "/metrics", headers=good, timeout=10)
    assert metrics.status_code == 200
    text = metrics.text
    assert (
        'torget_http_requests_total{method="GET",route="api/v1/units/",status="200"}'
        in text
    )
    assert "torget_http_request_duration_seconds_bucket" in text
    depth = re.search(r"^torget_celery_queue_depth (\S+)$", text, re.M)
    assert depth, text[-2000:]
    assert float(depth.group(1)) >= 0


def test_websockets_through_the_proxy_reach_both_asgi_processes(stack):
    """Comments posted over HTTP (gunicorn) reach clients on both uvicorn processes
    behind nginx; the gauge counts the open sockets of each process."""
    import websockets

    base = stack["base"]
    with httpx.Client(base_url=base, timeout=20) as client:
        token = client.post(
            "/api/v1/auth/token/",
            json={"username": "anna", "password": "demo-pass-2026"},
        ).json()["token"]
        headers = {"Authorization": f"Token {token}"}
        thread = client.get("/api/v1/threads/", headers=headers).json()["results"][0]
        ws_url = (
            base.replace("http", "ws") + f"/ws/threads/{thread['id']}/?token={token}"
        )

        async def scenario():
            sockets = [
                await websockets.connect(ws_url, open_timeout=10) for _ in range(4)
            ]
            try:
                for ws in sockets:
                    await subscribed(ws)
                metrics = await asyncio.to_thread(
                    client.get,
                    "/metrics",
                    headers={"Authorization": f"Bearer {METRICS_TOKEN}"},
                )
                posted = await asyncio.to_thread(
                    client.post,
                    f"/api/v1/threads/{thread['id']}/comments/",
                    headers=headers,
                    json={"body": "Genom nginx", "stance": "for", "parent": None},
                )
                assert posted.status_code == 201, posted.text
                got = []
                async with asyncio.timeout(15):
                    for ws in sockets:
                        while True:
                            event = json.loads(await ws.recv())
                            if event["type"] == "comment.created":
                                got.append(event["id"])
                                break
                return posted.json()["id"], got, metrics.text
            finally:
                for ws in sockets:
                    await ws.close()

        from tests.e2e.servers import run_async

        comment_id, got, metrics = run_async(scenario)
    assert got == [comment_id] * 4
    gauges = re.findall(
        r'^torget_websocket_connections\{pid="(\d+)"\} (\S+)$', metrics, re.M
    )
    live = {pid: float(v) for pid, v in gauges if float(v) > 0}
    assert sum(live.values()) >= 4, metrics
    assert len(live) == 2, f"both uvicorn processes hold sockets: {gauges}"


def test_logs_are_json_and_the_request_id_follows_into_celery(stack):
    """A request with an id of its own (as a proxy sends) queues the reset e-mail; the
    worker's log lines for that task carry the same id, and the mail arrives."""
    base = stack["base"]
    request_id = "req-" + "7" * 20
    with httpx.Client(base_url=base, timeout=20) as client:
        page = client.get("/accounts/password-reset/")
        csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
        assert csrf, page.text[:500]
        answer = client.post(
            "/accounts/password-reset/",
            data={"email": DEMO_EMAIL, "csrfmiddlewaretoken": csrf.group(1)},
            headers={"X-Request-ID": request_id, "Referer": base + "/"},
        )
        assert answer.status_code in (200, 302), answer.text[:500]
        assert answer.headers["X-Request-ID"] == request_id
        other = client.get("/healthz")
        assert re.fullmatch(r"[0-9a-f]{32}", other.headers["X-Request-ID"])
    mails = stack["smtp"].wait_for_recipient(DEMO_EMAIL, timeout=90)
    assert mails, stack["process"].output()[-3000:]
    deadline = time.monotonic() + 30
    while True:
        lines = _json_lines(stack["process"].output())
        tagged = [line for line in lines if line.get("request_id") == request_id]
        done = [line for line in tagged if "succeeded" in str(line.get("message"))]
        if done or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert lines, stack["process"].output()[-3000:]
    assert all({"time", "level", "name", "message"} <= set(line) for line in lines)
    assert done, tagged or stack["process"].output()[-3000:]
    assert "members.send_prepared_email" in str(done[0]["message"])


def _json_lines(output: str) -> list[dict]:
    """honcho prefixes each line with `HH:MM:SS name.1 | `; keep the JSON records."""
    records = []
    for raw in output.splitlines():
        _, sep, tail = raw.partition("| ")
        if sep and tail.startswith("{"):
            try:
                records.append(json.loads(tail))
            except ValueError:
                continue
    return records
