"""Celery tasks for discussions: thin and idempotent, calling services."""

from celery import shared_task

from . import services


@shared_task(
    name="discussions.announce_live_sessions",
    ignore_result=True,
    time_limit=60,
    soft_time_limit=50,
)
def announce_live_sessions() -> int:
    """Every 30 s (beat): tell the watchers of a thread that its live session began."""
    return services.announce_started_sessions()
