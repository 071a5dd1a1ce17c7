"""Celery tasks for notifications: thin, idempotent (acks_late, retried with
backoff), taking ids. One task per event fans out; one task per chunk of
NOTIFICATION_CHUNK recipients delivers — never one task per member."""

from __future__ import annotations

from typing import Any

from celery import shared_task

from . import delivery

RETRY: dict[str, Any] = {
    "bind": True,
    "ignore_result": True,
    "acks_late": True,
    "reject_on_worker_lost": True,
    "autoretry_for": (Exception,),
    "retry_backoff": 2,
    "retry_backoff_max": 300,
    "retry_jitter": True,
    "max_retries": 8,
    "time_limit": 300,
    "soft_time_limit": 240,
}


@shared_task(name="notifications.deliver_event", **RETRY)
def deliver_event(self, event_id: int) -> int:
    """Split the event's recipients into chunks, one task each; then mark it
    delivered. Run twice, it hands out the same chunks (which insert nothing new).

    One chunk (a reply, a mention: most events) is delivered here, before the event
    is marked: a chunk task queued and then lost with the broker's queue (a Redis
    restart without persistence) would lose its notifications for good."""
    chunks = delivery.fan_out(event_id)
    if len(chunks) == 1:
        _deliver(event_id, chunks[0])
    else:
        for ids in chunks:
            deliver_chunk.apply_async(args=[event_id, ids])
    delivery.mark_delivered(event_id)
    return len(chunks)


def _deliver(event_id: int, member_ids: list[int]) -> int:
    to_email = delivery.deliver_chunk(event_id, member_ids)
    if to_email:
        from .mail import send_now

        send_now(to_email)
    return len(to_email)


@shared_task(name="notifications.deliver_chunk", **RETRY)
def deliver_chunk(self, event_id: int, member_ids: list[int]) -> int:
    return _deliver(event_id, member_ids)


@shared_task(name="notifications.send_emails", **RETRY)
def send_emails(self, notification_ids: list[int]) -> int:
    from .mail import send_now

    return send_now(notification_ids)


@shared_task(
    name="notifications.sweep", ignore_result=True, time_limit=120, soft_time_limit=100
)
def sweep() -> int:
    """Every 30 s (beat): deliver events left undelivered (the broker was down at
    commit, a fan-out died) and e-mails that did not go (SMTP was down)."""
    from .emit import dispatch

    events = delivery.undelivered_events()
    for event_id in events:
        dispatch(event_id)
    unsent = delivery.unsent_emails()
    size = delivery.chunk_size()
    for i in range(0, len(unsent), size):
        send_emails.apply_async(args=[unsent[i : i + size]])
    return len(events)


@shared_task(
    name="notifications.digest_tick",
    ignore_result=True,
    time_limit=120,
    soft_time_limit=100,
)
def digest_tick() -> int:
    """Every minute (beat): hand the digests now due to tasks of
    NOTIFICATION_DIGEST_CHUNK members (at most NOTIFICATION_DIGEST_TASKS_PER_TICK)."""
    from . import digest

    batches = digest.plan_tick()
    for channel, ids in batches:
        send_digests.apply_async(args=[channel, ids])
    return len(batches)


@shared_task(name="notifications.send_digests", **RETRY)
def send_digests(self, channel: str, member_ids: list[int]) -> int:
    from . import digest

    return digest.send_digests(channel, member_ids)
