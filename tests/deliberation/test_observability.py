"""/healthz, /readyz and /metrics in-process; the run-prod stack test
(tests/e2e/test_run_prod.py) covers them across real processes."""

from __future__ import annotations

import logging

import pytest

from deliberation.observability.request_id import (
    RequestIdFilter,
    request_id_from,
    set_request_id,
)
from tests.e2e.servers import free_port

pytestmark = pytest.mark.django_db


def test_healthz_checks_database_redis_and_broker(client):
    answer = client.get("/healthz")
    assert answer.status_code == 200
    body = answer.json()
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "redis", "broker"}


def test_healthz_tells_the_truth_when_redis_is_down(client, settings):
    settings.REDIS_URL = f"redis://127.0.0.1:{free_port()}/0"
    answer = client.get("/healthz")
    assert answer.status_code == 503
    body = answer.json()
    assert body["status"] == "failing"
    assert body["checks"]["redis"]["ok"] is False
    assert body["checks"]["database"]["ok"] is True


def test_readyz_knows_the_migrations(client):
    answer = client.get("/readyz")
    assert answer.status_code == 200
    assert answer.json()["checks"]["migrations"]["detail"] == "applied"


def test_metrics_are_hidden_without_a_token(client, settings):
    settings.METRICS_TOKEN = ""
    assert client.get("/metrics").status_code == 404
    settings.METRICS_TOKEN = "t" * 32
    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 401
    client.get("/api/v1/units/")
    good = client.get("/metrics", HTTP_AUTHORIZATION="Bearer " + "t" * 32)
    assert good.status_code == 200
    assert 'route="api/v1/units/"' in good.content.decode()


def test_queue_depth_counts_the_configured_queue(client, settings):
    """CELERY_QUEUE names the queue the workers read: the gauge counts that one."""
    import os

    import redis

    assert settings.REDIS_URL, "needs REDIS_URL (the test Redis)"
    queue = f"depth-test-{os.getpid()}"
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = settings.REDIS_URL
    settings.CELERY_TASK_DEFAULT_QUEUE = queue
    settings.METRICS_TOKEN = "t" * 32
    broker = redis.Redis.from_url(settings.REDIS_URL)
    try:
        broker.rpush(queue, "a", "b", "c")
        metrics = client.get("/metrics", HTTP_AUTHORIZATION="Bearer " + "t" * 32)
    finally:
        broker.delete(queue)
        broker.close()
    assert "torget_celery_queue_depth 3.0" in metrics.content.decode()


def test_request_id_is_kept_when_sane_and_made_otherwise(client):
    assert (
        client.get("/healthz", HTTP_X_REQUEST_ID="abc-12345678")["X-Request-ID"]
        == "abc-12345678"
    )
    made = client.get("/healthz", HTTP_X_REQUEST_ID="<script>")["X-Request-ID"]
    assert made != "<script>"
    assert len(made) == 32
    assert request_id_from("x" * 65) != "x" * 65


def test_log_records_carry_the_request_id():
    token = set_request_id("rid-00000001")
    try:
        record = logging.LogRecord("t", logging.INFO, __file__, 1, "m", None, None)
        RequestIdFilter().filter(record)
    finally:
        from deliberation.observability.request_id import reset_request_id

        reset_request_id(token)
    assert record.request_id == "rid-00000001"
