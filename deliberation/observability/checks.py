"""What /healthz and /readyz check. Each check answers quickly (short timeouts) and says
what it found; nothing here raises."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor

TIMEOUT = 2


@dataclass(frozen=True)
class Check:
    ok: bool
    detail: str
    ms: float

    def as_dict(self) -> dict:
        return {"ok": self.ok, "detail": self.detail, "ms": round(self.ms, 1)}


def _timed(fn: Callable[[], str]) -> Check:
    started = time.perf_counter()
    try:
        detail = fn()
        ok = True
    except Exception as exc:
        detail = f"{type(exc).__name__}: {exc}"[:300]
        ok = False
    return Check(ok, detail, (time.perf_counter() - started) * 1000)


def _database() -> str:
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return connections[DEFAULT_DB_ALIAS].vendor


def _redis() -> str:
    if not settings.REDIS_URL:
        return "not used (in-memory channel layer and cache)"
    import redis

    client = redis.Redis.from_url(
        settings.REDIS_URL, socket_connect_timeout=TIMEOUT, socket_timeout=TIMEOUT
    )
    try:
        client.ping()
    finally:
        client.close()
    return "pong"


def _broker() -> str:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return "not used (tasks run in-process)"
    from deliberation.celery import app

    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=TIMEOUT)
    return "connected"


def health() -> dict[str, Check]:
    return {
        "database": _timed(_database),
        "redis": _timed(_redis),
        "broker": _timed(_broker),
    }


def _migrations() -> str:
    connection = connections[DEFAULT_DB_ALIAS]
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if plan:
        raise RuntimeError(f"{len(plan)} migrations not applied")
    return "applied"


def readiness() -> dict[str, Check]:
    database = _timed(_database)
    checks = {"database": database}
    if database.ok:
        checks["migrations"] = _timed(_migrations)
    return checks


def queue_depth(queue: str | None = None) -> int | None:
    """Messages waiting in the broker's default queue (CELERY_QUEUE); None without a
    broker. On Redis the queue is a list (LLEN); other brokers answer a passive
    declare."""
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return None
    queue = queue or settings.CELERY_TASK_DEFAULT_QUEUE
    broker = settings.CELERY_BROKER_URL
    if broker.startswith(("redis://", "rediss://", "unix://")):
        import redis

        client = redis.Redis.from_url(
            broker, socket_connect_timeout=TIMEOUT, socket_timeout=TIMEOUT
        )
        try:
            return int(client.llen(queue))
        finally:
            client.close()
    from deliberation.celery import app

    with app.connection_for_read() as conn:
        conn.ensure_connection(max_retries=1, timeout=TIMEOUT)
        return int(
            conn.default_channel.queue_declare(  # type: ignore[attr-defined]
                queue=queue, passive=True
            ).message_count
        )
