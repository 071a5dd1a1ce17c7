"""Group messages from sync code (gunicorn workers, Celery) straight to Redis.

`async_to_sync(layer.group_send)` in a sync worker starts an event loop for every
call, and `channels_redis` keeps its connections per loop — so every event opened a
new Redis connection (about a tenth of a comment POST). For the pub/sub layer
(`channels_redis.pubsub.RedisPubSubChannelLayer`, the production profile) a group
message is one `PUBLISH` of the layer's serialised message to the channel
`{prefix}__group__{group}` on the shard the layer picks for that name
(`channels_redis/pubsub.py`: `_get_group_channel_name`, `_get_shard`, `serialize`).
`publisher_for` gives a sync publisher that does exactly that over one pooled
connection per process; for any other layer (in-memory, the core Redis layer, a
Sentinel setup) it answers None and callers keep `group_send`. Tests receive these
messages on real websockets through the layer's own subscriber.
"""

from __future__ import annotations

import threading
from typing import Any

import redis
from channels_redis.pubsub import RedisPubSubChannelLayer
from channels_redis.utils import _consistent_hash, decode_hosts

_lock = threading.Lock()
_publishers: dict[int, tuple[object, SyncPublisher | None]] = {}


class SyncPublisher:
    def __init__(self, layer: Any, hosts: list[dict]) -> None:
        self._layer = layer
        self.prefix = layer._kwargs.get("prefix", "asgi")
        self._clients = []
        for host in hosts:
            options = dict(host)
            address = options.pop("address")
            # a Redis that hangs must not hold a web worker (the event is stored;
            # clients get it by resume)
            options.setdefault("socket_timeout", 2)
            options.setdefault("socket_connect_timeout", 2)
            pool = redis.ConnectionPool.from_url(address, **options)
            self._clients.append(redis.Redis(connection_pool=pool))

    def channel_name(self, group: str) -> str:
        return f"{self.prefix}__group__{group}"

    def group_send(self, group: str, message: dict) -> None:
        channel = self.channel_name(group)
        client = self._clients[_consistent_hash(channel, len(self._clients))]
        client.publish(channel, self._layer.serialize(message))


def _build(layer: Any) -> SyncPublisher | None:
    if type(layer) is not RedisPubSubChannelLayer:
        return None
    hosts = decode_hosts(layer._kwargs.get("hosts"))
    if not all(isinstance(h, dict) and "address" in h for h in hosts):
        return None  # host/port pairs, Sentinel: the layer's own path
    return SyncPublisher(layer, hosts)


def publisher_for(layer: Any) -> SyncPublisher | None:
    """The sync publisher of `layer` (one per layer and process), or None."""
    entry = _publishers.get(id(layer))
    if entry is not None and entry[0] is layer:
        return entry[1]
    with _lock:
        publisher = _build(layer)
        _publishers[id(layer)] = (layer, publisher)
    return publisher
