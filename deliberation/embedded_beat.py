"""The embedded profile's stand-in for Celery beat: one daemon thread in the server
process runs every beat entry in-process on its schedule.

Production runs `celery -A deliberation beat` instead. The scheduled tasks are
idempotent and catch up after downtime, so this thread and a real beat may even overlap
safely."""

from __future__ import annotations

import logging
import threading
import time

from django.db import close_old_connections

from deliberation.celery import app

logger = logging.getLogger(__name__)


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
        while True:
            close_old_connections()
            run_due(last_run, time.monotonic())
            close_old_connections()
            time.sleep(tick)

    thread = threading.Thread(target=loop, name="embedded-beat", daemon=True)
    thread.start()
    return thread
