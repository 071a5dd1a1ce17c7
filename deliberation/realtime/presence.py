"""Who is here: "N members here" on a thread, shared by every ASGI process.

Each process (an event loop: a *node*, named by a random id) keeps its own connections
in memory — that is the truth for its sockets, and joining or leaving never waits for
Redis and never fails. One writer task per node copies that state to Redis and keeps it
alive (docs/realtime.md, "Presence"):

* `P:presence:<scope>:<node>` — hash channel → member id, the node's connections in
  that scope, rewritten whole when they change and kept alive by a heartbeat every
  HEARTBEAT seconds (expires after TTL);
* `P:presence:<scope>:nodes` — the nodes that have connections in the scope;
* `P:presence:nodes` — sorted set node → last heartbeat; `P:presence:node:<node>` —
  the scopes a node has connections in.

A leave is a change of the in-memory state, so it cannot be lost: when Redis fails the
writer retries until the whole state is written again. Every node sweeps: a node whose
heartbeat is older than TTL (a process killed with -9) is claimed by one sweeper (ZREM
answers 1 to one caller only), its entries removed, and the corrected count published
to the scopes it was in. So the count returns to the truth within about TTL seconds
whatever happens. Without Redis (the embedded profile, one process) the in-memory
state is all there is.

Scopes are `<kind>:<id>` (`thread:5`); changes go to the group `<kind>.<id>`
(`deliberation.realtime.events`) as `{"type": "presence.changed", "id": 5,
"data": {"count": N}}`, without a seq (presence is not part of the durable stream),
debounced to one message per burst.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
import weakref
from typing import Any, cast

import redis.asyncio as aioredis
from django.conf import settings
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

HEARTBEAT = 2.0  # seconds between a node's heartbeats and sweeps
TTL = 8.0  # a node silent for this long is gone, with its members
BROADCAST_DEBOUNCE = 0.5
RETRY_MAX = 5.0
SCOPES_TTL = 24 * 3600  # the node → scopes index outlives the node, for the sweeper

_nodes: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _prefix() -> str:
    prefix = (
        getattr(settings, "CHANNEL_LAYERS", {})
        .get("default", {})
        .get("CONFIG", {})
        .get("prefix", "torget")
    )
    return f"{prefix}:presence"


def _hash_key(scope: str, node: str) -> str:
    return f"{_prefix()}:{scope}:{node}"


def _scope_nodes_key(scope: str) -> str:
    return f"{_prefix()}:{scope}:nodes"


def _nodes_key() -> str:
    return f"{_prefix()}:nodes"


def _node_scopes_key(node: str) -> str:
    return f"{_prefix()}:node:{node}"


def _text(value) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def _event(scope: str, count: int) -> tuple[str, dict]:
    kind, _sep, ident = scope.partition(":")
    event_id: int | str = int(ident) if ident.isdigit() else ident
    return f"{kind}.{ident}", {
        "type": "presence.changed",
        "id": event_id,
        "data": {"count": count},
    }


class Node:
    """The presence of one event loop's connections."""

    def __init__(self) -> None:
        self.id = uuid.uuid4().hex[:16]
        self.local: dict[str, dict[str, int]] = {}  # scope → channel → member id
        self.dirty: set[str] = set()  # scopes whose Redis copy is out of date
        self.wake = asyncio.Event()
        self.writer: asyncio.Task | None = None
        self.redis: aioredis.Redis | None = None
        self.failing = False
        self.last_sweep = 0.0
        self.broadcasts: dict[str, asyncio.Task] = {}
        self.again: set[str] = set()

    # --- the node's own connections ---------------------------------------------

    def join(self, scope: str, channel: str, member_id: int) -> None:
        self.local.setdefault(scope, {})[channel] = member_id
        self._changed(scope)

    def leave(self, scope: str, channel: str) -> None:
        channels = self.local.get(scope)
        if channels is not None and channels.pop(channel, None) is not None:
            if not channels:
                del self.local[scope]
            self._changed(scope)

    def local_count(self, scope: str) -> int:
        return len(set(self.local.get(scope, {}).values()))

    def _changed(self, scope: str) -> None:
        if not settings.REDIS_URL:
            self.broadcast(scope)
            return
        self.dirty.add(scope)
        self.wake.set()
        if self.writer is None or self.writer.done():
            self.writer = asyncio.get_running_loop().create_task(self._run())

    # --- Redis ------------------------------------------------------------------

    def _client(self) -> aioredis.Redis:
        if self.redis is None:
            pool = aioredis.BlockingConnectionPool.from_url(
                str(settings.REDIS_URL),
                max_connections=int(getattr(settings, "PRESENCE_POOL_SIZE", 10)),
                timeout=5,
                socket_connect_timeout=2,
                socket_timeout=5,
                health_check_interval=30,
            )
            self.redis = aioredis.Redis.from_pool(pool)
        return self.redis

    async def _run(self) -> None:
        """Write changes as they come, heartbeat and sweep every HEARTBEAT seconds;
        retry with backoff while Redis fails. Ends when the node has nothing left."""
        delay = HEARTBEAT
        while True:
            if self.failing:
                await asyncio.sleep(delay)
            else:
                try:
                    await asyncio.wait_for(self.wake.wait(), timeout=HEARTBEAT)
                    await asyncio.sleep(0.05)  # let a burst of joins/leaves gather
                except TimeoutError:
                    pass
            self.wake.clear()
            try:
                await self.sync()
                if time.time() - self.last_sweep >= HEARTBEAT:
                    await self.sweep()
            except Exception as exc:
                if not self.failing:
                    logger.warning(
                        _(
                            "Presence could not reach Redis (%(error)s); members "
                            "who join or leave are kept in memory and written when "
                            "it answers again."
                        ),
                        {"error": exc},
                    )
                self.failing = True
                self.dirty.update(self.local)
                delay = min(delay * 2, RETRY_MAX)
                continue
            if self.failing:
                logger.warning(_("Presence reaches Redis again; counts are restored."))
                self.failing = False
                delay = HEARTBEAT
            if not self.local and not self.dirty:
                await self._retire()
                if not self.local and not self.dirty:
                    return

    async def sync(self) -> None:
        """Make Redis hold exactly this node's connections (idempotent)."""
        client = self._client()
        now = time.time()
        dirty = set(self.dirty)
        self.dirty.clear()
        try:
            kept = [s for s in self.local if s not in dirty]
            pipe = client.pipeline(transaction=False)
            pipe.zadd(_nodes_key(), {self.id: now})
            for scope in kept:
                pipe.expire(_hash_key(scope, self.id), int(TTL))
            alive = (await pipe.execute())[1:]
            # A copy that expired meanwhile (a stalled loop, a swept node, a Redis
            # restart) is written again.
            dirty.update(s for s, ok in zip(kept, alive, strict=True) if not ok)
            if dirty:
                pipe = client.pipeline(transaction=True)
                for scope in dirty:
                    key = _hash_key(scope, self.id)
                    pipe.delete(key)
                    channels = self.local.get(scope)
                    if channels:
                        pipe.hset(key, mapping=cast(Any, channels))
                        pipe.expire(key, int(TTL))
                        pipe.sadd(_scope_nodes_key(scope), self.id)
                        pipe.expire(_scope_nodes_key(scope), SCOPES_TTL)
                        pipe.sadd(_node_scopes_key(self.id), scope)
                    else:
                        pipe.srem(_scope_nodes_key(scope), self.id)
                        pipe.srem(_node_scopes_key(self.id), scope)
                pipe.expire(_node_scopes_key(self.id), SCOPES_TTL)
                await pipe.execute()
        except BaseException:
            self.dirty.update(dirty)
            raise
        for scope in dirty:
            self.broadcast(scope)

    async def sweep(self) -> None:
        """Remove the members of nodes that stopped heartbeating; tell their scopes."""
        client = self._client()
        self.last_sweep = now = time.time()
        dead = await client.zrangebyscore(_nodes_key(), "-inf", now - TTL)
        for raw in dead:
            node = _text(raw)
            if node == self.id or not await client.zrem(_nodes_key(), node):
                continue  # ourselves (stalled), or another sweeper claimed it
            scopes = [_text(s) for s in await client.smembers(_node_scopes_key(node))]
            pipe = client.pipeline(transaction=True)
            for scope in scopes:
                pipe.delete(_hash_key(scope, node))
                pipe.srem(_scope_nodes_key(scope), node)
            pipe.delete(_node_scopes_key(node))
            await pipe.execute()
            logger.warning(
                _(
                    "Presence: process %(node)s stopped answering; its members left "
                    "%(scopes)d live threads."
                ),
                {"node": node, "scopes": len(scopes)},
            )
            for scope in scopes:
                self.broadcast(scope)

    async def _retire(self) -> None:
        """Nothing left to hold: leave the node index so no sweeper mourns us."""
        try:
            client = self._client()
            pipe = client.pipeline(transaction=True)
            pipe.zrem(_nodes_key(), self.id)
            pipe.delete(_node_scopes_key(self.id))
            await pipe.execute()
        except Exception:
            logger.warning(_("Presence could not retire process %s."), self.id)

    async def count(self, scope: str) -> int:
        """Distinct members connected to the scope now, over every node."""
        if not settings.REDIS_URL:
            return self.local_count(scope)
        client = self._client()
        nodes = [_text(n) for n in await client.smembers(_scope_nodes_key(scope))]
        if not nodes:
            return 0
        pipe = client.pipeline(transaction=False)
        for node in nodes:
            pipe.hvals(_hash_key(scope, node))
        members: set[bytes] = set()
        for values in await pipe.execute():
            members.update(values)
        return len(members)

    # --- telling the watchers ---------------------------------------------------

    def broadcast(self, scope: str) -> None:
        """Publish the scope's count once after changes settle; a change that comes
        while a count is being published gets another one."""
        task = self.broadcasts.get(scope)
        if task is not None and not task.done():
            self.again.add(scope)
            return
        self.broadcasts[scope] = asyncio.get_running_loop().create_task(
            self._broadcast(scope)
        )

    async def _broadcast(self, scope: str) -> None:
        from channels.layers import get_channel_layer

        try:
            while True:
                await asyncio.sleep(BROADCAST_DEBOUNCE)
                self.again.discard(scope)
                group, event = _event(scope, await self.count(scope))
                await get_channel_layer().group_send(
                    group, {"type": "relay", "event": event}
                )
                if scope not in self.again:
                    return
        except Exception as exc:
            if not self.failing:
                logger.warning(
                    _("Presence could not publish the count of %(scope)s (%(error)s)."),
                    {"scope": scope, "error": exc},
                )
        finally:
            self.broadcasts.pop(scope, None)


def node() -> Node:
    """This event loop's node."""
    loop = asyncio.get_running_loop()
    current = _nodes.get(loop)
    if current is None:
        current = _nodes[loop] = Node()
    return current


async def join(scope: str, channel: str, member_id: int) -> None:
    node().join(scope, channel, member_id)


async def leave(scope: str, channel: str, member_id: int | None = None) -> None:
    node().leave(scope, channel)


async def count(scope: str) -> int:
    return await node().count(scope)
