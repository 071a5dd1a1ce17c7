"""`/ws/threads/{id}/` — the live thread (docs/realtime.md).

* connect: the handshake is accepted and then closed with a code the client can act
  on: anonymous → 4401, unknown thread (or one whose subject the member may not read,
  such as someone's draft) → 4404, not a member → 4403. The origin and the
  session/token are checked before by `deliberation.realtime.auth.WebsocketGuard`
  (a foreign origin is refused at the handshake: HTTP 403).
* server → client: stored thread events `{"type", "id", "seq", "data"}` relayed from
  the group `thread.<id>`, in seq order, none twice; `presence.changed` without seq.
* client → server: `{"type": "resume", "after_seq": N}` replays stored events with
  seq > N from the database, rendered for this member now (`replay.py`: hidden text
  only to its author and moderators, deleted text to nobody), then continues live;
  `{"type": "ping"}` → whatever was stored after the last event sent on this socket
  (a message the layer lost), then `{"type": "pong", "last_seq": N}`. Anything
  else gets `{"type": "error", "detail": ...}`; frames are checked by
  `JsonFrameConsumer` (size, nesting, an object) and a bad one never closes the
  socket.
Clients write through the API; the socket only delivers.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from channels.db import database_sync_to_async
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _

from deliberation.inputs import MAX_ID
from deliberation.realtime import presence
from deliberation.realtime.consumers import JsonFrameConsumer
from deliberation.realtime.events import thread_group

from .access import access_thread
from .models import Thread
from .replay import events_for_viewer

if TYPE_CHECKING:
    from deliberation.members.viewer import Viewer


logger = logging.getLogger(__name__)

REPLAY_BATCH = 500


CLOSE_NOT_SIGNED_IN = 4401
CLOSE_NOT_ALLOWED = 4403
CLOSE_NOT_FOUND = 4404


@database_sync_to_async
def _thread_access(user: Viewer, thread_id: int) -> tuple[int | None, Thread | None]:
    """(close code or None, the thread) — the same rule as the API and the pages."""
    try:
        return None, access_thread(user, thread_id)
    except Http404:
        return CLOSE_NOT_FOUND, None
    except PermissionDenied:
        return CLOSE_NOT_ALLOWED, None


@database_sync_to_async
def _events_between(
    viewer: Viewer, thread: Thread, after: int, upto: int | None, limit: int
) -> list[dict]:
    return events_for_viewer(
        viewer=viewer, thread=thread, after=after, before=upto, limit=limit
    )


@database_sync_to_async
def _last_seq(thread_id: int) -> int:
    return (
        Thread.objects.filter(pk=thread_id).values_list("last_seq", flat=True).first()
        or 0
    )


class ThreadConsumer(JsonFrameConsumer):
    group: str | None = None

    async def refuse(self, code: int):
        """Accept, then close with `code`: browsers and clients see the code (a
        refusal before the handshake would only be an HTTP 403 to them)."""
        await self.accept()
        await self.close(code=code)

    async def connect(self):
        self.thread_id = int(self.scope["url_route"]["kwargs"]["thread_id"])
        self.presence_scope = f"thread:{self.thread_id}"
        self.user = self.scope.get("user")
        if self.user is None or not self.user.is_authenticated:
            return await self.refuse(CLOSE_NOT_SIGNED_IN)
        if not 1 <= self.thread_id <= MAX_ID:  # the route takes any digits
            return await self.refuse(CLOSE_NOT_FOUND)
        refusal, self.thread = await _thread_access(self.user, self.thread_id)
        if refusal is not None:
            return await self.refuse(refusal)
        last_seq = self.thread.last_seq
        self.replaying = False
        self.buffer: list[dict] = []
        self.group = thread_group(self.thread_id)
        await self.channel_layer.group_add(self.group, self.channel_name)
        # Events committed from here on arrive live; anything older the client asks
        # for with `resume`. A gap in seq is filled from the database.
        self.last_sent = last_seq
        self.live_from = last_seq  # events sent on this socket: (live_from, last_sent]
        await self.accept()
        # In memory at once; written to Redis and kept alive by the process's
        # presence writer (deliberation/realtime/presence.py).
        await presence.join(self.presence_scope, self.channel_name, self.user.pk)

    async def __call__(self, scope, receive, send):
        # A send to a socket the client just closed raises out of the consumer
        # (uvicorn: ClientDisconnected) and `disconnect` is never called: leave here
        # too, or the member stays "here" for as long as the process lives.
        try:
            await super().__call__(scope, receive, send)
        finally:
            await self._leave()

    async def disconnect(self, code):
        await self._leave()

    async def _leave(self):
        if self.group is None:
            return
        group, self.group = self.group, None
        await presence.leave(self.presence_scope, self.channel_name, self.user.pk)
        try:
            await self.channel_layer.group_discard(group, self.channel_name)
        except Exception:  # the layer is down: its subscriptions went with it
            logger.warning(_("Could not leave the live group %s."), group)

    # --- client → server -----------------------------------------------------------

    async def receive_json(self, content, **kwargs):
        kind = content.get("type")
        if kind == "resume":
            after = content.get("after_seq")
            if isinstance(after, bool) or not isinstance(after, int) or after < 0:
                return await self.send_error(
                    'resume needs "after_seq": a whole number ≥ 0.'
                )
            return await self.resume(after)
        if kind == "ping":
            if self.group is None:  # refused, or leaving
                return await self.send_json({"type": "pong"})
            await self.catch_up()
            return await self.send_json({"type": "pong", "last_seq": self.last_sent})
        return await self.send_error(f"Unknown message type: {str(kind)[:40]!r}.")

    async def resume(self, after: int):
        """Replay stored events with seq > after, in order, then continue live.
        Live events that arrive meanwhile are buffered and those already sent
        dropped."""
        self.replaying = True
        self.buffer = []
        # Events already sent live on this socket, (live_from, last_sent], are not sent
        # again: the client receives each seq once whatever order things happen in.
        sent_low, sent_high = self.live_from, self.last_sent
        try:
            current = await _last_seq(self.thread_id)
            # A client "ahead" of the stream (a seq from another database) gets what
            # happened since it connected.
            start = after if after <= current else min(sent_low, current)
            last = start
            while True:
                batch = await _events_between(
                    self.user, self.thread, last, None, REPLAY_BATCH
                )
                for event in batch:
                    last = event["seq"]
                    if not sent_low < last <= sent_high:
                        await self.send_json(event)
                if len(batch) < REPLAY_BATCH:
                    break
            self.last_sent = max(last, sent_high)
            self.live_from = start
        finally:
            self.replaying = False
        buffered, self.buffer = sorted(self.buffer, key=lambda e: e["seq"]), []
        for event in buffered:
            await self._deliver(event)

    async def catch_up(self):
        """Send what was stored after the last event this socket sent. A message the
        layer lost is otherwise only noticed at the next live event — and after a
        Redis restart there may be none: the client's keep-alive ping (live.js, every
        25 s) brings it."""
        if self.replaying or await _last_seq(self.thread_id) <= self.last_sent:
            return
        while True:
            missed = await _events_between(
                self.user, self.thread, self.last_sent, None, REPLAY_BATCH
            )
            for event in missed:
                await self.send_json(event)
                self.last_sent = event["seq"]
            if len(missed) < REPLAY_BATCH:
                break

    # --- group → client ------------------------------------------------------------

    async def relay(self, message):
        await self._deliver(message["event"])

    async def _deliver(self, event: dict):
        seq = event.get("seq")
        if seq is None:  # presence and other ephemeral events
            return await self.send_json(event)
        if self.replaying:
            self.buffer.append(event)
            return
        if seq <= self.last_sent:
            return  # already sent (by replay or earlier)
        while (
            seq > self.last_sent + 1
        ):  # something went missing or arrived out of order
            missing = await _events_between(
                self.user, self.thread, self.last_sent, seq, REPLAY_BATCH
            )
            for older in missing:
                await self.send_json(older)
                self.last_sent = older["seq"]
            if len(missing) < REPLAY_BATCH:
                break
        await self.send_json(event)
        self.last_sent = seq
