"""Prometheus metrics (prometheus-client). Under gunicorn or several uvicorn
processes set `PROMETHEUS_MULTIPROC_DIR` to a directory shared by the processes of
one machine (the Procfile does); each scrape then sums every process. Apps observe
the histograms below (notification lag, poll close → result): the core defines them,
so nobody else needs to know about Prometheus."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from datetime import UTC, datetime

from django.http import HttpRequest, HttpResponse
from prometheus_client import Counter, Gauge, Histogram

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.5, 1, 2.5, 5, 10)

REQUESTS = Counter(
    "torget_http_requests_total",
    "HTTP requests by route, method and status.",
    ["route", "method", "status"],
)
LATENCY = Histogram(
    "torget_http_request_duration_seconds",
    "Time to answer an HTTP request, by route and method.",
    ["route", "method"],
    buckets=LATENCY_BUCKETS,
)
WEBSOCKETS = Gauge(
    "torget_websocket_connections",
    "Open websocket connections (per process: the `pid` label in multiprocess mode).",
    multiprocess_mode="liveall",
)
NOTIFICATION_LAG = Histogram(
    "torget_notification_lag_seconds",
    "From the event's creation to its notification: stage=delivered when the "
    "recipient's notification exists (by its channel), stage=emailed when the SMTP "
    "server accepted the e-mail sent at once.",
    ["channel", "stage"],
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300, 900),
)
POLL_RESULT_SECONDS = Histogram(
    "torget_poll_result_seconds",
    "From a poll's closing time to its counted result (stored and committed).",
    buckets=(0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300),
)


def _since(start: datetime) -> float:
    return max(0.0, (datetime.now(UTC) - start).total_seconds())


def notifications_delivered(created: datetime, channels: Iterable[str]) -> None:
    """One observation per notification just created for an event of `created`."""
    for channel in channels:
        NOTIFICATION_LAG.labels(channel=channel, stage="delivered").observe(
            _since(created)
        )


def notification_emailed(created: datetime) -> None:
    NOTIFICATION_LAG.labels(channel="email", stage="emailed").observe(_since(created))


def poll_result_counted(closes: datetime) -> None:
    POLL_RESULT_SECONDS.observe(_since(closes))


def websocket_opened() -> None:
    WEBSOCKETS.inc()


def websocket_closed() -> None:
    WEBSOCKETS.dec()


def _route(request: HttpRequest) -> str:
    match = getattr(request, "resolver_match", None)
    if match is None:
        return "<unmatched>"
    return match.route or match.view_name or "<unnamed>"


class MetricsMiddleware:
    """Counts and times every request by its URL pattern (never the raw path, so ids
    do not explode the label set)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        route = _route(request)
        method = request.method or "GET"
        LATENCY.labels(route=route, method=method).observe(
            time.perf_counter() - started
        )
        REQUESTS.labels(
            route=route, method=method, status=str(response.status_code)
        ).inc()
        return response
