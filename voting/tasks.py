"""Celery tasks for voting: thin, idempotent, taking ids and calling services.
Payloads carry poll ids only — never a member, a receipt or an answer."""

from celery import shared_task

from . import closing, events


@shared_task(
    name="voting.close_poll",
    ignore_result=True,
    acks_late=True,
    time_limit=300,
    soft_time_limit=240,
)
def close_poll(poll_id: int) -> bool:
    """At the closing time (eta): count and store the result once. Safe to run twice
    or after a crash: the poll row lock and the one-result-per-poll key decide."""
    return closing.close_poll(poll=poll_id) is not None


@shared_task(
    name="voting.sweep", ignore_result=True, time_limit=280, soft_time_limit=250
)
def sweep() -> int:
    """Every 30 s (beat): open polls for proposals in the vote without one, close
    overdue polls (a worker that was down catches up), and hand the closes of the
    next two minutes to the workers for their exact moment."""
    closing.open_missing_polls()
    return closing.close_due_polls()


@shared_task(name="voting.publish_turnout", ignore_result=True, time_limit=30)
def publish_turnout(poll_id: int) -> bool:
    """The trailing turnout push of the once-a-second throttle."""
    return events.publish_turnout(poll_id)


@shared_task(
    name="voting.remind_closing",
    ignore_result=True,
    time_limit=120,
    soft_time_limit=100,
)
def remind_closing() -> int:
    """Every 5 minutes (beat): the reminder 24 hours before a poll closes, once."""
    from .notifying import remind_closing as remind

    return remind()
