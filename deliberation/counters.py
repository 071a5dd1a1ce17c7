"""Counters over a time window, shared by every process and atomic.

With Redis as the cache (production, tests) each operation is one Lua script, so two
requests can never both see "4 of 5" and both go on: `hit` increments and reads in one
step, and a new counter gets its expiry in that same step. Without Redis (the embedded
profile: one process) the counters live in this process under a lock. If Redis fails,
the same in-process counters take over and the outage is logged: limits then hold per
process instead of for the whole site, and nothing answers a 500.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from dataclasses import dataclass

from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from django.utils.translation import gettext as _
from redis.exceptions import RedisError

log = logging.getLogger(__name__)

_HIT = """
local n = redis.call('INCR', KEYS[1])
if redis.call('PTTL', KEYS[1]) < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
end
return {n, redis.call('PTTL', KEYS[1])}
"""
_PEEK = """
local v = redis.call('GET', KEYS[1])
return {tonumber(v or '0') or 0, redis.call('PTTL', KEYS[1])}
"""
_UNDO = """
local v = tonumber(redis.call('GET', KEYS[1]) or '0') or 0
if v <= 0 then return 0 end
local n = v - tonumber(ARGV[1])
if n <= 0 then redis.call('DEL', KEYS[1]) return 0 end
redis.call('SET', KEYS[1], n, 'KEEPTTL')
return n
"""
_HOLD = """
if redis.call('EXISTS', KEYS[1]) == 1 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
end
return 0
"""


@dataclass(frozen=True)
class Count:
    value: int
    retry_after: int  # whole seconds until the window ends (0 when empty)


def _seconds(ms: int) -> int:
    return max(1, math.ceil(ms / 1000)) if ms > 0 else 0


class _Local:
    """In-process counters: the embedded profile, and the fallback when Redis fails."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._data: dict[str, tuple[int, float]] = {}

    def _live(self, key: str, now: float) -> tuple[int, float]:
        value, until = self._data.get(key, (0, 0.0))
        if until <= now:
            self._data.pop(key, None)
            return 0, 0.0
        return value, until

    def _sweep(self, now: float) -> None:
        if len(self._data) > 50_000:
            for key in [k for k, (_v, until) in self._data.items() if until <= now]:
                del self._data[key]

    def hit(self, key: str, window: int) -> Count:
        with self._lock:
            now = time.monotonic()
            self._sweep(now)
            value, until = self._live(key, now)
            until = until or now + window
            self._data[key] = (value + 1, until)
            return Count(value + 1, _seconds(int((until - now) * 1000)))

    def peek(self, key: str) -> Count:
        with self._lock:
            now = time.monotonic()
            value, until = self._live(key, now)
            return Count(value, _seconds(int((until - now) * 1000)) if value else 0)

    def undo(self, key: str, amount: int) -> None:
        with self._lock:
            value, until = self._live(key, time.monotonic())
            if value - amount <= 0:
                self._data.pop(key, None)
            else:
                self._data[key] = (value - amount, until)

    def hold(self, key: str, seconds: int) -> None:
        with self._lock:
            now = time.monotonic()
            value, _until = self._live(key, now)
            if value:
                self._data[key] = (value, now + seconds)

    def clear(self, key: str) -> None:
        with self._lock:
            self._data.pop(key, None)

    def reset(self) -> None:
        with self._lock:
            self._data.clear()


class _Redis:
    def __init__(self, backend: RedisCache) -> None:
        self._backend = backend

    def _run(self, script: str, key: str, *args: int) -> list | int:
        full_key = self._backend.make_and_validate_key(key)
        client = self._backend._cache.get_client(full_key, write=True)
        return client.eval(script, 1, full_key, *args)

    def hit(self, key: str, window: int) -> Count:
        value, ttl = self._run(_HIT, key, window * 1000)  # type: ignore[misc]
        return Count(int(value), _seconds(int(ttl)))

    def peek(self, key: str) -> Count:
        value, ttl = self._run(_PEEK, key)  # type: ignore[misc]
        return Count(int(value), _seconds(int(ttl)) if int(value) else 0)

    def undo(self, key: str, amount: int) -> None:
        self._run(_UNDO, key, amount)

    def hold(self, key: str, seconds: int) -> None:
        self._run(_HOLD, key, seconds * 1000)

    def clear(self, key: str) -> None:
        self._backend.delete(key)


local = _Local()
RETRY_REDIS_AFTER = 5.0  # seconds on the local counters after a Redis error
_redis_down_until = 0.0


def _call(method: str, *args):
    global _redis_down_until
    backend = caches["default"]
    if isinstance(backend, RedisCache) and time.monotonic() >= _redis_down_until:
        try:
            return getattr(_Redis(backend), method)(*args)
        except RedisError as exc:
            # Not every call waits for a dead Redis: try it again in a few seconds.
            _redis_down_until = time.monotonic() + RETRY_REDIS_AFTER
            log.warning(
                _("The cache is unreachable (%(error)s): limits hold per process."),
                {"error": exc},
            )
    return getattr(local, method)(*args)


def reset() -> None:
    """Forget the in-process counters and any remembered outage (tests)."""
    global _redis_down_until
    _redis_down_until = 0.0
    local.reset()


def hit(key: str, *, window: int) -> Count:
    """Add one to `key` (a new counter lasts `window` seconds) and return the count."""
    return _call("hit", key, window)


def peek(key: str) -> Count:
    return _call("peek", key)


def undo(key: str, amount: int = 1) -> None:
    """Take back `amount` (never below zero; an empty counter disappears)."""
    if amount > 0:
        _call("undo", key, amount)


def hold(key: str, *, seconds: int) -> None:
    """Make an existing counter last `seconds` from now."""
    _call("hold", key, seconds)


def clear(key: str) -> None:
    _call("clear", key)
