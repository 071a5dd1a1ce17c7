"""Celery tasks for proposals: thin, idempotent, calling services."""

from celery import shared_task

from . import services


@shared_task(
    name="proposals.advance_schedule",
    ignore_result=True,
    time_limit=240,
    soft_time_limit=200,
)
def advance_schedule() -> int:
    """Every minute (beat): move proposals whose phase has ended. Safe to run twice at
    the same time and catches up after downtime (see services.advance_due_proposals)."""
    return services.advance_due_proposals()


@shared_task(
    name="proposals.record_lapsed_rules",
    ignore_result=True,
    time_limit=240,
    soft_time_limit=200,
)
def record_lapsed_rules() -> int:
    """Every hour (beat): log each administrators' emergency rule change that lapsed
    unconfirmed (it stopped applying at its time already). Idempotent."""
    return services.record_lapsed_policies()
