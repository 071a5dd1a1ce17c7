"""One id per request, in every log line the request writes and in every Celery task it
causes. A proxy's `X-Request-ID` is kept when it looks like an id; otherwise a new one
is made. The response carries it back, so an operator can find a user's report."""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any

from django.http import HttpRequest, HttpResponse

HEADER = "X-Request-ID"
META_KEY = "HTTP_X_REQUEST_ID"  # META: request.headers would copy every header
_current: ContextVar[str] = ContextVar("torget_request_id", default="")
_ACCEPTABLE = re.compile(r"^[A-Za-z0-9._:-]{8,64}$")


def current_request_id() -> str:
    return _current.get()


def set_request_id(value: str) -> Any:
    return _current.set(value)


def reset_request_id(token: Any) -> None:
    _current.reset(token)


def new_request_id() -> str:
    return uuid.uuid4().hex


def request_id_from(incoming: str | None) -> str:
    if incoming and _ACCEPTABLE.match(incoming):
        return incoming
    return new_request_id()


class RequestIdMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = request_id_from(request.META.get(META_KEY))
        request.request_id = request_id  # type: ignore[attr-defined]
        token = set_request_id(request_id)
        try:
            response = self.get_response(request)
        finally:
            reset_request_id(token)
        response[HEADER] = request_id
        return response


class RequestIdFilter(logging.Filter):
    """Adds `request_id` to every record (empty outside a request or task)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", ""):
            record.request_id = current_request_id()
        return True
