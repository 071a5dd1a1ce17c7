"""`notification.created` on each recipient's `/ws/notifications/` group, with their
unread count. A failed publish is logged, never raised: the notification is stored
and the client catches up by `resume`."""

from __future__ import annotations

import asyncio
import json
import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db.models import Count
from django.utils.translation import gettext as _

from deliberation.members.models import Member

from .models import Notification, NotificationEvent
from .payloads import in_language, notification_payload


def member_group(member_id: int) -> str:
    return f"notifications.{member_id}"


logger = logging.getLogger(__name__)


def unread_counts(member_ids: list[int]) -> dict[int, int]:
    rows = (
        Notification.objects.filter(recipient_id__in=member_ids, read__isnull=True)
        .values("recipient_id")
        .annotate(n=Count("id"))
        .values_list("recipient_id", "n")
    )
    counts = dict.fromkeys(member_ids, 0)
    counts.update(dict(rows))
    return counts


def push_created(
    event: NotificationEvent, subject, pairs: list[tuple[int, int]]
) -> None:
    """Push each (notification id, recipient id) of one event."""
    layer = get_channel_layer()
    if layer is None or not pairs:
        return
    ids = [rid for _pk, rid in pairs]
    members = {
        m.pk: m for m in Member.objects.filter(pk__in=ids).only("pk", "language")
    }
    counts = unread_counts(ids)
    messages = []
    for pk, rid in pairs:
        member = members.get(rid)
        if member is None:
            continue
        n = Notification(pk=pk, kind=event.kind, created=event.created, read=None)
        with in_language(member.language):
            data = notification_payload(n, member, event)
        event_msg = {
            "type": "notification.created",
            "data": data,
            "unread": counts.get(rid, 0),
        }
        messages.append(
            (member_group(rid), json.loads(json.dumps(event_msg, default=str)))
        )
    send_all(messages)


def send_all(messages: list[tuple[str, dict]]) -> None:
    layer = get_channel_layer()

    async def _send() -> None:
        results = await asyncio.gather(
            *(
                layer.group_send(group, {"type": "relay", "event": payload})
                for group, payload in messages
            ),
            return_exceptions=True,
        )
        failed = [r for r in results if isinstance(r, BaseException)]
        if failed:
            logger.warning(
                _("Could not publish %(n)d live notifications (%(error)s)."),
                {"n": len(failed), "error": failed[0]},
            )

    try:
        async_to_sync(_send)()
    except Exception as exc:
        logger.warning(
            _("Could not publish live notifications (%(error)s)."), {"error": exc}
        )


def push_unread(member_id: int) -> None:
    """The member's other tabs learn the new count (after marking read)."""
    from .selectors import unread_count

    count = unread_count(Member(pk=member_id))
    send_all([(member_group(member_id), {"type": "unread", "unread": count})])
