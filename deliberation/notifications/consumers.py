"""`/ws/notifications/` — your notifications live (docs/notifications.md).

* connect: anonymous → closed with 4401; otherwise `{"type": "unread", "unread": N}`
  and then every new notification as `{"type": "notification.created", "data":
  {notification}, "unread": N}` (from the group `notifications.<member id>`), and
  `{"type": "unread", "unread": N}` when you mark some read elsewhere.
* client → server: `{"type": "resume", "after": id}` sends the notifications with a
  greater id that you missed, oldest first, then continues live (none twice);
  `{"type": "ping"}` → `pong`.
"""

from __future__ import annotations

import logging

from channels.db import database_sync_to_async
from django.utils.translation import gettext as _

from deliberation.inputs import MAX_ID
from deliberation.realtime.consumers import JsonFrameConsumer

from .live import member_group
from .payloads import notification_payload
from .selectors import missed_since, unread_count

logger = logging.getLogger(__name__)

CLOSE_NOT_SIGNED_IN = 4401
RESUME_BATCH = 100


@database_sync_to_async
def _unread(member) -> int:
    return unread_count(member)


@database_sync_to_async
def _missed(member, after: int) -> tuple[list[dict], int]:
    items = [
        notification_payload(n, member)
        for n in missed_since(member, after, RESUME_BATCH)
    ]
    return items, unread_count(member)


class NotificationConsumer(JsonFrameConsumer):
    group: str | None = None

    async def connect(self):
        self.user = self.scope.get("user")
        if self.user is None or not self.user.is_authenticated:
            await self.accept()
            return await self.close(code=CLOSE_NOT_SIGNED_IN)
        self.last_sent = 0
        self.group = member_group(self.user.pk)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()
        await self.send_json({"type": "unread", "unread": await _unread(self.user)})

    async def disconnect(self, code):
        if self.group is None:
            return
        group, self.group = self.group, None
        try:
            await self.channel_layer.group_discard(group, self.channel_name)
        except Exception:
            logger.warning(_("Could not leave the live group %s."), group)

    async def receive_json(self, content, **kwargs):
        kind = content.get("type")
        if kind == "resume":
            after = content.get("after")
            if (
                isinstance(after, bool)
                or not isinstance(after, int)
                or not 0 <= after <= MAX_ID
            ):
                return await self.send_error(
                    _('resume needs "after": a notification id (a whole number ≥ 0).')
                )
            return await self.resume(after)
        if kind == "ping":
            return await self.send_json({"type": "pong"})
        return await self.send_error(
            _("Unknown message type: %(type)s.") % {"type": repr(str(kind)[:40])}
        )

    async def resume(self, after: int):
        last = after
        while True:
            items, unread = await _missed(self.user, last)
            for item in items:
                last = item["id"]
                await self.send_json(
                    {"type": "notification.created", "data": item, "unread": unread}
                )
            if len(items) < RESUME_BATCH:
                break
        self.last_sent = max(self.last_sent, last)

    async def relay(self, message):
        event = message["event"]
        if event.get("type") == "notification.created":
            nid = event.get("data", {}).get("id", 0)
            if nid <= self.last_sent:
                return
            self.last_sent = nid
        await self.send_json(event)
