"""Listen on a channel-layer group from a synchronous test, through Redis as in
production (the Redis pub/sub layer `make test` configures).

    with GroupListener(thread_group(t.pk)) as listener:
        with django_capture_on_commit_callbacks(execute=True):
            post_comment(...)
            assert listener.nothing()          # not sent before commit
        assert listener.next()["type"] == "comment.created"

The listener runs its own event loop in a thread, so what the service publishes reaches
it only through Redis. It proves it is subscribed by the round trip of a probe sent to
its own group before the test writes anything."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

from channels.layers import get_channel_layer


class GroupListener:
    def __init__(self, group: str) -> None:
        self.group = group
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)

    def _run(self, coro, timeout: float = 10) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def __enter__(self) -> GroupListener:
        from django.conf import settings

        backend = settings.CHANNEL_LAYERS["default"]["BACKEND"]
        assert "redis" in backend, "GroupListener needs REDIS_URL (make test sets it)"
        self.thread.start()
        self.layer = get_channel_layer()
        self._run(self._subscribe())
        return self

    async def _subscribe(self) -> None:
        self.channel = await self.layer.new_channel()
        await self.layer.group_add(self.group, self.channel)
        # Cancelling a layer's receive() unsubscribes the channel (channels_redis), so
        # one reader task receives for the listener's whole life.
        self.inbox: asyncio.Queue[dict] = asyncio.Queue()
        self.reader = asyncio.create_task(self._read())
        await self.layer.group_send(self.group, {"type": "probe"})
        async with asyncio.timeout(5):
            while (await self.inbox.get())["type"] != "probe":
                pass

    async def _read(self) -> None:
        while True:
            await self.inbox.put(await self.layer.receive(self.channel))

    async def _receive(self, timeout: float) -> dict | None:
        try:
            async with asyncio.timeout(timeout):
                return await self.inbox.get()
        except TimeoutError:
            return None

    def next(self, timeout: float = 5) -> dict:
        """The next relayed event (the `event` of a `relay` message)."""
        message = self._run(self._receive(timeout), timeout + 5)
        assert message is not None, f"nothing arrived on {self.group}"
        return message["event"]

    def nothing(self, wait: float = 0.3) -> bool:
        message = self._run(self._receive(wait), wait + 5)
        assert message is None, f"unexpected {message}"
        return True

    async def _stop(self) -> None:
        self.reader.cancel()  # unsubscribes the channel
        await asyncio.gather(self.reader, return_exceptions=True)
        await self.layer.group_discard(self.group, self.channel)

    def __exit__(self, *exc: object) -> None:
        try:
            self._run(self._stop())
        finally:
            self.loop.call_soon_threadsafe(self.loop.stop)
            self.thread.join(5)
            self.loop.close()
