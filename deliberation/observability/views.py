"""/healthz (database, Redis, broker), /readyz (database reachable and migrated) and
/metrics (Prometheus text; only with `Authorization: Bearer $METRICS_TOKEN`)."""

from __future__ import annotations

import hmac
import os

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Gauge,
    generate_latest,
)
from prometheus_client.multiprocess import MultiProcessCollector

from . import checks


def _answer(results: dict[str, checks.Check]) -> JsonResponse:
    ok = all(check.ok for check in results.values())
    return JsonResponse(
        {
            "status": "ok" if ok else "failing",
            "checks": {name: check.as_dict() for name, check in results.items()},
        },
        status=200 if ok else 503,
    )


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    return _answer(checks.health())


@never_cache
@require_GET
def readyz(request: HttpRequest) -> JsonResponse:
    return _answer(checks.readiness())


def _authorised(request: HttpRequest) -> bool:
    token = settings.METRICS_TOKEN
    if not token:
        return False
    given = request.headers.get("Authorization", "")
    scheme, _, value = given.partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(
        value.strip().encode(), token.encode()
    )


def _registry() -> CollectorRegistry:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        MultiProcessCollector(registry)
        return registry
    from prometheus_client import REGISTRY

    return REGISTRY


def _scrape_time_gauges(registry: CollectorRegistry) -> None:
    depth = Gauge(
        "torget_celery_queue_depth",
        "Messages waiting in the Celery broker's default queue.",
        registry=registry,
    )
    try:
        value = checks.queue_depth()
    except Exception:
        value = -1
    depth.set(-1 if value is None else value)


@never_cache
@require_GET
def metrics(request: HttpRequest) -> HttpResponse:
    if not _authorised(request):
        status = 401 if settings.METRICS_TOKEN else 404
        return JsonResponse(
            {"detail": _("Metrics need Authorization: Bearer <METRICS_TOKEN>.")}
            if status == 401
            else {"detail": _("Not found.")},
            status=status,
        )
    extra = CollectorRegistry()
    _scrape_time_gauges(extra)
    body = generate_latest(_registry()) + generate_latest(extra)
    return HttpResponse(body, content_type=CONTENT_TYPE_LATEST)
