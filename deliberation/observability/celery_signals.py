"""The request id travels with the tasks a request sends: published in a message
header, set again in the worker while the task runs (and in the tasks it sends)."""

from __future__ import annotations

import contextlib
from typing import Any

from celery import signals

from .request_id import current_request_id, reset_request_id, set_request_id

_tokens: dict[str, Any] = {}


@signals.before_task_publish.connect
def _attach_request_id(headers: dict | None = None, **_: Any) -> None:
    request_id = current_request_id()
    if headers is not None and request_id and "request_id" not in headers:
        headers["request_id"] = request_id


@signals.task_prerun.connect
def _enter_request_id(task_id: str | None = None, task: Any = None, **_: Any) -> None:
    # an eager task (make run, in-process) keeps the id of the request running it
    request_id = (
        getattr(getattr(task, "request", None), "request_id", None)
        or current_request_id()
    )
    if task_id:
        _tokens[task_id] = set_request_id(str(request_id))


@signals.task_postrun.connect
def _leave_request_id(task_id: str | None = None, **_: Any) -> None:
    token = _tokens.pop(task_id or "", None)
    if token is not None:
        # ValueError: set in another context (eager tasks inside a request)
        with contextlib.suppress(ValueError):
            reset_request_id(token)
