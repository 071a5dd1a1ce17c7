"""Celery tasks for delegations: thin and idempotent."""

from celery import shared_task

from . import services


@shared_task(
    name="delegations.remind_expiring",
    ignore_result=True,
    time_limit=280,
    soft_time_limit=250,
)
def remind_expiring() -> int:
    """Hourly (beat): remind the givers of delegations expiring within
    DELEGATION_REMIND_DAYS, once each."""
    return services.remind_expiring()
