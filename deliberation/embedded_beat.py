"""The embedded profile's stand-in for Celery beat: one daemon thread in the server
process runs every beat entry in-process on its schedule, and one-off tasks at
the moment they are due (`call_at`: what `apply_async(eta=...)` does on a Celery
worker, e.g. a poll closing at its closing time).

Production runs `celery -A deliberation beat` instead. The scheduled tasks are
idempotent and catch up after downtime, so this thread and a real beat may even overlap
safely."""

from __future__ import annotations

import heapq
import itertools
import logging
import threading
import time
from datetime import datetime

from django.db import close_old_connections

from deliberation.celery import app

logger = logging.getLogger(__name__)

_timers: list[tuple[float, int, str, list]] = []  # (epoch seconds, n, task, args)
_wake = threading.Condition()
_counter = itertools.count()
_running = threading.Event()


def running() -> bool:
    """True in the process whose embedded beat thread runs (make run)."""
    return _running.is_set()


def call_at(when: datetime, task: str, args: list) -> bool:
    """Run `task(*args)` in this process at `when` (or at once if it is past).
    Returns False, doing nothing, where no embedded beat runs (tests, a shell):
    the beat entries' sweepers catch up there."""
    if not running():
        return False
    with _wake:
        heapq.heappush(_timers, (when.timestamp(), next(_counter), task, list(args)))
        _wake.notify()
    return True


def _pop_due(now: float) -> list[tuple[str, list]]:
    due = []
    with _wake:
        while _timers and _timers[0][0] <= now:
            _at, _n, task, args = heapq.heappop(_timers)
            due.append((task, args))
    return due


def run_timers(now: float) -> list[str]:
    """Run the one-off tasks that are due; return their names."""
    ran = []
    for task, args in _pop_due(now):
        try:
            app.tasks[task].apply(args=tuple(args), throw=True)
            ran.append(task)
        except Exception:
            logger.exception("scheduled task %s failed", task)
    return ran


def run_due(last_run: dict[str, float], now: float) -> list[str]:
    """Run the entries whose interval has passed; return the names that ran."""
    app.loader.import_default_modules()  # the apps' tasks modules (cheap after once)
    ran = []
    for name, entry in app.conf.beat_schedule.items():
        interval = float(entry["schedule"])
        if now - last_run.get(name, 0.0) < interval:
            continue
        last_run[name] = now
        try:
            app.tasks[entry["task"]].apply(throw=True)
            ran.append(name)
        except Exception:
            logger.exception("scheduled task %s failed", entry["task"])
    return ran


def start(tick: float = 5.0) -> threading.Thread:
    def loop() -> None:
        last_run: dict[str, float] = {}
        next_beat = 0.0
        while True:
            close_old_connections()
            run_timers(time.time())
            if time.monotonic() >= next_beat:
                run_due(last_run, time.monotonic())
                next_beat = time.monotonic() + tick
            close_old_connections()
            with _wake:
                wait = next_beat - time.monotonic()
                if _timers:
                    wait = min(wait, _timers[0][0] - time.time())
                if wait > 0:
                    _wake.wait(wait)

    _running.set()

    thread = threading.Thread(target=loop, name="embedded-beat", daemon=True)
    thread.start()
    return thread
