"""Who is here: "N members here" on a thread, shared by every ASGI process.

With REDIS_URL the connections of a thread live in a Redis sorted set (member
`<member id>|<channel name>`, score = expiry); each connection refreshes its entry
every HEARTBEAT seconds, so a process that dies leaves no ghosts for longer than TTL.
Without Redis (the embedded profile, one process) a dict does the same.

Presence is not part of the durable `seq` stream: changes are broadcast (debounced)
as `{"type": "presence.changed", "data": {"count": N}}` without a seq.
"""

from __future__ import annotations

import asyncio
import time
import weakref
from typing import TYPE_CHECKING, cast

from django.conf import settings

if TYPE_CHECKING:
    import redis.asyncio as aioredis

HEARTBEAT = 30
TTL = 90

_clients: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, aioredis.Redis] = (
    weakref.WeakKeyDictionary()
)
_memory: dict[str, dict[str, int]] = {}


def _redis() -> aioredis.Redis | None:
    """This event loop's client, or None without REDIS_URL (embedded profile)."""
    import redis.asyncio as aioredis

    url = settings.REDIS_URL
    if not url:
        return None
    loop = asyncio.get_running_loop()
    client = _clients.get(loop)
    if client is None:
        client = aioredis.from_url(url, max_connections=20)
        _clients[loop] = client
    return client


def _key(scope: str) -> str:
    prefix = (
        getattr(settings, "CHANNEL_LAYERS", {})
        .get("default", {})
        .get("CONFIG", {})
        .get("prefix", "torget")
    )
    return f"{prefix}:presence:{scope}"


async def join(scope: str, channel: str, member_id: int) -> None:
    client = _redis()
    if client is not None:
        key = _key(scope)
        await client.zadd(key, {f"{member_id}|{channel}": time.time() + TTL})
        await client.expire(key, TTL * 4)
    else:
        _memory.setdefault(scope, {})[channel] = member_id


refresh = join


async def leave(scope: str, channel: str, member_id: int) -> None:
    client = _redis()
    if client is not None:
        await client.zrem(_key(scope), f"{member_id}|{channel}")
    else:
        _memory.get(scope, {}).pop(channel, None)


async def count(scope: str) -> int:
    """Distinct members connected now."""
    client = _redis()
    if client is not None:
        key = _key(scope)
        await client.zremrangebyscore(key, "-inf", time.time())
        entries = cast("list[bytes]", await client.zrange(key, 0, -1))
        return len({e.split(b"|", 1)[0] for e in entries})
    return len(set(_memory.get(scope, {}).values()))
