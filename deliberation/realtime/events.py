"""Publishing live events. Only services publish, and only after commit.

An event is a small JSON dict `{"type", "id", "seq", "data"}` (DESIGN.md §5). Durable,
resumable streams (threads) store the event first and publish it after commit; consumers
relay whatever arrives on their group with the `relay` handler. With the Redis pub/sub
layer a sync caller publishes directly (`redis_publish.py`), without an event loop.
"""

from __future__ import annotations

import json
import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction
from django.utils.translation import gettext as _

from .redis_publish import publisher_for

logger = logging.getLogger(__name__)


def thread_group(thread_id: int) -> str:
    return f"thread.{thread_id}"


def send_now(group: str, event: dict) -> None:
    """Send to a group immediately. Failures are logged, never raised: the event is
    already stored and clients recover it by `resume`."""
    layer = get_channel_layer()
    if layer is None:
        return
    payload = json.loads(json.dumps(event, default=str))
    message = {"type": "relay", "event": payload}
    try:
        publisher = publisher_for(layer)
        if publisher is not None:
            publisher.group_send(group, message)
        else:
            async_to_sync(layer.group_send)(group, message)
    except Exception as exc:
        logger.warning(
            _(
                "Could not publish %(type)s to %(group)s (%(error)s); it is stored, "
                "clients get it by resume."
            ),
            {"type": event.get("type"), "group": group, "error": exc},
        )


def publish_on_commit(group: str, event: dict) -> None:
    transaction.on_commit(lambda: send_now(group, event))
