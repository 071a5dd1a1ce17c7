"""Celery application. Tasks live in each app's tasks.py; beat entries are listed
here."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "deliberation.settings")

app = Celery("torget")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# the request id follows a request into the tasks it sends (docs/deploy.md)
import deliberation.observability.celery_signals  # noqa: E402, F401

# Scheduled work (Celery beat). Each entry's task is idempotent and catches up after
# downtime, so two beat processes by mistake or a missed run do no harm.
app.conf.beat_schedule = {}


def add_beat_entry(name: str, task: str, seconds: float) -> None:
    """Apps register their periodic tasks here (called from AppConfig.ready)."""
    app.conf.beat_schedule[name] = {"task": task, "schedule": seconds}
